"""The registry of history event types is AWS's list, and nothing else can be recorded."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore
import pytest

from asl_engine.errors import EngineError
from asl_engine.history.events import EVENT_TYPES, STATE_ABORTED, STATE_ENTERED, STATE_EXITED, TASK_EVENTS, History


def _service_model() -> dict:
    folder = Path(botocore.__file__).parent / "data" / "stepfunctions"
    path = sorted(folder.glob("*/service-2.json*"))[-1]
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)


def test_the_registry_is_botocores_history_event_types() -> None:
    shapes = _service_model()["shapes"]
    assert set(EVENT_TYPES) == set(shapes["HistoryEventType"]["enum"])
    members = set(shapes["HistoryEvent"]["members"])
    assert {key for key in EVENT_TYPES.values() if key is not None} <= members
    # Every details member of the wire shape belongs to some registered type.
    details = {m for m in members if m.endswith("EventDetails")}
    assert details == {key for key in EVENT_TYPES.values() if key is not None}


def test_the_tables_name_registered_types_only() -> None:
    named = {*STATE_ENTERED.values(), *STATE_EXITED.values(), *STATE_ABORTED.values()}
    named |= {event for steps in TASK_EVENTS.values() for event in steps.values()}
    assert named <= set(EVENT_TYPES)
    assert "Fail" not in STATE_EXITED  # a Fail state is never exited


def test_an_unregistered_type_is_an_engine_fault() -> None:
    history = History(lambda: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(EngineError, match="unregistered history event type 'PassStateFinished'"):
        history.add("PassStateFinished", 0)
