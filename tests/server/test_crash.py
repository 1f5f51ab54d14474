"""kill -9 the server while executions run; the next server on the same
database finishes every one of them, exactly once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .conftest import ROLE, client_of

LOOP = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": {"count": 0}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "Next": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"count.$": "States.MathAdd($.count, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.count", "NumericLessThan": 3, "Next": "W"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
ASK = {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "Next": "Done"},
    "Done": {"Type": "Succeed"}}}
HANDLERS = '''
import json, os
def record(event):
    with open(os.environ["TOKENS_FILE"], "a") as fh:
        fh.write(event["MessageBody"]["token"] + "\\n")
    return {"MessageId": "m"}
'''
CLEAN_PATH = ["Init", "W", "Inc", "Check", "W", "Inc", "Check", "W", "Inc", "Check", "Done"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TOKENS_FILE=str(tmp / "tokens.txt"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "asl_cli.main", "serve", "--db", str(tmp / "state.db"), "--port", str(port),
         "--handler", "Ask=crash_handlers:record"],
        cwd=tmp, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 20
    for line in proc.stderr:
        if b"listening on" in line or time.monotonic() > deadline:
            break
    return proc


def _wait_all(sfn: Any, arns: list[str], timeout: float) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        statuses = {arn: sfn.describe_execution(executionArn=arn)["status"] for arn in arns}
        if "RUNNING" not in statuses.values() or time.monotonic() > deadline:
            return statuses
        time.sleep(0.1)


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
    return [event for page in pages for event in page["events"]]


def test_kill_9_then_restart_finishes_every_execution_once(tmp_path: Path) -> None:
    (tmp_path / "crash_handlers.py").write_text(HANDLERS)
    port = _free_port()
    server = _serve(tmp_path, port)
    try:
        sfn = client_of(f"http://127.0.0.1:{port}")
        loop = sfn.create_state_machine(name="loop", definition=json.dumps(LOOP), roleArn=ROLE)["stateMachineArn"]
        ask = sfn.create_state_machine(name="ask", definition=json.dumps(ASK), roleArn=ROLE)["stateMachineArn"]
        loops = [sfn.start_execution(stateMachineArn=loop, name=f"loop-{i}")["executionArn"] for i in range(5)]
        asking = sfn.start_execution(stateMachineArn=ask, name="ask")["executionArn"]
        tokens_file = tmp_path / "tokens.txt"
        deadline = time.monotonic() + 10
        while not tokens_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.2)  # the loops are between their first and second Wait
        before = {arn: len(_history(sfn, arn)) for arn in loops}
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)
    assert all(count > 3 for count in before.values())

    server = _serve(tmp_path, port)
    try:
        sfn = client_of(f"http://127.0.0.1:{port}")
        token = tokens_file.read_text().split()[0]
        deadline = time.monotonic() + 10
        while len(tokens_file.read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the resumed task is dispatched again, with the same token
        assert set(tokens_file.read_text().split()) == {token}
        sfn.send_task_success(taskToken=token, output='{"answer": 42}')
        statuses = _wait_all(sfn, loops + [asking], 15)
        assert set(statuses.values()) == {"SUCCEEDED"}, statuses
        for arn in loops:
            events = _history(sfn, arn)
            assert [e["id"] for e in events] == list(range(1, len(events) + 1))
            entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
            assert entered == CLEAN_PATH
            assert len(events) >= before[arn]
        assert json.loads(sfn.describe_execution(executionArn=asking)["output"]) == {"answer": 42}
    finally:
        server.terminate()
        server.wait(10)
