"""The least-privilege policy of a distributed Map, as AWS documents it
(https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from asl_cli.main import cli
from asl_engine.deploy import least_privilege

ACCOUNT = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:"
S3 = "arn:${AWS::Partition}:s3:::"
MACHINE = ACCOUNT % "states" + "stateMachine:Batch"
EXECUTIONS = ACCOUNT % "states" + "execution:Batch:*"
WRITER = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]


def dmap(processor_states: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A distributed Map state whose ItemProcessor is ``processor_states`` (a Pass by default)."""
    states = processor_states or {"Item": {"Type": "Pass", "End": True}}
    return {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                             "StartAt": next(iter(states)), "States": states},
            "End": True, **fields}


def machine(state: dict[str, Any], jsonata: bool = False) -> dict[str, Any]:
    definition: dict[str, Any] = {"StartAt": "Fan", "States": {"Fan": state}}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition


def reader(resource: str, args: dict[str, Any], block: str = "Parameters", **config: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"Resource": f"arn:aws:states:::s3:{resource}", block: args}
    if config:
        found["ReaderConfig"] = config
    return found


def statements(definition: dict[str, Any], name: str | None = "Batch") -> list[dict[str, Any]]:
    return least_privilege(definition, name).statements()


def test_a_distributed_map_starts_executions_of_its_own_machine() -> None:
    policy = least_privilege(machine(dmap()), "Batch")
    assert policy.resources == {"states:StartExecution": {MACHINE}, "states:DescribeExecution": {EXECUTIONS},
                                "states:StopExecution": {EXECUTIONS}}
    assert policy.notes == []


def test_without_the_machine_s_name_any_machine_of_the_account_and_a_note() -> None:
    policy = least_privilege(machine(dmap()))
    assert policy.resources["states:StartExecution"] == {ACCOUNT % "states" + "stateMachine:*"}
    assert policy.resources["states:StopExecution"] == {ACCOUNT % "states" + "execution:*"}
    assert policy.notes and policy.notes[0].startswith("Fan: the state machine's name is not known")


