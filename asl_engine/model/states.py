"""The frozen model of a state machine: what the interpreter runs.

Built by ``asl_engine.definition.builder`` from a definition that passed
validation. Every path, payload template and Choice rule is already
compiled; the interpreter never looks at the raw JSON again.

One class per concept (rule 3 of the architecture guide): a field that ASL
spells as a literal or as a ``...Path`` is one attribute holding either an
``int``/``float`` or a ``Getter`` (a compiled path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol


class Getter(Protocol):
    """A compiled JSONPath (``asl_engine.dataflow.jsonpath.Path``)."""

    text: str

    def get(self, data: Any, env: Any) -> Any: ...


class Evaluable(Protocol):
    """A compiled payload template or intrinsic call."""

    def evaluate(self, data: Any, env: Any) -> Any: ...


class _Discard:
    """Sentinel for ``"InputPath": null`` and friends (``{}`` / discard result)."""

    _instance: "_Discard | None" = None

    def __new__(cls) -> "_Discard":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DISCARD"


DISCARD: Any = _Discard()

Predicate = Callable[[Any, Any], bool]


@dataclass(frozen=True, slots=True)
class Retrier:
    """One element of ``Retry``. Defaults are AWS's."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    """One element of ``Catch``; ``result_path`` ``None`` means ``$`` (replace)."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Any = None  # Path, DISCARD, or None for "$"
    assign: Evaluable | None = None
    output: Any = None  # JSONata: Output template (default: the error output)


@dataclass(frozen=True, slots=True)
class ChoiceRule:
    predicate: Predicate | None  # JSONPath rule
    next: str
    assign: Evaluable | None = None
    condition: Any = None  # JSONata: bool literal or expression
    output: Any = None  # JSONata: Output of this rule


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """Fields every state type shares, in AWS's JSONPath data-flow order."""

    name: str
    type: str
    next: str | None = None
    end: bool = False
    input_path: Any = None  # None: "$"; DISCARD: null; else Getter
    output_path: Any = None
    # Parameters (Pass/Task/Parallel), ItemSelector (Map)
    parameters: Evaluable | None = None
    result_selector: Evaluable | None = None
    result_path: Any = None  # None: "$" (replace); DISCARD: null; else reference Path
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()
    assign: Evaluable | None = None  # evaluated when the state succeeds
    # QueryLanguage JSONata: ``parameters`` holds Arguments (Task, Parallel)
    # or ItemSelector (Map) as JSONata templates, ``output`` the Output
    # template; the JSONPath fields stay None.
    jsonata: bool = False
    output: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(State):
    result: Any = None
    has_result: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(State):
    resource: str = ""
    timeout_seconds: Any = None  # int | Getter | None
    heartbeat_seconds: Any = None
    credentials: Any = None
    # ".waitForTaskToken": the context object gets $$.Task.Token.
    callback: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(State):
    seconds: Any = None  # int | Getter
    timestamp: Any = None  # str (validated) | Getter
    seconds_path: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(State):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(State):
    error: Any = None  # str | Getter | Evaluable | None
    cause: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(State):
    branches: tuple["Program", ...] = ()
    # Whether a branch may block (contains a Task or Wait, at any depth):
    # only then are branches run on threads.
    blocking: bool = True


@dataclass(frozen=True, slots=True)
class ItemReaderSpec:
    """A distributed Map's ``ItemReader``: ``arguments`` is the compiled
    Parameters (JSONPath) or Arguments (JSONata) template; ``max_items`` an
    int, a path or a JSONata expression."""

    resource: str
    arguments: Any
    config: Mapping[str, Any]
    max_items: Any = None


@dataclass(frozen=True, slots=True)
class ItemBatcherSpec:
    """A distributed Map's ``ItemBatcher`` (each limit an int, a path or an expression)."""

    max_items: Any = None
    max_bytes: Any = None
    batch_input: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(State):
    processor: "Program | None" = None
    items_path: Any = None  # JSONPath: Getter | None ("$"); JSONata: the Items template
    max_concurrency: Any = 0  # int | Getter
    tolerated_failure_count: Any = None  # int | Getter | None
    tolerated_failure_percentage: Any = None  # float | Getter | None
    distributed: bool = False
    label: str | None = None
    item_reader: ItemReaderSpec | None = None
    item_batcher: ItemBatcherSpec | None = None
    blocking: bool = True  # as ParallelState.blocking, for the item processor


@dataclass(frozen=True, slots=True)
class Program:
    """A ``StartAt`` + ``States`` scope: the machine, a branch, or a Map processor."""

    start_at: str
    states: Mapping[str, State]


@dataclass(frozen=True, slots=True)
class Machine:
    """The whole state machine."""

    program: Program
    comment: str | None = None
    timeout_seconds: int | None = None
    version: str = "1.0"
    query_language: str = "JSONPath"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def programs_block(programs: "tuple[Program, ...] | list[Program]") -> bool:
    """Whether running any of ``programs`` may block: a Task or Wait at any depth."""
    for program in programs:
        for state in program.states.values():
            if isinstance(state, (TaskState, WaitState)):
                return True
            if isinstance(state, (ParallelState, MapState)) and state.blocking:
                return True
    return False
