"""The durable service as a library: AWS's operations, shapes and errors, and
executions that outlive the service that started them."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from asl_engine import RunOptions
from asl_engine.service import Service, ServiceError

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::123456789012:role/r"

CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "Add"},
        "Add": {"Type": "Task", "Resource": LAMBDA + "add", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def _add(event: dict[str, Any]) -> dict[str, Any]:
    return {"n": event["n"] + 1}


@pytest.fixture
def service() -> Iterator[Service]:
    with Service(options=RunOptions(handlers={"add": _add}), skip_waits=True) as svc:
        yield svc


def _error(fn: Any, *args: Any) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        fn(*args)
    return info.value


def test_an_execution_runs_and_its_history_pages(service: Service) -> None:
    arn = service.create_state_machine("chain", CHAIN)
    execution = service.start_execution(arn, {"x": 1}, name="first")
    described = service.wait(execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"n": 2}
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    events = service.history(execution)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    first = service.call("GetExecutionHistory", {"executionArn": execution, "maxResults": 4})
    rest = service.call("GetExecutionHistory", {"executionArn": execution, "nextToken": first["nextToken"]})
    assert [e["id"] for e in first["events"] + rest["events"]] == [e["id"] for e in events]
    assert "nextToken" not in rest
    backwards = service.call("GetExecutionHistory", {"executionArn": execution, "reverseOrder": True, "maxResults": 3})
    more = service.call("GetExecutionHistory", {"executionArn": execution, "reverseOrder": True, "nextToken": backwards["nextToken"]})
    assert [e["id"] for e in backwards["events"] + more["events"]] == [e["id"] for e in reversed(events)]
    bare = service.call("GetExecutionHistory", {"executionArn": execution, "includeExecutionData": False})
    assert "input" not in bare["events"][0]["executionStartedEventDetails"]


def test_start_is_idempotent_while_running_and_refuses_a_reused_name(service: Service) -> None:
    gate = threading.Event()
    with Service(options=RunOptions(handlers={"add": lambda e: gate.wait(5) and _add(e)})) as svc:
        arn = svc.create_state_machine("chain", CHAIN)
        one = svc.call("StartExecution", {"stateMachineArn": arn, "name": "same", "input": "{}"})
        again = svc.call("StartExecution", {"stateMachineArn": arn, "name": "same", "input": "{}"})
        assert again == one
        other = _error(svc.call, "StartExecution", {"stateMachineArn": arn, "name": "same", "input": '{"a":1}'})
        assert other.type == "ExecutionAlreadyExists" and other.message == f"Execution Already Exists: '{one['executionArn']}'"
        gate.set()
        svc.wait(one["executionArn"])
        done = _error(svc.call, "StartExecution", {"stateMachineArn": arn, "name": "same", "input": "{}"})
        assert done.type == "ExecutionAlreadyExists"


def test_aws_errors_for_unknown_and_bad_requests(service: Service) -> None:
    missing = service.machine_arn("nope")
    err = _error(service.call, "DescribeStateMachine", {"stateMachineArn": missing})
    assert (err.type, err.message) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'")
    execution = "arn:aws:states:us-east-1:123456789012:execution:nope:x"
    assert _error(service.describe_execution, execution).message == f"Execution Does Not Exist: '{execution}'"
    assert _error(service.describe_execution, "not-an-arn").type == "InvalidArn"
    assert _error(service.describe_execution, execution.replace("us-east-1", "eu-west-1")).type == "InvalidArn"
    bad = _error(service.call, "CreateStateMachine", {"name": "bad", "definition": '{"StartAt": "X", "States": {}}', "roleArn": ROLE})
    assert bad.type == "InvalidDefinition" and bad.message.startswith("Invalid State Machine Definition: '")
    assert _error(service.call, "CreateStateMachine", {"name": "bad", "definition": "/etc/passwd", "roleArn": ROLE}).type == "InvalidDefinition"
    assert _error(service.call, "CreateStateMachine", {"name": "a b", "definition": json.dumps(CHAIN), "roleArn": ROLE}).type == "InvalidName"
    arn = service.create_state_machine("chain", CHAIN)
    assert _error(service.call, "StartExecution", {"stateMachineArn": arn, "input": "{nope"}).type == "InvalidExecutionInput"
    assert _error(service.call, "ListStateMachines", {"nextToken": "garbage"}).type == "InvalidToken"
    assert _error(service.call, "NoSuchOperation", {}).type == "UnknownOperationException"
    assert _error(service.send_task_success, "unknown-token", {}).type == "InvalidToken"
    assert _error(service.send_task_success, "6c0f1c3e-8b2a-4f7e-9a55-0d8f8a1b2c3d", {}).type == "TaskDoesNotExist"
    sync = _error(service.call, "StartSyncExecution", {"stateMachineArn": arn})
    assert sync.type == "StateMachineTypeNotSupported"


def test_create_is_idempotent_and_list_pages(service: Service) -> None:
    for index in range(5):
        service.create_state_machine(f"m{index}", CHAIN)
    assert service.create_state_machine("m0", CHAIN) == service.machine_arn("m0")
    changed = dict(CHAIN, Comment="changed")
    assert _error(service.create_state_machine, "m0", changed).type == "StateMachineAlreadyExists"
    first = service.call("ListStateMachines", {"maxResults": 2})
    names = [m["name"] for m in first["stateMachines"]]
    token = first["nextToken"]
    while token:
        page = service.call("ListStateMachines", {"maxResults": 2, "nextToken": token})
        names += [m["name"] for m in page["stateMachines"]]
        token = page.get("nextToken")
    assert names == [f"m{i}" for i in range(5)]


def test_versions_aliases_and_executions_on_them(service: Service) -> None:
    arn = service.create_state_machine("chain", CHAIN)
    v1 = service.call("PublishStateMachineVersion", {"stateMachineArn": arn})["stateMachineVersionArn"]
    assert v1 == arn + ":1"
    assert service.call("PublishStateMachineVersion", {"stateMachineArn": arn})["stateMachineVersionArn"] == v1  # same revision
    service.call("UpdateStateMachine", {"stateMachineArn": arn, "definition": json.dumps(dict(CHAIN, Comment="v2")), "publish": True})
    versions = service.call("ListStateMachineVersions", {"stateMachineArn": arn})["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [arn + ":2", v1]
    alias = service.call("CreateStateMachineAlias", {"name": "live", "routingConfiguration": [
        {"stateMachineVersionArn": v1, "weight": 100}]})["stateMachineAliasArn"]
    assert alias == arn + ":live"
    execution = service.start_execution(alias, {})
    described = service.wait(execution)
    assert described["stateMachineAliasArn"] == alias and described["stateMachineVersionArn"] == v1
    assert _error(service.call, "DeleteStateMachineVersion", {"stateMachineVersionArn": v1}).type == "ConflictException"
    assert [e["executionArn"] for e in service.call("ListExecutions", {"stateMachineArn": alias})["executions"]] == [execution]


def test_stop_records_the_abort_with_its_error(service: Service) -> None:
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with Service() as svc:  # real time: the Wait really waits
        arn = svc.create_state_machine("waiting", waiting)
        execution = svc.start_execution(arn)
        svc.call("StopExecution", {"executionArn": execution, "error": "Stopped", "cause": "by the test"})
        described = svc.describe_execution(execution)
        assert described["status"] == "ABORTED" and described["error"] == "Stopped"
        last = svc.history(execution)[-1]
        assert last["type"] == "ExecutionAborted"
        assert last["executionAbortedEventDetails"] == {"error": "Stopped", "cause": "by the test"}
        running = svc.call("ListExecutions", {"stateMachineArn": arn, "statusFilter": "RUNNING"})
        assert running["executions"] == []


def test_callbacks_and_redrive(service: Service) -> None:
    tokens: list[str] = []
    callback = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}
    with Service(options=RunOptions(handlers={"ask": lambda e: tokens.append(e["token"]) or {}})) as svc:
        arn = svc.create_state_machine("ask", callback)
        execution = svc.start_execution(arn)
        for _ in range(200):
            if tokens:
                break
            threading.Event().wait(0.01)
        svc.send_task_failure(tokens[0], "Nope", "declined")
        failed = svc.wait(execution)
        assert failed["status"] == "FAILED" and failed["redriveStatus"] == "REDRIVABLE"
        assert _error(svc.send_task_success, tokens[0], {}).type == "TaskTimedOut"
        svc.redrive(execution)
        for _ in range(200):
            if len(tokens) == 2:
                break
            threading.Event().wait(0.01)
        svc.send_task_success(tokens[1], {"ok": True})
        done = svc.wait(execution)
        assert done["status"] == "SUCCEEDED" and done["redriveCount"] == 1
        types = [e["type"] for e in svc.history(execution)]
        assert types.count("ExecutionRedriven") == 1 and types.count("TaskStateEntered") == 2
        ids = [e["id"] for e in svc.history(execution)]
        assert ids == list(range(1, len(ids) + 1))
        assert _error(svc.redrive, execution).type == "ExecutionNotRedrivable"


def test_an_execution_outlives_its_service(tmp_path: Path) -> None:
    """A service that stops mid-run (as a crash would) leaves the execution
    running in the store; the next one resumes it from the state it stood in."""
    db = str(tmp_path / "state.db")
    calls: list[int] = []
    gate, release = threading.Event(), threading.Event()

    def slow(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(event["n"])
        if len(calls) == 1:
            gate.set()
            release.wait(5)  # the first service stops while this runs
        return _add(event)

    first = Service(db, options=RunOptions(handlers={"add": slow}))
    arn = first.create_state_machine("chain", CHAIN)
    execution = first.start_execution(arn, name="durable")
    assert gate.wait(5)
    first.close()
    stored = first.store.events(execution)
    assert stored[-1]["type"] == "LambdaFunctionStarted"

    second = Service(db, options=RunOptions(handlers={"add": _add}))
    assert second.resumed == 1
    described = second.wait(execution)
    second.close()
    release.set()
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"n": 2}
    events = second.history(execution)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
    assert entered == ["A", "Add", "Done"]  # no state entered twice
    assert [e["type"] for e in events].count("LambdaFunctionScheduled") == 2  # the task in flight ran again


def test_a_map_resumed_after_a_stop_reuses_the_iterations_that_finished(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    fan = {"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "Add", "States": {"Add": {"Type": "Task", "Resource": LAMBDA + "add", "End": True}}},
        "End": True}}}
    seen: list[int] = []
    stuck, release = threading.Event(), threading.Event()

    def add_until_three(event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event["n"])
        if event["n"] == 3:
            stuck.set()
            release.wait(5)
        return _add(event)

    first = Service(db, options=RunOptions(handlers={"add": add_until_three}))
    arn = first.create_state_machine("fan", fan)
    execution = first.start_execution(arn, {"items": [{"n": i} for i in range(6)]})
    assert stuck.wait(5)
    first.close()
    release.set()
    assert seen == [0, 1, 2, 3]

    again: list[int] = []
    second = Service(db, options=RunOptions(handlers={"add": lambda e: again.append(e["n"]) or _add(e)}))
    described = second.wait(execution)
    second.close()
    assert json.loads(described["output"]) == [{"n": i + 1} for i in range(6)]
    assert again == [3, 4, 5]  # iterations 0-2 finished before the stop: not run again
    events = second.history(execution)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    started = [e["mapIterationStartedEventDetails"]["index"] for e in events if e["type"] == "MapIterationStarted"]
    assert started == list(range(6))


def test_a_redrive_restarts_the_machine_timeout_and_sets_the_redrive_time(service: Service) -> None:
    flaky = {"StartAt": "Fail", "TimeoutSeconds": 60, "States": {
        "Fail": {"Type": "Task", "Resource": LAMBDA + "flaky", "Parameters": {"ctx.$": "$$.Execution"}, "End": True}}}
    calls: list[dict[str, Any]] = []

    def fail_once(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(event["ctx"])
        if len(calls) == 1:
            raise RuntimeError("once")
        return event["ctx"]

    with Service(options=RunOptions(handlers={"flaky": fail_once}), skip_waits=True) as svc:
        arn = svc.create_state_machine("flaky", flaky)
        execution = svc.start_execution(arn)
        assert svc.wait(execution)["status"] == "FAILED"
        # The first start is long past the machine's 60 s timeout: the redrive still runs.
        svc.store.write("UPDATE executions SET start = start - 3600 WHERE arn = ?", (execution,))
        svc.redrive(execution)
        done = svc.wait(execution)
    assert done["status"] == "SUCCEEDED"
    assert "RedriveTime" not in calls[0] and calls[1]["RedriveCount"] == 1 and calls[1]["RedriveTime"].endswith("Z")


def test_answers_kept_for_a_resuming_task_are_taken_once(tmp_path: Path) -> None:
    from asl_engine.service import Store

    store = Store(str(tmp_path / "state.db"))
    assert store.take_answers("t") == []
    store.keep_answer("t", {"kind": "success", "output": 1})
    store.keep_answer("other", {"kind": "heartbeat"})
    assert Store(str(tmp_path / "state.db")).answers_kept == 2  # a restarted service knows they are there
    assert store.take_answers("t") == [{"kind": "success", "output": 1}]
    assert store.take_answers("t") == [] and store.answers_kept == 1
