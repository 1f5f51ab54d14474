"""The durable store of the local service: one SQLite file (stdlib ``sqlite3``).

What it keeps: state machines with their versions and aliases, activities,
tags, executions (with the progress a running one has made), every history
event, the task tokens executions wait for, and callback answers that came
while no one waited.

Durability: WAL journal, ``synchronous=NORMAL``. Every history event is
written in a transaction together with the execution's progress
(``record_event``; ``record_events`` for the events of one step, such as a
state's exit and the next state's entry, see ``runner._Recorder``), so a
process killed at any moment (``kill -9``) leaves an event and the progress
it led to both stored, or neither. WAL at
``NORMAL`` survives a process crash; only a power loss may drop the last
transactions (SQLite's documented trade-off; ``synchronous=FULL`` would
cost an fsync per transition).

One connection writes, behind a lock (SQLite serialises writers anyway), and
for a file a second one reads (WAL readers see the last commit without
waiting for the writer); ``busy_timeout`` lets another process (``asl run
--db``) share the file.

Faults of the file (read-only, disk full, locked by another process past
``BUSY_TIMEOUT``, corrupt) raise ``StoreFault``: AWS's ``ServiceUnavailable``
(HTTP 503, which AWS SDKs retry) whose message names the file and the
problem. What was committed before stays; an execution whose event cannot be
stored stops there, ``RUNNING`` at its last stored event, and the next service
on the file resumes it (``runner``), as after a crash.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..dataflow.jsonpath import to_json
from ..errors import EngineError
from .errors import ServiceError

__all__ = ["BUSY_TIMEOUT", "Recorded", "Store", "StoreFault", "decode_event", "encode_event", "epoch", "moment"]

BUSY_TIMEOUT = 10.0
"""Seconds a statement waits for another process's lock before ``StoreFault``."""


class StoreFault(ServiceError, EngineError):
    """The store's file cannot be read or written: ``ServiceUnavailable`` (503) to
    API clients, an ``EngineError`` to the engine (not the state machine's fault)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__("ServiceUnavailable", f"The local store {path} cannot be used: {problem}", 503)


_PROBLEMS = (
    ("disk is full", "the disk is full"),
    ("readonly", "the file is read-only"),
    ("locked", "another process holds a lock on it"),
    ("busy", "another process holds a lock on it"),
    ("malformed", "the file is corrupt"),
    ("not a database", "the file is not an SQLite database"),
    ("unable to open", "the file cannot be opened"),
    ("disk i/o error", "a disk I/O error occurred"),
)


def _fault(path: str, exc: sqlite3.Error) -> StoreFault:
    text = str(exc)
    lowered = text.lower()
    problem = next((said for found, said in _PROBLEMS if found in lowered), f"SQLite: {text}")
    if problem.startswith("another process"):
        problem += f" (waited {BUSY_TIMEOUT:g} s)"
    return StoreFault(path, problem)


class _Faults:
    """``with`` it: a SQLite operational failure leaves as ``StoreFault``.

    A class, not a generator: every event's transaction enters one, and
    ``contextlib.contextmanager`` costs twice as much. It holds no state, so
    threads share it."""

    __slots__ = ("_path",)

    def __init__(self, path: str) -> None:
        self._path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, trace: Any) -> None:
        if isinstance(exc, (sqlite3.OperationalError, sqlite3.DatabaseError)) and not isinstance(exc, sqlite3.IntegrityError):
            raise _fault(self._path, exc) from exc


SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state_machines (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT NOT NULL, created REAL NOT NULL, updated REAL, revision_id TEXT NOT NULL,
    description TEXT, logging TEXT, tracing TEXT, next_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS versions (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, version INTEGER NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT NOT NULL, type TEXT NOT NULL, description TEXT, created REAL NOT NULL, revision_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
    routing TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE, machine_arn TEXT NOT NULL, version_arn TEXT, alias_arn TEXT,
    name TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL,
    output TEXT, error TEXT, cause TEXT, start REAL NOT NULL, stop REAL,
    redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date REAL, test_case TEXT,
    definition TEXT NOT NULL, role_arn TEXT NOT NULL, revision_id TEXT, progress TEXT,
    events INTEGER NOT NULL DEFAULT 0, map_run_arn TEXT, trace_header TEXT
);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine_arn, seq);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS results (
    execution_arn TEXT NOT NULL, scope TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (execution_arn, scope, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS map_runs (
    arn TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, status TEXT NOT NULL, start REAL NOT NULL, stop REAL,
    max_concurrency INTEGER NOT NULL, tolerated_percentage REAL NOT NULL, tolerated_count INTEGER NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_map_run ON executions (map_run_arn, seq);
CREATE TABLE IF NOT EXISTS activities (arn TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (resource_arn, key)
);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (seq INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL, message TEXT NOT NULL);
"""

