"""``asl test-state``: the response on stdout, mocks and configuration flags, exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from asl_cli.main import cli

TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}], "Next": "After"}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_prints_the_response_and_exits_0(write) -> None:
    path = write("pass.json", {"Type": "Pass", "Parameters": {"a.$": "$.x"}, "Next": "B"})
    result = invoke("test-state", path, "--input", '{"x": 1}', "--inspection-level", "DEBUG")
    assert result.exit_code == 0
    assert result.output == json.dumps({
        "status": "SUCCEEDED", "output": '{"a":1}', "nextState": "B",
        "inspectionData": {"input": '{"x":1}', "afterInputPath": '{"x":1}', "afterParameters": '{"a":1}',
                           "afterResultSelector": '{"a":1}', "afterResultPath": '{"a":1}'}}, indent=2) + "\n"


def test_mock_result_and_state_of_a_machine(write) -> None:
    path = write("machine.json", {"StartAt": "T", "States": {"T": TASK, "After": {"Type": "Succeed"}}})
    result = invoke("test-state", path, "--state", "T", "--mock-result", '{"Payload": 1}')
    assert (result.exit_code, json.loads(result.output)) == (
        0, {"status": "SUCCEEDED", "output": '{"Payload":1}', "nextState": "After"})


def test_mock_error_with_retry_count_is_retriable_exit_0(write) -> None:
    path = write("task.json", TASK)
    result = invoke("test-state", path, "--mock-error", "Busy:try later", "--retrier-retry-count", "1",
                    "--inspection-level", "TRACE")
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "status": "RETRIABLE", "error": "Busy", "cause": "try later",
        "inspectionData": {"input": "{}", "afterInputPath": "{}", "afterParameters": '{"FunctionName":"f"}',
                           "errorDetails": {"retryIndex": 0, "retryBackoffIntervalSeconds": 2}}}


def test_aws_rejection_is_one_line_exit_2(write) -> None:
    path = write("pass.json", {"Type": "Pass", "End": True})
    result = invoke("test-state", path, "--mock-result", "{}")
    assert (result.exit_code, result.output) == (
        2, "asl: ValidationException: State type 'Pass' is not supported when a mock is specified\n")


def test_invalid_definition_exit_3_and_usage_errors_exit_2(write) -> None:
    bad = write("bad.json", {"Type": "Parallel", "Branches": [], "End": True})
    result = invoke("test-state", bad, "--mock-result", "[]")
    assert (result.exit_code, result.output) == (3, "asl: InvalidDefinition: Invalid State Machine Definition: "
                                                    "'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches'\n")
    good = write("pass.json", {"Type": "Pass", "End": True})
    assert invoke("test-state", good, "--input", "{nope").exit_code == 2
    assert invoke("test-state", good, "--mock-result", "1", "--mock-error", "E").exit_code == 2
