"""The library API: ``load`` a definition, ``run`` it, read the ``Execution``."""

from __future__ import annotations

import json
import os
import random
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Literal, Mapping, Sequence

from .definition.builder import build_machine
from .diagnostics import Diagnostic
from .definition.loader import read_definition
from .documents.values import TOO_DEEP, encoded_problem
from .errors import DefinitionError, ExecutionInputError
from .model.states import Machine
from .execution.clock import Clock, SystemClock
from .execution.ids import IdSource, uuid_source
from .history.events import History, Listener
from .execution.frame import Frame
from .execution.quotas import Quotas, utf8_size
from .options import DEFAULT_ACCOUNT, DEFAULT_REGION, HandlerSpec, LocalMachine, RunOptions
from .runtime.interpreter import run_execution
from .runtime.services import ChildExecutions, ExecutionInfo, ExecutionServices
from .tasks.aws import AwsConfig
from .tasks.dispatch import TaskDispatcher
from .tasks.callbacks import CallbackSpool
from .tasks.objects import ObjectStore
from .tasks.children import LocalChildren
from .tasks.local import LocalHandler, import_handler
from .tasks.mocks import MockSet, MockSpec
from .dataflow.jsonpath import to_json

__all__ = ["Execution", "RunOptions", "StateMachine", "load", "validate"]

DefinitionSource = str | os.PathLike[str] | Mapping[str, Any]


@dataclass(init=False)
class Execution:
    """The outcome of one run. A failed execution is a status, not an exception.

    ``status`` is ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``;
    ``output`` is set when it succeeded, ``error``/``cause`` when it did not;
    ``history`` holds the events in AWS ``GetExecutionHistory`` shape (a list,
    or the engine's ``History``, read into one on first use).
    """

    name: str
    arn: str
    state_machine_arn: str
    status: str
    input: Any
    output: Any = None
    error: str | None = None
    cause: str | None = None
    start_date: datetime | None = None
    stop_date: datetime | None = None
    # The events: a History, built into dicts on first read (see ``history``).
    _events: "History | list[dict[str, Any]] | None" = field(default=None, repr=False, compare=False)
    # Child executions, in completion order, each with its own history:
    # distributed Map children ({"mapRunArn", "index", "executionArn", "status",
    # "input", "output" or "error"/"cause", "history"}) and local
    # states:startExecution children ({"executionArn", "stateMachineArn", ...}).
    child_executions: list[dict[str, Any]] = field(default_factory=list)
    # Finished children beyond ``RunOptions.child_executions_kept``: counted, not kept.
    child_executions_dropped: int = 0

    def __init__(
        self,
        name: str,
        arn: str,
        state_machine_arn: str,
        status: str,
        input: Any,
        output: Any = None,
        error: str | None = None,
        cause: str | None = None,
        start_date: datetime | None = None,
        stop_date: datetime | None = None,
        history: "History | list[dict[str, Any]] | None" = None,
        child_executions: list[dict[str, Any]] | None = None,
        child_executions_dropped: int = 0,
    ) -> None:
        self.name, self.arn, self.state_machine_arn, self.status, self.input = name, arn, state_machine_arn, status, input
        self.output, self.error, self.cause = output, error, cause
        self.start_date, self.stop_date = start_date, stop_date
        self._events = history
        self.child_executions = child_executions if child_executions is not None else []
        self.child_executions_dropped = child_executions_dropped

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events in AWS ``GetExecutionHistory`` shape, oldest first.

        Built on first read: a run whose history is never read never pays
        for the event dicts (the events are recorded as they happen either
        way, and listeners see each one at once)."""
        events = self._events
        if not isinstance(events, list):
            events = self._events = events.events() if events is not None else []
        return events

    @history.setter
    def history(self, events: list[dict[str, Any]]) -> None:
        self._events = events

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def map_runs(self) -> dict[str, list[dict[str, Any]]]:
        """The child executions of each distributed Map run, by Map Run ARN, in item order."""
        runs: dict[str, list[dict[str, Any]]] = {}
        for child in self.child_executions:
            if child.get("mapRunArn"):
                runs.setdefault(child["mapRunArn"], []).append(child)
        for children in runs.values():
            children.sort(key=lambda child: child.get("index", 0))
        return runs


def validate(source: DefinitionSource, *, state_machine_type: str | None = None) -> list[Diagnostic]:
    """Every problem of a definition, as AWS's ValidateStateMachineDefinition would
    report it: ERROR and WARNING diagnostics, each with its code, JSON pointer
    and line:column (an empty list when the definition is valid and clean).

    ``source`` is a dict, JSON or YAML text, or a file path; a CloudFormation
    or SAM template is validated state machine by state machine. Only ERRORs
    make a definition invalid. Never raises for bad input.
    ``state_machine_type`` ``"EXPRESS"`` adds AWS's Express checks (no
    ``.waitForTaskToken``, no ``.sync``); a template's own type wins.
    """
    from .definition.validate import validate_source  # local: keeps this module's imports light

    return validate_source(source, state_machine_type=state_machine_type)


def _with_file(diagnostics: list[Diagnostic], file: str | None) -> list[Diagnostic]:
    if file is None:
        return diagnostics
    from dataclasses import replace

    return [d if d.file else replace(d, file=file) for d in diagnostics]


def load(source: DefinitionSource, *, name: str | None = None) -> "StateMachine":
    """Load a definition (a dict, JSON or YAML text, or a file path) into a StateMachine.

    The definition is validated first, as ``validate`` does; then the engine
    builds what it runs, refusing what it cannot run yet
    (``UNSUPPORTED_FEATURE``). Raises ``DefinitionError`` carrying every
    diagnostic (warnings included) when any is an ERROR.
    """
    from .definition.validate import has_errors, validate_document  # local: keeps import time low

    loaded = read_definition(source)
    diagnostics = list(loaded.diagnostics)
    machine = None
    if loaded.document is not None and not has_errors(diagnostics):
        diagnostics += validate_document(loaded.document, locator=loaded.locator, file=loaded.source)
        if not has_errors(diagnostics):
            machine, more = build_machine(loaded.document)
            diagnostics += _located(more, loaded)
    if machine is None or has_errors(diagnostics):
        raise DefinitionError(diagnostics)
    return StateMachine(machine, name or loaded.name or "StateMachine")


def _located(diagnostics: list[Diagnostic], loaded: Any) -> list[Diagnostic]:
    """The builder's diagnostics with the file and line:column of their place."""
    from dataclasses import replace

    out = []
    for diag in diagnostics:
        where = loaded.locator.position(diag.path) if loaded.locator is not None else None
        line, column = where if where is not None else (None, None)
        out.append(replace(diag, file=loaded.source, line=line, column=column))
    return out


