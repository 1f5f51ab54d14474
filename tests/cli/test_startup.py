"""Start-up: ``asl`` imports only what a command and its definition need.

Not timed (the numbers are in ``make bench``): these check *what* is
imported, which is what the time follows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from asl_cli.main import COMMANDS, cli

HEAVY = ("jsonata", "boto3", "botocore", "yaml", "jsonschema", "moto", "importlib.metadata")


def test_the_command_table_matches_the_commands() -> None:
    """``asl --help`` lists commands from COMMANDS without importing them: the
    table's short help must be each command's own."""
    ctx = click.Context(cli)
    for name, (_, _, short_help) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=1000) == short_help, name


def imported_by(*code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = "\n".join([*code, "import sys, json", "print(json.dumps(sorted(sys.modules)))"])
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)


def test_help_imports_no_engine_and_no_subcommand() -> None:
    modules = imported_by(
        "import sys", "sys.argv = ['asl', '--help']", "from asl_cli.main import cli",
        "try:\n    cli.main(standalone_mode=False)\nexcept SystemExit:\n    pass",
    )
    assert not [m for m in modules if m.startswith("asl_engine.")]
    assert not [m for m in modules if m.startswith("asl_cli.") and m != "asl_cli.main"]
    assert heavy(modules) == []


def test_run_of_a_jsonpath_machine_imports_nothing_heavy(tmp_path: Path) -> None:
    definition = tmp_path / "one.asl.json"
    definition.write_text(json.dumps({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": True}}}))
    modules = imported_by(
        "import sys", f"sys.argv = ['asl', 'run', {str(definition)!r}, '--input', '{{\"n\": 1}}']",
        "from asl_cli.main import cli",
        "try:\n    cli.main(standalone_mode=False)\nexcept SystemExit:\n    pass",
    )
    assert "asl_engine.runtime.interpreter" in modules  # it did run
    assert heavy(modules) == []


def test_a_jsonata_machine_imports_jsonata() -> None:
    modules = imported_by(
        "import asl_engine",
        "m = asl_engine.load({'QueryLanguage': 'JSONata', 'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'Output': '{% 1 + 1 %}', 'End': True}}})",
        "assert m.run({}).output == 2",
    )
    assert "jsonata" in {m.split(".")[0] for m in modules}
