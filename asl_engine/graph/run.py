"""What one execution did to each state, read from its history (AWS
``GetExecutionHistory`` events).

Each ``<Type>StateEntered`` opens a *visit* of the state; the events that
follow it on its ``previousEventId`` chain belong to that visit, up to its
``<Type>StateExited``. Map and Parallel events (``MapStateStarted``,
``ParallelStateFailed``...) belong to the innermost open Map or Parallel.

Outcomes, per state over all its visits (the worst wins):

* ``failed``: a visit ended on an error it did not retry (caught or not),
  or the state is a ``Fail`` state;
* ``caught``: the state was entered from a visit that failed and exited,
  i.e. it is the target of the ``Catch`` that handled the error;
* ``retried``: a visit failed, was retried and then succeeded;
* ``succeeded``: every visit exited without an error;
* ``not_reached`` (no visit): the run never entered the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

SUCCEEDED, FAILED, CAUGHT, RETRIED, NOT_REACHED = "succeeded", "failed", "caught", "retried", "not_reached"
OUTCOMES = (SUCCEEDED, FAILED, CAUGHT, RETRIED, NOT_REACHED)
"""Every outcome, in the legend's order."""

_RANK = {SUCCEEDED: 0, RETRIED: 1, CAUGHT: 2, FAILED: 3}
_FAILURES = ("Failed", "TimedOut", "Aborted")
_STARTS = ("Scheduled", "Started")


class HistoryError(ValueError):
    """The events are not an execution history."""


@dataclass(frozen=True, slots=True)
class StateRun:
    """One state's part of the run: its outcome, visits, time and last data."""

    name: str
    type: str
    outcome: str
    visits: int = 1
    retries: int = 0
    seconds: float | None = None  # the visits' total, StateEntered -> StateExited (or the last event)
    input: str | None = None  # of the last visit
    output: str | None = None
    error: str | None = None  # of the last failure
    cause: str | None = None
    exited: bool = False


@dataclass(frozen=True, slots=True)
class Run:
    states: Mapping[str, StateRun]
    transitions: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """(from, to) state names: the run exited the first and entered the second right after."""
    status: str | None = None  # SUCCEEDED, FAILED, TIMED_OUT, ABORTED; None while running
    # State name -> the data-flow steps of its last visit (``RunOptions.inspection`` records).
    inspection: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def with_inspection(self, records: Iterable[Mapping[str, Any]]) -> "Run":
        """This run with the inspection records of ``asl run --inspection-file`` (the last visit per state)."""
        last: dict[str, Mapping[str, Any]] = {}
        for record in records:
            if isinstance(record, Mapping) and isinstance(record.get("name"), str):
                last[record["name"]] = {k: v for k, v in record.items() if k not in ("name", "enteredEventId")}
        return Run(self.states, self.transitions, self.status, last)

    def outcome(self, name: str) -> str:
        state = self.states.get(name)
        return state.outcome if state is not None else NOT_REACHED


@dataclass
class _Visit:
    name: str
    type: str
    entered: datetime | None
    input: str | None
    last: datetime | None = None
    exited_at: datetime | None = None
    exit_id: int | None = None
    output: str | None = None
    failed: bool = False  # the last failure was not retried
    retries: int = 0
    error: str | None = None
    cause: str | None = None
    entered_from: int | None = None  # previousEventId of StateEntered


def history_events(document: Any) -> list[Mapping[str, Any]]:
    """The events of ``{"events": [...]}`` (``aws stepfunctions get-execution-history``) or of a bare list."""
    events = document.get("events") if isinstance(document, Mapping) else document
    if not isinstance(events, list) or not all(
        isinstance(e, Mapping) and isinstance(e.get("type"), str) and isinstance(e.get("id"), int) for e in events
    ):
        raise HistoryError('expected {"events": [...]} or a list of events, each with "id" and "type"')
    return sorted(events, key=lambda e: e["id"])


