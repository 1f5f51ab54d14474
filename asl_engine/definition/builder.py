"""A validated document -> the frozen model (``asl_engine.model.states``).

``build_machine`` is called on a document the validator accepted
(``asl_engine.definition.validate``), and it judges nothing the validator
judges: every field is compiled through the field table
(``asl_engine.definition.fields``), and the structural parts (programs,
Parallel branches, the Map processor, ItemReader/ItemBatcher, Choice rules,
Retry/Catch) by the code below. Its only diagnostics are
``UNSUPPORTED_FEATURE``: what the engine cannot run (none today),
each with its JSON pointer.

What validates but cannot run as written compiles into a value that fails
when the state uses it, with ``States.Runtime`` (an ASL error, seen by
Retry/Catch and recorded in the history, never a Python exception):

* a ``${Name}`` placeholder where a path, a number or a timestamp is
  expected (a DefinitionSubstitutions placeholder that was not substituted;
  the validator accepts it, as the value is only known at deploy time);
* an ``ItemReader`` or ``ItemBatcher`` on a Map that is not DISTRIBUTED
  (accepted, as by the ASL spec and asl-validator; AWS documents both fields
  for the Distributed Map only and its verdict is not recorded).

A document the validator accepted and the builder still cannot compile is a
bug of ours, not of the definition: ``EngineError`` (an engine fault, exit
code 4 of the CLI), naming the place, never a traceback. The agreement
test (``tests/unit/definition/test_one_checker.py``) looks for such documents.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, NoReturn

from ..dataflow.json_values import copy_json, is_integral, render
from ..dataflow.jsonata import compile_expression as compile_jsonata
from ..dataflow.jsonata import is_expression as is_jsonata
from ..dataflow.jsonata import template as jsonata_template
from ..dataflow.jsonpath import compile_path, compile_reference_path, to_json
from ..dataflow.payload import compile_template, compile_value
from ..dataflow.sizes import output_growth
from ..diagnostics import Diagnostic
from ..documents.pointers import join, segments
from ..errors import STATES_RUNTIME, EngineError, StatesError
from ..model.states import (
    DISCARD,
    Catcher,
    ChoiceRule,
    ChoiceState,
    FailState,
    ItemBatcherSpec,
    ItemReaderSpec,
    Machine,
    MapState,
    ParallelState,
    PassState,
    Program,
    ReaderConfig,
    ResultWriterSpec,
    Retrier,
    State,
    SucceedState,
    TaskState,
    WaitState,
    programs_block,
)
from .choice import compile_rule
from .fields import (
    ITEM_BATCHER, ITEM_READER, JSONATA, JSONPATH, READER_CONFIG, RESULT_WRITER, STATE, WRITER_CONFIG, Compile, Field, fields_of,
)
from .loader import PLACEHOLDER_RE
from .rules.model import resolve_language

__all__ = ["UNSUPPORTED", "build_machine"]

UNSUPPORTED = "UNSUPPORTED_FEATURE"


def build_machine(document: Any) -> tuple[Machine | None, list[Diagnostic]]:
    """The model of a document the validator accepted, and the diagnostics of
    what the engine cannot run; ``(None, diagnostics)`` when there are any.
    Raises ``EngineError`` when a validated document cannot be built (a bug)."""
    builder = _Builder(resolve_language(document, JSONPATH))
    try:
        program = builder.program(document, "")
        timeout = document.get("TimeoutSeconds")
        machine = Machine(
            program=program,
            comment=document.get("Comment"),
            timeout_seconds=int(timeout) if timeout is not None else None,
            version=document.get("Version", "1.0"),
            query_language=document.get("QueryLanguage", JSONPATH),
            raw=document,
        )
    except Exception as exc:  # noqa: BLE001 - a validator gap must not become a traceback
        raise EngineError(
            f"internal error: the definition validates but the engine cannot build {builder.pointer or '/'} "
            f"({type(exc).__name__}: {exc}); please report it"
        ) from exc
    if builder.unsupported:
        return None, builder.unsupported
    return machine, []


# --------------------------------------------------------------------------- values that fail at run time


class _FailsAtRunTime:
    """Stands in for a path, a number, a timestamp or a template that validates
    but cannot run: using it raises ``States.Runtime`` with ``cause``.

    It answers what the interpreter asks of what it replaces: ``get`` (a
    path), ``evaluate`` (a template, a JSONPath or a JSONata one) and
    ``segments`` (a ResultPath).
    """

    __slots__ = ("text", "cause")

    definite = True
    growth = None  # its output's size: unknown (``asl_engine.dataflow.sizes``)

    def __init__(self, text: str, cause: str) -> None:
        self.text = text
        self.cause = cause

    def __repr__(self) -> str:
        return f"FailsAtRunTime({self.cause!r})"

    def _fail(self) -> NoReturn:
        raise StatesError(STATES_RUNTIME, self.cause)

    def get(self, data: Any, env: Any = None) -> Any:
        self._fail()

    def evaluate(self, *args: Any, **kwargs: Any) -> Any:
        self._fail()

    @property
    def segments(self) -> tuple[tuple[int, Any], ...]:
        self._fail()


def _has_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER_RE.search(value) is not None


def _unsubstituted(name: str, value: Any, problem: Exception | None = None) -> _FailsAtRunTime:
    """The stand-in for a ``${Name}`` placeholder the validator let through
    (it cannot judge a value known at deploy time); anything else is a bug."""
    if not _has_placeholder(value):
        raise ValueError(f"{name}: {problem or f'unexpected value {value!r}'}")
    return _FailsAtRunTime(str(value), f"The field '{name}' holds '{value}', a placeholder that was not substituted")


# --------------------------------------------------------------------------- compilers (one per Compile kind)


def _compiled(compile: Callable[[str], Any], value: Any, name: str) -> Any:
    try:
        return compile(value)
    except ValueError as exc:  # PathError, IntrinsicSyntaxError, JsonataSyntaxError are ValueErrors
        return _unsubstituted(name, value, exc)


def _literal(value: Any, name: str) -> Any:
    return value


def _integer(value: Any) -> Any:
    """An integral float (which the validator accepts where an integer is expected) as an int."""
    return int(value) if is_integral(value) else value


def _number(value: Any, name: str) -> Any:
    if isinstance(value, str):  # the validator lets only a placeholder through
        return _unsubstituted(name, value)
    return _integer(value)


def _timestamp(value: Any, name: str) -> Any:
    return _unsubstituted(name, value) if _has_placeholder(value) else value


def _text(value: Any, name: str) -> str:
    return render(value)


def _texts(value: Any, name: str) -> tuple[str, ...]:
    return tuple(render(item) for item in value) if isinstance(value, list) else ()


def _path(value: Any, name: str) -> Any:
    """InputPath, OutputPath: ``None`` stands for ``$`` (the whole input)."""
    if value is None:
        return DISCARD
    path = _compiled(compile_path, value, name)
    return None if path.text == "$" else path


def _reference_path(value: Any, name: str) -> Any:
    return DISCARD if value is None else _compiled(compile_reference_path, value, name)


def _value_path(value: Any, name: str) -> Any:
    return _compiled(compile_path, value, name)


def _value_expression(value: Any, name: str) -> Any:
    return _compiled(lambda text: compile_value(text, name), value, name)


class _Constant:
    """A payload template with no ``.$`` field: evaluates to a fresh copy of itself."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def growth(self) -> tuple[int, int]:
        return 0, len(to_json(self.value))

    def evaluate(self, data: Any, env: Any) -> Any:
        return copy_json(self.value)


