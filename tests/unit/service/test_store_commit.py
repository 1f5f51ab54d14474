"""The store's group commit: concurrent executions' events share commits,
each call returns once its event is stored, and one bad event fails alone."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from asl_engine.service.store import Store

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def event(n: int) -> dict[str, object]:
    return {"timestamp": NOW, "type": "PassStateEntered", "id": n, "previousEventId": n - 1,
            "stateEnteredEventDetails": {"name": "P", "input": "{}"}}


def test_concurrent_events_are_all_stored_in_order(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    arns = [f"arn:aws:states:us-east-1:1:execution:m:e{i}" for i in range(8)]
    for arn in arns:
        store.write("INSERT INTO executions (arn, machine_arn, name, type, status, input, start, definition, role_arn)"
                    " VALUES (?, 'm', 'e', 'STANDARD', 'RUNNING', '{}', 0, '{}', 'r')", (arn,))
    start = threading.Barrier(len(arns))

    def record(arn: str) -> None:
        start.wait()
        for n in range(1, 51):
            store.record_event(arn, event(n), {"state": f"S{n}"})
            # Returned: the event is committed, visible to any reader.
            assert store.one("SELECT events FROM executions WHERE arn = ?", (arn,))["events"] == n

    threads = [threading.Thread(target=record, args=(arn,)) for arn in arns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for arn in arns:
        assert [e["id"] for e in store.events(arn)] == list(range(1, 51))
    store.close()


def test_a_bad_event_fails_its_own_call_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    arn = "arn:aws:states:us-east-1:1:execution:m:e"
    store.write("INSERT INTO executions (arn, machine_arn, name, type, status, input, start, definition, role_arn)"
                " VALUES (?, 'm', 'e', 'STANDARD', 'RUNNING', '{}', 0, '{}', 'r')", (arn,))
    store.record_event(arn, event(1), None)
    with pytest.raises(Exception):
        store.record_event(arn, event(1), None)  # the same event id twice
    store.record_event(arn, event(2), None)
    assert [e["id"] for e in store.events(arn)] == [1, 2]
    store.close()


def test_reads_see_every_commit_made_before_them(tmp_path: Path) -> None:
    # Reads use a connection of their own (WAL): a row read once must not pin
    # that connection to an old snapshot.
    store = Store(tmp_path / "s.db")
    try:
        store.write("INSERT INTO meta VALUES ('probe', '1')")
        assert store.one("SELECT value FROM meta WHERE key = 'probe'")["value"] == "1"
        store.write("UPDATE meta SET value = '2' WHERE key = 'probe'")
        assert store.one("SELECT value FROM meta WHERE key = 'probe'")["value"] == "2"
        with store.transaction() as db:  # inside its own transaction, a thread sees its own writes
            db.execute("UPDATE meta SET value = '3' WHERE key = 'probe'")
            assert store.one("SELECT value FROM meta WHERE key = 'probe'")["value"] == "3"
    finally:
        store.close()


def test_concurrent_reads_each_have_a_connection_up_to_the_limit(tmp_path: Path) -> None:
    from asl_engine.service.store import READERS

    store = Store(tmp_path / "s.db")
    readers = store._readers
    assert readers is not None
    taken = [readers.take() for _ in range(READERS)]
    assert len({id(db) for db in taken}) == READERS  # one each, none shared
    assert readers._open == READERS and not readers._idle  # at the limit: a next take waits for one back
    readers.give_back(taken[0])
    again = readers.take()
    assert again is taken[0]  # reused, not made anew
    for db in taken[1:]:
        readers.give_back(db)
    assert store.one("SELECT count(*) AS n FROM executions")["n"] == 0  # reads go on as before
    store.close()
    readers.give_back(taken[0])  # given back after close: closed, not kept
    with pytest.raises(sqlite3.ProgrammingError):
        taken[0].execute("SELECT 1")
