"""One TestState call: check the request as AWS does, run the state once, shape the response."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, cast

from ..dataflow.jsonpath import Env, to_json
from ..definition.builder import build_machine
from ..definition.loader import read_definition
from ..documents.values import JsonTextError
from ..documents.values import loads as parse_json_value
from ..errors import StatesError, TestStateError
from ..execution.clock import VirtualClock
from ..execution.frame import Frame
from ..execution.ids import uuid_source
from ..execution.quotas import AWS_QUOTAS
from ..model.states import MapState, ParallelState, State, TaskState
from ..runtime.interpreter import Interpreter
from ..runtime.retry import backoff_delay, error_matches, is_recoverable
from ..runtime.services import ExecutionInfo, ExecutionServices
from ..tasks.aws.mock_check import mock_result_problem
from ..tasks.dispatch import TaskDispatcher
from ..tasks.local import LocalHandler
from ..tasks.mocks import MockSet
from .requests import Mock, StateConfiguration, check_request, parse_json_text

__all__ = ["test_state"]

STATE_NAME = "StateName"
"""What AWS names a lone state (its context object's ``State.Name``, its diagnostics' ``/States/StateName``)."""

ACCOUNT = "111111111111"
REGION = "us-east-1"
_LEVELS = ("INFO", "DEBUG", "TRACE")
_THRESHOLD = ("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")


def test_state(
    definition: str | Mapping[str, Any],
    *,
    state_name: str | None = None,
    input: Any = None,
    inspection_level: str = "INFO",
    reveal_secrets: bool = False,
    variables: Any = None,
    context: Any = None,
    mock: Mapping[str, Any] | None = None,
    state_configuration: Mapping[str, Any] | None = None,
    role_arn: str | None = None,
    handlers: Mapping[str, Callable[..., Any]] | None = None,
    aws: Any = None,
) -> dict[str, Any]:
    """Run one state as AWS's ``TestState`` does and return its response.

    ``definition`` is one state's JSON (text or dict) or a whole machine
    (``state_name`` picks the state, default its ``StartAt``). ``input``,
    ``variables``, ``context`` and ``mock["result"]`` are JSON text (as the
    API sends them) or Python values. ``mock`` is ``{"result": ...}`` or
    ``{"errorOutput": {"error", "cause"}}`` with an optional
    ``fieldValidationMode``; ``state_configuration`` holds
    ``retrierRetryCount``, ``errorCausedByState``,
    ``mapIterationFailureCount``, ``mapItemReaderData``. A Task with no mock
    runs its handler (``handlers``, by state name, resource or function
    name) or AWS (``aws``: an ``AwsConfig``). Raises ``TestStateError`` for
    a request AWS rejects.
    """
    if inspection_level not in _LEVELS:
        raise TestStateError("ValidationException", f"1 validation error detected: Value '{inspection_level}' at "
                             f"'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: "
                             f"[{', '.join(_LEVELS)}]")
    document = _document(definition)
    machine_doc, name = _machine_document(document, state_name)
    raw_state = machine_doc["States"][name]
    config = StateConfiguration.parse(state_configuration)
    parsed_mock = Mock.parse(mock) if mock is not None else None
    state_input = parse_json_text(input, "input", {})
    check_request(raw_state, parsed_mock, config, reveal_secrets)
    if parsed_mock is not None:
        parsed_mock.check_for(raw_state, config)
    state = _compile(machine_doc, name)
    if isinstance(state, (MapState, ParallelState)) and parsed_mock is None:
        raise TestStateError("InvalidDefinition", "TestState API does not support Map or Parallel states. "
                             "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
    if isinstance(state, TaskState) and parsed_mock is None and role_arn is None:
        raise TestStateError("ValidationException", "RoleArn must be specified when testing a Task state")
    if parsed_mock is not None:
        if isinstance(state, TaskState) and parsed_mock.error is None:
            problem = mock_result_problem(state.resource, parsed_mock.result, parsed_mock.field_validation_mode)
            if problem is not None:
                raise TestStateError("ValidationException", f"Mock result schema validation error: {problem}")
    context_value = parse_json_text(context, "context", None)
    if context_value is not None:
        _check_context(context_value, state)
    run = _Run(state, parsed_mock, config, role_arn, handlers, aws)
    return run.respond(state_input, parse_json_text(variables, "variables", None), context_value, inspection_level)


def _document(definition: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(definition, Mapping):
        return dict(definition)
    if not isinstance(definition, str):
        raise TestStateError("InvalidDefinition", "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
                             "the definition must be JSON text'")
    try:
        value = parse_json_value(definition, "the definition")
    except JsonTextError as exc:
        raise TestStateError("InvalidDefinition", f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {exc}'") from None
    if not isinstance(value, dict):
        raise TestStateError("InvalidDefinition", "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
                             "the definition must be a JSON object'")
    return value


def _machine_document(document: dict[str, Any], state_name: str | None) -> tuple[dict[str, Any], str]:
    """The machine to validate and the name of the state under test in it.

    A lone state becomes ``StateName`` of a machine whose other states are
    the targets it names (each a Succeed), so that it validates as AWS
    validates it."""
    if isinstance(document.get("States"), dict):
        name = state_name if state_name is not None else document.get("StartAt")
        if not isinstance(name, str) or name not in document["States"]:
            raise TestStateError("ValidationException", "State not found in definition")
        return document, name
    if state_name is not None:
        raise TestStateError("ValidationException", "stateName can only be specified with a state machine definition")
    states: dict[str, Any] = {STATE_NAME: document}
    for target in _targets(document):
        if target != STATE_NAME:
            states.setdefault(target, {"Type": "Succeed"})
    return {"StartAt": STATE_NAME, "States": states}, STATE_NAME


def _targets(state: Mapping[str, Any]) -> list[str]:
    found = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        rules = state.get(key)
        if isinstance(rules, list):
            found += [rule.get("Next") for rule in rules if isinstance(rule, dict)]
    return [name for name in found if isinstance(name, str)]


def _compile(machine_doc: dict[str, Any], name: str) -> State:
    from ..definition.validate import has_errors, validate_document  # as api.load: keeps import time low

    loaded = read_definition(machine_doc)
    diagnostics = list(loaded.diagnostics)
    machine = None
    if loaded.document is not None and not has_errors(diagnostics):
        diagnostics += validate_document(loaded.document)
        if not has_errors(diagnostics):
            machine, more = build_machine(loaded.document)
            diagnostics += more
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if machine is None or errors:
        text = ", ".join(f"{d.code}: {d.message} at {d.path or '/'}" for d in errors)
        raise TestStateError("InvalidDefinition", f"Invalid State Machine Definition: '{text}'")
    return machine.program.states[name]


def _check_context(context: Any, state: State) -> None:
    if not isinstance(context, dict):
        raise TestStateError("ValidationException", "Invalid Context object provided: the context object must be a JSON object")
    if "Task" in context and not (isinstance(state, TaskState) and (state.callback or state.resource.endswith(".sync"))):
        raise TestStateError("ValidationException", "Invalid Context object provided: Context object contains 'Task' "
                             "when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern")


class _Inspection:
    """The inspector: keeps the first value of each data-flow step."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def record(self, step: str, value: Any) -> None:
        self.values.setdefault(step, value)


