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
from collections.abc import Iterator, Mapping
from typing import Any, Callable

from ..execution.ids import uuid_text
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


class TaskRequest:
    """One invocation of a Task state, as given to a handler or mock.

    ``state_name``, ``resource``, ``parameters`` (the effective input),
    ``context`` (``$$``), ``attempt`` (the retry count), ``map_index``,
    ``timeout_seconds``, ``heartbeat_seconds``, ``cancel`` (set when the
    execution is stopped) and ``request_id``, the Lambda-style request id
    handlers and their errors see. Requests compare equal by these fields.
    """

    __slots__ = ("state_name", "resource", "parameters", "context", "attempt", "map_index", "timeout_seconds",
                 "heartbeat_seconds", "cancel", "_request_id", "_watch", "_id_bits")

    def __init__(
        self,
        state_name: str,
        resource: str,
        parameters: Any,
        context: Mapping[str, Any],
        attempt: int = 0,
        map_index: int | None = None,
        timeout_seconds: int | None = None,
        heartbeat_seconds: int | None = None,
        cancel: threading.Event | None = None,
        request_id: str | None = None,
        _watch: Any = None,
        _id_bits: int | None = None,
    ) -> None:
        self.state_name = state_name
        self.resource = resource
        self.parameters = parameters
        self.context = context
        self.attempt = attempt
        self.map_index = map_index
        self.timeout_seconds = timeout_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.cancel = threading.Event() if cancel is None else cancel
        self._request_id = request_id
        # The task's limits on the execution's clock, when it has any (``tasks.timeouts.TaskWatch``).
        self._watch = _watch
        # The request id's bits, drawn in turn (seeded runs repeat) and made
        # text only when read: most handlers never read it (``UuidSource``).
        self._id_bits = _id_bits

    @property
    def request_id(self) -> str | None:
        """The Lambda-style request id (``context.aws_request_id``), if any."""
        text = self._request_id
        if text is None and self._id_bits is not None:
            text = self._request_id = uuid_text(self._id_bits)
        return text

    @request_id.setter
    def request_id(self, value: str | None) -> None:
        self._request_id, self._id_bits = value, None

    def _fields(self) -> tuple[Any, ...]:
        return (self.state_name, self.resource, self.parameters, self.context, self.attempt, self.map_index,
                self.timeout_seconds, self.heartbeat_seconds, self.cancel, self.request_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TaskRequest):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        names = ("state_name", "resource", "parameters", "context", "attempt", "map_index", "timeout_seconds",
                 "heartbeat_seconds", "cancel", "request_id")
        return "TaskRequest(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields())) + ")"

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
