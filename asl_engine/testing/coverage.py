"""State machine coverage, measured from execution histories (like coverage.py for lines).

For each state machine, what its definition offers and what the recorded
runs reached:

* **states**: each state (at any depth) entered at least once;
* **transitions**: each arc a run can take: ``Next``, every Choice rule's
  target and its ``Default`` (one arc per distinct target: rules that share a
  target are one branch, as coverage.py counts arcs), every Catcher's
  target; taken when a state's ``StateExited`` is the ``previousEventId`` of
  the next state's ``StateEntered``;
* **retriers**: a Retrier triggered: a Task's failure (its ``Task*Failed`` /
  ``Task*TimedOut`` event names the error) followed by another attempt of the
  same state, credited to the first Retrier whose ``ErrorEquals`` matches, as
  the engine chooses; for a Map or Parallel (AWS records no error name for
  them) only when the state has a single Retrier;
* **catchers**: a Catcher that sent the run to its target after a failure
  (the first matching Catcher for a Task; for a Map or Parallel, the first
  Catcher with that target);
* **branches**: each Parallel branch and Map item processor that ran (its
  first state entered).

Coverage is the covered items over all items, per kind and in total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..model.states import ChoiceState, MapState, ParallelState, Program, State
from ..runtime.retry import error_matches

__all__ = ["KINDS", "MachineCoverage", "all_states", "measure", "offered"]

KINDS = ("states", "transitions", "retriers", "catchers", "branches")

_FAILURES = frozenset({
    "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
    "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed", "LambdaFunctionScheduleFailed",
    "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed", "MapStateFailed", "ParallelStateFailed",
})
_FANOUT_STARTED = frozenset({"MapStateStarted", "ParallelStateStarted"})
_FANOUT_CLOSED = frozenset({"MapStateSucceeded", "MapStateFailed", "ParallelStateSucceeded", "ParallelStateFailed"})
_ATTEMPTS = frozenset({"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled", "MapStateStarted", "ParallelStateStarted"})


@dataclass
class MachineCoverage:
    """What one state machine offers (``items``) and what its runs covered, per kind."""

    name: str
    items: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    covered: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    runs: int = 0

    def percent(self, kind: str | None = None) -> float:
        kinds = KINDS if kind is None else (kind,)
        total = sum(len(self.items[k]) for k in kinds)
        done = sum(len(self.covered[k] & set(self.items[k])) for k in kinds)
        return 100.0 if total == 0 else 100.0 * done / total

    def missing(self, kind: str) -> list[str]:
        return [item for item in self.items[kind] if item not in self.covered[kind]]

    def as_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "percent": round(self.percent(), 2),
            **{kind: {"total": len(self.items[kind]), "covered": len(self.covered[kind] & set(self.items[kind])),
                      "missing": self.missing(kind)} for kind in KINDS},
        }


def all_states(program: Program) -> Iterable[State]:
    """Every state of ``program``, nested branches and item processors included."""
    for state in program.states.values():
        yield state
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from all_states(branch)
        elif isinstance(state, MapState) and state.processor is not None:
            yield from all_states(state.processor)


def _arcs(state: State) -> list[str]:
    targets: list[str] = []
    if isinstance(state, ChoiceState):
        targets += [rule.next for rule in state.choices]
        if state.default is not None:
            targets.append(state.default)
    elif state.next is not None:
        targets.append(state.next)
    targets += [catcher.next for catcher in state.catchers]
    return [f"{state.name} -> {target}" for target in dict.fromkeys(targets)]


def offered(name: str, program: Program) -> MachineCoverage:
    """The items of a machine's coverage, nothing covered yet."""
    report = MachineCoverage(name)
    for state in all_states(program):
        report.items["states"].append(state.name)
        report.items["transitions"] += _arcs(state)
        report.items["retriers"] += [f"{state.name}.Retry[{i}]" for i in range(len(state.retriers))]
        report.items["catchers"] += [f"{state.name}.Catch[{i}]" for i in range(len(state.catchers))]
        if isinstance(state, ParallelState):
            report.items["branches"] += [f"{state.name}.Branches[{i}]" for i in range(len(state.branches))]
        elif isinstance(state, MapState) and state.processor is not None:
            report.items["branches"].append(f"{state.name}.ItemProcessor")
    return report


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def measure(report: MachineCoverage, program: Program, history: list[dict[str, Any]]) -> None:
    """Add what one run's ``history`` covered to ``report``."""
    states = {state.name: state for state in all_states(program)}
    starts = {}
    for state in states.values():
        if isinstance(state, ParallelState):
            starts.update({branch.start_at: f"{state.name}.Branches[{i}]" for i, branch in enumerate(state.branches)})
        elif isinstance(state, MapState) and state.processor is not None:
            starts[state.processor.start_at] = f"{state.name}.ItemProcessor"
    by_id = {event["id"]: event for event in history}
    owner: dict[int, str] = {}  # event id -> the state whose visit it belongs to
    failure: dict[str, str | None] = {}  # state -> error of its last failure in this visit
    attempted: set[str] = set()  # states that made an attempt in their current visit
    fanouts: list[str] = []  # Map/Parallel states started and not closed (their closing events are not chained)
    report.runs += 1
    covered = report.covered
    for event in history:
        kind, details = event["type"], _details(event)
        previous = by_id.get(event.get("previousEventId", 0))
        if kind.endswith("StateEntered"):
            name = details.get("name", "")
            owner[event["id"]] = name
            failure.pop(name, None)
            attempted.discard(name)
            covered["states"].add(name)
            if name in starts:
                covered["branches"].add(starts[name])
            if previous is not None and previous["type"].endswith("StateExited"):
                source = _details(previous).get("name", "")
                covered["transitions"].add(f"{source} -> {name}")
                _credit_catch(report, states.get(source), name, failure.pop(source, "\0none"))
            continue
        name = owner.get(event.get("previousEventId", 0), "")
        if kind.endswith("StateExited"):
            name = details.get("name", name)
            owner[event["id"]] = name
            continue
        if kind in _FANOUT_CLOSED and fanouts:
            name = fanouts.pop()
        owner[event["id"]] = name
        current = states.get(name)
        if current is None:
            continue
        if kind in _FAILURES:
            failure[name] = details.get("error")
        elif kind in _ATTEMPTS:
            if kind in _FANOUT_STARTED and (not fanouts or fanouts[-1] != name):
                fanouts.append(name)  # a retried attempt reopens the same one
            if name in attempted:  # another attempt in the same visit: a Retrier fired
                _credit_retry(report, current, failure.pop(name, None))
            attempted.add(name)


def _credit_retry(report: MachineCoverage, state: State, error: str | None) -> None:
    retriers = state.retriers
    if isinstance(state, (MapState, ParallelState)):
        if len(retriers) == 1:
            report.covered["retriers"].add(f"{state.name}.Retry[0]")
        return
    for index, retrier in enumerate(retriers):
        if error_matches(retrier.error_equals, error):
            report.covered["retriers"].add(f"{state.name}.Retry[{index}]")
            return


def _credit_catch(report: MachineCoverage, state: State | None, target: str, error: str | None) -> None:
    if state is None or error == "\0none":
        return
    for index, catcher in enumerate(state.catchers):
        known = not isinstance(state, (MapState, ParallelState))
        if catcher.next == target and (not known or error_matches(catcher.error_equals, error)):
            report.covered["catchers"].add(f"{state.name}.Catch[{index}]")
            return
