"""The far side fails: the AWS endpoint refuses connections or never answers,
a callback worker takes its token and disappears. Each fails the Task with an
ASL error that Retry/Catch can name, with a cause that says what happened, and
the history holds every transition up to it."""

from __future__ import annotations

import socket
import threading
from typing import Any, Iterator

import pytest

import asl_engine
from asl_engine.service import Service

from .helpers import free_port


def _sqs_machine(timeout_seconds: int | None = None) -> asl_engine.StateMachine:
    task: dict[str, Any] = {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "http://queue.local/123456789012/q", "MessageBody": "hello"},
        "Catch": [{"ErrorEquals": ["SQS.SdkClientException"], "ResultPath": "$.failure", "Next": "Caught"}],
        "End": True,
    }
    if timeout_seconds is not None:
        task["TimeoutSeconds"] = timeout_seconds
    return asl_engine.load({"StartAt": "Send", "States": {
        "Send": task, "Caught": {"Type": "Pass", "End": True}}}, name="send")


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_MAX_ATTEMPTS", "1"), ("AWS_RETRY_MODE", "standard")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _run(endpoint: str) -> asl_engine.Execution:
    aws = asl_engine.AwsConfig(region="us-east-1", endpoint_url=endpoint)
    return _sqs_machine().run({}, aws=aws, clock=asl_engine.VirtualClock())


def _caught(execution: asl_engine.Execution) -> dict[str, str]:
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    types = [e["type"] for e in execution.history]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed",
                     "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    failed = next(e for e in execution.history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed["error"] == "SQS.SdkClientException"
    assert execution.output["failure"] == {"Error": failed["error"], "Cause": failed["cause"]}
    return failed  # type: ignore[no-any-return]


def test_an_endpoint_that_refuses_connections_is_an_sdk_client_exception() -> None:
    port = free_port()  # bound, then closed: nothing listens there
    failed = _caught(_run(f"http://127.0.0.1:{port}"))
    assert failed["cause"].startswith("Unable to execute HTTP request: Could not connect to the endpoint URL")
    assert f"127.0.0.1:{port}" in failed["cause"]


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    listener.close()


def test_an_endpoint_that_never_answers_times_out_as_an_sdk_client_exception(
    silent_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.config import Config

    # botocore's 60 s read timeout, shortened for the test (a real Task also has TimeoutSeconds).
    monkeypatch.setattr(Config, "OPTION_DEFAULTS", {**Config.OPTION_DEFAULTS, "read_timeout": 0.5, "connect_timeout": 0.5})
    failed = _caught(_run(silent_endpoint))
    assert failed["cause"].startswith("Unable to execute HTTP request: Read timeout on endpoint URL")


WORKER = {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "worker", "Payload": {"token.$": "$$.Task.Token"}},
            "HeartbeatSeconds": 1, "TimeoutSeconds": 3600,
            "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.failure", "Next": "Gone"}],
            "End": True},
    "Gone": {"Type": "Pass", "End": True}}}
_GONE_TYPES = ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut",
               "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def _vanishing_worker(event: dict[str, Any]) -> dict[str, Any]:
    return {"StatusCode": 202}  # takes the token, then is never heard of again


def test_a_callback_worker_that_disappears_times_out_on_its_heartbeat() -> None:
    """The worker runs in real time, so its silence is timed in real time too
    (a 1 s heartbeat), even on the virtual clock."""
    machine = asl_engine.load(WORKER, name="worker")
    execution = machine.run({}, handlers={"worker": _vanishing_worker}, clock=asl_engine.VirtualClock())
    assert execution.status == "SUCCEEDED"
    assert [e["type"] for e in execution.history] == _GONE_TYPES
    timed_out = next(e for e in execution.history if e["type"] == "TaskTimedOut")["taskTimedOutEventDetails"]
    # AWS records a missed heartbeat as States.Timeout; States.HeartbeatTimeout in ErrorEquals matches it.
    assert timed_out["error"] == "States.Timeout"
    assert execution.output["failure"]["Error"] == "States.Timeout"


def test_the_service_stores_the_heartbeat_timeout_of_a_vanished_worker(tmp_path: Any) -> None:
    with Service(str(tmp_path / "state.db"), options=asl_engine.RunOptions(handlers={"worker": _vanishing_worker}),
                 skip_waits=True) as service:
        arn = service.start_execution(service.create_state_machine("worker", WORKER), {})
        assert service.wait(arn, 20)["status"] == "SUCCEEDED"
        assert [e["type"] for e in service.history(arn)] == _GONE_TYPES
