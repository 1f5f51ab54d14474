"""JSONata states: every ``{% ... %}`` string is a well-formed JSONata expression.

Which strings are expressions: in a JSONata state, every string nested in a
field AWS evaluates (``Output``, ``Arguments``, ``Assign``, ``Items``,
``ItemSelector``, ``Seconds``, ``Timestamp``, ``TimeoutSeconds``,
``Condition``, ``Error``, ``Cause``, ``ItemReader``, ``ItemBatcher``,
``ResultWriter``, a Catcher's ``Output``/``Assign``, a Choice Rule's
``Condition``/``Output``/``Assign``...) that starts with ``{%``. Names and
plain fields (``Comment``, ``Next``, ``Default``, ``Resource``, ``Retry``,
``Label``...) are never evaluated.

Checks, with AWS's codes:

* INVALID_JSONATA_EXPRESSION: a string that starts with ``{%`` but does not
  end with ``%}``, an empty expression, or text the JSONata parser refuses
  (the expression is compiled by the engine's adapter,
  ``asl_engine.dataflow.jsonata``, imported lazily; without it only the
  delimiters are checked);
* UNSUPPORTED_JSONATA_EXPRESSION: ``$$`` anywhere, ``$`` or a bare field name
  at the top of the expression (the States Language gives JSONata no input
  document), ``$states.errorOutput`` outside a Catcher's ``Output``/``Assign``.

``{%10%}`` (no spaces inside the delimiters) is accepted: the spec only asks
for the delimiters, and the adapter reads the text between them.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..fields import STATE, Compile
from .common import is_jsonata, ptr
from .model import Document, Issue, StateNode

__all__ = ["check_jsonata", "expression_issues"]

INVALID = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION"

_MAP_OBJECTS = ("ItemReader", "ItemBatcher", "ResultWriter")
"""Structural fields whose members are evaluated (checked below)."""

_NOT_EVALUATED = frozenset(
    f.name for f in STATE
    if f.jsonata is Compile.LITERAL or (f.jsonata is Compile.STRUCTURE and f.name not in _MAP_OBJECTS)
)
"""Names and plain fields (``Next``, ``Resource``, ``Label``, ``Retry``...): from the field table."""

_CACHE: dict[tuple[str, bool], tuple[tuple[str, str], ...]] = {}
_CACHE_LIMIT = 10_000


def check_jsonata(state: StateNode, doc: Document) -> Iterator[Issue]:
    """Every JSONata string of one JSONata state (its own fields, Catchers, Choice Rules)."""
    if not state.jsonata or state.type is None:
        return
    node = state.raw
    for key, value in node.items():
        if key in _NOT_EVALUATED:
            continue
        if key in ("ItemReader", "ResultWriter") and isinstance(value, dict):
            for sub, item in value.items():
                if sub != "Resource":
                    yield from _strings(item, state.at(key, sub), catcher=False)
            continue
        yield from _strings(value, state.at(key), catcher=False)
    catchers = node.get("Catch")
    if isinstance(catchers, list):
        for i, catcher in enumerate(catchers):
            if isinstance(catcher, dict):
                for key in ("Output", "Assign"):
                    if key in catcher:
                        yield from _strings(catcher[key], state.at("Catch", i, key), catcher=True)
    choices = node.get("Choices")
    if state.type == "Choice" and isinstance(choices, list):
        for i, rule in enumerate(choices):
            if isinstance(rule, dict):
                for key in ("Condition", "Output", "Assign"):
                    if key in rule:
                        yield from _strings(rule[key], state.at("Choices", i, key), catcher=False)


def _strings(value: Any, where: str, catcher: bool) -> Iterator[Issue]:
    """Check every ``{%`` string nested in ``value`` (object values and array items; not keys)."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            if node.startswith("{%"):
                for code, message in expression_issues(node, catcher):
                    yield Issue(at, message, "jsonata.syntax" if code == INVALID else "jsonata.reference", code=code)
        elif isinstance(node, dict):
            stack.extend((item, ptr(at, key)) for key, item in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((item, f"{at}/{i}") for i, item in reversed(list(enumerate(node))))


def expression_issues(text: str, catcher: bool = False) -> tuple[tuple[str, str], ...]:
    """``(code, message)`` for each problem of one ``{%`` string (cached by text)."""
    cached = _CACHE.get((text, catcher))
    if cached is not None:
        return cached
    problems = tuple(_problems(text, catcher))
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[(text, catcher)] = problems
    return problems


def _problems(text: str, catcher: bool) -> Iterator[tuple[str, str]]:
    if not is_jsonata(text):
        yield INVALID, "A JSONata expression must be enclosed in '{%' and '%}'"
        return
    if not text[2:-2].strip():
        yield INVALID, "Unexpected end of expression"
        return
    try:
        from ...dataflow import jsonata as adapter
    except ImportError:  # the adapter or its library is not installed: delimiters only
        return
    try:
        compiled = adapter.compile_expression(text)
    except adapter.JsonataSyntaxError as exc:
        yield INVALID, exc.reason
        return
    yield from _references(compiled.syntax_tree(), catcher)


# ----------------------------------------------------------------- references


def _kind(node: Any) -> tuple[Any, Any]:
    return getattr(node, "type", None), getattr(node, "value", None)


def _references(ast: Any, catcher: bool) -> Iterator[tuple[str, str]]:
    """What the States Language forbids an expression to reference (AST walk, duck-typed)."""
    if ast is None:
        return
    kind, value = _kind(ast)
    first = ast
    if kind == "path":
        steps = getattr(ast, "steps", None) or []
        first = steps[0] if steps else None
    first_kind, first_value = _kind(first)
    if first_kind == "variable" and first_value == "":
        yield UNSUPPORTED, "Reference to '$' at the top level is not supported."
    elif first_kind == "name":
        yield UNSUPPORTED, f"Reference to '{first_value}' at the top level is not supported."
    double_dollar = error_output = False
    for node in _walk(ast):
        node_kind, node_value = _kind(node)
        if node_kind == "variable" and node_value == "$":
            double_dollar = True
        elif node_kind == "path" and not catcher:
            steps = getattr(node, "steps", None) or []
            if len(steps) >= 2 and _kind(steps[0]) == ("variable", "states") and _kind(steps[1]) == ("name", "errorOutput"):
                error_output = True
    if double_dollar:
        yield UNSUPPORTED, "Reference to '$$' is not supported."
    if error_output:
        yield UNSUPPORTED, "Field '$states.errorOutput' does not exist."


def _walk(root: Any) -> Iterator[Any]:
    """Every node of a parsed expression (objects with a ``type``), iteratively."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if isinstance(node, dict):
            stack.extend(node.values())
            continue
        if not hasattr(node, "type"):
            continue
        yield node
        try:
            children = vars(node)
        except TypeError:
            continue
        for key, child in children.items():
            if key != "_outer_instance" and (isinstance(child, (list, tuple, dict)) or hasattr(child, "type")):
                stack.append(child)
