"""The head of an HTTP/1.x request: its request line and header fields.

``http.server`` parses headers with the ``email`` package, a third of the
server's CPU per API call (measured: ~100 us of a DescribeExecution's
~300 us), so the server reads them here: lines of ``name: value`` up to the
empty line, RFC 9112's grammar, and nothing the API needs beyond it.

What it refuses (``HeadError``: the status and message to answer with;
every refusal closes the connection):

* a request line that is not ``METHOD target HTTP/x.y``: 400 (HTTP/0.9's
  two-word form included; botocore, browsers and curl all send 1.1);
* a version other than 1.0 or 1.1: 400 when malformed, 505 from 2.0 on;
* a line over ``MAX_LINE`` bytes or more than ``MAX_FIELDS`` fields: 431;
* a field line without a colon, a name that is not a token (whitespace
  before the colon), or a continuation line (obsolete line folding, which
  RFC 9112 lets a server reject): 400.

Fields that come more than once are joined with ``", "`` in the order sent
(RFC 9110 section 5.3, and how SigV4 canonicalises repeated headers), so two
``Content-Length`` fields never pass as one number.
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["HeadError", "MAX_FIELDS", "MAX_LINE", "RequestLine", "read_fields", "request_line"]

MAX_LINE = 65_536
"""Bytes a request line or a field line may have (``http.server``'s limit)."""
MAX_FIELDS = 100
"""Header fields a request may have (``http.server``'s limit)."""

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(r"HTTP/(\d)\.(\d)")


class HeadError(Exception):
    """A request head the server refuses: answer ``status`` with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RequestLine:
    """``METHOD target HTTP/x.y``, split."""

    __slots__ = ("method", "target", "version", "minor")

    def __init__(self, method: str, target: str, version: str, minor: int) -> None:
        self.method, self.target, self.version, self.minor = method, target, version, minor


def request_line(raw: bytes) -> RequestLine:
    """Split a request line (with or without its CRLF); ``HeadError`` when it is not one."""
    line = raw.decode("iso-8859-1").rstrip("\r\n")
    words = line.split()
    if len(words) != 3:
        raise HeadError(400, f"Bad request syntax ({line!r})")
    method, target, version = words
    match = _VERSION.fullmatch(version)
    if match is None:
        raise HeadError(400, f"Bad request version ({version!r})")
    major, minor = int(match.group(1)), int(match.group(2))
    if major >= 2:
        raise HeadError(505, f"Invalid HTTP version ({version})")
    if major != 1:
        raise HeadError(400, f"Bad request version ({version!r})")
    if not _TOKEN.fullmatch(method):
        raise HeadError(400, f"Bad request syntax ({line!r})")
    return RequestLine(method, target, version, minor)


def read_fields(readline: Callable[[int], bytes]) -> dict[str, str]:
    """The header fields up to the empty line (``readline(limit)`` reads a
    line), by lower-case name (repeats joined with ``", "``); values without
    the whitespace around them."""
    fields: dict[str, str] = {}
    count = 0
    while True:
        raw = readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise HeadError(431, "Line too long")
        if raw in (b"\r\n", b"\n", b""):
            return fields
        count += 1
        if count > MAX_FIELDS:
            raise HeadError(431, "Too many headers")
        if raw[0] in b" \t":
            raise HeadError(400, "Obsolete line folding is not accepted")
        name, colon, value = raw.decode("iso-8859-1").partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HeadError(400, f"Bad header line ({raw[:80]!r})")
        key = name.lower()
        value = value.strip(" \t\r\n")
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