def _payload_template(value: Any, name: str) -> Any:
    problems: list[tuple[str, str]] = []
    compiled = compile_template(value, lambda where, message: problems.append((where, message)), "")
    # Only an unsubstituted placeholder in a ".$" value gets here; the
    # template then fails as a whole when it is evaluated.
    stand_ins = [_unsubstituted("/".join([name, *segments(where)]), _member(value, where), ValueError(message))
                 for where, message in problems]
    if stand_ins:
        return stand_ins[0]
    return compiled if hasattr(compiled, "evaluate") else _Constant(compiled)


def _member(value: Any, where: str) -> Any:
    """The value at pointer ``where`` inside ``value`` (compile_template's pointers)."""
    for step in segments(where):
        value = value[int(step)] if isinstance(value, list) else value[step]
    return value


def _jsonata_template(value: Any, name: str) -> Any:
    return jsonata_template(value)


def _jsonata_value(value: Any, name: str) -> Any:
    """A ``{% %}`` expression, else the literal (the interpreter checks its type
    at run time; an integral float is an int, as in JSONPath)."""
    if is_jsonata(value):
        return compile_jsonata(value)
    return _integer(value)


def _jsonata_number(value: Any, name: str) -> Any:
    """A ``{% %}`` expression, else a literal number (a string here can only be an
    unsubstituted placeholder, which the validator lets through)."""
    return compile_jsonata(value) if is_jsonata(value) else _number(value, name)


