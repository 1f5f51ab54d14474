"""The server's HTTP surface: random methods, paths, targets, headers,
content lengths and (mutated) bodies, sent raw to an in-process server on
127.0.0.1 (a free port).

Acceptable: an HTTP response whose error body is AWS-shaped JSON
(``__type``) with a 4xx status (501 for an unknown method); never a 500 (an
``InternalFailure`` is an uncaught exception in an operation), never a
dropped connection without an answer (unless the client hung up mid-body),
and the server still answers ``ListStateMachines`` after the run.
"""

from __future__ import annotations

import json
import socket
from typing import Any, Callable, Iterator

import pytest

from asl_engine.service import Service

from .mutator import Mutator
from .seeds import SEED, seed_definitions

CASES = 250
ROLE = "arn:aws:iam::123456789012:role/r"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:fuzz"
BODIES: dict[str, dict[str, Any]] = {
    "CreateStateMachine": {"name": "fuzz2", "definition": "", "roleArn": ROLE},
    "StartExecution": {"stateMachineArn": MACHINE, "input": '{"a": 1}', "name": "e"},
    "StartSyncExecution": {"stateMachineArn": MACHINE, "input": "{}"},
    "DescribeExecution": {"executionArn": MACHINE.replace("stateMachine", "execution") + ":e"},
    "GetExecutionHistory": {"executionArn": MACHINE.replace("stateMachine", "execution") + ":e", "maxResults": 5},
    "ListExecutions": {"stateMachineArn": MACHINE, "statusFilter": "RUNNING", "maxResults": 2},
    "StopExecution": {"executionArn": MACHINE.replace("stateMachine", "execution") + ":e", "error": "E"},
    "SendTaskSuccess": {"taskToken": "t", "output": "{}"},
    "SendTaskFailure": {"taskToken": "t", "error": "E", "cause": "c"},
    "DescribeStateMachine": {"stateMachineArn": MACHINE},
    "ValidateStateMachineDefinition": {"definition": ""},
    "TestState": {"definition": "", "roleArn": ROLE, "input": "{}"},
    "ListStateMachines": {"maxResults": 1},
    "TagResource": {"resourceArn": MACHINE, "tags": [{"key": "k", "value": "v"}]},
    "UpdateStateMachine": {"stateMachineArn": MACHINE, "definition": ""},
    "RedriveExecution": {"executionArn": MACHINE.replace("stateMachine", "execution") + ":e"},
}
HEADERS = ("Content-Type: application/x-amz-json-1.0", "Content-Type: text/html", "Host: 127.0.0.1",
           "Host: evil.example", "Expect: 100-continue", "Transfer-Encoding: chunked", "Connection: close",
           "X-Amz-Target: ", "Authorization: AWS4-HMAC-SHA256 Credential=x", "Content-Encoding: gzip", "\x00: x",
           "Origin: http://evil.example", "Content-Length: -1", "Content-Length: 99999999999999999999")


@pytest.fixture
def server(tmp_path: Any, start_server: Callable[..., Any]) -> Iterator[Any]:
    with Service(str(tmp_path / "state.db"), skip_waits=True) as service:
        yield start_server(service)


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)  # no more bytes: a short body must not leave the server waiting
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _request(mutator: Mutator, definitions: list[str], port: int) -> tuple[bytes, bool]:
    """A random request, and whether its body is shorter than its Content-Length
    (the client then hangs up mid-body: the server may close without an answer)."""
    r = mutator.random
    operation = mutator.choice(sorted(BODIES))
    body_value = dict(BODIES[operation])
    if "definition" in body_value:
        body_value["definition"] = mutator.choice(definitions)
    roll = r.random()
    if roll < 0.45:
        body = json.dumps(mutator.value(body_value, mutations=2)).encode()
    elif roll < 0.8:
        body = mutator.text(json.dumps(body_value), mutations=2)
    else:
        body = json.dumps(body_value).encode()
    target = mutator.choice((f"AWSStepFunctions.{operation}", f"AWSStepFunctions.{operation}", operation,
                             "AWSStepFunctions.", "AWSStepFunctions.GetActivityTaskX", "X.Y", ""))
    method = mutator.choice(("POST", "POST", "POST", "GET", "PUT", "OPTIONS", "BREW", "POST /x HTTP/1.1\r\n"))
    path = mutator.choice(("/", "/", "/", "/x", "//", "/%00", "/console", "/?a=b", "*"))
    length = len(body) if r.random() < 0.85 else mutator.choice((0, len(body) // 2, len(body) + 10, 10**9))
    headers = [f"Host: 127.0.0.1:{port}", f"X-Amz-Target: {target}", "Content-Type: application/x-amz-json-1.0",
               f"Content-Length: {length}"]
    if r.random() < 0.3:
        headers.append(mutator.choice(HEADERS))
    if r.random() < 0.1:
        headers.remove(mutator.choice(headers))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
    short = any(h.startswith("Content-Length: ") and h[16:].isdigit() and int(h[16:]) > len(body) for h in headers)
    return head.encode("utf-8", "surrogateescape") + body, short


def test_random_requests_get_aws_shaped_answers(server: Any) -> None:
    mutator = Mutator(SEED)
    port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
    definitions = [json.dumps(d) for d in seed_definitions()[:4]]
    create = json.dumps({"name": "fuzz", "definition": definitions[0], "roleArn": ROLE}).encode()
    _exchange(port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port + b"X-Amz-Target: AWSStepFunctions.CreateStateMachine\r\n"
              b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: " + str(len(create)).encode() + b"\r\n\r\n" + create)
    statuses: dict[int, int] = {}
    for case in range(CASES):
        request, short = _request(mutator, definitions, port)
        answer = _exchange(port, request)
        if short and not answer:
            statuses[0] = statuses.get(0, 0) + 1  # hung up mid-body: nothing to answer
            continue
        assert answer.startswith(b"HTTP/1."), (case, request[:300], answer[:200])
        status = int(answer.split(b" ", 2)[1])
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500 or status == 501, (case, request[:400], answer[:400])  # 501: an unknown method
        head, _, rest = answer.partition(b"\r\n\r\n")
        lengths = [line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
        body = rest[: int(lengths[0])] if lengths else rest  # a pipelined second answer may follow
        if status >= 400 and b"application/x-amz-json" in head.lower():
            assert "__type" in json.loads(body), (case, body)
    assert sum(statuses.values()) == CASES and statuses.get(200, 0) > 0, statuses
    listed = _exchange(port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port + b"X-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
                       b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}")
    assert listed.startswith(b"HTTP/1.1 200") or listed.startswith(b"HTTP/1.0 200"), listed[:200]
