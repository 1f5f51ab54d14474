"""Placeholder-aware structural comparison of recorded AWS values with engine values.

Implements rules 1 and 2 of ``shared/conformance/localstack/README.md``:

1. **Placeholders.** The recording tool replaced some values before storing
   them. A *token* is

   * any string listed in the case's ``placeholders`` lists (``<uuid:1>``,
     ``111111111111``, ``bucket-name``, ``date``, ...);
   * any ``<...>`` word found in an expected string (``<region>``,
     ``<ArnPart_0idx>``, ...), listed or not;
   * the bare words ``date`` (an ISO-8601 timestamp) and ``timestamp`` (the
     value of a key containing "timestamp"), as whole values only.

   Inside a string each token stands for ``.*?``; an expected string that *is*
   one token matches any JSON value (``"RandomNumberGenerated"`` stands for
   a number).

2. **JSON text fields.** Values are compared structurally (dict key order is
   ignored, list order is not, ``True`` is not ``1``, ``1`` is not ``1.0``).
   :meth:`Matcher.match_cause` handles an ``expected.cause`` that is an object
   (the engine's cause text is parsed first). With ``parse_json_strings=True``
   (a replayed task cause was ``parsed-object``, so its text formatting is
   ours, not AWS's) two strings that both parse as a JSON object/array are
   compared parsed.

The result of a comparison is ``None`` (match) or a :class:`Mismatch` whose
``str()`` explains the first difference: JSON path, expected, actual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = ["Matcher", "Mismatch", "describe", "short_json", "tokens_for_case"]

#: ``<...>`` placeholder words (``<uuid:1>``, ``<ArnPart_0idx>``, ``<json-input:1>``).
ANGLE_TOKEN = re.compile(r"<[A-Za-z0-9_][A-Za-z0-9_:.\-]*>")
#: Bare words that stand for a whole value even when not listed.
WHOLE_VALUE_WORDS = frozenset({"date", "timestamp"})

_MISSING = object()


def short_json(value: Any, limit: int = 160) -> str:
    """One-line JSON text of *value*, cut at *limit* characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def describe(value: Any) -> str:
    """JSON type name of *value* (``object``, ``array``, ``string``, ``integer``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def tokens_for_case(placeholders: dict[str, list[str]] | None) -> set[str]:
    """Every token listed in a case's ``placeholders`` lists (all categories)."""
    tokens: set[str] = set()
    for values in (placeholders or {}).values():
        tokens.update(t for t in values if isinstance(t, str) and t)
    return tokens


