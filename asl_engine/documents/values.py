"""JSON values from users' text (execution inputs, task outputs, history
files): one reader, one set of errors, never a traceback.

``loads`` refuses, each with a one-line reason: malformed JSON (line and
column), ``NaN``/``Infinity`` (not JSON), numbers Python will not convert
(more than 4,300 digits), nesting too deep for the parser, and lone
surrogates (``"\\ud800"``: not Unicode text, so no output could carry it).
``decode`` refuses bytes that are not UTF-8, naming the first bad byte.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["JsonTextError", "decode", "loads", "read_file"]

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonTextError(ValueError):
    """A user's text is not an acceptable JSON value (``str(error)`` says why, naming ``origin``)."""


def _no_constants(name: str) -> Any:
    raise JsonTextError(f"{name} is not JSON")


def decode(data: bytes, origin: str) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JsonTextError(f"{origin} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def loads(text: str, origin: str) -> Any:
    """The JSON value of ``text``; ``JsonTextError`` naming ``origin`` otherwise."""
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except JsonTextError as exc:
        raise JsonTextError(f"{origin} is not valid JSON: {exc}") from None
    except RecursionError:
        raise JsonTextError(f"{origin} nests arrays or objects too deeply (about 1,000 levels at most)") from None
    except ValueError as exc:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise JsonTextError(f"{origin} holds a number too long to read ({exc.args[0].split(':')[0]})") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JsonTextError(f"{origin} holds a lone surrogate (\\ud800-\\udfff): it is not Unicode text") from None
    return value


def read_file(path: str, origin: str) -> Any:
    """The JSON value of the file at ``path`` (``OSError`` as a ``JsonTextError`` too)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise JsonTextError(f"cannot read {origin}: {exc.strerror or exc}") from None
    return loads(decode(data, origin), origin)
