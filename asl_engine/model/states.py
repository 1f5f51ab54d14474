"""The frozen model of a state machine: what the interpreter runs.

Built by ``asl_engine.definition.builder`` from a definition that passed
validation. Every path, payload template and Choice rule is already
compiled; the interpreter never looks at the raw JSON again.

One class per concept (rule 3 of the architecture guide): a field that ASL
spells as a literal, as a ``...Path`` or as a JSONata expression is one
attribute (``Count``: an ``int``, a ``Getter`` or an ``Expression``).

The compiled values are typed by the small protocols below, which the
``asl_engine.dataflow`` compilers satisfy (this module imports nothing of
the engine). A value that validates but cannot run as written (an
unsubstituted ``${Name}`` placeholder) is a stand-in that answers the same
protocol and raises ``States.Runtime`` when used.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Callable, Final, Mapping, Protocol, TypeAlias

from .records import record

JSON: TypeAlias = Any
"""A JSON value as the loader produced it (dict, list, str, int, float, bool, None)."""


class Getter(Protocol):
    """A compiled JSONPath (``asl_engine.dataflow.jsonpath.Path``): ``get`` reads it."""

    @property
    def text(self) -> str: ...

    def get(self, data: Any, env: Any) -> Any: ...


class ReferencePath(Protocol):
    """A compiled Reference Path (``ResultPath``): where ``set_path`` writes a result."""

    @property
    def text(self) -> str: ...

    @property
    def segments(self) -> tuple[tuple[int, Any], ...]: ...


class Evaluable(Protocol):
    """A compiled JSONPath payload template, ``.$`` value or intrinsic call:
    ``evaluate(data, env)`` builds its value."""

    def evaluate(self, data: Any, env: Any) -> Any: ...


class Expression(Protocol):
    """A compiled JSONata expression (``asl_engine.dataflow.jsonata.Expression``)."""

    @property
    def text(self) -> str: ...

    def evaluate(self, bindings: Mapping[str, Any], *, field: str, budget_seconds: float = ...) -> Any: ...


class JsonataTemplate(Protocol):
    """A JSON value whose ``{% %}`` strings are compiled JSONata expressions
    (``asl_engine.dataflow.jsonata.Template``)."""

    @property
    def value(self) -> JSON: ...

    @property
    def expressions(self) -> tuple[Expression, ...]: ...

    def evaluate(self, bindings: Mapping[str, Any], *, field: str, budget_seconds: float = ...) -> Any: ...


class Template(Protocol):
    """A template of either query language: a JSONPath payload template
    (``evaluate(data, env)``) or a JSONata one (``evaluate(bindings, field=...)``).

    The interpreter knows which from the state's query language, so the
    signature is left open here.
    """

    def evaluate(self, *args: Any, **kwargs: Any) -> Any: ...


class Discard:
    """Sentinel for ``"InputPath": null`` and friends (``{}`` / discard result)."""

    _instance: "Discard | None" = None

    def __new__(cls) -> "Discard":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DISCARD"


DISCARD: Final = Discard()

Predicate = Callable[[Any, Any], bool]

Path: TypeAlias = Getter | Discard | None
"""InputPath/OutputPath: ``None`` is ``$`` (the whole input), ``DISCARD`` is ``null``."""

Count: TypeAlias = int | Getter | Expression | None
"""A number given as a literal (an ``int``), a ``...Path`` (a ``Getter``; also the
stand-in for an unsubstituted ``${Name}`` placeholder, which fails when read)
or a JSONata expression."""


@record
class Retrier:
    """One element of ``Retry``. Defaults are AWS's."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"


@record
class Catcher:
    """One element of ``Catch``; ``result_path`` ``None`` means ``$`` (replace)."""

    error_equals: tuple[str, ...]
    next: str
    result_path: ReferencePath | Discard | None = None  # None: "$"
    assign: Template | None = None
    output: JsonataTemplate | None = None  # JSONata: Output template (default: the error output)


@record
class ChoiceRule:
    """One ``Choices`` rule: its JSONPath predicate or JSONata ``Condition``, the state it leads to, and what it assigns and outputs."""

    predicate: Predicate | None  # JSONPath rule
    next: str
    assign: Template | None = None
    condition: bool | Expression | None = None  # JSONata
    output: JsonataTemplate | None = None  # JSONata: Output of this rule


@record(kw_only=True)
class State:
    """Fields every state type shares, in AWS's JSONPath data-flow order."""

    name: str
    type: str
    next: str | None = None
    end: bool = False
    input_path: Path = None
    output_path: Path = None
    # Parameters (Pass/Task/Parallel), ItemSelector (Map); JSONata: Arguments, ItemSelector
    parameters: Template | None = None
    result_selector: Evaluable | None = None
    result_path: ReferencePath | Discard | None = None  # None: "$" (replace); DISCARD: null
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()
    assign: Template | None = None  # evaluated when the state succeeds
    # QueryLanguage JSONata: ``parameters`` holds Arguments (Task, Parallel)
    # or ItemSelector (Map) as JSONata templates, ``output`` the Output
    # template; the JSONPath fields stay None.
    jsonata: bool = False
    output: JsonataTemplate | None = None
    # ``(a, b)``: the output's JSON is at most ``a * n + b`` characters when
    # the input's is ``n`` (``asl_engine.dataflow.sizes``); None: unknown.
    growth: tuple[int, int] | None = None
    # JSONPath, and no ResultSelector, Assign, ResultPath or OutputPath: a
    # Task's, Map's or Parallel's result is its output as it is.
    result_is_output: bool = False


