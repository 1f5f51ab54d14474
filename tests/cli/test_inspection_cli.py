"""``asl run --inspection-file`` records each visit's data-flow steps; ``asl graph --inspection`` shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli

FLOW = {"StartAt": "Shape", "States": {
    "Shape": {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id"}, "ResultPath": "$.shaped", "Next": "Done"},
    "Done": {"Type": "Succeed"}}}


def test_a_run_records_the_steps_of_each_visit() -> None:
    records: list[dict[str, Any]] = []
    asl_engine.load(FLOW).run({"order": {"id": 7}}, inspection=records.append)
    assert records == [{
        "name": "Shape", "enteredEventId": 2, "afterInputPath": {"id": 7}, "afterParameters": {"id": 7},
        "afterResultSelector": {"id": 7}, "afterResultPath": {"order": {"id": 7}, "shaped": {"id": 7}},
    }, {"name": "Done", "enteredEventId": 4, "afterInputPath": {"order": {"id": 7}, "shaped": {"id": 7}}}]


def test_the_html_page_carries_the_steps(write: Any, tmp_path: Path) -> None:
    definition = write("flow.asl.json", FLOW)
    history, inspection, page = tmp_path / "run.jsonl", tmp_path / "inspection.jsonl", tmp_path / "run.html"
    ran = CliRunner().invoke(cli, ["run", definition, "--input", '{"order": {"id": 7}}',
                                   "--history-file", str(history), "--inspection-file", str(inspection)])
    assert ran.exit_code == 0, ran.output
    assert json.loads(inspection.read_text().splitlines()[0])["afterParameters"] == {"id": 7}
    drawn = CliRunner().invoke(cli, ["graph", definition, "--format", "html", "--execution", str(history),
                                     "--inspection", str(inspection), "-o", str(page)])
    assert drawn.exit_code == 0, drawn.output
    text = page.read_text()
    assert '"afterInputPath": {"id": 7}' in text and '"afterParameters": {"id": 7}' in text
    alone = CliRunner().invoke(cli, ["graph", definition, "--inspection", str(inspection)])
    assert alone.exit_code == 2 and "--inspection needs --execution" in alone.output
