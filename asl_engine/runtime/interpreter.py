"""The state loop: runs a compiled ``Program`` and records its history.

Each state type has one handler method that returns ``(next_state, output)``
(``next_state`` ``None`` ends the program). Failures travel as
``StatesError``; the loop applies the state's Catchers, or lets the error end
the program (and the Map iteration, Parallel branch or execution around it).

The JSONPath data flow follows AWS's order exactly:
``InputPath -> Parameters -> <task> -> ResultSelector -> ResultPath -> OutputPath``.

The interpreter keeps no progress of its own: where a program stands (its
state, input, variables, retry counters, branches in flight) is its
``Frame`` (plain data, see ``asl_engine.execution.frame``), and what the
executions of a run share is ``ExecutionServices``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping, cast

from ..dataflow.json_values import copy_json, render
from ..dataflow.jsonpath import Env, PathNotFound, set_path, to_json
from ..dataflow.timestamps import parse_timestamp
from ..errors import QUERY_EVALUATION_ERROR, Aborted, EngineError, StatesError, TimedOut
from ..execution.frame import Frame, locate
from ..execution.quotas import check_payload
from ..execution.variables import VariableBudget
from ..history.events import STATE_ABORTED, STATE_ENTERED, STATE_EXITED, History, Listener, moment
from ..model.states import (
    DISCARD,
    ChoiceState,
    Getter,
    FailState,
    MapState,
    ParallelState,
    PassState,
    Program,
    State,
    SucceedState,
    TaskState,
    WaitState,
)
from .fanout import INLINE_MAP_MAX_CONCURRENCY, Tally, run_all, run_stream
from .inspection import Inspector, VisitInspector
from .numbers import Resolver
from .retry import backoff_delay, error_matches, is_recoverable
from .services import ExecutionInfo, ExecutionServices, iso_time

__all__ = ["ExecutionOutcome", "Inspector", "Interpreter", "iso_time", "run_execution"]


_RETRY_TYPES = ("Task", "Map", "Parallel")
_MAX_WAIT_SECONDS = 2**31 - 1
"""The longest Wait AWS accepts: a Timestamp ~24,856 days (2**31 s) away fails
with ``_WAIT_TOO_LONG``, ``States.Runtime`` in JSONPath and
``States.QueryEvaluationError`` in JSONata (facts file, AWS-recorded)."""
_WAIT_TOO_LONG = "Wait state delay is too long."
_KEEP_AS_VALUE = 64
"""The size bound (characters) from which a compact history keeps a state's
output as a value rather than as text. A smaller document costs less to
serialise (about half a microsecond) than to keep alive for the garbage
collector until the run ends (measured on the 10,000-item Map)."""


@dataclass(slots=True)
class ExecutionOutcome:
    """How one execution ended: ``status`` is ``SUCCEEDED``, ``FAILED``,
    ``TIMED_OUT`` or ``ABORTED``; its history holds every event."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    stop: datetime
    history: History


def run_execution(
    services: ExecutionServices,
    program: Program,
    info: ExecutionInfo,
    input_json: str,
    listeners: list[Listener] | None = None,
    *,
    cancel: threading.Event | None = None,
    history: History | None = None,
    resume: Frame | None = None,
) -> ExecutionOutcome:
    """Run one execution to its end: ``ExecutionStarted``, the program, and the
    event that closes the execution (AWS's shapes). A failed execution is an
    outcome, not an exception; an engine fault is an ``EngineError``.
    ``cancel`` stops it (a parent Map Run's, for a child execution).

    ``history`` is where the events go (default: a new in-memory history).
    ``resume`` carries on an execution stopped mid-run (a crash): its root
    frame restored from the progress stored with the last event of
    ``history`` (which holds the events so far). Nothing recorded is
    recorded again: the state it stood in continues without a second
    ``StateEntered`` (its task is dispatched again: at-least-once, as AWS's
    Task semantics allow).
    """
    if history is None:
        history = services.new_history(info.arn, listeners or ())
    if resume is not None:
        frame = resume
        if cancel is not None:
            frame.cancel = cancel
    else:
        frame = Frame(cancel or threading.Event(), 0)
    history.track(frame.snapshot_json)
    interpreter = Interpreter(services, info, history,
                              VisitInspector(services.inspection) if services.inspection is not None else None)
    if resume is None:
        history.add("ExecutionStarted", 0, {
            "input": input_json,
            "inputDetails": {"truncated": False},
            "roleArn": info.role_arn,
        }, then=frame.started_by)
    status, output, error, cause = "SUCCEEDED", None, None, None
    try:
        output = interpreter.run_program(program, info.input, frame, input_json, resume=resume is not None)
    except StatesError as err:
        status, error, cause = "FAILED", err.error, err.cause
        details = {k: v for k, v in (("error", err.error), ("cause", err.cause)) if v is not None}
        history.add("ExecutionFailed", len(history), details)
    except TimedOut:
        frame.cancel.set()
        status, error = "TIMED_OUT", "States.Timeout"
        history.add("ExecutionTimedOut", len(history), {"error": "States.Timeout"})
    except Aborted:
        status = "ABORTED"
        # A stop request may carry the error and cause StopExecution was given.
        reason = getattr(frame.cancel, "details", None) or {}
        history.add("ExecutionAborted", len(history), {k: reason[k] for k in ("error", "cause") if k in reason})
    except EngineError:
        frame.cancel.set()
        raise
    except RecursionError:
        frame.cancel.set()
        raise EngineError("the state machine nests too deeply for this engine") from None
    except Exception as exc:  # noqa: BLE001 - a bug of ours: report it as an engine fault
        frame.cancel.set()
        raise EngineError(f"internal engine error: {type(exc).__name__}: {exc}") from exc
    else:
        text = to_json(output)
        history.add("ExecutionSucceeded", frame.last_event, {"output": text, "outputDetails": {"truncated": False}})
        if history.holds_values:  # the caller's own copy: the history's documents must not change
            output = json.loads(text)
    return ExecutionOutcome(status, output, error, cause, services.clock.now(), history)


