"""A small seeded mutator for JSON documents and texts (no third-party fuzzer).

``Mutator(seed)`` makes the same cases for the same seed. ``value`` mutates
a JSON value (replace, drop, duplicate, re-type a member; insert hostile
values: deep nesting, huge numbers, NaN, lone surrogates, long strings,
wrong types); ``text`` mutates JSON text (bytes flipped, inserted, deleted,
truncated; tokens of JSON spliced in); ``soup`` strings tokens together.
Each case is small, so that a whole fuzz test stays within a few seconds.
"""

from __future__ import annotations

import copy
import random
from typing import Any, Sequence

HOSTILE_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 2**63, -(2**63) - 1, 10**30, 1e308, -1e-308, 2**31, 99999999,
    "", " ", "$", "$.", "$$", "$[0]", "$..a", "$.a[?(@.b > 1)]", "{% %}", "{% $x %}", "{%", "%}", "\x00", "\u2028",
    "é", "😀", "\ud800", "States.ALL", "States.Format('{}', $)", "2016-03-14T01:59:00Z", "9999-12-31T23:59:59Z",
    "arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:states:::lambda:invoke", "x" * 300,
    [], {}, [[[[[[[[]]]]]]]], {"a": {"b": {"c": {}}}}, [1, "a", None], {"Type": "Pass"}, {"Next": "nowhere"},
)
"""Values a mutation may put anywhere (a lone surrogate among them; NaN only in texts)."""

HOSTILE_TEXTS: tuple[str, ...] = (
    "NaN", "Infinity", "-Infinity", "1e999", "1" * 5000, '"\\ud800"', '"\\udfff\\ud800"', "[" * 2000, "]" * 50,
    "{", "}", ",", ":", '"', "\\", "\\u", "null", "true", "1e-999", "-0", "0x10", "\ufeff", "\x00", "\xff",
    '{"a":1,"a":2}', "/* */", "//", "'", "{%", "%}",
)
"""Fragments a text mutation may splice in."""


class Mutator:
    """Seeded mutations (``random.Random(seed)``: the same seed, the same cases)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def choice(self, items: Sequence[Any]) -> Any:
        return items[self.random.randrange(len(items))]

    def value(self, document: Any, mutations: int = 3) -> Any:
        """``document`` with up to ``mutations`` random changes (a deep copy)."""
        result = copy.deepcopy(document)
        for _ in range(self.random.randint(1, mutations)):
            result = self._mutate(result, depth=0)
        return result

    def _mutate(self, node: Any, depth: int) -> Any:
        r = self.random
        if isinstance(node, dict) and node and r.random() < 0.7 and depth < 12:
            key = self.choice(sorted(node))
            action = r.random()
            if action < 0.15:
                del node[key]
            elif action < 0.25:
                node[self.choice([key + "x", key.lower(), "Type", "Next", "End", "Parameters", "Comment"])] = node[key]
            else:
                node[key] = self._mutate(node[key], depth + 1)
            return node
        if isinstance(node, list) and node and r.random() < 0.7 and depth < 12:
            index = r.randrange(len(node))
            action = r.random()
            if action < 0.15:
                del node[index]
            elif action < 0.25:
                node.append(copy.deepcopy(node[index]))
            else:
                node[index] = self._mutate(node[index], depth + 1)
            return node
        if isinstance(node, str) and node and r.random() < 0.5:
            return self.string(node)
        return copy.deepcopy(self.choice(HOSTILE_VALUES))

    def string(self, text: str) -> str:
        """A small change of ``text``: a character dropped, doubled or replaced, or a fragment inserted."""
        r = self.random
        at = r.randrange(len(text) + 1)
        action = r.random()
        if action < 0.3:
            return text[:at] + text[at + 1:]
        if action < 0.5:
            return text[:at] + text[at:at + 1] * 2 + text[at + 1:]
        return text[:at] + self.choice(("$", ".", "'", "(", ")", "{", "}", "\\", ",", " ", "[", "]", "%", "#", "0")) + text[at:]

    def text(self, source: str, mutations: int = 3) -> bytes:
        """``source`` as UTF-8 with up to ``mutations`` byte-level changes."""
        r = self.random
        data = bytearray(source.encode("utf-8"))
        for _ in range(r.randint(1, mutations)):
            at = r.randrange(len(data) + 1)
            action = r.random()
            if action < 0.25:
                del data[at:at + r.randint(1, 8)]
            elif action < 0.4:
                data[at:at] = bytes([r.randrange(256)])
            elif action < 0.5:
                del data[at:]
            else:
                data[at:at] = self.choice(HOSTILE_TEXTS).encode("utf-8", "surrogatepass")
        return bytes(data)

    def soup(self, tokens: Sequence[str], length: int = 12) -> str:
        """Up to ``length`` of ``tokens`` in a random order."""
        return "".join(self.choice(tokens) for _ in range(self.random.randint(1, length)))
