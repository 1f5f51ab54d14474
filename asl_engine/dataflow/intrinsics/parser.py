"""Parser of intrinsic-function calls: text -> ``Call`` tree, once, at load time.

Grammar (AWS's, as far as it is documented or observed)::

    call     := "States." NAME "(" [ ws arg ( ws "," ws arg )* ] ws ")"
    arg      := string | number | "null" | "true" | "false" | path | call
    string   := "'" ( char | "\\'" | "\\{" | "\\}" | "\\\\" )* "'"
    number   := JSON number (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
    path     := "$" ...    (JSONPath, "$$" context path or "$var" variable path)

Rules that come from AWS rather than the grammar:

* the text must start with ``States.``: leading whitespace is rejected
  (AWS language service and statelint), trailing whitespace is accepted;
* a backslash in a string literal may only escape ``' { } \\``; anything
  else (``\\"``, ``\\n``) makes AWS reject the definition;
* at most 10 calls may be nested in one field (AWS documents the limit).
"""

from __future__ import annotations

import math
import re

from ..jsonpath import PathError, compile_path
from .errors import IntrinsicSyntaxError
from .nodes import Call, Literal, Node, PathArg
from .registry import function_names, lookup

__all__ = ["MAX_NESTING", "parse_intrinsic"]

MAX_NESTING = 10
"""AWS: "You can nest up to 10 intrinsic functions within a field"."""

_WS = " \t\r\n"
_NAME_RE = re.compile(r"States\.([A-Za-z0-9_]*)")
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_KEYWORDS = {"null": None, "true": True, "false": False}
_ESCAPABLE = "'{}\\"


def parse_intrinsic(text: str) -> Call:
    """Parse ``text`` into a ``Call``; raise ``IntrinsicSyntaxError`` with the reason."""
    return _Parser(text).parse()


class _Parser:
    """A recursive-descent parser over one string; positions are 0-based offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, position: int | None = None) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(message, self.text, self.pos if position is None else position)

    def parse(self) -> Call:
        if not isinstance(self.text, str):
            raise IntrinsicSyntaxError("an intrinsic function call must be a string", repr(self.text))
        if self.text[:1] in tuple(_WS) and self.text.strip():
            raise self.error("leading whitespace is not allowed before 'States.'", 0)
        call = self.call(depth=1)
        self.skip_ws()
        if self.pos != len(self.text):
            raise self.error(f"unexpected text after the closing ')': {self.text[self.pos:]!r}")
        return call

    # ------------------------------------------------------------------ helpers

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_delimiter(self, pos: int) -> bool:
        """Whether a token ending at ``pos`` is properly terminated."""
        return pos >= len(self.text) or self.text[pos] in _WS + ",)"

    # ------------------------------------------------------------------ call

    def call(self, depth: int) -> Call:
        start = self.pos
        match = _NAME_RE.match(self.text, self.pos)
        if not match:
            raise self.error("expected an intrinsic function name such as 'States.Format'")
        name = match.group(0)
        self.pos = match.end()
        if self.peek() != "(":
            raise self.error(f"expected '(' right after {name!r}")
        spec = lookup(name)
        if spec is None:
            known = ", ".join(function_names())
            raise self.error(f"unknown intrinsic function {name!r} (known: {known})", start)
        if depth > MAX_NESTING:
            raise self.error(f"intrinsic functions can be nested at most {MAX_NESTING} deep", start)
        self.pos += 1
        args: list[Node] = []
        self.skip_ws()
        if self.peek() == ")":
            self.pos += 1
        else:
            while True:
                if self.peek() in (",", ")"):
                    raise self.error("missing argument")
                args.append(self.argument(depth))
                self.skip_ws()
                ch = self.peek()
                if ch == ",":
                    self.pos += 1
                    self.skip_ws()
                    continue
                if ch == ")":
                    self.pos += 1
                    break
                if ch == "":
                    raise self.error(f"missing ')' to close {name}(")
                raise self.error(f"expected ',' or ')' but found {ch!r}")
        arity = spec.arity_error(len(args))
        if arity is not None:
            raise self.error(arity, start)
        return Call(spec=spec, args=tuple(args), text=self.text[start : self.pos])

    # ------------------------------------------------------------------ arguments

    def argument(self, depth: int) -> Node:
        ch = self.peek()
        if ch == "'":
            return self.string()
        if ch == "$":
            return self.path()
        if self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        if ch == "-" or ch.isdigit():
            return self.number()
        for word, value in _KEYWORDS.items():
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and self.at_delimiter(end):
                self.pos = end
                return Literal(value=value, raw=word, kind="null" if value is None else "boolean")
        if ch == "":
            raise self.error("unexpected end of text; missing ')'")
        raise self.error(
            f"unexpected {ch!r}: an argument is a 'string', a number, null, true, false, "
            "a path starting with '$', or a nested States.* call"
        )

    def string(self) -> Literal:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated string literal", start)
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1 : self.pos + 2]
                if nxt == "" or nxt not in _ESCAPABLE:
                    shown = "\\" + nxt if nxt else "\\"
                    raise self.error(
                        f"invalid escape sequence {shown!r} in a string literal "
                        "(only \\' \\{ \\} and \\\\ are allowed)"
                    )
                out.append(nxt)
                self.pos += 2
                continue
            if ch == "'":
                raw = self.text[start + 1 : self.pos]
                self.pos += 1
                if not self.at_delimiter(self.pos):
                    raise self.error("expected ',' or ')' after the string literal")
                return Literal(value="".join(out), raw=raw, kind="string")
            out.append(ch)
            self.pos += 1

    def number(self) -> Literal:
        match = _NUMBER_RE.match(self.text, self.pos)
        if not match or not self.at_delimiter(match.end()):
            raise self.error("invalid number literal")
        raw = match.group(0)
        self.pos = match.end()
        if match.group(1) is None and match.group(2) is None:
            return Literal(value=int(raw), raw=raw, kind="number")
        value = float(raw)
        if not math.isfinite(value):
            raise self.error(f"number literal {raw} is out of range", match.start())
        return Literal(value=value, raw=raw, kind="number")

    def path(self) -> PathArg:
        """Take a path up to the ',' / ')' / whitespace that ends it.

        Brackets may contain anything (quoted names, filters with parentheses
        and commas), so the scan tracks bracket depth and quotes inside them.
        """
        start = self.pos
        depth = 0
        quote = ""
        i = self.pos
        while i < len(self.text):
            ch = self.text[i]
            if depth:
                if quote:
                    if ch == "\\":
                        i += 2
                        continue
                    if ch == quote:
                        quote = ""
                elif ch in "'\"":
                    quote = ch
                elif ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
            elif ch == "[":
                depth = 1
            elif ch in _WS + ",)":
                break
            i += 1
        if depth:
            raise self.error("unclosed '[' in path argument", start)
        token = self.text[start:i]
        try:
            path = compile_path(token)
        except PathError as exc:
            raise self.error(f"invalid path argument {token!r}: {exc}", start) from None
        self.pos = i
        return PathArg(text=token, path=path)
