"""Small re-implementations of the Java behaviours that leak through AWS intrinsics.

Step Functions runs on the JVM and represents JSON with Jackson. Several
observable details of intrinsic results come from that stack rather than from
the ASL specification, so they are reproduced here, each in one function:

* ``java_double_str``: ``Double.toString`` (``1.0``, ``1.0E20``, ``1.0E-5``),
  which Jackson uses for floating point numbers;
* ``jackson_json``: Jackson's compact serialisation (``States.JsonToString``);
* ``java_text``: the ``toString`` of the Java value a JSON node converts to
  (``{Arg1=1, Arg2=[]}``), which ``States.Format`` prints for non-strings;
* ``java_round`` / ``java_trunc_int``: ``Math.round`` and the ``(int)`` cast;
* ``hashmap_order``: the iteration order of a ``java.util.HashMap``;
* ``JavaRandom``: ``java.util.Random`` (seeded ``States.MathRandom``);
* ``utf16_len``: ``String.length()``, which AWS's size limits count;
* ``lenient_b64decode``: a decoder that, like the one AWS uses, skips
  characters outside the alphabet instead of failing.

Nothing here knows about ASL; the functions are pure and side-effect free.
"""

from __future__ import annotations

import base64
import math
from decimal import Decimal
from typing import Any, Iterable

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "JavaRandom",
    "b64encode_text",
    "hashmap_order",
    "jackson_json",
    "java_double_str",
    "java_round",
    "java_string_hash",
    "java_text",
    "java_trunc_int",
    "lenient_b64decode",
    "utf16_len",
]

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


# --------------------------------------------------------------------------- numbers


def java_double_str(value: float) -> str:
    """Render a float exactly as ``java.lang.Double.toString`` does.

    Java prints plain decimal notation with at least one fractional digit for
    magnitudes in ``[1e-3, 1e7)`` and ``d.dddE<exp>`` otherwise. The digits are
    the shortest ones that round-trip, which is also what ``repr`` produces.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    dec = Decimal(repr(abs(value)))
    _, digit_tuple, exponent = dec.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    digits = "".join(str(d) for d in digit_tuple).rstrip("0") or "0"
    # Scientific exponent of the first significant digit.
    sci = len(digit_tuple) + exponent - 1
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        if sci >= 0:
            int_part = digits[: sci + 1].ljust(sci + 1, "0")
            frac_part = digits[sci + 1 :] or "0"
        else:
            int_part = "0"
            frac_part = "0" * (-sci - 1) + digits
        return f"{sign}{int_part}.{frac_part}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{sci}"


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        return java_double_str(value)
    if isinstance(value, Decimal):
        # A Decimal only reaches us if the caller parsed JSON with parse_float=Decimal;
        # Jackson would hold it as a double.
        return java_double_str(float(value))
    return str(value)


def java_round(value: float | int) -> int:
    """``Math.round``: round half up (towards positive infinity), e.g. -1.5 -> -1.

    ``floor(x + 0.5)`` is wrong for 0.49999999999999994, so the fractional part
    is compared instead (``x - floor(x)`` is exact for doubles).
    """
    if isinstance(value, int):
        return value
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def java_trunc_int(value: float | int) -> int:
    """The ``(int)`` cast AWS applies to most integer arguments: truncate, then saturate."""
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if math.isinf(value):
            return INT_MAX if value > 0 else INT_MIN
    truncated = int(value)
    return max(INT_MIN, min(INT_MAX, truncated))


# --------------------------------------------------------------------------- text


def utf16_len(text: str) -> int:
    """``String.length()``: characters outside the BMP count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _json_string(text: str) -> str:
    out = ['"']
    for ch in text:
        esc = _JSON_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ord(ch) < 0x20:
            # Jackson writes other control characters as upper-case \u00XX.
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def jackson_json(value: Any) -> str:
    """Compact JSON exactly as Jackson's ``JsonNode.toString`` writes it.

    Differences from ``json.dumps(..., separators=(",", ":"))``: floats use
    ``Double.toString`` (``1.0E20``), control characters use upper-case hex,
    and non-ASCII text is written as is.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value)
    if isinstance(value, dict):
        return "{" + ",".join(_json_string(str(k)) + ":" + jackson_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(jackson_json(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def java_text(value: Any) -> str:
    """The ``toString`` of the Java object a JSON value converts to.

    AWS's ``States.Format`` prints strings raw and everything else through
    ``String.valueOf``: ``null``, ``true``, ``1.1``, maps as ``{a=1, b=[]}``,
    lists as ``[1, 2]`` (nested strings unquoted). Recorded against AWS:
    ``{"Arg1": 1, "Arg2": []}`` formats as ``{Arg1=1, Arg2=[]}``.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


