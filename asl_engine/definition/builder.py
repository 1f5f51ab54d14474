"""JSON document -> frozen model, collecting every problem on the way.

This is the only module that knows ASL's PascalCase field names. It checks
what the engine needs to refuse (missing or mistyped fields, unknown
transition targets, paths and templates that do not compile) and reports
each problem as a Diagnostic with its JSON pointer; the model is built only
when no ERROR was found. (The full validator of issue #4 adds its rules on
top of these.)
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Mapping

from ..dataflow.intrinsics import compile_intrinsic, is_intrinsic
from ..dataflow.jsonata import JsonataSyntaxError
from ..dataflow.jsonata import compile_expression as compile_jsonata
from ..dataflow.jsonata import is_expression as is_jsonata
from ..dataflow.jsonata import template as jsonata_template
from ..dataflow.jsonpath import PathError, compile_path, compile_reference_path
from ..dataflow.payload import compile_template, compile_value
from ..dataflow.timestamps import parse_timestamp
from ..model.states import (
    DISCARD,
    Catcher,
    ChoiceRule,
    ChoiceState,
    ItemBatcherSpec,
    ItemReaderSpec,
    FailState,
    Machine,
    MapState,
    ParallelState,
    PassState,
    Program,
    Retrier,
    State,
    SucceedState,
    TaskState,
    WaitState,
    programs_block,
)
from ..documents.pointers import pointer
from .choice import ChoiceRuleError, compile_rule
from ..diagnostics import ERROR, Diagnostic

__all__ = ["build_machine"]

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END = "MISSING_END_STATE"
INVALID_JSONPATH = "INVALID_JSON_PATH"
INVALID_JSONATA = "INVALID_JSONATA"
UNSUPPORTED = "UNSUPPORTED_FEATURE"

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")

# Fields allowed per state type (JSONPath query language).
_COMMON = {"Type", "Comment", "QueryLanguage"}
_IO = {"InputPath", "OutputPath"}
_FLOW = {"Next", "End"}
_ALLOWED: dict[str, set[str]] = {
    "Pass": _COMMON | _IO | _FLOW | {"Result", "ResultPath", "Parameters", "Assign"},
    "Task": _COMMON | _IO | _FLOW | {
        "Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
        "Credentials", "Assign",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign"},
    "Wait": _COMMON | _IO | _FLOW | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _IO | _FLOW | {"Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "Assign"},
    "Map": _COMMON | _IO | _FLOW | {
        "Iterator", "ItemProcessor", "ItemsPath", "ItemSelector", "Parameters", "ResultSelector",
        "ResultPath", "Retry", "Catch", "MaxConcurrency", "MaxConcurrencyPath",
        "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ItemReader", "ItemBatcher", "ResultWriter", "Label", "Assign",
    },
}

# Fields allowed per state type (JSONata query language): no paths, no
# Parameters/ResultSelector/ResultPath; Arguments and Output instead.
_J_COMMON = {"Type", "Comment", "QueryLanguage"}
_ALLOWED_JSONATA: dict[str, set[str]] = {
    "Pass": _J_COMMON | _FLOW | {"Output", "Assign"},
    "Task": _J_COMMON | _FLOW | {
        "Resource", "Arguments", "Output", "Assign", "Retry", "Catch",
        "TimeoutSeconds", "HeartbeatSeconds", "Credentials",
    },
    "Choice": _J_COMMON | {"Choices", "Default", "Output", "Assign"},
    "Wait": _J_COMMON | _FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    "Succeed": _J_COMMON | {"Output"},
    "Fail": _J_COMMON | {"Error", "Cause"},
    "Parallel": _J_COMMON | _FLOW | {"Branches", "Arguments", "Output", "Assign", "Retry", "Catch"},
    "Map": _J_COMMON | _FLOW | {
        "Iterator", "ItemProcessor", "Items", "ItemSelector", "Output", "Assign", "Retry", "Catch",
        "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage",
        "ItemReader", "ItemBatcher", "ResultWriter", "Label",
    },
}

_LANGUAGES = ("JSONPath", "JSONata")

_STATE_NAME_MAX = 80


class _Ctx:
    """Collects diagnostics while the builder walks the document."""

    def __init__(self, language: str = "JSONPath") -> None:
        self.diagnostics: list[Diagnostic] = []
        # The machine's QueryLanguage: the default of every state, including
        # the states inside Map and Parallel (ASL spec).
        self.language = language

    def error(self, pointer: str, message: str, code: str = SCHEMA) -> None:
        self.diagnostics.append(Diagnostic(ERROR, code, pointer, message))


_ptr = pointer


def build_machine(document: Any) -> tuple[Machine | None, list[Diagnostic]]:
    """Build the model; return ``(None, diagnostics)`` when any ERROR was found."""
    ctx = _Ctx()
    if not isinstance(document, dict):
        ctx.error("", "Definition must be a valid JSON object")
        return None, ctx.diagnostics
    query_language = document.get("QueryLanguage", "JSONPath")
    if query_language not in _LANGUAGES:
        ctx.error("/QueryLanguage", f"QueryLanguage must be 'JSONPath' or 'JSONata', not {query_language!r}")
    else:
        ctx.language = query_language
    program = _program(ctx, document, "", top=True)
    timeout = document.get("TimeoutSeconds")
    if timeout is not None and (not _is_int(timeout) or timeout <= 0):
        ctx.error("/TimeoutSeconds", "TimeoutSeconds must be a positive integer")
    if any(d.severity == ERROR for d in ctx.diagnostics) or program is None:
        return None, ctx.diagnostics
    machine = Machine(
        program=program,
        comment=document.get("Comment"),
        timeout_seconds=timeout,
        version=document.get("Version", "1.0"),
        query_language=query_language,
        raw=document,
    )
    return machine, ctx.diagnostics


def _program(ctx: _Ctx, node: Any, pointer: str, top: bool = False) -> Program | None:
    if not isinstance(node, dict):
        ctx.error(pointer, "must be an object with StartAt and States")
        return None
    missing = [k for k in ("States", "StartAt") if k not in node]
    if missing:
        ctx.error(pointer or "/", f"These fields are required: [{', '.join(missing)}]")
        return None
    start_at = node["StartAt"]
    states_node = node["States"]
    if not isinstance(states_node, dict) or not states_node:
        ctx.error(pointer + "/States", "States must be a non-empty object")
        return None
    if not isinstance(start_at, str) or start_at not in states_node:
        ctx.error(pointer + "/StartAt", f"Missing 'StartAt' target: {start_at}", MISSING_TARGET)
    states: dict[str, State] = {}
    for name, raw in states_node.items():
        sp = pointer + _ptr("States", name)
        if len(name) > _STATE_NAME_MAX:
            ctx.error(sp, f"State name '{name}' exceeds {_STATE_NAME_MAX} characters", "INVALID_STATE_NAME")
        state = _state(ctx, name, raw, sp)
        if state is not None:
            states[name] = state
    names = set(states_node)
    has_terminal = False
    for name, state in states.items():
        sp = pointer + _ptr("States", name)
        targets: list[tuple[str, str | None]] = [("Next", state.next)]
        if isinstance(state, ChoiceState):
            targets = [("Default", state.default)] + [
                (f"Choices/{i}/Next", rule.next) for i, rule in enumerate(state.choices)
            ]
        targets += [(f"Catch/{i}/Next", c.next) for i, c in enumerate(state.catchers)]
        for field, target in targets:
            if target is not None and target not in names:
                ctx.error(f"{sp}/{field}", f"Missing 'Next' target: {target}", MISSING_TARGET)
        if state.end or isinstance(state, (SucceedState, FailState)):
            has_terminal = True
    if states and not has_terminal:
        ctx.error(pointer or "/", "No terminal state found (End: true, Succeed or Fail)", MISSING_END)
    return Program(start_at, states)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _path_field(ctx: _Ctx, raw: Mapping[str, Any], key: str, sp: str, reference: bool = False) -> Any:
    """InputPath/OutputPath/ResultPath: absent -> None ("$"), null -> DISCARD, else Path."""
    if key not in raw:
        return None
    value = raw[key]
    if value is None:
        return DISCARD
    if not isinstance(value, str):
        ctx.error(f"{sp}/{key}", f"{key} must be a string or null", INVALID_JSONPATH)
        return None
    try:
        path = compile_reference_path(value) if reference else compile_path(value)
    except PathError as exc:
        ctx.error(f"{sp}/{key}", f"The value for the field '{key}' must be a valid JSONPath: {exc}", INVALID_JSONPATH)
        return None
    if path.text == "$" and not reference:
        return None
    return path


def _template(ctx: _Ctx, raw: Mapping[str, Any], key: str, sp: str) -> Any:
    if key not in raw:
        return None
    value = raw[key]
    compiled = compile_template(value, lambda p, m: ctx.error(p, m, INVALID_JSONPATH), f"{sp}/{key}")
    if not hasattr(compiled, "evaluate"):
        return _Constant(compiled)
    return compiled


class _Constant:
    """A template with no ``.$`` field: evaluates to a fresh copy of itself."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def evaluate(self, data: Any, env: Any) -> Any:
        from ..dataflow.json_values import copy_json

        return copy_json(self.value)


