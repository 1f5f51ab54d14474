"""``--auth sigv4``: only requests signed with a given key are served, with AWS's refusals."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from asl_engine.server import Route, make_server
from asl_engine.server.sigv4 import SigV4, canonical_request, read_access_keys
from asl_engine.service import Service

from .conftest import KEY_ID, PASS, SECRET, api, client_of, raw

MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")


class Skewed:
    """The server's clock, ``offset`` from real time (botocore signs with real time)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


@pytest.fixture
def clock() -> Skewed:
    return Skewed()


@pytest.fixture
def server(service: Service, clock: Skewed) -> Iterator[Any]:
    service.create_state_machine("hello", PASS)
    server = make_server(service, port=0, routes=[Route("POST", "/messages", "hello")],
                         access_keys={KEY_ID: SECRET, "AKIDOTHER": "other-secret"}, now=clock).start()
    try:
        yield server
    finally:
        server.stop()


def _error(call: Any) -> tuple[str, str, int]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _signed(url: str, method: str, path: str, body: bytes, service_name: str, secret: str = SECRET,
            headers: dict[str, str] | None = None) -> dict[str, str]:
    """The headers botocore's own signer gives a request (the reference implementation)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url + path, data=body, headers=headers or {})
    SigV4Auth(Credentials(KEY_ID, secret), service_name, "eu-west-3").add_auth(request)
    return dict(request.headers.items())


def test_a_request_signed_with_a_given_key_is_served(server: Any, service: Service) -> None:
    for key_id, secret in ((KEY_ID, SECRET), ("AKIDOTHER", "other-secret")):
        sfn = client_of(server.url, key_id, secret)
        arn = sfn.start_execution(stateMachineArn=service.machine_arn("hello"), input='{"a": 1}')["executionArn"]
        service.runner.wait(arn, 10)
        assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def test_a_wrong_secret_is_an_invalid_signature(server: Any) -> None:
    assert _error(client_of(server.url, KEY_ID, "not-the-secret").list_state_machines) == ("InvalidSignatureException", MISMATCH, 400)


def test_an_unknown_key_is_an_unrecognized_client(server: Any) -> None:
    assert _error(client_of(server.url, "AKIDNOBODY", SECRET).list_state_machines) == (
        "UnrecognizedClientException", "The security token included in the request is invalid.", 400)


def test_an_unsigned_request_misses_the_token(server: Any) -> None:
    status, body, _ = api(server.url, "ListStateMachines")
    assert (status, body) == (403, {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
    status, body, _ = raw(server.url, "POST", "/messages", {"Content-Type": "application/json"}, b"{}")
    assert (status, body["__type"]) == (403, "MissingAuthenticationTokenException")


def test_a_signature_too_old_or_too_new_is_refused(server: Any, clock: Skewed) -> None:
    sfn = client_of(server.url)
    clock.offset = timedelta(minutes=16)
    code, message, status = _error(sfn.list_state_machines)
    assert (code, status) == ("InvalidSignatureException", 400)
    stamp = r"\d{8}T\d{6}Z"
    assert re.fullmatch(rf"Signature expired: {stamp} is now earlier than {stamp} \({stamp} - 15 min\.\)", message), message
    clock.offset = timedelta(minutes=-16)
    code, message, _ = _error(sfn.list_state_machines)
    assert re.fullmatch(rf"Signature not yet current: {stamp} is still later than {stamp} \({stamp} \+ 15 min\.\)", message), message
    clock.offset = timedelta(minutes=14)
    assert sfn.list_state_machines()["stateMachines"]


def test_a_changed_body_or_another_service_or_a_bad_header_is_refused(server: Any) -> None:
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.ListStateMachines"}
    good = _signed(server.url, "POST", "/", b"{}", "states", headers=headers)
    assert raw(server.url, "POST", "/", good, b"{}")[0] == 200
    status, body, _ = raw(server.url, "POST", "/", good, b'{"maxResults": 1}')
    assert (status, body["__type"], body["message"]) == (400, "InvalidSignatureException", MISMATCH)
    other = _signed(server.url, "POST", "/", b"{}", "lambda", headers=headers)
    assert raw(server.url, "POST", "/", other, b"{}")[1]["message"] == "Credential should be scoped to correct service: 'states'. "
    for broken in ("Basic dXNlcjpwYXNz", good["Authorization"].replace("Signature=", "Sig="), "AWS4-HMAC-SHA256 Credential=x"):
        status, body, _ = raw(server.url, "POST", "/", {**good, "Authorization": broken}, b"{}")
        assert (status, body["__type"]) == (400, "IncompleteSignatureException"), body
    status, body, _ = raw(server.url, "POST", "/", {**good, "X-Amz-Date": "yesterday"}, b"{}")
    assert body["__type"] == "IncompleteSignatureException"


def test_a_route_is_signed_for_execute_api(server: Any) -> None:
    headers = {"Content-Type": "application/json"}
    signed = _signed(server.url, "POST", "/messages?b=2&a=x%20y", b'{"m": 1}', "execute-api", headers=headers)
    status, body, _ = raw(server.url, "POST", "/messages?b=2&a=x%20y", signed, b'{"m": 1}')
    assert status == 200 and body["executionArn"], body
    as_api = _signed(server.url, "POST", "/messages", b"{}", "states", headers=headers)
    assert raw(server.url, "POST", "/messages", as_api, b"{}")[1]["__type"] == "InvalidSignatureException"


def test_the_console_lets_in_the_browser_holding_the_printed_token(server: Any) -> None:
    assert raw(server.url, "GET", "/")[1]["__type"] == "MissingAuthenticationTokenException"
    (notice,) = [n for n in server.notices if "console" in n]
    token = notice.rsplit("console-token=", 1)[1]
    assert raw(server.url, "GET", "/?console-token=wrong")[1]["__type"] == "MissingAuthenticationTokenException"
    status, body, headers = raw(server.url, "GET", f"/?console-token={token}")
    assert (status, headers["location"]) == (303, "/") and body == {} and token not in json.dumps(body)
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, page, _ = raw(server.url, "GET", "/", {"Cookie": cookie.split(";")[0]})
    assert status == 200 and "hello" in page and token not in page
    assert raw(server.url, "GET", "/", {"Cookie": cookie.split(";")[0] + "x"})[0] == 403
    # the cookie opens pages only: the API and the routes still want a signature
    assert api(server.url, "ListStateMachines", headers={"Cookie": cookie.split(";")[0]})[0] == 403


def test_the_canonical_request_is_botocores() -> None:
    """Against botocore's signer: a query to sort and encode, header values to trim."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url="http://127.0.0.1:8083/a%20b/c?z=1&a=%2F&m=x~y", data=b"body",
                         headers={"X-Amz-Target": "  two   spaces ", "Content-Type": "text/plain"})
    request.context["timestamp"] = "20260102T030405Z"
    auth = SigV4Auth(Credentials(KEY_ID, SECRET), "states", "us-east-1")
    request.headers["X-Amz-Date"] = "20260102T030405Z"
    request.headers["Host"] = "127.0.0.1:8083"
    expected = auth.canonical_request(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    signed = auth.signed_headers(auth.headers_to_sign(request)).split(";")
    assert canonical_request("POST", "/a%20b/c?z=1&a=%2F&m=x~y", headers, signed, b"body") == expected
    checker = SigV4({KEY_ID: SECRET})
    auth.add_auth(request)  # signs it now, with botocore's own X-Amz-Date
    checker.check("POST", "/a%20b/c?z=1&a=%2F&m=x~y", {n.lower(): v for n, v in request.headers.items()}, b"body", "states")
    assert "s3cr3t" not in repr(checker)


def test_keys_are_read_from_arguments_and_files_and_a_bad_one_is_not_echoed(tmp_path: Path) -> None:
    keyfile = tmp_path / "keys"
    keyfile.write_text(f"# mine\n{KEY_ID}:{SECRET}\n\nAKIDTWO:two:with:colons\n")
    assert read_access_keys(["A:b"], str(keyfile)) == {"A": "b", KEY_ID: SECRET, "AKIDTWO": "two:with:colons"}
    keyfile.write_text(f"{SECRET}\n")
    with pytest.raises(ValueError) as info:
        read_access_keys([], str(keyfile))
    assert SECRET not in str(info.value) and f"{keyfile}:1" in str(info.value)


@pytest.mark.skipif(shutil.which("aws", path=os.path.dirname(sys.executable)) is None, reason="awscli is not installed")
def test_the_aws_cli_signs_and_a_wrong_key_is_refused(server: Any, tmp_path: Path) -> None:
    aws = shutil.which("aws", path=os.path.dirname(sys.executable))
    assert aws is not None

    def cli(key_id: str, secret: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
        return subprocess.run([aws, "stepfunctions", "list-state-machines", "--endpoint-url", server.url, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)

    done = cli(KEY_ID, SECRET)
    assert done.returncode == 0 and [m["name"] for m in json.loads(done.stdout)["stateMachines"]] == ["hello"], done.stderr
    done = cli(KEY_ID, "wrong")
    assert done.returncode != 0 and "InvalidSignatureException" in done.stderr
