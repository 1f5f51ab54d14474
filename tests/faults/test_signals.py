"""SIGINT/SIGTERM stop ``asl run`` and ``asl serve`` cleanly: the real CLI in a
subprocess, a Wait long enough that something is running when the signal comes.

``asl run``: the execution ends ABORTED with an ``ExecutionAborted`` event (as a
StopExecution writes it), the history file holds every event up to it, the
output says so, exit 130 (SIGINT) / 143 (SIGTERM), no traceback.
``asl serve --db``: running executions stay RUNNING at their last stored event
and the next ``asl serve`` on that file finishes them; exit 143/130.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from .helpers import ROLE, asl, client_of, free_port, serve, until

WAIT = {"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Result": {"ok": True}, "Next": "W"},
    "W": {"Type": "Wait", "Seconds": 600, "Next": "Done"},
    "Done": {"Type": "Succeed"}}}


def _stored_wait(db: Path) -> bool:
    """Whether the execution's WaitStateEntered is committed to ``db`` (read-only)."""
    if not db.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
            return bool(connection.execute("SELECT 1 FROM events WHERE body LIKE '%\"WaitStateEntered\"%'").fetchone())
    except sqlite3.Error:  # the schema is not written yet
        return False


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.parametrize("db", [False, True], ids=["engine", "db"])
def test_asl_run_aborts_on_a_signal(tmp_path: Path, sig: signal.Signals, code: int, db: bool) -> None:
    (tmp_path / "wait.asl.json").write_text(json.dumps(WAIT))
    history = tmp_path / "history.jsonl"
    args = ["run", "wait.asl.json", "--history-file", str(history)]
    if db:
        args += ["--db", str(tmp_path / "state.db")]
    proc = asl(*args, cwd=tmp_path)
    try:
        if db:
            until(lambda: _stored_wait(tmp_path / "state.db"), what="the Wait in the database")
        else:
            until(lambda: any(e["type"] == "WaitStateEntered" for e in _lines(history)), what="the Wait")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    cause = f"asl run stopped by {sig.name}"
    assert json.loads(out) == {"status": "ABORTED", "error": None, "cause": cause}
    if db:
        shown = asl("executions", "list", "--db", str(tmp_path / "state.db"), cwd=tmp_path).communicate(timeout=20)[0]
        assert "\tABORTED\t" in shown
        return
    events = _lines(history)
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "WaitStateEntered", "WaitStateAborted", "ExecutionAborted"]
    assert [e["id"] for e in events] == list(range(1, 7))
    assert events[-1]["executionAbortedEventDetails"] == {"cause": cause}


SHORT_WAIT = {"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Result": {"ok": True}, "Next": "W"},
    "W": {"Type": "Wait", "Seconds": 4, "Next": "Done"},
    "Done": {"Type": "Succeed"}}}


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_asl_serve_stops_on_a_signal_and_the_next_start_resumes(tmp_path: Path, sig: signal.Signals, code: int) -> None:
    port = free_port()
    server = serve(tmp_path, port)
    try:
        sfn = client_of(f"http://127.0.0.1:{port}")
        arn = sfn.create_state_machine(name="w", definition=json.dumps(SHORT_WAIT), roleArn=ROLE)["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, name="long")["executionArn"]
        until(lambda: any(e["type"] == "WaitStateEntered" for e in sfn.get_execution_history(executionArn=execution)["events"]),
              what="the Wait")
        server.send_signal(sig)
        _, err = server.communicate(timeout=15)
    finally:
        server.kill()
    assert server.returncode == code, err
    assert "Traceback" not in err
    assert "asl serve: stopped; running executions resume" in err

    server = serve(tmp_path, port)
    try:
        sfn = client_of(f"http://127.0.0.1:{port}")
        assert sfn.describe_execution(executionArn=execution)["status"] in ("RUNNING", "SUCCEEDED")
        until(lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING", timeout=15,
              what="the resumed execution")
        assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
        events = sfn.get_execution_history(executionArn=execution)["events"]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                               "WaitStateEntered", "WaitStateExited", "SucceedStateEntered",
                                               "SucceedStateExited", "ExecutionSucceeded"]
    finally:
        server.terminate()
        server.communicate(timeout=15)
