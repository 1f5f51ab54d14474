"""A waiting .waitForTaskToken task answered by `asl send-task-*` from another process."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import sys
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


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, dict[str, str], list[str]]:
    """Start ``asl run`` of a machine that asks for a callback; return once it waits.

    Also returns the stderr lines read while waiting for it to ask."""
    (tmp_path / "ask_handler.py").write_text(HANDLER)
    definition = tmp_path / "ask.asl.json"
    definition.write_text(json.dumps(DEFINITION))
    token_file = tmp_path / "token.txt"
    env = dict(os.environ, TOKEN_FILE=str(token_file), ASL_CALLBACKS_DIR=str(tmp_path / "callbacks"), PYTHONPATH=str(tmp_path))
    asl = Path(sys.executable).parent / "asl"
    command = [str(asl), "run", str(definition), "--handler", "Ask=ask_handler:ask"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait for the run to say that it waits for its token (no polling: the read blocks).
    asked = threading.Event()
    seen: list[str] = []

    def watch_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if "waits for its task token" in line:
                asked.set()
                return

    reader = threading.Thread(target=watch_stderr, daemon=True)
    reader.start()
    assert asked.wait(20), "the task never asked"
    reader.join()
    assert token_file.read_text()
    return process, token_file, env, seen


def test_send_task_success_from_another_process(tmp_path, monkeypatch):
    process, token_file, env, seen = _start(tmp_path)
    token = token_file.read_text()
    monkeypatch.setenv("ASL_CALLBACKS_DIR", env["ASL_CALLBACKS_DIR"])
    result = CliRunner().invoke(cli, ["send-task-success", "--task-token", token, "--task-output", '{"approved": true}'])
    assert result.exit_code == 0
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert json.loads(stdout) == {"approved": True}
    assert token in "".join(seen) + stderr  # the waiting run showed its token


def test_send_task_failure_from_another_process(tmp_path, monkeypatch):
    process, token_file, env, seen = _start(tmp_path)
    monkeypatch.setenv("ASL_CALLBACKS_DIR", env["ASL_CALLBACKS_DIR"])
    result = CliRunner().invoke(cli, ["send-task-failure", "--task-token", token_file.read_text(), "--error", "Rejected", "--cause", "no"])
    assert result.exit_code == 0
    stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 1
    assert json.loads(stdout) == {"status": "FAILED", "error": "Rejected", "cause": "no"}
