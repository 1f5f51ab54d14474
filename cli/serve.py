"""``asl serve``: the durable local Step Functions service; ``asl executions``: read its store."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import click

import asl_engine

if TYPE_CHECKING:  # the service (sqlite3, the runner) is imported by the commands that use it
    from asl_engine.service import Service

from .common import EXIT_FAILED, EXIT_USAGE, dump_json, fail
from .run import _handlers, _load, _with_aws, isolation_options, on_embedded_aws

DEFAULT_DB = os.path.join(".asl", "state.db")


@contextlib.contextmanager
def _embedded_aws(folder: str | None, params: dict[str, Any], options: asl_engine.RunOptions) -> Iterator[asl_engine.RunOptions]:
    """``--local-aws``: moto in-process with every flow's resources of ``local_aws.json``."""
    if folder is None:
        fail("--local-aws needs --register DIR (the folder whose local_aws.json declares the resources)", EXIT_USAGE)
    try:
        with asl_engine.local_aws(folder, params.get("region")) as embedded:
            yield on_embedded_aws(embedded, options, params["modules"])
    except asl_engine.LocalAwsError as exc:
        fail(str(exc), EXIT_USAGE)


def _register(service: Service, paths: tuple[str, ...]) -> list[str]:
    """Create (or update) a state machine per ``*.asl.json`` file, named by the file."""
    from asl_engine.service import ServiceError

    names = []
    for given in paths:
        base = Path(given)
        files = sorted(base.glob("*.asl.json")) if base.is_dir() else [base]
        for path in files:
            _load(str(path), None)  # diagnostics end the command (exit 3)
            name = path.name.split(".")[0]
            try:
                service.put_state_machine(name, path.read_text(encoding="utf-8"))
            except ServiceError as exc:
                fail(f"{path}: {exc}", EXIT_USAGE)
            names.append(name)
    return names


def _routes(routes_file: str | None, folder: str | None) -> list[Any]:
    from asl_engine.server import read_routes

    source = routes_file or folder
    if source is None:
        return []
    try:
        return read_routes(source)
    except (OSError, ValueError) as exc:
        fail(f"cannot read routes: {exc}", EXIT_USAGE)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (only this machine by default).")
@click.option("--port", default=8083, show_default=True, type=int, help="Port (8083 is Step Functions Local's; 0 picks a free one).")
@click.option("--db", default=DEFAULT_DB, show_default=True, metavar="PATH",
              help="The SQLite file that keeps state machines, executions and histories (':memory:' keeps nothing).")
@click.option("--mock-config", type=click.Path(exists=True, dir_okay=False), metavar="FILE", envvar="SFN_MOCK_CONFIG",
              help="A Step Functions Local MockConfigFile.json (or $SFN_MOCK_CONFIG): StartExecution on ARN#TestCase uses its mocks.")
@click.option("--skip-waits", is_flag=True, help="Each execution gets a virtual clock: Wait states and back-off take no time.")
@click.option("--handler", "handlers", multiple=True, metavar="NAME=module:function", help="As for asl run (repeatable).")
@click.option("--handler-module", "handler_modules", multiple=True, metavar="MODULE", help="As for asl run (repeatable).")
@click.option("--isolate-handlers", is_flag=True, help="As for asl run: each handler runs in a worker process.")
@click.option("--handler-memory-mb", type=click.IntRange(min=1), metavar="MIB", help="As for asl run.")
@click.option("--register", "register", multiple=True, metavar="DIR_OR_FILE",
              help="Create or update a state machine per *.asl.json (named by the file) at start (repeatable).")
