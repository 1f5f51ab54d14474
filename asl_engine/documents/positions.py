"""Positions: a JSON pointer of a document -> its 1-based ``line:column`` in the text.

* ``JsonLocator``: JSON text, scanned lazily (one regex pass, only when a
  diagnostic first asks), iteratively (any depth); it also finds repeated
  keys with their place;
* ``MapLocator``: positions known in advance (from YAML nodes);
* ``PrefixLocator``: a sub-document of a bigger one (a template's
  ``Definition``);
* ``FixedLocator``: everything at one place (JSON text inside a quoted
  string, whose inner positions cannot be mapped back).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from .pointers import escape

__all__ = ["FixedLocator", "JsonLocator", "Locator", "MapLocator", "PrefixLocator", "scan_json_positions"]


class Locator:
    """Maps a JSON pointer of the document to a 1-based ``(line, column)``.

    ``key=True`` asks for the position of the member's key (``"Next": ...``)
    rather than of its value. A pointer that does not exist (a missing field)
    falls back to its nearest existing ancestor.
    """

    def position(self, ptr: str, key: bool = False) -> tuple[int, int] | None:
        while True:
            found = self._lookup(ptr, key)
            if found is not None:
                return found
            if not ptr:
                return None
            ptr = ptr[: ptr.rfind("/")]
            key = True  # the container of a missing member: point at its name

    def _lookup(self, ptr: str, key: bool) -> tuple[int, int] | None:  # pragma: no cover - abstract
        raise NotImplementedError


_TOKEN_RE = re.compile(r'[ \t\r\n]*(?:("(?:[^"\\]|\\.)*")|([{}\[\],:])|([^ \t\r\n{}\[\],:"]+))', re.S)


class JsonLocator(Locator):
    """Positions in JSON text, from one lazy scan (only when first asked)."""

    def __init__(self, text: str, line_base: int = 0, column_base: int = 0, uniform_indent: bool = False) -> None:
        self._text = text
        self._line_base = line_base
        self._column_base = column_base
        self._uniform = uniform_indent
        self._spots: dict[str, tuple[int, int]] | None = None
        self._duplicates: list[tuple[str, int]] = []
        self._lines: list[int] | None = None

    def _scan(self) -> dict[str, tuple[int, int]]:
        if self._spots is None:
            self._spots, self._duplicates = scan_json_positions(self._text)
        return self._spots

    def duplicates(self) -> list[tuple[str, tuple[int, int]]]:
        """Every repeated key: ``(pointer, (line, column))`` of each later occurrence."""
        self._scan()
        return [(p, self._line_col(off)) for p, off in self._duplicates]

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer("\n", self._text)]
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        column = offset - start + 1
        if line == 0 or self._uniform:
            column += self._column_base
        return line + 1 + self._line_base, column

    def _lookup(self, ptr: str, key: bool) -> tuple[int, int] | None:
        spot = self._scan().get(ptr)
        if spot is None:
            return None
        key_offset, value_offset = spot
        return self._line_col(key_offset if key and key_offset >= 0 else value_offset)


def scan_json_positions(text: str) -> tuple[dict[str, tuple[int, int]], list[tuple[str, int]]]:
    """``pointer -> (key offset or -1, value offset)`` for every value of well-formed JSON text,
    and the repeated keys ``(pointer, key offset)``. Iterative: any depth is fine."""
    spots: dict[str, tuple[int, int]] = {}
    duplicates: list[tuple[str, int]] = []
    # One frame per open container: [is_object, pointer, next index, keys seen].
    stack: list[list[Any]] = []
    current, key_offset, expect_key = "", -1, False
    pos, end = 0, len(text)
    match = _TOKEN_RE.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            break
        pos = m.end()
        string, punct, literal = m.group(1), m.group(2), m.group(3)
        if punct is not None:
            if punct in "{[":
                spots[current] = (key_offset, m.start(2))
                if punct == "{":
                    stack.append([True, current, 0, set()])
                    expect_key = True
                else:
                    stack.append([False, current, 0, None])
                    current, key_offset = current + "/0", -1
            elif punct in "}]":
                if stack:
                    stack.pop()
                expect_key = False
            elif punct == ",":
                if stack:
                    frame = stack[-1]
                    if frame[0]:
                        expect_key = True
                    else:
                        frame[2] += 1
                        current, key_offset = f"{frame[1]}/{frame[2]}", -1
            continue
        if string is not None and expect_key and stack:
            name = json.loads(string) if "\\" in string else string[1:-1]
            frame = stack[-1]
            current = frame[1] + "/" + escape(name)
            key_offset = m.start(1)
            if name in frame[3]:
                duplicates.append((current, key_offset))
            frame[3].add(name)
            expect_key = False
            continue
        spots[current] = (key_offset, m.start(1) if string is not None else m.start(3))
    return spots, duplicates


class MapLocator(Locator):
    """Positions known in advance (YAML nodes): ``pointer -> (key pos or None, value pos)``."""

    def __init__(self, spots: dict[str, tuple[tuple[int, int] | None, tuple[int, int]]]) -> None:
        self._spots = spots

    def _lookup(self, ptr: str, key: bool) -> tuple[int, int] | None:
        spot = self._spots.get(ptr)
        if spot is None:
            return None
        return spot[0] if key and spot[0] is not None else spot[1]


class PrefixLocator(Locator):
    """The locator of a bigger document, seen from a sub-document at ``prefix``."""

    def __init__(self, outer: Locator, prefix: str) -> None:
        self._outer = outer
        self._prefix = prefix

    def position(self, ptr: str, key: bool = False) -> tuple[int, int] | None:
        return self._outer.position(self._prefix + ptr, key)

    def _lookup(self, ptr: str, key: bool) -> tuple[int, int] | None:  # pragma: no cover - unused
        return None


class FixedLocator(Locator):
    """Every pointer at one place (JSON text embedded in a quoted string)."""

    def __init__(self, where: tuple[int, int] | None) -> None:
        self._where = where

    def position(self, ptr: str, key: bool = False) -> tuple[int, int] | None:
        return self._where

    def _lookup(self, ptr: str, key: bool) -> tuple[int, int] | None:  # pragma: no cover - unused
        return self._where
