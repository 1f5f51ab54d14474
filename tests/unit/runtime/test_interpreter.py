"""The interpreter: data flow, state types, Retry/Catch, history, as AWS does them."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

import asl_engine
from asl_engine import TaskFailure, VirtualClock

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:worker"


def run(definition, input=None, **kwargs):
    kwargs.setdefault("clock", VirtualClock())
    return asl_engine.load(definition).run(input, **kwargs)


def chain(*states, start=None):
    names = [s[0] for s in states]
    out = {}
    for i, (name, body) in enumerate(states):
        body = dict(body)
        if body["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in body and "End" not in body:
            if i < len(states) - 1:
                body["Next"] = names[i + 1]
            else:
                body["End"] = True
        out[name] = body
    return {"StartAt": start or names[0], "States": out}


def types(execution):
    return [e["type"] for e in execution.history]


# ---------------------------------------------------------------- data flow
def test_pass_data_flow_in_aws_order():
    definition = chain(
        ("P", {
            "Type": "Pass",
            "InputPath": "$.in",
            "Parameters": {"x.$": "$.v", "const": 1},
            "ResultPath": "$.in.res",
            "OutputPath": "$.in",
        })
    )
    ex = run(definition, {"in": {"v": 7}, "other": True})
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"v": 7, "res": {"x": 7, "const": 1}}


def test_null_paths():
    definition = chain(("P", {"Type": "Pass", "InputPath": None, "Result": {"r": 1}, "ResultPath": None, "OutputPath": "$"}))
    assert run(definition, {"keep": 1}).output == {"keep": 1}
    definition = chain(("P", {"Type": "Pass", "OutputPath": None}))
    assert run(definition, {"keep": 1}).output == {}


def test_missing_input_path_fails_with_states_runtime_and_aws_cause():
    ex = run(chain(("pass", {"Type": "Pass", "InputPath": "$.NoSuchInputPath"})), {})
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert ex.cause == (
        "An error occurred while executing the state 'pass' (entered at the event id #2). "
        "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    )
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_missing_parameter_path_names_the_field_and_input():
    ex = run(chain(("pass", {"Type": "Pass", "Parameters": {"value.$": "$.no_such_jsonpath"}})), {"a": 1})
    assert ex.error == "States.Runtime"
    assert ex.cause == (
        "An error occurred while executing the state 'pass' (entered at the event id #2). "
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"
    )


def test_context_object():
    ex = run(chain(("P", {"Type": "Pass", "Parameters": {"name.$": "$$.State.Name", "input.$": "$$.Execution.Input", "sm.$": "$$.StateMachine.Name"}})), {"a": 1}, name="exec-1")
    assert ex.output == {"name": "P", "input": {"a": 1}, "sm": "StateMachine"}
    assert ex.arn == "arn:aws:states:us-east-1:123456789012:execution:StateMachine:exec-1"


# ------------------------------------------------------------------- choice
def test_choice_default_and_no_match():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}]},
            "Big": {"Type": "Succeed"},
        },
    }
    assert run(definition, {"n": 5}).status == "SUCCEEDED"
    ex = run(definition, {"n": 0})
    assert ex.status == "FAILED"
    assert ex.error == "States.NoChoiceMatched"


# --------------------------------------------------------------------- fail
def test_fail_with_paths():
    definition = chain(("F", {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}))
    ex = run(definition, {"e": "MyError", "c": "because"})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "MyError", "because")
    assert types(ex) == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert ex.history[-1]["executionFailedEventDetails"] == {"error": "MyError", "cause": "because"}


# --------------------------------------------------------------------- wait
def test_one_day_wait_is_instant_on_the_virtual_clock_and_history_shows_the_day():
    clock = VirtualClock(datetime(2024, 1, 1, tzinfo=timezone.utc))
    started = time.perf_counter()
    ex = run(chain(("W", {"Type": "Wait", "Seconds": 86400})), {}, clock=clock)
    assert time.perf_counter() - started < 1.0
    entered, exited = ex.history[1], ex.history[2]
    assert exited["type"] == "WaitStateExited"
    assert exited["timestamp"] - entered["timestamp"] >= timedelta(days=1)


@pytest.mark.parametrize(
    "value, cause",
    [
        (-1, "The SecondsPath parameter references a negative value: $.w == -1"),
        (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.w == 1.5"),
    ],
)
def test_wait_seconds_path_errors(value, cause):
    ex = run(chain(("WaitState", {"Type": "Wait", "SecondsPath": "$.w"})), {"w": value})
    assert ex.error == "States.Runtime"
    assert ex.cause == "An error occurred while executing the state 'WaitState' (entered at the event id #2). " + cause


def test_wait_timestamp_in_the_past_continues():
    ex = run(chain(("W", {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z"})), {"x": 1})
    assert ex.output == {"x": 1}


# --------------------------------------------------------- tasks and errors
def test_handler_exception_becomes_lambda_style_error():
    def worker(event):
        raise ValueError("bad input")

    ex = run(chain(("T", {"Type": "Task", "Resource": LAMBDA})), {}, handlers={"worker": worker})
    assert ex.error == "ValueError"
    import json

    cause = json.loads(ex.cause)
    assert cause["errorMessage"] == "bad input"
    assert cause["errorType"] == "ValueError"
    assert set(cause) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert types(ex) == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
        "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed",
    ]


def test_handlers_by_state_name_resource_and_function_name():
    definition = chain(("ByName", {"Type": "Task", "Resource": LAMBDA}), ("ByResource", {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:other"}))
    ex = run(definition, {"n": 1}, handlers={"ByName": lambda e: {"n": e["n"] + 1}, "arn:aws:lambda:us-east-1:123456789012:function:other": lambda e: {"n": e["n"] * 10}})
    assert ex.output == {"n": 20}


def test_optimized_lambda_invoke_wraps_the_payload():
    definition = chain(("T", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": LAMBDA, "Payload": {"x": 1}}, "ResultSelector": {"p.$": "$.Payload", "code.$": "$.StatusCode"}}))
    ex = run(definition, {}, handlers={"worker": lambda e: {"got": e}})
    assert ex.output == {"p": {"got": {"x": 1}}, "code": 200}
    assert [t for t in types(ex) if t.startswith("Task")] == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]


def test_missing_handler_is_an_engine_error_naming_state_and_resource():
    with pytest.raises(asl_engine.EngineError) as info:
        run(chain(("T", {"Type": "Task", "Resource": LAMBDA})), {})
    assert "'T'" in str(info.value) and LAMBDA in str(info.value)


def test_retry_backoff_goes_through_the_clock():
    calls = []

    def flaky(event):
        calls.append(1)
        if len(calls) < 3:
            raise TaskFailure("Transient", "try again")
        return {"ok": True}

    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 100, "BackoffRate": 3}]}))
    clock = VirtualClock(datetime(2024, 1, 1, tzinfo=timezone.utc))
    ex = run(definition, {}, handlers={"worker": flaky}, clock=clock)
    assert ex.output == {"ok": True}
    scheduled = [e["timestamp"] for e in ex.history if e["type"] == "LambdaFunctionScheduled"]
    assert len(scheduled) == 3
    assert scheduled[1] - scheduled[0] >= timedelta(seconds=100)
    assert scheduled[2] - scheduled[1] >= timedelta(seconds=300)


def test_retry_count_in_context_and_max_attempts_zero():
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]}))
    ex = run(definition, {}, mocks={"T": [{"Throw": {"Error": "E", "Cause": "c"}}]})
    assert (ex.error, ex.cause) == ("E", "c")
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}], "ResultSelector": {"retries.$": "$$.State.RetryCount"}}))
    ex = run(definition, {}, mocks={"T": [{"Throw": {"Error": "E"}}, {"Throw": {"Error": "E"}}, {"Return": {}}]})
    assert ex.output == {"retries": 2}


def test_catch_default_result_path_replaces_input_and_explicit_merges():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}], "End": True},
            "H": {"Type": "Pass", "End": True},
        },
    }
    ex = run(definition, {"a": 1}, mocks={"T": [{"Throw": {"Error": "Boom", "Cause": "x"}}]})
    assert ex.output == {"Error": "Boom", "Cause": "x"}
    definition["States"]["T"]["Catch"][0]["ResultPath"] = "$.err"
    ex = run(definition, {"a": 1}, mocks={"T": [{"Throw": {"Error": "Boom", "Cause": "x"}}]})
    assert ex.output == {"a": 1, "err": {"Error": "Boom", "Cause": "x"}}


def test_task_failed_does_not_match_timeout_and_runtime_is_never_caught():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "H"}], "End": True},
            "H": {"Type": "Pass", "End": True},
        },
    }
    ex = run(definition, {}, mocks={"T": [{"Throw": {"Error": "States.Timeout"}}]})
    assert ex.status == "FAILED" and ex.error == "States.Timeout"
    assert "LambdaFunctionTimedOut" in types(ex)
    definition["States"]["T"]["OutputPath"] = "$.no.such"
    definition["States"]["T"]["Catch"][0]["ErrorEquals"] = ["States.Runtime"]
    ex = run(definition, {}, mocks={"T": [{"Return": {}}]})
    assert ex.error == "States.Runtime"
    assert ex.cause.endswith("Invalid path '$.no.such' : Missing property in path $['no']")


def test_task_timeout_with_a_real_handler():
    # The handler takes 3 s on the execution's clock (virtual: no real sleep).
    clock = VirtualClock()
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 1}))
    ex = run(definition, {}, handlers={"worker": lambda e: clock.sleep(3)}, clock=clock)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert 1 <= _elapsed(ex, "TaskStateEntered", "LambdaFunctionTimedOut") < 1.01  # it timed out at 1 s
    fast = run(definition, {}, handlers={"worker": lambda e: (clock.sleep(0.5), "done")[1]}, clock=clock)
    assert (fast.status, fast.output) == ("SUCCEEDED", "done")


# ------------------------------------------------------------ Map, Parallel
def _map(items_processor, **fields):
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": items_processor, "End": True, **fields}}}


def test_map_runs_blocking_tasks_concurrently_in_order():
    processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}

    clock = VirtualClock()
    threads = set()

    def slow(event):
        threads.add(threading.current_thread().name)
        clock.sleep(0.1)  # 100 ms on the clock
        return event * 2

    ex = run(_map(processor), list(range(40)), handlers={"worker": slow}, clock=clock)
    assert ex.output == [i * 2 for i in range(40)]
    assert _elapsed(ex, "MapStateStarted", "MapStateSucceeded") < 1.0  # 40 x 100 ms one after the other would be 4 s
    assert len(threads) > 1  # blocking iterations run on a pool


def test_concurrent_iterations_each_chain_their_own_events():
    # Iterations on threads of their own add events to one history: each
    # event's previousEventId must still be its own iteration's last event.
    processor = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "Next": "P"},
        "P": {"Type": "Pass", "End": True}}}

    def yielding(event):
        time.sleep(0)  # let another iteration's thread run here
        return event

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        ex = run(_map(processor, MaxConcurrency=8), list(range(200)), handlers={"worker": yielding})
    finally:
        sys.setswitchinterval(interval)
    assert ex.output == list(range(200))
    by_id = {event["id"]: event for event in ex.history}
    assert sorted(by_id) == list(range(1, len(ex.history) + 1))
    for event in ex.history:
        if event["type"] != "MapIterationSucceeded":
            continue
        index, step = event["mapIterationSucceededEventDetails"]["index"], by_id[event["previousEventId"]]
        while step["type"] != "MapIterationStarted":
            assert step["type"] not in ("MapIterationSucceeded", "MapStateStarted")
            step = by_id[step["previousEventId"]]
        assert step["mapIterationStartedEventDetails"]["index"] == index


def test_map_item_selector_and_history():
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    ex = run(_map(processor, ItemsPath="$.xs", ItemSelector={"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"}), {"xs": ["a", "b"]})
    assert ex.output == [{"i": 0, "v": "a"}, {"i": 1, "v": "b"}]
    assert types(ex) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted",
        "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
        "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
        "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
    ]
    assert ex.history[2]["mapStateStartedEventDetails"] == {"length": 2}
    assert ex.history[7]["mapIterationStartedEventDetails"] == {"name": "M", "index": 1}


def test_map_failure_fails_the_state_with_the_iteration_error():
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ItemFailed", "Cause": "no"}}}
    ex = run(_map(processor), [1, 2])
    assert (ex.error, ex.cause) == ("ItemFailed", "no")
    assert types(ex)[-3:] == ["MapIterationFailed", "MapStateFailed", "ExecutionFailed"]


def test_map_tolerated_failures():
    processor = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}], "Default": "P"},
            "F": {"Type": "Fail", "Error": "Zero"},
            "P": {"Type": "Pass", "End": True},
        },
    }
    ex = run(_map(processor, ToleratedFailureCount=1), [0, 1, 2])
    assert ex.status == "SUCCEEDED"
    ex = run(_map(processor, ToleratedFailureCount=0), [0, 1, 2])
    assert (ex.error, ex.cause) == ("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")


def test_parallel_outputs_in_branch_order():
    # State names are unique in the whole machine (AWS), branches included.
    branch = lambda v: {"StartAt": f"P{v}", "States": {f"P{v}": {"Type": "Pass", "Result": v, "End": True}}}  # noqa: E731
    definition = {"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "Branches": [branch(1), branch(2), branch(3)], "End": True}}}
    ex = run(definition, {})
    assert ex.output == [1, 2, 3]
    assert types(ex)[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types(ex)[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_machine_timeout():
    definition = {"TimeoutSeconds": 5, **chain(("W", {"Type": "Wait", "Seconds": 10}))}
    ex = run(definition, {})
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")
    assert types(ex)[-1] == "ExecutionTimedOut"


def test_history_event_shape():
    ex = run(chain(("P", {"Type": "Pass"})), {"a": 1})
    first = ex.history[0]
    assert first["type"] == "ExecutionStarted" and first["id"] == 1 and first["previousEventId"] == 0
    assert first["executionStartedEventDetails"]["input"] == '{"a":1}'
    entered = ex.history[1]
    assert entered["stateEnteredEventDetails"] == {"name": "P", "input": '{"a":1}', "inputDetails": {"truncated": False}}
    assert entered["previousEventId"] == 1
    assert ex.history[-1]["executionSucceededEventDetails"]["output"] == '{"a":1}'


# ------------------------------------------------- heartbeats, tokens, input
def test_heartbeat_timeout_unless_the_handler_beats():
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 5, "HeartbeatSeconds": 1}))
    clock = VirtualClock()

    def silent(event):
        clock.sleep(1.5)  # 1.5 s on the clock without a heartbeat

    ex = run(definition, {}, handlers={"worker": silent}, clock=clock)
    # AWS reports a missed heartbeat as States.Timeout (recorded) ...
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert "LambdaFunctionTimedOut" in types(ex)
    # ... that a Catcher naming States.HeartbeatTimeout catches.
    caught = {
        "StartAt": "T",
        "States": {
            "T": {**definition["States"]["T"], "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "H"}]},
            "H": {"Type": "Pass", "End": True},
        },
    }
    caught["States"]["T"].pop("End", None)
    caught["States"]["T"]["End"] = True
    ex = run(caught, {}, handlers={"worker": silent}, clock=clock)
    assert ex.output == {"Error": "States.Timeout"}

    # A handler that takes 1.5 s but sends heartbeats succeeds.
    def slow_but_alive(event, context):
        for _ in range(3):
            clock.sleep(0.5)
            context.heartbeat()
        return "ok"

    ex = run(definition, {}, handlers={"T": slow_but_alive}, clock=clock)
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output == "ok"


def test_pending_mock_times_out_on_the_virtual_clock():
    definition = chain(("T", {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 3600}))
    started = time.perf_counter()
    ex = run(definition, {}, mocks={"T": [{"Pending": True}]})
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert time.perf_counter() - started < 1.0


def test_wait_for_task_token_waits_for_the_outcome_of_its_token():
    definition = chain(("T", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Parameters": {"token.$": "$$.Task.Token"}}))
    sent = []

    def send(event):
        # The "service call": hand the token to a worker that answers later.
        sent.append(event["token"])
        threading.Thread(target=asl_engine.send_task_success, args=(event["token"], {"done": True})).start()
        return {"MessageId": "m-1"}

    ex = run(definition, {}, handlers={"T": send})
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"done": True}
    assert len(sent[0]) == 36
    assert [t for t in types(ex) if t.startswith("Task")] == [
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
    ]
    submitted = next(e for e in ex.history if e["type"] == "TaskSubmitted")
    assert submitted["taskSubmittedEventDetails"]["output"] == '{"MessageId":"m-1"}'


def test_callback_failure_and_heartbeat_timeout():
    definition = chain(("T", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 1, "Parameters": {"token.$": "$$.Task.Token"}}))

    def fail_later(event):
        threading.Thread(target=asl_engine.send_task_failure, args=(event["token"], "Rejected", "no")).start()
        return {}

    ex = run(definition, {}, handlers={"T": fail_later})
    assert (ex.error, ex.cause) == ("Rejected", "no")
    # The call takes 2 s on the clock and nobody sends a heartbeat: past the 1 s period.
    clock = VirtualClock()
    ex = run(definition, {}, handlers={"T": lambda event: clock.sleep(2) and {}}, clock=clock)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert "TaskTimedOut" in types(ex)


def test_unknown_token_is_refused():
    with pytest.raises(asl_engine.TaskTokenError):
        asl_engine.send_task_success("no-such-token", {})


def test_start_execution_of_a_local_state_machine():
    child = asl_engine.load(chain(("Child", {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}})), name="Child")
    failing = asl_engine.load(chain(("Boom", {"Type": "Fail", "Error": "ChildError", "Cause": "c"})), name="Failing")
    parent = chain(("Start", {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child", "Input": {"n": 2}, "Name": "kid"}}))
    ex = run(parent, {}, state_machines={"Child": child, "Failing": failing})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["Output"] == {"doubled": 4}
    assert ex.output["Status"] == "SUCCEEDED"
    assert ex.output["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Child:kid"
    # The child's own record (its history included) names the same execution.
    [record] = ex.child_executions
    assert (record["executionArn"], record["status"], record["output"]) == (ex.output["ExecutionArn"], "SUCCEEDED", {"doubled": 4})
    assert [e["type"] for e in record["history"]][0] == "ExecutionStarted"
    parent["States"]["Start"]["Resource"] = "arn:aws:states:::states:startExecution.sync"
    ex = run(parent, {}, state_machines={"Child": child})
    assert ex.output["Output"] == '{"doubled":4}'
    parent["States"]["Start"]["Parameters"]["StateMachineArn"] = "Failing"
    ex = run(parent, {}, state_machines={"Child": child, "Failing": failing})
    assert ex.error == "States.TaskFailed"
    cause = json.loads(ex.cause)
    assert (cause["Error"], cause["Cause"], cause["Status"]) == ("ChildError", "c", "FAILED")


def test_non_json_handler_result_is_a_marshal_error():
    ex = run(chain(("T", {"Type": "Task", "Resource": LAMBDA})), {}, handlers={"worker": lambda e: {1, 2}})
    assert ex.error == "Runtime.MarshalError"


def test_bad_execution_input_is_a_clear_error():
    machine = asl_engine.load(chain(("P", {"Type": "Pass"})))
    with pytest.raises(asl_engine.ExecutionInputError):
        machine.run({"x": object()})
    with pytest.raises(asl_engine.ExecutionInputError):
        machine.run({"big": "x" * 300_000})
    assert machine.run({"big": "x" * 300_000}, quotas=False).status == "SUCCEEDED"


def test_data_limit_exceeded_on_state_output():
    ex = run(chain(("State_1", {"Type": "Pass", "Result": {"a": "x" * 300_000}})), {})
    assert (ex.error, ex.cause) == (
        "States.DataLimitExceeded",
        "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit.",
    )


def test_failing_branch_aborts_a_pending_sibling():
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Forever", "States": {"Forever": {"Type": "Task", "Resource": LAMBDA, "End": True}}},
                    {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "x"}}},
                ],
            }
        },
    }
    started = time.perf_counter()
    ex = run(definition, {}, mocks={"Forever": [{"Pending": True}]})
    assert time.perf_counter() - started < 2.0
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Boom", "x")
    kinds = types(ex)
    assert "TaskStateAborted" in kinds
    assert kinds[-2:] == ["ParallelStateFailed", "ExecutionFailed"]


def test_map_max_concurrency_one_runs_in_order():
    order = []

    def record(event):
        order.append(event)
        return event

    processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    ex = run(_map(processor, MaxConcurrency=1), [3, 1, 2], handlers={"worker": record})
    assert ex.output == [3, 1, 2]
    assert order == [3, 1, 2]


def test_map_input_must_be_an_array():
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    ex = run(_map(processor), {"not": "a list"})
    assert ex.error == "States.Runtime"
    assert ex.cause.endswith('Reference path "$" must point to array.')


def test_seed_makes_uuid_reproducible():
    definition = chain(("P", {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)"}}))
    first = run(definition, {}, seed=7).output
    assert run(definition, {}, seed=7).output == first
    assert run(definition, {}, seed=8).output != first


def test_activity_without_a_worker_does_not_exist():
    definition = chain(("A", {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve"}))
    ex = run(definition, {})
    assert (ex.error, ex.cause) == (
        "States.Runtime",
        "An error occurred while executing the state 'A' (entered at the event id #2). "
        "The activity arn:aws:states:us-east-1:123456789012:activity:approve does not exist.",
    )
    ex = run(definition, {"x": 1}, handlers={"A": lambda event: {"approved": event["x"]}})
    assert ex.output == {"approved": 1}
    assert [t for t in types(ex) if t.startswith("Activity")] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]


def test_heartbeats_keep_a_callback_task_alive():
    definition = chain(("T", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 1, "TimeoutSeconds": 10, "Parameters": {"token.$": "$$.Task.Token"}}))

    clock = VirtualClock()

    def worker(token, pause):
        for _ in range(3):  # 1.5 s of work on the clock, a heartbeat every `pause` s
            clock.sleep(pause)
            asl_engine.send_task_heartbeat(token)
        asl_engine.send_task_success(token, "done")

    def sender(pause):
        def send(event):
            threading.Thread(target=worker, args=(event["token"], pause)).start()
            return {}
        return send

    ex = run(definition, {}, handlers={"T": sender(0.5)}, clock=clock)
    assert (ex.status, ex.output) == ("SUCCEEDED", "done")
    # Heartbeats 1.5 s apart miss the 1 s heartbeat period, on the clock.
    ex = run(definition, {}, handlers={"T": sender(1.5)}, clock=clock)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")


def _elapsed(ex, first_type, last_type):
    first = next(e["timestamp"] for e in ex.history if e["type"] == first_type)
    last = next(e["timestamp"] for e in reversed(ex.history) if e["type"] == last_type)
    return (last - first).total_seconds()


def test_virtual_waits_overlap_in_concurrent_branches_and_queue_behind_max_concurrency():
    wait_branch = lambda n: {"StartAt": f"W{n}", "States": {f"W{n}": {"Type": "Wait", "Seconds": 10, "End": True}}}  # noqa: E731
    parallel = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [wait_branch(1), wait_branch(2)], "End": True}}}
    ex = run(parallel, {})
    assert 10 <= _elapsed(ex, "ParallelStateEntered", "ParallelStateExited") < 11
    waiter = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    ex = run(_map(waiter, MaxConcurrency=1), [1, 2, 3])
    assert 30 <= _elapsed(ex, "MapStateEntered", "MapStateExited") < 31
    ex = run(_map(waiter, MaxConcurrency=2), [1, 2, 3, 4])
    assert 20 <= _elapsed(ex, "MapStateEntered", "MapStateExited") < 21
    stamps = [e["timestamp"] for e in ex.history]
    assert stamps == sorted(stamps)  # readings never go backwards


def test_fail_error_path_must_give_a_string():
    ex = run(chain(("F", {"Type": "Fail", "ErrorPath": "$.e"})), {"e": {"not": "a string"}})
    assert ex.error == "States.Runtime"
    assert ex.cause.endswith("The ErrorPath '$.e' must refer to a string, but the value was: {\"not\":\"a string\"}")


def test_a_seed_makes_every_id_repeatable():
    """Execution names, task tokens and Lambda request ids all come from the seeded source."""
    definition = chain(("T", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                              "Parameters": {"FunctionName": "worker", "Payload": {"token.$": "$$.Task.Token"}}}))

    def answer(event, context):
        threading.Thread(target=asl_engine.send_task_failure, args=(event["token"], "Nope", context.aws_request_id)).start()
        return {}

    runs = [run(definition, {}, handlers={"T": answer}, seed=7) for _ in range(2)]
    assert runs[0].name == runs[1].name
    assert runs[0].cause == runs[1].cause  # the request id the handler saw
    assert run(definition, {}, handlers={"T": answer}, seed=8).name != runs[0].name
