"""Small helpers shared by the rule modules: JSON types, pointers, JSONata strings."""

from __future__ import annotations

from typing import Any, Iterator

from ...dataflow.json_values import is_integral, is_number, json_node_type
from ...documents.pointers import join
from .model import Document, Issue, StateNode

__all__ = [
    "describe_type",
    "is_integral",
    "is_jsonata",
    "is_number",
    "looks_like_jsonata",
    "ptr",
    "int_field",
]


ptr = join
"""``base`` extended by escaped JSON-pointer segments (``asl_engine.documents.pointers.join``)."""



def is_jsonata(value: Any) -> bool:
    """A JSONata string: ``{% expression %}``."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def looks_like_jsonata(value: Any) -> bool:
    """Meant as JSONata (starts with ``{%``), well-formed or not."""
    return isinstance(value, str) and value.lstrip().startswith("{%")


def describe_type(value: Any) -> str:
    """AWS's name for a JSON value's type (``STRING``, ``INTEGER``, ``OBJECT``, ``NULL``...)."""
    return json_node_type(value, integers=True)


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
    if not is_integral(value):
        expected = "an integer or a JSONata expression" if state.jsonata else "an integer"
        yield Issue(where, f"Expected value of type [INTEGER] for '{key}': it must be {expected}, not {describe_type(value)}", rule)
        return
    if value < minimum:
        yield Issue(where, f"Minimum value is {minimum} for '{key}'", rule)
    elif maximum is not None and value > maximum:
        yield Issue(where, f"Maximum value is {maximum} for '{key}'", rule)
