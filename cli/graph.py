"""``asl graph``: draw a state machine, and the path one run took through it."""

from __future__ import annotations

import os
from typing import Any

import click

import asl_engine
from asl_engine.graph import FORMATS, HistoryError, Run, build_graph, history_events, read_run, render_html

from .common import EXIT_USAGE, fail, parse_json_input, read_text
from .run import _load
from .serve import _open


def _history_file(path: str) -> Any:
    """A GetExecutionHistory JSON document, or the JSON Lines of ``asl run --history-file``."""
    text = read_text(path, "history file")
    try:
        return asl_engine.parse_json_value(text, f"history file {path}")
    except asl_engine.JsonTextError:
        if "\n" in text.strip() and text.lstrip().startswith("{"):  # JSON Lines: one event a line
            return _json_lines(path)
        return parse_json_input(text, f"history file {path}")  # the one-line error, exit 2


def _json_lines(path: str) -> list[Any]:
    try:
        return asl_engine.read_history(path)
    except asl_engine.JsonTextError as exc:
        fail(str(exc), EXIT_USAGE)


def _inspection_file(path: str) -> list[Any]:
    return _json_lines(path)


def _stored_history(db: str, arn: str) -> Any:
    from asl_engine.service import ServiceError

    try:
        return _open(db).history(arn)
    except ServiceError as exc:
        fail(str(exc), EXIT_USAGE)


def _run(execution: str | None, db: str | None) -> Run | None:
    if execution is None:
        if db is not None:
            fail("--db needs --execution ARN", EXIT_USAGE)
        return None
    document = _stored_history(db, execution) if db is not None else _history_file(execution)
    try:
        return read_run(history_events(document))
    except HistoryError as exc:
        fail(f"{execution}: {exc}", EXIT_USAGE)


@click.command("graph")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "format_", type=click.Choice(sorted(FORMATS)), default="mermaid", show_default=True)
@click.option("--execution", metavar="HISTORY.json|ARN",
              help="Colour the path of a run: a GetExecutionHistory JSON file ({\"events\": [...]} or a list, "
                   "or the JSON Lines of asl run --history-file), "
                   "or with --db an execution ARN.")
@click.option("--db", metavar="PATH", help="Read --execution ARN's history from this asl serve / asl run --db database.")
@click.option("--inspection", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help="With --execution: the JSON Lines of asl run --inspection-file; the HTML page shows each state's "
                   "data-flow steps (after InputPath, after Parameters, result, after ResultSelector, after ResultPath).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
def graph_command(
    definition: str, format_: str, execution: str | None, db: str | None, inspection: str | None, output: str | None
) -> None:
    """Draw DEFINITION as Mermaid, Graphviz dot, SVG or a self-contained HTML page."""
    machine = _load(definition, None)
    run = _run(execution, db)
    if inspection is not None:
        if run is None:
            fail("--inspection needs --execution", EXIT_USAGE)
        run = run.with_inspection(_inspection_file(inspection))
    graph = build_graph(machine)
    if format_ == "html":
        text = render_html(graph, run, os.path.basename(definition))
    else:
        text = FORMATS[format_](graph, run)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)
