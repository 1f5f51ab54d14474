"""``asl graph``: formats, a run from a history file or the durable store, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli
from asl_engine import VirtualClock

REPO = Path(__file__).resolve().parents[2]
SMALL = REPO / "tests/unit/graph/small.asl.json"
GOLDEN = REPO / "tests/unit/graph"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _history(tmp_path, wrap=True):
    execution = asl_engine.load(SMALL).run({"count": 1, "items": [1]}, clock=VirtualClock(), mocks={
        "Work": [{"Throw": {"Error": "Boom", "Cause": "y"}}]})
    events = [{**e, "timestamp": e["timestamp"].isoformat()} for e in execution.history]
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"events": events} if wrap else events))
    return path


def test_mermaid_is_the_default_and_matches_the_golden_text():
    result = invoke("graph", SMALL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / "small.mmd").read_text()


def test_dot_to_a_file(tmp_path):
    result = invoke("graph", SMALL, "--format", "dot", "--output", tmp_path / "g.dot")
    assert (result.exit_code, result.stdout) == (0, "")
    assert (tmp_path / "g.dot").read_text() == (GOLDEN / "small.dot").read_text()


def test_a_history_file_colours_the_run(tmp_path):
    for wrap in (True, False):
        result = invoke("graph", SMALL, "--execution", _history(tmp_path, wrap))
        assert result.exit_code == 0, result.stderr
        assert "    class legend_failed,Work failed\n" in result.stdout
        assert "    class legend_caught,Recover caught\n" in result.stdout


def test_a_json_lines_history_file(tmp_path):
    lines = tmp_path / "history.jsonl"
    lines.write_text("".join(json.dumps(e) + "\n" for e in json.loads(_history(tmp_path).read_text())["events"]))
    result = invoke("graph", SMALL, "--execution", lines)
    assert result.exit_code == 0, result.stderr
    assert "    class legend_failed,Work failed\n" in result.stdout


def test_svg_and_html(tmp_path):
    svg = invoke("graph", SMALL, "--format", "svg", "--execution", _history(tmp_path))
    assert svg.exit_code == 0
    ET.fromstring(svg.stdout)
    html = invoke("graph", SMALL, "--format", "html", "--execution", _history(tmp_path))
    assert html.exit_code == 0 and html.stdout.startswith("<!DOCTYPE html>")
    assert "http://" not in html.stdout and "https://" not in html.stdout
    assert "<title>small.asl.json</title>" in html.stdout


def test_a_run_from_the_durable_store(tmp_path):
    from asl_engine.service import Service

    db = str(tmp_path / "state.db")
    service = Service(db, skip_waits=True)
    arn = service.create_state_machine("small", SMALL.read_text())
    execution = service.start_execution(arn, {"count": 9, "mode": "none"})
    service.wait(execution)
    service.close()
    result = invoke("graph", SMALL, "--db", db, "--execution", execution)
    assert result.exit_code == 0, result.stderr
    assert "    class legend_succeeded,Check,Done succeeded\n" in result.stdout
    missing = invoke("graph", SMALL, "--db", db, "--execution", execution + "x")
    assert missing.exit_code == 2 and missing.stderr.startswith("asl: ")


def test_usage_errors_exit_2(tmp_path):
    assert invoke("graph", SMALL, "--execution", tmp_path / "missing.json").exit_code == 2
    (tmp_path / "bad.json").write_text("{nope")
    bad = invoke("graph", SMALL, "--execution", tmp_path / "bad.json")
    assert bad.exit_code == 2 and "is not valid JSON" in bad.stderr
    (tmp_path / "odd.json").write_text('{"events": [{"what": 1}]}')
    assert invoke("graph", SMALL, "--execution", tmp_path / "odd.json").exit_code == 2
    assert invoke("graph", SMALL, "--db", tmp_path / "x.db").exit_code == 2
    assert invoke("graph", SMALL, "--format", "png").exit_code == 2


def test_an_invalid_definition_exits_3(tmp_path):
    (tmp_path / "m.asl.json").write_text('{"StartAt": "Nope", "States": {}}')
    result = invoke("graph", tmp_path / "m.asl.json")
    assert result.exit_code == 3
    assert "ERROR" in result.stderr