def test_an_inline_map_needs_nothing_of_its_own() -> None:
    inline = {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                                               "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}
    assert least_privilege(machine(inline), "Batch").resources == {}


def test_item_reader_get_object_literal_bucket_and_key() -> None:
    state = dmap(ItemReader=reader("getObject", {"Bucket": "data", "Key": "csvDataset/ratings.csv"},
                                   InputType="CSV", CSVHeaderLocation="FIRST_ROW"))
    policy = least_privilege(machine(state), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "data/csvDataset/ratings.csv"}
    assert "s3:GetObjectVersion" not in policy.resources and policy.notes == []


def test_item_reader_get_object_with_a_version_needs_get_object_version() -> None:
    state = dmap(ItemReader=reader("getObject", {"Bucket": "data", "Key": "in.json", "VersionId": "v1"}))
    assert least_privilege(machine(state), "Batch").resources["s3:GetObjectVersion"] == {S3 + "data/in.json"}


def test_item_reader_path_bucket_is_a_wildcard_the_literal_key_stays() -> None:
    state = dmap(ItemReader=reader("getObject", {"Bucket.$": "$.bucket", "Key": "in.json"}))
    policy = least_privilege(machine(state), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "*/in.json"}
    assert policy.notes == [f"Fan ItemReader: Bucket is the path $.bucket: s3:GetObject on {S3}*/in.json"]


def test_item_reader_jsonata_key() -> None:
    state = dmap(ItemReader=reader("getObject", {"Bucket": "data", "Key": "{% $states.input.key %}"}, "Arguments"))
    policy = least_privilege(machine(state, jsonata=True), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "data/*"}
    assert "JSONata" in policy.notes[0]


def test_item_reader_jsonata_arguments_as_a_whole() -> None:
    state = dmap(ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Arguments": "{% $states.input.where %}"})
    policy = least_privilege(machine(state, jsonata=True), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "*/*"}
    assert policy.notes


def test_item_reader_list_objects_lists_the_bucket_with_the_prefix_condition() -> None:
    state = dmap(ItemReader=reader("listObjectsV2", {"Bucket": "data", "Prefix": "processImages/"}))
    found = statements(machine(state))
    assert {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [S3 + "data"],
            "Condition": {"StringLike": {"s3:prefix": ["processImages/"]}}} in found
    assert {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [S3 + "data/processImages/*"]} in found


def test_item_reader_list_objects_without_a_prefix_or_with_a_computed_one() -> None:
    for args in ({"Bucket": "data"}, {"Bucket": "data", "Prefix.$": "$.prefix"}):
        policy = least_privilege(machine(dmap(ItemReader=reader("listObjectsV2", args))), "Batch")
        assert policy.resources["s3:ListBucket"] == {S3 + "data"} and policy.conditions == {}
        assert policy.resources["s3:GetObject"] == {S3 + "data/*"}
        assert bool(policy.notes) == ("Prefix.$" in args)


def test_item_reader_list_objects_jsonata_bucket() -> None:
    state = dmap(ItemReader=reader("listObjectsV2", {"Bucket": "{% $states.input.b %}", "Prefix": "in/"}, "Arguments"))
    policy = least_privilege(machine(state, jsonata=True), "Batch")
    assert policy.conditions == {("s3:ListBucket", S3 + "*", "StringLike", "s3:prefix"): {"in/"}}
    assert policy.resources["s3:GetObject"] == {S3 + "*/in/*"}


def test_item_reader_manifest_reads_the_manifest_and_the_inventory_s_data_files() -> None:
    key = "inventory/source-bucket/config-id/2024-01-01T00-00Z/manifest.json"
    state = dmap(ItemReader=reader("getObject", {"Bucket": "inv", "Key": key}, InputType="MANIFEST"))
    policy = least_privilege(machine(state), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "inv/" + key, S3 + "inv/inventory/source-bucket/config-id/data/*"}
    assert policy.notes == []


def test_item_reader_manifest_computed_key_reads_the_bucket() -> None:
    state = dmap(ItemReader=reader("getObject", {"Bucket": "inv", "Key.$": "$.manifest"}, InputType="MANIFEST"))
    policy = least_privilege(machine(state), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "inv/*"}


def test_result_writer_writes_under_its_prefix() -> None:
    state = dmap(ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                               "Parameters": {"Bucket": "out", "Prefix": "csvJobs"}})
    found = statements(machine(state))
    assert {"Effect": "Allow", "Action": WRITER, "Resource": [S3 + "out/csvJobs/*"]} in found


def test_result_writer_computed_prefix_or_bucket() -> None:
    state = dmap(ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                               "Arguments": {"Bucket": "{% $states.input.b %}", "Prefix": "{% $states.input.p %}"}})
    policy = least_privilege(machine(state, jsonata=True), "Batch")
    assert all(policy.resources[a] == {S3 + "*/*"} for a in WRITER)
    assert len(policy.notes) == 1 and "Bucket is the JSONata" in policy.notes[0]


def test_result_writer_without_a_resource_writes_nothing() -> None:
    state = dmap(ResultWriter={"WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}})
    assert set(least_privilege(machine(state), "Batch").resources) == {
        "states:StartExecution", "states:DescribeExecution", "states:StopExecution"}


def test_tasks_inside_and_a_nested_distributed_map_contribute() -> None:
    inner = dmap({"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": "work"}, "End": True}},
                 ItemReader=reader("getObject", {"Bucket": "inner", "Key": "items.json"}))
    outer = dmap({"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                           "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                          "MessageBody.$": "$"}, "Next": "Inner"},
                  "Inner": inner},
                 ItemReader=reader("getObject", {"Bucket": "outer", "Key": "items.json"}))
    policy = least_privilege(machine(outer), "Batch")
    assert policy.resources["sqs:SendMessage"] == {"arn:aws:sqs:us-east-1:123456789012:q"}
    assert ACCOUNT % "lambda" + "function:work" in policy.resources["lambda:InvokeFunction"]
    assert policy.resources["s3:GetObject"] == {S3 + "outer/items.json", S3 + "inner/items.json"}
    assert policy.resources["states:StartExecution"] == {MACHINE}


def test_a_distributed_map_inside_parallel_and_inline_map() -> None:
    inner = dmap(ItemReader=reader("getObject", {"Bucket": "b", "Key": "k"}))
    inline = {"Type": "Map", "Iterator": {"StartAt": "D", "States": {"D": inner}}, "End": True}
    parallel = {"Type": "Parallel", "Branches": [{"StartAt": "M", "States": {"M": inline}}], "End": True}
    policy = least_privilege(machine(parallel), "Batch")
    assert policy.resources["s3:GetObject"] == {S3 + "b/k"}
    assert policy.resources["states:StartExecution"] == {MACHINE}


