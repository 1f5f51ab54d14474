"""``asl validate``: report every problem in one or more definitions.

Inputs: ASL in JSON or YAML, and CloudFormation/SAM templates (every state
machine in them). Outputs:

* ``text`` (default): one line per diagnostic, like a compiler,
  ``file:line:column: ERROR CODE /States/A/Next: message``; a summary per
  file on stderr;
* ``json``: one object per file, in the shape of AWS's
  ``ValidateStateMachineDefinition`` response (``result``, ``diagnostics``
  with ``severity``/``code``/``message``/``location``, ``truncated``) plus
  ``file`` and ``line``/``column``;
* ``sarif``: SARIF 2.1.0, for code-scanning annotations in CI.

Exit codes: 0 every file is valid, 3 any file is invalid (an ERROR, or a
WARNING with ``--strict``), 2 usage error (unknown option, missing file).
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import click

import asl_engine

from .common import EXIT_INVALID, EXIT_OK, dump_json

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://states-language.net/spec.html"


@click.command("validate")
@click.argument("definitions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="text: file:line:col lines; json: AWS's diagnostic shape per file; sarif: SARIF 2.1.0 for CI.")
@click.option("--strict", is_flag=True, help="Treat warnings (NO_DOLLAR, NO_PATH, ...) as errors.")
@click.option("--type", "machine_type", type=click.Choice(["STANDARD", "EXPRESS"]), default=None,
              help="Validate as this workflow type (EXPRESS adds AWS's Express checks).")
def validate_command(definitions: tuple[str, ...], fmt: str, strict: bool, machine_type: str | None) -> None:
    """Validate DEFINITIONS (ASL JSON/YAML, CloudFormation or SAM templates).

    Exit 0 when all are valid, 3 when any is invalid, 2 on usage errors.
    """
    invalid = False
    reports: list[tuple[str, list[asl_engine.Diagnostic]]] = []
    for path in definitions:
        diagnostics = asl_engine.validate(path, state_machine_type=machine_type)
        failed = any(d.severity == "ERROR" or strict for d in diagnostics)
        invalid = invalid or failed
        reports.append((path, diagnostics))
        if fmt == "text":
            for diagnostic in diagnostics:
                click.echo(diagnostic.format())
            errors = sum(1 for d in diagnostics if d.severity == "ERROR")
            warnings = len(diagnostics) - errors
            status = "FAIL" if failed else "OK"
            detail = f" ({errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)})" if diagnostics else ""
            click.echo(f"{path}: {status}{detail}", err=True)
    if fmt == "json":
        click.echo(dump_json([_json_report(path, diags, strict) for path, diags in reports]))
    elif fmt == "sarif":
        click.echo(dump_json(sarif(reports)))
    raise SystemExit(EXIT_INVALID if invalid else EXIT_OK)


def _json_report(path: str, diagnostics: list[asl_engine.Diagnostic], strict: bool) -> dict[str, Any]:
    failed = any(d.severity == "ERROR" or strict for d in diagnostics)
    return {
        "file": path,
        "result": "FAIL" if failed else "OK",
        "diagnostics": [d.to_dict() for d in diagnostics],
        "truncated": False,
    }


def _version() -> str:
    try:
        return metadata.version("asl-engine")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "0"


def _uri(path: str) -> str:
    """A SARIF artifact URI: relative paths stay relative (CI resolves them against the checkout)."""
    p = Path(path)
    return p.as_posix() if not p.is_absolute() else p.as_uri()


def sarif(reports: list[tuple[str, list[asl_engine.Diagnostic]]]) -> dict[str, Any]:
    """SARIF 2.1.0 log: one run, one result per diagnostic, rules by ``rule`` id."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for path, diagnostics in reports:
        for d in diagnostics:
            rule_id = d.rule or d.code
            if rule_id not in rules:
                rules[rule_id] = {
                    "id": rule_id,
                    "name": rule_id.replace(".", "/"),
                    "shortDescription": {"text": f"{d.code} ({rule_id})"},
                    "properties": {"code": d.code},
                }
            region: dict[str, Any] = {}
            if d.line is not None:
                region = {"startLine": d.line, "startColumn": d.column or 1}
            location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(d.file or path)}}}
            if region:
                location["physicalLocation"]["region"] = region
            location["logicalLocations"] = [{"fullyQualifiedName": d.path or "/", "kind": "member"}]
            text = f"{d.code} {d.path or '/'}: {d.message}"
            if d.machine:
                text = f"[{d.machine}] {text}"
            results.append({
                "ruleId": rule_id,
                "level": "error" if d.severity == "ERROR" else "warning",
                "message": {"text": text},
                "locations": [location],
                "properties": {"code": d.code, "location": d.path or "/"},
            })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "asl validate",
                "informationUri": INFORMATION_URI,
                "version": _version(),
                "rules": list(rules.values()),
            }},
            "results": results,
        }],
    }
