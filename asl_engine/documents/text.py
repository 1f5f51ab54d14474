"""JSON and YAML text -> a document, every syntax problem as a ``Diagnostic``
with ``line:column``, and a ``Locator`` for the document's pointers.

Design, for speed: valid JSON costs one ``json.loads`` (C) and nothing
else. Positions are computed lazily, by one regex scan of the text, only
when a diagnostic needs them (``JsonLocator``). Duplicate keys are noticed
by the ``object_pairs_hook`` for free; only then does the scan run to name
them with their pointer and place.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..diagnostics import ERROR, Diagnostic
from .pointers import escape, last_segment, parent
from .positions import JsonLocator, Locator, MapLocator
from .values import SURROGATE, failure_reason, finite_float, lone_surrogate

__all__ = ["INVALID_JSON", "MAX_DEPTH", "TOO_DEEP", "depth_exceeded", "parse_json", "parse_yaml", "syntax_error"]

INVALID_JSON = "INVALID_JSON_DESCRIPTION"
SCHEMA = "SCHEMA_VALIDATION_FAILED"
TOO_DEEP = "TOO_DEEPLY_NESTED"

MAX_DEPTH = 200
"""Deepest JSON/YAML nesting we accept. Real definitions stay far below it
(a Parallel inside a Map inside a Parallel is about 15 levels); beyond it the
document is refused with TOO_DEEPLY_NESTED instead of risking Python's
recursion limit in the rules."""


def syntax_error(code: str, message: str, file: str | None, line: int | None = None, column: int | None = None) -> Diagnostic:
    """A problem of the text itself (no JSON pointer: the document did not parse)."""
    return Diagnostic(ERROR, code, "", message, line, column, file, rule="syntax")


def depth_exceeded(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iterative, so any depth is safe)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return False


class _NotJsonToken(ValueError):
    """``NaN``/``Infinity`` in a document."""


def _reject_constant(name: str) -> Any:
    raise _NotJsonToken(f"Non-standard token '{name}': JSON has no NaN or Infinity")


class _PairsHook:
    """``object_pairs_hook`` that notices duplicate keys (their places come later)."""

    __slots__ = ("duplicated",)

    def __init__(self) -> None:
        self.duplicated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            self.duplicated = True
        return out


def parse_json(
    text: str, file: str | None = None, locator: JsonLocator | None = None
) -> tuple[Any, list[Diagnostic], JsonLocator]:
    """Parse JSON text: ``(document or None, syntax diagnostics, locator)``.

    Diagnostics: INVALID_JSON_DESCRIPTION with line:column for malformed
    text, "Definition must be a valid JSON object" for empty text (AWS's
    words), TOO_DEEPLY_NESTED, and one INVALID_JSON_DESCRIPTION per duplicate
    key ("Duplicate field 'X'": AWS's JSON parser refuses them), or
    DUPLICATE_STATE_NAME ("Duplicate State name: X") for a repeated key of a
    ``States`` object.
    """
    locator = locator or JsonLocator(text)
    if not text.strip():
        return None, [syntax_error(SCHEMA, "Definition must be a valid JSON object", file)], locator
    hook = _PairsHook()
    try:
        document = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant, parse_float=finite_float)
    except json.JSONDecodeError as exc:
        line, column = locator._line_col(exc.pos)
        return None, [syntax_error(INVALID_JSON, f"Malformed JSON: {exc.msg}", file, line, column)], locator
    except ValueError as exc:  # NaN / Infinity (our own text), a 5,000-digit number (the shared reader's)
        message = str(exc) if isinstance(exc, _NotJsonToken) else f"The document {failure_reason(exc)}"
        return None, [syntax_error(INVALID_JSON, message, file)], locator
    except RecursionError:
        return None, [syntax_error(TOO_DEEP, f"The document nests more than {MAX_DEPTH} levels deep", file)], locator
    if depth_exceeded(document):
        return None, [syntax_error(TOO_DEEP, f"The document nests more than {MAX_DEPTH} levels deep", file)], locator
    if lone_surrogate(text, document):
        return None, [syntax_error(INVALID_JSON, f"The document {SURROGATE}", file)], locator
    diagnostics: list[Diagnostic] = []
    if hook.duplicated:
        for ptr, (line, column) in locator.duplicates():
            name = last_segment(ptr)
            if _is_states_member(ptr):
                diagnostics.append(Diagnostic(ERROR, "DUPLICATE_STATE_NAME", ptr, f"Duplicate State name: {name}",
                                              line, column, file, rule="names.duplicate-state"))
            else:
                diagnostics.append(Diagnostic(ERROR, INVALID_JSON, ptr, f"Duplicate field '{name}'",
                                              line, column, file, rule="syntax.duplicate-key"))
    return document, diagnostics, locator


def _is_states_member(ptr: str) -> bool:
    return parent(ptr).endswith("/States")


# --------------------------------------------------------------------------- YAML


_CFN_SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, list[Diagnostic], Locator]:
    """Parse YAML text (ASL or a CloudFormation/SAM template).

    Returns ``(document or None, diagnostics, locator)``. CloudFormation short
    tags become long forms: ``!Ref X`` -> ``{"Ref": "X"}``, ``!GetAtt A.B`` ->
    ``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub ...`` -> ``{"Fn::Sub": ...}``.
    Timestamps stay strings (ASL compares them as text), duplicate keys are
    reported with their place.
    """
    import yaml  # local: JSON users never pay for it

    spots: dict[str, tuple[tuple[int, int] | None, tuple[int, int]]] = {}
    locator = MapLocator(spots)
    if not text.strip():
        return None, [syntax_error(SCHEMA, "Definition must be a valid JSON object", file)], locator
    loader_cls: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or exc.context or "malformed YAML"
        return None, [syntax_error(INVALID_JSON, f"Malformed YAML: {problem}", file, line, column)], locator
    except yaml.YAMLError as exc:
        return None, [syntax_error(INVALID_JSON, f"Malformed YAML: {exc}", file)], locator
    except RecursionError:
        return None, [syntax_error(TOO_DEEP, f"The document nests more than {MAX_DEPTH} levels deep", file)], locator
    if root is None:
        return None, [syntax_error(SCHEMA, "Definition must be a valid JSON object", file)], locator
    builder = _YamlBuilder(spots, file)
    try:
        document = builder.build(root)
    except _TooDeep:
        return None, [syntax_error(TOO_DEEP, f"The document nests more than {MAX_DEPTH} levels deep", file)], locator
    if lone_surrogate(text, document):
        return None, [syntax_error(INVALID_JSON, f"The document {SURROGATE}", file)], locator
    return document, builder.diagnostics, locator


_YAML_MERGE_TAGS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
"""Tags YAML's resolver gives ``<<`` and ``=`` keys: standard, though SafeLoader constructs them elsewhere."""


class _TooDeep(Exception):
    pass


class _YamlBuilder:
    """YAML nodes -> JSON-like values, recording each node's position."""

    def __init__(self, spots: dict[str, tuple[tuple[int, int] | None, tuple[int, int]]], file: str | None) -> None:
        import yaml

        self._yaml = yaml
        self._spots = spots
        self._file = file
        self.diagnostics: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    @staticmethod
    def _pos(node: Any) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, root: Any) -> Any:
        self._spots[""] = (None, self._pos(root))
        return self._value(root, "", 1)

    def _value(self, node: Any, ptr: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _TooDeep()
        yaml = self._yaml
        tag: str = node.tag or ""
        self._check_tag(node, ptr)
        if tag.startswith("!") and not tag.startswith("!!"):
            return self._cfn_tag(node, tag, ptr, depth)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                self._check_tag(key_node, ptr)
                key = self._key(key_node)
                child = ptr + "/" + escape(key)
                if key in out:
                    line, column = self._pos(key_node)
                    if _is_states_member(child):
                        self.diagnostics.append(
                            Diagnostic(ERROR, "DUPLICATE_STATE_NAME", child, f"Duplicate State name: {key}", line, column, self._file, rule="names.duplicate-state")
                        )
                    else:
                        self.diagnostics.append(
                            Diagnostic(ERROR, INVALID_JSON, child, f"Duplicate field '{key}'", line, column, self._file, rule="syntax.duplicate-key")
                        )
                self._spots[child] = (self._pos(key_node), self._pos(value_node))
                out[key] = self._value(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child = f"{ptr}/{index}"
                self._spots[child] = (None, self._pos(item))
                items.append(self._value(item, child, depth + 1))
            return items
        value = self._scalar(node)
        if isinstance(value, float) and not math.isfinite(value):  # .nan, .inf, 1e999: JSON cannot carry them
            line, column = self._pos(node)
            self.diagnostics.append(Diagnostic(ERROR, INVALID_JSON, ptr, f"Non-standard number '{node.value}': JSON has no NaN or Infinity",
                                               line, column, self._file, rule="syntax"))
        return value

    def _check_tag(self, node: Any, ptr: str) -> None:
        """Report a tag that is neither a YAML type nor a CloudFormation short form.

        ``!!python/object/apply:os.system`` and its kin are what PyYAML's
        unsafe loaders turn into imports and calls; here nothing is ever
        constructed from a tag, and such a document is refused rather than
        silently read as the untagged value.
        """
        tag: str = node.tag or ""
        if tag.startswith("!") or tag in self._constructor.yaml_constructors or tag in _YAML_MERGE_TAGS:
            return
        line, column = self._pos(node)
        self.diagnostics.append(Diagnostic(ERROR, INVALID_JSON, ptr, f"Unsupported YAML tag {tag!r}", line, column,
                                           self._file, rule="syntax.yaml-tag"))

    def _key(self, node: Any) -> str:
        if isinstance(node, self._yaml.ScalarNode):
            value = self._scalar(node)
            if isinstance(value, str):
                return value
            if value is None:
                return "null"
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(node.value)
        return str(node.value)

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:timestamp" or tag == "tag:yaml.org,2002:binary":
            return node.value  # ASL timestamps are strings; keep the text as written
        if tag == "tag:yaml.org,2002:str" or not isinstance(node, self._yaml.ScalarNode):
            return node.value
        construct = self._constructor.yaml_constructors.get(tag)
        if construct is None:
            return node.value
        try:
            return construct(self._constructor, node)
        except Exception:  # noqa: BLE001 - an odd scalar stays text
            return node.value

    def _cfn_tag(self, node: Any, tag: str, ptr: str, depth: int) -> Any:
        yaml = self._yaml
        long_name = _CFN_SHORT_TAGS.get(tag, "Fn::" + tag[1:])
        if isinstance(node, yaml.ScalarNode):
            value: Any = node.value
            if long_name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = [self._value(item, f"{ptr}/{long_name}/{i}", depth + 1) for i, item in enumerate(node.value)]
        else:
            bare = yaml.MappingNode("tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark)
            value = self._value(bare, f"{ptr}/{long_name}", depth + 1)
        return {long_name: value}


