"""Reading definitions for the validator: JSON with positions, YAML, CloudFormation/SAM templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl_engine.definition.loader import read_definition
from asl_engine.documents.positions import JsonLocator, scan_json_positions
from asl_engine.documents.text import parse_json
from asl_engine.definition.validate import validate_source

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def located(diagnostics):
    return [(d.code, d.path, d.line, d.column) for d in diagnostics]


# ------------------------------------------------------------------ JSON


def test_malformed_json_has_line_and_column():
    [diagnostic] = validate_source('{\n  "StartAt": "A",\n  "States": {,}\n}')
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("INVALID_JSON_DESCRIPTION", 3, 14)


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_in_aws_words(text):
    document, [diagnostic], _ = parse_json(text)
    assert document is None and diagnostic.message == "Definition must be a valid JSON object"


def test_nan_is_not_json():
    document, [diagnostic], _ = parse_json('{"a": NaN}')
    assert document is None and diagnostic.code == "INVALID_JSON_DESCRIPTION"


def test_positions_of_keys_and_values():
    text = '{\n  "a": [1, {"b/c": "x"}],\n  "d~": {"e": true}\n}'
    locator = JsonLocator(text)
    assert locator.position("") == (1, 1)
    assert locator.position("/a") == (2, 8)
    assert locator.position("/a", key=True) == (2, 3)
    assert locator.position("/a/1/b~1c") == (2, 20)
    assert locator.position("/d~0/e", key=True) == (3, 10)
    assert locator.position("/d~0/missing") == (3, 3)  # falls back to the nearest existing ancestor's name


def test_scan_handles_escapes_and_any_depth():
    text = '{"k\\"ey": "v\\"al", "deep": ' + "[" * 3000 + "]" * 3000 + "}"
    spots, duplicates = scan_json_positions(text)
    assert '/k"ey' in spots and not duplicates
    assert "/deep/0/0/0" in spots


def test_duplicate_keys_with_their_place():
    text = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Succeed", "Type": "Succeed"},\n    "A": {"Type": "Succeed"}\n  }\n}'
    result = located(validate_source(text))
    assert ("INVALID_JSON_DESCRIPTION", "/States/A/Type", 4, 30) in result
    assert ("DUPLICATE_STATE_NAME", "/States/A", 5, 5) in result


def test_read_definition_from_path_and_text(tmp_path):
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    assert read_definition(path).document == read_definition(str(path)).document == read_definition(path.read_text()).document
    missing = read_definition(tmp_path / "nope.json")
    assert missing.document is None and "file not found" in missing.diagnostics[0].message


def test_validate_source_copies_the_file_name(tmp_path):
    path = tmp_path / "bad.asl.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass"}}}')
    assert {d.file for d in validate_source(path)} == {str(path)}


# ------------------------------------------------------------------ YAML


ASL_YAML = """\
StartAt: Hello
States:
  Hello:
    Type: Pass
    Next: Missing
  Wait:
    Type: Wait
    Timestamp: 2016-03-14T01:59:00Z
    End: true
"""


def test_yaml_definition_with_positions(tmp_path):
    path = tmp_path / "m.asl.yaml"
    path.write_text(ASL_YAML)
    assert located(validate_source(path)) == [
        ("MISSING_TRANSITION_TARGET", "/States/Hello/Next", 5, 11),
        ("MISSING_TRANSITION_TARGET", "/States/Wait", 6, 3),
    ]


def test_yaml_timestamps_stay_strings():
    loaded = read_definition(ASL_YAML)
    assert loaded.format == "yaml"
    assert loaded.document["States"]["Wait"]["Timestamp"] == "2016-03-14T01:59:00Z"


def test_malformed_yaml_and_duplicate_yaml_keys():
    [diagnostic] = validate_source("StartAt: A\nStates: [\n")
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION" and diagnostic.line is not None
    text = "StartAt: A\nStates:\n  A:\n    Type: Succeed\n  A:\n    Type: Succeed\n"
    assert ("DUPLICATE_STATE_NAME", "/States/A", 5, 3) in located(validate_source(text))


# ------------------------------------------------------------------ templates


SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions:
        WorkerArn: !GetAtt Worker.Arn
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: ${WorkerArn}
            Parameters:
              Table: !Ref Table
              Id.$: $.id
            Next: Other
          Other:
            Type: Task
            Resource: ${NotSubstituted}
            End: true
  Express:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: EXPRESS
      DefinitionString: !Sub |
        {
          "StartAt": "A",
          "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Next": "B"},
            "B": {"Type": "Wait", "Seconds": ${Delay}, "End": true}
          }
        }
"""


def test_sam_and_cloudformation_state_machines(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(SAM)
    result = validate_source(path)
    assert [(d.machine, d.path, d.line, d.column, d.message) for d in result] == [
        ("Machine", "/States/Other/Resource", 23, 23, "Value is not a valid resource ARN"),
        ("Express", "/States/A/Resource", 33, 47, "Express state machine does not support '.waitForTaskToken' service integration"),
    ]
    assert result[0].format().startswith(f"{path}:23:23: ERROR SCHEMA_VALIDATION_FAILED /States/Other/Resource [Machine]: ")


def test_definition_string_in_a_json_template_points_at_the_string(tmp_path):
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}
    template = {
        "Resources": {
            "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": json.dumps(definition)}},
            "J": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Join": ["", [
                '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "', {"Fn::GetAtt": ["F", "Arn"]}, '", "End": true}}}']]}}},
        }
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=2))
    result = validate_source(path)
    assert {(d.machine, d.code) for d in result} == {("M", "MISSING_TRANSITION_TARGET"), ("M", "MISSING_END_STATE")}
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if '"DefinitionString": "' in text)
    assert {d.line for d in result} == {line}


def test_sam_definition_uri_file_with_substitutions(tmp_path):
    (tmp_path / "machine.asl.json").write_text(json.dumps(
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${Arn}", "Next": "U"},
                                    "U": {"Type": "Task", "Resource": "${Unknown}", "End": True}}}, indent=1))
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  M:\n    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n      DefinitionUri: machine.asl.json\n      DefinitionSubstitutions:\n        Arn: " + LAMBDA + "\n")
    [diagnostic] = validate_source(tmp_path / "template.yaml")
    assert (diagnostic.file, diagnostic.path, diagnostic.machine) == (str(tmp_path / "machine.asl.json"), "/States/U/Resource", "M")
    assert diagnostic.line == 11


def test_templates_without_a_local_definition():
    s3 = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionS3Location: {Bucket: b, Key: k}\n"
    assert [(d.severity, d.code) for d in validate_source(s3)] == [("WARNING", "DEFINITION_NOT_LOCAL")]
    none = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
    assert [(d.severity, d.code) for d in validate_source(none)] == [("WARNING", "NO_STATE_MACHINE")]


def test_bundled_yaml_style_definition_files_are_found_by_extension(tmp_path):
    path = tmp_path / "template"  # no extension, YAML content
    path.write_text(ASL_YAML.replace("Next: Missing", "Next: Wait"))
    assert validate_source(path) == []


def test_repository_definitions_are_clean():
    for path in (Path(__file__).resolve().parents[3] / "definitions").glob("*.asl.json"):
        assert validate_source(path) == [], path
