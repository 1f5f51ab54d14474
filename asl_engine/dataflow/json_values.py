"""Small facts about JSON values shared by the path, intrinsic and JSONata code,
and how AWS reads JSON values in messages and numeric fields."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from .jsonpath import to_json

__all__ = [
    "a_json_type",
    "as_float",
    "as_integer",
    "copy_json",
    "is_integral",
    "is_number",
    "json_node_type",
    "json_type_name",
    "render",
]


def copy_json(value: Any) -> Any:
    """A fast deep copy of a JSON value (dicts, lists and scalars only)."""
    # Scalars are tested inline and a dict is copied whole first: a call per
    # leaf, and a comprehension's frame, were most of the cost.
    if isinstance(value, dict):
        new = dict(value)
        for key, item in new.items():
            if isinstance(item, (dict, list)):
                new[key] = copy_json(item)  # replacing a value while iterating is safe: the keys stay
        return new
    if isinstance(value, list):
        return [copy_json(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def json_type_name(value: Any) -> str:
    """AWS's name of a value's JSON type: 'null', 'boolean', 'number', 'string',
    'array' or 'object' (a Python ``bool`` is not a number here)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def json_node_type(value: Any, *, integers: bool = False) -> str:
    """AWS's upper-case name of a value's type in its messages (Jackson's
    ``JsonNodeType``: ``STRING``, ``NUMBER``, ``OBJECT``, ``NULL``...); with
    ``integers``, an integral number is ``INTEGER`` (the schema validator's
    word). A value that is not JSON is named by its Python type."""
    if integers and is_integral(value):
        return "INTEGER"
    try:
        return json_type_name(value).upper()
    except TypeError:
        return type(value).__name__.upper()


def a_json_type(value: Any) -> str:
    """``"a string"``, ``"an object"``, ``"null"``... for messages."""
    try:
        kind = json_type_name(value)
    except TypeError:
        return f"a {type(value).__name__}"
    if kind == "null":
        return kind
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def is_integral(value: Any) -> bool:
    """A JSON integer: an ``int`` or an integral float (``2.0`` counts, as for
    Jackson's ``canConvertToExactIntegral``); ``true`` does not."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def is_number(value: Any) -> bool:
    """A JSON number (``true`` is not one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_INT_TEXT = re.compile(r"[+-]?\d+")
_FLOAT_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def as_integer(value: Any) -> int | None:
    """A JSON value read as an integer the way AWS reads ``...Path`` fields:
    integers, integral numbers, and strings holding an integer (AWS accepts "1")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    return None


def as_float(value: Any) -> float | None:
    """As ``as_integer``, for ``ToleratedFailurePercentagePath`` (a float)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _FLOAT_TEXT.fullmatch(value):
        return float(value)
    return None


def render(value: Any) -> str:
    """A value as AWS prints it inside messages (strings bare, JSON otherwise)."""
    if isinstance(value, str):
        return value
    return to_json(value)
