"""Replay a recorded execution against a (possibly edited) definition.

``replay(events, machine)`` takes an execution history (AWS
``GetExecutionHistory`` events, e.g. saved with ``aws stepfunctions
get-execution-history``), turns each task's recorded result into a mock of
its state (``Return`` for a ``*Succeeded`` event's output, ``Throw`` for a
``*Failed`` event's error and cause, ``States.Timeout`` for a ``*TimedOut``),
runs the machine on the recorded input with those mocks on a virtual clock,
and compares the two runs: the status, the output or error and cause, and
the sequence of events (type and state name). A regression check against
production runs: edit the definition, replay yesterday's executions.

Results are replayed per state in the order they were recorded; a state
inside a Map or Parallel whose iterations ran concurrently may see them in
another order (the history records no iteration for a task event).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..api import Execution, StateMachine
from ..documents.values import JsonTextError
from ..tasks.mocks import MockResponses
from ..documents.values import loads as parse_json_value
from ..execution.clock import VirtualClock

__all__ = ["Replay", "recorded_mocks", "replay"]

_SUCCEEDED = ("TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded")
_FAILED = ("TaskFailed", "LambdaFunctionFailed", "ActivityFailed", "TaskStartFailed", "TaskSubmitFailed",
           "LambdaFunctionStartFailed", "LambdaFunctionScheduleFailed", "ActivityScheduleFailed")
_TIMED_OUT = ("TaskTimedOut", "LambdaFunctionTimedOut", "ActivityTimedOut")


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})


def _text(value: Any) -> Any:
    """A JSON text member of an event, decoded (kept as it is when it is not JSON)."""
    if not isinstance(value, str):
        return value
    try:
        return parse_json_value(value, "the event member")
    except JsonTextError:
        return value


def _member(mapping: Mapping[str, Any], key: str, kind: type) -> Any:
    """``mapping[key]`` when it is a ``kind`` (a ``bool`` is no ``int``), else ``None``:
    a hand-edited or damaged history replays what it can instead of raising."""
    value = mapping.get(key)
    return value if isinstance(value, kind) and not (kind is int and isinstance(value, bool)) else None


def _recorded() -> MockResponses:
    """An empty list of recorded responses (one call past its end fails the Task)."""
    return MockResponses(origin="the recorded history")


def recorded_mocks(events: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The mocks that replay each task's recorded results, by state name, in order.

    Members of the wrong kind (an ``id`` that is no integer, a ``name`` or
    ``error`` that is no string, an event that is no object) are left out.
    Each list is a ``MockResponses``: a replayed run that calls a task more
    often than recorded fails that Task with ``States.Runtime`` (a
    difference to report), not the whole replay with ``EngineError``.
    """
    owner: dict[int | None, str] = {}
    mocks: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if not isinstance(event, Mapping):
            continue
        kind, details = _member(event, "type", str) or "", _details(event)
        if kind.endswith("StateEntered"):
            owner[_member(event, "id", int)] = _member(details, "name", str) or ""
            continue
        name = owner.get(_member(event, "previousEventId", int), "")
        owner[_member(event, "id", int)] = name
        if not name:
            continue
        if kind in _SUCCEEDED:
            mocks.setdefault(name, _recorded()).append({"Return": _text(details.get("output"))})
        elif kind in _FAILED or kind in _TIMED_OUT:
            throw = {"Error": "States.Timeout"} if kind in _TIMED_OUT else {}
            if _member(details, "error", str) is not None and kind not in _TIMED_OUT:
                throw["Error"] = details["error"]
            if _member(details, "cause", str) is not None:
                throw["Cause"] = details["cause"]
            mocks.setdefault(name, _recorded()).append({"Throw": throw})
    return mocks


def task_state_names(definition: Any) -> set[str]:
    """Every Task state's name, at any depth: a Task the history has no result
    for fails with ``States.Runtime`` in the replay (a difference), instead of
    the replay raising ``EngineError`` for a Task without a mock."""
    names: set[str] = set()
    stack = [definition]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            states = node.get("States")
            if isinstance(states, Mapping):
                names.update(k for k, v in states.items() if isinstance(v, Mapping) and v.get("Type") == "Task")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


def _line(event: Mapping[str, Any]) -> str:
    details = _details(event)
    name = details.get("name")
    index = details.get("index")
    return str(event.get("type", "?")) + (f" {name}" if name else "") + (f"[{index}]" if index is not None else "")


def _ending(events: Sequence[Mapping[str, Any]]) -> tuple[str, Any, Any, Any]:
    """(status, output, error, cause) of a recorded history."""
    for event in reversed(events):
        if not isinstance(event, Mapping):
            continue
        kind, details = _member(event, "type", str) or "", _details(event)
        if kind == "ExecutionSucceeded":
            return "SUCCEEDED", _text(details.get("output")), None, None
        if kind in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            status = {"ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED"}[kind]
            return status, None, details.get("error"), details.get("cause")
    return "RUNNING", None, None, None


@dataclass
class Replay:
    """The recorded run, the replayed one, and how they differ (``same`` when not at all)."""

    execution: Execution
    recorded: tuple[str, Any, Any, Any]
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differences

    def report(self) -> str:
        if self.same:
            return "replay: the same events, status and result as recorded"
        return "\n".join(self.differences)


def replay(events: Sequence[Mapping[str, Any]], machine: StateMachine, **options: Any) -> Replay:
    """Run ``machine`` on the input of the recorded ``events`` with their task
    results as mocks (``options`` go to ``StateMachine.run``; a virtual clock
    unless ``clock`` is given) and compare."""
    events = [event for event in events if isinstance(event, Mapping)]
    started = next((e for e in events if e.get("type") == "ExecutionStarted"), None)
    value = _text(_details(started).get("input")) if started is not None else {}
    options.setdefault("clock", VirtualClock())
    unrecorded = {name: _recorded() for name in task_state_names(machine.definition)}
    options["mocks"] = {**unrecorded, **recorded_mocks(events), **(options.get("mocks") or {})}
    execution = machine.run(value, **options)
    recorded = _ending(events)
    result = Replay(execution, recorded)
    status, output, error, cause = recorded
    if execution.status != status:
        result.differences.append(f"status: recorded {status}, replayed {execution.status}")
    if status == "SUCCEEDED" and execution.succeeded and execution.output != output:
        diff = difflib.unified_diff(json.dumps(output, indent=2, sort_keys=True).splitlines(),
                                    json.dumps(execution.output, indent=2, sort_keys=True).splitlines(),
                                    "recorded output", "replayed output", lineterm="")
        result.differences.append("\n".join(diff))
    for what, before, after in (("error", error, execution.error), ("cause", cause, execution.cause)):
        if status != "SUCCEEDED" and before != after:
            result.differences.append(f"{what}: recorded {before!r}, replayed {after!r}")
    recorded_lines = [_line(e) for e in events]
    replayed_lines = [_line(e) for e in execution.history]
    if recorded_lines != replayed_lines:
        diff = difflib.unified_diff(recorded_lines, replayed_lines, "recorded events", "replayed events", lineterm="")
        result.differences.append("\n".join(diff))
    return result