def _resolve_handlers(handlers: Mapping[str, HandlerSpec] | None) -> dict[str, LocalHandler]:
    resolved: dict[str, LocalHandler] = {}
    for key, spec in (handlers or {}).items():
        fn = import_handler(spec) if isinstance(spec, str) else spec
        resolved[key] = LocalHandler(fn, key)
    return resolved


def _input_json(value: Any, limit: int | None) -> str:
    """The execution input as JSON; ExecutionInputError when it cannot be one."""
    try:
        text = to_json(value)
    except (TypeError, ValueError) as exc:
        raise ExecutionInputError(f"execution input is not JSON: {exc}") from None
    except RecursionError:
        raise ExecutionInputError(f"execution input {TOO_DEEP}") from None
    problem = encoded_problem(text)
    if problem is not None:
        raise ExecutionInputError(f"execution input {problem}")
    if limit is not None and utf8_size(text) > limit:
        raise ExecutionInputError(
            f"execution input is {utf8_size(text)} bytes; AWS accepts at most {limit} (use quotas=False to lift this)"
        )
    return text


class StateMachine:
    """A loaded, validated state machine. Immutable; run it any number of times."""

    def __init__(self, machine: Machine, name: str) -> None:
        self.model = machine
        self.name = name

    @property
    def definition(self) -> Mapping[str, Any]:
        return self.model.raw

    def run(
        self,
        input: Any = None,
        *,
        options: RunOptions | None = None,
        handlers: Mapping[str, HandlerSpec] | None = None,
        mocks: Mapping[str, MockSpec] | None = None,
        clock: Clock | None = None,
        name: str | None = None,
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        state_machine_type: str = "STANDARD",
        role_arn: str | None = None,
        seed: int | None = None,
        listeners: Sequence[Listener] | None = None,
        quotas: bool | Quotas = True,
        object_store: ObjectStore | None = None,
        state_machines: Mapping[str, LocalMachine] | None = None,
        aws: AwsConfig | None = None,
        callbacks: CallbackSpool | None = None,
        inspection: Listener | None = None,
        child_executions_kept: int | None = 1000,
        on_child_execution: Callable[[dict[str, Any]], None] | None = None,
        isolation: Literal["thread", "process"] = "thread",
        handler_memory_mb: int | None = None,
    ) -> Execution:
        """Run one execution to its end and return it.

        ``input`` defaults to ``{}`` (as on AWS). ``handlers`` maps a state
        name, a ``Resource`` string, a Lambda function ARN or name to a
        callable (or a ``"module:function"`` string); ``mocks`` maps a state
        name to responses replayed in order (see ``asl_engine.tasks.mocks``).
        ``clock`` defaults to real time; pass ``VirtualClock()`` to skip waits.
        ``seed`` makes task tokens, Map Run ids and jitter repeatable.
        ``listeners`` receive each history event of this execution as it is
        recorded. ``object_store`` is where a distributed Map's
        ``ItemReader`` reads (``InMemoryObjectStore`` offline).
        ``state_machines`` are the machines ``states:startExecution`` may
        start locally (keyed by ARN or name); they run with these options,
        their own name and no listeners. ``aws`` (an ``AwsConfig``) lets
        Tasks with no handler or mock call AWS through boto3. ``callbacks``
        lets ``asl send-task-*`` from other processes answer
        ``.waitForTaskToken`` tasks. ``quotas`` enforces AWS's quotas
        (256 KiB payloads, 25,000 history events, variable sizes); ``False``
        lifts them, a ``Quotas`` sets them. ``inspection`` receives, for each
        state visit, the value after each data-flow step as TestState names
        them (``{"name", "enteredEventId", "afterInputPath", "afterParameters",
        "result", "afterResultSelector", "afterResultPath", ...}``).
        ``child_executions_kept`` caps the finished child executions kept in
        ``Execution.child_executions`` (and ``map_runs``) with their
        histories: the first 1,000 by default, every one with ``None``; the
        others are only counted (``child_executions_dropped``), so memory
        stays flat however many items a distributed Map has.
        ``on_child_execution`` is called with each child's record, history
        included, as the child ends (before the cap; the service stores each
        one this way).
        ``isolation="process"`` runs local handlers in worker processes, so a
        handler past its ``TimeoutSeconds`` is killed (``States.Timeout``) and
        one that crashes fails its task (``States.TaskFailed``) instead of
        asl; ``handler_memory_mb`` caps what each worker may allocate (see
        ``asl_engine.tasks.isolation``).

        ``options`` (a ``RunOptions``) gives all of these at once, instead of
        the keyword arguments (not together with them).
        """
        given = RunOptions(
            handlers=handlers, mocks=mocks, clock=clock, name=name, account=account, region=region,
            state_machine_type=state_machine_type, role_arn=role_arn, seed=seed, listeners=listeners,
            quotas=quotas, object_store=object_store, state_machines=state_machines, aws=aws, callbacks=callbacks,
            inspection=inspection, child_executions_kept=child_executions_kept,
            on_child_execution=on_child_execution, isolation=isolation, handler_memory_mb=handler_memory_mb,
        )
        if options is None:
            options = given
        elif given != _DEFAULTS:
            raise TypeError("StateMachine.run takes options= or keyword options, not both")
        return self._execute(input, options, _services(options))

    def execute(
        self,
        input: Any,
        options: RunOptions,
        *,
        arn: str | None = None,
        start: datetime | None = None,
        history: History | None = None,
        resume: Frame | None = None,
        cancel: threading.Event | None = None,
        redrive_count: int = 0,
        redrive_time: datetime | None = None,
    ) -> Execution:
        """Run one execution as a service runs it: named by ``options.name`` under
        ``arn``, started at ``start``, recording into ``history`` (one the caller
        made, e.g. one that stores each event as it happens; without them, as
        ``run`` does), stopped when ``cancel`` is set (``asl run`` sets it on
        SIGINT/SIGTERM: the execution ends ``ABORTED`` with ``ExecutionAborted``,
        carrying the ``error``/``cause`` of a ``details`` dict the event may
        have). With ``resume`` (the root frame restored from the progress
        stored with ``history``'s last event) the execution carries on where
        it stood instead of starting; see ``run_execution``.
        ``redrive_count`` is ``$$.Execution.RedriveCount``; ``redrive_time``
        (the last redrive) is ``$$.Execution.RedriveTime`` and restarts the
        machine's ``TimeoutSeconds``.
        """
        services = _services(options)
        return self._execute(input, options, services, arn, start=start, history=history, resume=resume,
                             cancel=cancel, redrive_count=redrive_count, redrive_time=redrive_time)

    def _execute(
        self,
        input: Any,
        options: RunOptions,
        services: ExecutionServices,
        arn: str | None = None,
        *,
        start: datetime | None = None,
        history: History | None = None,
        resume: Frame | None = None,
        cancel: threading.Event | None = None,
        redrive_count: int = 0,
        redrive_time: datetime | None = None,
    ) -> Execution:
        """Run one execution of this machine on ``services`` (shared with its parent,
        if any), under ``arn`` when its parent already named it."""
        if input is None:
            input = {}
        execution_name = options.name or services.new_uuid()
        machine_arn = options.machine_arn(self.name)
        input_json = _input_json(input, services.quotas.payload_bytes)
        info = ExecutionInfo.create(
            arn=arn or options.execution_arn(self.name, execution_name, services.new_uuid()),
            name=execution_name,
            machine_arn=machine_arn,
            machine_name=self.name,
            role_arn=options.role,
            start=start or services.clock.now(),
            # The engine's own copy: the history may keep documents made from it
            # as values (``History.add_state``), which the caller's changes must not reach.
            input=json.loads(input_json),
            timeout_seconds=self.model.timeout_seconds,
            # Express executions cannot be redriven: no RedriveCount in their context.
            redrive_count=redrive_count if options.state_machine_type == "STANDARD" else None,
            redrive_time=redrive_time,
        )
        outcome = run_execution(services, self.model.program, info, input_json, list(options.listeners or ()),
                                cancel=cancel, history=history, resume=resume)
        return Execution(
            execution_name, info.arn, machine_arn, outcome.status, input,
            output=outcome.output, error=outcome.error, cause=outcome.cause,
            start_date=info.start, stop_date=outcome.stop, history=outcome.history,
            child_executions=list(services.child_executions),
            child_executions_dropped=services.child_executions.dropped,
        )


