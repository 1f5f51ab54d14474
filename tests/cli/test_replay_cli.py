"""``asl replay``: a recorded run against the same and an edited definition."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli
from asl_engine.testing import recorded_mocks

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
FLOW = {"StartAt": "Price", "States": {
    "Price": {"Type": "Task", "Resource": LAMBDA + "price", "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Big"}], "Default": "Small"},
    "Big": {"Type": "Pass", "Result": "big", "End": True},
    "Small": {"Type": "Pass", "Result": "small", "End": True}}}


def _recorded(write: Any) -> str:
    """A run "from production": its history saved as aws stepfunctions get-execution-history prints it."""
    execution = asl_engine.load(FLOW).run({"items": 3}, handlers={"price": lambda e: {"total": 150}})
    events = json.loads(json.dumps({"events": execution.history}, default=lambda d: d.timestamp()))
    return str(write("history.json", events))


def test_the_same_definition_replays_the_same(write: Any) -> None:
    history = _recorded(write)
    result = CliRunner().invoke(cli, ["replay", history, "--definition", write("flow.asl.json", FLOW)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "replay: the same events, status and result as recorded\n"


def test_an_edited_definition_shows_what_changed(write: Any) -> None:
    history = _recorded(write)
    edited = json.loads(json.dumps(FLOW))
    edited["States"]["Check"]["Choices"][0]["NumericGreaterThan"] = 200
    result = CliRunner().invoke(cli, ["replay", history, "--definition", write("edited.asl.json", edited)])
    assert result.exit_code == 1
    assert '-"big"\n+"small"' in result.stdout
    assert "-PassStateEntered Big\n-PassStateExited Big\n+PassStateEntered Small\n+PassStateExited Small" in result.stdout


def test_recorded_failures_become_throws_and_bad_files_are_usage_errors(write: Any) -> None:
    execution = asl_engine.load(FLOW).run({}, handlers={"price": lambda e: (_ for _ in ()).throw(ValueError("no price"))})
    assert recorded_mocks(execution.history) == {"Price": [{"Throw": {"Error": "ValueError", "Cause": execution.cause}}]}
    bad = CliRunner().invoke(cli, ["replay", write("x.json", {"nope": 1}), "--definition", write("f.asl.json", FLOW)])
    assert bad.exit_code == 2 and "is not an execution history" in bad.output
