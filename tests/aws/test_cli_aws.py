"""`asl run --aws` calls AWS through boto3 (here moto, in process)."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from asl_cli.main import cli


@pytest.fixture
def aws_env(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)


@mock_aws
def test_run_with_aws_sends_to_sqs(tmp_path, aws_env):
    queue_url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="inbox")["QueueUrl"]
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "$"},
                "ResultSelector": {"id.$": "$.MessageId"},
                "End": True,
            }
        },
    }
    path = tmp_path / "send.asl.json"
    path.write_text(json.dumps(definition))
    result = CliRunner().invoke(cli, ["run", str(path), "--input", '{"hello": "world"}', "--aws", "--region", "us-east-1"])
    assert result.exit_code == 0, result.stderr
    message_id = json.loads(result.stdout)["id"]
    received = boto3.client("sqs", region_name="us-east-1").receive_message(QueueUrl=queue_url)["Messages"][0]
    assert received["MessageId"] == message_id
    assert json.loads(received["Body"]) == {"hello": "world"}


def test_without_aws_a_service_task_is_an_engine_error(tmp_path):
    definition = {"StartAt": "Send", "States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": True}}}
    path = tmp_path / "send.asl.json"
    path.write_text(json.dumps(definition))
    result = CliRunner().invoke(cli, ["run", str(path)])
    assert result.exit_code == 4
    assert "enable AWS calls" in result.stderr


def test_endpoint_urls_global_and_per_service():
    from asl_cli.run import _endpoints

    assert _endpoints(("http://localhost:4566", "sqs=http://localhost:9324")) == (
        "http://localhost:4566",
        {"sqs": "http://localhost:9324"},
    )
    assert _endpoints(()) == (None, {})


def test_account_names_the_execution_arns(write):
    path = write("p.asl.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id"}, "End": True}}})
    result = CliRunner().invoke(cli, ["run", path, "--account", "111122223333", "--name", "e1"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "arn:aws:states:us-east-1:111122223333:execution:p:e1"