_CLOSING = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


def epoch(moment: datetime) -> float:
    """Seconds since the epoch (what the store and the wire keep)."""
    return moment.timestamp()


def moment(seconds: float) -> datetime:
    """The UTC datetime of ``seconds`` since the epoch."""
    return datetime.fromtimestamp(seconds, timezone.utc)


def encode_event(event: dict[str, Any]) -> str:
    body = dict(event)
    body["timestamp"] = epoch(event["timestamp"])
    return to_json(body)


def decode_event(text: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(text)
    event["timestamp"] = moment(event["timestamp"])
    return event


def _save_results(db: sqlite3.Connection, execution_arn: str, results: Sequence[tuple[str, int, Any]]) -> None:
    if results:
        db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                       [(execution_arn, scope, index, json.dumps(value)) for scope, index, value in results])


def _progress_text(progress: Any) -> str | None:
    """Progress as stored: JSON text as given (a frame's ``snapshot_json``), else serialised."""
    if progress is None or isinstance(progress, str):
        return progress
    return json.dumps(progress, separators=(",", ":"))


Recorded = tuple[dict[str, Any], Any, Sequence[tuple[str, int, Any]]]
"""An event, the progress it leaves, and the outputs of the branches that finished with it."""


class _Pending:
    """Events of one execution (in order) waiting for the group commit that stores them."""

    __slots__ = ("arn", "entries", "done", "error")

    def __init__(self, arn: str, entries: Sequence[Recorded]) -> None:
        self.arn, self.entries = arn, entries
        # Set when committed; made only for an event that waits for another's
        # commit (the leader's own needs none: a quarter of a lone event's Python cost).
        self.done: threading.Event | None = None
        self.error: BaseException | None = None


READERS = 4
"""Read connections a file store opens at most (reads beyond wait for one)."""


class _ReaderPool:
    """Read-only use of a file's connections, one read at a time on each.

    A connection is made when every open one is busy (at most ``READERS``)
    and kept for the next read; ``close`` closes the idle ones now and the
    busy ones when their read ends.
    """

    def __init__(self, path: str, faults: _Faults) -> None:
        self._path = path
        self._faults = faults
        self._idle: list[sqlite3.Connection] = []
        self._open = 0
        self._closed = False
        self._cond = threading.Condition(threading.Lock())

    def _connect(self) -> sqlite3.Connection:
        with self._faults:
            db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        db.row_factory = sqlite3.Row
        return db

    def take(self) -> sqlite3.Connection:
        """A connection for one read: give it back with ``give_back``."""
        with self._cond:
            while not self._idle and self._open >= READERS:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._open += 1
        try:
            return self._connect()
        except BaseException:  # it could not be made: its place is free again
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def give_back(self, db: sqlite3.Connection) -> None:
        with self._cond:
            if not self._closed:
                self._idle.append(db)
                self._cond.notify()
                return
            self._open -= 1
        db.close()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
        for db in idle:
            db.close()


def _write_events(db: sqlite3.Connection, item: _Pending) -> None:
    """The writes of one item's events (inside the caller's transaction)."""
    last = len(item.entries) - 1
    for index, (event, progress, results) in enumerate(item.entries):
        _write_event(db, item.arn, event, progress, results, index == last)


