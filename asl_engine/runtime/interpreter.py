"""The state loop: runs a compiled ``Program`` and records its history.

Each state type has one handler method that returns ``(next_state, output)``
(``next_state`` ``None`` ends the program). Failures travel as
``StatesError``; the loop applies the state's Catchers, or lets the error end
the program (and the Map iteration, Parallel branch or execution around it).

The JSONPath data flow follows AWS's order exactly:
``InputPath -> Parameters -> <task> -> ResultSelector -> ResultPath -> OutputPath``.
"""

from __future__ import annotations

import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from ..dataflow.jsonata import QUERY_EVALUATION_ERROR, UNDEFINED, Expression, result_type_error, undefined_error
from ..dataflow.json_values import copy_json
from ..dataflow.jsonpath import Env, PathNotFound, set_path, to_json
from ..dataflow.timestamps import parse_timestamp
from ..errors import Aborted, EngineError, StatesError, TimedOut
from ..history.events import History
from ..model.states import (
    DISCARD,
    ChoiceState,
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
from ..tasks.dispatch import TaskDispatcher
from ..tasks.objects import ObjectStore
from ..execution.clock import Clock
from .fanout import run_all
from ..execution.quotas import AWS_QUOTAS, Quotas, check_payload
from ..dataflow.json_values import as_float, as_integer, render
from ..execution.variables import VariableBudget
from ..execution.frame import Frame, locate
from .jsonata_flow import JsonataFlow
from .distributed import MapRun
from .retry import backoff_delay, error_matches, is_recoverable

__all__ = ["Aborted", "Frame", "Interpreter", "TimedOut", "iso_time"]


def iso_time(moment: datetime) -> str:
    """AWS's context-object time format: ``2024-01-31T12:00:00.123Z`` (UTC)."""
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


_DataFlow = Callable[[Any, Env], Any]

_RETRY_TYPES = ("Task", "Map", "Parallel")


class Interpreter(JsonataFlow):
    """Runs programs of one execution. Thread-safe: branches share it."""

    def __init__(
        self,
        *,
        history: History,
        clock: Clock,
        dispatcher: TaskDispatcher,
        execution_context: Mapping[str, Any],
        state_machine_context: Mapping[str, Any],
        deadline: datetime | None,
        rng: random.Random,
        quotas: Quotas = AWS_QUOTAS,
        object_store: ObjectStore | None = None,
        child_executions: list[dict[str, Any]] | None = None,
    ) -> None:
        self.history = history
        self.clock = clock
        self.dispatcher = dispatcher
        self._execution_ctx = execution_context
        self._machine_ctx = state_machine_context
        self._deadline = deadline
        self._rng = rng
        self._max_payload = quotas.payload_bytes
        self._quotas = quotas
        self._object_store = object_store
        # The child executions of distributed Maps (list.append is atomic under
        # the GIL, so the threads of a Map Run can share the list).
        self.child_executions: list[dict[str, Any]] = child_executions if child_executions is not None else []
        self._variables = VariableBudget(quotas)
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
        return str(self._execution_ctx["Id"])

    def clock_now(self) -> datetime:
        return self.clock.now()

    # ------------------------------------------------------------------ loop
    def run_program(self, program: Program, data: Any, frame: Frame, data_json: str | None = None) -> Any:
        """Run ``program`` on ``data``; return its output or raise StatesError/Aborted/TimedOut.

        ``data_json`` is ``data`` already serialised, when the caller has it.
        """
        states = program.states
        name: str | None = program.start_at
        history = self.history
        clock = self.clock
        while name is not None:
            if frame.cancel.is_set():
                raise Aborted()
            now = clock.now()
            if self._deadline is not None and now >= self._deadline:
                raise TimedOut()
            state = states[name]
            entered = history.add(
                state.type + "StateEntered",
                frame.last_event,
                {"name": name, "input": data_json if data_json is not None else to_json(data), "inputDetails": {"truncated": False}},
                now,
            )
            frame.last_event = entered
            frame.assigned = None
            frame.state_name, frame.entered = name, entered
            env = self._env(state, now, frame.scope.view)
            try:
                next_name, output = self._handlers[type(state)](state, data, env, frame, entered)
            except StatesError as err:
                locate(err, frame)
                catcher = self._find_catcher(state, err)
                if catcher is None:
                    if frame.in_parallel_branch and state.type == "Task":
                        # AWS-recorded: a Task failing out of a Parallel branch is
                        # closed with TaskStateAborted when the Parallel aborts it.
                        frame.last_event = history.add("TaskStateAborted", frame.last_event)
                    raise
                error_output = err.to_output()
                # A Catcher's own Assign replaces the state's (AWS: the state's
                # top-level Assign is not evaluated when a Catcher matches).
                frame.assigned = None
                if state.jsonata:
                    states_var = {"input": data, "context": env.context, "errorOutput": error_output}
                    output = self._jsonata_finish(frame, env, states_var, catcher.output, catcher.assign, error_output)
                else:
                    self._assign(catcher.assign, error_output, env, frame)
                    output = self._apply_result_path(catcher.result_path, data, error_output, env)
                data_json = self._exited(state, output, frame)
                data, name = output, catcher.next
                continue
            except Aborted:
                if state.type in ("Task", "Wait", "Map", "Parallel"):
                    frame.last_event = history.add(state.type + "StateAborted", frame.last_event)
                raise
            data_json = self._exited(state, output, frame)
            data, name = output, next_name
        return data

    def _exited(self, state: State, output: Any, frame: Frame) -> str:
        """Apply the state's assignments and record ``<Type>StateExited``.

        Return the output's JSON (the next state's input).
        """
        text = to_json(output)
        check_payload(text, state.name, self._max_payload)
        details: dict[str, Any] = {"name": state.name, "output": text, "outputDetails": {"truncated": False}}
        assigned = frame.assigned
        if assigned is not None:
            texts = {name: to_json(value) for name, value in assigned.items()}
            frame.scope.assign(assigned, state.name)
            self._variables.charge(frame.scope, state.name, texts)
            details["assignedVariables"] = texts
            details["assignedVariablesDetails"] = {"truncated": False}
            frame.assigned = None
        frame.last_event = self.history.add(state.type + "StateExited", frame.last_event, details)
        return text

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
    def _env(self, state: State, entered: datetime, variables: Mapping[str, Any]) -> Env:
        """The context object (``$$``) of a state entered at ``entered``, built on first use."""

        def context() -> dict[str, Any]:
            state_ctx: dict[str, Any] = {"Name": state.name, "EnteredTime": iso_time(entered)}
            if state.type in _RETRY_TYPES:
                state_ctx["RetryCount"] = 0
            return {"Execution": self._execution_ctx, "StateMachine": self._machine_ctx, "State": state_ctx}

        return Env(context, variables, self._rng)

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
        if state.result_selector is not None:
            result = state.result_selector.evaluate(result, env)
        self._assign(state.assign, result, env, frame)
        output = self._apply_result_path(state.result_path, raw_input, result, env)
        return self._select(state.output_path, output, env)

    # ---------------------------------------------------------------- states
    def _pass(self, state: PassState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            return state.next, self._jsonata_plain(state, data, env, frame)
        effective = self._select(state.input_path, data, env)
        if state.has_result:  # AWS uses Result when both Result and Parameters are given
            result = copy_json(state.result)
        elif state.parameters is not None:
            result = state.parameters.evaluate(effective, env)
        else:
            result = effective
        self._assign(state.assign, result, env, frame)
        output = self._apply_result_path(state.result_path, data, result, env)
        return state.next, self._select(state.output_path, output, env)

    def _succeed(self, state: SucceedState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            return None, self._jsonata_plain(state, data, env, frame)
        effective = self._select(state.input_path, data, env)
        return None, self._select(state.output_path, effective, env)

    def _choice(self, state: ChoiceState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            return self._jsonata_choice(state, data, env, frame)
        effective = self._select(state.input_path, data, env)
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
            error = _fail_text(error, "ErrorPath", data, env)
            cause = _fail_text(cause, "CausePath", data, env)
        raise StatesError(error, cause)

    def _wait(self, state: WaitState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        if state.jsonata:
            delay = self._jsonata_wait_delay(state, data, env, frame)
            output = self._jsonata_plain(state, data, env, frame)
            self._sleep(delay, frame)
            return state.next, output
        effective = self._select(state.input_path, data, env)
        delay = self._wait_delay(state, effective, env)
        self._assign(state.assign, effective, env, frame)
        self._sleep(delay, frame)
        return state.next, self._select(state.output_path, effective, env)

    def _wait_delay(self, state: WaitState, effective: Any, env: Env) -> float:
        if state.seconds is not None:
            if isinstance(state.seconds, int):
                return state.seconds
            path = state.seconds_path
            try:
                value = state.seconds.get(effective, env)
            except PathNotFound:
                raise StatesError("States.Runtime", f"The SecondsPath parameter does not reference an input value: {path}") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
                raise StatesError("States.Runtime", f"The SecondsPath parameter cannot be parsed as a long value: {path} == {render(value)}")
            if value < 0:
                raise StatesError("States.Runtime", f"The SecondsPath parameter references a negative value: {path} == {render(value)}")
            return int(value)
        if isinstance(state.timestamp, str):
            moment = parse_timestamp(state.timestamp)
        else:
            path = state.timestamp_path
            try:
                value = state.timestamp.get(effective, env)
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
        counts = [0] * len(state.retriers)
        retry_count = 0
        while True:
            try:
                return attempt_fn(env, retry_count), env
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
                retry_count += 1
                self._sleep(delay, frame)
                env = self._with_retry_count(env, retry_count)

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

    def _fan_out(self, jobs: list[Any], max_concurrency: int | None, frame: Frame, blocking: bool, tolerance: Any) -> list[Any]:
        try:
            return run_all(jobs, max_concurrency, frame, blocking=blocking, tolerance=tolerance, clock=self.clock)
        except StatesError as err:
            err.branch_failed = True
            raise

    def _task(self, state: TaskState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        effective = self._select(state.input_path, data, env)

        def attempt(attempt_env: Env, retry_count: int) -> Any:
            if state.callback:  # .waitForTaskToken and .sync: $$.Task.Token
                token = {"Token": str(uuid.UUID(int=self._rng.getrandbits(128), version=4))}
                attempt_env = Env(dict(attempt_env.context, Task=token), attempt_env.variables, attempt_env.rng)
            if state.jsonata:
                states_var = {"input": data, "context": attempt_env.context}
                params = self._jsonata_input(state, data, attempt_env, frame, "Arguments", states_var)
                timeout = self._jsonata_count(state.timeout_seconds, frame, attempt_env, "TimeoutSeconds", states_var, 1)
                heartbeat = self._jsonata_count(state.heartbeat_seconds, frame, attempt_env, "HeartbeatSeconds", states_var, 1)
            else:
                params = state.parameters.evaluate(effective, attempt_env) if state.parameters is not None else effective
                timeout = self._resolve_seconds(state.timeout_seconds, "TimeoutSecondsPath", effective, attempt_env)
                heartbeat = self._resolve_seconds(state.heartbeat_seconds, "HeartbeatSecondsPath", effective, attempt_env)
            return self.dispatcher.invoke(state, params, attempt_env, frame, retry_count, timeout, heartbeat)

        result, env = self._with_retry(state, env, frame, attempt)
        return state.next, self._finish(state, data, result, env, frame)

    @staticmethod
    def _resolve_seconds(value: Any, field: str, effective: Any, env: Env) -> int | None:
        if value is None or isinstance(value, int):
            return value
        resolved = _path_value(value, effective, env)
        if isinstance(resolved, bool) or not isinstance(resolved, int) or resolved <= 0:
            raise StatesError("States.Runtime", f"The {field} field refers to value \"{render(resolved)}\" which is not a valid positive integer: {value.text}")
        return resolved

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
            results = self._fan_out(jobs, 0, frame, state.blocking, None)
            frame.last_event = self.history.add("ParallelStateSucceeded", len(self.history))
            return results

        result, env = self._with_retry_events(state, env, frame, attempt, "ParallelStateFailed")
        return state.next, self._finish(state, data, result, env, frame)

    def _branch_job(self, program: Program, branch_input: Any) -> Callable[[Frame], Any]:
        def job(child: Frame) -> Any:
            child.in_parallel_branch = True
            try:
                return self.run_program(program, branch_input, child)
            finally:
                self._variables.release(child.scope)

        return job

    def _map(self, state: MapState, data: Any, env: Env, frame: Frame, entered: int) -> tuple[str | None, Any]:
        effective = self._select(state.input_path, data, env)

        def attempt(attempt_env: Env, retry_count: int) -> Any:
            states_var = {"input": data, "context": attempt_env.context} if state.jsonata else {}
            # With an ItemReader the items come from S3, read after MapRunStarted.
            items = None if state.item_reader is not None else self._map_items(state, data, effective, attempt_env, frame, states_var)
            if state.jsonata:
                max_concurrency = self._jsonata_count(state.max_concurrency, frame, attempt_env, "MaxConcurrency", states_var, 0)
            else:
                max_concurrency = self._map_int(state.max_concurrency, "MaxConcurrencyPath", effective, attempt_env)
            length = len(items) if items is not None else 0
            frame.last_event = self.history.add("MapStateStarted", frame.last_event, {"length": length})
            # AWS resolves the tolerated-failure fields after MapStateStarted.
            if state.jsonata:
                tolerated_count = self._jsonata_count(state.tolerated_failure_count, frame, attempt_env, "ToleratedFailureCount", states_var, 0)
                tolerated_pct = self._jsonata_percentage(state.tolerated_failure_percentage, frame, attempt_env, states_var)
            else:
                tolerated_count = self._map_int(state.tolerated_failure_count, "ToleratedFailureCountPath", effective, attempt_env)
                tolerated_pct = self._map_pct(state.tolerated_failure_percentage, effective, attempt_env)
            source = data if state.jsonata else effective
            if state.distributed:
                results = MapRun(self).run(
                    state, items, source, attempt_env, frame, states_var, max_concurrency, (tolerated_count, tolerated_pct)
                )
            else:
                assert items is not None
                jobs = [self._iteration_job(state, index, item, source, attempt_env) for index, item in enumerate(items)]
                tolerance = None
                if tolerated_count is not None or tolerated_pct is not None:
                    tolerance = (tolerated_count, tolerated_pct, len(items))
                results = self._fan_out(jobs, max_concurrency, frame, state.blocking, tolerance)
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
            raise StatesError("States.Runtime", f"Map state input must be an array but was: {to_json(items)}")
        return items

    def _iteration_job(self, state: MapState, index: int, item: Any, effective: Any, env: Env) -> Callable[[Frame], Any]:
        history = self.history
        processor = state.processor
        assert processor is not None

        def job(child: Frame) -> Any:
            child.map_index = index
            details = {"name": state.name, "index": index}
            child.last_event = history.add("MapIterationStarted", child.last_event, details)
            try:
                if state.parameters is not None:
                    item_env = Env(dict(env.context, Map={"Item": {"Index": index, "Value": item}}), env.variables, env.rng)
                    if state.jsonata:
                        states_var = {"input": effective, "context": item_env.context}
                        item_input = self._jsonata_eval(state.parameters, child, item_env, "ItemSelector", states_var)
                    else:
                        item_input = state.parameters.evaluate(effective, item_env)
                else:
                    item_input = item
                output = self.run_program(processor, item_input, child)
            except StatesError as err:
                failed = dict(details)
                history.add("MapIterationFailed", child.last_event, failed)
                raise err
            except Aborted:
                history.add("MapIterationAborted", child.last_event, dict(details))
                raise
            finally:
                self._variables.release(child.scope)
            child.last_event = history.add("MapIterationSucceeded", child.last_event, dict(details))
            return output

        return job

    @staticmethod
    def _map_int(value: Any, field: str, effective: Any, env: Env) -> int | None:
        if value is None or isinstance(value, int):
            return value
        resolved = _path_value(value, effective, env)
        number = as_integer(resolved)
        if number is None:
            raise StatesError("States.Runtime", f"The {field} field refers to value \"{render(resolved)}\" which is not a valid integer: {value.text}")
        if number < 0:
            name = field[: -len("Path")]
            raise StatesError("States.Runtime", f"{name} cannot be negative.")
        return number

    @staticmethod
    def _map_pct(value: Any, effective: Any, env: Env) -> float | None:
        if value is None or isinstance(value, (int, float)):
            return value
        resolved = _path_value(value, effective, env)
        number = as_float(resolved)
        if number is None:
            raise StatesError(
                "States.Runtime",
                f"The ToleratedFailurePercentagePath field refers to value \"{render(resolved)}\" which is not a valid float: {value.text}",
            )
        if not 0 <= number <= 100:
            raise StatesError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.")
        return number


def _fail_text(value: Any, field: str, data: Any, env: Env) -> str | None:
    """A Fail state's Error or Cause: the literal, or what its path or intrinsic yields,
    which must be a string [AWS's wording for a non-string is not recorded]."""
    if value is None or isinstance(value, str):
        return value
    text = value.evaluate(data, env)
    if not isinstance(text, str):
        raise StatesError("States.Runtime", f"The {field} '{value.text}' must refer to a string, but the value was: {to_json(text)}")
    return text


def _path_value(path: Any, data: Any, env: Env) -> Any:
    try:
        return path.get(data, env)
    except PathNotFound as exc:
        raise StatesError("States.Runtime", f"Invalid path '{path.text}' : {exc.message}") from None





def new_execution_name() -> str:
    return str(uuid.uuid4())


__all__ += ["EngineError", "new_execution_name"]
