"""Small helpers shared by the rule modules: JSON types, pointers, JSONata strings."""

from __future__ import annotations

from typing import Any, Iterator

from .model import Document, Issue, StateNode

__all__ = [
    "describe_type",
    "is_int",
    "is_jsonata",
    "is_number",
    "looks_like_jsonata",
    "ptr",
    "int_field",
]


def ptr(base: str, *parts: object) -> str:
    """``base`` extended by escaped JSON-pointer segments."""
    return base + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def is_int(value: Any) -> bool:
    """A JSON integer (``2.0`` counts, as for Jackson's ``canConvertToExactIntegral``; ``true`` does not)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_jsonata(value: Any) -> bool:
    """A JSONata string: ``{% expression %}``."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def looks_like_jsonata(value: Any) -> bool:
    """Meant as JSONata (starts with ``{%``), well-formed or not."""
    return isinstance(value, str) and value.lstrip().startswith("{%")


_TYPE_NAMES = {bool: "BOOLEAN", int: "INTEGER", float: "NUMBER", str: "STRING", list: "ARRAY", dict: "OBJECT"}


def describe_type(value: Any) -> str:
    """AWS's name for a JSON value's type (``STRING``, ``OBJECT``, ``NULL``...)."""
    if value is None:
        return "NULL"
    return _TYPE_NAMES.get(type(value), type(value).__name__.upper())


def int_field(
    state: StateNode,
    doc: Document,
    key: str,
    minimum: int,
    maximum: int | None,
    rule: str = "structure.value",
    base: str | None = None,
    container: Any = None,
) -> Iterator[Issue]:
    """Check an integer field (or, in a JSONata state, a JSONata string) of ``container``
    (default: the state), reporting at ``base/key``."""
    node = state.raw if container is None else container
    if not isinstance(node, dict) or key not in node:
        return
    value = node[key]
    where = ptr(base if base is not None else state.pointer, key)
    if doc.opaque(value) or (state.jsonata and is_jsonata(value)):
        return
    if not is_int(value):
        expected = "an integer or a JSONata expression" if state.jsonata else "an integer"
        yield Issue(where, f"Expected value of type [INTEGER] for '{key}': it must be {expected}, not {describe_type(value)}", rule)
        return
    if value < minimum:
        yield Issue(where, f"Minimum value is {minimum} for '{key}'", rule)
    elif maximum is not None and value > maximum:
        yield Issue(where, f"Maximum value is {maximum} for '{key}'", rule)
