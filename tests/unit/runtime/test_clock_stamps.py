"""Events of a compact history on the system clock are stamped with
``time_ns`` readings and made datetimes when read: the times must be those
``datetime.now`` would have given, in order, and ``$$.State.EnteredTime``
must still be the state's entry."""

from __future__ import annotations

from datetime import datetime, timezone

import asl_engine
from asl_engine.runtime.services import iso_time


def _machine() -> asl_engine.StateMachine:
    states = {f"P{i}": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "ResultPath": f"$.t{i}",
                        "Next": f"P{i + 1}"} for i in range(20)}
    states["P20"] = {"Type": "Wait", "Seconds": 0, "Next": "T"}
    states["T"] = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}
    return asl_engine.load({"StartAt": "P0", "States": states})


def test_timestamps_are_datetimes_in_order_between_two_readings() -> None:
    before = datetime.now(timezone.utc)
    execution = _machine().run({}, handlers={"T": lambda event: event})
    after = datetime.now(timezone.utc)
    assert execution.status == "SUCCEEDED"
    times = [event["timestamp"] for event in execution.history]
    assert all(isinstance(t, datetime) and t.tzinfo is not None for t in times)
    assert times == sorted(times)
    assert before <= times[0] and times[-1] <= after


def test_entered_time_is_the_state_entered_events_time() -> None:
    execution = _machine().run({}, handlers={"T": lambda event: event})
    entered = {e["stateEnteredEventDetails"]["name"]: e["timestamp"] for e in execution.history
               if e["type"] == "PassStateEntered"}
    assert isinstance(execution.output, dict)
    for i in range(20):
        assert execution.output[f"t{i}"] == {"t": iso_time(entered[f"P{i}"])}
