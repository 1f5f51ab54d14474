"""``TestState`` through boto3 against ``asl serve``: AWS's response and AWS's rejection."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest


def test_test_state_over_boto3(sfn) -> None:
    definition = json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                             "ResultSelector": {"body.$": "$.Payload"}, "ResultPath": "$.out", "Next": "After"})
    response = sfn.test_state(definition=definition, input='{"n": 1}', inspectionLevel="DEBUG",
                              mock={"result": '{"Payload": {"ok": true}, "StatusCode": 200}'})
    response.pop("ResponseMetadata")
    assert response == {
        "status": "SUCCEEDED",
        "output": '{"n":1,"out":{"body":{"ok":true}}}',
        "nextState": "After",
        "inspectionData": {
            "input": '{"n":1}',
            "afterInputPath": '{"n":1}',
            "afterParameters": '{"FunctionName":"f","Payload":{"n":1}}',
            "result": '{"Payload":{"ok":true},"StatusCode":200}',
            "afterResultSelector": '{"body":{"ok":true}}',
            "afterResultPath": '{"n":1,"out":{"body":{"ok":true}}}',
        },
    }


def test_test_state_rejection_is_aws_error(sfn) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sfn.test_state(definition='{"Type": "Pass", "End": true}', mock={"result": "{}"})
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException", "State type 'Pass' is not supported when a mock is specified")


def test_unmocked_task_without_aws_is_a_validation_error(sfn) -> None:
    definition = '{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": true}'
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sfn.test_state(definition=definition, roleArn="arn:aws:iam::123456789012:role/r")
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("Task state 'StateName' has no handler or mock")