@record(kw_only=True)
class PassState(State):
    """``Pass``: ``result`` is its ``Result`` (``has_result`` tells a ``null`` Result from none)."""

    result: JSON = None
    has_result: bool = False


@record(kw_only=True)
class TaskState(State):
    """``Task``: the resource, its limits (an int, a path or an expression) and ``Credentials``."""

    resource: str = ""
    timeout_seconds: Count = None
    heartbeat_seconds: Count = None
    credentials: Template | None = None
    # ".waitForTaskToken": the context object gets $$.Task.Token.
    callback: bool = False


@record(kw_only=True)
class ChoiceState(State):
    """``Choice``: its rules in order and the ``Default`` state."""

    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@record(kw_only=True)
class WaitState(State):
    """``Wait``: one of ``Seconds``/``Timestamp`` (literal or JSONata) or ``SecondsPath``/``TimestampPath``."""

    seconds: Count = None
    timestamp: str | Getter | Expression | None = None  # str: an RFC 3339 timestamp (validated)
    seconds_path: str | None = None
    timestamp_path: str | None = None


@record(kw_only=True)
class SucceedState(State):
    """``Succeed``: ends its program with its (filtered) input."""


@record(kw_only=True)
class FailState(State):
    """``Fail``: its ``Error`` and ``Cause`` (literal, ``ErrorPath``/``CausePath``, or JSONata)."""

    error: str | Evaluable | Expression | None = None  # literal, ErrorPath, JSONata
    cause: str | Evaluable | Expression | None = None


@record(kw_only=True)
class ParallelState(State):
    """``Parallel``: its branches, each a ``Program``."""

    branches: tuple["Program", ...] = ()
    # Whether a branch may block (contains a Task or Wait, at any depth):
    # only then are branches run on threads.
    blocking: bool = True


@record
class ReaderConfig:
    """``ItemReader.ReaderConfig``, compiled: how to read the object (defaults:
    a JSON array; a CSV file's headers in its first row, comma-separated).
    A value the engine does not know (an ``InputType`` of PARQUET...) is kept
    as its text; the Map Run fails with ``States.ItemReaderFailed`` on it."""

    input_type: str = "JSON"
    csv_header_location: str = "FIRST_ROW"
    csv_headers: tuple[str, ...] = ()
    csv_delimiter: str = "COMMA"
    max_items: Count = None  # MaxItems (0: no limit) or MaxItemsPath


@record
class ItemReaderSpec:
    """A distributed Map's ``ItemReader``: ``arguments`` is the compiled
    Parameters (JSONPath) or Arguments (JSONata) template."""

    resource: str
    arguments: Template | None = None
    config: ReaderConfig = field(default_factory=ReaderConfig)

    @property
    def max_items(self) -> Count:
        """``ReaderConfig.MaxItems``: an int, a path or a JSONata expression."""
        return self.config.max_items


@record
class ItemBatcherSpec:
    """A distributed Map's ``ItemBatcher`` (each limit an int, a path or an expression)."""

    max_items: Count = None
    max_bytes: Count = None
    batch_input: Template | None = None


@record
class ResultWriterSpec:
    """A distributed Map's ``ResultWriter``: where the results go (``resource``
    ``arn:aws:states:::s3:putObject`` with ``arguments``, the compiled
    Parameters/Arguments naming Bucket and Prefix) and how they are shaped
    (``WriterConfig``). Without a resource the results are only shaped and
    become the state's result (AWS's "preview")."""

    resource: str | None = None
    arguments: Template | None = None
    output_type: str = "JSON"
    # None: AWS's default, NONE when exporting to S3, COMPACT when not.
    transformation: str | None = None


@record(kw_only=True)
class MapState(State):
    """``Map``, inline or distributed: the item processor, where the items come from, and its limits."""

    processor: "Program | None" = None
    # Really ``Getter | JsonataTemplate | None``: JSONPath ItemsPath (None: "$"),
    # JSONata Items; ``Any`` until the interpreter narrows it before reading the
    # template's ``expressions`` (runtime/jsonata_flow.py, _jsonata_items).
    items_path: Any = None
    max_concurrency: Count = 0
    tolerated_failure_count: Count = None
    tolerated_failure_percentage: Count | float = None
    distributed: bool = False
    label: str | None = None
    item_reader: ItemReaderSpec | None = None
    item_batcher: ItemBatcherSpec | None = None
    result_writer: ResultWriterSpec | None = None
    blocking: bool = True  # as ParallelState.blocking, for the item processor


@record
class Program:
    """A ``StartAt`` + ``States`` scope: the machine, a branch, or a Map processor."""

    start_at: str
    states: Mapping[str, State]


@record
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