def _number_or_path(
    ctx: _Ctx, raw: Mapping[str, Any], key: str, sp: str, check: Callable[[Any], bool], what: str
) -> Any:
    literal, path_key = raw.get(key), key + "Path"
    if key in raw and path_key in raw:
        ctx.error(sp, f"The fields {key} and {path_key} are mutually exclusive")
    if path_key in raw:
        try:
            return compile_path(raw[path_key])
        except (PathError, TypeError) as exc:
            ctx.error(f"{sp}/{path_key}", f"{path_key} must be a valid reference path: {exc}", INVALID_JSONPATH)
            return None
    if key in raw:
        if not check(literal):
            ctx.error(f"{sp}/{key}", f"{key} must be {what}")
            return None
        return literal
    return None


def _state(ctx: _Ctx, name: str, raw: Any, sp: str) -> State | None:
    if not isinstance(raw, dict):
        ctx.error(sp, "A state must be a JSON object")
        return None
    state_type = raw.get("Type")
    if state_type not in STATE_TYPES:
        ctx.error(sp + "/Type", f"Unknown state type: {state_type!r}" if "Type" in raw else "These fields are required: [Type]")
        return None
    language = raw.get("QueryLanguage", ctx.language)
    if language not in _LANGUAGES:
        ctx.error(sp + "/QueryLanguage", f"QueryLanguage must be 'JSONPath' or 'JSONata', not {language!r}")
        return None
    if ctx.language == "JSONata" and language == "JSONPath":
        ctx.error(sp, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
        return None
    jsonata = language == "JSONata"
    allowed = _ALLOWED_JSONATA[state_type] if jsonata else _ALLOWED[state_type]
    for key in raw:
        if key not in allowed:
            ctx.error(f"{sp}/{key}", f"Field '{key}' is not supported for state type {state_type} in {language}")
    common: dict[str, Any] = {"name": name, "type": state_type, "jsonata": jsonata}
    if "Assign" in raw and state_type not in ("Succeed", "Fail"):
        common["assign"] = _assign_block(ctx, raw["Assign"], sp + "/Assign", jsonata)
    if state_type not in ("Choice", "Succeed", "Fail"):
        nxt, end = raw.get("Next"), raw.get("End", False)
        if "Next" in raw and end:
            ctx.error(sp, "The fields Next and End are mutually exclusive")
        elif "Next" not in raw and end is not True:
            ctx.error(sp, "Either Next or End: true is required", MISSING_END if "End" in raw else SCHEMA)
        if "Next" in raw and not isinstance(nxt, str):
            ctx.error(sp + "/Next", "Next must be a string")
            nxt = None
        common["next"], common["end"] = nxt, end is True
    if jsonata:
        if state_type != "Fail":
            common["output"] = _jsonata_template(ctx, raw, "Output", sp)
        if state_type in ("Task", "Parallel"):
            common["parameters"] = _jsonata_template(ctx, raw, "Arguments", sp)
        elif state_type == "Map":
            common["parameters"] = _jsonata_template(ctx, raw, "ItemSelector", sp)
    elif state_type != "Fail":
        common["input_path"] = _path_field(ctx, raw, "InputPath", sp)
        common["output_path"] = _path_field(ctx, raw, "OutputPath", sp)
    if jsonata:
        pass
    elif state_type in ("Pass", "Task", "Parallel", "Map"):
        common["result_path"] = _path_field(ctx, raw, "ResultPath", sp, reference=True)
        if state_type == "Map" and "ItemSelector" in raw:
            if "Parameters" in raw:
                ctx.error(sp, "The fields ItemSelector and Parameters are mutually exclusive")
            common["parameters"] = _template(ctx, raw, "ItemSelector", sp)
        else:
            common["parameters"] = _template(ctx, raw, "Parameters", sp)
    if state_type in ("Task", "Parallel", "Map"):
        if not jsonata:
            common["result_selector"] = _template(ctx, raw, "ResultSelector", sp)
        common["retriers"] = _retriers(ctx, raw.get("Retry"), sp)
        common["catchers"] = _catchers(ctx, raw.get("Catch"), sp, jsonata)
    builder = _BUILDERS[state_type]
    return builder(ctx, raw, sp, common)


# AWS: a variable name follows the Unicode identifier rules (ID_Start, then
# ID_Continue), at most 80 characters, and "states" is reserved.
_VARIABLE_NAME_MAX = 80


def _assign_block(ctx: _Ctx, raw: Any, pointer: str, jsonata: bool = False) -> Any:
    """Compile an ``Assign`` object (JSONPath: ``"name.$"`` keys take paths;
    JSONata: values may be ``{% %}`` expressions at any depth)."""
    if not isinstance(raw, dict):
        ctx.error(pointer, "Assign must be a JSON object")
        return None
    for key in raw:
        name = key[:-2] if key.endswith(".$") and not jsonata else key
        if not name.isidentifier() or len(name) > _VARIABLE_NAME_MAX:
            ctx.error(f"{pointer}/{key}", f"Invalid variable name '{name}': a variable name is an identifier of at most {_VARIABLE_NAME_MAX} characters")
        elif name == "states":
            ctx.error(f"{pointer}/{key}", "The variable name 'states' is reserved")
    if jsonata:
        return _compile_jsonata_template(ctx, raw, pointer)
    return _template(ctx, {"Assign": raw}, "Assign", pointer[: -len("/Assign")])


def _compile_jsonata_template(ctx: _Ctx, value: Any, pointer: str) -> Any:
    try:
        return jsonata_template(value)
    except JsonataSyntaxError as exc:
        ctx.error(pointer + (exc.location or ""), f"Invalid JSONata expression: {exc}", INVALID_JSONATA)
        return None


def _jsonata_template(ctx: _Ctx, raw: Mapping[str, Any], key: str, sp: str) -> Any:
    """A JSONata JSON template field (Arguments, Output, Items, ...), or None when absent."""
    if key not in raw:
        return None
    return _compile_jsonata_template(ctx, raw[key], f"{sp}/{key}")


def _jsonata_scalar(
    ctx: _Ctx, raw: Mapping[str, Any], key: str, sp: str, check: Callable[[Any], bool], what: str
) -> Any:
    """A field holding a literal (checked by ``check``) or a ``{% %}`` expression."""
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, str) and is_jsonata(value):
        try:
            return compile_jsonata(value)
        except JsonataSyntaxError as exc:
            ctx.error(f"{sp}/{key}", f"Invalid JSONata expression: {exc}", INVALID_JSONATA)
            return None
    if not check(value):
        ctx.error(f"{sp}/{key}", f"{key} must be {what} or a JSONata expression")
        return None
    return value