def read_run(events: Iterable[Mapping[str, Any]]) -> Run:
    """The run of a history (see the module docstring for the outcomes)."""
    visits: list[_Visit] = []
    owner: dict[int, int | None] = {}
    containers: list[int] = []
    status: str | None = None
    for event in sorted(events, key=lambda e: e["id"]):
        kind, eid = event["type"], event["id"]
        stamp = _timestamp(event.get("timestamp"))
        prev = owner.get(event.get("previousEventId", 0))
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails") or {}
            visits.append(_Visit(str(details.get("name", "")), kind[: -len("StateEntered")], stamp,
                                 details.get("input"), stamp, entered_from=event.get("previousEventId")))
            owner[eid] = len(visits) - 1
            if visits[-1].type in ("Map", "Parallel"):
                containers.append(len(visits) - 1)
            continue
        if kind.endswith("StateExited"):
            details = event.get("stateExitedEventDetails") or {}
            index = _open_visit(visits, prev, str(details.get("name", "")))
            owner[eid] = None
            if index is None:
                continue
            visit = visits[index]
            visit.exited_at, visit.last, visit.exit_id, visit.output = stamp, stamp, eid, details.get("output")
            if index in containers:
                containers.remove(index)
            continue
        if kind.startswith(("Map", "Parallel")) and containers:
            prev = containers[-1]
        owner[eid] = prev
        if kind.startswith("Execution"):
            status = _status(kind) or status
        if prev is None:
            continue
        _note(visits[prev], event, kind, stamp)
    return _summarise(visits, status)


def _open_visit(visits: list[_Visit], prev: int | None, name: str) -> int | None:
    if prev is not None and visits[prev].name == name and visits[prev].exit_id is None:
        return prev
    for index in range(len(visits) - 1, -1, -1):
        if visits[index].name == name and visits[index].exit_id is None:
            return index
    return None


def _note(visit: _Visit, event: Mapping[str, Any], kind: str, stamp: datetime | None) -> None:
    visit.last = stamp or visit.last
    if "Iteration" in kind:
        return
    if kind.endswith(_FAILURES):
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, Mapping)), {})
        visit.failed = True
        visit.error = details.get("error", visit.error)
        visit.cause = details.get("cause", visit.cause)
    elif kind.endswith(_STARTS) and visit.failed:
        visit.failed = False
        visit.retries += 1


def _summarise(visits: list[_Visit], status: str | None) -> Run:
    exits = {v.exit_id: v for v in visits if v.exit_id is not None}
    transitions = set()
    merged: dict[str, StateRun] = {}
    for visit in visits:
        source = exits.get(visit.entered_from) if visit.entered_from is not None else None
        if source is not None:
            transitions.add((source.name, visit.name))
        if visit.failed or visit.type == "Fail":
            outcome = FAILED
        elif source is not None and source.failed:
            outcome = CAUGHT
        else:
            outcome = RETRIED if visit.retries else SUCCEEDED
        seconds = (visit.last - visit.entered).total_seconds() if visit.last and visit.entered else None
        before = merged.get(visit.name)
        if before is not None:
            outcome = max(outcome, before.outcome, key=_RANK.__getitem__)
            seconds = None if seconds is None or before.seconds is None else seconds + before.seconds
        merged[visit.name] = StateRun(
            visit.name, visit.type, outcome,
            visits=1 + (before.visits if before else 0),
            retries=visit.retries + (before.retries if before else 0),
            seconds=seconds, input=visit.input, output=visit.output,
            error=visit.error if visit.error is not None else (before.error if before else None),
            cause=visit.cause if visit.cause is not None else (before.cause if before else None),
            exited=visit.exit_id is not None or bool(before and before.exited),
        )
    return Run(merged, frozenset(transitions), status)


def _status(kind: str) -> str | None:
    return {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT",
            "ExecutionAborted": "ABORTED"}.get(kind)


def _timestamp(value: Any) -> datetime | None:
    """An event's time: a ``datetime`` (the engine, boto3), ISO 8601 text or epoch seconds (the aws CLI)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc)
    if isinstance(value, str):
        try:
            return _timestamp(datetime.fromisoformat(value))
        except ValueError:
            try:
                return _timestamp(float(value))
            except ValueError:
                return None
    return None


def duration_text(seconds: float | None) -> str:
    """``850 ms``, ``1.25 s``, ``2 min 5 s``, ``3 h 2 min``."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"