_COMPILERS: dict[Compile, Callable[[Any, str], Any]] = {
    Compile.LITERAL: _literal,
    Compile.NUMBER: _number,
    Compile.TIMESTAMP: _timestamp,
    Compile.TEXT: _text,
    Compile.TEXTS: _texts,
    Compile.PATH: _path,
    Compile.REFERENCE_PATH: _reference_path,
    Compile.VALUE_PATH: _value_path,
    Compile.VALUE_EXPRESSION: _value_expression,
    Compile.PAYLOAD_TEMPLATE: _payload_template,
    Compile.JSONATA_TEMPLATE: _jsonata_template,
    Compile.JSONATA_VALUE: _jsonata_value,
    Compile.JSONATA_NUMBER: _jsonata_number,
}


def _compile_fields(table: tuple[Field, ...], owner: str, node: Mapping[str, Any], language: str) -> dict[str, Any]:
    """``{model attribute: compiled value}`` for the fields of ``owner`` present in
    ``node``, each compiled as the table says for ``language``. Structural
    fields, and fields of the other query language (which the validator
    refuses), are left to the caller."""
    values: dict[str, Any] = {}
    for field in fields_of(table, owner):
        kind = field.compile_kind(language)
        if field.name not in node or field.attribute is None or kind is None or kind is Compile.STRUCTURE:
            continue
        raw = node[field.name]
        values[field.attribute] = _COMPILERS[kind](raw, field.name)
        if field.text_attribute is not None:
            values[field.text_attribute] = raw
    return values


# --------------------------------------------------------------------------- the structural parts


class _Builder:
    """Walks the document; ``pointer`` is where it is (named when building fails)."""

    def __init__(self, language: str) -> None:
        # The machine's QueryLanguage is the default of every state, the
        # states inside Map and Parallel included (ASL spec).
        self.language = language
        self.pointer = ""
        self.unsupported: list[Diagnostic] = []

    def program(self, node: Mapping[str, Any], pointer: str) -> Program:
        states = {name: self.state(name, raw, join(pointer, "States", name)) for name, raw in node["States"].items()}
        return Program(node["StartAt"], states)

    def state(self, name: str, raw: Mapping[str, Any], pointer: str) -> State:
        self.pointer = pointer
        state_type: str = raw["Type"]
        language = resolve_language(raw, self.language)
        values = _compile_fields(STATE, state_type, raw, language)
        values.update(name=name, type=state_type, jsonata=language == JSONATA)
        if language != JSONATA:
            values["growth"] = output_growth(state_type, values, "Result" in raw)
            values["result_is_output"] = not any(
                key in raw for key in ("ResultSelector", "Assign", "ResultPath", "OutputPath"))
        if state_type in ("Task", "Parallel", "Map"):
            values["retriers"] = tuple(_retrier(node) for node in raw.get("Retry", ()))
            values["catchers"] = tuple(_catcher(node, language) for node in raw.get("Catch", ()))
        return _STATES[state_type](self, raw, pointer, language, values)

    def _pass(self, raw: Mapping[str, Any], pointer: str, language: str, values: dict[str, Any]) -> State:
        # With both Result and Parameters, AWS uses Result (TestState recording);
        # the validator warns about it.
        return PassState(has_result="Result" in raw, **values)

    def _task(self, raw: Mapping[str, Any], pointer: str, language: str, values: dict[str, Any]) -> State:
        resource: str = values["resource"]
        # $$.Task.Token exists for callbacks and, AWS-recorded, for .sync tasks too.
        return TaskState(callback=resource.endswith(".waitForTaskToken") or ".sync" in resource, **values)

    def _choice(self, raw: Mapping[str, Any], pointer: str, language: str, values: dict[str, Any]) -> State:
        return ChoiceState(choices=tuple(_choice_rule(rule, language) for rule in raw["Choices"]), **values)

    def _plain(self, raw: Mapping[str, Any], pointer: str, language: str, values: dict[str, Any]) -> State:
        return _PLAIN[values["type"]](**values)

    def _parallel(self, raw: Mapping[str, Any], pointer: str, language: str, values: dict[str, Any]) -> State:
        branches = tuple(self.program(branch, join(pointer, "Branches", i)) for i, branch in enumerate(raw["Branches"]))
        return ParallelState(branches=branches, blocking=programs_block(branches), **values)

    def _map(self, raw: Mapping[str, Any], pointer: str, language: str, values: dict[str, Any]) -> State:
        key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
        config = raw[key].get("ProcessorConfig") or {}
        distributed = config.get("Mode") == "DISTRIBUTED"
        processor = self.program(raw[key], join(pointer, key))
        self.pointer = pointer
        item_reader = _item_reader(raw["ItemReader"], language) if "ItemReader" in raw else None
        item_batcher = ItemBatcherSpec(**_compile_fields(ITEM_BATCHER, "ItemBatcher", raw["ItemBatcher"], language)) if "ItemBatcher" in raw else None
        result_writer = _result_writer(raw["ResultWriter"], language) if "ResultWriter" in raw else None
        present = [k for k in ("ItemReader", "ItemBatcher", "ResultWriter") if k in raw]
        if present and not distributed:
            # The items of this Map cannot be read as written: the state fails
            # when it starts (before MapStateStarted, as a bad ItemsPath does).
            values["items_path"] = _FailsAtRunTime(
                present[0], f"The field '{present[0]}' is only supported by a Map state whose ProcessorConfig Mode is DISTRIBUTED")
            item_reader = item_batcher = result_writer = None
        return MapState(
            processor=processor,
            distributed=distributed,
            item_reader=item_reader,
            item_batcher=item_batcher,
            result_writer=result_writer,
            blocking=programs_block([processor]),
            **values,
        )


