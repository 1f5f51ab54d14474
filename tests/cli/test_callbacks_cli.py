"""A waiting .waitForTaskToken task answered by `asl send-task-*` from another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from asl_cli.main import cli

DEFINITION = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "local", "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
            "TimeoutSeconds": 30,
            "End": True,
        }
    },
}

HANDLER = '''
import os
def ask(event):
    with open(os.environ["TOKEN_FILE"], "w") as fh:
        fh.write(event["MessageBody"]["TaskToken"])
    return {"MessageId": "m-1"}
'''


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, dict[str, str]]:
    (tmp_path / "ask_handler.py").write_text(HANDLER)
    definition = tmp_path / "ask.asl.json"
    definition.write_text(json.dumps(DEFINITION))
    token_file = tmp_path / "token.txt"
    env = dict(os.environ, TOKEN_FILE=str(token_file), ASL_CALLBACKS_DIR=str(tmp_path / "callbacks"), PYTHONPATH=str(tmp_path))
    asl = Path(sys.executable).parent / "asl"
    command = [str(asl), "run", str(definition), "--handler", "Ask=ask_handler:ask"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not token_file.exists() or not token_file.read_text():
        assert time.monotonic() < deadline, "the task never asked"
        time.sleep(0.05)
    return process, token_file, env


def test_send_task_success_from_another_process(tmp_path, monkeypatch):
    process, token_file, env = _start(tmp_path)
    token = token_file.read_text()
    monkeypatch.setenv("ASL_CALLBACKS_DIR", env["ASL_CALLBACKS_DIR"])
    result = CliRunner().invoke(cli, ["send-task-success", "--task-token", token, "--task-output", '{"approved": true}'])
    assert result.exit_code == 0
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert json.loads(stdout) == {"approved": True}
    assert token in stderr  # the waiting run showed its token


def test_send_task_failure_from_another_process(tmp_path, monkeypatch):
    process, token_file, env = _start(tmp_path)
    monkeypatch.setenv("ASL_CALLBACKS_DIR", env["ASL_CALLBACKS_DIR"])
    result = CliRunner().invoke(cli, ["send-task-failure", "--task-token", token_file.read_text(), "--error", "Rejected", "--cause", "no"])
    assert result.exit_code == 0
    stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 1
    assert json.loads(stdout) == {"status": "FAILED", "error": "Rejected", "cause": "no"}
