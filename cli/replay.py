"""``asl replay``: run a definition on a recorded execution's input and task results; show what changed."""

from __future__ import annotations

from typing import Any

import click

from .common import EXIT_ENGINE, EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, parse_json_input, read_text
from .run import _load


@click.command("replay")
@click.argument("history", type=click.Path(exists=True, dir_okay=False))
@click.option("--definition", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The definition to replay (the recorded one, or an edited one to check against production runs).")
def replay_command(history: str, definition: str) -> None:
    """Replay the execution HISTORY (GetExecutionHistory JSON) on --definition with its task results as mocks.

    Prints the differences in events, status, output, error and cause; exits 0 when
    there are none, 1 when there are.
    """
    import asl_engine
    import asl_engine.testing as asl_testing

    document: Any = parse_json_input(read_text(history, "history file"), f"history file {history}")
    events = document.get("events") if isinstance(document, dict) else document
    if not isinstance(events, list) or not all(isinstance(e, dict) and "type" in e for e in events):
        fail(f"{history} is not an execution history (a list of events, or {{\"events\": [...]}})", EXIT_USAGE)
    machine = _load(definition, None)
    try:
        result = asl_testing.replay(events, machine)
    except asl_engine.EngineError as exc:
        fail(str(exc), EXIT_ENGINE)
    click.echo(result.report())
    raise SystemExit(EXIT_OK if result.same else EXIT_FAILED)