_DEFAULTS = RunOptions()


def _services(options: RunOptions) -> ExecutionServices:
    """The services of a new run: one clock, quotas, seeded randomness and ids, task runners."""
    clock = options.clock or SystemClock()
    limits = options.limits
    rng = random.Random(options.seed)
    ids = uuid_source(rng)
    services: ExecutionServices
    # The children launcher runs children on these services, made just below.
    children = _children(options, lambda: services, ids) if options.state_machines else None
    services = ExecutionServices(
        clock=clock,
        quotas=limits,
        dispatcher=_dispatcher(options, clock, limits, children, ids),
        rng=rng,
        ids=ids,
        object_store=options.object_store,
        inspection=options.inspection,
        child_executions=ChildExecutions(options.child_executions_kept, options.on_child_execution),
    )
    return services


def _dispatcher(options: RunOptions, clock: Clock, limits: Quotas, children: Any, ids: IdSource) -> TaskDispatcher:
    aws_runner = None
    if options.aws is not None:
        from .tasks.aws import AwsTaskRunner  # imports boto3 only on the first call

        aws_runner = AwsTaskRunner(options.aws)
    return TaskDispatcher(
        handlers=_resolve_handlers(options.handlers),
        mocks=MockSet(options.mocks),
        clock=clock,
        region=options.region,
        max_payload_bytes=limits.payload_bytes,
        aws=aws_runner,
        children=children,
        callbacks=options.callbacks,
        new_id=ids,
        isolation=options.isolation,
        handler_memory_mb=options.handler_memory_mb,
    )


