"""Coverage from histories: states, arcs, Retriers, Catchers and branches."""

from __future__ import annotations

import json
from typing import Any

import pytest

import asl_engine
from asl_engine.testing import Collector, assert_failed, assert_path, assert_succeeded

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
MACHINE = {
    "StartAt": "Route",
    "States": {
        "Route": {"Type": "Choice", "Choices": [
            {"Variable": "$.kind", "StringEquals": "fan", "Next": "Fan"},
            {"Variable": "$.kind", "StringEquals": "work", "Next": "Work"}], "Default": "Skip"},
        "Work": {"Type": "Task", "Resource": LAMBDA + "work",
                 "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 2, "IntervalSeconds": 1}, {"ErrorEquals": ["States.ALL"]}],
                 "Catch": [{"ErrorEquals": ["Broken"], "Next": "Recover"}, {"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
                 "Next": "Done"},
        "Fan": {"Type": "Parallel", "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
            {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}}], "Next": "Done"},
        "Recover": {"Type": "Pass", "Next": "Done"},
        "Skip": {"Type": "Succeed"},
        "Done": {"Type": "Succeed"},
    },
}


def _run(collector: Collector, machine: asl_engine.StateMachine, value: Any, handler: Any = None) -> asl_engine.Execution:
    execution = machine.run(value, handlers={"work": handler or (lambda e: e)}, clock=asl_engine.VirtualClock())
    collector.record(machine, execution)
    return execution


def test_what_the_runs_reached_and_what_they_did_not() -> None:
    machine = asl_engine.load(MACHINE, name="router")
    collector = Collector()
    attempts: list[int] = []

    def flaky_then_broken(event: Any) -> Any:
        attempts.append(1)
        raise type("Flaky" if len(attempts) == 1 else "Broken", (Exception,), {})("no")

    assert_path(_run(collector, machine, {"kind": "work"}, flaky_then_broken), ["Route", "Work", "Recover", "Done"])
    assert_succeeded(_run(collector, machine, {"kind": "fan"}))
    (report,) = collector.reports
    assert report.runs == 2
    assert report.missing("states") == ["Skip"]
    assert report.missing("transitions") == ["Route -> Skip", "Work -> Done"]
    assert report.covered["retriers"] == {"Work.Retry[0]", "Work.Retry[1]"}  # Flaky by [0], then Broken by [1] (States.ALL)
    assert report.missing("catchers") == ["Work.Catch[1]"]
    assert report.missing("branches") == []
    assert report.percent("states") == 87.5  # 7 of 8
    assert "router" in collector.term() and "Route -> Skip" in collector.term()
    assert json.loads(collector.json())["machines"]["router"]["states"] == {"total": 8, "covered": 7, "missing": ["Skip"]}


def test_readable_assertion_failures() -> None:
    execution = asl_engine.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"a": 1}, "End": True}}}).run()
    with pytest.raises(AssertionError) as info:
        assert_succeeded(execution, {"a": 2})
    assert '-  "a": 2' in str(info.value) and '+  "a": 1' in str(info.value)
    with pytest.raises(AssertionError, match="did not fail"):
        assert_failed(execution)
    with pytest.raises(AssertionError, match="states entered differ"):
        assert_path(execution, ["Q"])
