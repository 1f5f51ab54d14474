"""``arn:aws:states:::states:startExecution`` on local state machines.

A run can be given the other state machines it may start
(``run(..., state_machines={"arn or name": machine})``). Starting one of
them runs it as a child execution on a thread; ``.sync`` and ``.sync:2``
wait for it and return AWS's ``DescribeExecution``-shaped result (with
``Input``/``Output`` as JSON text for ``.sync``, parsed for ``.sync:2``); a
child that fails fails the task with ``States.TaskFailed`` whose cause is
that result's JSON (AWS-recorded). Without ``.sync`` the task returns
``{"ExecutionArn", "StartDate"}`` at once.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime
from typing import Any, Callable, Generic, Mapping, Protocol, TypeVar

from ..dataflow.jsonpath import to_json
from ..errors import StatesError
from ..model.arns import Arn
from .timeouts import TaskWatch

__all__ = ["ChildOutcome", "LocalChildren"]


class ChildOutcome(Protocol):
    """What a finished child execution tells its parent (``asl_engine.Execution``)."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    start_date: datetime | None
    stop_date: datetime | None


Machine = TypeVar("Machine")


def _millis(moment: Any) -> int:
    return int(moment.timestamp() * 1000) if moment is not None else 0


class _Child:
    def __init__(self, arn: str, name: str, machine_arn: str, input_value: Any, run: Callable[[], ChildOutcome], pattern: str | None) -> None:
        self.arn = arn
        self.name = name
        self.machine_arn = machine_arn
        self.input = input_value
        self.pattern = pattern
        self.execution: ChildOutcome | None = None
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._start_ms = 0

        def target() -> None:
            try:
                self.execution = run()
            except BaseException as exc:  # noqa: BLE001 - reported to the parent task
                self.error = exc
            finally:
                self._done.set()

        self._thread = threading.Thread(target=target, name=f"asl-child-{name}", daemon=True)
        self._thread.start()

    def started_response(self) -> dict[str, Any]:
        return {"ExecutionArn": self.arn, "StartDate": self._start_ms}

    def result(self, watch: TaskWatch | None, cancel: threading.Event) -> Any:
        """``.sync``: wait for the child (its limits judged on the clock by
        ``watch``); without ``.sync``, the start response at once."""
        if self.pattern is None:
            return self.started_response()
        if watch is None:
            while not self._done.wait(0.05):
                if cancel.is_set():
                    return None
        elif not watch.wait(self._done, cancel, poll=0.05):
            return None
        if self.error is not None:
            raise self.error
        execution = self.execution
        assert execution is not None
        late = watch.expired(execution.stop_date) if watch is not None and execution.stop_date is not None else None
        if late is not None:
            raise late
        parsed = self.pattern == "sync:2"
        described: dict[str, Any] = {
            "ExecutionArn": self.arn,
            "Input": self.input if parsed else to_json(self.input),
            "InputDetails": {"Included": True},
            "Name": self.name,
            "StartDate": _millis(execution.start_date),
            "StateMachineArn": self.machine_arn,
            "Status": execution.status if execution.status == "SUCCEEDED" else "FAILED",
            "StopDate": _millis(execution.stop_date),
        }
        if execution.status == "SUCCEEDED":
            described["Output"] = execution.output if parsed else to_json(execution.output)
            described["OutputDetails"] = {"Included": True}
            return dict(sorted(described.items()))
        if execution.error is not None:
            described["Error"] = execution.error
        if execution.cause is not None:
            described["Cause"] = execution.cause
        raise StatesError("States.TaskFailed", json.dumps(dict(sorted(described.items())), separators=(",", ":")))


class LocalChildren(Generic[Machine]):
    """Starts the local state machines a run knows, by ARN or by name.

    ``arn_of(machine, name)`` names a child's execution, once;
    ``run_child(machine, input, name, arn)`` runs it to its end under that
    ARN. The machines are opaque here: the public API gives them
    (``StateMachine``) and runs them.
    """

    def __init__(
        self,
        machines: Mapping[str, Machine],
        run_child: Callable[[Machine, Any, str, str], ChildOutcome],
        arn_of: Callable[[Machine, str], str],
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._machines = dict(machines)
        self._run_child = run_child
        self._arn_of = arn_of
        self._new_id = new_id  # names children not given a Name

    def _find(self, arn: str) -> Machine | None:
        if arn in self._machines:
            return self._machines[arn]
        parsed = Arn.parse(arn)
        return self._machines.get(parsed.last_name if parsed is not None else arn)

    def start(self, parameters: Any, pattern: str | None) -> _Child | None:
        """Start the child named by ``StateMachineArn``; None when it is not local."""
        if not isinstance(parameters, dict) or not isinstance(parameters.get("StateMachineArn"), str):
            return None
        machine = self._find(parameters["StateMachineArn"])
        if machine is None:
            return None
        name = parameters.get("Name") or self._new_id()
        raw_input = parameters.get("Input")
        if isinstance(raw_input, str):
            try:
                raw_input = json.loads(raw_input)
            except json.JSONDecodeError:
                raise StatesError("States.Runtime", "The Input of states:startExecution is not valid JSON") from None
        input_value = {} if raw_input is None else raw_input
        arn = self._arn_of(machine, name)
        return _Child(
            arn,
            name,
            parameters["StateMachineArn"],
            input_value,
            lambda: self._run_child(machine, input_value, name, arn),
            pattern,
        )
