"""States with QueryLanguage JSONata, end to end through the interpreter."""

from __future__ import annotations

import json

import pytest

import asl_engine
from asl_engine import VirtualClock

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:price"

README_EXAMPLE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Price",
    "States": {
        "Price": {
            "Type": "Task", "Resource": LAMBDA,
            "Arguments": {"sku": "{% $states.input.sku %}", "qty": "{% $count($states.input.items) %}"},
            "Assign": {"total": "{% $states.result.total %}"},
            "Output": "{% $merge([$states.input, {'total': $states.result.total}]) %}",
            "Next": "Big?",
        },
        "Big?": {"Type": "Choice", "Default": "Done", "Choices": [{"Condition": "{% $total > 100 %}", "Next": "Review"}]},
        "Review": {"Type": "Pass", "Output": {"review": True, "total": "{% $total %}"}, "End": True},
        "Done": {"Type": "Succeed"},
    },
}


def run(definition, input=None, **kwargs):
    kwargs.setdefault("clock", VirtualClock())
    return asl_engine.load(definition).run(input, **kwargs)


def types(execution):
    return [e["type"] for e in execution.history]


def test_readme_example():
    price = lambda event: {"total": 40 * event["qty"]}  # noqa: E731
    ex = run(README_EXAMPLE, {"sku": "a", "items": [1, 2, 3]}, handlers={"price": price})
    assert ex.output == {"review": True, "total": 120}
    ex = run(README_EXAMPLE, {"sku": "a", "items": [1]}, handlers={"price": price})
    assert ex.output == {"sku": "a", "items": [1], "total": 40}


def test_undefined_output_fails_with_aws_cause_and_evaluation_failed_event():
    definition = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Pass", "Output": {"r": "{% $nope %}"}, "End": True}}}
    ex = run(definition, {})
    assert ex.error == "States.QueryEvaluationError"
    assert ex.cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        "The JSONata expression '$nope' specified for the field 'Output/r' returned nothing (undefined)."
    )
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]
    details = ex.history[2]["evaluationFailedEventDetails"]
    assert details["location"] == "Output" and details["state"] == "S"


def test_catcher_output_sees_error_output_and_query_errors_are_catchable():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"err": "{% $states.errorOutput.Error %}", "in": "{% $states.input %}"}, "Next": "Out"}],
                "End": True,
            },
            "Out": {"Type": "Pass", "End": True},
        },
    }
    ex = run(definition, {"a": 1}, mocks={"T": [{"Throw": {"Error": "Boom", "Cause": "c"}}]})
    assert ex.output == {"err": "Boom", "in": {"a": 1}}
    definition["States"]["T"]["Arguments"] = "{% $undefinedVariable %}"
    ex = run(definition, {"a": 1}, mocks={"T": [{"Return": {}}]})
    assert ex.output == {"err": "States.QueryEvaluationError", "in": {"a": 1}}


def test_map_items_item_selector_and_wait_seconds():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}", "i": "{% $states.context.Map.Item.Index %}"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "Output": "{% $states.result.v %}",
                "End": True,
            },
        },
    }
    ex = run(definition, {"delay": 3600, "xs": [1, 2, 3]})
    assert ex.output == [10, 20, 30]


def test_items_must_be_an_array():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "Items": "{% 1 %}", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}},
    }
    ex = run(definition, {})
    assert ex.cause.endswith("The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'number' for value: 1")
    assert types(ex)[-3:] == ["EvaluationFailed", "MapStateFailed", "ExecutionFailed"]


def test_fail_error_and_cause_expressions():
    definition = {"QueryLanguage": "JSONata", "StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "{% $states.input.e %}", "Cause": "fixed"}}}
    ex = run(definition, {"e": "Custom"})
    assert (ex.error, ex.cause) == ("Custom", "fixed")


def test_assign_and_output_see_the_same_entry_values():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}"}, "Output": {"seen": "{% $x %}"}, "Next": "C"},
            "C": {"Type": "Pass", "Output": {"now": "{% $x %}", "prev": "{% $states.input.seen %}"}, "End": True},
        },
    }
    assert run(definition, {}).output == {"now": 2, "prev": 1}


def test_mixed_languages():
    jsonpath_machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 42 %}", "End": True}}}
    assert run(jsonpath_machine, {}).output == 42
    with pytest.raises(asl_engine.DefinitionError) as info:
        asl_engine.load({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}})
    assert "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine" in str(info.value)


def test_jsonpath_fields_are_refused_in_jsonata_states():
    with pytest.raises(asl_engine.DefinitionError) as info:
        asl_engine.load({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$.x", "End": True}}})
    assert (
        "SCHEMA_VALIDATION_FAILED /States/A: The QueryLanguage is set to 'JSONata', "
        "but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"
    ) in str(info.value)


def test_eval_is_refused_at_load_time():
    with pytest.raises(asl_engine.DefinitionError):
        asl_engine.load({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $eval('1') %}", "End": True}}})


def test_history_records_assigned_variables_as_json():
    definition = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"v": {"k": "{% 1 + 1 %}"}}, "End": True}}}
    ex = run(definition, {})
    details = ex.history[2]["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"v": json.dumps({"k": 2}, separators=(",", ":"))}