class _MockedFanOut(Interpreter):
    """The interpreter of a mocked Map or Parallel: its branches are not run;
    the mock is their result (or their failure), ``mapIterationFailureCount``
    iterations count as failed against the tolerated thresholds. A Map with
    a ``ResultWriter`` is mocked by the state's result, a JSON object (what
    AWS's ResultWriter gives: ``{"MapRunArn", "ResultWriterDetails"}``)."""

    def __init__(self, *args: Any, mock: Mock, config: StateConfiguration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mock = mock
        self._config = config

    def fan_out(
        self, jobs: Iterable[Any], max_concurrency: int | None, frame: Frame, blocking: bool, tolerance: Any,
        count: int | None = None,
    ) -> Any:
        mock = self._mock
        if mock.error is not None:
            err = StatesError(mock.error, mock.cause)
            err.branch_failed = True
            raise err
        result = mock.result
        if isinstance(result, dict):  # a ResultWriter's result (Mock.check_for)
            return dict(result)
        assert isinstance(result, list)
        failed = self._config.map_iteration_failure_count or 0
        if tolerance is not None and failed:
            count, percentage, _ = tolerance
            total = len(result)
            if (count is not None and failed > count) or (
                percentage is not None and total and failed * 100.0 / total > percentage
            ) or (count is None and percentage is None):
                err = StatesError(*_THRESHOLD)
                err.branch_failed = True
                raise err
        return list(result)

    def _map_items(self, state: MapState, data: Any, effective: Any, env: Env, frame: Frame, states_var: dict[str, Any]) -> list[Any]:
        if self._config.map_item_reader_data is not None:
            items = self._config.map_item_reader_data
            return items if isinstance(items, list) else [items]
        return super()._map_items(state, data, effective, env, frame, states_var)


class _Run:
    """One TestState run of ``state``."""

    def __init__(
        self,
        state: State,
        mock: Mock | None,
        config: StateConfiguration,
        role_arn: str | None,
        handlers: Mapping[str, Callable[..., Any]] | None,
        aws: Any,
    ) -> None:
        self.state = state
        self.mock = mock
        self.config = config
        self.role_arn = role_arn
        self.handlers = {key: LocalHandler(fn, key) for key, fn in (handlers or {}).items()}
        self.aws = aws

    def _services(self) -> ExecutionServices:
        clock = VirtualClock(datetime.now(timezone.utc))
        rng = random.Random()
        ids = uuid_source(rng)
        mocks: dict[str, Any] = {}
        if self.mock is not None and isinstance(self.state, TaskState):
            mocks[self.state.name] = self.mock.respond
        aws_runner = None
        if self.aws is not None:
            from ..tasks.aws import AwsTaskRunner  # imports boto3 only when AWS is called

            aws_runner = AwsTaskRunner(self.aws)
        dispatcher = TaskDispatcher(handlers=self.handlers, mocks=MockSet(mocks), clock=clock, region=REGION,
                                    max_payload_bytes=AWS_QUOTAS.payload_bytes, aws=aws_runner, new_id=ids)
        return ExecutionServices(clock=clock, quotas=AWS_QUOTAS, dispatcher=dispatcher, rng=rng, ids=ids)

    def respond(self, data: Any, variables: Any, context: Any, level: str) -> dict[str, Any]:
        services = self._services()
        execution = services.new_uuid()
        machine = services.new_uuid()
        info = ExecutionInfo.create(
            arn=f"arn:aws:states:{REGION}:{ACCOUNT}:express:{machine}:{execution}",
            name=execution,
            machine_arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine}",
            machine_name=machine,
            role_arn=cast(str, self.role_arn),  # AWS: $$.Execution.RoleArn is null without a roleArn
            start=services.clock.now(),
            input=data,
            timeout_seconds=None,
            redrive_count=None,  # AWS: no RedriveCount in a TestState context object
        )
        inspection = _Inspection()
        history = services.new_history(info.arn)
        interpreter: Interpreter
        if self.mock is not None and isinstance(self.state, (MapState, ParallelState)):
            interpreter = _MockedFanOut(services, info, history, inspection, mock=self.mock, config=self.config)
        else:
            interpreter = Interpreter(services, info, history, inspection)
        frame = Frame(threading.Event(), 0)
        frame.state_name = self.state.name
        if isinstance(variables, dict):
            frame.scope.values.update(variables)
        # TestState does not retry nor catch: the Retriers and Catchers are judged below.
        state = replace(self.state, retriers=(), catchers=())
        if isinstance(state, MapState):
            state = replace(state, distributed=False, item_reader=None)
        # AWS names the state "StateName" in the context object, whatever its name.
        env = interpreter.state_env(replace(self.state, name=STATE_NAME), services.clock.now(), frame)
        if context is not None:
            env = Env(context, env.variables, env.rng)
            token = context.get("Task", {}).get("Token") if isinstance(context.get("Task"), dict) else None
            if isinstance(token, str):
                frame.token = token  # a .waitForTaskToken Task's $$.Task.Token
        response: dict[str, Any]
        error_details: dict[str, Any] | None = None
        try:
            next_name, output = interpreter.run_state(state, data, env, frame)
            response = {"status": "SUCCEEDED", "output": to_json(output)}
            if next_name is not None:
                response["nextState"] = next_name
        except StatesError as err:
            response, error_details = self._failed(interpreter, err, data, env, frame)
        # The variables after the state: the request's, with the state's assignments applied.
        merged = dict(variables) if isinstance(variables, dict) else {}
        if frame.assigned is not None and response["status"] in ("SUCCEEDED", "CAUGHT_ERROR"):
            merged.update(frame.assigned)
        if merged:
            inspection.values["variables"] = merged
        if level != "INFO":
            response["inspectionData"] = _inspection_data(self.state, data, inspection.values, error_details, level)
        return response

    def _failed(
        self, interpreter: Interpreter, err: StatesError, data: Any, env: Env, frame: Frame
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        state = self.state
        base: dict[str, Any] = {"error": err.error, "cause": err.cause}
        base = {k: v for k, v in base.items() if v is not None}
        if not is_recoverable(err.error):
            return {"status": "FAILED", **base}, None
        details: dict[str, Any] | None = None
        retried = self.config.retrier_retry_count or 0
        for index, retrier in enumerate(state.retriers):
            if error_matches(retrier.error_equals, err.error, err.heartbeat):
                details = {"retryIndex": index}
                if retried < retrier.max_attempts:
                    delay = backoff_delay(replace(retrier, jitter="NONE"), retried, random.Random())
                    details["retryBackoffIntervalSeconds"] = _number(delay)
                    return {"status": "RETRIABLE", **base}, details
                break
        for index, catcher in enumerate(state.catchers):
            if error_matches(catcher.error_equals, err.error, err.heartbeat):
                output = interpreter.catcher_output(state, catcher, err, data, env, frame)
                return {"status": "CAUGHT_ERROR", "output": to_json(output), **base, "nextState": catcher.next}, {
                    **(details or {}), "catchIndex": index}
        return {"status": "FAILED", **base}, details


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


_TEXT_STEPS = ("input", "afterInputPath", "afterParameters", "afterArguments", "result", "afterResultSelector",
               "afterResultPath", "afterItemsPath", "afterItemSelector", "afterItemBatcher", "variables")


def _inspection_data(
    state: State, data: Any, values: dict[str, Any], error_details: dict[str, Any] | None, level: str
) -> dict[str, Any]:
    """``inspectionData`` as AWS gives it: JSON text per step, numbers for a Map's limits."""
    values = dict(values, input=data)
    out: dict[str, Any] = {key: to_json(values[key]) for key in _TEXT_STEPS if key in values}
    if error_details:
        out["errorDetails"] = error_details
    if isinstance(state, MapState):
        for key in ("maxConcurrency", "toleratedFailureCount"):
            if values.get(key) is not None:
                out[key] = _number(values[key])
        if values.get("toleratedFailurePercentage") is not None:
            out["toleratedFailurePercentage"] = float(values["toleratedFailurePercentage"])
    return out


test_state.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test
