"""The HTTP server, with boto3 (unchanged) and raw HTTP against a fake service."""

from __future__ import annotations

import http.client
import json
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from asl_engine.server import ApiError, Server
from asl_engine.server.http import INTERNAL_FAILURE

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
CREATED = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
ONE_ATTEMPT = {"total_max_attempts": 1}
"""No retry (``max_attempts`` counts the retries in botocore's default "legacy" mode)."""


class Fake:
    """Canned answers per operation, and a record of the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], Mapping[str, str]]] = []

    def __call__(self, operation: str, request: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        self.calls.append((operation, request, headers))
        if operation == "ListStateMachines":
            return {"stateMachines": [{"stateMachineArn": ARN, "name": "m", "type": "STANDARD", "creationDate": CREATED}], "nextToken": None}
        if operation == "DescribeStateMachine":
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{request['stateMachineArn']}'")
        if operation == "StartSyncExecution":
            return {"executionArn": ARN.replace("stateMachine", "express") + ":e", "startDate": CREATED, "stopDate": CREATED, "status": "SUCCEEDED", "output": "{}"}
        raise RuntimeError("the fake has a bug")


def _routes(method: str, path: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes] | None:
    if path == "/console":
        return 200, {"Content-Type": "text/html", "Content-Length": "999"}, b"<h1>asl</h1>"
    if path.startswith("/echo"):
        return 201, {"Content-Type": "application/json"}, json.dumps({"method": method, "path": path, "body": body.decode()}).encode()
    if path == "/broken":
        raise ValueError("route bug")
    return None


@pytest.fixture(scope="module")
def fake() -> Fake:
    return Fake()


@pytest.fixture(scope="module")
def logs() -> list[str]:
    return []


@pytest.fixture(scope="module")
def server(fake: Fake, logs: list[str]) -> Iterator[Server]:
    with Server(fake, port=0, routes=_routes, log=logs.append, max_body=1_048_576) as running:
        yield running


def _client(url: str, **config: Any) -> Any:
    return boto3.client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries=ONE_ATTEMPT, **config),
    )


@pytest.fixture(scope="module")
def sfn(server: Server) -> Any:
    return _client(server.url, inject_host_prefix=False)


def _port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _post(server: Server, body: bytes, target: str | None = "AWSStepFunctions.ListStateMachines", path: str = "/", **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=5)
    sent = {"Content-Type": "application/x-amz-json-1.0", **headers}
    if target is not None:
        sent["X-Amz-Target"] = target
    connection.request("POST", path, body=body, headers=sent)
    return connection.getresponse()


def _raw(server: Server, data: bytes) -> bytes:
    """Send raw bytes; the answer up to the server's close."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65_536):
            chunks.append(chunk)
    return b"".join(chunks)


