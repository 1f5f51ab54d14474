"""A whole execution's history, event by event, against a reviewed golden file.

Regenerate after an intended change with ``ASL_UPDATE_GOLDEN=1 pytest tests/unit/test_golden_history.py``
and review the diff: every field is API that users assert on.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import asl_engine
from asl_engine import TaskFailure, VirtualClock

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


def _charge_handler():
    calls = []

    def charge(event):
        calls.append(event)
        if len(calls) == 1:
            raise TaskFailure("Busy", "try later")
        return {"charged": 30}

    return charge


def _ship(event):
    raise TaskFailure("NoCourier", "none available")


def _history_without_timestamps(execution):
    return [{k: v for k, v in event.items() if k != "timestamp"} for event in execution.history]


def test_golden_history():
    machine = asl_engine.load(GOLDEN / "order_flow.asl.json")
    clock = VirtualClock(datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc))
    execution = machine.run(
        {"items": ["a", "b"]},
        handlers={"charge": _charge_handler(), "ship": _ship},
        clock=clock,
        name="golden",
    )
    assert execution.status == "SUCCEEDED"
    actual = {"output": execution.output, "history": _history_without_timestamps(execution)}
    path = GOLDEN / "order_flow.history.json"
    if os.environ.get("ASL_UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=1) + "\n")
    expected = json.loads(path.read_text())
    assert actual == expected


def test_timestamps_are_ordered_and_show_the_backoff():
    machine = asl_engine.load(GOLDEN / "order_flow.asl.json")
    clock = VirtualClock(datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc))
    execution = machine.run({"items": []}, handlers={"charge": _charge_handler(), "ship": _ship}, clock=clock)
    stamps = [e["timestamp"] for e in execution.history]
    assert stamps == sorted(stamps)
    scheduled = [e["timestamp"] for e in execution.history if e["type"] == "LambdaFunctionScheduled"]
    assert (scheduled[1] - scheduled[0]).total_seconds() >= 2


def test_history_written_as_it_happens_to_a_json_lines_file(tmp_path):
    store = asl_engine.JsonLinesHistory(tmp_path / "h.jsonl")
    seen_in_file = []

    def peek(event):
        # When an event is recorded, every earlier one is already on disk.
        seen_in_file.append(len(asl_engine.read_history(tmp_path / "h.jsonl")))

    machine = asl_engine.load(GOLDEN / "order_flow.asl.json")
    execution = machine.run({"items": ["a"]}, handlers={"charge": _charge_handler(), "ship": _ship}, clock=VirtualClock(), listeners=[store, peek])
    store.close()
    events = asl_engine.read_history(tmp_path / "h.jsonl")
    assert [e["id"] for e in events] == [e["id"] for e in execution.history]
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert seen_in_file == list(range(1, len(events) + 1))
