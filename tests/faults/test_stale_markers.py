"""``asl run`` killed with ``kill -9`` while a task waits for its token leaves
its ``waiting/<token>`` marker behind; ``asl send-task-*`` then says the token
does not exist (as AWS does once the execution is gone) and removes it."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from .helpers import asl, until

ASK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "local", "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
    "TimeoutSeconds": 60, "End": True}}}
HANDLER = '''
import os
def ask(event):
    with open(os.environ["TOKEN_FILE"], "w") as fh:
        fh.write(event["MessageBody"]["TaskToken"])
    return {"MessageId": "m-1"}
'''


def test_a_killed_run_leaves_no_token_that_answers(tmp_path: Path) -> None:
    (tmp_path / "ask_handler.py").write_text(HANDLER)
    (tmp_path / "ask.asl.json").write_text(json.dumps(ASK))
    token_file, callbacks = tmp_path / "token.txt", tmp_path / "callbacks"
    env = dict(os.environ, TOKEN_FILE=str(token_file), ASL_CALLBACKS_DIR=str(callbacks), PYTHONPATH=str(tmp_path))
    run = asl("run", "ask.asl.json", "--handler", "Ask=ask_handler:ask", cwd=tmp_path, env=env)
    try:
        markers = callbacks / "waiting"
        until(lambda: markers.is_dir() and any(markers.iterdir()), timeout=20, what="the waiting marker")
        token = until(lambda: token_file.exists() and token_file.read_text(), what="the token")
    finally:
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=10)  # reaped: no zombie keeps its pid alive
    assert list(markers.iterdir()), "kill -9 leaves the marker"
    send = asl("send-task-success", "--task-token", token, "--task-output", "{}", cwd=tmp_path, env=env)
    out, err = send.communicate(timeout=30)
    assert send.returncode == 1, err
    assert "Task Timed Out or Does Not Exist" in err and "Traceback" not in err
    assert not list(markers.iterdir())
