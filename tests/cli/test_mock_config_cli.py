"""``asl run --mock-config FILE --test-case NAME [--state-machine NAME]``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from asl_cli.main import cli

NOT_READY = {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}}
TIMED_OUT = {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}}
SUCCESS = {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}}

CONFIG = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
                "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
                "TooFewPath": {"LambdaState": "MockedLambdaTimeouts", "SQSState": "MockedSQSSuccess"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": SUCCESS},
        "MockedSQSSuccess": {"0": {"Return": {"MessageId": "m-1"}}},
        "MockedLambdaRetry": {"0": NOT_READY, "1-2": TIMED_OUT, "3": SUCCESS},
        "MockedLambdaTimeouts": {"0-1": TIMED_OUT},
    },
}

MACHINE = {
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}],
            "ResultSelector": {"body.$": "$.Payload.body"},
            "ResultPath": "$.lambda",
            "Next": "SQSState",
        },
        "SQSState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody.$": "$.lambda.body"},
            "ResultSelector": {"id.$": "$.MessageId", "machine.$": "$$.StateMachine.Name"},
            "ResultPath": "$.sqs",
            "End": True,
        },
    },
}

HAPPY = {"order": 7, "lambda": {"body": "Hello from Lambda!"}, "sqs": {"id": "m-1", "machine": "LambdaSQSIntegration"}}



def invoke(*args):
    return CliRunner().invoke(cli, ["run", *args, "--input", '{"order": 7}'])


def one_line_usage_error(result, message):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"asl: {message}\n"


def test_happy_path_with_the_only_state_machine_of_the_file(files):
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", files("MockConfigFile.json", CONFIG),
                    "--test-case", "HappyPath")
    assert result.exit_code == 0, result.output
    # The machine runs under the mock config's state machine name, as in Step Functions Local.
    assert json.loads(result.stdout) == HAPPY


def test_retries_consume_the_responses(files):
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", files("MockConfigFile.json", CONFIG),
                    "--test-case", "RetryPath", "--skip-waits", "--history")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == HAPPY
    history = json.loads(result.stderr)
    failed = [e["taskFailedEventDetails"]["error"] for e in history if e["type"] == "TaskFailed"]
    assert failed == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]


def test_too_few_responses_fail_the_execution_with_states_runtime(files):
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", files("MockConfigFile.json", CONFIG),
                    "--test-case", "TooFewPath", "--skip-waits")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {
        "status": "FAILED",
        "error": "States.Runtime",
        "cause": "An error occurred while executing the state 'LambdaState' (entered at the event id #2)."
                 " No mocked response for invocation 2: mocked response 'MockedLambdaTimeouts' has responses"
                 " for invocations 0-1.",
    }


def test_mocks_and_handlers_combine(files, tmp_path, monkeypatch):
    (tmp_path / "sqs_workers.py").write_text(
        "def send(event, context):\n"
        "    return {'MessageId': 'sent:' + event['MessageBody']}\n"
        "def never(event, context):\n"
        "    raise RuntimeError('LambdaState is mocked')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", files("MockConfigFile.json", CONFIG),
                    "--test-case", "HybridPath",
                    "--handler", "SQSState=sqs_workers:send", "--handler", "LambdaState=sqs_workers:never")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"order": 7, "lambda": {"body": "Hello from Lambda!"},
                                         "sqs": {"id": "sent:Hello from Lambda!", "machine": "LambdaSQSIntegration"}}


def two_machines():
    config = json.loads(json.dumps(CONFIG))
    config["StateMachines"]["Orders"] = {"TestCases": {"HappyPath": {"LambdaState": "MockedLambdaRetry",
                                                                     "SQSState": "MockedSQSSuccess"}}}
    return config


def test_several_state_machines_pick_the_one_named_like_the_definition(files):
    result = invoke(files("Orders.asl.json", MACHINE), "--mock-config", files("MockConfigFile.json", two_machines()),
                    "--test-case", "HappyPath", "--skip-waits", "--history")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sqs"] == {"id": "m-1", "machine": "Orders"}
    assert [e["type"] for e in json.loads(result.stderr)].count("TaskFailed") == 3  # Orders' HappyPath retries


def test_state_machine_option_picks_one_and_names_the_run(files):
    result = invoke(files("Orders.asl.json", MACHINE), "--mock-config", files("MockConfigFile.json", two_machines()),
                    "--test-case", "HappyPath", "--state-machine", "LambdaSQSIntegration")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == HAPPY


def test_ambiguous_state_machine_is_a_usage_error(files):
    config = files("MockConfigFile.json", two_machines())
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", config, "--test-case", "HappyPath")
    one_line_usage_error(result, f'{config} has state machines "LambdaSQSIntegration", "Orders" and none named'
                                 ' "machine" like the definition: pass --state-machine NAME')


def test_unknown_names_are_usage_errors_listing_what_there_is(files):
    machine, config = files("machine.asl.json", MACHINE), files("MockConfigFile.json", CONFIG)
    one_line_usage_error(
        invoke(machine, "--mock-config", config, "--test-case", "SadPath"),
        f'{config}:4:20: /StateMachines/LambdaSQSIntegration/TestCases: test case "SadPath" is not defined for state'
        ' machine "LambdaSQSIntegration" (it has "HappyPath", "RetryPath", "HybridPath", "TooFewPath")',
    )
    one_line_usage_error(
        invoke(machine, "--mock-config", config, "--test-case", "HappyPath", "--state-machine", "Orders"),
        f'{config}:2:20: /StateMachines: state machine "Orders" is not in the mock config (it has "LambdaSQSIntegration")',
    )


def test_malformed_mock_config_is_a_one_line_usage_error(files):
    config = json.loads(json.dumps(CONFIG))
    config["MockedResponses"]["MockedLambdaRetry"]["1-2"]["Throw"].pop("Cause")
    path = files("MockConfigFile.json", config)
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", path, "--test-case", "HappyPath")
    one_line_usage_error(result, f'{path}:50:18: /MockedResponses/MockedLambdaRetry/1-2/Throw: Throw needs the field "Cause"')

    path = files("broken.json", '{"StateMachines": {},\n "MockedResponses": {"R": {"0": {"Return": 1}, "0-1": {"Return": 2}}}}')
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", path, "--test-case", "HappyPath")
    one_line_usage_error(result, f'{path}:2:48: /MockedResponses/R/0-1: invocation key "0-1" overlaps "0":'
                                 " invocation 0 would have two responses")

    path = files("notjson.json", "StateMachines: {}")
    result = invoke(files("machine.asl.json", MACHINE), "--mock-config", path, "--test-case", "HappyPath")
    one_line_usage_error(result, f"{path}:1:1: Malformed JSON: Expecting value")


def test_missing_options_are_usage_errors(files, tmp_path):
    machine, config = files("machine.asl.json", MACHINE), files("MockConfigFile.json", CONFIG)
    one_line_usage_error(invoke(machine, "--mock-config", config),
                         '--mock-config needs --test-case NAME (test cases of "LambdaSQSIntegration":'
                         ' "HappyPath", "RetryPath", "HybridPath", "TooFewPath")')
    one_line_usage_error(invoke(machine, "--test-case", "HappyPath"), "--test-case needs --mock-config FILE")
    one_line_usage_error(invoke(machine, "--state-machine", "Orders"), "--state-machine needs --mock-config FILE")
    result = invoke(machine, "--mock-config", str(tmp_path / "missing.json"), "--test-case", "HappyPath")
    assert result.exit_code == 2
    assert "missing.json" in result.stderr and "does not exist" in result.stderr


def test_a_mock_config_without_state_machines_is_a_usage_error(files):
    config = files("MockConfigFile.json", {"StateMachines": {}, "MockedResponses": {}})
    one_line_usage_error(invoke(files("machine.asl.json", MACHINE), "--mock-config", config, "--test-case", "HappyPath"),
                         f"{config} has no state machines")
