"""``asl validate``: output formats, many files, --strict, exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from asl_cli.main import cli

GOOD = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
BAD = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Nope"}, "Q": {"Type": "Succeed"}}}
WARN = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a": "$.looks.like.a.path"}, "End": True}}}



def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_valid_files_exit_0(write):
    result = invoke("validate", write("a.asl.json", GOOD), write("b.asl.json", GOOD))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.count(": OK") == 2


def test_text_output_is_compiler_style_and_exit_3(write):
    bad = write("bad.asl.json", BAD)
    result = invoke("validate", write("good.asl.json", GOOD), bad)
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}:6:15: ERROR MISSING_TRANSITION_TARGET /States/P/Next: Missing 'Next' target: Nope",
        f"{bad}:8:5: ERROR MISSING_TRANSITION_TARGET /States/Q: State \"Q\" is not reachable.",
    ]
    assert f"{bad}: FAIL (2 errors, 0 warnings)" in result.stderr


def test_json_output_in_aws_shape(write):
    bad = write("bad.asl.json", BAD)
    result = invoke("validate", "--format", "json", bad, write("good.asl.json", GOOD))
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert [r["result"] for r in report] == ["FAIL", "OK"]
    first = report[0]["diagnostics"][0]
    assert {k: first[k] for k in ("severity", "code", "message", "location", "line", "column", "file")} == {
        "severity": "ERROR", "code": "MISSING_TRANSITION_TARGET", "message": "Missing 'Next' target: Nope",
        "location": "/States/P/Next", "line": 6, "column": 15, "file": bad,
    }
    assert report[0]["truncated"] is False


def test_sarif_output(write):
    bad = write("bad.asl.json", BAD)
    result = invoke("validate", "--format", "sarif", bad, write("warn.asl.json", WARN))
    assert result.exit_code == 3
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "asl validate"
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"transitions.missing-target", "transitions.unreachable", "warnings.no-dollar"} <= rules
    first = run["results"][0]
    assert first["level"] == "error" and first["ruleId"] == "transitions.missing-target"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 6, "startColumn": 15}
    assert first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/States/P/Next"
    assert [r["level"] for r in run["results"]][-1] == "warning"


def test_warnings_fail_only_with_strict(write):
    path = write("warn.asl.json", WARN)
    result = invoke("validate", path)
    assert result.exit_code == 0
    assert "WARNING NO_DOLLAR /States/P/Parameters/a" in result.stdout
    assert invoke("validate", "--strict", path).exit_code == 3
    assert json.loads(invoke("validate", "--strict", "--format", "json", path).stdout)[0]["result"] == "FAIL"


def test_usage_errors_exit_2(write, tmp_path):
    assert invoke("validate").exit_code == 2
    assert invoke("validate", str(tmp_path / "missing.json")).exit_code == 2
    assert invoke("validate", "--format", "xml", write("a.asl.json", GOOD)).exit_code == 2
    assert invoke("validate", str(tmp_path)).exit_code == 2


def test_malformed_and_yaml_inputs(write):
    broken = write("broken.asl.json", '{\n  "StartAt": "A",\n  "States": {,}\n}')
    result = invoke("validate", broken)
    assert result.exit_code == 3 and f"{broken}:3:14: ERROR INVALID_JSON_DESCRIPTION" in result.stdout
    yaml_ok = write("m.asl.yaml", "StartAt: A\nStates:\n  A:\n    Type: Succeed\n")
    assert invoke("validate", yaml_ok).exit_code == 0


def test_templates(write):
    template = write("template.yaml", (
        "Resources:\n"
        "  Machine:\n"
        "    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n"
        "      DefinitionSubstitutions: {Arn: !Ref Fn}\n"
        "      Definition:\n"
        "        StartAt: T\n"
        "        States:\n"
        "          T: {Type: Task, Resource: '${Arn}', Next: Missing}\n"
    ))
    result = invoke("validate", template)
    assert result.exit_code == 3
    assert f"{template}:9:53: ERROR MISSING_TRANSITION_TARGET /States/T/Next [Machine]: Missing 'Next' target: Missing" in result.stdout


def test_type_express_refuses_callbacks(write):
    callback = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}, "End": True}}}
    path = write("cb.asl.json", callback)
    assert invoke("validate", path).exit_code == 0
    result = invoke("validate", "--type", "EXPRESS", path)
    assert result.exit_code == 3
    assert "Express state machine does not support '.waitForTaskToken' service integration" in result.stdout
