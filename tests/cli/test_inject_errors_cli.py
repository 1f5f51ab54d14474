"""``asl inject-errors``: every Task fails with each error its handlers name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli
from asl_engine.testing import inject_errors

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
FLOW = {"StartAt": "Charge", "States": {
    "Charge": {"Type": "Task", "Resource": LAMBDA + "charge",
               "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}],
               "Catch": [{"ErrorEquals": ["Declined"], "Next": "Refuse"}, {"ErrorEquals": ["Gone"], "Next": "Refuse"}],
               "Next": "Ship"},
    "Ship": {"Type": "Task", "Resource": LAMBDA + "ship", "End": True},
    "Refuse": {"Type": "Fail", "Error": "Refused"}}}
REPO = Path(__file__).resolve().parents[2]


def test_each_error_and_where_it_ends() -> None:
    report = inject_errors(asl_engine.load(FLOW, name="order"))
    outcomes = {(i.state, i.error): i.outcome() for i in report.injections}
    assert outcomes == {
        ("Charge", "Busy"): "handled by Charge.Retry[0]; UNCAUGHT: FAILED Busy",
        ("Charge", "Declined"): "handled by Charge.Catch[0]; FAILED Refused",
        ("Charge", "Gone"): "handled by Charge.Catch[1]; FAILED Refused",
        ("Charge", "States.Timeout"): "UNCAUGHT: FAILED States.Timeout",
        ("Charge", "States.TaskFailed"): "UNCAUGHT: FAILED States.TaskFailed",
        ("Ship", "States.Timeout"): "UNCAUGHT: FAILED States.Timeout",
        ("Ship", "States.TaskFailed"): "UNCAUGHT: FAILED States.TaskFailed",
    }
    assert report.unreached == []
    assert [f"{i.state} {i.error}" for i in report.uncaught][:2] == ["Charge Busy", "Charge States.Timeout"]


def test_the_command_prints_a_table_and_exits_1_with_fail_on_uncaught(write: Any) -> None:
    path = write("order.asl.json", FLOW)
    result = CliRunner().invoke(cli, ["inject-errors", path])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "7 errors injected into the Task states of order:"
    assert "  Charge  Declined           handled by Charge.Catch[0]; FAILED Refused" in lines
    assert lines[-2] == "Retriers and Catchers no injected error reached: none"
    strict = CliRunner().invoke(cli, ["inject-errors", path, "--fail-on-uncaught", "--json"])
    assert strict.exit_code == 1 and json.loads(strict.stdout)["uncaught"][0] == {"state": "Charge", "error": "Busy"}


def test_the_bundled_flow_with_its_mock_config() -> None:
    result = CliRunner().invoke(cli, [
        "inject-errors", str(REPO / "definitions" / "message_processing.asl.json"),
        "--input", (REPO / "definitions" / "examples" / "post_request.json").read_text(),
        "--mock-config", str(REPO / "definitions" / "MockConfigFile.json"), "--json"])
    report = json.loads(result.stdout)
    assert report["unreached"] == []
    ending = {(i["state"], i["error"]): (i["status"], i["finalError"]) for i in report["injections"]}
    assert ending[("ProcessMessage", "TransientWorkerError")] == ("FAILED", "MessageFailed")  # the dead-letter path
    assert ending[("WriteRecord", "DynamoDB.ConditionalCheckFailedException")] == ("SUCCEEDED", None)  # a duplicate
