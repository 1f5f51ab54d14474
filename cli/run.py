"""``asl run``: run one execution and print its output."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import os
import sys
import threading
from typing import Any, Callable

import click

import asl_engine

from .progress import MapProgress
from .signals import Stopping, stopping
from .common import (
    EXIT_ENGINE,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    dump_json,
    fail,
    parse_json_input,
    read_input_file,
)


def _parse_handler(spec: str) -> tuple[str, str]:
    key, sep, target = spec.partition("=")
    if not sep or not key or ":" not in target:
        fail(f"--handler must look like NAME_OR_RESOURCE=module:function, got {spec!r}", EXIT_USAGE)
    return key, target


def _module_handlers(module_name: str) -> dict[str, Callable[..., Any]]:
    """Every public function of a module the user allow-listed, by its name."""
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - one clear line for any import failure
        fail(f"cannot import handler module {module_name!r}: {exc}", EXIT_ENGINE)
    return {
        name: fn
        for name, fn in vars(module).items()
        if not name.startswith("_") and inspect.isfunction(fn) and fn.__module__ == module.__name__
    }


def _mock_config_mocks(
    definition: str, mock_config: str | None, test_case: str | None, state_machine: str | None
) -> tuple[dict[str, list[dict[str, Any]]] | None, str | None]:
    """The mocks of ``--mock-config FILE --test-case NAME [--state-machine NAME]``
    and the state machine name to run under (``(None, None)`` without ``--mock-config``).

    The state machine is ``--state-machine``, else the only one in the file,
    else the one named like the definition file (``orders.asl.json`` ->
    ``orders``, the name ``asl`` gives the machine). Every problem (malformed
    file, unknown or ambiguous name, a missing option) is a usage error.
    """
    if mock_config is None:
        if test_case is not None or state_machine is not None:
            option = "--test-case" if test_case is not None else "--state-machine"
            fail(f"{option} needs --mock-config FILE", EXIT_USAGE)
        return None, None
    try:
        config = asl_engine.load_mock_config(mock_config)
        if state_machine is None:
            names = config.state_machines
            stem = os.path.basename(definition).split(".")[0]
            if len(names) == 1:
                state_machine = names[0]
            elif stem in names:
                state_machine = stem
            elif not names:
                fail(f"{mock_config} has no state machines", EXIT_USAGE)
            else:
                fail(f"{mock_config} has state machines {_quoted(names)} and none named {_quoted([stem])}"
                     " like the definition: pass --state-machine NAME", EXIT_USAGE)
        if test_case is None:
            fail(f"--mock-config needs --test-case NAME (test cases of {_quoted([state_machine])}:"
                 f" {_quoted(config.test_cases(state_machine)) or 'none'})", EXIT_USAGE)
        return config.mocks(state_machine, test_case), state_machine
    except asl_engine.AslEngineError as exc:  # MockConfigError, one line: file:line:column: /pointer: problem
        fail(str(exc), EXIT_USAGE)


def _quoted(names: list[str]) -> str:
    return ", ".join(json.dumps(n, ensure_ascii=False) for n in names)


def _child_machines(specs: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=FILE`` pairs: the state machines ``states:startExecution`` may start."""
    machines: dict[str, Any] = {}
    for spec in specs:
        child_name, sep, path = spec.partition("=")
        if not sep or not child_name or not path:
            fail(f"--child-machine must look like NAME=FILE, got {spec!r}", EXIT_USAGE)
        machines[child_name] = _load(path, child_name)
    return machines


def _load(path: str, name: str | None) -> asl_engine.StateMachine:
    """Load a definition; its diagnostics (exit 3) or an engine fault (exit 4) end the command."""
    try:
        return asl_engine.load(path, name=name)
    except asl_engine.DefinitionError as exc:
        for diag in exc.diagnostics:
            click.echo(diag.format(), err=True)
        raise SystemExit(EXIT_INVALID)
    except asl_engine.EngineError as exc:
        fail(str(exc), EXIT_ENGINE)