def _answer(raw: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


def _still_serving(sfn: Any) -> None:
    assert sfn.list_state_machines()["stateMachines"][0]["name"] == "m"


# -- boto3 -------------------------------------------------------------------


def test_list_state_machines_round_trip(sfn: Any, fake: Fake) -> None:
    answer = sfn.list_state_machines(maxResults=10)
    machine = answer["stateMachines"][0]
    assert machine["stateMachineArn"] == ARN and machine["creationDate"] == CREATED
    assert "nextToken" not in answer
    operation, request, headers = fake.calls[-1]
    assert (operation, request) == ("ListStateMachines", {"maxResults": 10})
    assert headers["x-amz-target"] == "AWSStepFunctions.ListStateMachines"  # lower-case names
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert uuid.UUID(request_id).version == 4


def test_an_api_error_is_the_modeled_exception(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as info:
        sfn.describe_state_machine(stateMachineArn=ARN)
    assert info.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{ARN}'"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert uuid.UUID(info.value.response["ResponseMetadata"]["RequestId"])


def test_a_validation_error_reaches_boto3(server: Server) -> None:
    unchecked = _client(server.url, parameter_validation=False)
    with pytest.raises(unchecked.exceptions.ValidationException) as info:
        unchecked.start_execution(stateMachineArn=ARN, name="a" * 81)
    assert info.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value '{'a' * 81}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80"
    )


def test_an_exception_in_call_is_an_internal_failure(server: Server, sfn: Any, logs: list[str]) -> None:
    with pytest.raises(ClientError) as info:
        sfn.list_activities()
    error = info.value.response
    assert error["Error"] == {"Code": "InternalFailure", "Message": INTERNAL_FAILURE}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    request_id = error["ResponseMetadata"]["RequestId"]
    logged = [line for line in logs if line.startswith(request_id)]
    assert len(logged) == 1 and "RuntimeError: the fake has a bug" in logged[0] and "Traceback" in logged[0]
    raw = _post(server, b"{}", "AWSStepFunctions.ListActivities").read()
    assert b"Traceback" not in raw and b"the fake has a bug" not in raw
    _still_serving(sfn)


def test_start_sync_execution_needs_no_host_prefix(server: Server, sfn: Any) -> None:
    result = sfn.start_sync_execution(stateMachineArn=ARN, input="{}")
    assert result["status"] == "SUCCEEDED" and result["stopDate"] == CREATED
    # botocore's default puts "sync-" before the endpoint's host: sync-127.0.0.1 does not resolve
    prefixed = _client(server.url)
    sent: list[str] = []

    def look(request: Any, **_: Any) -> None:
        sent.append(request.url)
        raise EndpointConnectionError(endpoint_url=request.url)

    prefixed.meta.events.register("before-send.sfn.StartSyncExecution", look)
    with pytest.raises(EndpointConnectionError):
        prefixed.start_sync_execution(stateMachineArn=ARN)
    assert sent == [f"http://sync-{server.url.removeprefix('http://')}/"]
    # a resolvable prefixed name of this server is served (the Host check allows the sync- prefix)
    answer = _post(server, json.dumps({"stateMachineArn": ARN}).encode(), "AWSStepFunctions.StartSyncExecution",
                   Host=f"sync-localhost:{server.port}")
    assert answer.status == 200 and json.loads(answer.read())["status"] == "SUCCEEDED"


# -- raw HTTP ----------------------------------------------------------------


def test_every_answer_has_a_request_id(server: Server) -> None:
    seen = set()
    for target in ("AWSStepFunctions.ListStateMachines", "AWSStepFunctions.Nope", None):
        answer = _post(server, b"{}", target)
        answer.read()
        assert answer.getheader("Content-Type") == "application/x-amz-json-1.0"
        seen.add(answer.getheader("x-amzn-RequestId"))
    assert len(seen) == 3 and all(uuid.UUID(i) for i in seen)


def test_protocol_errors_over_http(server: Server) -> None:
    unknown = _post(server, b"{}", "AWSStepFunctions.Nope")
    assert unknown.status == 400 and json.loads(unknown.read())["__type"] == "UnknownOperationException"
    missing = _post(server, b"{}", None)
    assert missing.status == 400 and "X-Amz-Target" in json.loads(missing.read())["message"]
    broken = _post(server, b"{not json")
    assert broken.status == 400 and json.loads(broken.read())["__type"] == "SerializationException"


def test_keep_alive(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=5)
    for _ in range(3):
        connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
        answer = connection.getresponse()
        assert answer.status == 200 and answer.getheader("Connection") is None
        answer.read()
    connection.close()


def test_a_body_over_the_limit_is_refused_unread(server: Server, fake: Fake, sfn: Any) -> None:
    calls = len(fake.calls)
    started = time.monotonic()
    answer = _post(server, b"x" * 2_000_000)
    body = json.loads(answer.read())
    assert answer.status == 413 and body["__type"] == "RequestEntityTooLarge"
    assert "2000000 bytes" in body["message"] and "1048576" in body["message"]
    assert answer.getheader("Connection") == "close" and answer.getheader("x-amzn-RequestId")
    assert len(fake.calls) == calls
    assert time.monotonic() - started < 1
    _still_serving(sfn)


def test_a_refused_body_behind_expect_continue_is_never_sent(server: Server) -> None:
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
        b"Content-Length: 2000000\r\nExpect: 100-continue\r\n\r\n"
    )
    status, headers, body = _answer(_raw(server, request))
    assert status == 413 and body["__type"] == "RequestEntityTooLarge" and headers["connection"] == "close"


