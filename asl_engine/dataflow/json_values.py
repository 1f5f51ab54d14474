"""Small facts about JSON values shared by the path, intrinsic and JSONata code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

__all__ = ["copy_json", "json_type_name"]


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
