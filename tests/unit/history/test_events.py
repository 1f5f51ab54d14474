"""The registry of history event types is AWS's list, and nothing else can be recorded."""

from __future__ import annotations

import gzip
import json
import threading
import time
from datetime import datetime, timezone
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


def _add_from_threads(history: History, threads: int, each: int) -> list[int]:
    """Add ``each`` pairs of events from each of ``threads`` threads; the ids ``add`` returned."""
    returned: list[int] = []

    def writer() -> None:
        for _ in range(each):
            returned.append(history.add_state("PassStateEntered", 0, "P", "{}"))
            returned.append(history.add("MapIterationStarted", 0, {"name": "M", "index": 0}))

    pool = [threading.Thread(target=writer) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return returned


def _yielding_now() -> datetime:
    time.sleep(0)  # a clock that lets another thread run while it is read
    return datetime.now(timezone.utc)


def test_a_shared_compact_history_gives_every_event_its_own_id() -> None:
    history = History(_yielding_now)
    assert history.compact
    history.share()
    returned = _add_from_threads(history, threads=4, each=500)
    assert sorted(returned) == list(range(1, 4_001))
    assert [event["id"] for event in history.events()] == list(range(1, 4_001))


def test_a_history_read_while_its_one_writer_adds_sees_whole_events() -> None:
    # Unshared: the one writer appends without the lock; readers take it.
    history = History(lambda: datetime.now(timezone.utc))
    done = threading.Event()
    seen: list[bool] = []

    def reader() -> None:
        while not done.is_set() and len(seen) < 200:
            events = history.events()
            seen.append([event["id"] for event in events] == list(range(1, len(events) + 1)))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        returned = _add_from_threads(history, threads=1, each=2_000)
    finally:
        done.set()
        thread.join()
    assert returned == list(range(1, 4_001))
    assert [event["id"] for event in history.events()] == list(range(1, 4_001))
    assert seen and all(seen)  # the reader ran alongside and saw each event numbered once