@dataclass
class Mismatch:
    """The first difference found: where, what was expected, what the engine gave."""

    path: str
    message: str
    expected: Any = _MISSING
    actual: Any = _MISSING
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"at {self.path}: {self.message}"]
        if self.expected is not _MISSING:
            lines.append(f"  expected: {short_json(self.expected, 400)}")
        if self.actual is not _MISSING:
            lines.append(f"  actual:   {short_json(self.actual, 400)}")
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)

    def one_line(self) -> str:
        """A compact single-line form for reports."""
        text = f"at {self.path}: {self.message}"
        if self.expected is not _MISSING:
            text += f"; expected {short_json(self.expected, 80)}"
        if self.actual is not _MISSING:
            text += f", got {short_json(self.actual, 80)}"
        return text


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _looks_like_json_container(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("{") or stripped.startswith("[")


def _try_parse(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return _MISSING


class Matcher:
    """Compare an expected (recorded) JSON value with an actual (engine) one.

    ``tokens``: the wildcards (usually :func:`tokens_for_case` of the case).
    ``parse_json_strings``: compare JSON-looking strings parsed on both sides
    when their texts differ (for cases whose task causes were re-serialised).
    """

    def __init__(self, tokens: Iterable[str] = (), *, parse_json_strings: bool = False) -> None:
        self.tokens = frozenset(t for t in tokens if t)
        self.parse_json_strings = parse_json_strings
        self._regex_cache: dict[str, re.Pattern[str] | None] = {}
        # Literal tokens, longest first so that "<uuid:10>" wins over "<uuid:1>".
        self._literal_tokens = sorted(
            (t for t in self.tokens if not ANGLE_TOKEN.fullmatch(t)), key=len, reverse=True
        )

    # ------------------------------------------------------------------ tokens
    def is_token(self, text: str) -> bool:
        """True when *text* as a whole is a placeholder (matches any JSON value)."""
        return text in self.tokens or text in WHOLE_VALUE_WORDS or bool(ANGLE_TOKEN.fullmatch(text))

    def pattern(self, text: str) -> re.Pattern[str] | None:
        """The regex for an expected string with tokens, or None if it has none."""
        if text in self._regex_cache:
            return self._regex_cache[text]
        spans: list[tuple[int, int]] = [m.span() for m in ANGLE_TOKEN.finditer(text)]
        for token in self._literal_tokens:
            start = text.find(token)
            while start != -1:
                end = start + len(token)
                if not any(s < end and start < e for s, e in spans):
                    spans.append((start, end))
                start = text.find(token, end)
        if not spans:
            self._regex_cache[text] = None
            return None
        spans.sort()
        parts: list[str] = []
        pos = 0
        for start, end in spans:
            parts.append(re.escape(text[pos:start]))
            parts.append(".*?")
            pos = end
        parts.append(re.escape(text[pos:]))
        compiled = re.compile("".join(parts), re.DOTALL)
        self._regex_cache[text] = compiled
        return compiled

    def string_matches(self, expected: str, actual: str) -> bool:
        """Whether the actual string matches the expected one with its wildcards."""
        if expected == actual:
            return True
        compiled = self.pattern(expected)
        return compiled is not None and compiled.fullmatch(actual) is not None

    # ----------------------------------------------------------------- compare
    def match(self, expected: Any, actual: Any, path: str = "$") -> Mismatch | None:
        """``None`` when *actual* matches *expected*, else the first :class:`Mismatch`."""
        if isinstance(expected, str) and self.is_token(expected):
            return None
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                return Mismatch(path, f"expected an object, got {describe(actual)}", expected, actual)
            return self._match_object(expected, actual, path)
        if isinstance(expected, list):
            if not isinstance(actual, list):
                return Mismatch(path, f"expected an array, got {describe(actual)}", expected, actual)
            return self._match_array(expected, actual, path)
        if isinstance(expected, str):
            if not isinstance(actual, str):
                return Mismatch(path, f"expected a string, got {describe(actual)}", expected, actual)
            return self._match_string(expected, actual, path)
        if isinstance(expected, bool) or expected is None:
            if actual is expected:
                return None
            return Mismatch(path, "value differs", expected, actual)
        if isinstance(expected, (int, float)):
            if isinstance(actual, bool) or not isinstance(actual, (int, float)):
                return Mismatch(path, f"expected a number, got {describe(actual)}", expected, actual)
            if expected != actual:
                return Mismatch(path, "number differs", expected, actual)
            if type(expected) is not type(actual):
                return Mismatch(
                    path,
                    f"number has the right value but the wrong JSON form "
                    f"(expected {describe(expected)}, got {describe(actual)}: "
                    f"{json.dumps(expected)} vs {json.dumps(actual)})",
                    expected,
                    actual,
                )
            return None
        if expected != actual:  # pragma: no cover - not a JSON value
            return Mismatch(path, "value differs", expected, actual)
        return None

    def match_cause(self, expected: Any, actual: Any, path: str = "cause") -> Mismatch | None:
        """Compare ``expected.cause`` with the engine's cause text.

        When the expected cause is an object/array, the AWS cause was its JSON
        text with unknown formatting: parse the engine's cause and compare.
        """
        if isinstance(expected, (dict, list)):
            if not isinstance(actual, str):
                return Mismatch(
                    path, f"expected a JSON text of an {describe(expected)}, got {describe(actual)}",
                    expected, actual,
                )
            parsed = _try_parse(actual)
            if parsed is _MISSING:
                return Mismatch(
                    path, f"expected JSON {describe(expected)} text, engine cause is not valid JSON",
                    expected, actual,
                )
            return self.match(expected, parsed, path)
        return self.match(expected, actual, path)

    # ---------------------------------------------------------------- helpers
    def _match_object(self, expected: dict[str, Any], actual: dict[str, Any], path: str) -> Mismatch | None:
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        # Keys written with placeholders pair with a leftover actual key.
        pairs: list[tuple[str, str]] = []
        for key in list(missing):
            for other in extra:
                if self.string_matches(key, other):
                    pairs.append((key, other))
                    missing.remove(key)
                    extra.remove(other)
                    break
        if missing or extra:
            bits = []
            if missing:
                bits.append("missing key(s) " + ", ".join(json.dumps(k) for k in missing))
            if extra:
                bits.append("unexpected key(s) " + ", ".join(json.dumps(k) for k in extra))
            notes = []
            for k in missing[:3]:
                notes.append(f"expected {_join(path, k)} = {short_json(expected[k], 200)}")
            for k in extra[:3]:
                notes.append(f"actual   {_join(path, k)} = {short_json(actual[k], 200)}")
            return Mismatch(path, "; ".join(bits), notes=notes)
        for key, value in expected.items():
            other_key = next((a for e, a in pairs if e == key), key)
            found = self.match(value, actual[other_key], _join(path, key))
            if found is not None:
                return found
        return None

    def _match_array(self, expected: list[Any], actual: list[Any], path: str) -> Mismatch | None:
        for index, (exp, act) in enumerate(zip(expected, actual)):
            found = self.match(exp, act, _join(path, index))
            if found is not None:
                if len(expected) != len(actual):
                    found.notes.append(
                        f"(also: array at {path} has {len(actual)} items, expected {len(expected)})"
                    )
                return found
        if len(expected) != len(actual):
            mismatch = Mismatch(
                path, f"array length differs: expected {len(expected)} items, got {len(actual)}",
                expected, actual,
            )
            return mismatch
        return None

    def _match_string(self, expected: str, actual: str, path: str) -> Mismatch | None:
        if self.string_matches(expected, actual):
            return None
        if self.parse_json_strings and _looks_like_json_container(expected) and _looks_like_json_container(actual):
            exp_parsed, act_parsed = _try_parse(expected), _try_parse(actual)
            if exp_parsed is not _MISSING and act_parsed is not _MISSING:
                found = self.match(exp_parsed, act_parsed, path + "<parsed JSON text>")
                if found is None:
                    return None
                return found
        notes = []
        if _looks_like_json_container(expected) and _looks_like_json_container(actual):
            exp_parsed, act_parsed = _try_parse(expected), _try_parse(actual)
            if exp_parsed is not _MISSING and act_parsed is not _MISSING:
                inner = Matcher(self.tokens).match(exp_parsed, act_parsed, "$")
                if inner is None:
                    notes.append("both are JSON texts of the same value: only the text formatting differs "
                                 "(separators, key order or escaping)")
                else:
                    notes.append(f"as parsed JSON: {inner.one_line()}")
        compiled = self.pattern(expected)
        if compiled is not None:
            notes.insert(0, self.explain_pattern_failure(expected, actual))
            return Mismatch(path, "string does not match the expected pattern (placeholders are wildcards)",
                            expected, actual, notes=notes)
        prefix = 0
        for a, b in zip(expected, actual):
            if a != b:
                break
            prefix += 1
        note = f"first difference at character {prefix}: expected {expected[prefix:prefix + 40]!r}, got {actual[prefix:prefix + 40]!r}"
        return Mismatch(path, "string differs", expected, actual, notes=[note, *notes])

    def segments(self, text: str) -> list[str | None]:
        """*text* split into literal parts and ``None`` for each wildcard."""
        compiled = self.pattern(text)
        if compiled is None:
            return [text]
        out: list[str | None] = []
        for part in compiled.pattern.split(".*?"):
            out.append(_unescape(part))
            out.append(None)
        return out[:-1]

    def explain_pattern_failure(self, expected: str, actual: str) -> str:
        """Which literal part of a wildcard pattern the actual string lacks."""
        pos = 0
        after_wildcard = False
        for segment in self.segments(expected):
            if segment is None:
                after_wildcard = True
                continue
            if not after_wildcard:
                if not actual.startswith(segment, pos):
                    k = 0
                    while k < len(segment) and pos + k < len(actual) and actual[pos + k] == segment[k]:
                        k += 1
                    return (f"at character {pos + k}: expected literal {segment[k:k + 60]!r}, "
                            f"got {actual[pos + k:pos + k + 60]!r}")
                pos += len(segment)
            else:
                found = actual.find(segment, pos)
                if found == -1:
                    return (f"after character {pos}: literal {segment[:60]!r} "
                            f"not found in the rest {actual[pos:pos + 60]!r}")
                pos = found + len(segment)
            after_wildcard = False
        if not after_wildcard and pos != len(actual):
            return f"unexpected trailing text {actual[pos:pos + 60]!r}"
        return "no alignment of the wildcards fits"


def _unescape(pattern_text: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern_text, flags=re.DOTALL)
