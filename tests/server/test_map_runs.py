"""A distributed Map's Map Run and child executions, seen through the API."""

from __future__ import annotations

import json
from typing import Any

from .conftest import ROLE, settle

DISTRIBUTED = {"StartAt": "Fan", "States": {"Fan": {
    "Type": "Map", "MaxConcurrency": 2, "ToleratedFailurePercentage": 50,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Check",
                      "States": {"Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                                           "Default": "Good"},
                                 "Good": {"Type": "Succeed"}, "Bad": {"Type": "Fail", "Error": "Two"}}},
    "End": True}}}


def test_describe_and_list_map_runs_and_their_executions(sfn: Any, service: Any) -> None:
    arn = sfn.create_state_machine(name="fan", definition=json.dumps(DISTRIBUTED), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3, 4]")["executionArn"]
    assert settle(service, sfn, execution)["status"] == "SUCCEEDED"
    (run,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert run["mapRunArn"].startswith("arn:aws:states:us-east-1:123456789012:mapRun:fan/Fan:")
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert described["status"] == "SUCCEEDED" and described["executionArn"] == execution
    assert (described["maxConcurrency"], described["toleratedFailurePercentage"]) == (2, 50.0)
    assert described["itemCounts"]["succeeded"] == 3 and described["itemCounts"]["failed"] == 1
    assert described["itemCounts"]["total"] == 4
    children = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert sorted(c["status"] for c in children) == ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    failed = next(c for c in children if c["status"] == "FAILED")
    assert sfn.describe_execution(executionArn=failed["executionArn"])["error"] == "Two"
    history = sfn.get_execution_history(executionArn=failed["executionArn"])["events"]
    assert history[0]["type"] == "ExecutionStarted" and history[-1]["type"] == "ExecutionFailed"
    assert sfn.list_executions(mapRunArn=run["mapRunArn"], statusFilter="FAILED")["executions"] == [failed]


def test_an_unknown_map_run(sfn: Any) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:mapRun:fan/Fan:00000000-0000-0000-0000-000000000000"
    try:
        sfn.describe_map_run(mapRunArn=missing)
    except sfn.exceptions.ResourceNotFound as err:
        assert missing in err.response["Error"]["Message"]
    else:
        raise AssertionError("no error")


def test_children_are_stored_as_they_end(sfn: Any, service: Any) -> None:
    """While the Map Run runs, its ended children are executions already, and counted."""
    activity = sfn.create_activity(name="work")["activityArn"]
    definition = {"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Check",
                          "States": {"Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Work"}],
                                               "Default": "Done"},
                                     "Work": {"Type": "Task", "Resource": activity, "End": True},
                                     "Done": {"Type": "Succeed"}}},
        "End": True}}}
    arn = sfn.create_state_machine(name="slow", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="[0, 1, 2, 3, 4]")["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)  # item 3 waits for it
    assert json.loads(task["input"]) == 3
    (run,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert described["status"] == "RUNNING"
    assert described["itemCounts"]["succeeded"] == 3
    assert len(sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]) == 3
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert settle(service, sfn, execution)["status"] == "SUCCEEDED"
    done = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert done["status"] == "SUCCEEDED" and done["itemCounts"]["succeeded"] == 5
    assert len(sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]) == 5