def _pass(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    # With both Result and Parameters, AWS uses Result (TestState recording);
    # the validator warns about it.
    return PassState(result=raw.get("Result"), has_result="Result" in raw, **common)


def _positive_int(value: Any) -> bool:
    return _is_int(value) and 0 < value <= 99999999


def _task(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    resource = raw.get("Resource")
    if not isinstance(resource, str) or not resource:
        ctx.error(sp + ("/Resource" if "Resource" in raw else ""), "These fields are required: [Resource]" if "Resource" not in raw else "Resource must be a non-empty string")
        resource = ""
    if common["jsonata"]:
        timeout = _jsonata_scalar(ctx, raw, "TimeoutSeconds", sp, _positive_int, "a positive integer")
        heartbeat = _jsonata_scalar(ctx, raw, "HeartbeatSeconds", sp, _positive_int, "a positive integer")
        credentials = _jsonata_template(ctx, raw, "Credentials", sp)
    else:
        timeout = _number_or_path(ctx, raw, "TimeoutSeconds", sp, _positive_int, "a positive integer")
        heartbeat = _number_or_path(ctx, raw, "HeartbeatSeconds", sp, _positive_int, "a positive integer")
        credentials = _template(ctx, raw, "Credentials", sp)
    if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
        ctx.error(sp + "/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
    return TaskState(
        resource=resource,
        timeout_seconds=timeout,
        heartbeat_seconds=heartbeat,
        credentials=credentials,
        # $$.Task.Token exists for callbacks and, AWS-recorded, for .sync tasks too.
        callback=resource.endswith(".waitForTaskToken") or ".sync" in resource,
        **common,
    )


def _choice(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    rules_raw = raw.get("Choices")
    rules: list[ChoiceRule] = []
    if not isinstance(rules_raw, list) or not rules_raw:
        ctx.error(sp + ("/Choices" if "Choices" in raw else ""), "Choices must be a non-empty array" if "Choices" in raw else "These fields are required: [Choices]")
        rules_raw = []
    for i, rule in enumerate(rules_raw):
        rp = f"{sp}/Choices/{i}"
        if not isinstance(rule, dict):
            ctx.error(rp, "A Choice Rule must be an object")
            continue
        if not isinstance(rule.get("Next"), str):
            ctx.error(rp, "These fields are required: [Next]")
            continue
        if common["jsonata"]:
            rules.append(_jsonata_rule(ctx, rule, rp))
            continue
        try:
            predicate = compile_rule(rule)
        except ChoiceRuleError as exc:
            ctx.error(rp, str(exc))
            continue
        assign = _assign_block(ctx, rule["Assign"], rp + "/Assign") if "Assign" in rule else None
        rules.append(ChoiceRule(predicate, rule["Next"], assign))
    default = raw.get("Default")
    if default is not None and not isinstance(default, str):
        ctx.error(sp + "/Default", "Default must be a string")
        default = None
    return ChoiceState(choices=tuple(rules), default=default, **common)


def _jsonata_rule(ctx: _Ctx, rule: Mapping[str, Any], rp: str) -> ChoiceRule:
    """A JSONata Choice Rule: ``{Condition, Next, Assign?, Output?}``."""
    for key in rule:
        if key not in ("Condition", "Next", "Assign", "Output", "Comment"):
            ctx.error(f"{rp}/{key}", f"Field '{key}' is not supported in a JSONata Choice Rule")
    if "Condition" not in rule:
        ctx.error(rp, "These fields are required: [Condition]")
    condition = _jsonata_scalar(ctx, rule, "Condition", rp, lambda v: isinstance(v, bool), "a boolean")
    assign = _assign_block(ctx, rule["Assign"], rp + "/Assign", True) if "Assign" in rule else None
    return ChoiceRule(None, rule["Next"], assign, condition, _jsonata_template(ctx, rule, "Output", rp))


def _wait(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    given = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in raw]
    if len(given) != 1:
        ctx.error(sp, "A Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath")
    seconds = timestamp = None
    seconds_path = timestamp_path = None
    if common["jsonata"]:
        seconds = _jsonata_scalar(ctx, raw, "Seconds", sp, lambda v: _is_int(v) and 0 <= v <= 99999999, "a non-negative integer")
        timestamp = _jsonata_scalar(
            ctx, raw, "Timestamp", sp, lambda v: isinstance(v, str) and parse_timestamp(v) is not None, "an ISO-8601 timestamp"
        )
        return WaitState(seconds=seconds, timestamp=timestamp, **common)
    if "Seconds" in raw:
        seconds = raw["Seconds"]
        if not _is_int(seconds) or seconds < 0 or seconds > 99999999:
            ctx.error(sp + "/Seconds", "Seconds must be a non-negative integer")
    if "Timestamp" in raw:
        timestamp = raw["Timestamp"]
        if not isinstance(timestamp, str) or parse_timestamp(timestamp) is None:
            ctx.error(sp + "/Timestamp", "Timestamp must be an ISO-8601 extended offset date-time string")
    for key in ("SecondsPath", "TimestampPath"):
        if key in raw:
            try:
                path = compile_path(raw[key])
            except (PathError, TypeError) as exc:
                ctx.error(f"{sp}/{key}", f"{key} must be a valid JSONPath: {exc}", INVALID_JSONPATH)
                continue
            if key == "SecondsPath":
                seconds, seconds_path = path, raw[key]
            else:
                timestamp, timestamp_path = path, raw[key]
    return WaitState(seconds=seconds, timestamp=timestamp, seconds_path=seconds_path, timestamp_path=timestamp_path, **common)


def _succeed(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    return SucceedState(**common)


def _fail_field(ctx: _Ctx, raw: Mapping[str, Any], key: str, sp: str) -> Any:
    path_key = key + "Path"
    if key in raw and path_key in raw:
        ctx.error(sp, f"The fields {key} and {path_key} are mutually exclusive")
    if path_key in raw:
        text = raw[path_key]
        if not isinstance(text, str):
            ctx.error(f"{sp}/{path_key}", f"{path_key} must be a string")
            return None
        try:
            if is_intrinsic(text):
                compile_intrinsic(text)
            return compile_value(text, path_key)
        except ValueError as exc:
            ctx.error(f"{sp}/{path_key}", f"{path_key} must be a valid JSONPath or intrinsic function: {exc}", INVALID_JSONPATH)
            return None
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        ctx.error(f"{sp}/{key}", f"{key} must be a string")
        return None
    return value


def _fail(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    if common["jsonata"]:
        is_str: Callable[[Any], bool] = lambda v: isinstance(v, str)  # noqa: E731
        return FailState(
            error=_jsonata_scalar(ctx, raw, "Error", sp, is_str, "a string"),
            cause=_jsonata_scalar(ctx, raw, "Cause", sp, is_str, "a string"),
            **common,
        )
    return FailState(error=_fail_field(ctx, raw, "Error", sp), cause=_fail_field(ctx, raw, "Cause", sp), **common)


def _parallel(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    branches_raw = raw.get("Branches")
    if not isinstance(branches_raw, list) or not branches_raw:
        ctx.error(sp + ("/Branches" if "Branches" in raw else ""), "Branches must be a non-empty array" if "Branches" in raw else "These fields are required: [Branches]")
        branches_raw = []
    branches = []
    for i, branch in enumerate(branches_raw):
        program = _program(ctx, branch, f"{sp}/Branches/{i}")
        if program is not None:
            branches.append(program)
    return ParallelState(branches=tuple(branches), blocking=programs_block(branches), **common)


def _valid_count(value: Any) -> bool:
    return _is_int(value) and value >= 0


def _valid_percentage(value: Any) -> bool:
    return _is_number(value) and 0 <= value <= 100


def _map(ctx: _Ctx, raw: Mapping[str, Any], sp: str, common: dict[str, Any]) -> State:
    if "Iterator" in raw and "ItemProcessor" in raw:
        ctx.error(sp, "The fields Iterator and ItemProcessor are mutually exclusive")
    key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    processor_raw = raw.get(key)
    distributed = False
    if processor_raw is None:
        ctx.error(sp, "These fields are required: [ItemProcessor]")
        processor = None
    else:
        if isinstance(processor_raw, dict):
            config = processor_raw.get("ProcessorConfig") or {}
            distributed = isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"
        processor = _program(ctx, processor_raw, f"{sp}/{key}")
    if "ResultWriter" in raw:
        ctx.error(f"{sp}/ResultWriter", "ResultWriter is not supported yet by this engine", UNSUPPORTED)
    jsonata = common["jsonata"]
    item_reader = _item_reader(ctx, raw["ItemReader"], f"{sp}/ItemReader", jsonata) if "ItemReader" in raw else None
    item_batcher = _item_batcher(ctx, raw["ItemBatcher"], f"{sp}/ItemBatcher", jsonata) if "ItemBatcher" in raw else None
    for key in ("ItemReader", "ItemBatcher"):
        if key in raw and not distributed:
            ctx.error(f"{sp}/{key}", f"The field '{key}' is only supported by a Map state whose ProcessorConfig Mode is DISTRIBUTED")
    if common["jsonata"]:
        items_path = _jsonata_template(ctx, raw, "Items", sp)
        max_concurrency = _jsonata_scalar(ctx, raw, "MaxConcurrency", sp, _valid_count, "a non-negative integer")
        count = _jsonata_scalar(ctx, raw, "ToleratedFailureCount", sp, _valid_count, "a non-negative integer")
        percentage = _jsonata_scalar(ctx, raw, "ToleratedFailurePercentage", sp, _valid_percentage, "a number between 0 and 100")
    else:
        items_path = _path_field(ctx, raw, "ItemsPath", sp)
        max_concurrency = _number_or_path(ctx, raw, "MaxConcurrency", sp, _valid_count, "a non-negative integer")
        count = _number_or_path(ctx, raw, "ToleratedFailureCount", sp, _valid_count, "a non-negative integer")
        percentage = _number_or_path(ctx, raw, "ToleratedFailurePercentage", sp, _valid_percentage, "a number between 0 and 100")
    label = raw.get("Label")
    if label is not None and (not isinstance(label, str) or len(label) > 40 or re.search(r"[\s?*<>{}\[\]\"#%\\^|~`$&,;:/]", label)):
        ctx.error(sp + "/Label", "Label must be at most 40 characters without whitespace or special characters", "INVALID_LABEL_NAME")
    return MapState(
        processor=processor,
        items_path=items_path,
        max_concurrency=max_concurrency if max_concurrency is not None else 0,
        tolerated_failure_count=count,
        tolerated_failure_percentage=percentage,
        distributed=distributed,
        label=label,
        item_reader=item_reader,
        item_batcher=item_batcher,
        blocking=processor is None or programs_block([processor]),
        **common,
    )


def _limit(ctx: _Ctx, node: Mapping[str, Any], key: str, pointer: str, jsonata: bool, check: Callable[[Any], bool], what: str) -> Any:
    """A limit given as a literal, a ``...Path`` (JSONPath) or an expression (JSONata)."""
    if jsonata:
        return _jsonata_scalar(ctx, node, key, pointer, check, what)
    return _number_or_path(ctx, node, key, pointer, check, what)


def _item_reader(ctx: _Ctx, node: Any, pointer: str, jsonata: bool) -> ItemReaderSpec | None:
    if not isinstance(node, dict) or not isinstance(node.get("Resource"), str):
        ctx.error(pointer, "ItemReader must be an object with a Resource")
        return None
    config = node.get("ReaderConfig") or {}
    if not isinstance(config, dict):
        ctx.error(pointer + "/ReaderConfig", "ReaderConfig must be an object")
        config = {}
    arguments = _jsonata_template(ctx, node, "Arguments", pointer) if jsonata else _template(ctx, node, "Parameters", pointer)
    max_items = _limit(ctx, config, "MaxItems", pointer + "/ReaderConfig", jsonata, _is_int, "an integer")
    plain = {k: v for k, v in config.items() if k not in ("MaxItems", "MaxItemsPath")}
    return ItemReaderSpec(node["Resource"], arguments, plain, max_items)


def _item_batcher(ctx: _Ctx, node: Any, pointer: str, jsonata: bool) -> ItemBatcherSpec | None:
    if not isinstance(node, dict):
        ctx.error(pointer, "ItemBatcher must be an object")
        return None
    positive = lambda v: _is_int(v) and v > 0  # noqa: E731
    max_items = _limit(ctx, node, "MaxItemsPerBatch", pointer, jsonata, positive, "a positive integer")
    max_bytes = _limit(ctx, node, "MaxInputBytesPerBatch", pointer, jsonata, positive, "a positive integer")
    batch_input = _jsonata_template(ctx, node, "BatchInput", pointer) if jsonata else _template(ctx, node, "BatchInput", pointer)
    return ItemBatcherSpec(max_items, max_bytes, batch_input)


_BUILDERS: dict[str, Callable[[_Ctx, Mapping[str, Any], str, dict[str, Any]], State]] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}


def _error_equals(ctx: _Ctx, node: Mapping[str, Any], pointer: str) -> tuple[str, ...]:
    value = node.get("ErrorEquals")
    if not isinstance(value, list) or not value or not all(isinstance(e, str) for e in value):
        ctx.error(pointer + "/ErrorEquals", "ErrorEquals must be a non-empty array of strings")
        return ()
    if "States.ALL" in value and len(value) > 1:
        ctx.error(pointer + "/ErrorEquals", "States.ALL must appear alone in ErrorEquals")
    return tuple(value)


def _check_all_last(ctx: _Ctx, items: list[Any], field: str, sp: str) -> None:
    for i, item in enumerate(items[:-1]):
        if isinstance(item, dict) and "States.ALL" in (item.get("ErrorEquals") or []):
            ctx.error(f"{sp}/{field}/{i}", f"States.ALL must be in the last {field[:-1] if field.endswith('y') else field} entry")


def _objects(ctx: _Ctx, raw: Any, field: str, sp: str, what: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The objects of a ``Retry``/``Catch`` array, each with its JSON pointer."""
    if raw is None:
        return
    if not isinstance(raw, list):
        ctx.error(f"{sp}/{field}", f"{field} must be an array")
        return
    _check_all_last(ctx, raw, field, sp)
    for i, node in enumerate(raw):
        pointer = f"{sp}/{field}/{i}"
        if not isinstance(node, dict):
            ctx.error(pointer, f"A {what} must be an object")
            continue
        yield pointer, node


def _retriers(ctx: _Ctx, raw: Any, sp: str) -> tuple[Retrier, ...]:
    out = []
    for rp, node in _objects(ctx, raw, "Retry", sp, "Retrier"):
        errors = _error_equals(ctx, node, rp)
        interval = node.get("IntervalSeconds", 1)
        attempts = node.get("MaxAttempts", 3)
        rate = node.get("BackoffRate", 2.0)
        max_delay = node.get("MaxDelaySeconds")
        jitter = node.get("JitterStrategy", "NONE")
        if not _is_int(interval) or not 0 < interval <= 99999999:
            ctx.error(rp + "/IntervalSeconds", "IntervalSeconds must be a positive integer")
        if not _is_int(attempts) or not 0 <= attempts <= 99999999:
            ctx.error(rp + "/MaxAttempts", "MaxAttempts must be a non-negative integer")
        if not _is_number(rate) or rate < 1.0:
            ctx.error(rp + "/BackoffRate", "BackoffRate must be a number greater than or equal to 1.0")
        if max_delay is not None and (not _is_int(max_delay) or not 0 < max_delay < 31622401):
            ctx.error(rp + "/MaxDelaySeconds", "MaxDelaySeconds must be an integer between 1 and 31622400")
        if jitter not in ("FULL", "NONE"):
            ctx.error(rp + "/JitterStrategy", "JitterStrategy must be FULL or NONE")
        out.append(Retrier(errors, interval, attempts, float(rate) if _is_number(rate) else 2.0, max_delay, jitter))
    return tuple(out)


def _catchers(ctx: _Ctx, raw: Any, sp: str, jsonata: bool = False) -> tuple[Catcher, ...]:
    out = []
    for cp, node in _objects(ctx, raw, "Catch", sp, "Catcher"):
        errors = _error_equals(ctx, node, cp)
        nxt = node.get("Next")
        if not isinstance(nxt, str):
            ctx.error(cp, "These fields are required: [Next]")
            continue
        assign = _assign_block(ctx, node["Assign"], cp + "/Assign", jsonata) if "Assign" in node else None
        if jsonata:
            for key in node:
                if key not in ("ErrorEquals", "Next", "Output", "Assign", "Comment"):
                    ctx.error(f"{cp}/{key}", f"Field '{key}' is not supported in a JSONata Catcher")
            out.append(Catcher(errors, nxt, None, assign, _jsonata_template(ctx, node, "Output", cp)))
        else:
            out.append(Catcher(errors, nxt, _path_field(ctx, node, "ResultPath", cp, reference=True), assign))
    return tuple(out)
