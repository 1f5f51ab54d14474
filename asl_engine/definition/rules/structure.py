"""Structure: the fields each object may, must and must not have, and their types.

* the top level (``StartAt``, ``States``, ``Comment``, ``Version``,
  ``TimeoutSeconds``, ``QueryLanguage``);
* every state: ``Type``, the fields its type allows in its query language
  (JSONPath-only fields in a JSONata state and the reverse are refused),
  ``Next`` vs ``End``, ``Comment``, ``Assign``;
* per type: Task (``Resource``, timeouts, ``Credentials``, ``Arguments``),
  Pass (``Result`` with ``Parameters``: a warning, AWS accepts it and uses
  ``Result``), Wait (exactly one duration, RFC 3339
  ``Timestamp``), Fail (``Error`` vs ``ErrorPath``...), Choice (``Choices``,
  ``Default``).

Map, Parallel, Retry/Catch, Choice Rules, paths and JSONata have their own
modules. Message texts are AWS's where AWS's are known (``These fields are
required: [...]``, ``The field 'Type' should have one of these values:
[...]``, ``Field 'X' is not supported``, ``Value cannot be empty``,
``String does not match RFC3339 timestamp``).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ...dataflow.timestamps import parse_timestamp
from ...diagnostics import WARNING
from ..fields import COMMON_FIELDS, STATE, allowed_fields, single_language_fields
from .common import describe_type, int_field, is_integral, is_jsonata, ptr
from .model import JSONATA, JSONPATH, STATE_TYPES, Document, Issue, StateNode

__all__ = [
    "ALL_STATE_FIELDS",
    "JSONATA_ONLY",
    "JSONPATH_ONLY",
    "STATE_FIELDS",
    "check_root",
    "check_state",
    "check_state_values",
    "is_rfc3339",
    "exclusive",
]

ROOT_FIELDS = frozenset({"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"})

JSONPATH_ONLY = single_language_fields(STATE, JSONPATH)
"""Fields of JSONPath states only (AWS refuses them in a JSONata state)."""

JSONATA_ONLY = single_language_fields(STATE, JSONATA)
"""Fields of JSONata states only."""

STATE_FIELDS: dict[str, frozenset[str]] = {t: allowed_fields(STATE, t) - COMMON_FIELDS for t in STATE_TYPES}
"""Every field a state type may have, in either query language (plus ``COMMON_FIELDS``);
derived from the one field table, ``asl_engine.definition.fields``."""

ALL_STATE_FIELDS = frozenset().union(*STATE_FIELDS.values()) | COMMON_FIELDS

_TYPES_TEXT = ", ".join(STATE_TYPES)
_MAX_SECONDS = 99999999


def exclusive(state: StateNode, *keys: str, base: str | None = None, container: Any = None) -> Iterator[Issue]:
    """``You cannot set both A and B at the same time`` when more than one of ``keys`` is present."""
    node = state.raw if container is None else container
    if not isinstance(node, dict):
        return
    present = [k for k in keys if k in node]
    if len(present) > 1:
        # AWS locates this at the first field (/States/M/MaxConcurrency).
        where = ptr(base if base is not None else state.pointer, present[0])
        yield Issue(where, f"You cannot set both {' and '.join(present)} at the same time.", "structure.exclusive", key=True)


# --------------------------------------------------------------------------- top level


def check_root(doc: Document) -> Iterator[Issue]:
    """The top-level object: required and allowed fields and their types."""
    root = doc.root
    if not isinstance(root, dict):
        yield Issue("", "Definition must be a valid JSON object", "structure.type")
        return
    missing = [k for k in ("States", "StartAt") if k not in root]
    if missing:
        yield Issue("", f"These fields are required: [{', '.join(missing)}]", "structure.required")
    for key in root:
        if key not in ROOT_FIELDS:
            yield Issue("", f"Field '{key}' is not supported", "structure.unknown-field", at=ptr("", key), key=True)
    if "StartAt" in root and not isinstance(root["StartAt"], str):
        yield Issue("/StartAt", f"Expected value of type [STRING] for 'StartAt', not {describe_type(root['StartAt'])}", "structure.type")
    if "States" in root:
        states = root["States"]
        if not isinstance(states, dict):
            yield Issue("/States", f"Expected value of type [OBJECT] for 'States', not {describe_type(states)}", "structure.type")
        elif not states:
            yield Issue("/States", "Value cannot be empty", "structure.required")
    for key in ("Comment", "Version"):
        if key in root and not isinstance(root[key], str):
            yield Issue(ptr("", key), f"Expected value of type [STRING] for '{key}', not {describe_type(root[key])}", "structure.type")
    if "QueryLanguage" in root:
        yield from _query_language_value(root["QueryLanguage"], "/QueryLanguage")
    if "TimeoutSeconds" in root:
        value = root["TimeoutSeconds"]
        if not is_integral(value):
            yield Issue("/TimeoutSeconds", f"Expected value of type [INTEGER] for 'TimeoutSeconds', not {describe_type(value)}", "structure.type")
        elif not 0 < value <= _MAX_SECONDS:
            yield Issue("/TimeoutSeconds", f"Value must be between 1 and {_MAX_SECONDS} for 'TimeoutSeconds'", "structure.value")


def _query_language_value(value: Any, where: str) -> Iterator[Issue]:
    if not isinstance(value, str):
        yield Issue(where, "Expected value of type [STRING]", "structure.type")
    elif value not in (JSONPATH, JSONATA):
        yield Issue(where, "Value should be one of the following: [JSONPath, JSONata]", "structure.value")


# --------------------------------------------------------------------------- every state


def check_state(state: StateNode, doc: Document) -> Iterator[Issue]:
    """Type, query language, the allowed fields, Next/End, Comment, Assign."""
    node = state.node
    if not isinstance(node, dict):
        yield Issue(state.pointer, f"Expected value of type [OBJECT] for state '{state.name}', not {describe_type(node)}", "structure.type")
        return
    if "Type" not in node:
        yield Issue(state.pointer, "These fields are required: [Type]", "structure.required")
        return
    if state.type is None:
        yield Issue(state.at("Type"), f"The field 'Type' should have one of these values: [{_TYPES_TEXT}]", "structure.value")
        return
    downgraded = False
    if "QueryLanguage" in node:
        yield from _query_language_value(node["QueryLanguage"], state.at("QueryLanguage"))
        # AWS: a JSONata machine cannot turn a state back to JSONPath. A distributed
        # Map's ItemProcessor runs as child executions; its states may (asl-validator
        # accepts it, AWS's behaviour is not recorded).
        if node["QueryLanguage"] == JSONPATH and doc.query_language == JSONATA and not state.scope.distributed:
            downgraded = True
            yield Issue(state.pointer, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                        "structure.query-language", at=state.at("QueryLanguage"), key=True)
    allowed = STATE_FIELDS[state.type]
    other = JSONPATH_ONLY if state.jsonata else JSONATA_ONLY
    for key in node:
        if key in COMMON_FIELDS:
            continue
        if key not in allowed:
            rule = "structure.field-not-allowed" if key in ALL_STATE_FIELDS else "structure.unknown-field"
            yield Issue(state.pointer, f"Field '{key}' is not supported", rule, at=state.at(key), key=True)
        elif key in other and not downgraded:
            mine, theirs = (JSONATA, JSONPATH) if state.jsonata else (JSONPATH, JSONATA)
            yield Issue(state.pointer, f"The QueryLanguage is set to '{mine}', but field '{key}' is only supported for the '{theirs}' QueryLanguage",
                        "structure.field-query-language", at=state.at(key), key=True)
    if "Comment" in node and not isinstance(node["Comment"], str):
        yield Issue(state.at("Comment"), f"Expected value of type [STRING] for 'Comment', not {describe_type(node['Comment'])}", "structure.type")
    if state.type not in ("Choice", "Succeed", "Fail"):
        yield from _next_or_end(state, node)
    if "Assign" in node and "Assign" in allowed:
        yield from check_assign(node["Assign"], state.at("Assign"), state.jsonata)


def _next_or_end(state: StateNode, node: dict[str, Any]) -> Iterator[Issue]:
    end = node.get("End")
    if "End" in node and not isinstance(end, bool):
        yield Issue(state.at("End"), f"Expected value of type [BOOLEAN] for 'End', not {describe_type(end)}", "structure.type")
        return
    if "Next" in node:
        if not isinstance(node["Next"], str):
            yield Issue(state.at("Next"), f"Expected value of type [STRING] for 'Next', not {describe_type(node['Next'])}", "structure.type")
        if end is True:
            yield Issue(state.pointer, "You cannot set both Next and End at the same time.", "structure.exclusive", at=state.at("End"), key=True)
    elif end is not True:
        yield Issue(state.pointer, "These fields are required: [Next] (or \"End\": true)", "structure.required")


_VARIABLE_NAME_MAX = 80


def check_assign(value: Any, where: str, jsonata: bool) -> Iterator[Issue]:
    """``Assign``: an object whose keys name variables (Unicode identifiers, not ``states``).

    In a JSONata state too: the values may be expressions, the field itself
    may not ("To set a variable, provide a JSON object with variable names
    and values", AWS's workflow-variables page).
    """
    if not isinstance(value, dict):
        yield Issue(where, f"Expected value of type [OBJECT] for 'Assign', not {describe_type(value)}", "structure.type")
        return
    for key in value:
        name = key[:-2] if (not jsonata and key.endswith(".$")) else key
        if name == "states":
            yield Issue(where, "The variable name 'states' is reserved", "structure.variable-name", at=ptr(where, key), key=True)
        elif not name.isidentifier() or len(name) > _VARIABLE_NAME_MAX:
            yield Issue(where, f"Invalid variable name '{name}': it must be a Unicode identifier of at most {_VARIABLE_NAME_MAX} characters",
                        "structure.variable-name", at=ptr(where, key), key=True)


# --------------------------------------------------------------------------- per type


def check_state_values(state: StateNode, doc: Document) -> Iterator[Issue]:
    """Values of the type-specific fields of Pass, Task, Wait, Fail and Choice states."""
    if state.type == "Task":
        yield from _task(state, doc)
    elif state.type == "Wait":
        yield from _wait(state, doc)
    elif state.type == "Fail":
        yield from _fail(state, doc)
    elif state.type == "Pass" and "Result" in state.raw and "Parameters" in state.raw and not state.jsonata:
        # AWS accepts both (recorded: TestState ran such a Pass state) and uses
        # Result; the Parameters are evaluated for nothing.
        yield Issue(state.at("Parameters"), "Parameters has no effect when Result is set: the state's result is the Result value",
                    "warnings.pass-parameters-ignored", code="PASS_PARAMETERS_IGNORED", severity=WARNING, key=True)
    elif state.type == "Choice":
        yield from _choice(state, doc)


def _task(state: StateNode, doc: Document) -> Iterator[Issue]:
    node = state.raw
    if "Resource" not in node:
        yield Issue(state.pointer, "These fields are required: [Resource]", "structure.required")
    yield from exclusive(state, "TimeoutSeconds", "TimeoutSecondsPath")
    yield from exclusive(state, "HeartbeatSeconds", "HeartbeatSecondsPath")
    yield from int_field(state, doc, "TimeoutSeconds", 1, _MAX_SECONDS)
    yield from int_field(state, doc, "HeartbeatSeconds", 1, _MAX_SECONDS)
    timeout, heartbeat = node.get("TimeoutSeconds"), node.get("HeartbeatSeconds")
    if isinstance(timeout, (int, float)) and isinstance(heartbeat, (int, float)) and is_integral(timeout) and is_integral(heartbeat) \
            and 0 < timeout <= heartbeat:
        yield Issue(state.at("HeartbeatSeconds"), "HeartbeatSeconds must be smaller than TimeoutSeconds", "structure.value")
    if "Credentials" in node:
        credentials = node["Credentials"]
        if not (isinstance(credentials, dict) or doc.opaque(credentials) or (state.jsonata and is_jsonata(credentials))):
            yield Issue(state.at("Credentials"), f"Expected value of type [OBJECT] for 'Credentials', not {describe_type(credentials)}", "structure.type")
    if state.jsonata and "Arguments" in node:
        yield from object_or_jsonata(state, doc, "Arguments")


def object_or_jsonata(state: StateNode, doc: Document, key: str, container: Any = None, base: str | None = None) -> Iterator[Issue]:
    """A JSONata field that must be a JSON object or a JSONata string (``Arguments``)."""
    node = state.raw if container is None else container
    value = node.get(key) if isinstance(node, dict) else None
    if isinstance(value, dict) or is_jsonata(value) or doc.opaque(value):
        return
    yield Issue(ptr(base or state.pointer, key), f"Expected a JSON object or a JSONata expression for '{key}', not {describe_type(value)}", "structure.type")


_WAIT_JSONPATH = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
_WAIT_JSONATA = ("Seconds", "Timestamp")


def _wait(state: StateNode, doc: Document) -> Iterator[Issue]:
    node = state.raw
    keys = _WAIT_JSONATA if state.jsonata else _WAIT_JSONPATH
    present = [k for k in keys if k in node]
    if not present:
        yield Issue(state.pointer, f"These fields are required: one of [{', '.join(keys)}]", "structure.required")
    elif len(present) > 1:
        yield Issue(state.pointer, f"You cannot set more than one of {', '.join(present)} at the same time.", "structure.exclusive",
                    at=state.at(present[-1]), key=True)
    yield from int_field(state, doc, "Seconds", 0, _MAX_SECONDS)
    if "Timestamp" in node:
        value = node["Timestamp"]
        if not (doc.opaque(value) or (state.jsonata and is_jsonata(value))):
            if not isinstance(value, str):
                yield Issue(state.at("Timestamp"), f"Expected value of type [STRING] for 'Timestamp', not {describe_type(value)}", "values.timestamp")
            elif not is_rfc3339(value):
                yield Issue(state.at("Timestamp"), "String does not match RFC3339 timestamp", "values.timestamp")


_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})")


def is_rfc3339(text: str) -> bool:
    """An RFC 3339 ``date-time`` with the ASL spec's extra rules (uppercase ``T`` and ``Z``),
    whose date and time exist (no February 30, no hour 25)."""
    return _RFC3339.fullmatch(text) is not None and parse_timestamp(text) is not None


def _fail(state: StateNode, doc: Document) -> Iterator[Issue]:
    node = state.raw
    yield from exclusive(state, "Error", "ErrorPath")
    yield from exclusive(state, "Cause", "CausePath")
    for key in ("Error", "Cause"):
        if key in node and not isinstance(node[key], str) and not doc.opaque(node[key]):
            yield Issue(state.at(key), f"Expected value of type [STRING] for '{key}', not {describe_type(node[key])}", "structure.type")


def _choice(state: StateNode, doc: Document) -> Iterator[Issue]:
    node = state.raw
    if "Choices" not in node:
        yield Issue(state.pointer, "These fields are required: [Choices]", "structure.required")
    else:
        choices = node["Choices"]
        if not isinstance(choices, list):
            yield Issue(state.at("Choices"), f"Expected value of type [ARRAY] for 'Choices', not {describe_type(choices)}", "structure.type")
        elif not choices:
            yield Issue(state.at("Choices"), "Value cannot be empty", "structure.required")
    if "Default" in node and not isinstance(node["Default"], str):
        yield Issue(state.at("Default"), f"Expected value of type [STRING] for 'Default', not {describe_type(node['Default'])}", "structure.type")
