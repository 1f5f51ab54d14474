"""Hostile input files and values: one line and exit 2, never a traceback.

The cases reported by hand (issue 14): a JSON array nested 20,000 deep, a
file that is not UTF-8, a 5,000-digit number, a lone surrogate, NaN.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_cli.main import cli

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
CASES = {
    "deep": (("[" * 20_000 + "]" * 20_000).encode(), "nests arrays or objects too deeply"),
    "not-utf8": (b"\xff\xfe{}", "is not UTF-8 text (byte 0xff at offset 0)"),
    "digits": (('{"n": ' + "9" * 5000 + "}").encode(), "holds a number too long to read"),
    "surrogate": (b'{"s": "\\ud800"}', "holds a lone surrogate"),
    "nan": (b'{"n": NaN}', "is not valid JSON: NaN is not JSON"),
    "malformed": (b'{"n": ', "is not valid JSON: Expecting value at line 1 column 7"),
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_input_file(case: str, tmp_path: Path) -> None:
    body, reason = CASES[case]
    definition = tmp_path / "p.asl.json"
    definition.write_text(json.dumps(PASS))
    (tmp_path / "input.json").write_bytes(body)
    code, stderr = run("run", str(definition), "--input-file", str(tmp_path / "input.json"))
    assert code == 2 and reason in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("case", ["digits", "surrogate", "nan", "malformed"])
def test_an_input_and_a_task_output(case: str, tmp_path: Path) -> None:
    body, reason = CASES[case]
    definition = tmp_path / "p.asl.json"
    definition.write_text(json.dumps(PASS))
    code, stderr = run("run", str(definition), "--input", body.decode())
    assert code == 2 and "--input" in stderr and reason in stderr
    code, stderr = run("send-task-success", "--task-token", "t", "--task-output", body.decode())
    assert code == 2 and "--task-output" in stderr and reason in stderr


def test_a_history_file_that_is_not_utf8(tmp_path: Path) -> None:
    definition = tmp_path / "p.asl.json"
    definition.write_text(json.dumps(PASS))
    (tmp_path / "h.json").write_bytes(b"\xff")
    code, stderr = run("replay", str(tmp_path / "h.json"), "--definition", str(definition))
    assert code == 2 and "is not UTF-8 text" in stderr


def test_an_unknown_task_token_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASL_CALLBACKS_DIR", str(tmp_path / "callbacks"))
    for args in (("send-task-success", "--task-output", "{}"), ("send-task-failure",), ("send-task-heartbeat",)):
        code, stderr = run(args[0], "--task-token", "no-such-token", *args[1:])
        assert code == 1 and "Task Timed Out or Does Not Exist" in stderr, args


def test_a_handler_that_exits_fails_its_task(tmp_path: Path) -> None:
    import asl_engine

    def leave(event: object) -> object:
        raise SystemExit(99)

    machine = asl_engine.load({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:leave",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Pass", "End": True}}})
    execution = machine.run({}, handlers={"leave": leave})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "Runtime.ExitError"
    assert "exit status 99" in json.loads(execution.output["Cause"])["errorMessage"]