# --------------------------------------------------------------------------- HashMap


def java_string_hash(text: str) -> int:
    """``String.hashCode`` as a signed 32-bit int (over UTF-16 code units)."""
    data = text.encode("utf-16-be", "surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - 2**32 if h >= 2**31 else h


def hashmap_order(keys: Iterable[str]) -> list[str]:
    """Iteration order of a ``new HashMap<>()`` filled by putting ``keys`` in order.

    HashMap iterates bucket by bucket; the bucket of a key is
    ``(h ^ (h >>> 16)) & (capacity - 1)``; the capacity starts at 16 and
    doubles whenever the size exceeds 3/4 of it; keys sharing a bucket keep
    their insertion order (resizing preserves it). Treeified buckets (8+
    colliding keys) are not modelled. Duplicate keys keep their first place.
    """
    unique: list[str] = list(dict.fromkeys(keys))
    capacity = 16
    while len(unique) > capacity * 3 // 4:
        capacity *= 2

    def bucket(key: str) -> int:
        h = java_string_hash(key) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)

    position = {k: i for i, k in enumerate(unique)}
    return sorted(unique, key=lambda k: (bucket(k), position[k]))


# --------------------------------------------------------------------------- Random


class JavaRandom:
    """``java.util.Random``: the 48-bit linear congruential generator.

    Used for seeded ``States.MathRandom`` so that a seed gives the value a
    JVM would give for ``new Random(seed).nextInt(bound)`` (an assumption
    about AWS's implementation; determinism per seed is what AWS documents).
    """

    _MULT = 0x5DEECE66D
    _ADD = 0xB
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULT) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULT + self._ADD) & self._MASK
        result = self._seed >> (48 - bits)
        # Java returns the low 32 bits as a signed int.
        result &= 0xFFFFFFFF
        return result - 2**32 if result >= 2**31 else result

    def next_int(self, bound: int) -> int:
        """``nextInt(bound)``: uniform in ``[0, bound)``; ``bound`` must be in ``1..2^31-1``."""
        if not 0 < bound <= INT_MAX:
            raise ValueError("bound must be positive")
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:  # power of two
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            # Java detects int overflow of (u - r + m); emulate the 32-bit wrap.
            if ((u - r + m + 2**31) % 2**32) - 2**31 >= 0:
                return r
            u = self._next(31)


# --------------------------------------------------------------------------- Base64

_B64_ALPHABET = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_B64_ALPHABET["-"] = 62  # URL-safe alphabet is accepted too
_B64_ALPHABET["_"] = 63


def lenient_b64decode(text: str) -> bytes:
    """Decode Base64 the lenient way (Apache commons-codec ``decodeBase64``).

    Characters outside the alphabet (spaces, newlines, ``!``) are skipped,
    decoding stops at the first ``=``, and a trailing partial group yields the
    bytes it completely determines. AWS accepts ``'abc'``, ``' YWJjZA== '``
    and ``'!!!invalid!!!'`` without error (third-party observations), which
    a strict decoder would reject.
    """
    values: list[int] = []
    for ch in text:
        if ch == "=":
            break
        v = _B64_ALPHABET.get(ch)
        if v is not None:
            values.append(v)
    out = bytearray()
    for i in range(0, len(values) - len(values) % 4, 4):
        a, b, c, d = values[i : i + 4]
        n = (a << 18) | (b << 12) | (c << 6) | d
        out += bytes(((n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF))
    rest = values[len(values) - len(values) % 4 :]
    if len(rest) == 2:
        out.append(((rest[0] << 2) | (rest[1] >> 4)) & 0xFF)
    elif len(rest) == 3:
        n = (rest[0] << 12) | (rest[1] << 6) | rest[2]
        out += bytes(((n >> 10) & 0xFF, (n >> 2) & 0xFF))
    return bytes(out)


def b64encode_text(text: str) -> str:
    """Standard Base64 (with padding) of the UTF-8 bytes of ``text``."""
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
