"""What a Task state asks of a runner, and how runners are chosen.

A runner turns a ``TaskRequest`` into a result value, or raises
``TaskFailure`` / ``StatesError``. Runners are found, in this order:

1. a mock registered for the state name;
2. a handler registered for the state name;
3. a handler registered for the exact ``Resource`` string;
4. for Lambda resources, a handler registered for the function ARN or the
   bare function name (``arn:...:function:worker`` -> ``worker``), taken
   from the ``FunctionName`` parameter of ``arn:aws:states:::lambda:invoke``.

Nothing else: a definition can name any resource it likes, but only code
that the user registered can ever run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from collections.abc import Iterator, Mapping
from typing import Any, Callable

from ..model.records import record
from ..model.arns import Arn, integration, lambda_function

__all__ = ["LazyContext", "ResourceInfo", "TaskRequest", "parse_resource"]

@record
class ResourceInfo:
    """How AWS classifies a Task ``Resource`` (for history events and dispatch).

    ``kind`` is ``"lambda-function"`` (legacy ``arn:aws:lambda:...:function:f``,
    reported with ``LambdaFunction*`` events), ``"service"`` (an optimized or
    SDK integration, reported with ``Task*`` events), ``"activity"``, or
    ``"other"`` (any other string, reported with ``Task*`` events).
    """

    kind: str
    resource_type: str
    resource: str
    pattern: str | None = None
    function_name: str | None = None


def parse_resource(resource: str) -> ResourceInfo:
    """Classify a ``Resource`` string, once at load time."""
    function = lambda_function(resource)
    if function is not None:
        return ResourceInfo("lambda-function", "lambda", resource, None, function.name)
    service = integration(resource)
    if service is not None:  # resourceType keeps "aws-sdk:s3"
        suffix = "." + service.pattern if service.pattern else ""
        return ResourceInfo("service", service.service, service.action + suffix, service.pattern)
    arn = Arn.parse(resource)
    if arn is not None and arn.is_activity and arn.region and arn.account.isdigit():
        return ResourceInfo("activity", "activity", resource)
    return ResourceInfo("other", "local", resource)


class LazyContext(Mapping[str, Any]):
    """A context object (``$$``) built on first read: ``make()`` is called once.

    Most handlers never look at ``TaskRequest.context``; building it (the
    execution, state machine and state members, the entered time in ISO
    form) was a fifth of a local-handler Task's cost."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Mapping[str, Any]]) -> None:
        self._make: Callable[[], Mapping[str, Any]] | None = make
        self._value: Mapping[str, Any] = {}

    def _context(self) -> Mapping[str, Any]:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._context()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._context())

    def __len__(self) -> int:
        return len(self._context())

    def __repr__(self) -> str:
        return repr(self._context())


@dataclass(slots=True)
class TaskRequest:
    """One invocation of a Task state, as given to a handler or mock."""

    state_name: str
    resource: str
    parameters: Any
    context: Mapping[str, Any]
    attempt: int = 0
    map_index: int | None = None
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    request_id: str | None = None  # the Lambda-style request id handlers and their errors see
    # The task's limits on the execution's clock, when it has any (``tasks.timeouts.TaskWatch``).
    _watch: Any = field(default=None, repr=False)

    @property
    def task_token(self) -> str | None:
        """``$$.Task.Token`` for ``.waitForTaskToken`` tasks, else None."""
        task = self.context.get("Task")
        return task.get("Token") if isinstance(task, Mapping) else None

    def heartbeat(self) -> None:
        """Tell the engine the task is alive (``SendTaskHeartbeat``).

        With ``HeartbeatSeconds`` set, a handler that neither returns nor
        calls this within that many seconds (on the execution's clock) fails
        with ``States.Timeout``, which ``States.HeartbeatTimeout`` in
        ErrorEquals matches.
        """
        if self._watch is not None:
            self._watch.beat()


Handler = Callable[..., Any]
