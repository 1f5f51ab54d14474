"""How AWS reads JSON values in messages and numeric fields."""

from __future__ import annotations

import re
from typing import Any

from ..dataflow.jsonpath import to_json

__all__ = ["as_float", "as_integer", "render"]


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
