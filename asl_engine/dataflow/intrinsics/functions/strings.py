"""States.StringSplit: split on any of the delimiter characters.

Behaves like Java's ``StringTokenizer``: every character of the second
argument is a delimiter and empty tokens are dropped (recorded against AWS:
``",,,,"`` gives ``[]`` and ``", , ,"`` gives ``[" ", " "]``).
"""

from __future__ import annotations

from typing import Any, Sequence

from ..registry import ARRAY, STRING, CallContext, register


@register("States.StringSplit", (STRING, STRING), returns=ARRAY)
def states_string_split(args: Sequence[Any], ctx: CallContext) -> Any:
    """Tokens of the string between delimiter characters, empty ones dropped."""
    text, delimiters = args
    if not delimiters:
        return [text] if text else []
    tokens: list[str] = []
    buf: list[str] = []
    for ch in text:
        if ch in delimiters:
            if buf:
                tokens.append("".join(buf))
                buf = []
        else:
            buf.append(ch)
    if buf:
        tokens.append("".join(buf))
    return tokens
