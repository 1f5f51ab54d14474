"""JSON values from users' text (execution inputs, task outputs, history
files, mock configs, HTTP bodies, definitions): one reader, one set of
errors, never a traceback.

``loads`` refuses, each with a one-line reason: malformed JSON (line and
column), ``NaN``/``Infinity`` (not JSON), numbers Python will not convert
(more than 4,300 digits) or that overflow a double (``1e999``, which
Python would read as ``inf`` and print as the invalid ``Infinity``), nesting too deep for the parser, and lone
surrogates (``"\\ud800"``: not Unicode text, so no output could carry it).
``decode`` refuses bytes that are not UTF-8, naming the first bad byte;
``read_text`` turns an unreadable file into the same error.

Parsers that need more than a value (the definition loader keeps positions
and duplicate keys) call ``json.loads`` themselves and take their texts from
``failure_reason`` and ``lone_surrogate``, so that every reader words a
problem the same way. ``encoded_problem`` checks the other direction: that
text the engine made from a Python value (a handler's result) is JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "JsonTextError", "decode", "encoded_problem", "failure_reason", "finite_float", "loads", "lone_surrogate", "read_file",
    "read_text",
]

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
TOO_DEEP = "nests arrays or objects too deeply (about 1,000 levels at most)"
SURROGATE = "holds a lone surrogate (\\ud800-\\udfff): it is not Unicode text"
NOT_FINITE = "holds NaN or Infinity, which JSON cannot carry"


class JsonTextError(ValueError):
    """A user's text is not an acceptable JSON value (``str(error)`` says why, naming ``origin``)."""


def _no_constants(name: str) -> Any:
    raise JsonTextError(f"{name} is not JSON")


def finite_float(text: str) -> float:
    """``parse_float`` for ``json.loads``: a number too large for a double is refused, not ``inf``."""
    value = float(text)
    if value in (_INF, -_INF):
        raise JsonTextError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is too large for JSON")
    return value


_INF = float("inf")


def decode(data: bytes, origin: str) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JsonTextError(f"{origin} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_text(path: str, origin: str) -> str:
    """The UTF-8 text of the file at ``path``; ``JsonTextError`` when it cannot be read or decoded."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise JsonTextError(f"cannot read {origin}: {exc.strerror or exc}") from None
    return decode(data, origin)


def failure_reason(exc: BaseException) -> str | None:
    """Why ``json.loads`` (called with ``parse_constant`` raising ``ValueError``)
    refused a text, as the tail of "<origin> ..."; ``None`` for a syntax
    error (``json.JSONDecodeError``), whose position the caller reports."""
    if isinstance(exc, json.JSONDecodeError):
        return None
    if isinstance(exc, RecursionError):
        return TOO_DEEP
    text = str(exc.args[0]) if exc.args else str(exc)
    if "NaN" in text or "Infinity" in text or "too large for JSON" in text:
        return f"is not valid JSON: {text.split(':')[0]}"
    if "digits" in text:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        return f"holds a number too long to read ({text.split(':')[0]})"
    return f"is not valid JSON: {text}"


def lone_surrogate(text: str, value: Any) -> bool:
    """Whether ``value``, parsed from ``text``, holds a lone surrogate (only
    an escape in ``text`` can make one, so the common case costs one search)."""
    if not _SURROGATE_ESCAPE.search(text):
        return False
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def loads(text: str, origin: str) -> Any:
    """The JSON value of ``text``; ``JsonTextError`` naming ``origin`` otherwise."""
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=finite_float)
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise JsonTextError(f"{origin} {failure_reason(exc)}") from None
    if lone_surrogate(text, value):
        raise JsonTextError(f"{origin} {SURROGATE}")
    return value


def read_file(path: str, origin: str) -> Any:
    """The JSON value of the file at ``path`` (``OSError`` as a ``JsonTextError`` too)."""
    return loads(read_text(path, origin), origin)


def encoded_problem(text: str) -> str | None:
    """Why ``text``, made by a JSON encoder that lets ``NaN`` through, is not
    JSON (``NOT_FINITE`` or ``SURROGATE``); ``None`` when it is. Cheap for
    the common case: one substring search, and ``isascii``."""
    if "NaN" in text or "Infinity" in text:
        try:
            json.loads(text, parse_constant=_no_constants)
        except JsonTextError:
            return NOT_FINITE
        except (ValueError, RecursionError):
            pass
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE
    return None
