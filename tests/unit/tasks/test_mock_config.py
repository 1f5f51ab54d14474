"""Step Functions Local's MockConfigFile.json: parsing, validation with places, runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import asl_engine
from asl_engine import MockConfig, VirtualClock, load_mock_config
from asl_engine.errors import AslEngineError, EngineError
from asl_engine.tasks.mock_config import MockConfigError
from asl_engine.tasks.mocks import MockResponses

SUCCESS = {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}}
NOT_READY = {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}}
TIMED_OUT = {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}}
SQS = {"Return": {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51", "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}}

# The example of AWS's "Configuration file for mocked service integrations", plus CatchPath.
CONFIG = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
                "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
                "CatchPath": {"LambdaState": "LambdaMockedResourceNotReady"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": SUCCESS},
        "LambdaMockedResourceNotReady": {"0": NOT_READY},
        "MockedSQSSuccess": {"0": SQS},
        "MockedLambdaRetry": {"0": NOT_READY, "1-2": TIMED_OUT, "3": SUCCESS},
    },
}

MACHINE = {
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
            "Retry": [{"ErrorEquals": ["Lambda.TimeoutException", "Lambda.ResourceNotReadyException"],
                       "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}],
            "Catch": [{"ErrorEquals": ["Lambda.ResourceNotReadyException"], "ResultPath": "$.error", "Next": "Fallback"}],
            "ResultSelector": {"body.$": "$.Payload.body"},
            "ResultPath": "$.lambda",
            "Next": "SQSState",
        },
        "SQSState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody.$": "$.lambda.body"},
            "ResultSelector": {"id.$": "$.MessageId"},
            "ResultPath": "$.sqs",
            "End": True,
        },
        "Fallback": {"Type": "Pass", "End": True},
    },
}


def run(machine, config_case, input=None, **kwargs):
    config = load_mock_config(CONFIG)
    return asl_engine.load(machine).run(input or {"order": 7}, mocks=config.mocks("LambdaSQSIntegration", config_case),
                                        clock=VirtualClock(), **kwargs)


def task_outcomes(execution):
    """(event type, error) of every closing Task event, in order."""
    out = []
    for event in execution.history:
        if event["type"] in ("TaskSucceeded", "TaskFailed"):
            details = event.get("taskFailedEventDetails", {})
            out.append((event["type"], details.get("error")))
    return out


def config_with(responses=None, machines=None):
    return {"StateMachines": machines if machines is not None else {},
            "MockedResponses": responses if responses is not None else {}}


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("kind", ["mapping", "text", "path", "pathlike"])
def test_reads_aws_example_from_mapping_text_or_path(kind, tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG, indent=2))
    source = {"mapping": CONFIG, "text": json.dumps(CONFIG, indent=2), "path": str(path), "pathlike": path}[kind]
    config = load_mock_config(source)
    assert isinstance(config, MockConfig)
    assert config.state_machines == ["LambdaSQSIntegration"]
    assert config.test_cases("LambdaSQSIntegration") == ["HappyPath", "RetryPath", "HybridPath", "CatchPath"]
    assert config.mocks("LambdaSQSIntegration", "RetryPath") == {
        "LambdaState": [NOT_READY, TIMED_OUT, TIMED_OUT, SUCCESS],
        "SQSState": [SQS],
    }
    assert config.mocks("LambdaSQSIntegration", "HybridPath") == {"LambdaState": [SUCCESS]}
    assert config.file == (str(path) if kind in ("path", "pathlike") else None)


def test_ranges_expand_in_invocation_order_whatever_the_key_order():
    responses = {"R": {"4-5": {"Return": "c"}, "0": {"Throw": {"Error": "E", "Cause": "first"}},
                       "1-3": {"Return": "b"}, "06": {"Return": None}}}
    config = load_mock_config(config_with(responses, {"M": {"TestCases": {"T": {"S": "R"}}}}))
    mocks = config.mocks("M", "T")
    assert mocks == {"S": [{"Throw": {"Error": "E", "Cause": "first"}}, {"Return": "b"}, {"Return": "b"}, {"Return": "b"},
                           {"Return": "c"}, {"Return": "c"}, {"Return": None}]}
    assert isinstance(mocks["S"], MockResponses) and mocks["S"].origin == "R"


def test_return_may_be_any_json_value_and_the_config_is_a_copy():
    source = config_with({"R": {"0": {"Return": [1, "two", {"three": 3.5}, True, None]}}},
                         {"M": {"TestCases": {"T": {"S": "R"}}}})
    config = load_mock_config(source)
    source["MockedResponses"]["R"]["0"]["Return"].append("changed later")
    first = config.mocks("M", "T")
    first["S"][0]["Return"].append("changed by the caller")
    first["S"].append({"Return": "extra"})
    assert config.mocks("M", "T") == {"S": [{"Return": [1, "two", {"three": 3.5}, True, None]}]}


def test_empty_test_case_and_empty_mocked_response_are_accepted():
    config = load_mock_config(config_with({"Empty": {}}, {"M": {"TestCases": {"Nothing": {}, "T": {"S": "Empty"}}}}))
    assert config.mocks("M", "Nothing") == {}
    assert config.mocks("M", "T") == {"S": []}


# --------------------------------------------------------------------------- errors with their place


BAD = [
    # (document, pointer, message)
    ([], "", "the mock config must be an object, got an array"),
    ({"StateMachines": {}}, "", 'the mock config needs the field "MockedResponses"'),
    ({"MockedResponses": {}}, "", 'the mock config needs the field "StateMachines"'),
    (dict(config_with(), MockedResponse={}), "/MockedResponse",
     "unknown field in the mock config (it has StateMachines and MockedResponses)"),
    ({"StateMachines": [], "MockedResponses": {}}, "/StateMachines", "StateMachines must be an object, got an array"),
    ({"StateMachines": {}, "MockedResponses": "x"}, "/MockedResponses", "MockedResponses must be an object, got a string"),
    (config_with(machines={"M": {}}), "/StateMachines/M", 'state machine "M" needs the field "TestCases"'),
    (config_with(machines={"M": {"TestCase": {}}}), "/StateMachines/M/TestCase",
     'unknown field in state machine "M" (it has only TestCases)'),
    (config_with(machines={"M": {"TestCases": {"T": ["R"]}}}), "/StateMachines/M/TestCases/T",
     'test case "T" must be an object, got an array'),
    (config_with({"R": {}}, {"M": {"TestCases": {"T": {"S": 1}}}}), "/StateMachines/M/TestCases/T/S",
     'the mocked response of state "S" must be a string (a name in MockedResponses), got a number'),
    (config_with({"R": {}, "Q": {}}, {"M": {"TestCases": {"T": {"S": "Nope"}}}}), "/StateMachines/M/TestCases/T/S",
     'mocked response "Nope" is not defined in MockedResponses (it has "R", "Q")'),
    (config_with({"R": [{"Return": 1}]}), "/MockedResponses/R", 'mocked response "R" must be an object, got an array'),
    (config_with({"R": {"first": {"Return": 1}}}), "/MockedResponses/R/first",
     'invocation key "first" must be a number like "0" or an inclusive range like "1-2"'),
    (config_with({"R": {"0 - 1": {"Return": 1}}}), "/MockedResponses/R/0 - 1",
     'invocation key "0 - 1" must be a number like "0" or an inclusive range like "1-2"'),
    (config_with({"R": {"-1": {"Return": 1}}}), "/MockedResponses/R/-1",
     'invocation key "-1" must be a number like "0" or an inclusive range like "1-2"'),
    (config_with({"R": {"3-1": {"Return": 1}}}), "/MockedResponses/R/3-1", 'invocation range "3-1" starts after it ends'),
    (config_with({"R": {"1": {"Return": 1}}}), "/MockedResponses/R/1",
     "no response for invocation 0: invocation keys must cover 0, 1, 2, ... with no gap"),
    (config_with({"R": {"0": {"Return": 1}, "4-5": {"Return": 2}}}), "/MockedResponses/R/4-5",
     "no response for invocations 1-3: invocation keys must cover 0, 1, 2, ... with no gap"),
    (config_with({"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}), "/MockedResponses/R/2",
     'invocation key "2" overlaps "0-2": invocation 2 would have two responses'),
    (config_with({"R": {"0-3": {"Return": 1}, "1-5": {"Return": 2}}}), "/MockedResponses/R/1-5",
     'invocation key "1-5" overlaps "0-3": invocations 1-3 would have two responses'),
    (config_with({"R": {"0-1000000": {"Return": 1}}}), "/MockedResponses/R/0-1000000",
     'invocation key "0-1000000" goes past invocation 999999, the most a mocked response may cover'),
    (config_with({"R": {"0": "ok"}}), "/MockedResponses/R/0", "a mocked response must be an object, got a string"),
    (config_with({"R": {"0": {}}}), "/MockedResponses/R/0", "a mocked response has exactly one of Return or Throw, got neither"),
    (config_with({"R": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "c"}}}}), "/MockedResponses/R/0",
     "a mocked response has exactly one of Return or Throw, not both"),
    (config_with({"R": {"0": {"Returns": 1}}}), "/MockedResponses/R/0/Returns",
     "unknown field in a mocked response (it has Return or Throw)"),
    (config_with({"R": {"0": {"Pending": True}}}), "/MockedResponses/R/0/Pending",
     "unknown field in a mocked response (it has Return or Throw)"),
    (config_with({"R": {"1-2": {"Throw": "E"}, "0": {"Return": 1}}}), "/MockedResponses/R/1-2/Throw",
     "Throw must be an object, got a string"),
    (config_with({"R": {"0": {"Return": 1}, "1-2": {"Throw": {"Error": "E"}}}}), "/MockedResponses/R/1-2/Throw",
     'Throw needs the field "Cause"'),
    (config_with({"R": {"0": {"Throw": {"Cause": "c"}}}}), "/MockedResponses/R/0/Throw", 'Throw needs the field "Error"'),
    (config_with({"R": {"0": {"Throw": {"Error": 500, "Cause": "c"}}}}), "/MockedResponses/R/0/Throw/Error",
     "Error must be a string, got a number"),
    (config_with({"R": {"0": {"Throw": {"Error": "E", "Cause": None}}}}), "/MockedResponses/R/0/Throw/Cause",
     "Cause must be a string, got null"),
    (config_with({"R": {"0": {"Throw": {"Error": "E", "Cause": "c", "Retry": True}}}}),
     "/MockedResponses/R/0/Throw/Retry", "unknown field in Throw (it has Error and Cause)"),
    (config_with({"R": {"0": {"Return": {"when": float("nan")}}}}), "/MockedResponses/R/0/Return/when",
     "nan is not a JSON number"),
    (config_with({"R": {"0": {"Return": {"s": {1, 2}}}}}), "/MockedResponses/R/0/Return/s", "a set is not a JSON value"),
    (config_with({"a/b~c": {"0": {"Return": 1}, "0-1": {"Return": 2}}}), "/MockedResponses/a~1b~0c/0-1",
     'invocation key "0-1" overlaps "0": invocation 0 would have two responses'),
]


@pytest.mark.parametrize("document, pointer, message", BAD, ids=[m for _, _, m in BAD])
def test_malformed_config_names_the_place_and_the_problem(document, pointer, message):
    with pytest.raises(MockConfigError) as caught:
        load_mock_config(document)
    error = caught.value
    assert (error.pointer, error.message) == (pointer, message)
    assert str(error) == (f"{pointer}: {message}" if pointer else message)
    assert (error.file, error.line, error.column) == (None, None, None)
    assert isinstance(error, AslEngineError)


def test_text_errors_carry_file_line_and_column(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text('{\n  "StateMachines": {},\n  "MockedResponses": {\n    "R": {\n      "0": {"Return": 1},\n'
                    '      "1-2": {"Throw": {"Error": "E"}}\n    }\n  }\n}\n')
    with pytest.raises(MockConfigError) as caught:
        load_mock_config(path)
    assert str(caught.value) == f'{path}:6:24: /MockedResponses/R/1-2/Throw: Throw needs the field "Cause"'
    assert (caught.value.line, caught.value.column) == (6, 24)

    path.write_text('{\n  "StateMachines": {},\n  "MockedResponses": {"R": {"0": {"Return": 1},\n  "0": {"Return": 2}}}\n}\n')
    with pytest.raises(MockConfigError) as caught:
        load_mock_config(str(path))
    assert str(caught.value) == f'{path}:4:3: /MockedResponses/R/0: duplicate key "0": the keys of an object must be unique'

    path.write_text('{\n  "StateMachines": {}\n  "MockedResponses": {}\n}\n')
    with pytest.raises(MockConfigError) as caught:
        load_mock_config(path)
    assert str(caught.value) == f"{path}:3:3: Malformed JSON: Expecting ',' delimiter"

    with pytest.raises(MockConfigError) as caught:
        load_mock_config('{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}},\n "MockedResponses": {}}')
    assert str(caught.value) == ('<mock config>:1:51: /StateMachines/M/TestCases/T/S: mocked response "Nope" is not'
                                 " defined in MockedResponses (it has none)")

    path.write_text("  \n")
    with pytest.raises(MockConfigError) as caught:
        load_mock_config(path)
    assert str(caught.value) == (f"{path}:1:1: the mock config is empty: expected a JSON object with StateMachines"
                                 " and MockedResponses")

    with pytest.raises(MockConfigError) as caught:
        load_mock_config(tmp_path / "missing.json")
    assert str(caught.value) == f"{tmp_path / 'missing.json'}: cannot read the mock config: No such file or directory"


def test_unknown_names_list_the_available_ones(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG, indent=2))
    config = load_mock_config(path)
    with pytest.raises(MockConfigError) as caught:
        config.test_cases("Orders")
    assert str(caught.value) == f'{path}:2:20: /StateMachines: state machine "Orders" is not in the mock config (it has "LambdaSQSIntegration")'
    with pytest.raises(MockConfigError) as caught:
        config.mocks("LambdaSQSIntegration", "SadPath")
    assert caught.value.pointer == "/StateMachines/LambdaSQSIntegration/TestCases"
    assert caught.value.message == ('test case "SadPath" is not defined for state machine "LambdaSQSIntegration"'
                                    ' (it has "HappyPath", "RetryPath", "HybridPath", "CatchPath")')


# --------------------------------------------------------------------------- runs


def test_retries_take_the_next_responses():
    execution = run(MACHINE, "RetryPath")
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"order": 7, "lambda": {"body": "Hello from Lambda!"},
                                "sqs": {"id": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}}
    assert task_outcomes(execution) == [
        ("TaskFailed", "Lambda.ResourceNotReadyException"),
        ("TaskFailed", "Lambda.TimeoutException"),
        ("TaskFailed", "Lambda.TimeoutException"),
        ("TaskSucceeded", None),
        ("TaskSucceeded", None),
    ]


def test_a_throw_caught_by_catch_gives_the_exact_error_output():
    machine = copy.deepcopy(MACHINE)
    machine["States"]["LambdaState"]["Retry"] = []
    execution = run(machine, "CatchPath")
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"order": 7, "error": {"Error": "Lambda.ResourceNotReadyException",
                                                      "Cause": "Lambda resource is not ready."}}
    assert task_outcomes(execution) == [("TaskFailed", "Lambda.ResourceNotReadyException")]


def test_an_unmocked_state_falls_through_to_its_handler():
    seen = []

    def send(event):
        seen.append(event)
        return {"MessageId": "from-the-handler"}

    def never(event):  # the mock wins over a handler of the same state
        raise AssertionError("LambdaState is mocked")

    execution = run(MACHINE, "HybridPath", handlers={"SQSState": send, "LambdaState": never})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"order": 7, "lambda": {"body": "Hello from Lambda!"}, "sqs": {"id": "from-the-handler"}}
    assert seen == [{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "Hello from Lambda!"}]


def test_an_invocation_past_the_last_response_fails_with_states_runtime():
    # The last response is not repeated; States.Runtime is neither retried nor caught.
    machine = copy.deepcopy(MACHINE)
    machine["States"]["LambdaState"]["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]
    machine["States"]["LambdaState"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Fallback"}]
    config = load_mock_config(config_with({"Timeouts": {"0-1": TIMED_OUT}},
                                          {"M": {"TestCases": {"T": {"LambdaState": "Timeouts"}}}}))
    execution = asl_engine.load(machine).run({}, mocks=config.mocks("M", "T"), clock=VirtualClock())
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED", "States.Runtime",
        "An error occurred while executing the state 'LambdaState' (entered at the event id #2)."
        " No mocked response for invocation 2: mocked response 'Timeouts' has responses for invocations 0-1.",
    )
    assert task_outcomes(execution) == [("TaskFailed", "Lambda.TimeoutException"),
                                        ("TaskFailed", "Lambda.TimeoutException"),
                                        ("TaskFailed", "States.Runtime")]


def test_an_empty_mocked_response_fails_the_first_invocation():
    config = load_mock_config(config_with({"Empty": {}}, {"M": {"TestCases": {"T": {"LambdaState": "Empty"}}}}))
    execution = asl_engine.load(MACHINE).run({}, mocks=config.mocks("M", "T"))
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED", "States.Runtime",
        "An error occurred while executing the state 'LambdaState' (entered at the event id #2)."
        " No mocked response for invocation 0: mocked response 'Empty' has no responses.",
    )


def test_one_counter_per_state_across_map_iterations():
    # Step Functions Local keeps counting across iterations (MaxConcurrency 1 for a stable order).
    machine = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map", "MaxConcurrency": 1, "End": True,
                "ItemProcessor": {
                    "StartAt": "Call",
                    "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}],
                                        "OutputPath": "$.Payload", "End": True}},
                },
            }
        },
    }
    config = load_mock_config(config_with(
        {"Seq": {"0": {"Throw": {"Error": "Boom", "Cause": "attempt0"}}, "1": {"Return": {"Payload": "idx1"}},
                 "2": {"Return": {"Payload": "idx2"}}, "3": {"Return": {"Payload": "idx3"}}}},
        {"IdxSem": {"TestCases": {"Case1": {"Call": "Seq"}}}}))
    mocks = config.mocks("IdxSem", "Case1")
    execution = asl_engine.load(machine).run([1, 2], mocks=mocks, clock=VirtualClock())
    assert execution.output == ["idx1", "idx2"]
    assert mocks == config.mocks("IdxSem", "Case1")  # the run did not change the responses it was given


def test_a_plain_list_past_its_end_is_still_an_engine_error():
    machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1}], "End": True}}}
    with pytest.raises(EngineError) as caught:
        asl_engine.load(machine).run({}, mocks={"T": [{"Throw": {"Error": "E", "Cause": "c"}}]}, clock=VirtualClock())
    assert str(caught.value) == "state 'T' was invoked 2 times but its mock has only 1 responses"


def test_exported_from_the_package():
    assert asl_engine.load_mock_config is load_mock_config
    assert asl_engine.MockConfig is MockConfig
    assert issubclass(MockConfigError, asl_engine.AslEngineError)
    assert Path(asl_engine.__file__).parent.joinpath("tasks", "mock_config.py").exists()
