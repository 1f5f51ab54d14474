"""Running the service's executions: a bounded pool, durable histories, resumption.

Each execution runs on a worker of one pool (``workers`` at a time; more
wait their turn, as AWS queues them). Its history is a ``History`` whose
recorder writes each event, with the progress it leaves (the root frame's
snapshot), into the store in one transaction. After a restart, every
execution the store holds as ``RUNNING`` is resumed from that progress:
no event is written twice, ids carry on without a gap, a task that was in
flight is dispatched again (at-least-once), a callback task keeps its token
and a Wait waits only what is left of it (one due during the outage fires
at once).
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from ..api import Execution, StateMachine
from ..execution.clock import Clock, SystemClock, VirtualClock
from ..execution.frame import Frame
from ..history.events import History, Progress
from ..options import RunOptions
from ..tasks.callbacks import CallbackSpool, apply_message
from ..errors import AslEngineError
from .gate import CpuGate, GatedClock
from .store import Store, StoreFault, moment

__all__ = ["ENGINE_FAULT", "Runner", "StopRequest", "StoreSpool"]

ENGINE_FAULT = "Asl.EngineError"
"""The error of an execution that an engine fault (not the machine) ended: AWS
has no such error; the cause says what the engine could not do (e.g. a Task
with no handler, mock or AWS access)."""


class StopRequest(threading.Event):
    """The cancel signal of an execution, with the error and cause ``StopExecution`` gave."""

    def __init__(self) -> None:
        super().__init__()
        self.details: dict[str, str] = {}


class _Recorder:
    """Writes one execution's events and progress to the store, until the
    service shuts down: what an execution does after that is not stored, as
    if the process had stopped there, and the next service resumes it.

    An event that another follows at once on the same thread (``more``: a
    state's exit before the next state's entry, a task's ``...Scheduled``
    before its ``...Started``, its result before the state's exit) is held
    and stored with the events that follow, in one transaction: one step,
    one commit (a 10-state Pass chain commits 13 times, not 22). A crash
    before that commit loses the whole step, and the resumed execution
    carries on from the step before, as after a crash a moment earlier: a
    pure state is evaluated again, a task whose result was not stored is
    dispatched again (at-least-once), and one whose result is stored never
    runs again, its state's exit being stored with it.
    """

    __slots__ = ("_store", "_arn", "_closed", "_held")

    def __init__(self, store: Store, arn: str, closed: Callable[[], bool]) -> None:
        self._store, self._arn, self._closed = store, arn, closed
        self._held: list[tuple[dict[str, Any], Any, list[tuple[str, int, Any]]]] = []

    def record(self, event: dict[str, Any], progress: Progress | None, more: bool = False) -> None:
        if self._closed():
            self._held.clear()
            return
        results: list[tuple[str, int, Any]] = []
        snapshot = progress(lambda *result: results.append(result)) if progress is not None else None
        self._held.append((event, snapshot, results))
        if not more:
            self.flush()

    def flush(self) -> None:
        """Store the events held (raises ``StoreFault`` when the store refuses them)."""
        held, self._held = self._held, []
        if held:
            self._store.record_events(self._arn, held)

    def checkpoint(self, progress: Progress) -> None:
        if not self._closed():
            self.flush()
            results: list[tuple[str, int, Any]] = []
            snapshot = progress(lambda *result: results.append(result))
            self._store.record_progress(self._arn, snapshot, results)


class StoreSpool(CallbackSpool):
    """Callback answers through the store: a ``SendTask*`` that finds no task
    waiting in this process (the execution is being resumed) is kept in the
    store until the task waits again; each waiting token is recorded, so a
    later answer is told apart from one for a token that never existed."""

    def __init__(self, store: Store, execution_arn: str, state: Callable[[], str]) -> None:
        self.store, self.execution_arn, self._state = store, execution_arn, state
        self._seen: set[str] = set()

    def announce(self, token: str) -> None:
        # Before the task is called: a worker that answers as soon as it has
        # the token (or a client that saw TaskScheduled) finds it.
        self._record(token)

    def retract(self, token: str) -> None:
        pass  # a token that existed stays: a later answer is told TaskTimedOut, as AWS does for a closed task

    def send(self, token: str, message: dict[str, Any]) -> Any:
        self.store.keep_answer(token, message)

    def _record(self, token: str) -> None:
        if token not in self._seen:
            self._seen.add(token)
            self.store.write("INSERT OR IGNORE INTO tokens VALUES (?, ?, ?)", (token, self.execution_arn, self._state()))

    def deliver(self, token: str) -> None:
        self._record(token)  # a resumed task waits again without announcing
        for message in self.store.take_answers(token):
            apply_message(token, message)


@dataclass
class _Running:
    cancel: StopRequest
    future: "Future[Execution | None]"
    done: threading.Event = field(default_factory=threading.Event)


class Runner:
    """Starts, resumes and stops executions on a bounded pool."""

    def __init__(
        self,
        store: Store,
        machine_for: Callable[[str, str], StateMachine],
        options_for: Callable[[Any, Clock], RunOptions],
        *,
        skip_waits: bool = False,
        workers: int = 64,
        finished: Callable[[Any, Execution], None] | None = None,
        cpu_slots: int = 1,
    ) -> None:
        self.store = store
        self._machine_for = machine_for
        self._options_for = options_for
        self.skip_waits = skip_waits
        self._finished = finished  # told of each execution that ended here (its child records)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asl-execution")
        # At most ``cpu_slots`` of the ``workers`` run engine code at once (``gate.py``).
        self.gate = CpuGate(cpu_slots)
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------ control
    def submit(self, arn: str) -> None:
        """Run (or resume) execution ``arn`` as the store holds it."""
        cancel = StopRequest()
        with self._lock:
            if self._closed or arn in self._running:
                return
            entry = _Running(cancel, Future())
            self._running[arn] = entry
            # Under the lock: ``stop`` must see the pool's future, to cancel it while queued.
            entry.future = self._pool.submit(self._run, arn, entry)

    def resume_all(self) -> int:
        """Resume every execution the store holds as running; return how many."""
        rows = self.store.all("SELECT arn FROM executions WHERE status = 'RUNNING' ORDER BY seq")
        for row in rows:
            self.submit(row["arn"])
        return len(rows)

    def running(self, arn: str) -> bool:
        with self._lock:
            return arn in self._running

    def stop(self, arn: str, error: str | None, cause: str | None, timeout: float = 10.0) -> bool:
        """Abort a running execution; return whether it was running here. One
        still queued for a worker is taken off the queue and ends at once
        (``ExecutionStarted``, ``ExecutionAborted``): a stop must not wait for
        a worker to free."""
        details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        with self._lock:
            entry = self._running.get(arn)
            queued = entry is not None and entry.future.cancel()
            if queued:
                del self._running[arn]
        if entry is None:
            return False
        if queued:
            try:
                self._abort_queued(arn, details)
            finally:
                entry.done.set()
            return True
        entry.cancel.details = details
        entry.cancel.set()
        entry.done.wait(timeout)
        return True

    def _abort_queued(self, arn: str, details: dict[str, str]) -> None:
        """The history of an execution stopped before it ran: its start, then its abort."""
        row = self.store.one("SELECT * FROM executions WHERE arn = ?", (arn,))
        if row is None or row["status"] != "RUNNING":
            return
        if not row["events"]:
            self.store.record_event(arn, {
                "timestamp": moment(row["start"]), "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
                "executionStartedEventDetails": {"input": row["input"], "inputDetails": {"truncated": False},
                                                 "roleArn": row["role_arn"]}}, None)
        self.store.close_execution(arn, "ExecutionAborted", details)

    def wait(self, arn: str, timeout: float | None = None) -> bool:
        """Wait until ``arn`` is not running here; return whether it ended."""
        with self._lock:
            entry = self._running.get(arn)
        return entry is None or entry.done.wait(timeout)

    def close(self, wait: bool = False) -> None:
        """Stop taking work; running executions are left as the store has them
        (a later service on the same store resumes them)."""
        with self._lock:
            self._closed = True
            entries = list(self._running.values())
        for entry in entries:
            entry.cancel.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    # ------------------------------------------------------------ running
    def clock_for(self, row: Any) -> Clock:
        if not self.skip_waits:
            return GatedClock(SystemClock(), self.gate)
        last = self.store.events(row["arn"], 0, 1, reverse=True) if row["events"] else []
        return GatedClock(VirtualClock(last[0]["timestamp"] if last else moment(row["start"])), self.gate)

    def _run(self, arn: str, entry: _Running) -> Execution | None:
        try:
            row = self.store.one("SELECT * FROM executions WHERE arn = ?", (arn,))
            if row is None or row["status"] != "RUNNING":
                return None
            with self.gate.running():
                execution = self.execute(row, entry.cancel)
            if self._finished is not None and not self._closed:
                self._finished(row, execution)
            return execution
        except StoreFault as exc:
            # The store refused an event: the execution stops at its last stored
            # one and stays RUNNING there (a failure could not be stored either);
            # the next service on the file resumes it, as after a crash.
            logging.getLogger("asl_engine").error("execution %s stopped: %s", arn, exc)
            return None
        except Exception as exc:  # noqa: BLE001 - an engine fault must not leave the execution RUNNING forever
            if not self._closed:
                text = str(exc) if isinstance(exc, AslEngineError) else f"internal engine error: {type(exc).__name__}: {exc}"
                try:
                    self.store.close_execution(arn, "ExecutionFailed", {"error": ENGINE_FAULT, "cause": text})
                except StoreFault as fault:
                    logging.getLogger("asl_engine").error("execution %s stopped: %s", arn, fault)
            return None
        finally:
            with self._lock:
                self._running.pop(arn, None)
            entry.done.set()

    def execute(self, row: Any, cancel: StopRequest) -> Execution:
        """Run the execution of ``row`` to its end (or its shutdown), recording as it goes."""
        arn = row["arn"]
        clock = self.clock_for(row)
        options = self._options_for(row, clock)
        machine = self._machine_for(row["definition"], row["machine_arn"])
        events = self.store.events(arn) if row["events"] else []  # a new execution has none: no query
        recorder = _Recorder(self.store, arn, lambda: self._closed)
        history = History(clock.now, None, options.limits.history_events, events=events, recorder=recorder)
        resume = None
        if events:
            progress = json.loads(row["progress"]) if row["progress"] else None
            saved = lambda scope: self.store.results(arn, scope)  # noqa: E731
            resume = Frame.restore(progress, cancel, saved=saved) if progress else Frame(cancel, len(events))
        try:
            return machine.execute(
                json.loads(row["input"]), options, arn=arn, start=moment(row["start"]), history=history,
                resume=resume, cancel=cancel, redrive_count=row["redrive_count"],
                redrive_time=moment(row["redrive_date"]) if row["redrive_date"] is not None else None,
            )
        except StoreFault:
            raise
        except Exception:
            # An engine fault after a state's exit: the exit is stored before the
            # execution's failure is (``_run``), not left out of its history.
            try:
                recorder.flush()
            except StoreFault:
                pass
            raise
