"""Timestamps as Step Functions parses them (Choice ``Timestamp*``/``IsTimestamp``, Wait).

The ASL spec asks for "the RFC3339 profile of ISO 8601, with the further
restrictions that an uppercase "T" character MUST be used to separate date
and time, and an uppercase "Z" character MUST be present in the absence of a
numeric time zone offset, for example "2016-03-14T01:59:00Z"".

What AWS actually runs is Java's ``DateTimeFormatter.ISO_OFFSET_DATE_TIME``:
its Wait error text names it ("The TimestampPath parameter does not reference
a valid ISO-8601 extended offset date-time format string: ..."), which is the
Javadoc's own description of that formatter. This module reproduces that
formatter's grammar exactly (as of JDK 9+, which parses the offset leniently):

``[sign]YYYY-MM-DD 'T' HH:MM[:SS[.fffffffff]] offset``

* year: 4 to 10 ASCII digits; more than 4 digits needs a ``+`` or ``-`` sign,
  a ``+`` with exactly 4 digits is rejected, ``-0000`` is rejected, the value
  must be within +-999,999,999 (``SignStyle.EXCEEDS_PAD``, strict);
* month ``01``-``12``, day valid for that month (``ResolverStyle.STRICT``:
  no February 30, February 29 only in leap years of the proleptic calendar);
* ``T`` in either case (the formatter is ``parseCaseInsensitive``);
* hour ``00``-``23``, minute ``00``-``59``; seconds are **optional** and, if
  given, ``00``-``59`` (no leap second); a fraction of 0 to 9 digits may
  follow the seconds after a ``.`` (a bare trailing ``.`` is accepted: the
  fraction's minimum width is 0); no ``,`` separator;
* offset: ``Z``/``z``, or ``+HH``, ``+HH:MM``, ``+HH:MM:SS`` (or ``-``),
  hours ``00``-``23``, minutes and seconds ``00``-``59``, total within
  +-18:00; ``-00:00`` means UTC. ``+HHMM`` (no colon) is rejected;
* nothing else: no spaces, no missing offset, no date-only text.

Recorded AWS behaviour this is checked against (Wait TimestampPath cases):
``2016-03-05T21:29:29.243167252Z`` (nanoseconds) and ``2016-03-14T01:59:00Z``
are accepted; ``2016-13-05T21:29:29Z``, ``05-12-2016T21:29:29Z``,
``2016-12-05T25:29:29Z``, ``2016-12-05 21:29:29Z`` and ``2016-12-05T21:29:29``
are rejected.

Two views of a parsed timestamp are offered:

* :func:`timestamp_epoch_nanos` -- the exact instant (nanoseconds since the
  Unix epoch, any year Java accepts); use it to *compare* timestamps;
* :func:`parse_timestamp` -- an aware :class:`datetime` (microseconds, the
  fraction truncated; years 1-9999 only, ``None`` outside); use it to *wait*.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

__all__ = [
    "ParsedTimestamp",
    "is_timestamp",
    "parse_timestamp",
    "parse_timestamp_parts",
    "timestamp_epoch_nanos",
]

# [0-9] rather than \d: Java's DecimalStyle.STANDARD only knows ASCII digits,
# while Python's \d would also accept e.g. Arabic-Indic digits.
_TIMESTAMP_RE = re.compile(
    r"(?P<ysign>[+-])?(?P<year>[0-9]{4,10})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{0,9}))?)?"
    r"(?:(?P<zulu>[Zz])|(?P<osign>[+-])(?P<ohour>[0-9]{2})"
    r"(?::(?P<ominute>[0-9]{2})(?::(?P<osecond>[0-9]{2}))?)?)"
)

_MAX_YEAR = 999_999_999  # java.time.Year.MAX_VALUE
_MAX_OFFSET_SECONDS = 18 * 3600  # java.time.ZoneOffset.MAX
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_NANOS_PER_SECOND = 1_000_000_000


class ParsedTimestamp(NamedTuple):
    """The fields of a valid timestamp, as written (local time plus offset)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanosecond: int
    offset_seconds: int  # east of UTC; 0 for "Z"


