"""The request head parser: RFC 9112's grammar, the limits, and what it refuses."""

from __future__ import annotations

import io

import pytest

from asl_engine.server.head import MAX_FIELDS, HeadError, read_fields, request_line


def _fields(text: bytes) -> dict[str, str]:
    return read_fields(io.BytesIO(text).readline)


def test_a_request_line_splits_in_three() -> None:
    line = request_line(b"POST /a?b=1 HTTP/1.1\r\n")
    assert (line.method, line.target, line.version, line.minor) == ("POST", "/a?b=1", "HTTP/1.1", 1)
    assert request_line(b"GET / HTTP/1.0").minor == 0


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"GARBAGE", 400), (b"GET /", 400), (b"GET / HTTP/1.1 x", 400), (b"GET / HTTP/x.y", 400), (b"GET / HTTP/0.9", 400),
     (b"GET / HTTP/2.0", 505), (b"G(T / HTTP/1.1", 400)],
)
def test_what_is_not_a_request_line(raw: bytes, status: int) -> None:
    with pytest.raises(HeadError) as refused:
        request_line(raw)
    assert refused.value.status == status


def test_fields_by_lower_case_name_repeats_joined() -> None:
    fields = _fields(b"Host: a\r\nX-Amz-Target:  T \r\nAccept: x\r\naccept: y\r\n\r\nbody")
    assert fields == {"host": "a", "x-amz-target": "T", "accept": "x, y"}
    assert _fields(b"A: 1\n\n") == {"a": "1"}  # bare LF, as http.server accepts
    assert _fields(b"") == {}  # the client went away: no fields


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"A: 1\r\n b\r\n\r\n", 400), (b"A 1\r\n\r\n", 400), (b"A : 1\r\n\r\n", 400), (b": 1\r\n\r\n", 400),
     (b"A: " + b"x" * 70_000 + b"\r\n\r\n", 431), (b"".join(b"X-%d: 1\r\n" % i for i in range(MAX_FIELDS + 1)) + b"\r\n", 431)],
)
def test_what_is_not_a_field(raw: bytes, status: int) -> None:
    with pytest.raises(HeadError) as refused:
        _fields(raw)
    assert refused.value.status == status


def test_exactly_the_limit_of_fields_is_accepted() -> None:
    assert len(_fields(b"".join(b"X-%d: 1\r\n" % i for i in range(MAX_FIELDS)) + b"\r\n")) == MAX_FIELDS