_STATES: dict[str, Callable[[_Builder, Mapping[str, Any], str, str, dict[str, Any]], State]] = {
    "Pass": _Builder._pass,
    "Task": _Builder._task,
    "Choice": _Builder._choice,
    "Wait": _Builder._plain,
    "Succeed": _Builder._plain,
    "Fail": _Builder._plain,
    "Parallel": _Builder._parallel,
    "Map": _Builder._map,
}

_PLAIN: dict[str, Callable[..., State]] = {"Wait": WaitState, "Succeed": SucceedState, "Fail": FailState}


def _item_reader(node: Mapping[str, Any], language: str) -> ItemReaderSpec:
    config = _compile_fields(READER_CONFIG, "ReaderConfig", node.get("ReaderConfig") or {}, language)
    return ItemReaderSpec(config=ReaderConfig(**config), **_compile_fields(ITEM_READER, "ItemReader", node, language))


def _result_writer(node: Mapping[str, Any], language: str) -> ResultWriterSpec:
    config = _compile_fields(WRITER_CONFIG, "WriterConfig", node.get("WriterConfig") or {}, language)
    return ResultWriterSpec(**_compile_fields(RESULT_WRITER, "ResultWriter", node, language), **config)


def _assign(node: Mapping[str, Any], language: str) -> Any:
    if "Assign" not in node:
        return None
    compile = _jsonata_template if language == JSONATA else _payload_template
    return compile(node["Assign"], "Assign")


def _choice_rule(rule: Mapping[str, Any], language: str) -> ChoiceRule:
    if language == JSONATA:
        output = _jsonata_template(rule["Output"], "Output") if "Output" in rule else None
        return ChoiceRule(None, rule["Next"], _assign(rule, language), _jsonata_value(rule["Condition"], "Condition"), output)
    return ChoiceRule(compile_rule(rule), rule["Next"], _assign(rule, language))


def _retrier(node: Mapping[str, Any]) -> Retrier:
    # Retriers take literals only, in JSONata states too.
    max_delay = node.get("MaxDelaySeconds")
    return Retrier(
        tuple(node["ErrorEquals"]),
        _integer(node.get("IntervalSeconds", 1)),
        _integer(node.get("MaxAttempts", 3)),
        float(node.get("BackoffRate", 2.0)),
        _integer(max_delay) if max_delay is not None else None,
        node.get("JitterStrategy", "NONE"),
    )


def _catcher(node: Mapping[str, Any], language: str) -> Catcher:
    errors, target, assign = tuple(node["ErrorEquals"]), node["Next"], _assign(node, language)
    if language == JSONATA:
        output = _jsonata_template(node["Output"], "Output") if "Output" in node else None
        return Catcher(errors, target, None, assign, output)
    result_path = _reference_path(node["ResultPath"], "ResultPath") if "ResultPath" in node else None
    return Catcher(errors, target, result_path, assign)
