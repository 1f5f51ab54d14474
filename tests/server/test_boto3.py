"""boto3, unchanged, against the local service: the calls users' code and tests make."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from asl_engine.service import Service

from .conftest import LAMBDA, ROLE, settle

CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "Add"},
        "Add": {"Type": "Task", "Resource": LAMBDA + "add", "End": True},
    },
}
CALLBACK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}}


def test_create_start_describe_history(sfn: Any, service: Service) -> None:
    arn = sfn.create_state_machine(name="chain", definition=json.dumps(CHAIN), roleArn=ROLE)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "ACTIVE"
    started = sfn.start_execution(stateMachineArn=arn, name="one", input='{"x": 1}')
    described = settle(service, sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"n": 2}
    assert described["startDate"] == started["startDate"]
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=started["executionArn"], PaginationConfig={"PageSize": 2})
    events = [e for page in pages for e in page["events"]]
    assert [e["id"] for e in events] == list(range(1, 10))
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert [e["name"] for e in listed] == ["one"]
    machine = sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert json.loads(machine["definition"]) == CHAIN


def test_aws_error_types_reach_the_client(sfn: Any) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as info:
        sfn.start_execution(stateMachineArn=missing)
    assert info.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{missing}'"
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:123456789012:nothing:x")
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name="bad", definition="{}", roleArn=ROLE)
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="no-such-token", output="{}")
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_heartbeat(taskToken="6c0f1c3e-8b2a-4f7e-9a55-0d8f8a1b2c3d")
    with pytest.raises(ClientError) as unsupported:
        sfn.list_map_runs(executionArn="arn:aws:states:us-east-1:123456789012:execution:x:y")
    assert unsupported.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_callback_from_a_second_client_then_stop(server: Any, service: Service, sfn: Any) -> None:
    from asl_engine import RunOptions

    tokens: list[str] = []
    asked = threading.Event()

    def ask(event: Any) -> dict[str, Any]:
        tokens.append(event["MessageBody"]["token"])
        asked.set()
        return {}

    service.options = RunOptions(mocks=None, handlers={"Ask": ask})
    service.runner.skip_waits = False
    arn = sfn.create_state_machine(name="ask", definition=json.dumps(CALLBACK), roleArn=ROLE)["stateMachineArn"]
    first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert asked.wait(5)
    from .conftest import client_of

    client_of(server.url).send_task_success(taskToken=tokens[0], output='{"ok": true}')
    assert json.loads(settle(service, sfn, first)["output"]) == {"ok": True}
    second = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    stopped = sfn.stop_execution(executionArn=second, error="Halt", cause="test")
    assert settle(service, sfn, second)["status"] == "ABORTED" and stopped["stopDate"]


def test_sync_express_execution(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="fast", definition=json.dumps(CHAIN), roleArn=ROLE, type="EXPRESS")["stateMachineArn"]
    result = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
    assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"n": 2}
    assert result["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:fast:")


def test_a_failed_execution_is_redriven(server: Any, service: Service, sfn: Any) -> None:
    from asl_engine import RunOptions

    attempts: list[int] = []

    def flaky(event: dict[str, Any]) -> dict[str, Any]:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first time")
        return {"n": 9}

    service.options = RunOptions(handlers={"add": flaky})
    arn = sfn.create_state_machine(name="flaky", definition=json.dumps(CHAIN), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert settle(service, sfn, execution)["status"] == "FAILED"
    sfn.redrive_execution(executionArn=execution)
    described = settle(service, sfn, execution)
    assert described["status"] == "SUCCEEDED" and described["redriveCount"] == 1
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=execution)


def test_many_executions_at_once_all_finish(sfn: Any, service: Service) -> None:
    arn = sfn.create_state_machine(name="many", definition=json.dumps(CHAIN), roleArn=ROLE)["stateMachineArn"]
    from concurrent.futures import ThreadPoolExecutor

    from .conftest import client_of

    clients = [client_of(sfn.meta.endpoint_url) for _ in range(4)]  # four callers at once

    def start(index: int) -> str:
        return str(clients[index % 4].start_execution(stateMachineArn=arn, name=f"run-{index}")["executionArn"])

    with ThreadPoolExecutor(4) as pool:
        arns = list(pool.map(start, range(1000)))
    statuses = {settle(service, sfn, a)["status"] for a in arns}
    assert statuses == {"SUCCEEDED"}
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, PaginationConfig={"PageSize": 50})
    assert len([e for page in pages for e in page["executions"]]) == 1000


def test_an_activity_worker_takes_and_answers_its_task(sfn: Any, service: Service) -> None:
    activity = sfn.create_activity(name="approve")["activityArn"]
    assert sfn.create_activity(name="approve")["activityArn"] == activity  # idempotent
    machine = {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": activity, "End": True}}}
    arn = sfn.create_state_machine(name="approval", definition=json.dumps(machine), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"amount": 5}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="worker-1")
    assert json.loads(task["input"]) == {"amount": 5}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
    assert json.loads(settle(service, sfn, execution)["output"]) == {"approved": True}
    types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"] == [t for t in types if t.startswith("Activity")]
    service.activities.poll_seconds = 0.05
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)  # nothing queued: an empty answer
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["approve"]
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=activity)
