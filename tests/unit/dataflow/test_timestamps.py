"""Strict timestamp parsing (Java ISO_OFFSET_DATE_TIME as AWS uses it)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from asl_engine.dataflow.timestamps import (
    ParsedTimestamp,
    is_timestamp,
    parse_timestamp,
    parse_timestamp_parts,
    timestamp_epoch_nanos,
)

UTC = timezone.utc


# Accepted / rejected by AWS in recorded executions (Wait Timestamp/TimestampPath).
def test_aws_recorded_accepted() -> None:
    assert parse_timestamp("2016-03-14T01:59:00Z") == datetime(2016, 3, 14, 1, 59, 0, tzinfo=UTC)
    assert parse_timestamp("2016-03-05T21:29:29.243167252Z") == datetime(
        2016, 3, 5, 21, 29, 29, 243167, tzinfo=UTC
    )
    assert timestamp_epoch_nanos("2016-03-05T21:29:29.243167252Z") == 1457213369_243167252


@pytest.mark.parametrize(
    "text",
    [
        "2016-13-05T21:29:29Z",  # month 13
        "05-12-2016T21:29:29Z",  # not year-first
        "2016-12-05T25:29:29Z",  # hour 25
        "2016-12-05 21:29:29Z",  # space instead of T
        "2016-12-05T21:29:29",  # no offset
    ],
)
def test_aws_recorded_rejected(text: str) -> None:
    assert parse_timestamp(text) is None
    assert timestamp_epoch_nanos(text) is None
    assert is_timestamp(text) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-10-09T19:00:55Z", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),
        ("2012-10-09T19:00:55+01:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=1)))),
        ("2012-10-09T19:00:55-05:30", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))),
        ("2012-10-09T19:00:55+00:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),
        ("2012-10-09T19:00:55-00:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),
        ("2012-10-09T19:00Z", datetime(2012, 10, 9, 19, 0, 0, tzinfo=UTC)),  # seconds optional
        ("2012-10-09T19:00:55.5Z", datetime(2012, 10, 9, 19, 0, 55, 500000, tzinfo=UTC)),
        ("2012-10-09T19:00:55.123Z", datetime(2012, 10, 9, 19, 0, 55, 123000, tzinfo=UTC)),
        ("2012-10-09T19:00:55.123456789Z", datetime(2012, 10, 9, 19, 0, 55, 123456, tzinfo=UTC)),
        ("2012-10-09T19:00:55.Z", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),  # fraction width 0..9
        ("2012-10-09t19:00:55z", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),  # parseCaseInsensitive
        ("2012-10-09T19:00:55+01", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=1)))),
        (
            "2012-10-09T19:00:55+01:02:03",
            datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=1, minutes=2, seconds=3))),
        ),
        ("2012-10-09T19:00:55+18:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=18)))),
        ("2012-10-09T19:00:55-18:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=-18)))),
        ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),  # leap day
        ("2000-02-29T23:59:59Z", datetime(2000, 2, 29, 23, 59, 59, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.999999999Z", datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_accepted(text: str, expected: datetime) -> None:
    got = parse_timestamp(text)
    assert got == expected
    assert got is not None and got.utcoffset() == expected.utcoffset()
    assert is_timestamp(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2023-02-24",  # date only
        "19:00:55Z",  # time only
        "2012-10-09T19Z",  # no minutes
        "2012-10-09T19:00:5Z",  # one-digit second
        "2012-10-09T1:00:55Z",
        "2012-10-9T19:00:55Z",
        "2012-1-09T19:00:55Z",
        "212-10-09T19:00:55Z",  # 3-digit year
        "12012-10-09T19:00:55Z",  # >4 digits needs a sign
        "+2012-10-09T19:00:55Z",  # '+' only beyond 4 digits
        "-0000-10-09T19:00:55Z",  # negative zero
        "+1000000000-01-01T00:00:00Z",  # beyond Year.MAX_VALUE
        "2012-00-09T19:00:55Z",
        "2012-10-00T19:00:55Z",
        "2012-04-31T19:00:55Z",  # April has 30 days
        "2023-02-29T00:00:00Z",  # not a leap year
        "1900-02-29T00:00:00Z",  # century, not leap
        "2012-10-09T24:00:00Z",  # STRICT: no 24:00
        "2012-10-09T19:60:00Z",
        "2012-10-09T19:00:60Z",  # no leap second
        "2012-10-09T19:00:55.1234567890Z",  # 10 fraction digits
        "2012-10-09T19:00:55,5Z",  # comma separator
        "2012-10-09T19:00.5Z",  # fraction needs seconds
        "2012-10-09T19:00:55+0100",  # no colon
        "2012-10-09T19:00:55+1:00",
        "2012-10-09T19:00:55+01:",
        "2012-10-09T19:00:55+01:0",
        "2012-10-09T19:00:55+18:01",  # beyond ZoneOffset.MAX
        "2012-10-09T19:00:55+19:00",
        "2012-10-09T19:00:55+01:60",
        "2012-10-09T19:00:55ZZ",
        "2012-10-09T19:00:55Z ",
        " 2012-10-09T19:00:55Z",
        "2012-10-09T19:00:55Z\n",
        "2012-10-09T19:00:55UTC",
        "2012-10-09T19:00:55 Z",
        "2023-02-24 12:15:56.832957",
        "2012-10-09T19:00:55\u0660Z",  # Arabic-Indic digit: Java only knows ASCII digits
        "\u0662\u0660\u0661\u0662-10-09T19:00:55Z",
    ],
)
def test_rejected(text: str) -> None:
    assert parse_timestamp(text) is None
    assert timestamp_epoch_nanos(text) is None
    assert is_timestamp(text) is False


def test_non_strings_are_not_timestamps() -> None:
    values: tuple[object, ...] = (None, 0, 1.5, True, [], {})
    for value in values:
        assert is_timestamp(value) is False
        assert parse_timestamp_parts(value) is None  # type: ignore[arg-type]


def test_parts() -> None:
    assert parse_timestamp_parts("2012-10-09T19:00:55.000000007-05:30") == ParsedTimestamp(
        2012, 10, 9, 19, 0, 55, 7, -19800
    )
    assert parse_timestamp_parts("2012-10-09T19:00Z") == ParsedTimestamp(2012, 10, 9, 19, 0, 0, 0, 0)


def test_epoch_nanos_exact_values() -> None:
    assert timestamp_epoch_nanos("1970-01-01T00:00:00Z") == 0
    assert timestamp_epoch_nanos("1970-01-01T00:00:00.000000001Z") == 1
    assert timestamp_epoch_nanos("1969-12-31T23:59:59.999999999Z") == -1
    assert timestamp_epoch_nanos("2012-10-09T19:00:55Z") == 1349809255 * 10**9
    # Same instant, different offsets.
    assert timestamp_epoch_nanos("2012-10-09T20:00:55+01:00") == 1349809255 * 10**9
    assert timestamp_epoch_nanos("2012-10-09T13:30:55-05:30") == 1349809255 * 10**9
    # Nanosecond digits are kept (datetime would truncate them).
    assert timestamp_epoch_nanos("2012-10-09T19:00:55.1234567Z") == 1349809255_123456700
    assert timestamp_epoch_nanos("2012-10-09T19:00:55.1234568Z") == 1349809255_123456800


def test_years_java_accepts_beyond_datetime() -> None:
    # Java accepts these; datetime cannot hold them, so parse_timestamp says None,
    # but the exact instant is still available for comparisons.
    assert timestamp_epoch_nanos("+10000-01-01T00:00:00Z") == 253402300800 * 10**9
    assert timestamp_epoch_nanos("0000-01-01T00:00:00Z") == -62167219200 * 10**9
    assert timestamp_epoch_nanos("-0001-01-01T00:00:00Z") == -62198755200 * 10**9
    assert timestamp_epoch_nanos("+0000012012-10-09T19:00:55Z") == timestamp_epoch_nanos(
        "+12012-10-09T19:00:55Z"
    )
    assert parse_timestamp("+10000-01-01T00:00:00Z") is None
    assert parse_timestamp("0000-01-01T00:00:00Z") is None
    assert is_timestamp("+10000-01-01T00:00:00Z") is True
    assert is_timestamp("0000-02-29T00:00:00Z") is True  # year 0 is a leap year (proleptic)


def test_epoch_nanos_agrees_with_datetime() -> None:
    for text in ("2016-03-14T01:59:00Z", "1999-12-31T23:59:59-08:00", "2024-02-29T12:00:00.25+05:45"):
        dt = parse_timestamp(text)
        assert dt is not None
        delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
        expected = (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000
        assert timestamp_epoch_nanos(text) == expected