EXPORTED = {
    "Comment": "A distributed Map over a CSV file, results to S3",
    "StartAt": "Fan",
    "States": {"Fan": dmap(
        {"Score": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "score", "Payload.$": "$"}, "End": True}},
        ItemReader=reader("getObject", {"Bucket": "ratings", "Key": "csvDataset/ratings.csv"},
                          InputType="CSV", CSVHeaderLocation="FIRST_ROW"),
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results", "Prefix": "csvJobs"}},
    )},
}


def test_export_cloudformation_of_a_distributed_map(tmp_path: Path) -> None:
    path = tmp_path / "batch.asl.json"
    path.write_text(json.dumps(EXPORTED))
    result = CliRunner().invoke(cli, ["export", str(path), "--format", "cloudformation", "--name", "Batch"])
    assert result.exit_code == 0, result.output
    template = json.loads(result.stdout)
    assert template["Resources"]["Batch"]["Properties"]["StateMachineName"] == "Batch"
    role = template["Resources"]["BatchRole"]
    assert "Metadata" not in role  # nothing computed: no wildcard
    sub = lambda arn: {"Fn::Sub": arn}  # noqa: E731
    assert role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": [sub(ACCOUNT % "lambda" + "function:score"), sub(ACCOUNT % "lambda" + "function:score:*")]},
        {"Effect": "Allow", "Action": ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"],
         "Resource": [sub(S3 + "results/csvJobs/*")]},
        {"Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": [sub(S3 + "ratings/csvDataset/ratings.csv"), sub(S3 + "results/csvJobs/*")]},
        {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"], "Resource": [sub(EXECUTIONS)]},
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [sub(MACHINE)]},
    ]
    # The machine's ARN is built from its name, not !Ref/!GetAtt of the machine: no circular dependency.
    assert "Ref" not in json.dumps(role) and "GetAtt" not in json.dumps(role)


def test_export_sam_of_a_distributed_map_has_the_same_statements(tmp_path: Path) -> None:
    path = tmp_path / "batch.asl.json"
    path.write_text(json.dumps(EXPORTED))
    sam = json.loads(CliRunner().invoke(cli, ["export", str(path), "--format", "sam", "--name", "Batch"]).stdout)
    cfn = json.loads(CliRunner().invoke(cli, ["export", str(path), "--name", "Batch"]).stdout)
    assert (sam["Resources"]["Batch"]["Properties"]["Policies"][0]["Statement"]
            == cfn["Resources"]["BatchRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"])


def test_export_keeps_a_condition_s_placeholders_in_fn_sub(tmp_path: Path) -> None:
    definition = machine(dmap(ItemReader=reader("listObjectsV2", {"Bucket": "${Bucket}", "Prefix": "${Prefix}"})))
    path = tmp_path / "list.asl.json"
    path.write_text(json.dumps(definition))
    result = CliRunner().invoke(cli, ["export", str(path), "--name", "Batch"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["Resources"]["BatchRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [{"Fn::Sub": S3 + "${Bucket}"}],
            "Condition": {"StringLike": {"s3:prefix": [{"Fn::Sub": "${Prefix}"}]}}} in found


@mock_aws
def test_deploy_a_distributed_map_puts_its_policy_on_the_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "batch.asl.json"
    path.write_text(json.dumps(EXPORTED))
    result = CliRunner().invoke(cli, ["deploy", str(path), "--name", "Batch", "--region", "us-east-1"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    document = boto3.client("iam").get_role_policy(RoleName="Batch-role", PolicyName="asl-least-privilege")["PolicyDocument"]
    by_action = {action: s["Resource"] for s in document["Statement"] for action in s["Action"]}
    assert by_action["states:StartExecution"] == [out["stateMachineArn"]]  # the machine itself
    assert by_action["states:StopExecution"] == ["arn:aws:states:us-east-1:123456789012:execution:Batch:*"]
    assert by_action["s3:PutObject"] == ["arn:aws:s3:::results/csvJobs/*"]
