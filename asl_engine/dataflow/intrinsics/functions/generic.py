"""States.Format: ``{}`` placeholders filled positionally.

Template syntax (the same whether the template is a literal or comes from a
path): ``{}`` is a placeholder; ``\\{`` ``\\}`` ``\\'`` ``\\\\`` are the
literal characters; any other ``{`` or ``}`` is an error. The number of
placeholders must equal the number of further arguments; AWS checks this
when the state runs, not when the machine is created.

Arguments are printed as AWS prints them: strings raw, ``null``, ``true``,
numbers as Java does (``1.1``, ``1.0E20``) and objects/arrays Java-style
(``{Arg1=1, Arg2=[]}``), all recorded against AWS. A non-string template is
first printed the same way.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import ArgumentError
from ..javacompat import java_text
from ..registry import ANY, STRING, CallContext, register

__all__ = ["PLACEHOLDER", "parse_template"]

PLACEHOLDER = None
"""Marker for a ``{}`` in a parsed template (literal text parts are ``str``)."""

_ESCAPED = "{}'\\"


def parse_template(template: str) -> list[str | None]:
    """Split a template into literal text and ``PLACEHOLDER`` markers.

    Raises ``ArgumentError`` with AWS's wording for an unmatched brace.
    """
    parts: list[str | None] = []
    buf: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        ch = template[i]
        if ch == "\\" and i + 1 < n and template[i + 1] in _ESCAPED:
            buf.append(template[i + 1])
            i += 2
            continue
        if ch == "{":
            if i + 1 < n and template[i + 1] == "}":
                parts.append("".join(buf))
                buf = []
                parts.append(PLACEHOLDER)
                i += 2
                continue
            raise ArgumentError("Invalid template in States.Format: matching '}' not found for '{'.")
        if ch == "}":
            raise ArgumentError("Invalid template in States.Format: matching '{' not found for '}'.")
        buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


@register("States.Format", (ANY,), returns=STRING, variadic=ANY, raw_template=0)
def states_format(args: Sequence[Any], ctx: CallContext) -> Any:
    """The template with each ``{}`` replaced by the next argument's text."""
    template = args[0] if isinstance(args[0], str) else java_text(args[0])
    values = args[1:]
    parts = parse_template(template)
    if sum(1 for p in parts if p is PLACEHOLDER) != len(values):
        raise ArgumentError(
            "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."
        )
    out: list[str] = []
    it = iter(values)
    for part in parts:
        out.append(java_text(next(it)) if part is PLACEHOLDER else part)
    return "".join(out)
