"""A body larger than the server takes is refused before it is read; memory stays bounded.

AWS's quota is 1 MB per Step Functions request (headers included); ``asl
serve`` takes up to ``MAX_BODY`` (8 MiB, room for a largest definition
escaped in JSON) and answers 413 ``RequestEntityTooLarge`` above it.
"""

from __future__ import annotations

import socket
import tracemalloc
from typing import Any, Callable

import pytest

from asl_engine.server.app import MAX_BODY
from asl_engine.service import Service

from .conftest import api

TEN_MB = 10 * 1000 * 1000


@pytest.fixture
def server(service: Service, start_server: Callable[..., Any]) -> Any:
    return start_server(service)


def _head(server: Any, length: int) -> bytes:
    return (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: {length}\r\n\r\n").encode()


def _answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_the_limit_is_above_aws_quota_and_below_10_mb() -> None:
    assert 1_000_000 <= MAX_BODY < TEN_MB


def test_a_10_mb_body_is_refused_and_not_held(server: Any) -> None:
    tracemalloc.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(_head(server, TEN_MB))
            chunk = b"x" * 65536
            try:
                for _ in range(TEN_MB // len(chunk) + 1):
                    sock.sendall(chunk)
            except OSError:
                pass  # the server may close once it has dropped what it reads
            answer = _answer(sock)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    print(f"traced peak while refusing 10 MB: {peak} bytes")
    assert peak < 2 * 1024 * 1024, f"{peak} bytes held for a refused 10 MB body"
    assert api(server.url, "ListStateMachines")[0] == 200


def test_a_lying_content_length_neither_hangs_nor_breaks_the_server(server: Any) -> None:
    # more declared than sent: the server waits for the rest, then sees the client go
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_head(server, 1000) + b"{}")
        sock.shutdown(socket.SHUT_WR)
        assert _answer(sock) == b""  # no answer to half a request, and the connection closed
    # less declared than sent: the declared body is the request, the rest a malformed next one
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        # (a junk line the server reads whole: closing with bytes unread would reset the connection)
        sock.sendall(_head(server, 2) + b"{}" + b"x" * 60_000 + b"\r\n")
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:  # reset: the server closed with the junk unread
                break
            if not chunk:
                break
            received += chunk
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert [answer[:4] for answer in answers] == [b"200 ", b"400 "], received[:300]
    # a declared length that is no number, or a huge one
    for length in ("-1", "12abc", str(10**30)):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(_head(server, 0).replace(b"Content-Length: 0", f"Content-Length: {length}".encode()))
            answer = _answer(sock)
            assert answer.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 413 ")), (length, answer[:200])
    assert api(server.url, "ListStateMachines")[0] == 200
