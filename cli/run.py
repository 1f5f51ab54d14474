"""``asl run``: run one execution and print its output."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Any, Callable

import click

import asl_engine

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


@click.command("run")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--input", "input_json", help="Execution input as JSON text (default {}).")
@click.option("--input-file", type=click.Path(dir_okay=False), help="Read the execution input from a JSON file.")
@click.option("--handler", "handlers", multiple=True, metavar="NAME=module:function",
              help="Run Task NAME (state name, Resource, Lambda ARN or function name) with a Python callable.")
@click.option("--handler-module", "handler_modules", multiple=True, metavar="MODULE",
              help="Allow-list a module: its public functions handle Lambda tasks whose function name matches.")
@click.option("--skip-waits", is_flag=True, help="Use a virtual clock: Wait states and retry back-off take no time.")
@click.option("--history", is_flag=True, help="Print the execution history (JSON) to stderr.")
@click.option("--name", help="Execution name (default: a UUID).")
@click.option("--no-quotas", is_flag=True,
              help="Lift AWS's quotas (256 KiB payloads, 25,000 history events, variable sizes) for local experiments.")
def run_command(
    definition: str,
    input_json: str | None,
    input_file: str | None,
    handlers: tuple[str, ...],
    handler_modules: tuple[str, ...],
    skip_waits: bool,
    history: bool,
    name: str | None,
    no_quotas: bool,
) -> None:
    """Run DEFINITION locally and print the execution output as JSON."""
    if input_json is not None and input_file is not None:
        fail("use either --input or --input-file, not both", EXIT_USAGE)
    value: Any = {}
    if input_json is not None:
        value = parse_json_input(input_json, "--input")
    elif input_file is not None:
        value = read_input_file(input_file)
    # Handlers named on the command line resolve relative to the current directory.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    registry: dict[str, Any] = {}
    for module_name in handler_modules:
        registry.update(_module_handlers(module_name))
    for spec in handlers:
        key, target = _parse_handler(spec)
        registry[key] = target
    try:
        machine = asl_engine.load(definition)
    except asl_engine.DefinitionError as exc:
        for diag in exc.diagnostics:
            click.echo(diag.format(), err=True)
        raise SystemExit(EXIT_INVALID)
    clock = asl_engine.VirtualClock() if skip_waits else None
    try:
        execution = machine.run(value, handlers=registry, clock=clock, name=name, quotas=not no_quotas)
    except asl_engine.ExecutionInputError as exc:
        fail(str(exc), EXIT_USAGE)
    except asl_engine.EngineError as exc:
        fail(str(exc), EXIT_ENGINE)
    if history:
        click.echo(dump_json(execution.history), err=True)
    if execution.status == "SUCCEEDED":
        click.echo(dump_json(execution.output))
        raise SystemExit(EXIT_OK)
    click.echo(dump_json({"status": execution.status, "error": execution.error, "cause": execution.cause}))
    raise SystemExit(EXIT_FAILED)
