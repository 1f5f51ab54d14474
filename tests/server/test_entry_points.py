"""The seed's entry point (POST /messages -> StartExecution), Step Functions
Local's mocked test cases (ARN#TestCase), and the aws CLI against the server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import asl_engine
from asl_engine.server import Route, make_server
from asl_engine.service import Service

from .conftest import client_of, settle

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "definitions"


@pytest.fixture
def bundled() -> Iterator[tuple[Service, Any]]:
    """The bundled flows on a service whose Tasks answer from MockConfigFile.json."""
    config = asl_engine.load_mock_config(DEFINITIONS / "MockConfigFile.json")
    service = Service(mock_config=config, skip_waits=True)
    for path in sorted(DEFINITIONS.glob("*.asl.json")):
        service.put_state_machine(path.name.split(".")[0], path.read_text(encoding="utf-8"))
    server = make_server(service, port=0, routes=[Route("POST", "/messages", "message_processing")]).start()
    try:
        yield service, server
    finally:
        server.stop()
        service.close()


def test_mocked_test_cases_run_as_step_functions_local_runs_them(bundled: tuple[Service, Any]) -> None:
    service, server = bundled
    sfn = client_of(server.url)
    machine = service.machine_arn("message_processing")
    body = (DEFINITIONS / "examples" / "post_request.json").read_text()
    happy = sfn.start_execution(stateMachineArn=machine + "#HappyPath", input=body)["executionArn"]
    assert happy.startswith(machine.replace(":stateMachine:", ":execution:"))  # the ARN has no #TestCase
    assert settle(service, sfn, happy)["status"] == "SUCCEEDED"
    dlq = sfn.start_execution(stateMachineArn=machine + "#WorkerFailureToDLQ", input=body)["executionArn"]
    assert settle(service, sfn, dlq)["status"] in ("SUCCEEDED", "FAILED")
    with pytest.raises(sfn.exceptions.ClientError) as info:
        sfn.start_execution(stateMachineArn=machine + "#NoSuchCase", input=body)
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_post_messages_starts_the_flow(bundled: tuple[Service, Any]) -> None:
    service, server = bundled
    request = urllib.request.Request(
        server.url + "/messages", data=(DEFINITIONS / "examples" / "post_request.json").read_bytes(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    # A route starts the plain machine (no #TestCase): let its Tasks answer from the happy path.
    assert service.mock_config is not None
    service.options = asl_engine.RunOptions(mocks=service.mock_config.mocks("message_processing", "HappyPath"))
    with urllib.request.urlopen(request, timeout=5) as answer:
        started = json.loads(answer.read())
    assert set(started) == {"executionArn", "startDate"}
    described = settle(service, client_of(server.url), started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert service.history(started["executionArn"])[0]["type"] == "ExecutionStarted"


@pytest.mark.skipif(shutil.which("aws", path=os.path.dirname(sys.executable)) is None, reason="awscli is not installed in this environment")
def test_the_aws_cli_talks_to_the_server(bundled: tuple[Service, Any], tmp_path: Path) -> None:
    service, server = bundled
    aws = shutil.which("aws", path=os.path.dirname(sys.executable))
    assert aws is not None
    env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1",
               AWS_DISABLE_HOST_PREFIX_INJECTION="true", AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))

    def cli(*args: str) -> Any:
        done = subprocess.run([aws, "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None, done.stderr

    code, listed, _ = cli("list-state-machines")
    assert code == 0 and "message_processing" in {m["name"] for m in listed["stateMachines"]}
    machine = service.machine_arn("message_processing")
    body = (DEFINITIONS / "examples" / "post_request.json").read_text()
    code, started, _ = cli("start-execution", "--state-machine-arn", machine + "#HappyPath", "--input", body)
    assert code == 0
    settle(service, client_of(server.url), started["executionArn"])
    code, history, _ = cli("get-execution-history", "--execution-arn", started["executionArn"], "--max-items", "3")
    assert code == 0 and [e["id"] for e in history["events"]] == [1, 2, 3] and "NextToken" in history
    code, _, err = cli("describe-execution", "--execution-arn", machine.replace(":stateMachine:", ":execution:") + ":nope")
    assert code != 0 and "ExecutionDoesNotExist" in err
    express = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"fast": True}, "End": True}}}
    code, created, _ = cli("create-state-machine", "--name", "fast", "--type", "EXPRESS", "--definition", json.dumps(express),
                           "--role-arn", "arn:aws:iam::123456789012:role/r")
    assert code == 0
    # AWS_DISABLE_HOST_PREFIX_INJECTION keeps the CLI off the sync-127.0.0.1 host.
    code, synced, err = cli("start-sync-execution", "--state-machine-arn", created["stateMachineArn"])
    assert code == 0, err
    assert synced["status"] == "SUCCEEDED" and json.loads(synced["output"]) == {"fast": True}