def _write_event(
    db: sqlite3.Connection, execution_arn: str, event: dict[str, Any], progress: Any,
    results: Sequence[tuple[str, int, Any]], last: bool = True,
) -> None:
    """The writes of one recorded event; the execution's row only for the
    ``last`` of a step's events (the others' progress is overwritten in the
    same transaction) or one that closes it."""
    closing = _CLOSING.get(event["type"])
    db.execute("INSERT INTO events VALUES (?, ?, ?)", (execution_arn, event["id"], encode_event(event)))
    _save_results(db, execution_arn, results)
    if closing is None:
        if not last:
            return
        db.execute("UPDATE executions SET events = ?, progress = ? WHERE arn = ?",
                   (event["id"], _progress_text(progress), execution_arn))
        return
    key = event["type"][0].lower() + event["type"][1:] + "EventDetails"
    details = event.get(key) or {}
    db.execute(
        # The progress at the end stays: a redrive carries on from the failed state.
        "UPDATE executions SET events = ?, status = ?, output = ?, error = ?, cause = ?, stop = ?,"
        " progress = coalesce(?, progress) WHERE arn = ?",
        (event["id"], closing, details.get("output"), details.get("error"), details.get("cause"),
         epoch(event["timestamp"]), _progress_text(progress), execution_arn),
    )