@click.option("--routes", "routes_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="A JSON file whose \"routes\" map METHOD /path to a state machine (default: local_aws.json of --register DIR).")
@click.option("--local-aws", is_flag=True, help="Tasks call an embedded AWS (moto) holding the resources local_aws.json declares.")
@click.option("--aws", "use_aws", is_flag=True, help="Tasks with no handler or mock call AWS through boto3.")
@click.option("--region", help="Region of the service's ARNs and of --aws calls.")
@click.option("--profile", help="AWS profile for --aws.")
@click.option("--endpoint-url", "endpoint_urls", multiple=True, metavar="[SERVICE=]URL", help="As for asl run.")
@click.option("--items-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="As for asl run: a distributed Map's S3 objects are files under DIR (s3://bucket/key is DIR/bucket/key).")
@click.option("--log-requests", is_flag=True, help="Print one line per HTTP request to stderr.")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME[:PORT]",
              help="Also serve requests whose Host header is NAME (repeatable); others get 403.")
@click.option("--auth", type=click.Choice(["none", "sigv4"]), default="none", show_default=True,
              help="sigv4: requests must be signed (AWS Signature V4) with one of the access keys.")
@click.option("--access-key", "access_keys", multiple=True, metavar="ID:SECRET", envvar="ASL_SERVE_ACCESS_KEYS",
              help="A key --auth sigv4 accepts (repeatable; or $ASL_SERVE_ACCESS_KEYS, space-separated: ps shows arguments).")
@click.option("--access-key-file", type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="A file of ID:SECRET lines for --auth sigv4 (kept out of ps).")
@click.option("--workers", default=64, show_default=True, type=int, help="Executions that run at once (more wait their turn).")
def serve_command(**params: Any) -> None:
    """Serve the AWS Step Functions API on HOST:PORT, durably (boto3, the aws CLI, SAM, Terraform talk to it unchanged)."""
    from asl_engine.server import make_server
    from asl_engine.service import Service

    params["modules"] = params.pop("handler_modules")
    registry = _handlers(params["modules"], params.pop("handlers"))
    items_dir = params.pop("items_dir")
    options = _with_aws(asl_engine.RunOptions(
        handlers=registry, callbacks=None,
        object_store=asl_engine.FolderObjectStore(items_dir) if items_dir else None,
        **isolation_options(params),
    ), params)
    mock_config = None
    if params.get("mock_config"):
        try:
            mock_config = asl_engine.load_mock_config(params["mock_config"])
        except asl_engine.AslEngineError as exc:
            fail(str(exc), EXIT_USAGE)
    folders = [p for p in params["register"] if Path(p).is_dir()]
    folder = folders[0] if folders else None
    routes = _routes(params.get("routes_file"), folder)
    keys = _access_keys(params)
    with contextlib.ExitStack() as stack:
        if params["local_aws"]:
            options = stack.enter_context(_embedded_aws(folder, params, options))
        try:
            service = Service(params["db"], options=options, mock_config=mock_config, skip_waits=params["skip_waits"],
                              workers=params["workers"])
        except Exception as exc:  # noqa: BLE001 - an unusable database file: one line
            fail(f"cannot open the database {params['db']}: {exc}", EXIT_USAGE)
        stack.callback(service.close)
        names = _register(service, params["register"])
        try:
            server = make_server(service, host=params["host"], port=params["port"], routes=routes,
                                 log=(lambda line: click.echo(line, err=True)) if params["log_requests"] else None,
                                 allowed_hosts=params["allowed_hosts"], access_keys=keys)
        except OSError as exc:
            fail(f"cannot listen on {params['host']}:{params['port']}: {exc.strerror or exc}", EXIT_USAGE)
        stack.callback(server.stop)
        click.echo(f"asl serve: listening on {server.url} (database {params['db']})", err=True)
        for notice in server.notices:
            click.echo(f"asl serve: {notice}", err=True)
        if service.resumed:
            click.echo(f"asl serve: resumed {service.resumed} running execution(s)", err=True)
        for name in names:
            click.echo(f"asl serve: state machine {service.machine_arn(name)}", err=True)
        for route in routes:
            click.echo(f"asl serve: route {route.method} {route.path} -> StartExecution {route.state_machine}", err=True)
        sys.stderr.flush()
        signal.signal(signal.SIGTERM, _interrupt)
        stopped_by: int | None = None
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            stopped_by = _received[0]
            # The stack closes the server, then the service: running executions
            # stay RUNNING at their last stored event, for the next asl serve.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut the shutdown short
            kept = "" if params["db"] == ":memory:" else f"; running executions resume when asl serve starts on {params['db']}"
            click.echo(f"asl serve: stopped{kept}", err=True)
    if stopped_by is not None:
        _exit(128 + stopped_by)  # 130 for Ctrl-C, 143 for SIGTERM, as shells report a signal


