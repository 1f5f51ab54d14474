"""Servers on 127.0.0.1 (a free port) for the security tests, and raw HTTP to them."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from asl_engine.service import Service

KEY_ID = "AKIDASLTEST0001"
SECRET = "s3cr3t-Zq8WJv1NfHk2Lp0Xr7Ty"
"""The test key: its secret must never be found in anything the server keeps, logs or answers."""
ROLE = "arn:aws:iam::123456789012:role/r"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def client_of(url: str, key_id: str = KEY_ID, secret: str = SECRET, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key_id, aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False, **config),
    )


def raw(url: str, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> tuple[int, Any, dict[str, str]]:
    """One request as written (``Host`` included when given); status, JSON body (or text), lower-case headers."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        given = dict(headers or {})
        connection.putrequest(method, path, skip_host="Host" in given, skip_accept_encoding=True)
        for name, value in {**given, "Content-Length": str(len(body))}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        data = answer.read()
        try:
            decoded: Any = json.loads(data) if data else {}
        except ValueError:
            decoded = data.decode("utf-8", "replace")
        return answer.status, decoded, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        connection.close()


def api(url: str, operation: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    sent = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AWSStepFunctions.{operation}", **(headers or {})}
    return raw(url, "POST", "/", sent, json.dumps(body or {}).encode())


@pytest.fixture
def service(tmp_path: Any) -> Iterator[Service]:
    with Service(str(tmp_path / "state.db"), skip_waits=True) as svc:
        yield svc