def _children(options: RunOptions, parent: Callable[[], ExecutionServices], ids: IdSource) -> LocalChildren[LocalMachine]:
    """``states:startExecution`` of the local machines: each child runs on the
    parent's services (clock, randomness, quotas, child records) with its own
    task dispatcher (mocks count per execution), its own name, no listeners."""
    machines = options.state_machines or {}

    def run_child(machine: LocalMachine, child_input: Any, child_name: str, arn: str) -> Execution:
        child_options = replace(options, name=child_name, listeners=None)
        if not isinstance(machine, StateMachine):
            return machine.run(child_input, options=child_options)  # type: ignore[no-any-return]
        services = parent()
        child_services = replace(services, dispatcher=_dispatcher(
            child_options, services.clock, services.quotas, services.dispatcher.children, ids))
        execution = machine._execute(child_input, child_options, child_services, arn)
        services.child_executions.append({
            "executionArn": execution.arn,
            "stateMachineArn": execution.state_machine_arn,
            "status": execution.status,
            "input": execution.input,
            **({"output": execution.output} if execution.succeeded else {"error": execution.error, "cause": execution.cause}),
            "history": execution.history,
        })
        return execution

    def arn_of(machine: LocalMachine, child_name: str) -> str:
        return options.execution_arn(machine.name, child_name, ids())

    return LocalChildren(machines, run_child, arn_of, ids)
