"""What the executions of one run share, and who one execution is.

``ExecutionServices`` is built once per run (``StateMachine.run``, later
the service's scheduler) and handed to every interpreter of it: the top
execution, the child executions of a distributed Map, the local child
executions ``states:startExecution`` starts. It holds the clock, the quotas,
the one seeded source of randomness and ids, the task dispatcher (handlers,
mocks, AWS, callbacks), the object store, and
the records of finished child executions.

``ExecutionInfo`` is one execution's identity (ARN, name, machine, role,
start, deadline): the ``$$.Execution`` and ``$$.StateMachine`` parts of the
context object are built from it.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Sequence

from ..model.records import record
from ..execution.clock import Clock
from ..execution.ids import IdSource, uuid_source
from ..execution.quotas import Quotas
from ..history.events import History, Listener
from ..tasks.dispatch import TaskDispatcher
from ..tasks.objects import ObjectStore

__all__ = ["DEFAULT_CHILDREN_KEPT", "ChildExecutions", "ExecutionInfo", "ExecutionServices", "iso_time"]

# How many finished child executions a run keeps in memory by default: enough
# for any test, and a constant, so a Map Run of a million items stays flat.
DEFAULT_CHILDREN_KEPT = 1000


class ChildExecutions:
    """The records of a run's finished child executions, each with its own
    history, in completion order: the first ``limit`` of them (all with
    ``None``); the others are counted in ``dropped``. Each record goes to
    ``sink`` first, when there is one (the service stores it at once).
    Shared by every execution of the run, so one cap holds for all of them."""

    __slots__ = ("records", "limit", "dropped", "sink", "_lock")

    def __init__(
        self, limit: int | None = DEFAULT_CHILDREN_KEPT, sink: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        self.records: list[dict[str, Any]] = []
        self.limit = limit
        self.dropped = 0
        self.sink = sink
        self._lock = threading.Lock()

    def keeps_more(self) -> bool:
        """Whether the next record is wanted with its history (callers skip building it otherwise)."""
        return self.sink is not None or self.limit is None or len(self.records) < self.limit

    def append(self, record: dict[str, Any]) -> None:
        if self.sink is not None:
            self.sink(record)
        with self._lock:
            if self.limit is None or len(self.records) < self.limit:
                self.records.append(record)
            else:
                self.dropped += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self.records))

    def __len__(self) -> int:
        return len(self.records)


def iso_time(moment: datetime) -> str:
    """AWS's context-object time format: ``2024-01-31T12:00:00.123Z`` (UTC)."""
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


@dataclass(slots=True, eq=False)
class ExecutionServices:
    """Shared by every execution of one run (thread-safe where branches meet it)."""

    clock: Clock
    quotas: Quotas
    dispatcher: TaskDispatcher
    rng: random.Random = field(default_factory=random.Random)
    # Ids from ``rng`` (the dispatcher draws its own from the same source).
    ids: IdSource | None = None
    object_store: ObjectStore | None = None
    # Receives the data-flow steps of each state visit (``RunOptions.inspection``).
    inspection: Listener | None = None
    # Finished child executions (distributed Map children, local startExecution
    # children), each with its own history, up to the run's cap.
    child_executions: ChildExecutions = field(default_factory=ChildExecutions)

    def new_history(self, execution_arn: str, listeners: Sequence[Listener] = ()) -> History:
        """The history of a new execution (in memory)."""
        return History(self.clock.now, list(listeners), self.quotas.history_events, stamp=getattr(self.clock, "stamp", None))

    def __post_init__(self) -> None:
        if self.ids is None:
            self.ids = uuid_source(self.rng)

    def new_uuid(self) -> str:
        """A version-4 UUID from the run's seeded randomness (execution names, task
        tokens, Map Run ids, child names)."""
        assert self.ids is not None
        return self.ids()


@record
class ExecutionInfo:
    """Who one execution is. ``redrive_count`` is ``None`` for Express executions
    (they cannot be redriven, and their context object has no ``RedriveCount``)."""

    arn: str
    name: str
    machine_arn: str
    machine_name: str
    role_arn: str
    start: datetime
    input: Any
    redrive_count: int | None = 0
    deadline: datetime | None = None
    redrive_time: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        arn: str,
        name: str,
        machine_arn: str,
        machine_name: str,
        role_arn: str,
        start: datetime,
        input: Any,
        timeout_seconds: int | None,
        redrive_count: int | None = 0,
        redrive_time: datetime | None = None,
    ) -> "ExecutionInfo":
        """An execution whose deadline is ``timeout_seconds`` after ``start`` (none
        when ``None``), or after its last redrive (AWS resets the timeout then)."""
        base = redrive_time or start
        deadline = base + timedelta(seconds=timeout_seconds) if timeout_seconds else None
        return cls(arn, name, machine_arn, machine_name, role_arn, start, input, redrive_count, deadline, redrive_time)

    def execution_context(self) -> dict[str, Any]:
        """``$$.Execution``."""
        ctx: dict[str, Any] = {
            "Id": self.arn,
            "Input": self.input,
            "StartTime": iso_time(self.start),
            "Name": self.name,
            "RoleArn": self.role_arn,
        }
        if self.redrive_count is not None:
            ctx["RedriveCount"] = self.redrive_count
        if self.redrive_time is not None:  # AWS: only after a redrive
            ctx["RedriveTime"] = iso_time(self.redrive_time)
        return ctx

    def machine_context(self) -> dict[str, Any]:
        """``$$.StateMachine``."""
        return {"Id": self.machine_arn, "Name": self.machine_name}
