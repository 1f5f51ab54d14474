"""asl_engine.graph: the graph of a machine, the run overlay, and every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import asl_engine
from asl_engine import VirtualClock
from asl_engine.graph import build_graph, history_events, read_run, render, render_html, rule_label
from asl_engine.graph.run import HistoryError, duration_text

HERE = Path(__file__).parent
SMALL = asl_engine.load(HERE / "small.asl.json")


def caught_run():
    """Work fails with Busy (retried), then with Boom (caught by Recover)."""
    return SMALL.run({"count": 1, "items": [1, 2]}, clock=VirtualClock(), mocks={
        "Work": [{"Throw": {"Error": "Busy", "Cause": "x"}}, {"Throw": {"Error": "Boom", "Cause": "y"}}]})


def test_mermaid_golden():
    assert render(build_graph(SMALL), "mermaid") == (HERE / "small.mmd").read_text()


def test_dot_golden():
    assert render(build_graph(SMALL), "dot") == (HERE / "small.dot").read_text()


def test_nodes_edges_and_nesting():
    graph = build_graph(SMALL.model)
    assert [(n.name, n.kind) for n in graph.states()] == [
        ("Check", "Choice"), ("Work", "Task"), ("Recover", "Pass"), ("Items", "Map"), ("Double", "Pass"),
        ("Fan", "Parallel"), ("Left", "Pass"), ("Right", "Wait"), ("Done", "Succeed")]
    fan = next(n for n in graph.nodes() if n.name == "Fan")
    assert [s.label for s in fan.scopes] == ["branch 1", "branch 2"]
    kinds = {(e.source, e.target): (e.kind, e.label) for e in graph.root.edges}
    assert kinds[("Work", "Recover")] == ("catch", "Boom, States.Timeout")
    assert kinds[("Check", "Done")] == ("default", "Default")
    assert kinds[("Done", "root_end")] == ("next", "")


@pytest.mark.parametrize("rule, label", [
    ({"Variable": "$.count", "NumericLessThan": 3}, "$.count < 3"),
    ({"Variable": "$.a", "StringEqualsPath": "$.b"}, "$.a == $.b"),
    ({"Variable": "$.t", "TimestampGreaterThanEquals": "2024-01-01T00:00:00Z"}, '$.t >= "2024-01-01T00:00:00Z"'),
    ({"Variable": "$.n", "StringMatches": "log-*"}, '$.n matches "log-*"'),
    ({"Variable": "$.x", "IsNull": False}, "$.x is not null"),
    ({"Or": [{"Variable": "$.a", "BooleanEquals": True},
             {"And": [{"Variable": "$.b", "IsPresent": True}, {"Variable": "$.c", "NumericGreaterThan": 1}]}]},
     "$.a == true or ($.b is present and $.c > 1)"),
    ({"Not": {"Variable": "$.s", "IsString": True}}, "not ($.s is a string)"),
    ({"Condition": "{% $states.input.count < 3 %}"}, "$states.input.count < 3"),
])
def test_choice_rule_labels(rule, label):
    assert rule_label(rule) == label


def test_run_overlay_marks_failed_and_caught():
    run = read_run(caught_run().history)
    assert run.status == "SUCCEEDED"
    assert {n: s.outcome for n, s in run.states.items()} == {
        "Check": "succeeded", "Work": "failed", "Recover": "caught", "Done": "succeeded"}
    assert run.outcome("Items") == "not_reached"
    work = run.states["Work"]
    assert (work.retries, work.error, work.cause, work.seconds) == (1, "Boom", "y", pytest.approx(1.0, abs=0.01))
    assert ("Work", "Recover") in run.transitions and ("Work", "Items") not in run.transitions
    text = render(build_graph(SMALL), "mermaid", run)
    assert "    class legend_failed,Work failed\n" in text
    assert "    class legend_caught,Recover caught\n" in text
    assert 'Work["Work<br/>Task · 1.00 s · 1 retry"]' in text
    dot = render(build_graph(SMALL), "dot", run)
    assert '"Work" [label="Work\\nTask · 1.00 s · 1 retry", fillcolor="#fbdada"' in dot


def test_retried_map_iterations_and_parallel():
    run = read_run(SMALL.run({"count": 1, "items": [1, 2]}, clock=VirtualClock(), mocks={
        "Work": [{"Throw": {"Error": "Busy", "Cause": "x"}}, {"Return": {"items": [1, 2]}}]}).history)
    assert run.outcome("Work") == "retried"
    assert (run.states["Double"].visits, run.outcome("Double"), run.outcome("Items")) == (2, "succeeded", "succeeded")
    fan = read_run(SMALL.run({"count": 5, "mode": "fan"}, clock=VirtualClock()).history)
    assert fan.states["Right"].seconds == pytest.approx(5.0, abs=0.01)
    assert [fan.outcome(n) for n in ("Fan", "Left", "Right", "Work")] == ["succeeded"] * 3 + ["not_reached"]


def test_uncaught_failure_fails_the_state():
    machine = asl_engine.load({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}})
    run = read_run(machine.run({}, mocks={"T": [{"Throw": {"Error": "E", "Cause": "c"}}]}).history)
    assert (run.status, run.outcome("T"), run.states["T"].error) == ("FAILED", "failed", "E")


def test_history_documents():
    events = [{"id": 1, "type": "ExecutionStarted", "timestamp": "2024-01-01T00:00:00Z"}]
    assert history_events({"events": events}) == events == history_events(events)
    with pytest.raises(HistoryError):
        history_events({"nope": []})
    stamps = [{"id": 1, "type": "PassStateEntered", "timestamp": 1700000000.0, "stateEnteredEventDetails": {"name": "P"}},
              {"id": 2, "type": "PassStateExited", "previousEventId": 1, "timestamp": "2023-11-14T22:13:20.250Z",
               "stateExitedEventDetails": {"name": "P"}}]
    assert read_run(stamps).states["P"].seconds == pytest.approx(0.25)
    assert [duration_text(s) for s in (0.0125, 2.5, 125, 7380)] == ["12 ms", "2.50 s", "2 min 5 s", "2 h 3 min"]


def test_svg_parses_as_xml_with_a_class_per_outcome():
    root = ET.fromstring(render(build_graph(SMALL), "svg", read_run(caught_run().history)))
    ns = "{http://www.w3.org/2000/svg}"
    classes = {g.get("data-state"): g.get("class") for g in root.iter(f"{ns}g") if g.get("data-state")}
    assert classes["Work"] == "node Task failed"
    assert classes["Recover"] == "node Pass caught"
    assert classes["Fan"] == "node Parallel container not_reached"
    assert any("edge catch taken" == g.get("class") for g in root.iter(f"{ns}g"))


def test_svg_lays_out_a_loop_and_the_bundled_flow():
    loop = asl_engine.load({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "A"}], "Default": "C"},
        "C": {"Type": "Succeed"}}})
    ET.fromstring(render(build_graph(loop), "svg"))
    ET.fromstring(render(build_graph(asl_engine.load(HERE.parents[2] / "definitions/message_processing.asl.json")), "svg"))


def test_html_is_one_offline_file_with_every_state():
    graph = build_graph(SMALL)
    page = render_html(graph, read_run(caught_run().history), "small")
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and " src=" not in page
    for node in graph.states():
        assert f'data-state="{node.name}"' in page
    data = page.split('<script type="application/json" id="asl-data">')[1].split("</script>")[0]
    parsed = json.loads(data)
    assert parsed["run"]["Work"]["error"] == "Boom" and parsed["run"]["Work"]["outcome"] == "failed"
    assert parsed["states"]["Items"]["definition"]["ItemsPath"] == "$.items"


def test_html_escapes_urls_in_the_data():
    machine = asl_engine.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "https://example.com/x", "End": True}}})
    page = render_html(build_graph(machine), read_run(machine.run({}).history))
    assert "https://" not in page and "</script>" not in page.split('id="asl-data">')[1].split("</script>")[0]
