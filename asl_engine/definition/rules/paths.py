"""JSONPath states: paths, reference paths, payload templates and intrinsic calls.

Every expression is compiled by the engine's own compilers
(``compile_path``, ``compile_reference_path``, ``compile_intrinsic``): what
validates is exactly what runs.

* ``InputPath``/``OutputPath``: a Path or ``null``; ``ResultPath`` (and a
  Catcher's): a Reference Path (``$``-rooted, single node, no variable) or
  ``null``; ``ItemsPath`` and the ``*Path`` fields: a Path.
* Payload templates (``Parameters``, ``ResultSelector``, ``ItemSelector``,
  ``Credentials``, ``ItemReader.Parameters``, ``ResultWriter.Parameters``,
  ``ItemBatcher.BatchInput``, ``Assign``): a field named ``x.$`` must hold a
  Path or an intrinsic call (AWS: "The value for the field 'x.$' must be a
  valid JSONPath or a valid intrinsic function call"); ``x`` and ``x.$`` may
  not both appear in one object.
* ``ErrorPath``/``CausePath``: a Path or an intrinsic call that returns a
  string.

Warnings, as AWS gives them: NO_DOLLAR (a literal field whose value looks
like a path or an intrinsic call), PASS_RESULT_IS_STATIC (``.$`` fields in a
Pass state's ``Result``), NO_PATH (a path where a literal is expected, e.g.
``"Error": "$.error"``). Intrinsic arguments of the wrong literal type, which
AWS accepts at creation and fails at run time, are warnings too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from ...dataflow.intrinsics import IntrinsicSyntaxError, compile_intrinsic, is_intrinsic
from ...dataflow.jsonpath import PathError, compile_path, compile_reference_path
from ...diagnostics import WARNING
from ..fields import STATE, Compile, fields_of
from .common import describe_type, looks_like_jsonata, ptr
from .model import Document, Issue, StateNode

__all__ = ["check_paths", "check_template", "expression_problem", "path_field", "reason", "result_path"]

_VALUE_PATHS = tuple(dict.fromkeys(f.name for f in STATE if f.jsonpath is Compile.VALUE_PATH))
"""The ``...Path`` fields read at run time (ItemsPath, SecondsPath...): checked wherever
they appear (out of place, they are also the structure rules' to report)."""
_STRING_INTRINSICS = frozenset({
    "States.ArrayGetItem", "States.Base64Encode", "States.Base64Decode", "States.Format",
    "States.JsonToString", "States.Hash", "States.UUID",
})
INTRINSIC_WARNING = "INTRINSIC_ARGUMENT_TYPE"


def check_paths(state: StateNode, doc: Document) -> Iterator[Issue]:
    """Paths and payload templates of one JSONPath state (JSONata states have none)."""
    if state.jsonata or state.type is None:
        return
    node = state.raw
    for key in _of_kind(state.type, Compile.PATH):  # InputPath, OutputPath
        if key in node:
            yield from path_field(state, doc, node, key, state.pointer, nullable=True)
    for key in _of_kind(state.type, Compile.REFERENCE_PATH):  # ResultPath
        if key in node:
            yield from result_path(doc, node[key], state.at(key))
    for key in _VALUE_PATHS:
        if key in node:
            yield from path_field(state, doc, node, key, state.pointer, reference=True)
    for key in _of_kind(state.type, Compile.PAYLOAD_TEMPLATE):
        if key in node and key != "Assign":
            if key == "Credentials" and not isinstance(node[key], dict):
                continue  # its type is the structure rules' to report
            yield from template_field(doc, node[key], state.at(key), key)
    if "Assign" in node and state.type not in ("Succeed", "Fail"):
        yield from check_template(doc, node["Assign"], state.at("Assign"), "Assign")
    if state.type == "Fail":
        for key in ("ErrorPath", "CausePath"):
            if key in node:
                yield from _fail_path(doc, node[key], state.at(key), key)
        for key in ("Error", "Cause"):
            value = node.get(key)
            if isinstance(value, str) and _looks_like_path(value):
                yield Issue(state.at(key), f"The value of '{key}' looks like a path, but the field name does not end with 'Path': "
                            f"use '{key}Path' to read it from the input", "warnings.no-path", code="NO_PATH", severity=WARNING)
    if state.type == "Pass" and "Result" in node:
        yield from _static_result(node["Result"], state.at("Result"))


@lru_cache(maxsize=None)
def _of_kind(state_type: str, kind: Compile) -> tuple[str, ...]:
    """The JSONPath fields of ``state_type`` that compile as ``kind`` (from the field table)."""
    return tuple(f.name for f in fields_of(STATE, state_type) if f.jsonpath is kind)


def path_field(
    state: StateNode, doc: Document, node: dict[str, Any], key: str, base: str, nullable: bool = False,
    reference: bool = False,
) -> Iterator[Issue]:
    """A field whose value must be a Path (``null`` too when ``nullable``); with
    ``reference``, a path to a single node (no wildcard, slice, filter...)."""
    value = node[key]
    where = ptr(base, key)
    if value is None and nullable:
        return
    if doc.opaque(value):
        return
    if not isinstance(value, str):
        yield Issue(where, f"Expected value of type [STRING] for '{key}', not {describe_type(value)}", "paths.jsonpath")
        return
    try:
        compiled = compile_path(value)
    except PathError as exc:
        yield Issue(where, f"The value for the field '{key}' must be a valid JSONPath: {reason(exc, value)}", "paths.jsonpath")
        return
    if reference and not compiled.definite:
        yield Issue(where, f"The value for the field '{key}' must be a valid ReferencePath: {value} can select several nodes",
                    "paths.reference-path")


def result_path(doc: Document, value: Any, where: str) -> Iterator[Issue]:
    """``ResultPath``: a Reference Path into the state input, or ``null``."""
    if value is None or doc.opaque(value):
        return
    if not isinstance(value, str):
        yield Issue(where, f"Expected value of type [STRING] for 'ResultPath', not {describe_type(value)}", "paths.reference-path")
        return
    try:
        compile_reference_path(value)
    except PathError as exc:
        detail = reason(exc, value)
        if value.startswith("$$"):
            detail = "ResultPath cannot write into the context object ($$)"
        elif value.startswith("$") and len(value) > 1 and value[1] not in ".[":
            detail = "ResultPath cannot reference a variable"
        yield Issue(where, f"The value for the field 'ResultPath' must be a valid ReferencePath: {detail}", "paths.reference-path")


def reason(exc: Exception, text: str) -> str:
    """What is wrong with path ``text``, from the compiler's PathError."""
    message = str(exc)
    prefix = "invalid JSONPath: "
    if message.startswith(prefix):
        message = message[len(prefix):]
    if message in (text, repr(text)):
        return f"{text!r} is not a valid JSONPath"
    for shown in (text, repr(text)):
        if message.startswith(shown + " (") and message.endswith(")"):
            return f"{text!r} is not a valid JSONPath ({message[len(shown) + 2:-1]})"
    return message


def expression_problem(value: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """Check a ``.$`` value: ``(error or None, warnings, intrinsic function name or None)``."""
    if value.startswith("$"):
        try:
            compile_path(value)
        except PathError as exc:
            return reason(exc, value), (), None
        return None, (), None
    if is_intrinsic(value) or value.lstrip().startswith("States."):
        try:
            compiled = compile_intrinsic(value)
        except IntrinsicSyntaxError as exc:
            return exc.reason, (), None
        return None, tuple(compiled.diagnostics), compiled.call.spec.name
    return f"{value!r} is neither a path (starting with '$') nor an intrinsic function call (States.Name(...))", (), None


def template_field(doc: Document, value: Any, where: str, key: str) -> Iterator[Issue]:
    """A payload template field: a JSON object (other values are only warned about)."""
    if doc.opaque(value):
        return
    if not isinstance(value, dict):
        # The ASL spec wants an object; tools disagree and AWS's answer is not
        # recorded, so this is a warning, not an error.
        yield Issue(where, f"'{key}' should be a JSON object (a payload template), not {describe_type(value)}",
                    "paths.payload-template-type", code="PAYLOAD_TEMPLATE_NOT_OBJECT", severity=WARNING)
        return
    yield from check_template(doc, value, where, key)


def check_template(doc: Document, value: Any, where: str, what: str) -> Iterator[Issue]:
    """The ``.$`` fields of a payload template, however deeply nested (arrays included).

    The location is the template's root (as AWS reports it); line:column
    points at the offending field.
    """
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((item, f"{at}/{i}") for i, item in reversed(list(enumerate(node))))
            continue
        if not isinstance(node, dict):
            continue
        plain = {k for k in node if not k.endswith(".$")}
        children: list[tuple[Any, str]] = []
        for key, item in node.items():
            here = ptr(at, key)
            if key.endswith(".$"):
                if key[:-2] in plain:
                    yield Issue(where, f"The field '{key[:-2]}' is given twice in {what}: as '{key[:-2]}' and as '{key}'",
                                "paths.duplicate-payload-field", at=here, key=True)
                if doc.opaque(item):
                    continue
                if not isinstance(item, str):
                    yield Issue(where, f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call "
                                f"(it is {describe_type(item)})", "paths.payload-template", at=here)
                    continue
                error, warnings, _ = expression_problem(item)
                if error is not None:
                    rule = "paths.intrinsic" if item.lstrip().startswith("States.") else "paths.payload-template"
                    yield Issue(where, f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call: {error}",
                                rule, at=here)
                for warning in warnings:
                    yield Issue(here, warning, "paths.intrinsic-argument", code=INTRINSIC_WARNING, severity=WARNING)
            else:
                if isinstance(item, str) and _looks_like_expression(item):
                    yield Issue(here, f"The value of field '{key}' looks like a JSONPath or an intrinsic function call, but the "
                                "field name does not end with '.$': it is passed as a literal string", "warnings.no-dollar",
                                code="NO_DOLLAR", severity=WARNING)
                if isinstance(item, (dict, list)):
                    children.append((item, here))
        stack.extend(reversed(children))


def _looks_like_path(text: str) -> bool:
    if not text.startswith(("$.", "$$.", "$[")):
        return False
    try:
        compile_path(text)
    except PathError:
        return False
    return True


def _looks_like_expression(text: str) -> bool:
    if _looks_like_path(text):
        return True
    if is_intrinsic(text) and not looks_like_jsonata(text):
        try:
            compile_intrinsic(text)
        except IntrinsicSyntaxError:
            return False
        return True
    return False


def _fail_path(doc: Document, value: Any, where: str, key: str) -> Iterator[Issue]:
    if doc.opaque(value):
        return
    message = (f"The value for the field '{key}' must be a valid JSONPath or an intrinsic function expression that returns a string "
               "(ArrayGetItem, Base64Encode, Base64Decode, Format, JsonToString, Hash, or UUID)")
    if not isinstance(value, str):
        yield Issue(where, f"{message}, not {describe_type(value)}", "paths.jsonpath")
        return
    error, warnings, function = expression_problem(value)
    if error is not None:
        yield Issue(where, f"{message}: {error}", "paths.intrinsic" if value.lstrip().startswith("States.") else "paths.jsonpath")
    elif function is not None and function not in _STRING_INTRINSICS:
        yield Issue(where, f"{message}: {function} does not return a string", "paths.intrinsic")
    for warning in warnings:
        yield Issue(where, warning, "paths.intrinsic-argument", code=INTRINSIC_WARNING, severity=WARNING)


def _static_result(value: Any, where: str) -> Iterator[Issue]:
    """PASS_RESULT_IS_STATIC: ``.$`` fields in a Pass state's ``Result`` are not evaluated."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                here = ptr(at, key)
                if key.endswith(".$"):
                    yield Issue(here, f"The field '{key}' of a Pass state's Result is static: its path is not evaluated "
                                "(use Parameters to build the output from the input)", "warnings.pass-result-is-static",
                                code="PASS_RESULT_IS_STATIC", severity=WARNING, key=True)
                stack.append((item, here))
        elif isinstance(node, list):
            stack.extend((item, f"{at}/{i}") for i, item in enumerate(node))
