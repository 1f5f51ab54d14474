"""``asl run --isolate-handlers``: crashes and hangs fail their tasks, asl carries
on, and no worker process outlives the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from asl_cli.main import cli

HANDLERS = '''
import os, signal, time

def _mark(event, name):
    with open(os.path.join(event["dir"], name), "w") as f:
        f.write(str(os.getpid()))

def ok(event):
    _mark(event, "ok")
    return event

def crash(event):
    _mark(event, "crash")
    os.kill(os.getpid(), signal.SIGSEGV)

def hang(event):
    _mark(event, "hang")
    time.sleep(30)
'''


def _task(function: str, next_state: str) -> dict:
    return {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
            "ResultPath": f"$.{function}", "Next": next_state,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": f"$.{function}", "Next": next_state}]}


MACHINE = {"StartAt": "Ok", "States": {
    "Ok": {**_task("ok", "Crash"), "ResultPath": None},
    "Crash": _task("crash", "Hang"),
    "Hang": {**_task("hang", "Done"), "TimeoutSeconds": 1},
    "Done": {"Type": "Pass", "End": True},
}}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def test_crash_and_hang_fail_their_tasks_and_no_worker_outlives_asl(tmp_path, write):
    (tmp_path / "iso_handlers.py").write_text(HANDLERS)
    definition = write("m.asl.json", MACHINE)
    out = subprocess.run(
        [sys.executable, "-c", "from asl_cli.main import main; main()", "run", definition, "--isolate-handlers",
         "--handler-module", "iso_handlers", "--input", json.dumps({"dir": str(tmp_path)})],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    output = json.loads(out.stdout)
    assert output["crash"]["Error"] == "States.TaskFailed"
    assert "'crash'" in output["crash"]["Cause"] and "SIGSEGV" in output["crash"]["Cause"]
    assert output["hang"]["Error"] == "States.Timeout"
    pids = {name: int((tmp_path / name).read_text()) for name in ("ok", "crash", "hang")}
    assert os.getpid() not in pids.values()
    assert all(_gone(pid) for pid in pids.values()), pids  # the idle "ok" worker too


def test_memory_limit_needs_isolation(write):
    result = CliRunner().invoke(cli, ["run", write("m.asl.json", MACHINE), "--handler-memory-mb", "64"])
    assert result.exit_code == 2
    assert "--handler-memory-mb needs --isolate-handlers" in result.stderr


def test_serve_takes_the_flags_too():
    result = CliRunner().invoke(cli, ["serve", "--db", ":memory:", "--port", "0", "--handler-memory-mb", "64"])
    assert result.exit_code == 2
    assert "--handler-memory-mb needs --isolate-handlers" in result.stderr
    assert "--isolate-handlers" in CliRunner().invoke(cli, ["serve", "--help"]).output
