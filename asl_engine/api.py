"""The library API: ``load`` a definition, ``run`` it, read the ``Execution``."""

from __future__ import annotations

import os
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from .definition.builder import build_machine
from .diagnostics import ERROR, Diagnostic
from .definition.loader import read_definition
from .errors import Aborted, DefinitionError, EngineError, ExecutionInputError, StatesError, TimedOut
from .history.events import History
from .model.states import Machine
from .execution.clock import Clock, SystemClock
from .execution.quotas import AWS_QUOTAS, Quotas, utf8_size
from .execution.frame import Frame
from .runtime.interpreter import Interpreter, iso_time
from .tasks.base import TaskRequest
from .tasks.dispatch import TaskDispatcher
from .tasks.callbacks import CallbackSpool
from .tasks.objects import ObjectStore
from .tasks.children import LocalChildren
from .tasks.local import LocalHandler, import_handler
from .tasks.mocks import MockSet, MockSpec
from .dataflow.jsonpath import to_json

__all__ = ["Execution", "StateMachine", "load", "validate"]

DefinitionSource = str | os.PathLike[str] | Mapping[str, Any]
HandlerSpec = Callable[..., Any] | str

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass
class Execution:
    """The outcome of one run. A failed execution is a status, not an exception.

    ``status`` is ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``;
    ``output`` is set when it succeeded, ``error``/``cause`` when it did not;
    ``history`` holds the events in AWS ``GetExecutionHistory`` shape.
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
    history: list[dict[str, Any]] = field(default_factory=list)
    # Distributed Map children: one record per child execution, with its own
    # history ({"mapRunArn", "index", "executionArn", "status", "output" or
    # "error"/"cause", "input", "history"}), in completion order.
    child_executions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


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
        handlers: Mapping[str, HandlerSpec] | None = None,
        mocks: Mapping[str, MockSpec] | None = None,
        clock: Clock | None = None,
        name: str | None = None,
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        state_machine_type: str = "STANDARD",
        role_arn: str | None = None,
        seed: int | None = None,
        listeners: list[Callable[[dict[str, Any]], None]] | None = None,
        quotas: bool | Quotas = True,
        object_store: ObjectStore | None = None,
        state_machines: Mapping[str, "StateMachine"] | None = None,
        aws: Any = None,
        callbacks: CallbackSpool | None = None,
    ) -> Execution:
        """Run one execution to its end and return it.

        ``input`` defaults to ``{}`` (as on AWS). ``handlers`` maps a state
        name, a ``Resource`` string, a Lambda function ARN or name to a
        callable (or a ``"module:function"`` string); ``mocks`` maps a state
        name to responses replayed in order (see ``asl_engine.tasks.mocks``).
        ``clock`` defaults to real time; pass ``VirtualClock()`` to skip waits.
        ``listeners`` receive each history event as it is recorded.
        ``object_store`` is where a distributed Map's ``ItemReader`` reads
        (``InMemoryObjectStore`` offline).
        ``state_machines`` are the machines ``states:startExecution`` may
        start locally (keyed by ARN or name). ``aws`` (an
        ``asl_engine.tasks.aws.AwsConfig``) lets Tasks with no handler or mock
        call AWS through boto3. ``callbacks`` lets ``asl send-task-*`` from
        other processes answer ``.waitForTaskToken`` tasks.
        ``quotas`` enforces AWS's quotas (256 KiB payloads, 25,000 history
        events, variable sizes); ``False`` lifts them, a ``Quotas`` sets them.
        """
        if input is None:
            input = {}
        clock = clock or SystemClock()
        execution_name = name or str(uuid.uuid4())
        machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{self.name}"
        if state_machine_type == "EXPRESS":
            # Express execution ARNs carry a run id after the name.
            execution_arn = f"arn:aws:states:{region}:{account}:express:{self.name}:{execution_name}:{uuid.uuid4()}"
        else:
            execution_arn = f"arn:aws:states:{region}:{account}:execution:{self.name}:{execution_name}"
        role = role_arn or f"arn:aws:iam::{account}:role/StepFunctionsLocalRole"
        limits = quotas if isinstance(quotas, Quotas) else (AWS_QUOTAS if quotas else Quotas.none())
        history = History(clock.now, listeners, limits.history_events)
        start = clock.now()
        execution_ctx = {
            "Id": execution_arn,
            "Input": input,
            "StartTime": iso_time(start),
            "Name": execution_name,
            "RoleArn": role,
        }
        if state_machine_type == "STANDARD":
            execution_ctx["RedriveCount"] = 0  # Express executions cannot be redriven
        machine_ctx = {"Id": machine_arn, "Name": self.name}
        resolved_handlers = _resolve_handlers(handlers)
        children = None
        if state_machines:

            def run_child(machine: "StateMachine", child_input: Any, child_name: str) -> Execution:
                return machine.run(
                    child_input, handlers=handlers, mocks=mocks, clock=clock, name=child_name, account=account,
                    region=region, role_arn=role_arn, quotas=quotas, object_store=object_store,
                    state_machines=state_machines, aws=aws, callbacks=callbacks,
                )

            def arn_of(machine: "StateMachine", child_name: str) -> str:
                return f"arn:aws:states:{region}:{account}:execution:{machine.name}:{child_name}"

            children = LocalChildren(state_machines, run_child, arn_of)
        aws_runner = None
        if aws is not None:
            from .tasks.aws import AwsTaskRunner  # imports boto3 only on the first call

            aws_runner = AwsTaskRunner(aws)
        dispatcher = TaskDispatcher(
            handlers=resolved_handlers,
            mocks=MockSet(mocks),
            history=history,
            clock=clock,
            region=region,
            max_payload_bytes=limits.payload_bytes,
            aws=aws_runner,
            children=children,
            callbacks=callbacks,
        )
        timeout = self.model.timeout_seconds
        interpreter = Interpreter(
            history=history,
            clock=clock,
            dispatcher=dispatcher,
            execution_context=execution_ctx,
            state_machine_context=machine_ctx,
            deadline=start + timedelta(seconds=timeout) if timeout else None,
            rng=random.Random(seed),
            quotas=limits,
            object_store=object_store,
        )
        input_json = _input_json(input, limits.payload_bytes)
        started = history.add(
            "ExecutionStarted",
            0,
            {
                "input": input_json,
                "inputDetails": {"truncated": False},
                "roleArn": role,
            },
        )
        execution = Execution(execution_name, execution_arn, machine_arn, "RUNNING", input, start_date=start)
        frame = Frame(threading.Event(), started)
        try:
            output = interpreter.run_program(self.model.program, input, frame, input_json)
        except StatesError as err:
            execution.status, execution.error, execution.cause = "FAILED", err.error, err.cause
            details = {k: v for k, v in (("error", err.error), ("cause", err.cause)) if v is not None}
            history.add("ExecutionFailed", len(history), details)
        except TimedOut:
            frame.cancel.set()
            execution.status, execution.error = "TIMED_OUT", "States.Timeout"
            history.add("ExecutionTimedOut", len(history), {"error": "States.Timeout"})
        except Aborted:
            execution.status = "ABORTED"
            history.add("ExecutionAborted", len(history), {})
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
            execution.status, execution.output = "SUCCEEDED", output
            history.add("ExecutionSucceeded", frame.last_event, {"output": to_json(output), "outputDetails": {"truncated": False}})
        execution.stop_date = clock.now()
        execution.history = history.events()
        execution.child_executions = list(interpreter.child_executions)
        return execution


__all__ += ["TaskRequest"]
