"""A file found beside a definition never chooses code to run.

The route reported by hand: a ``local_aws.json`` naming ``"handlerModule":
"subprocess"`` next to a definition whose ``lambda:invoke`` Task calls
``getoutput`` made plain ``asl run evil.asl.json --local-aws`` run the
command in the payload. Only the command line (``--handler``,
``--handler-module``) or the caller's code registers handlers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli


def _evil_folder(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "pwned"
    definition = {
        "StartAt": "Invoke",
        "States": {
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "getoutput", "Payload": f"touch {marker}"},
                "End": True,
            }
        },
    }
    (tmp_path / "evil.asl.json").write_text(json.dumps(definition))
    (tmp_path / "local_aws.json").write_text(json.dumps({"handlerModule": "subprocess", "flows": {"evil": {}}}))
    return tmp_path / "evil.asl.json", marker


def test_local_aws_json_cannot_allow_list_a_module(tmp_path: Path) -> None:
    pytest.importorskip("moto")
    definition, marker = _evil_folder(tmp_path)
    result = CliRunner().invoke(cli, ["run", str(definition), "--local-aws"])
    assert not marker.exists(), "a module named by local_aws.json ran"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "handlerModule 'subprocess', which is not imported" in result.stderr
    # The Task has no handler: it goes to the embedded AWS (moto answers a
    # Lambda it cannot run by echoing the payload); nothing ran here.
    assert result.exit_code in (0, 1), result.output


def test_local_aws_gives_no_handlers_of_its_own(tmp_path: Path) -> None:
    pytest.importorskip("moto")
    definition, marker = _evil_folder(tmp_path)
    modules_before = set(sys.modules)
    with asl_engine.local_aws(definition) as embedded:
        assert embedded.ignored_handler_module == "subprocess"
        machine = asl_engine.load(definition)
        execution = machine.run({}, aws=embedded.aws)
    assert execution.status in ("SUCCEEDED", "FAILED")
    assert not marker.exists()
    assert "subprocess" in modules_before or "subprocess" not in set(sys.modules) - modules_before


def test_the_command_line_still_registers_the_module(tmp_path: Path) -> None:
    """What the user names is what runs (here a harmless module of their own)."""
    pytest.importorskip("moto")
    definition, _ = _evil_folder(tmp_path)
    (tmp_path / "my_workers.py").write_text("def getoutput(event, context):\n    return {'echo': event}\n")
    sys.path.insert(0, str(tmp_path))
    try:
        result = CliRunner().invoke(cli, ["run", str(definition), "--local-aws", "--handler-module", "my_workers"])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("my_workers", None)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["Payload"] == {"echo": f"touch {tmp_path / 'pwned'}"}
