"""Inject errors into every Task and see where each one ends.

``inject_errors(machine, input)`` runs the machine once per (Task state,
error): that Task fails with the error on every attempt (so its Retriers run
out), every other Task answers with its own parameters (a mock, so no
handler, callback or AWS call is needed), on a virtual clock. The errors
tried for a Task are the names its Retry and Catch list (not
``States.ALL``), plus ``States.Timeout`` and ``States.TaskFailed``. Give the
other Tasks realistic answers with ``mocks`` (a happy-path test case of a
MockConfigFile): answering with their parameters may not have the shape the
states after them read (a run that then fails with ``States.Runtime`` says
so).

The report says, for each injection, how the run ended and which Catchers
and Retriers handled it; the Retriers and Catchers that no injected error
reached (dead handlers, or ones only a real service's error names reach);
and the injections that end the execution with the injected error
uncaught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..api import StateMachine
from ..execution.clock import VirtualClock
from ..model.states import Program, State, TaskState
from .coverage import MachineCoverage, all_states, measure, offered

__all__ = ["Injection", "InjectionReport", "inject_errors"]

ALWAYS_TRIED = ("States.Timeout", "States.TaskFailed")


@dataclass(frozen=True)
class Injection:
    """One run: ``error`` thrown by ``state``, and how the execution ended."""

    state: str
    error: str
    status: str
    final_error: str | None
    handled_by: tuple[str, ...]
    reached: bool = True  # whether the run invoked the state at all

    @property
    def uncaught(self) -> bool:
        """The injected error itself ended the execution."""
        return (self.reached and self.status == "FAILED" and self.final_error == self.error
                and not any(".Catch[" in h for h in self.handled_by))

    def outcome(self) -> str:
        if not self.reached:
            return "not reached on this input"
        handled = f"handled by {', '.join(self.handled_by)}; " if self.handled_by else ""
        ending = self.status if self.status == "SUCCEEDED" else f"{self.status} {self.final_error}"
        return f"{handled}{'UNCAUGHT: ' if self.uncaught else ''}{ending}"


@dataclass
class InjectionReport:
    machine: str
    injections: list[Injection] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)

    @property
    def uncaught(self) -> list[Injection]:
        return [i for i in self.injections if i.uncaught]

    def text(self) -> str:
        width = max([len(i.state) for i in self.injections] + [5])
        ewidth = max([len(i.error) for i in self.injections] + [5])
        lines = [f"{len(self.injections)} errors injected into the Task states of {self.machine}:",
                 f"  {'state':<{width}}  {'error':<{ewidth}}  outcome"]
        lines += [f"  {i.state:<{width}}  {i.error:<{ewidth}}  {i.outcome()}" for i in self.injections]
        lines.append("Retriers and Catchers no injected error reached: " + (", ".join(self.unreached) or "none"))
        uncaught = [f"{i.state} {i.error}" for i in self.uncaught]
        lines.append("Injections that end the execution uncaught: " + (", ".join(uncaught) or "none"))
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "injections": [{"state": i.state, "error": i.error, "status": i.status, "finalError": i.final_error,
                            "handledBy": list(i.handled_by), "reached": i.reached, "uncaught": i.uncaught}
                           for i in self.injections],
            "unreached": self.unreached,
            "uncaught": [{"state": i.state, "error": i.error} for i in self.uncaught],
        }


def _tasks(program: Program) -> Iterable[TaskState]:
    return (state for state in all_states(program) if isinstance(state, TaskState))


def _errors(state: State) -> list[str]:
    names: list[str] = []
    for equals in [r.error_equals for r in state.retriers] + [c.error_equals for c in state.catchers]:
        names += [n for n in equals if n != "States.ALL"]
    return list(dict.fromkeys([*names, *ALWAYS_TRIED]))


def _echo(request: Any) -> dict[str, Any]:
    return {"Return": request.parameters}


def inject_errors(machine: StateMachine, input: Any = None, mocks: Mapping[str, Any] | None = None) -> InjectionReport:
    """Run ``machine`` once per (Task, error) and report where each error ends.

    ``mocks`` answer the Tasks not failing in a run (e.g. a MockConfigFile's
    happy-path test case), so that their outputs have the shapes the states
    after them expect; a Task without one answers with its parameters."""
    program = machine.model.program
    tasks = list(_tasks(program))
    report = InjectionReport(machine.name)
    total = offered(machine.name, program)
    for task in tasks:
        for error in _errors(task):
            calls: list[int] = []

            def throw(request: Any, error: str = error, calls: list[int] = calls) -> dict[str, Any]:
                calls.append(1)
                return {"Throw": {"Error": error, "Cause": f"injected by asl inject-errors into {task.name}"}}

            run_mocks: dict[str, Any] = {other.name: _echo for other in tasks}
            run_mocks.update(mocks or {})
            run_mocks[task.name] = throw
            execution = machine.run(input, mocks=run_mocks, clock=VirtualClock())
            run = MachineCoverage(machine.name, items=total.items)
            measure(run, program, execution.history)
            measure(total, program, execution.history)
            handled = tuple(sorted(run.covered["retriers"] | run.covered["catchers"]))
            report.injections.append(Injection(task.name, error, execution.status, execution.error, handled, bool(calls)))
    report.unreached = total.missing("retriers") + total.missing("catchers")
    return report
