"""One regression test per fuzzer finding (tests/fuzz/README.md lists them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import asl_engine
from asl_engine.dataflow.jsonata_engine import compile_expression
from asl_engine.errors import StatesError

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
ROLE = "arn:aws:iam::123456789012:role/r"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:m"


def test_a_long_definition_text_that_is_not_json_is_a_diagnostic() -> None:
    # Taken for a path, its name too long for the file system: OSError escaped validate().
    diagnostics = asl_engine.validate('"' + "x" * 300 + '{' + "x" * 20 + '"')
    assert [d.code for d in diagnostics] == ["INVALID_JSON_DESCRIPTION"]


def test_a_number_no_double_holds_is_refused_not_infinity() -> None:
    # json.loads reads 1e999 as inf, which then printed as the invalid JSON "Infinity".
    with pytest.raises(asl_engine.JsonTextError, match="too large for JSON"):
        asl_engine.parse_json_value('{"n": 1e999}', "input")
    machine = asl_engine.load({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}, "End": True}}})
    execution = machine.run({"s": "-1e999"}, clock=asl_engine.VirtualClock())
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_yaml_nan_and_inf_are_diagnostics() -> None:
    for literal in (".nan", ".inf", "-.inf"):
        text = f"StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {literal}\n    End: true\n"
        assert [d.path for d in asl_engine.validate(text)] == ["/States/P/Result"], literal


def test_invoking_a_non_function_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    # The JSONata library printed "Proc not found 1" to stdout, into the JSON asl run prints.
    with pytest.raises(StatesError, match="T1006: Attempted to invoke a non-function"):
        compile_expression("{% $states.input.a(1) %}").evaluate({"states": {"input": {"a": 1}}}, field="Output")
    assert capsys.readouterr().out == ""


def test_a_history_with_members_of_the_wrong_kind_still_replays() -> None:
    # An event without an id raised KeyError, a state name that is an object TypeError.
    import asl_engine.testing as asl_testing

    machine = asl_engine.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    events: list[Any] = [
        {"type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": {"not": "a name"}}},
        {"id": True, "previousEventId": "2", "type": "TaskSucceeded", "taskSucceededEventDetails": {"error": 1}},
        "not an event",
    ]
    result = asl_testing.replay(events, machine)
    assert result.execution.status == "SUCCEEDED" and not result.same


def test_a_tag_without_a_key_is_a_validation_error(tmp_path: Path) -> None:
    # TagResource stored tag["key"]: a tag without one was a 500 InternalFailure.
    from asl_engine.service import Service, ServiceError

    with Service(str(tmp_path / "state.db"), skip_waits=True) as service:
        service.call("CreateStateMachine", {"name": "m", "definition": json.dumps(PASS), "roleArn": ROLE})
        with pytest.raises(ServiceError, match=r"'tags.1.member.key' failed to satisfy constraint: Member must not be null"):
            service.call("TagResource", {"resourceArn": MACHINE, "tags": [{"value": "v"}]})


def test_a_task_the_history_has_no_result_for_is_a_difference() -> None:
    # Its state had no mock: replay raised EngineError and asl replay exited 4.
    import asl_engine.testing as asl_testing

    machine = asl_engine.load({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}})
    events = [{"id": 1, "type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{}"}},
              {"id": 2, "type": "ExecutionSucceeded", "executionSucceededEventDetails": {"output": "{}"}}]
    result = asl_testing.replay(events, machine)
    assert result.execution.error == "States.Runtime" and "status: recorded SUCCEEDED, replayed FAILED" in result.report()


def test_a_jsonata_lone_surrogate_is_an_error_and_a_pair_one_character() -> None:
    # '\ud800' in an expression made a string no UTF-8 output could carry (asl run crashed printing it);
    # the library also left an escaped pair as two characters.
    with pytest.raises(StatesError, match="holds a lone surrogate"):
        compile_expression("{% '\\ud800' %}").evaluate({}, field="Output")
    assert compile_expression("{% '\\ud83d\\ude00' %}").evaluate({}, field="Output") == "\U0001F600"


def test_a_5000_digit_float_is_refused_too() -> None:
    # float() has no digit limit (int() has): 111...1.5 was read as inf.
    with pytest.raises(asl_engine.JsonTextError, match="too large for JSON"):
        asl_engine.parse_json_value('{"n": ' + "1" * 5000 + ".5}", "input")
