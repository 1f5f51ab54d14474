"""`asl deploy`: create or update a state machine, against moto (in process) and `asl serve`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from asl_cli.main import cli
from asl_engine.server import make_server
from asl_engine.service import Service

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/existing"
DEFINITION = {
    "StartAt": "Send",
    "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": "${QueueUrl}", "MessageBody.$": "$"}, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "${Greeting}", "End": True},
    },
}
SUBS = ["--substitute", "QueueUrl=https://sqs.us-east-1.amazonaws.com/123456789012/inbox", "--substitute", "Greeting=hi"]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def definition(tmp_path: Path) -> str:
    path = tmp_path / "flow.asl.json"
    path.write_text(json.dumps(DEFINITION))
    return str(path)


def deploy(*args: str, code: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["deploy", *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 else {}


@mock_aws
def test_deploy_creates_the_machine_and_its_least_privilege_role(definition: str, aws_env: None) -> None:
    out = deploy(definition, "--name", "flow", "--region", REGION, *SUBS)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    described = sfn.describe_state_machine(stateMachineArn=out["stateMachineArn"])
    deployed = json.loads(described["definition"])
    assert deployed["States"]["Send"]["Parameters"]["QueueUrl"] == "https://sqs.us-east-1.amazonaws.com/123456789012/inbox"
    assert deployed["States"]["Done"]["Result"] == "hi"
    assert out["created"] is True
    assert out["consoleUrl"] == (f"https://{REGION}.console.aws.amazon.com/states/home?region={REGION}"
                                 f"#/statemachines/view/{out['stateMachineArn']}")
    iam = boto3.client("iam")
    assert described["roleArn"] == iam.get_role(RoleName="flow-role")["Role"]["Arn"]
    policy = iam.get_role_policy(RoleName="flow-role", PolicyName="asl-least-privilege")["PolicyDocument"]
    assert policy["Statement"] == [{"Effect": "Allow", "Action": ["sqs:SendMessage"],
                                    "Resource": ["arn:aws:sqs:us-east-1:123456789012:inbox"]}]


@mock_aws
def test_deploy_updates_a_machine_of_that_name_and_reuses_the_role(definition: str, aws_env: None) -> None:
    first = deploy(definition, "--name", "flow", *SUBS)
    second = deploy(definition, "--name", "flow", "--substitute", "Greeting=hello", *SUBS[:2])
    assert second["stateMachineArn"] == first["stateMachineArn"] and second["created"] is False
    sfn = boto3.client("stepfunctions", region_name=REGION)
    assert len(sfn.list_state_machines()["stateMachines"]) == 1
    described = sfn.describe_state_machine(stateMachineArn=first["stateMachineArn"])
    assert json.loads(described["definition"])["States"]["Done"]["Result"] == "hello"


@mock_aws
def test_publish_and_alias_then_move_the_alias(definition: str, aws_env: None) -> None:
    first = deploy(definition, "--name", "flow", "--role-arn", ROLE, "--publish", "--alias", "live", *SUBS)
    assert first["stateMachineVersionArn"].startswith(first["stateMachineArn"] + ":")
    second = deploy(definition, "--name", "flow", "--role-arn", ROLE, "--alias", "live",
                    "--substitute", "Greeting=v2", *SUBS[:2])
    assert second["stateMachineAliasArn"] == first["stateMachineAliasArn"]
    assert second["stateMachineVersionArn"] != first["stateMachineVersionArn"]
    sfn = boto3.client("stepfunctions", region_name=REGION)
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=second["stateMachineAliasArn"])
    assert alias["routingConfiguration"] == [{"stateMachineVersionArn": second["stateMachineVersionArn"], "weight": 100}]


@mock_aws
def test_dry_run_calls_nothing(definition: str, aws_env: None) -> None:
    out = deploy(definition, "--name", "flow", "--dry-run", "--alias", "live", *SUBS)
    assert [c["operation"] for c in out["calls"]] == [
        "CreateRole", "PutRolePolicy", "CreateStateMachine", "CreateStateMachineAlias"]
    assert out["calls"][2]["parameters"]["definition"]["States"]["Done"]["Result"] == "hi"
    assert boto3.client("stepfunctions", region_name=REGION).list_state_machines()["stateMachines"] == []
    assert boto3.client("iam").list_roles()["Roles"] == []


@mock_aws
def test_an_invalid_definition_exits_3_without_a_call(tmp_path: Path, aws_env: None) -> None:
    path = tmp_path / "bad.asl.json"
    path.write_text('{"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": true}}}')
    deploy(str(path), "--name", "bad", code=3)
    assert boto3.client("stepfunctions", region_name=REGION).list_state_machines()["stateMachines"] == []


def test_a_placeholder_without_a_value_is_a_usage_error(definition: str) -> None:
    deploy(definition, "--name", "flow", "--dry-run", *SUBS[:2], code=2)


@pytest.fixture
def served() -> Iterator[str]:
    service = Service()
    server = make_server(service, port=0).start()
    try:
        yield server.url
    finally:
        server.stop()
        service.close()


def test_deploy_to_asl_serve(definition: str, served: str, aws_env: None) -> None:
    args = [definition, "--name", "flow", "--role-arn", ROLE, "--endpoint-url", served, "--region", REGION, *SUBS]
    out = deploy(*args, "--publish", "--alias", "live")
    sfn = boto3.client("stepfunctions", region_name=REGION, endpoint_url=served)
    described = sfn.describe_state_machine(stateMachineArn=out["stateMachineArn"])
    assert described["name"] == "flow" and described["roleArn"] == ROLE
    assert json.loads(described["definition"])["States"]["Done"]["Result"] == "hi"
    again = deploy(*args[:-1], "Greeting=again")
    assert again["stateMachineArn"] == out["stateMachineArn"] and again["created"] is False
    described = sfn.describe_state_machine(stateMachineArn=out["stateMachineArn"])
    assert json.loads(described["definition"])["States"]["Done"]["Result"] == "again"


HANDLER_MODULE = '''"""A worker."""
import json
import yaml
from botocore import exceptions


def shout(event, context=None):
    return {"text": json.dumps(event).upper()}
'''
LAMBDA_DEFINITION = {
    "StartAt": "Shout",
    "States": {
        "Shout": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "shout", "Payload.$": "$"}, "Next": "Again"},
        "Again": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:shout", "End": True},
    },
}


@pytest.fixture
def handler_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "shouter.py").write_text(HANDLER_MODULE)
    (tmp_path / "flow.asl.json").write_text(json.dumps(LAMBDA_DEFINITION))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_handler_is_packaged_with_a_manifest_of_its_imports(handler_dir: Path) -> None:
    import io
    import zipfile

    from asl_engine.deploy import package

    built = package("shouter", "shout")
    archive = zipfile.ZipFile(io.BytesIO(built.zip_bytes))
    assert archive.namelist() == ["shouter.py", "requirements.txt"]
    assert archive.read("requirements.txt").decode() == "botocore\nyaml\n"
    assert built.handler == "shouter.shout" and package("shouter", "shout").zip_bytes == built.zip_bytes


@mock_aws
def test_deploy_with_a_handler_creates_the_function_and_points_the_tasks_at_it(handler_dir: Path, aws_env: None) -> None:
    out = deploy("flow.asl.json", "--name", "flow", "--handler", "shout=shouter:shout")
    function = boto3.client("lambda", region_name=REGION).get_function(FunctionName="flow-shouter-shout")
    arn = function["Configuration"]["FunctionArn"]
    assert function["Configuration"]["Handler"] == "shouter.shout"
    assert out["functions"] == {"shout": arn}
    sfn = boto3.client("stepfunctions", region_name=REGION)
    states = json.loads(sfn.describe_state_machine(stateMachineArn=out["stateMachineArn"])["definition"])["States"]
    assert states["Shout"]["Parameters"]["FunctionName"] == arn and states["Again"]["Resource"] == arn
    policy = boto3.client("iam").get_role_policy(RoleName="flow-role", PolicyName="asl-least-privilege")["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == [arn, f"{arn}:*"]
    again = deploy("flow.asl.json", "--name", "flow", "--handler", "Shout=shouter:shout", "--handler", "Again=shouter:shout")
    assert again["functions"] == {"Shout": arn, "Again": arn}  # the code updated, the function kept


def test_a_handler_no_task_calls_is_an_error(handler_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["deploy", "flow.asl.json", "--name", "flow", "--dry-run",
                                      "--region", REGION, "--handler", "Nope=shouter:shout"])
    assert result.exit_code == 4 and "Nope" in result.output
