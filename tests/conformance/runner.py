"""Run one corpus case against ``asl_engine`` and judge the result.

Shared by the pytest suite (``test_localstack.py``) and the command-line
report (``report.py``). The engine is imported lazily so that this module
imports even while the engine is being written.

What a case run does:

1. ``asl_engine.load(definition)``;
2. ``machine.run(input, mocks=..., clock=VirtualClock(), account="111111111111",
   region="us-east-1", state_machine_type=...)`` with the case's recorded task
   results replayed as mocks (see :func:`build_mocks`);
3. compare status; output (SUCCEEDED) or error and cause (FAILED) with the
   placeholder-aware :class:`~matching.Matcher`; and, when recorded, the
   history: the exact sequence of ``type`` (+ ``name`` for state
   entered/exited events, ``name``/``index`` for ``MapIteration*`` events)
   for machines without Map/Parallel, a multiset otherwise (README rule 3).
"""

from __future__ import annotations

import collections
import contextlib
import copy
import re
import difflib
import json
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

if __package__:
    from .corpus import Case, nested_state_names, state_types
    from .matching import Matcher, short_json, tokens_for_case
else:  # imported as a top-level module (report.py run as a script)
    from corpus import Case, nested_state_names, state_types  # type: ignore[no-redef]
    from matching import Matcher, short_json, tokens_for_case  # type: ignore[no-redef]

__all__ = [
    "ACCOUNT",
    "REGION",
    "CaseResult",
    "build_mocks",
    "engine_unavailable_reason",
    "run_case",
    "simplify_history",
]

ACCOUNT = "111111111111"
REGION = "us-east-1"
#: Wall-clock seconds a single case may take before it is reported as hanging.
CASE_TIMEOUT = float(os.environ.get("ASL_CONFORMANCE_CASE_TIMEOUT", "10"))

TIMEOUT_EVENTS = frozenset({"TaskTimedOut", "LambdaFunctionTimedOut", "ActivityTimedOut"})
#: Error reported by a replay mock that has no recorded result left to give.
NO_RESULT_ERROR = "Conformance.NoRecordedResult"

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _import_engine() -> Any:
    if str(_REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(_REPO_ROOT))
    import asl_engine  # noqa: PLC0415 - lazy on purpose

    return asl_engine


def engine_unavailable_reason() -> str | None:
    """``None`` when ``asl_engine.load`` exists; else why the suite cannot run yet.

    An ``ImportError`` of the package itself is *not* hidden: it propagates.
    """
    engine = _import_engine()
    missing = [name for name in ("load", "VirtualClock") if not hasattr(engine, name)]
    if missing:
        return "asl_engine does not provide " + ", ".join(missing) + " yet"
    return None


# ------------------------------------------------------------------ mocks
def task_response(entry: dict[str, Any]) -> dict[str, Any]:
    """The mock response (``Return``/``Throw``) that replays one recorded task result."""
    event = entry.get("event", "")
    cause = entry.get("cause")
    if cause is not None and not isinstance(cause, str):
        # cause_text "parsed-object": only the parsed object is known.
        cause = json.dumps(cause, ensure_ascii=False)
    if event in TIMEOUT_EVENTS:
        throw: dict[str, Any] = {"Error": "States.Timeout"}
        if cause is not None:
            throw["Cause"] = cause
        return {"Throw": throw}
    if "output" in entry:
        return {"Return": copy.deepcopy(entry["output"])}
    if "error" in entry or "cause" in entry or event.endswith(("Failed", "TimedOut")):
        throw = {}
        if "error" in entry:
            throw["Error"] = entry["error"]
        if cause is not None:
            throw["Cause"] = cause
        return {"Throw": throw}
    return {"Return": None}


