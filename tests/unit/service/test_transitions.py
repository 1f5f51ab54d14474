"""A state transition (one state's exit, the next one's entry) is one commit,
and a service stopped at any commit resumes to the same end: no event lost
or written twice, no task run again once its result is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_engine import RunOptions
from asl_engine.service import Service
from asl_engine.service.store import StoreFault

from .test_service import LAMBDA

MACHINE = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "Add"},
        "Add": {"Type": "Task", "Resource": LAMBDA + "add", "Next": "B"},
        "B": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
# The commits of a clean run, each a list of event types.
COMMITS = [
    ["ExecutionStarted"],
    ["PassStateEntered"],
    ["PassStateExited", "TaskStateEntered"],
    ["LambdaFunctionScheduled", "LambdaFunctionStarted"],  # then the handler runs
    ["LambdaFunctionSucceeded", "TaskStateExited", "PassStateEntered"],  # its result, with the transition
    ["PassStateExited", "SucceedStateEntered"],
    ["SucceedStateExited"],
    ["ExecutionSucceeded"],
]


def _run(db: str, calls: list[int], fail_at: int | None = None) -> tuple[Service, list[list[str]]]:
    """Start the machine on a service whose store refuses its ``fail_at``-th commit of events."""

    def add(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(event["n"])
        return {"n": event["n"] + 1}

    service = Service(db, options=RunOptions(handlers={"add": add}))
    commits: list[list[str]] = []
    store, record_events = service.store, service.store.record_events

    def counted(execution_arn: str, entries: Any) -> None:
        if fail_at is not None and len(commits) + 1 == fail_at:
            raise StoreFault(store.path, "refused for the test")
        commits.append([entry[0]["type"] for entry in entries])
        record_events(execution_arn, entries)

    store.record_events = counted  # type: ignore[method-assign]
    return service, commits


def test_an_exit_is_committed_with_the_entry_that_follows(tmp_path: Path) -> None:
    service, commits = _run(str(tmp_path / "s.db"), [])
    arn = service.start_execution(service.create_state_machine("m", MACHINE), name="e")
    assert service.wait(arn)["status"] == "SUCCEEDED"
    service.close()
    assert commits == COMMITS


@pytest.mark.parametrize("stop_at", range(2, len(COMMITS) + 1))
def test_a_service_stopped_at_any_commit_resumes_to_the_same_end(tmp_path: Path, stop_at: int) -> None:
    db, calls = str(tmp_path / "s.db"), []
    first, _ = _run(db, calls, fail_at=stop_at)
    arn = first.start_execution(first.create_state_machine("m", MACHINE), name="e")
    assert first.wait(arn)["status"] == "RUNNING"  # stopped where its store refused an event
    first.close()
    stored = [event["type"] for event in first.store.events(arn)]
    assert stored == [kind for commit in COMMITS[: stop_at - 1] for kind in commit]  # whole commits only

    second, _ = _run(db, calls)
    assert second.resumed == 1
    described = second.wait(arn)
    events = second.history(arn)
    second.close()
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"n": 2}
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
    assert entered == ["A", "Add", "B", "Done"]  # no state entered twice
    # The task runs again only when it started but its result was not stored before the stop.
    assert len(calls) == (2 if "LambdaFunctionStarted" in stored and "LambdaFunctionSucceeded" not in stored else 1)

