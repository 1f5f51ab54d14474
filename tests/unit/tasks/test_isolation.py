"""``isolation="process"``: local handlers in worker processes, stopped when they
hang, failing their task (not asl) when they crash.

These tests fork real processes and wait for them; each waits at most a
couple of real seconds (``TimeoutSeconds: 1``)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

import asl_engine
from asl_engine import RunOptions, TaskFailure, VirtualClock
from asl_engine.tasks import isolation

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:work"


@pytest.fixture(autouse=True)
def _no_workers_left():
    yield
    isolation.shutdown()


def machine(**task: Any) -> asl_engine.StateMachine:
    state = {"Type": "Task", "Resource": FUNCTION, "End": True, **task}
    return asl_engine.load({"StartAt": "Work", "States": {"Work": state}})


def isolated(fn: Any, value: Any = None, **options: Any) -> asl_engine.Execution:
    task = options.pop("task", {})
    return machine(**task).run(value, handlers={"work": fn}, isolation="process", **options)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed worker not yet reaped is a zombie: gone for every purpose here.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_result_and_context_come_from_another_process():
    def work(event, context):
        return {"pid": os.getpid(), "event": event, "state": context.state_name, "function": context.function_name}

    execution = isolated(work, {"n": 1})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["pid"] != os.getpid()
    assert execution.output == {"pid": execution.output["pid"], "event": {"n": 1}, "state": "Work", "function": "work"}


def test_lambda_invoke_payload_and_closures_work():
    offset = 41  # a closure: fork lets unpicklable registered callables run

    def add(event):
        return event["x"] + offset

    m = asl_engine.load({"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName": "add", "Payload": {"x": 1}}, "OutputPath": "$.Payload"}}})
    assert m.run({}, handlers={"add": add}, isolation="process").output == 42


def raises_value_error(event):
    raise ValueError("bad input")


def raises_task_failure(event):
    raise TaskFailure("Orders.OutOfStock", "sku 42")


def exits_99(event):
    raise SystemExit(99)


def returns_a_set(event):
    return {1, 2}


@pytest.mark.parametrize("fn", [raises_value_error, raises_task_failure, exits_99, returns_a_set])
def test_errors_map_exactly_as_on_a_thread(fn):
    m = machine()
    on_thread = m.run({}, handlers={"work": fn}, seed=7)
    in_worker = m.run({}, handlers={"work": fn}, seed=7, isolation="process")
    assert on_thread.status == in_worker.status == "FAILED"
    assert (in_worker.error, in_worker.cause) == (on_thread.error, on_thread.cause)
    assert in_worker.history[-2]["type"] == on_thread.history[-2]["type"] == "LambdaFunctionFailed"


def test_a_handler_past_its_timeout_is_killed_with_what_it_started(tmp_path):
    pid_file = tmp_path / "pid"
    child_file = tmp_path / "child"

    def hang(event):
        import subprocess

        child = subprocess.Popen(["sleep", "30"])
        child_file.write_text(str(child.pid))
        pid_file.write_text(str(os.getpid()))
        child.wait()

    started = time.monotonic()
    execution = isolated(hang, task={"TimeoutSeconds": 1})
    assert time.monotonic() - started < 5
    assert execution.error == "States.Timeout"
    assert execution.history[-2]["type"] == "LambdaFunctionTimedOut"
    assert not alive(int(pid_file.read_text()))
    assert not alive(int(child_file.read_text()))


def test_a_segfault_fails_the_task_and_names_the_signal():
    execution = isolated(lambda event: os.kill(os.getpid(), signal.SIGSEGV))
    assert execution.error == "States.TaskFailed"
    assert "'work'" in execution.cause and "killed by signal 11 (SIGSEGV)" in execution.cause


def test_os_exit_fails_the_task_with_its_status():
    execution = isolated(lambda event: os._exit(3))
    assert execution.error == "States.TaskFailed"
    assert "exited with status 3" in execution.cause


def test_a_memory_blow_up_fails_the_task_and_the_next_one_runs():
    def blow_up(event):
        return len(bytearray(4 * 1024**3))

    execution = isolated(blow_up, handler_memory_mb=64)
    assert execution.status == "FAILED"
    assert execution.error in ("MemoryError", "States.TaskFailed")
    assert isolated(lambda event: "fine", handler_memory_mb=64).output == "fine"


def test_retry_after_a_crash_succeeds_on_a_fresh_worker(tmp_path):
    crashed = tmp_path / "crashed"

    def flaky(event):
        if not crashed.exists():  # state in the handler's memory would die with its worker
            crashed.write_text(str(os.getpid()))
            os._exit(1)
        return os.getpid()

    execution = isolated(flaky, clock=VirtualClock(),
                         task={"Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1}]})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output != int(crashed.read_text())
    assert [e["type"] for e in execution.history].count("LambdaFunctionFailed") == 1


def test_catch_sees_the_crash():
    m = asl_engine.load({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": FUNCTION, "End": True,
                 "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught", "ResultPath": "$.error"}]},
        "Caught": {"Type": "Pass", "End": True}}})
    execution = m.run({}, handlers={"work": lambda event: os._exit(2)}, isolation="process")
    assert execution.status == "SUCCEEDED"
    assert execution.output["error"]["Error"] == "States.TaskFailed"


def test_heartbeats_cross_the_pipe():
    def beating(event, context):
        for _ in range(3):
            time.sleep(0.4)
            context.heartbeat()
        return "alive"

    execution = isolated(beating, task={"TimeoutSeconds": 5, "HeartbeatSeconds": 1})
    assert execution.output == "alive", execution.cause


def test_in_process_handlers_and_the_thread_default_stay_in_asl():
    here = isolation.in_process(lambda event: os.getpid())
    assert isolated(here).output == os.getpid()
    assert machine().run({}, handlers={"work": lambda event: os.getpid()}).output == os.getpid()


def test_shutdown_leaves_no_worker():
    assert isolated(lambda event: 1).output == 1
    pids = isolation.pool().pids
    assert pids
    isolation.shutdown()
    assert not any(alive(pid) for pid in pids)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="isolation"):
        RunOptions(isolation="fork")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="handler_memory_mb"):
        RunOptions(handler_memory_mb=0)


def test_the_service_carries_on_after_a_crash():
    from asl_engine.service import Service

    def work(event):
        if event.get("crash"):
            os.kill(os.getpid(), signal.SIGSEGV)
        return {"ok": os.getpid()}

    definition = json.dumps({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": FUNCTION, "End": True}}})
    with Service(":memory:", options=RunOptions(handlers={"work": work}, isolation="process")) as service:
        arn = service.put_state_machine("m", definition)
        crashed = service.wait(service.start_execution(arn, {"crash": True}), 10)
        fine = service.wait(service.start_execution(arn, {}), 10)
        pids = isolation.pool().pids
    assert (crashed["status"], crashed["error"]) == ("FAILED", "States.TaskFailed")
    assert fine["status"] == "SUCCEEDED"
    assert pids and not any(alive(pid) for pid in pids)  # closing the service stopped its workers


def test_stopping_an_execution_kills_its_running_handler(tmp_path):
    from asl_engine.service import Service

    pid_file = tmp_path / "pid"

    def hang(event):
        pid_file.write_text(str(os.getpid()))
        time.sleep(30)

    definition = json.dumps({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": FUNCTION, "End": True}}})
    with Service(":memory:", options=RunOptions(handlers={"work": hang}, isolation="process")) as service:
        arn = service.start_execution(service.put_state_machine("m", definition), {})
        deadline = time.monotonic() + 5
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        service.call("StopExecution", {"executionArn": arn})
        stopped = service.wait(arn, 5)
        pid = int(pid_file.read_text())
        deadline = time.monotonic() + 2
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not alive(pid)  # killed at the stop, before the service closed
    assert stopped["status"] == "ABORTED"


def test_a_platform_without_fork_is_told_so(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import multiprocessing

    import pytest

    from asl_engine import RunOptions, process_isolation_available

    assert process_isolation_available()
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert not process_isolation_available()
    with pytest.raises(ValueError, match="needs the 'fork' start method"):
        RunOptions(isolation="process")
