"""Small facts about JSON values shared by the path, intrinsic and JSONata code,
and how AWS reads JSON values in messages and numeric fields."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from .jsonpath import to_json

__all__ = ["as_float", "as_integer", "copy_json", "json_type_name", "render"]


def copy_json(value: Any) -> Any:
    """A fast deep copy of a JSON value (dicts, lists and scalars only)."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
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
