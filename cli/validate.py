"""``asl validate``: report every problem in one or more definitions."""

from __future__ import annotations

import click

import asl_engine

from .common import EXIT_INVALID, EXIT_OK, dump_json


@click.command("validate")
@click.argument("definitions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(definitions: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Validate DEFINITIONS; exit 0 when all are valid, 3 otherwise."""
    invalid = False
    report = []
    for path in definitions:
        diagnostics = asl_engine.validate(path)
        bad = [d for d in diagnostics if d.severity == "ERROR" or strict]
        invalid = invalid or bool(bad)
        if fmt == "json":
            report.append({"file": path, "result": "FAIL" if bad else "OK", "diagnostics": [d.to_dict() for d in diagnostics]})
        else:
            for diag in diagnostics:
                click.echo(diag.format(), err=False)
            if not diagnostics:
                click.echo(f"{path}: OK", err=True)
    if fmt == "json":
        click.echo(dump_json(report))
    raise SystemExit(EXIT_INVALID if invalid else EXIT_OK)