class Interpreter(Resolver):
    """Runs the programs of one execution. Thread-safe: branches share it."""

    def __init__(
        self, services: ExecutionServices, info: ExecutionInfo, history: History, inspector: Inspector | None = None
    ) -> None:
        self.services = services
        # TestState's view of the data-flow steps (``runtime/inspection.py``);
        # None on every execution, where the steps only test it.
        self.inspector = inspector
        # A whole run's inspection: the visit each step belongs to (None for TestState and plain runs).
        self._visits = inspector if isinstance(inspector, VisitInspector) else None
        self.info = info
        self.history = history
        self.clock = services.clock
        self.dispatcher = services.dispatcher
        self._execution_ctx = info.execution_context()
        self._machine_ctx = info.machine_context()
        self._deadline = info.deadline
        self._rng = services.rng
        self._max_payload = services.quotas.payload_bytes
        self._variables = VariableBudget(services.quotas)
        self._handlers: dict[type, Callable[..., tuple[str | None, Any]]] = {
            PassState: self._pass,
            TaskState: self._task,
            ChoiceState: self._choice,
            WaitState: self._wait,
            SucceedState: self._succeed,
            FailState: self._fail,
            ParallelState: self._parallel,
            MapState: self._map,
        }

    @property
    def execution_arn(self) -> str:
        return self.info.arn

    def clock_now(self) -> datetime:
        return self.clock.now()

    def run_child_execution(
        self, program: Program, info: ExecutionInfo, input_json: str, cancel: threading.Event
    ) -> ExecutionOutcome:
        """Run a child execution (a distributed Map's item) on the same services."""
        return run_execution(self.services, program, info, input_json, cancel=cancel)

    # ------------------------------------------------------------------ loop
    def run_program(
        self, program: Program, data: Any, frame: Frame, data_json: str | None = None, *, resume: bool = False
    ) -> Any:
        """Run ``program`` on ``data``; return its output or raise StatesError/Aborted/TimedOut.

        ``data_json`` is ``data`` already serialised, when the caller has it.
        With ``resume``, the program carries on from where ``frame`` stands
        (a restored snapshot): it enters ``frame.state_name`` again with
        ``frame.state_input``, and ``data`` is ignored.
        """
        if resume and frame.ended:
            return frame.state_input  # it had ended; its closing events follow
        states = program.states
        name: str | None = program.start_at
        resumed = resume and bool(frame.state_name)
        if resumed:
            name, data, data_json = frame.state_name, frame.state_input, None
        history = self.history
        # Read once: the loop below runs per state (the hot path).
        now_of, deadline, visits, handlers = self.clock.now, self._deadline, self._visits, self._handlers
        recorded, add_state = history.recorded, history.add_state
        # A compact history takes documents as values: a state's output is
        # serialised only when its size bound is small or could reach the
        # payload quota (``asl_engine.dataflow.sizes``). ``size`` bounds the
        # input's JSON length (-1: unknown, as a task's result: measured).
        lazy, limit = history.compact, self._max_payload
        size = len(data_json) if data_json is not None else -1
        shared = _StateEnv(self)
        # A compact history takes the clock's cheaper reading (``History.stamp``)
        # for a state that does not need the time itself (a Wait counts from it).
        stamp_of = history.stamp if lazy and deadline is None else None
        while name is not None:
            if frame.cancel.is_set():
                raise Aborted()
            state = states[name]
            now: Any
            if stamp_of is not None and type(state) is not WaitState:
                now = stamp_of()
            else:
                now = now_of()
                if deadline is not None and now >= deadline:
                    raise TimedOut()
            if resumed and frame.entered:  # its StateEntered is recorded: carry the state on
                entered, now = frame.entered, frame.entered_at or now
            else:
                if data_json is None and not lazy:
                    data_json = to_json(data)
                if recorded:  # the frame change is stored with the event: make it under its lock
                    entered = add_state(STATE_ENTERED[state.type], frame.last_event, name, data_json, now,
                                        _entering(frame, name, data, resumed, now, data_json))
                else:
                    entered = add_state(STATE_ENTERED[state.type], frame.last_event, name, data_json, now, None, None, data)
                    frame.enter(name, data, entered, resumed, now if type(now) is not int else None, data_json)
            resumed = False
            if type(state) in _OWN_ENV:
                env = self._env(state, now, frame.scope.view)
            else:
                shared.aim(state, now, frame.scope.view)
                env = shared
            if visits is not None:
                visits.begin(name, entered)
            try:
                next_name, output = handlers[type(state)](state, data, env, frame, entered)
            except StatesError as err:
                locate(err, frame)
                catcher = self._find_catcher(state, err)
                if catcher is None:
                    if frame.in_parallel_branch and state.type == "Task":
                        # AWS-recorded: a Task failing out of a Parallel branch is
                        # closed with TaskStateAborted when the Parallel aborts it.
                        frame.last_event = history.add("TaskStateAborted", frame.last_event)
                    if visits is not None:
                        visits.end()
                    raise
                output = self.catcher_output(state, catcher, err, data, env, frame)
                data_json = self._output_json(state, output)
                size = len(data_json)
                self._exited(state, output, frame, catcher.next, data_json)
                if visits is not None:
                    visits.end()
                data, name = output, catcher.next
                continue
            except Aborted:
                aborted = STATE_ABORTED.get(state.type)
                if aborted is not None:
                    frame.last_event = history.add(aborted, frame.last_event)
                if visits is not None:
                    visits.end()
                raise
            # An output that is the input itself (a Choice, most Succeed states)
            # has the input's JSON: values are never changed in place.
            if output is not data:
                growth = state.growth
                known = frame.known_json
                if known is not None and known[0] is output:
                    data_json = known[1]
                    size = len(data_json)
                    frame.known_json = None
                elif (lazy and growth is not None and size >= 0 and (size := growth[0] * size + growth[1]) >= _KEEP_AS_VALUE
                        and (limit is None or size * 4 <= limit)):
                    data_json = None  # within the quota, whatever it holds: serialised if the history is read
                else:
                    data_json = self._output_json(state, output)
                    size = len(data_json)
            self._exited(state, output, frame, next_name, data_json)
            if visits is not None:
                visits.end()
            data, name = output, next_name
        return data

    def catcher_output(self, state: State, catcher: Any, err: StatesError, data: Any, env: Env, frame: Frame) -> Any:
        """The output of ``state`` (entered with ``data``) when ``catcher`` caught ``err``."""
        error_output = err.to_output()
        # A Catcher's own Assign replaces the state's (AWS: the state's
        # top-level Assign is not evaluated when a Catcher matches).
        frame.assigned = None
        if state.jsonata:
            states_var = {"input": data, "context": env.context, "errorOutput": error_output}
            return self._jsonata_finish(frame, env, states_var, catcher.output, catcher.assign, error_output)
        self._assign(catcher.assign, error_output, env, frame)
        return self._apply_result_path(catcher.result_path, data, error_output, env)

    def run_state(self, state: State, data: Any, env: Env, frame: Frame) -> tuple[str | None, Any]:
        """Run ``state`` once on ``data``, outside the loop (TestState): its
        ``(next, output)``; a failure raises ``StatesError`` with no Catcher
        applied (the caller decides, see ``catcher_output``)."""
        return self._handlers[type(state)](state, data, env, frame, 0)

    def state_env(self, state: State, entered: datetime, frame: Frame) -> Env:
        """The expression environment of ``state`` entered at ``entered`` in ``frame``."""
        return self._env(state, entered, frame.scope.view)

    def _output_json(self, state: State, output: Any) -> str:
        """The JSON of ``state``'s output; ``States.DataLimitExceeded`` beyond the payload quota."""
        text = to_json(output)
        limit = self._max_payload
        if limit is not None and len(text) * 4 > limit:  # check_payload's cheap bound, inline (hot path)
            check_payload(text, state.name, limit)
        return text

    def _exited(self, state: State, output: Any, frame: Frame, next_name: str | None, text: str | None) -> None:
        """Apply the state's assignments and record ``<Type>StateExited``; the
        frame then stands before ``next_name`` (or at its end) with ``output``.

        ``text``: the output's JSON, checked against the quota; ``None`` in a
        compact history, when the output is within the quota by its bound.
        """
        assigned = frame.assigned
        texts: dict[str, str] | None = None
        if assigned is not None:
            texts = {name: to_json(value) for name, value in assigned.items()}
            frame.scope.assign(assigned, state.name)
            self._variables.charge(frame.scope, state.name, texts)
            frame.assigned = None
        history = self.history
        if history.recorded:
            # With a next state, its entry is recorded at once: a durable store
            # may keep the two in one transaction (one state transition).
            history.add_state(STATE_EXITED[state.type], frame.last_event, state.name, text, None,
                              lambda event_id: frame.exited(next_name, output, event_id, text), texts,
                              more=next_name is not None)
        else:
            frame.exited(next_name, output,
                         history.add_state(STATE_EXITED[state.type], frame.last_event, state.name, text, None, None, texts,
                                           output),
                         text)

    @staticmethod
    def _assign(assign: Any, value: Any, env: Env, frame: Frame) -> None:
        """Evaluate an ``Assign`` block (``$`` = ``value``); applied when the state exits."""
        if assign is not None:
            frame.assigned = assign.evaluate(value, env)

    def _find_catcher(self, state: State, err: StatesError) -> Any:
        if not state.catchers or not is_recoverable(err.error):
            return None
        for catcher in state.catchers:
            if error_matches(catcher.error_equals, err.error, err.heartbeat):
                return catcher
        return None

    # --------------------------------------------------------------- context
    def _env(self, state: State, entered: datetime | int, variables: Any) -> Env:
        """The environment of a state entered at ``entered``: its context object
        (``$$``) built on first use."""
        return Env(lambda: self.context_of(state, entered), variables, self._rng)

    def context_of(self, state: State, entered: datetime | int) -> dict[str, Any]:
        """The context object (``$$``) of ``state`` entered at ``entered`` (a
        reading of ``History.stamp``)."""
        if isinstance(entered, int):
            entered = moment(entered)
        state_ctx: dict[str, Any] = {"Name": state.name, "EnteredTime": iso_time(entered)}
        if state.type in _RETRY_TYPES:
            state_ctx["RetryCount"] = 0
        return {"Execution": self._execution_ctx, "StateMachine": self._machine_ctx, "State": state_ctx}

    @staticmethod
    def _with_retry_count(env: Env, count: int) -> Env:
        context = dict(env.context)
        context["State"] = dict(context["State"], RetryCount=count)
        return Env(context, env.variables, env.rng)

    # ------------------------------------------------------------- data flow
    @staticmethod
    def _select(path: Any, data: Any, env: Env) -> Any:
        """InputPath / OutputPath: ``$`` keeps, ``null`` gives ``{}``, else the path's value."""
        if path is None:
            return data
        if path is DISCARD:
            return {}
        try:
            return path.get(data, env)
        except PathNotFound as exc:
            raise StatesError("States.Runtime", f"Invalid path '{path.text}' : {exc.message}") from None

    @staticmethod
    def _apply_result_path(path: Any, data: Any, result: Any, env: Env) -> Any:
        if path is None:
            return result
        if path is DISCARD:
            return data
        try:
            return set_path(data, path, result)
        except PathNotFound as exc:
            raise StatesError("States.Runtime", f"Invalid path '{path.text}' : {exc.message}") from None

    def _finish(self, state: State, raw_input: Any, result: Any, env: Env, frame: Frame) -> Any:
        """JSONPath: ResultSelector -> (Assign) -> ResultPath -> OutputPath.
        JSONata: Assign and Output, both seeing ``$states.result``."""
        if state.jsonata:
            states_var = {"input": raw_input, "context": env.context, "result": result}
            return self._jsonata_finish(frame, env, states_var, state.output, state.assign, result)
        if state.result_is_output and self.inspector is None:  # no field to apply (the hot path)
            return result
        if state.result_selector is not None:
            result = state.result_selector.evaluate(result, env)
        self._assign(state.assign, result, env, frame)
        output = self._apply_result_path(state.result_path, raw_input, result, env)
        inspector = self.inspector
        if inspector is not None:
            inspector.record("afterResultSelector", result)
            inspector.record("afterResultPath", output)
        return self._select(state.output_path, output, env)

    # ---------------------------------------------------------------- states
    def _pass(self, state: PassState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            return state.next, self._jsonata_plain(state, data, env, frame)
        path = state.input_path
        effective = data if path is None else self._select(path, data, env)
        if state.has_result:  # AWS uses Result when both Result and Parameters are given
            result = copy_json(state.result)
        elif state.parameters is not None:
            result = state.parameters.evaluate(effective, env)
        else:
            result = effective
        if state.assign is not None:
            frame.assigned = state.assign.evaluate(result, env)
        output = result if state.result_path is None else self._apply_result_path(state.result_path, data, result, env)
        inspector = self.inspector
        if inspector is not None:
            if state.has_result:  # AWS reports a Result as the state's result
                inspector.record("result", result)
            else:
                inspector.record("afterInputPath", effective)
                inspector.record("afterParameters", result)
            inspector.record("afterResultSelector", result)
            inspector.record("afterResultPath", output)
        path = state.output_path
        return state.next, output if path is None else self._select(path, output, env)

    def _succeed(self, state: SucceedState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            return None, self._jsonata_plain(state, data, env, frame)
        effective = self._select(state.input_path, data, env)
        if self.inspector is not None:
            self.inspector.record("afterInputPath", effective)
        return None, self._select(state.output_path, effective, env)

    def _choice(self, state: ChoiceState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            return self._jsonata_choice(state, data, env, frame)
        effective = self._select(state.input_path, data, env)
        if self.inspector is not None:
            self.inspector.record("afterInputPath", effective)
        target = state.default
        for rule in state.choices:
            if rule.predicate is not None and rule.predicate(effective, env):
                target = rule.next
                self._assign(rule.assign, effective, env, frame)
                break
        else:
            if target is None:
                raise StatesError("States.NoChoiceMatched", f"No Choice Rule matched and no Default was given in state '{state.name}'")
            # The state's own Assign applies only when the Default is taken.
            self._assign(state.assign, effective, env, frame)
        return target, self._select(state.output_path, effective, env)

    def _fail(self, state: FailState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        error = state.error
        cause = state.cause
        if state.jsonata:
            states_var = {"input": data, "context": env.context}
            error = self._jsonata_string(error, frame, env, "Error", states_var)
            cause = self._jsonata_string(cause, frame, env, "Cause", states_var)
        else:
            if self.inspector is not None:
                self.inspector.record("afterInputPath", data)
            error = _fail_text(error, "ErrorPath", data, env)
            cause = _fail_text(cause, "CausePath", data, env)
        raise StatesError(error, cause)

    def _wait(self, state: WaitState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            if state.seconds is not None:
                states_var = {"input": data, "context": env.context}
                delay = float(self.number("Seconds", state.seconds, data, env, frame, states_var) or 0)
            else:
                delay = self._jsonata_timestamp_delay(state, data, env, frame)
            if delay > _MAX_WAIT_SECONDS:  # JSONata's failures are QueryEvaluationError (facts file)
                field = "Seconds" if state.seconds is not None else "Timestamp"
                raise self.jsonata_failure(StatesError(QUERY_EVALUATION_ERROR, _WAIT_TOO_LONG), frame, field)
            output = self._jsonata_plain(state, data, env, frame)
            self._sleep(self._wait_left(delay, frame), frame)
            return state.next, output
        effective = self._select(state.input_path, data, env)
        delay = _wait_bound(self._wait_delay(state, effective, env, frame))
        self._assign(state.assign, effective, env, frame)
        self._sleep(self._wait_left(delay, frame), frame)
        return state.next, self._select(state.output_path, effective, env)

    def _wait_delay(self, state: WaitState, effective: Any, env: Env, frame: Frame) -> float:
        if state.seconds is not None:
            return float(self.number("Seconds", state.seconds, effective, env, frame))
        if isinstance(state.timestamp, str):
            moment = parse_timestamp(state.timestamp)
        else:
            path = state.timestamp_path
            getter = cast(Getter, state.timestamp)  # a JSONPath state's TimestampPath
            try:
                value = getter.get(effective, env)
            except PathNotFound:
                raise StatesError("States.Runtime", f"The TimestampPath parameter does not reference an input value: {path}") from None
            moment = parse_timestamp(value) if isinstance(value, str) else None
            if moment is None:
                raise StatesError(
                    "States.Runtime",
                    f"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {path} == {render(value)}",
                )
        assert moment is not None
        return max(0.0, (moment - self.clock.now()).total_seconds())

    def _wait_left(self, delay: float, frame: Frame) -> float:
        """What is left of a Wait of ``delay`` seconds counted from the state's
        entry (all of it, unless the state was resumed after a restart)."""
        if frame.entered_at is None:
            return delay
        return delay - (self.clock.now() - frame.entered_at).total_seconds()

    def _sleep(self, seconds: float, frame: Frame) -> None:
        if self._deadline is not None:
            remaining = (self._deadline - self.clock.now()).total_seconds()
            if seconds >= remaining:
                self.clock.sleep(max(0.0, remaining), frame.cancel)
                raise TimedOut()
        if not self.clock.sleep(seconds, frame.cancel):
            raise Aborted()

    # ------------------------------------------------------------ retriable
    def _with_retry(
        self, state: State, env: Env, frame: Frame, attempt_fn: Callable[[Env, int], Any]
    ) -> tuple[Any, Env]:
        """Run ``attempt_fn`` under the state's Retriers.

        Return its result and the env of the successful attempt, whose
        ``$$.State.RetryCount`` the ResultSelector must see.
        """
        if len(frame.retry_counts) != len(state.retriers):
            frame.retry_counts = [0] * len(state.retriers)
        counts = frame.retry_counts  # progress: kept on the frame, so a snapshot has it
        if frame.retry_count:
            env = self._with_retry_count(env, frame.retry_count)  # resumed between attempts
        while True:
            try:
                return attempt_fn(env, frame.retry_count), env
            except StatesError as err:
                if not is_recoverable(err.error):
                    raise
                for i, retrier in enumerate(state.retriers):
                    if error_matches(retrier.error_equals, err.error, err.heartbeat):
                        break
                else:
                    raise
                if counts[i] >= retrier.max_attempts:
                    raise
                delay = backoff_delay(retrier, counts[i], self._rng)
                counts[i] += 1
                frame.retry_count += 1
                frame.token = None  # the next attempt gets a token of its own
                frame.restart_children()  # a new attempt reruns every branch
                self.history.checkpoint()  # the counters outlive a crash during the back-off
                self._sleep(delay, frame)
                env = self._with_retry_count(env, frame.retry_count)

    def _with_retry_events(
        self, state: State, env: Env, frame: Frame, attempt_fn: Callable[[Env, int], Any], failed_event: str
    ) -> tuple[Any, Env]:
        """``_with_retry`` for Map/Parallel: AWS records ``<Type>StateFailed`` once,
        when the last attempt failed (not for attempts that are retried)."""
        try:
            return self._with_retry(state, env, frame, attempt_fn)
        except StatesError as err:
            # AWS records <Type>StateFailed when a branch or iteration failed,
            # or a JSONata field of the state failed (not for JSONPath path errors).
            if err.branch_failed or err.error == QUERY_EVALUATION_ERROR:
                frame.last_event = self.history.add(failed_event, len(self.history))
            raise

    def fan_out(
        self, jobs: Iterable[Any], max_concurrency: int | None, frame: Frame, blocking: bool, tolerance: Any,
        count: int | None = None,
    ) -> list[Any]:
        """Run Map iterations / Parallel branches (``asl_engine.runtime.fanout``); a failure is a branch failure."""
        if blocking:  # its branches may run on threads of their own, adding events
            self.history.share()
        try:
            return run_all(jobs, max_concurrency, frame, blocking=blocking, tolerance=tolerance, clock=self.clock,
                           count=count)
        except StatesError as err:
            err.branch_failed = True
            raise

    def fan_out_stream(
        self, jobs: Iterator[tuple[int, Callable[[Frame], Any]]], max_concurrency: int | None, frame: Frame,
        blocking: bool, tally: Tally, deliver: Callable[[int, Any], None], skipped: Callable[[int], None],
    ) -> int:
        """Run a Map Run's children as they are read (``run_stream``); return how many ran."""
        workers = min(max_concurrency or INLINE_MAP_MAX_CONCURRENCY, INLINE_MAP_MAX_CONCURRENCY)
        if blocking:
            self.history.share()
        try:
            return run_stream(jobs, workers, frame, blocking=blocking, tally=tally, clock=self.clock,
                              deliver=deliver, skipped=skipped, keep=self.history.recorded)
        except StatesError as err:
            err.branch_failed = True
            raise

    def _task(self, state: TaskState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        effective = data if state.input_path is None else self._select(state.input_path, data, env)
        inspector = self.inspector
        if inspector is not None and not state.jsonata:
            inspector.record("afterInputPath", effective)

        def attempt(attempt_env: Env, retry_count: int) -> Any:
            if state.callback:  # .waitForTaskToken and .sync: $$.Task.Token (kept by a resumed attempt)
                if frame.token is None:
                    frame.token = self.services.new_uuid()
                attempt_env = Env(dict(attempt_env.context, Task={"Token": frame.token}), attempt_env.variables, attempt_env.rng)
            if state.jsonata:
                states_var = {"input": data, "context": attempt_env.context}
                params = self._jsonata_input(state, data, attempt_env, frame, "Arguments", states_var)
            else:
                states_var = None
                params = state.parameters.evaluate(effective, attempt_env) if state.parameters is not None else effective
            if inspector is not None:
                inspector.record("afterArguments" if state.jsonata else "afterParameters", params)
            number = self.number
            timeout = None if state.timeout_seconds is None else number(
                "TimeoutSeconds", state.timeout_seconds, effective, attempt_env, frame, states_var)
            heartbeat = None if state.heartbeat_seconds is None else number(
                "HeartbeatSeconds", state.heartbeat_seconds, effective, attempt_env, frame, states_var)
            return self.dispatcher.invoke(state, params, attempt_env, frame, retry_count, timeout, heartbeat, self.history)

        if state.retriers or frame.retry_count:
            result, env = self._with_retry(state, env, frame, attempt)
        else:  # nothing to retry: one attempt (the hot path)
            result = attempt(env, 0)
        if inspector is not None:
            inspector.record("result", result)
        return state.next, self._finish(state, data, result, env, frame)

    # --------------------------------------------------------- Parallel, Map
    def _parallel(self, state: ParallelState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        effective = self._select(state.input_path, data, env)

        def attempt(attempt_env: Env, retry_count: int) -> Any:
            if state.jsonata:
                states_var = {"input": data, "context": attempt_env.context}
                branch_input = self._jsonata_input(state, data, attempt_env, frame, "Arguments", states_var)
            else:
                branch_input = state.parameters.evaluate(effective, attempt_env) if state.parameters is not None else effective
            frame.last_event = self.history.add("ParallelStateStarted", frame.last_event)
            jobs = [self._branch_job(branch, branch_input) for branch in state.branches]
            results = self.fan_out(jobs, 0, frame, state.blocking, None)
            frame.last_event = self.history.add("ParallelStateSucceeded", len(self.history))
            return results

        result, env = self._with_retry_events(state, env, frame, attempt, "ParallelStateFailed")
        return state.next, self._finish(state, data, result, env, frame)

    def _branch_job(self, program: Program, branch_input: Any) -> Callable[[Frame], Any]:
        def job(child: Frame) -> Any:
            child.in_parallel_branch = True
            try:
                return self.run_program(program, branch_input, child, resume=child.started)
            finally:
                self._variables.release(child.scope)

        return job

    def _map(self, state: MapState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        effective = self._select(state.input_path, data, env)
        if self.inspector is not None and not state.jsonata:
            self.inspector.record("afterInputPath", effective)

        def attempt(attempt_env: Env, retry_count: int) -> Any:
            states_var = {"input": data, "context": attempt_env.context} if state.jsonata else {}
            # With an ItemReader the items come from S3, read after MapRunStarted.
            items = None if state.item_reader is not None else self._map_items(state, data, effective, attempt_env, frame, states_var)
            number = self.number
            max_concurrency = number("MaxConcurrency", state.max_concurrency, effective, attempt_env, frame, states_var)
            inspector = self.inspector
            if inspector is not None:
                inspector.record("maxConcurrency", max_concurrency)
            length = len(items) if items is not None else 0
            frame.last_event = self.history.add("MapStateStarted", frame.last_event, {"length": length})
            # AWS resolves the tolerated-failure fields after MapStateStarted.
            tolerated_count = number("ToleratedFailureCount", state.tolerated_failure_count, effective, attempt_env, frame, states_var)
            tolerated_pct = number("ToleratedFailurePercentage", state.tolerated_failure_percentage, effective, attempt_env, frame, states_var)
            if inspector is not None:
                inspector.record("toleratedFailureCount", tolerated_count)
                inspector.record("toleratedFailurePercentage", tolerated_pct)
            source = data if state.jsonata else effective
            if state.distributed:
                from .distributed import MapRun  # local: only a distributed Map loads readers and writers

                results = MapRun(self).run(
                    state, items, source, attempt_env, frame, states_var, max_concurrency, (tolerated_count, tolerated_pct)
                )
            else:
                assert items is not None
                # Made as they run: a big Map holds a few closures, not one per item.
                jobs = (self._iteration_job(state, index, item, source, attempt_env) for index, item in enumerate(items))
                tolerance = None
                if tolerated_count is not None or tolerated_pct is not None:
                    tolerance = (tolerated_count, tolerated_pct, len(items))
                results = self.fan_out(jobs, max_concurrency, frame, state.blocking, tolerance, len(items))
            frame.last_event = self.history.add("MapStateSucceeded", len(self.history))
            return results

        result, env = self._with_retry_events(state, env, frame, attempt, "MapStateFailed")
        return state.next, self._finish(state, data, result, env, frame)

    def _map_items(
        self, state: MapState, data: Any, effective: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> list[Any]:
        """The items of a Map without ItemReader: ``Items`` (JSONata) or ``ItemsPath``."""
        if state.jsonata:
            return self._jsonata_items(state, data, env, frame, states_var)
        items = self._select(state.items_path, effective, env)
        if not isinstance(items, list):
            # AWS-recorded (TestState): the path as a reference path, "$$..." written "$..."
            text = state.items_path.text if state.items_path is not None else "$"
            text = text[1:] if text.startswith("$$") else text
            raise StatesError("States.Runtime", f'Reference path "{text}" must point to array.')
        if self.inspector is not None:
            self.inspector.record("afterItemsPath", items)
        return items

    def item_input(self, state: MapState, index: int, item: Any, source: Any, env: Env, frame: Frame) -> Any:
        """The input of Map iteration ``index``: its ``ItemSelector``'s value
        (``$$.Map.Item`` is the item and its index), else the item itself."""
        if state.parameters is None:
            return item
        item_env = Env(dict(env.context, Map={"Item": {"Index": index, "Value": item}}), env.variables, env.rng)
        if state.jsonata:
            states_var = {"input": source, "context": item_env.context}
            return self.jsonata_eval(state.parameters, frame, item_env, "ItemSelector", states_var)
        return state.parameters.evaluate(source, item_env)

    def _iteration_job(self, state: MapState, index: int, item: Any, effective: Any, env: Env) -> Callable[[Frame], Any]:
        history = self.history
        processor = state.processor
        assert processor is not None

        def job(child: Frame) -> Any:
            child.map_index = index
            # One details object for all the iteration's events (events are read-only).
            details = {"name": state.name, "index": index}
            resume = child.started  # a restored iteration carries on where it stood
            if not resume:
                child.last_event = history.add("MapIterationStarted", child.last_event, details)
            try:
                item_input = None if resume else self.item_input(state, index, item, effective, env, child)
                output = self.run_program(processor, item_input, child, resume=resume)
            except StatesError as err:
                history.add("MapIterationFailed", child.last_event, details)
                raise err
            except Aborted:
                history.add("MapIterationAborted", child.last_event, details)
                raise
            finally:
                self._variables.release(child.scope)
            if history.recorded:
                history.add("MapIterationSucceeded", child.last_event, details, None,
                            lambda event_id: child.close(output, event_id))
            else:
                child.close(output, history.add("MapIterationSucceeded", child.last_event, details))
            return output

        return job


_OWN_ENV = frozenset({TaskState, MapState, ParallelState})
"""The states that get an environment of their own: one that may outlive the
state (a task's request keeps it; Map iterations and retries build on it)."""


_UNBUILT: Mapping[str, Any] = MappingProxyType({})  # a _StateEnv's context before it is built


class _StateEnv(Env):
    """The environment of the state a program runs now, aimed at each state in
    turn (one per ``run_program``): the states whose environment ends with them
    share it rather than build one each (a tenth of a Pass state's cost)."""

    __slots__ = ("_interpreter", "_state", "_entered")

    def __init__(self, interpreter: Interpreter) -> None:
        super().__init__(_UNBUILT, None, interpreter._rng)
        self._interpreter = interpreter
        self._state: State | None = None
        self._entered: datetime | int | None = None

    def aim(self, state: State, entered: datetime | int, variables: Any) -> None:
        """Stand for ``state``, entered at ``entered``; its context is built on first use."""
        self._state, self._entered, self._context, self.variables = state, entered, _UNBUILT, variables

    @property
    def context(self) -> Any:
        context = self._context
        if context is _UNBUILT:
            assert self._state is not None and self._entered is not None
            context = self._context = self._interpreter.context_of(self._state, self._entered)
        return context


def _entering(frame: Frame, name: str, data: Any, resumed: bool, now: datetime, text: str | None) -> Callable[[int], None]:
    """The frame change that goes with a ``StateEntered`` event (``text``: the input's JSON)."""
    return lambda event_id: frame.enter(name, data, event_id, resumed, now, text)


def _wait_bound(delay: float) -> float:
    """``delay`` when AWS would wait that long (a year-2600 Timestamp or a
    SecondsPath of 1e20 is an ASL error, not a clock overflow); JSONPath."""
    if delay > _MAX_WAIT_SECONDS:
        raise StatesError("States.Runtime", _WAIT_TOO_LONG)
    return delay


def _fail_text(value: Any, field: str, data: Any, env: Env) -> str | None:
    """A Fail state's Error or Cause: the literal, or what its path or intrinsic yields,
    which must be a string [AWS's wording for a non-string is not recorded]."""
    if value is None or isinstance(value, str):
        return value
    text = value.evaluate(data, env)
    if not isinstance(text, str):
        raise StatesError("States.Runtime", f"The {field} '{value.text}' must refer to a string, but the value was: {to_json(text)}")
    return text

