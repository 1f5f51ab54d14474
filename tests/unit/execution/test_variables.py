"""Workflow variables (Assign) in JSONPath states, as AWS evaluates them."""

from __future__ import annotations

import json

import pytest

import asl_engine
from asl_engine import VirtualClock

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:worker"


def run(definition, input=None, **kwargs):
    kwargs.setdefault("clock", VirtualClock())
    return asl_engine.load(definition).run(input, **kwargs)


def exited(execution, name):
    return next(
        e["stateExitedEventDetails"] for e in execution.history
        if e["type"].endswith("StateExited") and e["stateExitedEventDetails"]["name"] == name
    )


def test_assign_is_visible_from_the_next_state_and_recorded_in_history():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": {"answer": 42}, "Assign": {"theAnswer.$": "$.answer", "const": [1, 2]}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"got.$": "$theAnswer", "c.$": "$const[1]"}, "End": True},
        },
    }
    ex = run(definition, {})
    assert ex.output == {"got": 42, "c": 2}
    details = exited(ex, "A")
    assert details["assignedVariables"] == {"theAnswer": "42", "const": "[1,2]"}
    assert details["assignedVariablesDetails"] == {"truncated": False}
    assert "assignedVariables" not in exited(ex, "B")


def test_all_right_hand_sides_see_the_values_at_state_entry():
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": True},
        },
    }
    assert run(definition, {}).output == {"x": 2, "y": 1}


def test_choice_rule_assign_or_state_assign_on_default():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Assign": {"size": "big"}, "Next": "Out"}],
                "Default": "Out",
                "Assign": {"size": "small"},
            },
            "Out": {"Type": "Pass", "Parameters": {"size.$": "$size"}, "End": True},
        },
    }
    assert run(definition, {"n": 11}).output == {"size": "big"}
    assert run(definition, {"n": 1}).output == {"size": "small"}


def test_task_assign_sees_the_selected_result_and_catcher_assign_replaces_it():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": LAMBDA,
                "ResultSelector": {"v.$": "$.value"},
                "Assign": {"seen.$": "$.v"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"seen.$": "$.Error"}, "Next": "Out"}],
                "Next": "Out",
            },
            "Out": {"Type": "Pass", "Parameters": {"seen.$": "$seen"}, "End": True},
        },
    }
    assert run(definition, {}, mocks={"T": [{"Return": {"value": 5}}]}).output == {"seen": 5}
    assert run(definition, {}, mocks={"T": [{"Throw": {"Error": "Bad", "Cause": "c"}}]}).output == {"seen": "Bad"}


def test_map_iterations_read_outer_variables_and_their_own_vanish():
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"bias": 10}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Add",
                    "States": {
                        "Add": {"Type": "Pass", "Assign": {"inner.$": "$"}, "Next": "Use"},
                        "Use": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($inner, $bias)"}, "End": True},
                    },
                },
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"hasInner.$": "$$.State.Name", "bias.$": "$bias"}, "End": True},
        },
    }
    ex = run(definition, [1, 2])
    assert ex.output == {"hasInner": "After", "bias": 10}
    map_exit = exited(ex, "M")
    assert json.loads(map_exit["output"]) == [{"sum": 11}, {"sum": 12}]


@pytest.mark.parametrize("name", ["states", "a.b", "x[0]", "1abc"])
def test_invalid_variable_names_are_refused(name):
    with pytest.raises(asl_engine.DefinitionError):
        asl_engine.load({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {name: 1}, "End": True}}})


def test_succeed_and_fail_states_cannot_assign():
    with pytest.raises(asl_engine.DefinitionError):
        asl_engine.load({"StartAt": "A", "States": {"A": {"Type": "Succeed", "Assign": {"x": 1}}}})


def test_nested_scope_cannot_assign_an_outer_name():
    def machine(inner_name):
        return {
            "StartAt": "Init",
            "States": {
                "Init": {"Type": "Pass", "Assign": {"total": 0}, "Next": "M"},
                "M": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {inner_name: 1}, "End": True}}},
                    "End": True,
                },
            },
        }

    ex = run(machine("total"), [1])
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "cannot assign the variable 'total'" in ex.cause
    assert run(machine("other"), [1]).status == "SUCCEEDED"  # a new name is fine


def test_sibling_branches_may_reuse_a_variable_name():
    def branch(name):
        return {
            "StartAt": name,
            "States": {
                name: {"Type": "Pass", "Assign": {"x": name}, "Next": name + "Show"},
                name + "Show": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "OutputPath": "$.x", "End": True},
            },
        }

    definition = {"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "Branches": [branch("A"), branch("B")], "End": True}}}
    # Each branch reads its own x: branches do not see each other's variables.
    assert run(definition, {}).output == ["A", "B"]