def test_a_superscript_length_behind_expect_continue_is_a_bad_request(server: Server, sfn: Any) -> None:
    # "\xb2" is "²" in ISO-8859-1: str.isdigit says yes, int() says no.
    request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\nExpect: 100-continue\r\n\r\n"
    raw = _raw(server, request)
    interim = b"HTTP/1.1 100 Continue\r\n\r\n"
    status, headers, body = _answer(raw[len(interim):] if raw.startswith(interim) else raw)
    assert (status, body["__type"], headers["connection"]) == (400, "BadRequest", "close")
    _still_serving(sfn)


def test_a_post_without_content_length(server: Server) -> None:
    request = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nConnection: close\r\n\r\n"
    status, headers, body = _answer(_raw(server, request))
    assert status == 411 and body["__type"] == "LengthRequired" and headers["x-amzn-requestid"]
    chunked = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    status, headers, body = _answer(_raw(server, chunked))
    assert status == 411 and headers["connection"] == "close"
    for length in (b"-1", b"+2", b"0_2", b"2.0", b"\xef\xbc\x92"):  # the last: a fullwidth 2
        status, _, body = _answer(_raw(server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n{}" % length))
        assert status == 400 and body["__type"] == "BadRequest", length


@pytest.mark.parametrize(
    ("request_line", "status", "kind"),
    [
        (b"GARBAGE\r\n\r\n", 400, "BadRequest"),
        (b"GET / HTTP/x.y\r\n\r\n", 400, "BadRequest"),
        (b"GET / HTTP/2.0\r\n\r\n", 505, "HTTPVersionNotSupported"),
        (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "NotImplemented"),
    ],
)
def test_a_malformed_request_does_not_stop_the_server(server: Server, sfn: Any, request_line: bytes, status: int, kind: str) -> None:
    answer_status, headers, body = _answer(_raw(server, request_line))
    assert (answer_status, body["__type"]) == (status, kind)
    assert headers["x-amzn-requestid"] and headers["content-type"] == "application/x-amz-json-1.0"
    _still_serving(sfn)


@pytest.mark.parametrize(
    ("head", "status", "kind"),
    [
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\n{}", 400, "BadRequest"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: a\r\n  .b\r\nContent-Length: 2\r\n\r\n{}", 400, "BadRequest"),
        (b"POST / HTTP/1.1\r\nHost : x\r\nContent-Length: 2\r\n\r\n{}", 400, "BadRequest"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
         400, "BadRequest"),
        (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(101)) + b"\r\n", 431, "RequestHeaderFieldsTooLarge"),
        (b"GET / HTTP/1.1\r\nX: " + b"y" * 70_000 + b"\r\n\r\n", 431, "RequestHeaderFieldsTooLarge"),
    ],
)
def test_a_malformed_header_is_refused_and_closes(server: Server, sfn: Any, head: bytes, status: int, kind: str) -> None:
    # Two lengths are never read as one (request smuggling), nor a folded or spaced field.
    answer_status, headers, body = _answer(_raw(server, head))
    assert (answer_status, body["__type"], headers["connection"]) == (status, kind, "close")
    _still_serving(sfn)


def test_keep_alive_follows_the_version_and_connection_header(server: Server) -> None:
    # HTTP/1.0 closes unless asked to keep alive; HTTP/1.1 keeps alive unless asked to close.
    ask = (b"POST / HTTP/1.%d\r\nHost: 127.0.0.1:%d\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
           b"Content-Length: 2\r\n%s\r\n{}")
    for minor, extra, closes in ((0, b"", True), (0, b"Connection: keep-alive\r\n", False), (1, b"", False),
                                 (1, b"Connection: Close\r\n", True)):
        answers = _answers_to_two(server, ask % (minor, _port(server), extra))
        assert answers == (1 if closes else 2), (minor, extra)