_DRAIN_SECONDS = 5.0
"""How long a stopping server waits for its executions' threads to see the stop."""


def _exit(code: int) -> None:
    """Exit with ``code`` once the executions' threads have ended, or after
    ``_DRAIN_SECONDS`` without them: a handler that never returns must not keep
    the process alive. Nothing is lost then, as after ``kill -9``: every event
    is committed when recorded, and the next start dispatches that task again."""
    deadline = time.monotonic() + _DRAIN_SECONDS
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.current_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


_received = [signal.SIGINT.value]


def _interrupt(signum: int, _frame: Any) -> None:
    """SIGTERM stops the server as Ctrl-C does (exit 143 instead of 130)."""
    _received[0] = signum
    raise KeyboardInterrupt


def _access_keys(params: dict[str, Any]) -> dict[str, str] | None:
    """The keys of --auth sigv4 (None without it); a usage error never shows a secret."""
    from asl_engine.server import read_access_keys

    from_env = click.get_current_context().get_parameter_source("access_keys") == click.core.ParameterSource.ENVIRONMENT
    given, file = params["access_keys"], params["access_key_file"]
    if params["auth"] != "sigv4":
        if (given and not from_env) or file:
            fail("--access-key and --access-key-file need --auth sigv4", EXIT_USAGE)
        return None
    try:
        keys = read_access_keys(given, file)
    except (OSError, ValueError) as exc:
        fail(f"--auth sigv4: {exc}", EXIT_USAGE)
    if not keys:
        fail("--auth sigv4 needs --access-key ID:SECRET, --access-key-file PATH or $ASL_SERVE_ACCESS_KEYS", EXIT_USAGE)
    return keys


@click.group("executions")
def executions_group() -> None:
    """Read the executions an asl serve / asl run --db database keeps."""


def _open(db: str) -> Service:
    from asl_engine.service import Service

    if db != ":memory:" and not Path(db).exists():
        fail(f"no database at {db}", EXIT_USAGE)
    return Service(db, resume=False)


_DB_OPTION = click.option("--db", default=DEFAULT_DB, show_default=True, metavar="PATH", help="The SQLite file.")


@executions_group.command("list")
@_DB_OPTION
@click.option("--state-machine", "machine", help="Only the executions of this state machine (name or ARN).")
@click.option("--status", type=click.Choice(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]))
def executions_list(db: str, machine: str | None, status: str | None) -> None:
    """The executions, newest first: ARN, status, start."""
    service = _open(db)
    machine_arn = None if machine is None else machine if machine.startswith("arn:") else service.machine_arn(machine)
    for item in service.executions(machine_arn, status):
        click.echo(f"{item['executionArn']}\t{item['status']}\t{item['startDate'].isoformat()}")


def _call(service: Service, operation: str, request: dict[str, Any]) -> dict[str, Any]:
    from asl_engine.service import ServiceError

    try:
        return service.call(operation, request)
    except ServiceError as exc:
        fail(str(exc), EXIT_FAILED)


@executions_group.command("show")
@_DB_OPTION
@click.argument("execution_arn")
def executions_show(db: str, execution_arn: str) -> None:
    """DescribeExecution of EXECUTION_ARN, as JSON."""
    click.echo(dump_json(_call(_open(db), "DescribeExecution", {"executionArn": execution_arn})))


@executions_group.command("history")
@_DB_OPTION
@click.argument("execution_arn")
def executions_history(db: str, execution_arn: str) -> None:
    """GetExecutionHistory of EXECUTION_ARN (every event), as JSON."""
    service = _open(db)
    _call(service, "DescribeExecution", {"executionArn": execution_arn})
    click.echo(dump_json({"events": service.history(execution_arn)}))
