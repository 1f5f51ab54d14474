"""``asl_engine.test_state``: AWS's TestState response, statuses, inspection data and rejections."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import TestStateError, test_state

TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$"},
        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handle"}], "End": True}


def _rejected(**kwargs: Any) -> tuple[str, str]:
    with pytest.raises(TestStateError) as info:
        test_state(**kwargs)
    return info.value.code, info.value.message


def test_pass_at_info_has_no_inspection_data() -> None:
    assert test_state('{"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "N"}', input='{"x": 0}') == {
        "status": "SUCCEEDED", "output": '{"x":0,"r":{"a":1}}', "nextState": "N"}


def test_debug_reports_each_jsonpath_step_as_json_text() -> None:
    response = test_state({"Type": "Pass", "InputPath": "$.in", "Parameters": {"v.$": "$.v"}, "OutputPath": "$.v", "End": True},
                          input={"in": {"v": [1]}}, inspection_level="DEBUG")
    assert response == {"status": "SUCCEEDED", "output": "[1]", "inspectionData": {
        "input": '{"in":{"v":[1]}}', "afterInputPath": '{"v":[1]}', "afterParameters": '{"v":[1]}',
        "afterResultSelector": '{"v":[1]}', "afterResultPath": '{"v":[1]}'}}


def test_mocked_task_result_and_steps() -> None:
    response = test_state(TASK, input='{"n": 1}', inspection_level="TRACE", mock={"result": '{"Payload": 2}'})
    assert response == {"status": "SUCCEEDED", "output": '{"Payload":2}', "inspectionData": {
        "input": '{"n":1}', "afterInputPath": '{"n":1}', "afterParameters": '{"FunctionName":"f","Payload":{"n":1}}',
        "result": '{"Payload":2}', "afterResultSelector": '{"Payload":2}', "afterResultPath": '{"Payload":2}'}}


def test_matching_retrier_with_attempts_left_is_retriable() -> None:
    response = test_state(TASK, inspection_level="DEBUG", mock={"errorOutput": {"error": "Busy", "cause": "later"}},
                          state_configuration={"retrierRetryCount": 2})
    assert response["status"] == "RETRIABLE"
    assert (response["error"], response["cause"]) == ("Busy", "later")
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 8}


def test_exhausted_retrier_falls_to_the_catcher() -> None:
    response = test_state(TASK, input='{"n": 1}', inspection_level="DEBUG",
                          mock={"errorOutput": {"error": "Busy", "cause": "later"}}, state_configuration={"retrierRetryCount": 3})
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Handle"
    assert json.loads(response["output"]) == {"n": 1, "error": {"Error": "Busy", "Cause": "later"}}
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "catchIndex": 0}


def test_uncaught_failure_and_fail_state() -> None:
    assert test_state('{"Type": "Fail", "Error": "E", "Cause": "C"}') == {"status": "FAILED", "error": "E", "cause": "C"}


def test_state_of_a_machine_by_name_and_context_name() -> None:
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                          "B": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "End": True}}}
    assert test_state(machine) == {"status": "SUCCEEDED", "output": "{}", "nextState": "B"}
    assert test_state(machine, state_name="B")["output"] == '{"n":"StateName"}'


def test_jsonata_assign_reports_variables() -> None:
    state = {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"y": "{% $x + 1 %}"}, "End": True}
    response = test_state(state, variables='{"x": 1}', inspection_level="TRACE")
    assert response["inspectionData"] == {"input": "{}", "variables": '{"x":1,"y":2}'}


def test_mocked_map_counts_failures_against_the_tolerance() -> None:
    state = {"Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 0, "MaxConcurrency": 2,
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}
    ok = test_state(state, input={"items": [1, 2]}, inspection_level="DEBUG", mock={"result": "[10, 20]"})
    assert ok == {"status": "SUCCEEDED", "output": "[10,20]", "inspectionData": {
        "input": '{"items":[1,2]}', "afterInputPath": '{"items":[1,2]}', "afterItemsPath": "[1,2]",
        "afterResultSelector": "[10,20]", "afterResultPath": "[10,20]", "maxConcurrency": 2, "toleratedFailureCount": 0}}
    failed = test_state(state, input={"items": [1, 2]}, mock={"result": "[10, 20]"},
                        state_configuration={"mapIterationFailureCount": 1})
    assert failed == {"status": "FAILED", "error": "States.ExceedToleratedFailureThreshold",
                      "cause": "The specified tolerated failure threshold was exceeded"}


def test_mocked_map_with_a_result_writer_gives_the_mocked_object() -> None:
    state = {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}, "End": True}
    written = '{"MapRunArn":"arn:aws:states:us-east-1:123456789012:mapRun:M/x:1","ResultWriterDetails":{"Bucket":"b","Key":"p/1/manifest.json"}}'
    assert test_state(state, input=[1], mock={"result": written}) == {"status": "SUCCEEDED", "output": written}
    with pytest.raises(TestStateError, match="Mocked result must be a JSON object"):
        test_state(state, input=[1], mock={"result": "[1]"})


@pytest.mark.parametrize("kwargs, expected", [
    ({"definition": '{"Type": "Pass", "End": true}', "mock": {"result": "{}"}},
     ("ValidationException", "State type 'Pass' is not supported when a mock is specified")),
    ({"definition": TASK, "mock": {"result": "{}"}, "reveal_secrets": True},
     ("ValidationException", "TestState does not support RevealSecrets when a mock is specified.")),
    ({"definition": TASK, "mock": {"result": "{}", "errorOutput": {"error": "E"}}},
     ("ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].")),
    ({"definition": TASK, "mock": {"result": "not json"}}, ("ValidationException", "Mocked result must be valid JSON")),
    ({"definition": TASK}, ("ValidationException", "RoleArn must be specified when testing a Task state")),
    ({"definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, "state_name": "Z"},
     ("ValidationException", "State not found in definition")),
    ({"definition": '{"Type": "Parallel", "Branches": [], "End": true}', "mock": {"result": "[]"}},
     ("InvalidDefinition", "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches'")),
])
def test_rejections_carry_aws_code_and_message(kwargs: dict[str, Any], expected: tuple[str, str]) -> None:
    assert _rejected(**kwargs) == expected


START = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "Parameters": {"StateMachineArn": "arn"},
         "End": True}


@pytest.mark.parametrize("mode, result, expected", [
    ("STRICT", "{}", "Mock result schema validation error: Required field 'ExecutionArn' is missing"),
    ("STRICT", '{"ExecutionArn": 1, "StartDate": "d"}', "Mock result schema validation error: Field 'ExecutionArn' must be a string"),
    ("PRESENT", '{"StartDate": true}', "Mock result schema validation error: Field 'StartDate' must be a string"),
])
def test_mock_result_checked_against_the_integration_model(mode: str, result: str, expected: str) -> None:
    assert _rejected(definition=START, mock={"result": result, "fieldValidationMode": mode}) == ("ValidationException", expected)


def test_present_and_none_modes_accept_what_they_do_not_check() -> None:
    assert test_state(START, mock={"result": "{}", "fieldValidationMode": "PRESENT"})["output"] == "{}"
    assert test_state(START, mock={"result": '{"StartDate": true}', "fieldValidationMode": "NONE"})["output"] == '{"StartDate":true}'
