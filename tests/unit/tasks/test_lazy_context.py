"""A Task's context object is built when a handler or integration first reads it, once."""

from __future__ import annotations

from typing import Any

import asl_engine
from asl_engine.tasks.base import LazyContext


def test_built_once_on_first_read() -> None:
    calls: list[int] = []

    def make() -> dict[str, Any]:
        calls.append(1)
        return {"State": {"Name": "T"}}

    context = LazyContext(make)
    assert calls == []
    assert context["State"]["Name"] == "T" and dict(context) == {"State": {"Name": "T"}} and len(context) == 1
    assert context.get("Task") is None and calls == [1]


def test_a_handler_reads_the_states_context() -> None:
    seen: dict[str, Any] = {}

    def handler(event: Any, context: Any) -> Any:
        seen.update(context.request.context)
        return event

    machine = asl_engine.load({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}})
    assert machine.run({"a": 1}, handlers={"T": handler}).succeeded
    assert seen["State"]["Name"] == "T" and seen["State"]["RetryCount"] == 0 and "Id" in seen["Execution"]