@dataclass
class ReplayMock:
    """A callable mock for states whose calls may come in any order (Map/Parallel).

    Picks, among the unused recorded entries of the state, the first whose
    ``map_iteration_index`` equals ``request.map_index`` and whose recorded
    ``parameters`` match ``request.parameters`` (placeholder-aware); failing
    that the first with the right map index; failing that the next unused
    entry in recorded order. When none is left: ``{"Pending": True}`` for a
    task that AWS never completed, else a ``Conformance.NoRecordedResult``
    failure (also written to ``log``).
    """

    state_name: str
    entries: list[dict[str, Any]]
    matcher: Matcher
    pending_when_exhausted: bool
    log: list[str]
    used: list[bool] = field(init=False)
    lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.used = [False] * len(self.entries)

    def _pick(self, request: Any) -> int | None:
        map_index = getattr(request, "map_index", None)
        parameters = getattr(request, "parameters", None)
        unused = [i for i, used in enumerate(self.used) if not used]

        def index_ok(i: int) -> bool:
            recorded = self.entries[i].get("map_iteration_index")
            return recorded is None or map_index is None or recorded == map_index

        def params_ok(i: int) -> bool:
            entry = self.entries[i]
            return "parameters" not in entry or self.matcher.match(entry["parameters"], parameters) is None

        for choose in (
            lambda i: index_ok(i) and params_ok(i),
            index_ok,
            lambda i: True,
        ):
            for i in unused:
                if choose(i):
                    return i
        return None

    def __call__(self, request: Any) -> dict[str, Any]:
        with self.lock:
            index = self._pick(request)
            if index is None:
                if self.pending_when_exhausted:
                    return {"Pending": True}
                self.log.append(
                    f"mock {self.state_name!r}: called more often than recorded "
                    f"({len(self.entries)} result(s)); request parameters="
                    f"{short_json(getattr(request, 'parameters', None))}, "
                    f"map_index={getattr(request, 'map_index', None)}"
                )
                return {"Throw": {"Error": NO_RESULT_ERROR,
                                  "Cause": f"no recorded result left for state {self.state_name}"}}
            self.used[index] = True
            entry = self.entries[index]
            if "parameters" in entry and self.matcher.match(entry["parameters"], getattr(request, "parameters", None)):
                self.log.append(
                    f"mock {self.state_name!r}: no unused recorded result has the request's parameters; "
                    f"replayed entry #{index}. request={short_json(getattr(request, 'parameters', None))}"
                )
            return task_response(entry)


def build_mocks(case: Case, log: list[str] | None = None) -> dict[str, Any]:
    """``mocks`` for ``machine.run``: one entry per state with recorded results.

    Sequential states get a plain list of responses (replayed in order);
    states inside Map/Parallel, or whose entries carry
    ``map_iteration_index``, get a :class:`ReplayMock`. States listed in
    ``tasks_without_recorded_result`` end with ``{"Pending": True}``.
    """
    log = log if log is not None else []
    nested = nested_state_names(case.definition)
    pending = set(case.tasks_without_recorded_result)
    matcher = Matcher(tokens_for_case(case.placeholders))
    mocks: dict[str, Any] = {}
    for name, entries in case.task_results.items():
        if name in nested or any("map_iteration_index" in e for e in entries):
            mocks[name] = ReplayMock(name, list(entries), matcher, name in pending, log)
        else:
            responses = [task_response(e) for e in entries]
            if name in pending:
                responses.append({"Pending": True})
            mocks[name] = responses
    for name in pending - set(mocks):
        mocks[name] = [{"Pending": True}]
    return mocks


# ---------------------------------------------------------------- history
def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def simplify_event(event: dict[str, Any]) -> dict[str, Any]:
    """An engine history event reduced to the corpus's ``{type, name?, index?}`` form."""
    kind = event.get("type")
    out: dict[str, Any] = {"type": kind}
    if not isinstance(kind, str):
        return out
    if kind.endswith("StateEntered"):
        details = event.get("stateEnteredEventDetails") or {}
        out["name"] = details.get("name")
    elif kind.endswith("StateExited"):
        details = event.get("stateExitedEventDetails") or {}
        out["name"] = details.get("name")
    elif kind.startswith("MapIteration"):
        details = event.get(_lower_first(kind) + "EventDetails") or {}
        out["name"] = details.get("name")
        out["index"] = details.get("index")
    return out