def _is_leap(year: int) -> bool:
    # java.time.chrono.IsoChronology.isLeapYear (proleptic Gregorian, year 0 is leap).
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse_timestamp_parts(text: str) -> ParsedTimestamp | None:
    """Split ``text`` into its fields, or ``None`` if Java's ISO_OFFSET_DATE_TIME rejects it."""
    if not isinstance(text, str):
        return None
    m = _TIMESTAMP_RE.fullmatch(text)
    if m is None:
        return None
    ysign, ytext = m.group("ysign"), m.group("year")
    # SignStyle.EXCEEDS_PAD, strict: a sign is required beyond the 4-digit pad
    # width and "+" is refused within it; a negative zero is refused.
    if ysign == "+" and len(ytext) <= 4:
        return None
    if ysign is None and len(ytext) > 4:
        return None
    year = int(ytext)
    if ysign == "-":
        if year == 0:
            return None
        year = -year
    if year > _MAX_YEAR or year < -_MAX_YEAR:
        return None
    month = int(m.group("month"))
    day = int(m.group("day"))
    if not 1 <= month <= 12 or day < 1:
        return None
    max_day = 29 if month == 2 and _is_leap(year) else _DAYS_IN_MONTH[month]
    if day > max_day:
        return None
    hour = int(m.group("hour"))
    minute = int(m.group("minute"))
    stext = m.group("second")
    second = int(stext) if stext is not None else 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = m.group("fraction")
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if m.group("zulu") is not None:
        offset = 0
    else:
        oh = int(m.group("ohour"))
        om_text, os_text = m.group("ominute"), m.group("osecond")
        om = int(om_text) if om_text is not None else 0
        osec = int(os_text) if os_text is not None else 0
        if oh > 23 or om > 59 or osec > 59:
            return None
        offset = oh * 3600 + om * 60 + osec
        if offset > _MAX_OFFSET_SECONDS:
            return None
        if m.group("osign") == "-":
            offset = -offset
    return ParsedTimestamp(year, month, day, hour, minute, second, nanos, offset)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (any year).

    Howard Hinnant's ``days_from_civil``; Python's floor division makes it
    valid for negative years too.
    """
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def timestamp_epoch_nanos(text: str) -> int | None:
    """The instant ``text`` denotes, in nanoseconds since 1970-01-01T00:00:00Z.

    ``None`` when ``text`` is not a valid timestamp. Exact at nanosecond
    precision and for every year Java accepts, so it is the right key for the
    Choice ``Timestamp*`` comparisons (two spellings of one instant, e.g.
    ``...T19:00:55Z`` and ``...T20:00:55+01:00``, give the same key).
    """
    p = parse_timestamp_parts(text)
    if p is None:
        return None
    days = _days_from_civil(p.year, p.month, p.day)
    seconds = days * 86400 + p.hour * 3600 + p.minute * 60 + p.second - p.offset_seconds
    return seconds * _NANOS_PER_SECOND + p.nanosecond


def is_timestamp(text: object) -> bool:
    """Whether ``text`` is a string AWS accepts as a timestamp (``IsTimestamp``)."""
    return isinstance(text, str) and parse_timestamp_parts(text) is not None


def parse_timestamp(text: str) -> datetime | None:
    """Parse ``text`` strictly, as AWS does; ``None`` when it is not a valid timestamp.

    The result is timezone-aware, with the offset as written (``timezone.utc``
    for ``Z`` and zero offsets). Python's datetime holds microseconds, so
    digits of the fraction beyond the sixth are truncated; compare instants
    with :func:`timestamp_epoch_nanos` when that matters. Years Java accepts
    but datetime cannot hold (before 1 or after 9999) also give ``None``.
    """
    p = parse_timestamp_parts(text)
    if p is None or not 1 <= p.year <= 9999:
        return None
    tz = timezone.utc if p.offset_seconds == 0 else timezone(timedelta(seconds=p.offset_seconds))
    return datetime(
        p.year, p.month, p.day, p.hour, p.minute, p.second, p.nanosecond // 1000, tzinfo=tz
    )