def _log_waiting_tokens(definition: str) -> None:
    """Show on stderr the tokens that .waitForTaskToken tasks wait for (set up
    only for a definition that has one: logging costs every start 4 ms)."""
    try:
        with open(definition, encoding="utf-8", errors="replace") as handle:
            if "waitForTaskToken" not in handle.read():
                return
    except OSError:
        return
    import logging

    logger = logging.getLogger("asl_engine")
    if not any(getattr(h, "_asl_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("asl: %(message)s"))
        handler._asl_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@click.command("run")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--input", "input_json", help="Execution input as JSON text (default {}).")
@click.option("--input-file", type=click.Path(dir_okay=False), help="Read the execution input from a JSON file.")
@click.option("--handler", "handlers", multiple=True, metavar="NAME=module:function",
              help="Run Task NAME (state name, Resource, Lambda ARN or function name) with a Python callable.")
@click.option("--handler-module", "handler_modules", multiple=True, metavar="MODULE",
              help="Allow-list a module: its public functions handle Lambda tasks whose function name matches.")
@click.option("--isolate-handlers", is_flag=True,
              help="Run each handler in a worker process: one past TimeoutSeconds is killed (States.Timeout), "
                   "one that crashes fails its task (States.TaskFailed), not asl.")
@click.option("--handler-memory-mb", type=click.IntRange(min=1), metavar="MIB",
              help="With --isolate-handlers: each worker may allocate this many MiB (more fails the task).")
@click.option("--skip-waits", is_flag=True, help="Use a virtual clock: Wait states and retry back-off take no time.")
@click.option("--history", is_flag=True, help="Print the execution history (JSON) to stderr.")
@click.option("--inspection-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Append each state visit's data-flow steps (TestState's names: afterInputPath, afterParameters, "
                   "result, afterResultSelector, afterResultPath...) to FILE (JSON Lines); asl graph --inspection shows them.")
@click.option("--history-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Append each history event to FILE (JSON Lines) as it happens.")
@click.option("--name", help="Execution name (default: a UUID).")
@click.option("--no-quotas", is_flag=True,
              help="Lift AWS's quotas (256 KiB payloads, 25,000 history events, variable sizes) for local experiments.")
@click.option("--mock-config", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="A Step Functions Local MockConfigFile.json: mocked states of --test-case use its responses.")
@click.option("--test-case", metavar="NAME", help="The test case of --mock-config to run.")
@click.option("--state-machine", metavar="NAME",
              help="The state machine of --mock-config (default: the only one, else the definition file's name).")
@click.option("--child-machine", "child_machines", multiple=True, metavar="NAME=FILE",
              help="A state machine that states:startExecution may start locally, by name (repeatable).")
@click.option("--aws", "use_aws", is_flag=True,
              help="Let Tasks with no handler or mock call AWS through boto3 (Lambda, SQS, SNS, DynamoDB, EventBridge, aws-sdk:*).")
@click.option("--region", help="AWS region for --aws (default: boto3's configuration).")
@click.option("--profile", help="AWS profile for --aws.")
@click.option("--endpoint-url", "endpoint_urls", multiple=True, metavar="[SERVICE=]URL",
              help="Send the AWS calls of --aws to this endpoint (LocalStack, moto server); SERVICE=URL for one service (repeatable).")
@click.option("--account", help="The AWS account id the execution's ARNs name (default 123456789012).")
@click.option("--items-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Serve a distributed Map's S3 objects from DIR: s3://bucket/key is DIR/bucket/key"
                   " (ItemReader reads there, ResultWriter writes there; with --aws the default is S3 itself).")
@click.option("--db", metavar="PATH",
              help="Run through the durable service and keep the execution and its history in this SQLite file"
                   " (the one asl serve uses; read it with asl executions).")
@click.option("--local-aws", is_flag=True,
              help="Run against an embedded AWS (moto, in-process) with the resources local_aws.json declares for the flow;"
                   " print the services' contents and a compact history to stderr after the output.")
def run_command(definition: str, **params: Any) -> None:
    """Run DEFINITION locally and print the execution output as JSON."""
    value = _input(params.pop("input_json"), params.pop("input_file"))
    params["modules"] = params.pop("handler_modules")
    registry = _handlers(params["modules"], params.pop("handlers"))
    mocks, machine_name = _mock_config_mocks(
        definition, params.pop("mock_config"), params.pop("test_case"), params.pop("state_machine"))
    machine = _load(definition, machine_name)
    history_file = params.pop("history_file")
    inspection_file = params.pop("inspection_file")
    progress = MapProgress.for_terminal(sys.stderr)
    options = asl_engine.RunOptions(
        mocks=mocks,
        clock=asl_engine.VirtualClock() if params.pop("skip_waits") else None,
        name=params.pop("name"),
        quotas=not params.pop("no_quotas"),
        state_machines=_child_machines(params.pop("child_machines")),
        callbacks=asl_engine.CallbackSpool(),
        inspection=asl_engine.JsonLinesHistory(inspection_file) if inspection_file else None,
        listeners=[*([asl_engine.JsonLinesHistory(history_file)] if history_file else []), *([progress] if progress else [])]
        or None,
        handlers=registry,
        object_store=asl_engine.FolderObjectStore(items_dir) if (items_dir := params.pop("items_dir")) else None,
        **({"account": params["account"]} if params.get("account") else {}),
        **isolation_options(params),
    )
    _log_waiting_tokens(definition)
    show_history = params.pop("history")
    cancel = _StopRequest()
    with stopping(cancel.stop) as signalled:
        try:
            if params.pop("local_aws"):
                execution, summary = _run_on_local_aws(machine, definition, value, options, params, cancel)
            else:
                execution, summary = _execute(machine, value, _with_aws(options, params), params.get("db"), cancel), None
        except KeyboardInterrupt:  # a second signal: the user will not wait for the abort
            fail(f"stopped by {signalled.name or 'SIGINT'} before the execution ended", signalled.exit_code or 130)
    if progress is not None:
        progress.close()  # the bar's line ends before the output and the summary
    _finish(execution, summary, show_history, signalled)


class _StopRequest(threading.Event):
    """The execution's cancel signal, set by SIGINT/SIGTERM: the execution ends
    ``ABORTED`` with an ``ExecutionAborted`` event whose cause names the signal
    (the ``details`` a StopExecution request would carry)."""

    def __init__(self) -> None:
        super().__init__()
        self.details: dict[str, str] = {}

    def stop(self, signalled: Stopping) -> None:
        self.details = {"cause": f"asl run stopped by {signalled.name}"}
        self.set()


def _input(input_json: str | None, input_file: str | None) -> Any:
    """The execution input of ``--input`` or ``--input-file`` (default ``{}``)."""
    if input_json is not None and input_file is not None:
        fail("use either --input or --input-file, not both", EXIT_USAGE)
    if input_json is not None:
        return parse_json_input(input_json, "--input")
    if input_file is not None:
        return read_input_file(input_file)
    return {}


def _handlers(modules: tuple[str, ...], specs: tuple[str, ...]) -> dict[str, Any]:
    """``--handler-module`` functions, then ``--handler NAME=module:function`` (which win)."""
    # Handlers named on the command line resolve relative to the current directory.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    registry: dict[str, Any] = {}
    for module_name in modules:
        registry.update(_module_handlers(module_name))
    for spec in specs:
        key, target = _parse_handler(spec)
        registry[key] = target
    return registry


def isolation_options(params: dict[str, Any]) -> dict[str, Any]:
    """The ``RunOptions`` of ``--isolate-handlers`` and ``--handler-memory-mb`` (popped from ``params``)."""
    isolate, memory = params.pop("isolate_handlers"), params.pop("handler_memory_mb")
    if memory is not None and not isolate:
        fail("--handler-memory-mb needs --isolate-handlers", EXIT_USAGE)
    if isolate and not asl_engine.process_isolation_available():
        fail("--isolate-handlers needs the 'fork' start method, which this platform does not have", EXIT_USAGE)
    return {"isolation": "process", "handler_memory_mb": memory} if isolate else {}


def _with_aws(options: asl_engine.RunOptions, params: dict[str, Any]) -> asl_engine.RunOptions:
    """``--aws``, ``--region``, ``--profile``, ``--endpoint-url``: Tasks may call AWS, and a
    distributed Map's ItemReader and ResultWriter use S3 there unless ``--items-dir`` chose a folder."""
    region, profile, urls = params.get("region"), params.get("profile"), params.get("endpoint_urls") or ()
    if not (params.get("use_aws") or region or profile or urls):
        return options
    endpoint_url, per_service = _endpoints(urls)
    aws = asl_engine.AwsConfig(region=region, profile=profile, endpoint_url=endpoint_url, endpoint_urls=per_service)
    store = options.object_store if options.object_store is not None else asl_engine.S3ObjectStore(aws)
    # The execution's ARNs name the region it runs in.
    return dataclasses.replace(options, aws=aws, object_store=store, **({"region": region} if region else {}))


def _run_on_local_aws(
    machine: asl_engine.StateMachine, definition: str, value: Any, options: asl_engine.RunOptions, params: dict[str, Any],
    cancel: _StopRequest,
) -> tuple[asl_engine.Execution, str]:
    """``--local-aws``: the run on an embedded AWS, and the report of what its services hold."""
    if params.get("endpoint_urls") or params.get("profile"):
        fail("--local-aws cannot be combined with --endpoint-url or --profile", EXIT_USAGE)
    from .local_aws import report

    try:
        with asl_engine.local_aws(definition, params.get("region")) as embedded:
            options = on_embedded_aws(embedded, options, params["modules"])
            execution = _execute(machine, value, options, params.get("db"), cancel)
            return execution, report(embedded.side_effects(), execution.history)
    except asl_engine.LocalAwsError as exc:
        fail(str(exc), EXIT_USAGE)


def on_embedded_aws(
    embedded: asl_engine.LocalAws, options: asl_engine.RunOptions, modules: tuple[str, ...]
) -> asl_engine.RunOptions:
    """``options`` sending Tasks to the embedded AWS. Handlers stay those of the
    command line: a ``handlerModule`` in ``local_aws.json`` is never imported
    (a file beside a definition must not choose the code that runs), only
    named in a warning that says how to register it."""
    ignored = embedded.ignored_handler_module
    if ignored is not None and ignored not in modules:
        click.echo(f"asl: warning: local_aws.json names handlerModule {ignored!r}, which is not imported"
                   f" (a file beside a definition cannot choose code to run); to use its functions as the"
                   f" Lambda handlers, pass --handler-module {ignored}", err=True)
    return dataclasses.replace(options, aws=embedded.aws, region=embedded.region)


def _endpoints(specs: tuple[str, ...]) -> tuple[str | None, dict[str, str]]:
    """``--endpoint-url`` values: one plain URL for every service, ``SERVICE=URL`` for one."""
    default: str | None = None
    per_service: dict[str, str] = {}
    for spec in specs:
        service, sep, url = spec.partition("=")
        if sep and "://" not in service:
            per_service[service] = url
        elif default is None:
            default = spec
        else:
            fail("give one plain --endpoint-url (use SERVICE=URL for the others)", EXIT_USAGE)
    return default, per_service


def _execute(
    machine: asl_engine.StateMachine, value: Any, options: asl_engine.RunOptions, db: str | None, cancel: _StopRequest
) -> asl_engine.Execution:
    """Run one execution, aborted when ``cancel`` is set; engine and input problems
    end the command with one line. With ``db``, it runs through the durable
    service and is kept in that store."""
    if db is not None:
        return _recorded(machine, value, options, db, cancel)
    try:
        return machine.execute(value, options, cancel=cancel)
    except asl_engine.ExecutionInputError as exc:
        fail(str(exc), EXIT_USAGE)
    except asl_engine.EngineError as exc:
        fail(str(exc), EXIT_ENGINE)


def _recorded(
    machine: asl_engine.StateMachine, value: Any, options: asl_engine.RunOptions, db: str, cancel: _StopRequest
) -> asl_engine.Execution:
    """``--db``: run as ``asl serve`` would, recorded in its store (``asl executions`` reads it);
    ``cancel`` stops it as ``StopExecution`` does."""
    from asl_engine.service import Service, ServiceError

    try:
        with Service(db, options=options, skip_waits=options.clock is not None, resume=False) as service:
            arn = service.put_state_machine(machine.name, json.dumps(machine.definition))
            execution_arn = service.start_execution(arn, value, name=options.name)
            while not service.runner.wait(execution_arn, 0.05):
                if cancel.is_set():
                    service.call("StopExecution", {"executionArn": execution_arn, **cancel.details})
            described = service.describe_execution(execution_arn)
            history = service.history(execution_arn)
        # The store records the events as they happen; --history-file gets them
        # when the run ends (the service does not take per-run listeners).
        for listener in options.listeners or ():
            if isinstance(listener, asl_engine.JsonLinesHistory):
                for event in history:
                    listener(event)
    except ServiceError as exc:
        fail(str(exc), EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - an unusable database file: one line
        fail(f"cannot use the database {db}: {exc}", EXIT_USAGE)
    status = described["status"]
    return asl_engine.Execution(
        described["name"], execution_arn, arn, status, value,
        output=json.loads(described["output"]) if status == "SUCCEEDED" else None,
        error=described.get("error"), cause=described.get("cause"),
        start_date=described["startDate"], stop_date=described.get("stopDate"), history=history,
    )


def _finish(execution: asl_engine.Execution, summary: str | None, history: bool, signalled: Stopping) -> None:
    """Print the output (or the failure), then ``summary`` on stderr; exit with the
    status (``128 + signal`` for an execution a SIGINT/SIGTERM aborted)."""
    if history:
        click.echo(dump_json(execution.history), err=True)
    if execution.status == "SUCCEEDED":
        click.echo(dump_json(execution.output))
    else:
        click.echo(dump_json({"status": execution.status, "error": execution.error,
                              "cause": execution.cause or _aborted_cause(execution)}))
    if summary is not None:
        click.echo(summary, err=True)
    if execution.status == "ABORTED" and signalled.exit_code is not None:
        raise SystemExit(signalled.exit_code)
    raise SystemExit(EXIT_OK if execution.status == "SUCCEEDED" else EXIT_FAILED)


def _aborted_cause(execution: asl_engine.Execution) -> str | None:
    """The cause its ``ExecutionAborted`` event gives (the Execution has none for an abort)."""
    last = execution.history[-1] if execution.status == "ABORTED" and execution.history else {}
    cause = (last.get("executionAbortedEventDetails") or {}).get("cause")
    return str(cause) if cause is not None else None
