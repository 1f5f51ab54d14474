"""Map Runs of the service: ``DescribeMapRun``, ``ListMapRuns``, ``ListExecutions(mapRunArn)``.

Each child execution of a distributed Map is stored as it ends (the engine
hands its record, history included, to ``store_child``): it becomes an
execution of the service with its ``mapRunArn``, and none is kept in memory,
so a Map Run of any size costs the parent nothing. The Map Run's row is
written when the parent ends. While the parent runs, ``DescribeMapRun``
answers from the parent's history (``MapRunStarted``) with status
``RUNNING`` and the counts of the children stored so far. A parent resumed
after a crash keeps the children that had ended (their results are in the
parent's progress) and runs the others again.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from ..api import Execution
from .errors import ServiceError
from .paging import page
from .registry import operation
from .store import Store, encode_event, epoch, moment

__all__ = ["record_map_runs", "store_child"]

_STATUS_KEYS = {"SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "timedOut", "ABORTED": "aborted", "RUNNING": "running"}
_CLOSING = {"MapRunSucceeded": "SUCCEEDED", "MapRunFailed": "FAILED", "MapRunAborted": "ABORTED"}


def _map_state(definition: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The Map state named ``name`` at any depth of a definition ({} if none)."""
    states = definition.get("States") or {}
    if name in states:
        return states[name]  # type: ignore[no-any-return]
    for state in states.values():
        for program in [*(state.get("Branches") or []), state.get("ItemProcessor") or state.get("Iterator") or {}]:
            found = _map_state(program, name)
            if found:
                return found
    return {}


def _settings(definition_text: str, map_run_arn: str) -> tuple[int, float, int]:
    """MaxConcurrency, ToleratedFailurePercentage, ToleratedFailureCount of the Map (literal values; 0 otherwise)."""
    name = map_run_arn.split(":")[6].split("/", 1)[-1]
    state = _map_state(json.loads(definition_text), name)

    def number(key: str) -> Any:
        value = state.get(key)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

    return int(number("MaxConcurrency")), float(number("ToleratedFailurePercentage")), int(number("ToleratedFailureCount"))


def store_child(store: Store, parent: Any, child: dict[str, Any]) -> None:
    """Store one ended child execution of a Map Run of ``parent`` (its row),
    with its history, in one transaction (other children are ignored)."""
    if not child.get("mapRunArn"):
        return
    history = child.get("history") or []
    start = epoch(history[0]["timestamp"]) if history else 0.0
    stop = epoch(history[-1]["timestamp"]) if history else start
    machine_arn = child["executionArn"].replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
    output = json.dumps(child["output"]) if "output" in child else None
    with store.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO executions (arn, machine_arn, name, type, status, input, output, error, cause, start, stop,"
            " definition, role_arn, events, map_run_arn) VALUES (?, ?, ?, 'STANDARD', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (child["executionArn"], machine_arn, child["executionArn"].rsplit(":", 1)[-1], child["status"],
             json.dumps(child.get("input")), output, child.get("error"), child.get("cause"), start, stop,
             parent["definition"], parent["role_arn"], len(history), child["mapRunArn"]),
        )
        db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?)",
                       [(child["executionArn"], e["id"], encode_event(e)) for e in history])


def _child_counts(store: Store, map_run_arn: str) -> dict[str, int]:
    rows = store.all("SELECT status, COUNT(*) AS n FROM executions WHERE map_run_arn = ? GROUP BY status", (map_run_arn,))
    return {row["status"]: row["n"] for row in rows}


