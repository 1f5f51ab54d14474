"""Bad requests get AWS's error types, never a traceback, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlparse

import pytest


def _post(url: str, target: str | None, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    parts = urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        sent = {"Content-Type": "application/x-amz-json-1.0", **(headers or {})}
        if target is not None:
            sent["X-Amz-Target"] = f"AWSStepFunctions.{target}"
        connection.request("POST", "/", body=body, headers=sent)
        answer = connection.getresponse()
        data = answer.read()
        return answer.status, json.loads(data) if data else {}, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        connection.close()


ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:m"


@pytest.mark.parametrize(("target", "body", "status", "error_type"), [
    ("ListStateMachines", b"{not json", 400, "SerializationException"),
    ("ListStateMachines", b"[1, 2]", 400, "SerializationException"),
    ("DescribeExecution", b"{}", 400, "ValidationException"),
    ("ListStateMachines", b'{"maxResults": "ten"}', 400, "SerializationException"),
    ("ListStateMachines", b'{"maxResults": 5000}', 400, "ValidationException"),
    ("NoSuchOperation", b"{}", 400, "UnknownOperationException"),
    (None, b"{}", 400, "UnknownOperationException"),
    ("DescribeStateMachine", json.dumps({"stateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:m"}).encode(), 400, "InvalidArn"),
    ("DescribeStateMachine", json.dumps({"stateMachineArn": ARN.replace("123456789012", "210987654321")}).encode(), 400, "StateMachineDoesNotExist"),
    ("DescribeExecution", json.dumps({"executionArn": "not-an-arn"}).encode(), 400, "InvalidArn"),
    ("StartExecution", json.dumps({"stateMachineArn": ARN, "input": "{"}).encode(), 400, "StateMachineDoesNotExist"),
    ("UpdateStateMachine", json.dumps({"stateMachineArn": ARN}).encode(), 400, "StateMachineDoesNotExist"),
])
def test_a_bad_request_gets_an_aws_error(server: Any, target: str | None, body: bytes, status: int, error_type: str) -> None:
    code, answer, headers = _post(server.url, target, body)
    assert (code, answer.get("__type")) == (status, error_type), answer
    assert answer.get("message") and "Traceback" not in answer["message"]
    assert headers.get("x-amzn-requestid")
    assert _post(server.url, "ListStateMachines", b"{}")[0] == 200  # still serving


def test_update_without_changes_is_missing_a_parameter(server: Any, service: Any) -> None:
    arn = service.create_state_machine("m", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    code, answer, _ = _post(server.url, "UpdateStateMachine", json.dumps({"stateMachineArn": arn}).encode())
    assert (code, answer["__type"]) == (400, "MissingRequiredParameter")


def test_a_10_mb_body_is_refused_unread(server: Any) -> None:
    code, answer, _ = _post(server.url, "StartExecution", b"x" * (10 * 1024 * 1024))
    assert code == 413 and answer["__type"] == "RequestEntityTooLarge"
    assert _post(server.url, "ListStateMachines", b"{}")[0] == 200
