"""``asl run --db``, ``asl executions`` and ``asl serve``'s usage errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from click.testing import CliRunner

from asl_cli.main import cli

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello {}', $.name)"}, "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "it broke"}}}


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_run_with_db_writes_the_history_file_too(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    history = tmp_path / "run.jsonl"
    ok = invoke("run", write("greet.asl.json", PASS), "--input", '{"name": "Ada"}', "--db", str(tmp_path / "s.db"),
                "--history-file", str(history))
    assert ok.exit_code == 0
    types = [json.loads(line)["type"] for line in history.read_text().splitlines()]
    assert types == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_run_with_db_records_the_execution_for_asl_executions(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "state.db")
    ok = invoke("run", write("greet.asl.json", PASS), "--input", '{"name": "Ada"}', "--db", db, "--name", "first")
    assert ok.exit_code == 0 and json.loads(ok.stdout) == {"greeting": "Hello Ada"}
    failed = invoke("run", write("broken.asl.json", FAIL), "--db", db)
    assert failed.exit_code == 1 and json.loads(failed.stdout)["error"] == "Oops"
    listed = invoke("executions", "list", "--db", db)
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(line[0].rsplit(":", 2)[-2], line[1]) for line in lines] == [("broken", "FAILED"), ("greet", "SUCCEEDED")]
    arn = next(line[0] for line in lines if line[1] == "SUCCEEDED")
    assert arn.endswith(":execution:greet:first")
    shown = json.loads(invoke("executions", "show", "--db", db, arn).stdout)
    assert shown["status"] == "SUCCEEDED" and json.loads(shown["output"]) == {"greeting": "Hello Ada"}
    history = json.loads(invoke("executions", "history", "--db", db, arn).stdout)["events"]
    assert [e["type"] for e in history] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    only = invoke("executions", "list", "--db", db, "--state-machine", "greet", "--status", "SUCCEEDED")
    assert len(only.stdout.splitlines()) == 1


def test_executions_errors_are_one_line(tmp_path: Path) -> None:
    missing = invoke("executions", "list", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 2 and "no database" in missing.output
    db = str(tmp_path / "state.db")
    (tmp_path / "state.db").touch()  # an empty file is a new, empty store
    unknown = invoke("executions", "show", "--db", db, "arn:aws:states:us-east-1:123456789012:execution:m:x")
    assert unknown.exit_code == 1 and "ExecutionDoesNotExist" in unknown.output and "Traceback" not in unknown.output


def test_serve_refuses_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("serve", "--db", ":memory:", "--port", str(port))
    assert result.exit_code == 2 and "cannot listen" in result.output and "Traceback" not in result.output


def test_serve_refuses_an_unusable_database(tmp_path: Path) -> None:
    folder = tmp_path / "dir.db"
    folder.mkdir()
    result = invoke("serve", "--db", str(folder), "--port", "0")
    assert result.exit_code == 2 and "cannot open the database" in result.output


def test_run_with_db_reads_and_writes_a_distributed_maps_objects(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through the durable service, --items-dir serves the ItemReader and the ResultWriter."""
    items = tmp_path / "objects"
    (items / "in").mkdir(parents=True)
    (items / "in" / "items.jsonl").write_text('{"n": 1}\n{"n": 2}\n', encoding="utf-8")
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "in", "Key": "items.jsonl"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out"},
                         "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}},
        "End": True}}}
    db = str(tmp_path / "state.db")
    result = invoke("run", write("fan.asl.json", definition), "--db", db, "--items-dir", str(items))
    assert result.exit_code == 0, result.output
    manifest_key = json.loads(result.stdout)["ResultWriterDetails"]["Key"]
    manifest = json.loads((items / "out" / manifest_key).read_text(encoding="utf-8"))
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    assert (items / "out" / succeeded["Key"]).read_text(encoding="utf-8") == '{"n":1}\n{"n":2}\n'
    listed = invoke("executions", "list", "--db", db).stdout.splitlines()
    assert len(listed) == 3  # the parent and its two children, stored as they ended
