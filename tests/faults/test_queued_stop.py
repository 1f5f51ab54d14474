"""Found by the soak benchmark: StopExecution of an execution still queued for a
worker (every worker busy, e.g. with callback tasks) waited until one freed,
up to 10 s. It now ends at once, with the history AWS shows for a stopped
execution: ExecutionStarted, ExecutionAborted."""

from __future__ import annotations

import time

from asl_engine import RunOptions
from asl_engine.service import Service

WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
ASK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "ask", "Payload": {}}, "End": True}}}


def test_stopping_a_queued_execution_does_not_wait_for_a_worker() -> None:
    with Service(workers=1, options=RunOptions(handlers={"ask": lambda event: {}})) as service:
        busy = service.start_execution(service.create_state_machine("ask", ASK), {})
        queued = service.start_execution(service.create_state_machine("wait", WAIT), {"k": 1})
        began = time.monotonic()
        service.call("StopExecution", {"executionArn": queued, "cause": "not needed"})
        assert time.monotonic() - began < 1.0
        assert service.describe_execution(queued)["status"] == "ABORTED"
        events = service.history(queued)
        assert [(e["type"], e["id"], e["previousEventId"]) for e in events] == [
            ("ExecutionStarted", 1, 0), ("ExecutionAborted", 2, 1)]
        assert events[0]["executionStartedEventDetails"]["input"] == '{"k":1}'
        assert events[1]["executionAbortedEventDetails"] == {"cause": "not needed"}
        service.call("StopExecution", {"executionArn": busy})
        assert service.describe_execution(busy)["status"] == "ABORTED"