class Store:
    """The SQLite file of one service (``":memory:"`` for a throwaway one).

    Events are stored by group commit: ``record_event`` returns once its
    event is committed (a crash after that loses nothing), and the events
    that concurrent executions record meanwhile share one transaction, whose
    commit the first of them makes for all (the "leader"). One execution's
    events come one at a time (its history's lock), so their order holds.
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._fault_guard = _Faults(self.path)
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._committing = False
        self._writing: int | None = None  # the thread inside ``transaction``, if any
        with self._lock, self._faults():
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=OFF")
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            # Callback answers kept for tasks being resumed: waiting tasks look in the
            # table only while there are some (they poll often; the table is mostly empty).
            self.answers_kept = int(self._db.execute("SELECT count(*) FROM answers").fetchone()[0])
        # Reads (DescribeExecution, GetExecutionHistory, a worker's first look
        # at its row) go through connections of their own: in WAL mode they
        # see the last commit without waiting for the writer's lock, which the
        # running executions' group commits hold most of the time. A file
        # only: ":memory:" is one database per connection. Up to READERS
        # reads run at once, each on its own connection (made on first need,
        # then reused): one shared reader made concurrent requests queue
        # behind each other's SQLite calls (DescribeExecution p99 with 100
        # running executions 12-17 ms -> 8-12 ms, ``benchmarks/serve.py``).
        self._readers = _ReaderPool(self.path, self._fault_guard) if self.path != ":memory:" else None

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._readers is not None:
            self._readers.close()

    # ------------------------------------------------------------ plumbing
    def _faults(self) -> _Faults:
        """SQLite's operational failures as ``StoreFault`` (constraint and
        programming errors are ours, and stay what they are), around a ``with`` block."""
        return self._fault_guard

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``); raises
        ``StoreFault`` when the file refuses it (nothing of it is then stored)."""
        with self._lock, self._faults():
            self._db.execute("BEGIN IMMEDIATE")
            outer, self._writing = self._writing, threading.get_ident()
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            finally:
                self._writing = outer

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection a read uses: the reader, except inside this thread's
        own transaction (which must see its own writes)."""
        readers = self._readers
        if readers is None or self._writing == threading.get_ident():
            with self._lock, self._faults():
                yield self._db
            return
        db = readers.take()
        try:
            with self._faults():
                yield db
        finally:
            readers.give_back(db)

    def one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._reading() as db:
            cursor = db.execute(sql, args)
            try:
                row: sqlite3.Row | None = cursor.fetchone()
            finally:
                # A statement left open keeps its read snapshot: the reader's
                # next queries would not see later commits.
                cursor.close()
            return row

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._reading() as db:
            return list(db.execute(sql, args).fetchall())

    def write(self, sql: str, args: Sequence[Any] = ()) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        with self.transaction() as db:
            return db.execute(sql, args).rowcount

    # ------------------------------------------------------------ history
    def record_event(
        self, execution_arn: str, event: dict[str, Any], progress: Any, results: Sequence[tuple[str, int, Any]] = ()
    ) -> None:
        """Store one event and the progress it leaves (with the outputs of the
        branches that finished since the last one), atomically, and return once
        it is committed; the event that closes the execution also stores its
        status and result. Concurrent calls share a commit (see the class)."""
        self.record_events(execution_arn, ((event, progress, results),))

    def record_events(self, execution_arn: str, entries: Sequence[Recorded]) -> None:
        """``record_event`` for consecutive events of one execution: all stored, in one transaction, or none."""
        item = _Pending(execution_arn, entries)
        with self._queue_lock:
            self._queue.append(item)
            leader = not self._committing
            self._committing = True
            if not leader:
                done = item.done = threading.Event()
        if leader:
            self._commit_queued()
        else:
            done.wait()
        if item.error is not None:
            raise item.error

    def _commit_queued(self) -> None:
        """As the leader: commit what is queued, batch after batch, until none is left."""
        batch: list[_Pending] = []
        try:
            while True:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                    if not batch:
                        self._committing = False
                        return
                try:
                    with self.transaction() as db:
                        for item in batch:
                            _write_events(db, item)
                except Exception:  # noqa: BLE001 - find whose event failed: one transaction each
                    for item in batch:
                        try:
                            with self.transaction() as db:
                                _write_events(db, item)
                        except Exception as exc:  # noqa: BLE001 - handed to the caller that recorded it
                            item.error = exc
                for item in batch:
                    if item.done is not None:
                        item.done.set()
        except BaseException as exc:  # the leader is interrupted: no follower waits forever
            with self._queue_lock:
                stranded, self._queue, self._committing = [*batch, *self._queue], [], False
            for item in stranded:
                if item.done is not None and not item.done.is_set():
                    item.error = item.error or exc
                    item.done.set()
            raise

    def close_execution(self, execution_arn: str, event_type: str, details: dict[str, Any]) -> None:
        """Record the event that ends an execution no interpreter runs (a stop
        after its service went away, an engine fault), after its last stored event."""
        row = self.one("SELECT events FROM executions WHERE arn = ?", (execution_arn,))
        count = int(row["events"]) if row is not None else 0
        key = event_type[0].lower() + event_type[1:] + "EventDetails"
        event = {"timestamp": datetime.now(timezone.utc), "type": event_type, "id": count + 1, "previousEventId": count,
                 key: details}
        self.record_event(execution_arn, event, None)

    def keep_answer(self, token: str, message: dict[str, Any]) -> None:
        """Keep a callback answer for a task that waits again soon (its execution is resuming)."""
        with self._lock:
            self.write("INSERT INTO answers (token, message) VALUES (?, ?)", (token, json.dumps(message)))
            self.answers_kept += 1

    def take_answers(self, token: str) -> list[dict[str, Any]]:
        """The answers kept for ``token``, removed from the store (none is looked up while none is kept)."""
        with self._lock:
            if self.answers_kept <= 0:
                return []
            with self.transaction() as db:
                rows = db.execute("SELECT seq, message FROM answers WHERE token = ? ORDER BY seq", (token,)).fetchall()
                db.executemany("DELETE FROM answers WHERE seq = ?", [(row["seq"],) for row in rows])
            self.answers_kept -= len(rows)
            return [json.loads(row["message"]) for row in rows]

    def record_progress(self, execution_arn: str, progress: Any, results: Sequence[tuple[str, int, Any]] = ()) -> None:
        with self.transaction() as db:
            db.execute("UPDATE executions SET progress = ? WHERE arn = ?", (_progress_text(progress), execution_arn))
            _save_results(db, execution_arn, results)

    def results(self, execution_arn: str, scope: str) -> dict[int, Any]:
        """The stored outputs of the finished branches of one results scope."""
        rows = self.all("SELECT idx, body FROM results WHERE execution_arn = ? AND scope = ?", (execution_arn, scope))
        return {int(row["idx"]): json.loads(row["body"]) for row in rows}

    def events(self, execution_arn: str, after: int = 0, limit: int = -1, reverse: bool = False) -> list[dict[str, Any]]:
        """Events of an execution, by id (``after``: ids above it; newest first with ``reverse``)."""
        if reverse:
            bound = after if after > 0 else 1 << 62
            rows = self.all("SELECT body FROM events WHERE execution_arn = ? AND id < ? ORDER BY id DESC LIMIT ?",
                            (execution_arn, bound, limit))
        else:
            rows = self.all("SELECT body FROM events WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?",
                            (execution_arn, after, limit))
        return [decode_event(row["body"]) for row in rows]

    def truncate_events(self, execution_arn: str, keep: int) -> None:
        """Drop events above id ``keep`` (none are there unless the store was edited by hand)."""
        self.write("DELETE FROM events WHERE execution_arn = ? AND id > ?", (execution_arn, keep))