def _answers_to_two(server: Server, request: bytes) -> int:
    """Send ``request`` twice in one write: how many answers come before the server closes (2 at most)."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as connection:
        connection.sendall(request + request)
        data = b""
        while data.count(b"HTTP/1.1 200 ") < 2 and (chunk := connection.recv(65_536)):
            data += chunk
        return data.count(b"HTTP/1.1 200 ")


def test_unknown_paths_and_routes(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=5)

    def ask(method: str, path: str, body: bytes | None = None) -> tuple[int, http.client.HTTPResponse, bytes]:
        connection.request(method, path, body=body)
        answer = connection.getresponse()
        return answer.status, answer, answer.read()

    status, answer, body = ask("GET", "/console")
    assert (status, body, answer.getheader("Content-Type")) == (200, b"<h1>asl</h1>", "text/html")
    assert answer.getheader("Content-Length") == str(len(body)) and answer.getheader("x-amzn-RequestId")
    status, answer, body = ask("PUT", "/echo?x=1", b"hello")
    assert status == 201 and json.loads(body) == {"method": "PUT", "path": "/echo?x=1", "body": "hello"}
    status, _, body = ask("POST", "/echo/post", b"{}")
    assert status == 201 and json.loads(body)["method"] == "POST"
    for method, path in (("GET", "/"), ("POST", "/nope"), ("DELETE", "/x"), ("GET", "/favicon.ico")):
        status, answer, body = ask(method, path)
        assert status == 404 and json.loads(body)["__type"] == "UnknownOperationException", (method, path)
        assert answer.getheader("x-amzn-RequestId")
    status, _, body = ask("GET", "/broken")
    assert status == 500 and json.loads(body) == {"__type": "InternalFailure", "message": INTERNAL_FAILURE}
    status, answer, body = ask("HEAD", "/console")
    assert status == 200 and body == b"" and answer.getheader("Content-Length") == "12"
    connection.close()


def test_the_access_log_goes_to_log(server: Server, sfn: Any, logs: list[str]) -> None:
    sfn.list_state_machines()
    assert any('"POST / HTTP/1.1" 200' in line for line in logs)


# -- a server of its own -----------------------------------------------------


def test_without_log_nothing_is_written(capfd: pytest.CaptureFixture[str]) -> None:
    with Server(Fake(), port=0) as quiet:
        answer = _post(quiet, b"{}")
        assert answer.status == 200
        answer.read()
        _raw(quiet, b"GARBAGE\r\n\r\n")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_without_log_a_failure_goes_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with Server(Fake(), port=0) as quiet:
        assert _post(quiet, b"{}", "AWSStepFunctions.ListActivities").status == 500
    err = capfd.readouterr().err
    assert "ListActivities failed" in err and "RuntimeError: the fake has a bug" in err


def test_stop_ends_open_connections_and_is_idempotent() -> None:
    server = Server(Fake(), port=0).start()
    connection = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=5)
    connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
    connection.getresponse().read()  # the connection stays open (keep-alive)
    started = time.monotonic()
    server.stop()
    server.stop()
    assert time.monotonic() - started < 0.5
    with pytest.raises(OSError):
        connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
        connection.getresponse()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", _port(server)), timeout=1)


def test_a_server_never_started_stops() -> None:
    server = Server(Fake(), port=0)
    assert server.url.startswith("http://127.0.0.1:") and _port(server) > 0
    server.stop()


def test_serve_forever_in_a_thread_of_ones_own() -> None:
    import threading

    server = Server(Fake(), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    assert _post(server, b"{}").status == 200
    server.stop()
    thread.join(1)
    assert not thread.is_alive()
