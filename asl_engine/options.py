"""``RunOptions``: everything a run can be given, in one object.

``StateMachine.run(input, handlers=..., clock=...)`` builds one from its
keyword arguments; ``StateMachine.run(input, options=RunOptions(...))``
takes one built elsewhere (the command line, the service). A child
execution that ``states:startExecution`` starts locally runs with its
parent's options but its own ``name`` and no ``listeners`` (a listener
receives the events of *its* execution; a child's history is its own, as
on AWS, and is kept in ``Execution.child_executions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping, Protocol, Sequence

from .execution.clock import Clock
from .execution.quotas import AWS_QUOTAS, Quotas
from .history.events import Listener
from .tasks.aws import AwsConfig
from .tasks.callbacks import CallbackSpool
from .tasks.mocks import MockSpec
from .tasks.objects import ObjectStore

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_REGION", "HandlerSpec", "LocalMachine", "RunOptions"]

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

HandlerSpec = Callable[..., Any] | str


class LocalMachine(Protocol):
    """A state machine ``states:startExecution`` may start locally (``StateMachine``)."""

    name: str

    def run(self, input: Any = None, *, options: "RunOptions | None" = None) -> Any: ...


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """The options of one run (see ``StateMachine.run`` for each one's meaning)."""

    handlers: Mapping[str, HandlerSpec] | None = None
    mocks: Mapping[str, MockSpec] | None = None
    clock: Clock | None = None
    name: str | None = None
    account: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    state_machine_type: str = "STANDARD"
    role_arn: str | None = None
    seed: int | None = None
    listeners: Sequence[Listener] | None = None
    quotas: bool | Quotas = True
    object_store: ObjectStore | None = None
    state_machines: Mapping[str, LocalMachine] | None = None
    aws: AwsConfig | None = None
    callbacks: CallbackSpool | None = None
    inspection: Listener | None = None
    child_executions_kept: int | None = 1000
    # Called with each finished child execution's record (its history
    # included) as it ends, before the cap above applies.
    on_child_execution: Callable[[dict[str, Any]], None] | None = None
    # "process": local handlers run in worker processes (``asl_engine.tasks.isolation``).
    isolation: Literal["thread", "process"] = "thread"
    handler_memory_mb: int | None = None

    def __post_init__(self) -> None:
        if self.isolation not in ("thread", "process"):
            raise ValueError(f"isolation must be 'thread' or 'process', got {self.isolation!r}")
        if self.isolation == "process" and not process_isolation_available():
            raise ValueError("isolation='process' needs the 'fork' start method, which this platform does not have")
        if self.handler_memory_mb is not None and (isinstance(self.handler_memory_mb, bool) or self.handler_memory_mb <= 0):
            raise ValueError(f"handler_memory_mb must be a positive number of MiB, got {self.handler_memory_mb!r}")

    @property
    def limits(self) -> Quotas:
        """The quotas this run enforces (``quotas=False`` lifts them all)."""
        if isinstance(self.quotas, Quotas):
            return self.quotas
        return AWS_QUOTAS if self.quotas else Quotas.none()

    @property
    def role(self) -> str:
        """The execution role's ARN (a local stand-in unless ``role_arn`` is given)."""
        return self.role_arn or f"arn:aws:iam::{self.account}:role/StepFunctionsLocalRole"

    def machine_arn(self, machine_name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{machine_name}"

    def execution_arn(self, machine_name: str, execution_name: str, run_id: str) -> str:
        """An execution's ARN; Express execution ARNs carry a run id after the name."""
        if self.state_machine_type == "EXPRESS":
            return f"arn:aws:states:{self.region}:{self.account}:express:{machine_name}:{execution_name}:{run_id}"
        return f"arn:aws:states:{self.region}:{self.account}:execution:{machine_name}:{execution_name}"


def process_isolation_available() -> bool:
    """Whether handlers can run in forked worker processes here (``isolation="process"``)."""
    import multiprocessing  # local: only isolated runs pay for it

    return "fork" in multiprocessing.get_all_start_methods()
