"""Execution history in the shape of AWS ``GetExecutionHistory``, and the one
registry of the event types it may hold.

Every event is read as a plain dict::

    {"timestamp": datetime, "type": "PassStateEntered", "id": 2,
     "previousEventId": 1, "stateEnteredEventDetails": {...}}

A history that nobody watches as it grows (no listener, no recorder) keeps
each event as a short tuple, and builds its dict the first time the history
is read (``events``, iteration); a state event's details are built then
too. Building two dicts per event was a fifth of a Pass state's cost and
most of an inline Map's memory, for histories that a plain ``run`` often
never reads.

``previousEventId`` links an event to the one that caused it, so events of
concurrent Map iterations and Parallel branches form separate chains, as on
AWS. Events are appended as they happen (a store sees each one at once),
under a lock, because branches run on threads.

``EVENT_TYPES`` lists every type AWS defines (botocore's ``HistoryEventType``
enum, checked by a test) with the member that carries its details (``None``
when AWS gives that type no details). ``History.add`` accepts registered
types only; code names a type through the tables below (``STATE_ENTERED``,
``TASK_EVENTS``...) rather than by gluing strings together, so that every
type the engine records can be listed.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Mapping, Protocol

from ..dataflow.jsonpath import to_json
from ..errors import EngineError, StatesError

__all__ = [
    "EVENT_TYPES",
    "History",
    "Listener",
    "NOT_TRUNCATED",
    "Progress",
    "Recorder",
    "STATE_ABORTED",
    "STATE_ENTERED",
    "STATE_EXITED",
    "TASK_EVENTS",
    "details_key",
    "moment",
]

_STATE_TYPES = ("Task", "Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Wait")


def _registry() -> dict[str, str | None]:
    types: dict[str, str | None] = {}

    def own(*names: str) -> None:  # "<camelCaseType>EventDetails"
        for name in names:
            types[name] = name[0].lower() + name[1:] + "EventDetails"

    def bare(*names: str) -> None:
        types.update(dict.fromkeys(names))

    own("ActivityFailed", "ActivityScheduled", "ActivityScheduleFailed", "ActivityStarted", "ActivitySucceeded",
        "ActivityTimedOut")
    own("ExecutionAborted", "ExecutionFailed", "ExecutionStarted", "ExecutionSucceeded", "ExecutionTimedOut",
        "ExecutionRedriven")
    own("LambdaFunctionFailed", "LambdaFunctionScheduled", "LambdaFunctionScheduleFailed",
        "LambdaFunctionStartFailed", "LambdaFunctionSucceeded", "LambdaFunctionTimedOut")
    bare("LambdaFunctionStarted")
    own("TaskFailed", "TaskScheduled", "TaskStarted", "TaskStartFailed", "TaskSubmitFailed", "TaskSubmitted",
        "TaskSucceeded", "TaskTimedOut")
    own("MapIterationAborted", "MapIterationFailed", "MapIterationStarted", "MapIterationSucceeded")
    own("MapStateStarted", "MapRunFailed", "MapRunStarted", "MapRunRedriven", "EvaluationFailed")
    bare("MapStateAborted", "MapStateFailed", "MapStateSucceeded", "MapRunAborted", "MapRunSucceeded")
    bare("ParallelStateAborted", "ParallelStateFailed", "ParallelStateStarted", "ParallelStateSucceeded")
    bare("TaskStateAborted", "WaitStateAborted")
    for state_type in _STATE_TYPES:
        types[state_type + "StateEntered"] = "stateEnteredEventDetails"
        if state_type != "Fail":  # a Fail state is never exited (AWS has no FailStateExited)
            types[state_type + "StateExited"] = "stateExitedEventDetails"
    return types


EVENT_TYPES: Mapping[str, str | None] = _registry()
"""Every history event type -> the member holding its details (``None``: it has none)."""

# ``{"truncated": False}``, the details of every state's input and output:
# one object shared by all the events that say it (a 10,000-item Map has
# 60,000 of them). Read-only by contract, like every recorded event.
NOT_TRUNCATED: dict[str, bool] = {"truncated": False}

STATE_ENTERED: Mapping[str, str] = {t: t + "StateEntered" for t in _STATE_TYPES}
"""State type -> its ``<Type>StateEntered`` event."""
STATE_EXITED: Mapping[str, str] = {t: t + "StateExited" for t in _STATE_TYPES if t != "Fail"}
"""State type -> its ``<Type>StateExited`` event (a Fail state has none)."""
STATE_ABORTED: Mapping[str, str] = {t: t + "StateAborted" for t in ("Task", "Wait", "Map", "Parallel")}
"""The state types AWS closes with ``<Type>StateAborted`` when their branch is cancelled."""

TASK_EVENTS: Mapping[str, Mapping[str, str]] = {
    family: {
        step: family + step
        for step in ("Scheduled", "Started", "Succeeded", "Failed", "TimedOut", "Submitted")
        if family + step in EVENT_TYPES
    }
    for family in ("Task", "LambdaFunction", "Activity")
}
"""Event family of a task (``Task``, ``LambdaFunction``, ``Activity``) -> step -> event type."""


def details_key(event_type: str) -> str | None:
    """The ``...EventDetails`` member of ``event_type`` (``None`` when it has no details)."""
    return EVENT_TYPES.get(event_type)


Listener = Callable[[dict[str, Any]], None]

Progress = Callable[[Callable[[str, int, Any], None] | None], Any]
"""The execution's progress as JSON text (its root frame's ``snapshot_json``);
given a sink, it hands the outputs of finished branches to it once each instead
of repeating them in every snapshot."""


class Recorder(Protocol):
    """Where a durable history writes: each event with the progress it leaves.

    Called under the history's lock, in event-id order, after the progress
    changes that go with the event were made (``History.add``'s ``then``),
    so that an event and the progress it leads to are stored together (the
    service writes both in one SQLite transaction).
    """

    def record(self, event: dict[str, Any], progress: Progress | None, more: bool = False) -> None:
        """Store ``event`` and, where it keeps one, the progress ``progress(sink)`` returns.

        ``more``: the same thread records another event at once (a state's
        exit, before the next state's entry): the recorder may store ``event``
        with that one, in one transaction, instead of on its own.
        """
        ...

    def checkpoint(self, progress: Progress) -> None:
        """Store progress that changed without an event (retry counters before a back-off)."""
        ...


class History:
    """An append-only list of history events.

    Reading is thread-safe at any time. Adding is thread-safe once ``share``
    was called: the engine calls it before a fan-out runs branches on
    threads of their own. Until then a compact history's one writer appends
    without taking the lock (an uncontended lock per event was a tenth of a
    Pass state's cost).
    """

    __slots__ = ("_events", "_lock", "_writers", "_now", "_listeners", "_limit", "_recorder", "_progress", "stamp", "compact", "recorded", "holds_values")

    def __init__(
        self,
        now: Callable[[], datetime],
        listeners: list[Listener] | None = None,
        limit: int | None = None,
        events: list[dict[str, Any]] | None = None,
        recorder: Recorder | None = None,
        stamp: Callable[[], datetime | int] | None = None,
    ) -> None:
        # ``stamp``: a cheaper reading of the clock for the events kept compact:
        # a datetime, or an int of nanoseconds since the epoch (``SystemClock.stamp``)
        # made the datetime ``now()`` gives for that instant when read.
        self.stamp: Callable[[], datetime | int] = stamp or now
        """Reads the clock for a compact event's timestamp (see ``stamp`` above)."""
        # ``events``: the events recorded so far, when an execution carries on
        # from a snapshot (new events continue their ids).
        # An entry is an event dict, or a tuple not yet built into one (``_event``).
        self._events: list[Any] = list(events or [])
        self._lock = threading.Lock()
        # The lock a compact history's writers take: None while one thread adds.
        self._writers: threading.Lock | None = None
        self._now = now
        self._listeners = listeners or []
        # AWS quota: 25,000 events per execution history; the last slot is
        # kept for the event that ends the execution.
        self._limit = limit
        self._recorder = recorder
        self._progress: Progress | None = None
        # Events may wait to be built only when no one sees each event as it is added.
        self.compact = not self._listeners and recorder is None
        """Whether events are kept compact until read, a state event's input or
        output possibly as a value, serialised then (``add_state``)."""
        self.holds_values = False
        """Whether some event keeps its document as a value (``add_state``)."""
        self.recorded = recorder is not None
        """Whether a recorder stores each event with the progress it leaves (then a
        change that goes with an event must be made through ``add``'s ``then``)."""


    def share(self) -> None:
        """More than one thread may add events from now on (it stays so).

        Call it before the threads start. A recorded or watched history
        always takes its lock; a compact one takes it only after this.
        """
        self._writers = self._lock

    def track(self, progress: Progress) -> None:
        """Give the recorder the execution's progress to store with each event."""
        self._progress = progress

    def checkpoint(self) -> None:
        """Progress changed without an event: let the recorder store it (no-op without one)."""
        if self._recorder is not None and self._progress is not None:
            with self._lock:
                self._recorder.checkpoint(self._progress)

    def add(
        self,
        event_type: str,
        previous: int,
        details: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        then: Callable[[int], None] | None = None,
        more: bool = False,
    ) -> int:
        """Append an event caused by event ``previous`` (0 for none); return its id.

        ``event_type`` must be registered in ``EVENT_TYPES``. ``timestamp``
        defaults to the clock's current time. ``then(event_id)`` makes the
        progress change that goes with the event (a frame entering a state)
        before the event is recorded, atomically with it. ``more``: this
        thread adds another event at once (``Recorder.record``). Raises
        ``StatesError`` (``States.Runtime``) when the history is full.
        """
        limit = self._limit
        if limit is not None and len(self._events) >= limit - 1 and event_type[:9] != "Execution":
            raise StatesError(
                "States.Runtime",
                f"The execution reached the maximum number of history events ({limit}).",
                located=True,
            )
        try:
            key = EVENT_TYPES[event_type]
        except KeyError:
            raise EngineError(f"unregistered history event type {event_type!r}") from None
        if self.compact:
            lock = self._writers
            if lock is not None:
                lock.acquire()
            try:
                event_id = len(self._events) + 1
                self._events.append((event_type, previous, timestamp or self.stamp(), details if key is not None else None))
                if then is not None:
                    then(event_id)
            finally:
                if lock is not None:
                    lock.release()
            return event_id
        with self._lock:
            event_id = len(self._events) + 1
            event: dict[str, Any] = {
                "timestamp": timestamp or self._now(),
                "type": event_type,
                "id": event_id,
                "previousEventId": previous,
            }
            if key is not None and details is not None:
                event[key] = details
            self._events.append(event)
            if then is not None:
                then(event_id)
            if self._recorder is not None:
                self._recorder.record(event, self._progress, more)
        for listener in self._listeners:
            listener(event)
        return event_id

    def add_state(
        self,
        event_type: str,
        previous: int,
        name: str,
        text: str | None,
        timestamp: datetime | None = None,
        then: Callable[[int], None] | None = None,
        assigned: dict[str, str] | None = None,
        value: Any = None,
        more: bool = False,
    ) -> int:
        """``add`` for a ``<Type>StateEntered`` (``text`` is the input) or
        ``<Type>StateExited`` (``text`` is the output; ``assigned`` the JSON
        texts of the variables it assigned) event; the same contract.

        In a ``compact`` history ``text`` may be ``None``: the document is
        ``value``, serialised when the history is read. The caller owns
        ``value`` and never changes it (the engine's documents are never
        changed in place).
        """
        events = self._events
        if not self.compact or (self._limit is not None and len(events) >= self._limit - 1):
            if text is None:
                text = to_json(value)
            return self.add(event_type, previous, _state_details(event_type, name, text, assigned), timestamp, then, more)
        lock = self._writers  # the clock is read under it: timestamps follow the ids
        if lock is not None:
            lock.acquire()
        try:
            event_id = len(events) + 1
            # With its text, a document is not kept: holding it would keep it
            # alive (and traversed by the garbage collector) until the run ends.
            if text is None:
                self.holds_values = True
            else:
                value = None
            events.append((event_type, previous, timestamp or self.stamp(), name, text, assigned, value))
            if then is not None:
                then(event_id)
        finally:
            if lock is not None:
                lock.release()
        return event_id

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.events())

    def events(self) -> list[dict[str, Any]]:
        """A snapshot of the events so far, oldest first."""
        with self._lock:
            events = self._events
            # A state's output is the next state's input: one document, serialised once.
            last_value, last_text = _UNSET, ""
            for index, entry in enumerate(events):
                if type(entry) is tuple:  # built once, in place
                    if len(entry) == 7 and entry[4] is None:
                        value = entry[6]
                        if value is not last_value:
                            last_value, last_text = value, to_json(value)
                        entry = (*entry[:4], last_text, entry[5])
                    events[index] = _event(index + 1, entry)
            return list(events)


def _state_details(event_type: str, name: str, text: str, assigned: dict[str, str] | None) -> dict[str, Any]:
    if event_type.endswith("Entered"):
        return {"name": name, "input": text, "inputDetails": NOT_TRUNCATED}
    details: dict[str, Any] = {"name": name, "output": text, "outputDetails": NOT_TRUNCATED}
    if assigned is not None:
        details["assignedVariables"] = assigned
        details["assignedVariablesDetails"] = {"truncated": False}
    return details


_UNSET = object()
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def moment(stamp: int) -> datetime:
    """The time of a reading in nanoseconds since the epoch: what ``datetime.now``
    gives for the same instant (both drop the nanoseconds), so that readings
    of both kinds keep their order."""
    return _EPOCH + timedelta(microseconds=stamp // 1000)


def _event(event_id: int, entry: tuple[Any, ...]) -> dict[str, Any]:
    """The dict of an event kept as ``(type, previous, timestamp, details)``, or
    as ``(type, previous, timestamp, name, text, assigned[, value])`` for a
    state event (its text made from ``value`` by ``events``)."""
    event_type, previous, timestamp = entry[0], entry[1], entry[2]
    if type(timestamp) is int:
        timestamp = moment(timestamp)
    event: dict[str, Any] = {"timestamp": timestamp, "type": event_type, "id": event_id, "previousEventId": previous}
    if len(entry) >= 6:
        event[EVENT_TYPES[event_type]] = _state_details(event_type, entry[3], entry[4], entry[5])  # type: ignore[index]
    elif entry[3] is not None:
        event[EVENT_TYPES[event_type]] = entry[3]  # type: ignore[index]
    return event
