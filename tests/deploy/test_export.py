"""`asl export`: a CloudFormation/SAM template with a least-privilege role (golden files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli
from asl_engine.deploy import least_privilege

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
ROOT = HERE.parents[1]
INTEGRATIONS = HERE / "integrations.asl.json"
NOTIFY = "NotifyFunctionArn=arn:aws:lambda:us-east-1:123456789012:function:notify"

CASES = {
    "integrations.cloudformation.json": [str(INTEGRATIONS), "--format", "cloudformation", "--substitute", NOTIFY],
    "integrations.sam.json": [str(INTEGRATIONS), "--format", "sam", "--name", "Orders"],
    "message_processing.cloudformation.json": [str(ROOT / "definitions" / "message_processing.asl.json")],
}
"""Golden file -> ``asl export`` arguments. ASL_UPDATE_GOLDEN=1 rewrites the files."""


def export(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["export", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("golden", sorted(CASES))
def test_export_matches_the_golden_template(golden: str) -> None:
    template = export(*CASES[golden])
    path = GOLDEN / golden
    if os.environ.get("ASL_UPDATE_GOLDEN"):
        path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    assert template == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("golden", sorted(CASES))
def test_the_exported_template_is_valid(golden: str, tmp_path: Path) -> None:
    """asl validate reads the template back: its state machine is valid."""
    path = tmp_path / "template.json"
    path.write_text((GOLDEN / golden).read_text(encoding="utf-8"), encoding="utf-8")
    assert [d.format() for d in asl_engine.validate(path) if d.severity == "ERROR"] == []


def test_every_integration_has_its_permission() -> None:
    policy = least_privilege(json.loads(INTEGRATIONS.read_text()))
    actions = set(policy.resources)
    assert {"lambda:InvokeFunction", "sqs:SendMessage", "sns:Publish", "dynamodb:PutItem", "dynamodb:GetItem",
            "dynamodb:UpdateItem", "dynamodb:DeleteItem", "events:PutEvents", "states:StartExecution",
            "states:DescribeExecution", "states:StopExecution", "events:PutRule", "events:PutTargets",
            "events:DescribeRule", "secretsmanager:GetSecretValue"} <= actions
    assert policy.resources["sqs:SendMessage"] == {"arn:aws:sqs:eu-west-1:123456789012:orders"}
    assert "arn:aws:lambda:us-east-1:123456789012:function:direct" in policy.resources["lambda:InvokeFunction"]


def test_a_path_or_jsonata_value_falls_back_to_a_wildcard_and_says_so() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "Send", "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Arguments": {"QueueUrl": "{% $states.input.queue %}", "MessageBody": "x"}, "Next": "Run"},
        "Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                "Arguments": {"StateMachineArn": "{% $states.input.machine %}"}, "End": True}}}
    policy = least_privilege(definition)
    assert policy.resources["sqs:SendMessage"] == {"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*"}
    assert "states:DescribeExecution" in policy.resources  # .sync's permissions though the machine is computed
    assert [note.split(":")[0] for note in policy.notes] == ["Send", "Run"]
    assert "JSONata" in policy.notes[0]


def test_yaml_output(tmp_path: Path) -> None:
    out = tmp_path / "template.yaml"
    result = CliRunner().invoke(cli, ["export", *CASES["integrations.sam.json"], "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text()) == json.loads((GOLDEN / "integrations.sam.json").read_text())


def test_an_invalid_definition_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "bad.asl.json"
    path.write_text('{"StartAt": "Missing", "States": {}}')
    assert CliRunner().invoke(cli, ["export", str(path)]).exit_code == 3