def simplify_history(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [simplify_event(e) for e in events]


def _event_key(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event.get("type"), event.get("name"), event.get("index"))


def _event_text(event: dict[str, Any]) -> str:
    text = str(event.get("type"))
    if "name" in event:
        text += f" {event.get('name')!r}"
    if "index" in event:
        text += f" #{event.get('index')}"
    return text


PARALLEL_SORT_NOTE = "Parallel branch events sorted"
_PARALLEL_CLOSERS = frozenset(
    {"ParallelStateSucceeded", "ParallelStateAborted", "ParallelStateExited", "ParallelStateFailed"}
)


def object_store_for(case: Any) -> Any:
    """The S3 objects the case recorded (``resources.s3_objects``) for ItemReader."""
    objects = (case.raw.get("resources") or {}).get("s3_objects") or []
    if not objects:
        return None
    return _import_engine().InMemoryObjectStore({(o["bucket"], o["key"]): o["body"] for o in objects})


_RESOURCE_PLACEHOLDER = re.compile(r"<[A-Za-z0-9_:.-]+>")


def definition_for_engine(definition: Any) -> Any:
    """A copy of the recorded definition that the engine can load.

    The recording tool replaced fixture values inside ``Resource`` ARNs with
    tokens (``function:<lambda_function_name>``) that are not valid ARN
    characters; AWS saw real names. Mocks are chosen by state name, so the
    name itself does not matter: the tokens become ``placeholder``.
    """
    if isinstance(definition, dict):
        return {
            key: _RESOURCE_PLACEHOLDER.sub("placeholder", value)
            if key == "Resource" and isinstance(value, str)
            else definition_for_engine(value)
            for key, value in definition.items()
        }
    if isinstance(definition, list):
        return [definition_for_engine(item) for item in definition]
    return definition


def emulate_parallel_normaliser(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine history as LocalStack's snapshot tool would have stored it.

    Cases noted "Parallel branch events sorted" were recorded through
    LocalStack's ``SfnNoneRecursiveParallelTransformer``: after each
    ``ParallelStateStarted`` it collects the branch events and, at each
    Parallel closing event (Succeeded/Aborted/Exited/Failed), writes the
    sorted collection back over the slice from the start *up to that event*
    while iterating over the list it shrinks. At the second closing event
    (``ParallelStateExited`` after ``ParallelStateSucceeded``) the slice
    also holds the first closing event, which is thereby deleted, and the
    iteration skips the event that moved into the current position. So the
    recorded histories lack e.g. ``ParallelStateSucceeded`` and, when nested,
    the inner ``ParallelStateExited``. This applies the same transformation
    (branch order aside: compare the result as a multiset).
    """
    out = [dict(e) for e in events]
    start: int | None = None
    sublist: list[dict[str, Any]] = []
    collecting = False
    i = 0
    while i < len(out):
        kind = out[i].get("type")
        if kind is None:
            collecting = False
        elif kind in _PARALLEL_CLOSERS:
            if start is not None:
                out[start:i] = sorted(sublist, key=_event_text)
            collecting = False
        elif kind == "ParallelStateStarted":
            collecting = True
            sublist = []
            start = i + 1
        elif collecting:
            sublist.append(out[i])
        i += 1
    return out


def compare_history_sequence(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> tuple[str, str] | None:
    """Exact order. Returns ``(one-line, details)`` or ``None``."""
    exp = [_event_text(e) for e in expected]
    act = [_event_text(e) for e in actual]
    if exp == act:
        return None
    first = next((i for i, (a, b) in enumerate(zip(exp, act)) if a != b), min(len(exp), len(act)))
    got = act[first] if first < len(act) else "<end of history>"
    want = exp[first] if first < len(exp) else "<end of history>"
    one_line = f"history differs at event {first + 1}: expected {want}, got {got}"
    diff = list(difflib.unified_diff(exp, act, "expected (AWS)", "actual (engine)", lineterm="", n=2))
    details = one_line + f" ({len(exp)} events expected, {len(act)} produced)\n" + "\n".join(diff[:60])
    if len(diff) > 60:
        details += f"\n... ({len(diff) - 60} more diff lines)"
    return one_line, details


def compare_history_multiset(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> tuple[str, str] | None:
    """Same events in any order (Map/Parallel). Returns ``(one-line, details)`` or ``None``."""
    exp = collections.Counter(_event_text(e) for e in expected)
    act = collections.Counter(_event_text(e) for e in actual)
    if exp == act:
        return None
    missing = exp - act
    extra = act - exp

    def fmt(counter: collections.Counter[str]) -> str:
        return ", ".join(f"{k} x{v}" if v > 1 else k for k, v in sorted(counter.items())) or "-"

    one_line = f"history (as multiset) differs: missing [{fmt(missing)}]; unexpected [{fmt(extra)}]"
    if len(one_line) > 240:
        one_line = one_line[:237] + "..."
    details = (
        "history compared as a multiset (Map/Parallel present):\n"
        f"  missing (in AWS, not produced): {fmt(missing)}\n"
        f"  unexpected (produced, not in AWS): {fmt(extra)}\n"
        "  expected sequence:\n    " + "\n    ".join(_event_text(e) for e in expected) + "\n"
        "  actual sequence:\n    " + "\n    ".join(_event_text(e) for e in actual)
    )
    return one_line, details


# ---------------------------------------------------------------- running
class CaseTimeout(Exception):
    """The case ran longer than :data:`CASE_TIMEOUT` seconds of wall-clock time."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the main thread after *seconds* (no-op off the main thread or on Windows)."""
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"case still running after {seconds:g}s of wall-clock time (hang?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Problem:
    """One failed check: a one-line summary and a multi-line explanation."""

    what: str  # status | output | error | cause | history | engine | definition | harness
    summary: str
    details: str = ""


@dataclass
class CaseResult:
    case: Case
    problems: list[Problem] = field(default_factory=list)
    harness_log: list[str] = field(default_factory=list)
    seconds: float = 0.0
    execution: Any = None

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        """One line: the first problem (what failed), for reports."""
        if not self.problems:
            return "passed"
        first = self.problems[0]
        text = f"{first.what}: {first.summary}"
        if len(self.problems) > 1:
            text += f" (+{len(self.problems) - 1} more: {', '.join(p.what for p in self.problems[1:])})"
        return text.replace("\n", " ")

    def report(self) -> str:
        """The full multi-line failure message."""
        case = self.case
        lines = [
            f"conformance case {case.id}",
            f"  file: {case.file}",
            f"  recording: {case.recording}; type: {case.state_machine_type}; "
            f"features: {', '.join(case.features)}",
        ]
        for problem in self.problems:
            lines.append("")
            lines.append(f"[{problem.what}] {problem.summary}")
            if problem.details and problem.details != problem.summary:
                lines.extend("    " + line for line in problem.details.splitlines())
        if self.harness_log:
            lines.append("")
            lines.append("replay mock notes:")
            lines.extend("    " + line for line in self.harness_log)
        execution = self.execution
        if execution is not None:
            lines.append("")
            lines.append(
                f"engine result: status={getattr(execution, 'status', None)} "
                f"error={short_json(getattr(execution, 'error', None))} "
                f"cause={short_json(getattr(execution, 'cause', None), 300)}"
            )
            lines.append(f"  output={short_json(getattr(execution, 'output', None), 600)}")
        if case.notes:
            lines.append("case notes: " + " | ".join(case.notes))
        return "\n".join(lines)


def _exception_text(exc: BaseException) -> str:
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(tb)
    tail = text.splitlines()[-25:]
    return "\n".join(tail)


def run_case(case: Case, *, timeout: float | None = None) -> CaseResult:
    """Run *case* on the engine and compare with the recording."""
    engine = _import_engine()
    result = CaseResult(case)
    started = time.perf_counter()
    try:
        _run_and_compare(engine, case, result, CASE_TIMEOUT if timeout is None else timeout)
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _run_and_compare(engine: Any, case: Case, result: CaseResult, timeout: float) -> None:
    try:
        machine = engine.load(definition_for_engine(case.definition))
    except engine.DefinitionError as exc:
        diagnostics = getattr(exc, "diagnostics", None) or []
        first = str(diagnostics[0].format() if diagnostics and hasattr(diagnostics[0], "format") else exc)
        first = first.splitlines()[0] if first else type(exc).__name__
        result.problems.append(Problem(
            "definition", f"asl_engine.load rejected a definition AWS accepted: {first}", str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - any engine crash is a finding
        result.problems.append(Problem(
            "engine", f"asl_engine.load raised {type(exc).__name__}: {exc}", _exception_text(exc)))
        return

    mocks = build_mocks(case, result.harness_log)
    try:
        with time_limit(timeout):
            execution = machine.run(
                copy.deepcopy(case.input),
                mocks=mocks,
                clock=engine.VirtualClock(),
                account=ACCOUNT,
                region=REGION,
                state_machine_type=case.state_machine_type,
                object_store=object_store_for(case),
            )
    except CaseTimeout as exc:
        result.problems.append(Problem("engine", str(exc), _exception_text(exc)))
        return
    except Exception as exc:  # noqa: BLE001
        result.problems.append(Problem(
            "engine", f"machine.run raised {type(exc).__name__}: {str(exc)[:200]}", _exception_text(exc)))
        return
    result.execution = execution
    compare_execution(case, execution, result)


def compare_execution(case: Case, execution: Any, result: CaseResult) -> None:
    """Append to ``result.problems`` every difference between *execution* and the recording."""
    expected = case.expected
    matcher = Matcher(tokens_for_case(case.placeholders), parse_json_strings=case.has_parsed_object_task_cause)
    status = getattr(execution, "status", None)
    want_status = expected["status"]
    if status != want_status:
        context = (
            f"engine error={short_json(getattr(execution, 'error', None))} "
            f"cause={short_json(getattr(execution, 'cause', None), 200)}"
            if status != "SUCCEEDED"
            else f"engine output={short_json(getattr(execution, 'output', None), 200)}"
        )
        want = (
            f"expected error={short_json(expected.get('error'))} cause={short_json(expected.get('cause'), 120)}"
            if want_status == "FAILED"
            else f"expected output={short_json(expected.get('output'), 120)}"
        )
        result.problems.append(Problem(
            "status", f"expected {want_status}, got {status} ({context})", f"{want}\n{context}"))
    elif want_status == "SUCCEEDED":
        found = matcher.match(expected.get("output"), getattr(execution, "output", None), "$")
        if found is not None:
            result.problems.append(Problem("output", found.one_line(), str(found)))
    elif want_status == "FAILED":
        actual_error = getattr(execution, "error", None)
        actual_cause = getattr(execution, "cause", None)
        if "error" in expected:
            found = matcher.match(expected["error"], actual_error, "error")
            if found is not None:
                result.problems.append(Problem("error", found.one_line(), str(found)))
        elif actual_error is not None:
            result.problems.append(Problem(
                "error", f"AWS reported no error, engine reported {short_json(actual_error)}"))
        if "cause" in expected:
            found = matcher.match_cause(expected["cause"], actual_cause, "cause")
            if found is not None:
                result.problems.append(Problem("cause", found.one_line(), str(found)))
        elif actual_cause is not None:
            result.problems.append(Problem(
                "cause", f"AWS reported no cause, engine reported {short_json(actual_cause, 200)}"))

    if case.history is not None:
        events = getattr(execution, "history", None)
        if not isinstance(events, list):
            result.problems.append(Problem("history", f"execution.history is {type(events).__name__}, not a list"))
            return
        actual = simplify_history(events)
        emulated = any(PARALLEL_SORT_NOTE in note for note in case.notes)
        if emulated:
            actual = emulate_parallel_normaliser(actual)
        types = state_types(case.definition)
        if types & {"Map", "Parallel"}:
            diff = compare_history_multiset(case.history, actual)
        else:
            diff = compare_history_sequence(case.history, actual)
        if diff is not None:
            details = diff[1]
            if emulated:
                details += (
                    "\n  (the engine history was first passed through an emulation of the snapshot "
                    "tool's Parallel normaliser, which drops some Parallel closing events; see "
                    "runner.emulate_parallel_normaliser)"
                )
            result.problems.append(Problem("history", diff[0], details))
