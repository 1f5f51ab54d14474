"""The ``asl`` command: outputs, one-line errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_cli.main import cli

REPO = Path(__file__).resolve().parents[2]



def invoke(*args):
    return CliRunner().invoke(cli, list(args))


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello {}', $.name)"}, "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "it broke"}}}
TASK = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": True}}}


def test_run_prints_output_json_and_exits_0(write):
    result = invoke("run", write("m.asl.json", PASS), "--input", '{"name": "Ada"}')
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"greeting": "Hello Ada"}


def test_run_input_file(write):
    result = invoke("run", write("m.asl.json", PASS), "--input-file", write("in.json", {"name": "Bo"}))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"greeting": "Hello Bo"}


def test_failed_execution_exits_1_with_error_and_cause(write):
    result = invoke("run", write("m.asl.json", FAIL))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"status": "FAILED", "error": "Oops", "cause": "it broke"}


def test_malformed_input_is_one_line_usage_error(write):
    result = invoke("run", write("m.asl.json", PASS), "--input", "{nope")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("asl: --input is not valid JSON")


def test_missing_input_file_is_usage_error(write, tmp_path):
    result = invoke("run", write("m.asl.json", PASS), "--input-file", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert "cannot read input file" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_definition_file_is_usage_error(tmp_path):
    result = invoke("run", str(tmp_path / "nope.asl.json"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_invalid_definition_exits_3_with_diagnostics(write):
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    result = invoke("run", write("bad.asl.json", bad))
    assert result.exit_code == 3
    assert "MISSING_TRANSITION_TARGET /States/A/Next" in result.stderr


def test_malformed_definition_reports_line_and_column(write):
    path = write("broken.asl.json", '{\n  "StartAt": "A",\n  "States": {,}\n}')
    result = invoke("run", path)
    assert result.exit_code == 3
    assert f"{path}:3:" in result.stderr and "INVALID_JSON_DESCRIPTION" in result.stderr


def test_non_object_definition_exits_3(write):
    result = invoke("validate", write("list.asl.json", [1, 2]))
    assert result.exit_code == 3
    assert "Definition must be a valid JSON object" in result.stdout


def test_task_without_handler_is_engine_error_exit_4(write):
    result = invoke("run", write("t.asl.json", TASK))
    assert result.exit_code == 4
    assert "Task state 'T' has no handler or mock" in result.stderr


def test_handler_option(write, tmp_path, monkeypatch):
    (tmp_path / "my_handlers.py").write_text("def greet(event, context):\n    return {'hi': event['name']}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = invoke("run", write("t.asl.json", TASK), "--input", '{"name": "Cy"}', "--handler", "T=my_handlers:greet")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"hi": "Cy"}


def test_bad_handler_reference(write):
    result = invoke("run", write("t.asl.json", TASK), "--handler", "T")
    assert result.exit_code == 2
    result = invoke("run", write("t.asl.json", TASK), "--handler", "T=no_such_module_xyz:fn")
    assert result.exit_code == 4
    assert "cannot import module 'no_such_module_xyz'" in result.stderr


def test_skip_waits_and_history(write):
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}}}
    result = invoke("run", write("w.asl.json", wait), "--skip-waits", "--history")
    assert result.exit_code == 0
    history = json.loads(result.stderr)
    assert [e["type"] for e in history] == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]


def test_validate_valid_and_invalid(write):
    assert invoke("validate", write("ok.asl.json", PASS)).exit_code == 0
    bad = write("bad.asl.json", {"StartAt": "Missing", "States": {"A": {"Type": "Succeed"}}})
    result = invoke("validate", bad, "--format", "json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report[0]["result"] == "FAIL"
    assert report[0]["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"
    assert report[0]["diagnostics"][0]["location"] == "/StartAt"


def test_bundled_definitions_validate_clean():
    paths = sorted(str(p) for p in (REPO / "definitions").glob("*.asl.json"))
    assert paths
    result = invoke("validate", *paths)
    assert result.exit_code == 0, result.stdout


def test_bundled_message_flow_runs(monkeypatch):
    pytest.importorskip("moto")
    monkeypatch.chdir(REPO)
    result = invoke(
        "run", "definitions/message_processing.asl.json",
        "--input-file", "definitions/examples/post_request.json",
        "--local-aws", "--handler-module", "definitions.workers", "--skip-waits",
    )
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    record = {"id": "msg-0001", "text": "Hello from the serverless message flow", "words": 6, "status": "PROCESSED"}
    assert output == {"messageId": "msg-0001", "status": "PROCESSED", "written": True, "record": record,
                      "queueMessageId": output["queueMessageId"], "smsMessageId": output["smsMessageId"]}
    assert "DynamoDB table Messages: 1 item(s)" in result.stderr
    assert "SQS queue message-queue: 1 message(s)" in result.stderr
    assert "  to +15555550123: Message msg-0001 processed: 6 words." in result.stderr
    assert "  33 ExecutionSucceeded" in result.stderr


def test_bundled_message_flow_rejects_invalid_request(monkeypatch):
    monkeypatch.chdir(REPO)
    result = invoke(
        "run", "definitions/message_processing.asl.json",
        "--input-file", "definitions/examples/invalid_request.json",
        "--handler-module", "definitions.workers",
    )
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["error"] == "InvalidRequest"
    assert json.loads(out["cause"])["errorMessage"] == "body must be an object with a non-empty 'text'"


def test_history_file_gets_every_event(write, tmp_path):
    path = tmp_path / "history.jsonl"
    result = invoke("run", write("m.asl.json", PASS), "--input", '{"name": "Ada"}', "--history-file", str(path))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["type"] for e in lines] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_run_items_dir_reads_and_writes_s3_objects_as_files(write, tmp_path):
    items = tmp_path / "objects" / "in-bucket"
    items.mkdir(parents=True)
    (items / "items.jsonl").write_text('{"n": 1}\n{"n": 2}\n')
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "in-bucket", "Key": "items.jsonl"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.n", "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs"},
                         "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"}},
        "End": True}}}
    result = invoke("run", write("m.asl.json", definition), "--items-dir", str(tmp_path / "objects"))
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    key = output["ResultWriterDetails"]["Key"]
    run_id = output["MapRunArn"].rsplit(":", 1)[-1]
    assert output["ResultWriterDetails"] == {"Bucket": "out", "Key": f"runs/{run_id}/manifest.json"}
    folder = tmp_path / "objects" / "out" / "runs" / run_id
    assert json.loads((tmp_path / "objects" / "out" / key).read_text())["ResultFiles"]["SUCCEEDED"] == [
        {"Key": f"runs/{run_id}/SUCCEEDED_0.jsonl", "Size": 4}]
    assert (folder / "SUCCEEDED_0.jsonl").read_text() == "1\n2\n"