def record_map_runs(store: Store, parent: Any, execution: Execution) -> None:
    """Store the Map Runs ``execution`` (the parent, ended) ran, with the
    counts of their stored children (and any child the run kept in memory)."""
    for child in execution.child_executions:
        store_child(store, parent, child)
    spans: dict[str, list[float | None]] = {}
    for event in execution.history:
        details = event.get("mapRunStartedEventDetails")
        if details:
            spans[details["mapRunArn"]] = [epoch(event["timestamp"]), None]
        elif event["type"] in _CLOSING:
            open_runs = [arn for arn, span in spans.items() if span[1] is None]
            if open_runs:
                spans[open_runs[-1]][1] = epoch(event["timestamp"])
                spans[open_runs[-1]].append(_CLOSING[event["type"]])  # type: ignore[arg-type]
    if not spans:
        return
    counts_of = {arn: _child_counts(store, arn) for arn in spans}
    with store.transaction() as db:
        for arn, span in spans.items():
            counts = counts_of[arn]
            status = span[2] if len(span) > 2 else execution.status
            concurrency, percentage, count = _settings(parent["definition"], arn)
            db.execute("INSERT OR REPLACE INTO map_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (arn, parent["arn"], status, span[0], span[1], concurrency, percentage, count, json.dumps(counts)))


def _counts(counts: Mapping[str, int], running: bool) -> dict[str, int]:
    out = {key: 0 for key in ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total",
                              "resultsWritten", "failuresNotRedrivable", "pendingRedrive")}
    for status, n in counts.items():
        out[_STATUS_KEYS.get(status, "failed")] += n
    out["total"] = sum(counts.values())
    out["resultsWritten"] = 0 if running else out["succeeded"] + out["failed"]
    return out


def _started(service: Any, arn: str) -> tuple[Any, dict[str, Any]] | None:
    """The parent execution and ``MapRunStarted`` event of a Map Run not stored yet (its parent runs)."""
    row = service.store.one("SELECT execution_arn, body FROM events WHERE body LIKE ? LIMIT 1", (f'%"mapRunArn":"{arn}"%',))
    if row is None:
        return None
    return service._execution_row(row["execution_arn"]), json.loads(row["body"])


@operation("DescribeMapRun")
def _describe_map_run(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["mapRunArn"]
    service._parse(arn, "mapRun")
    row = service.store.one("SELECT * FROM map_runs WHERE arn = ?", (arn,))
    if row is not None:
        response = {"mapRunArn": arn, "executionArn": row["execution_arn"], "status": row["status"],
                    "startDate": moment(row["start"]), "maxConcurrency": row["max_concurrency"],
                    "toleratedFailurePercentage": row["tolerated_percentage"],
                    "toleratedFailureCount": row["tolerated_count"],
                    "itemCounts": _counts(json.loads(row["counts"]), False),
                    "executionCounts": _counts(json.loads(row["counts"]), False), "redriveCount": 0}
        if row["stop"] is not None:
            response["stopDate"] = moment(row["stop"])
        return response
    started = _started(service, arn)
    if started is None:
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
    parent, event = started
    concurrency, percentage, count = _settings(parent["definition"], arn)
    return {"mapRunArn": arn, "executionArn": parent["arn"], "status": "RUNNING", "startDate": moment(event["timestamp"]),
            "maxConcurrency": concurrency, "toleratedFailurePercentage": percentage, "toleratedFailureCount": count,
            "itemCounts": _counts(live := _child_counts(service.store, arn), True),
            "executionCounts": _counts(live, True), "redriveCount": 0}


@operation("ListMapRuns")
def _list_map_runs(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    parent = service._execution_row(request["executionArn"])
    runs = []
    for event in service.store.events(parent["arn"]):
        details = event.get("mapRunStartedEventDetails")
        if details:
            stored = service.store.one("SELECT stop FROM map_runs WHERE arn = ?", (details["mapRunArn"],))
            item = {"executionArn": parent["arn"], "mapRunArn": details["mapRunArn"],
                    "stateMachineArn": details["mapRunArn"].replace(":mapRun:", ":stateMachine:").rsplit(":", 1)[0],
                    "startDate": event["timestamp"]}
            if stored is not None and stored["stop"] is not None:
                item["stopDate"] = moment(stored["stop"])
            runs.append(item)
    items, token = page(request, "mapruns:" + parent["arn"], lambda offset, limit: runs[offset:offset + limit])
    response: dict[str, Any] = {"mapRuns": items}
    if token is not None:
        response["nextToken"] = token
    return response
