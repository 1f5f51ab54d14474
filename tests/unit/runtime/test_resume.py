"""An execution's progress is data: a frame written down mid-run and restored
in a fresh interpreter carries the run on to the same end."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

import asl_engine
from asl_engine.errors import Aborted
from asl_engine.execution.frame import Frame
from asl_engine.execution.quotas import AWS_QUOTAS
from asl_engine.history.events import History
from asl_engine.runtime.interpreter import Interpreter
from asl_engine.runtime.services import ExecutionInfo, ExecutionServices
from asl_engine.tasks.dispatch import TaskDispatcher
from asl_engine.tasks.local import LocalHandler
from asl_engine.tasks.mocks import MockSet

START = datetime(2024, 1, 1, tzinfo=timezone.utc)

DEFINITION = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Assign": {"total": 0}, "Next": "Fan"},
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Double", "States": {"Double": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": True}}},
            "ResultPath": "$.doubled",
            "Next": "Add",
        },
        "Add": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:add",
            "Parameters": {"values.$": "$.doubled", "total.$": "$total"},
            "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 3}],
            "Assign": {"total.$": "$"},
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "Parameters": {"total.$": "$total"}, "End": True},
    },
}


def _interpreter(handlers: dict[str, Any], clock: asl_engine.VirtualClock, events: list[dict[str, Any]] | None = None) -> Interpreter:
    dispatcher = TaskDispatcher(
        handlers={k: LocalHandler(v, k) for k, v in handlers.items()}, mocks=MockSet(None), clock=clock, region="us-east-1"
    )
    services = ExecutionServices(clock=clock, quotas=AWS_QUOTAS, dispatcher=dispatcher)
    info = ExecutionInfo("arn:aws:states:us-east-1:1:execution:m:e", "e", "arn:aws:states:us-east-1:1:stateMachine:m", "m",
                         "arn:aws:iam::1:role/r", START, {"items": [1, 2, 3]})
    history = services.new_history(info.arn) if events is None else History(clock.now, events=events)
    return Interpreter(services, info, history)


def test_a_frame_snapshot_resumes_to_the_same_output() -> None:
    machine = asl_engine.load(DEFINITION)
    program = machine.model.program
    attempts: list[int] = []

    def add(event: dict[str, Any], context: Any) -> int:
        attempts.append(context.request.attempt)  # $$.State.RetryCount of this attempt
        if len(attempts) == 1:
            raise type("Flaky", (Exception,), {})("not yet")
        return event["total"] + sum(event["values"])

    handlers = {"double": lambda n: n * 2, "add": add}
    expected = machine.run({"items": [1, 2, 3]}, handlers=handlers, clock=asl_engine.VirtualClock(START))
    assert expected.output == {"total": 12}

    # The same run, stopped ("crashed") while its Add state waits to retry.
    attempts.clear()
    clock = asl_engine.VirtualClock(START)
    crashing = _interpreter(handlers, clock)
    frame = Frame(threading.Event(), 0)
    original_sleep = clock.sleep

    def crash_during_backoff(seconds: float, cancel: threading.Event | None = None) -> bool:
        frame.cancel.set()  # the process dies here
        return original_sleep(seconds, cancel) and False

    clock.sleep = crash_during_backoff  # type: ignore[method-assign]
    try:
        crashing.run_program(program, {"items": [1, 2, 3]}, frame)
    except Aborted:
        pass
    snapshot = json.loads(json.dumps(frame.snapshot()))
    recorded = crashing.history.events()  # written as they happened: a store would have them
    assert snapshot["state"] == "Add"
    assert snapshot["variables"] == {"total": 0}
    assert snapshot["retry"] == {"counts": [1], "total": 1}
    assert snapshot["input"]["doubled"] == [2, 4, 6]

    # A fresh interpreter (a new process) restores it and carries on.
    clock = asl_engine.VirtualClock(START)
    resumed = _interpreter(handlers, clock, recorded)
    restored = Frame.restore(snapshot, threading.Event())
    output = resumed.run_program(program, None, restored, resume=True)
    assert output == expected.output
    events = resumed.history.events()
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))  # ids carry on
    assert events[len(recorded)]["previousEventId"] == snapshot["lastEventId"]
    assert attempts == [0, 1]  # the failed attempt is not run again; the retry is, as retry 1


def test_branches_in_flight_are_in_the_snapshot_and_done_ones_are_reused() -> None:
    frame = Frame(threading.Event(), 5)
    frame.enter("Fan", {"items": [1, 2, 3]}, 6)
    first = frame.child(0, frame.cancel, frame.scope)
    first.enter("Double", 1, 8)
    frame.child(1, frame.cancel, frame.scope).enter("Double", 2, 9)
    frame.finished(1, 4)
    data = json.loads(json.dumps(frame.snapshot()))
    assert data["running"]["0"]["state"] == "Double" and data["done"] == {"1": 4}
    restored = Frame.restore(data, threading.Event())
    assert restored.results == {1: 4}
    assert restored.children[0].state_name == "Double" and restored.children[0].state_input == 1
    assert restored.children[0].scope.parent is restored.scope


def test_a_sink_takes_each_finished_branch_once_and_the_json_matches_the_snapshot() -> None:
    frame = Frame(threading.Event(), 5)
    frame.enter("Fan", {"items": [1, 2, 3]}, 6, text='{"items":[1,2,3]}')
    frame.child(0, frame.cancel, frame.scope).enter("Double", 1, 8)
    frame.child(1, frame.cancel, frame.scope)
    frame.finished(1, 4)
    taken: list[tuple[str, int, Any]] = []
    first = json.loads(frame.snapshot_json(lambda *result: taken.append(result)))
    assert taken == [("@6.0", 1, 4)] and "done" not in first
    assert first["running"]["0"]["key"] == "@6.0/0" and first["input"] == {"items": [1, 2, 3]}
    json.loads(frame.snapshot_json(lambda *result: taken.append(result)))
    assert len(taken) == 1  # handed over once
    plain = frame.snapshot()
    assert plain["done"] == {"1": 4}
    restored = Frame.restore(first, threading.Event(), saved=lambda scope: {1: 4} if scope == "@6.0" else {})
    assert restored.results == {1: 4} and restored.children[0].state_name == "Double"
