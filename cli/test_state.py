"""``asl test-state``: run one state in isolation, as AWS's TestState API does.

Prints TestState's response as JSON on stdout: ``status`` (``SUCCEEDED``,
``FAILED``, ``RETRIABLE``, ``CAUGHT_ERROR``), ``output`` (JSON text, as the
API gives it), ``error``, ``cause``, ``nextState`` and, at ``DEBUG`` or
``TRACE``, ``inspectionData``.

Exit codes: 0 the call succeeded, whatever the state's status (a failed
state is a result of the test, not an error of the call); 2 usage error or
a request AWS rejects (``ValidationException: ...``, one line on stderr);
3 invalid definition (``InvalidDefinition: ...``).
"""

from __future__ import annotations

from typing import Any

import click

import asl_engine

from .common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, dump_json, fail, parse_json_input, read_text


@click.command("test-state")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--state", "state_name", default=None, help="The state to test when DEFINITION is a whole machine (default: StartAt).")
@click.option("--input", "input_text", default=None, help="The state input as JSON (default {}).")
@click.option("--inspection-level", type=click.Choice(["INFO", "DEBUG", "TRACE"]), default="INFO", show_default=True,
              help="DEBUG and TRACE add inspectionData (the value after each data-flow step).")
@click.option("--mock-result", default=None, help="The result of the Task, Map or Parallel, as JSON.")
@click.option("--mock-error", default=None, metavar="ERROR[:CAUSE]", help="Fail the Task, Map or Parallel with this error.")
@click.option("--variables", default=None, help="The variables in scope, as a JSON object.")
@click.option("--context", default=None, help="The context object ($$), as a JSON object.")
@click.option("--retrier-retry-count", type=int, default=None, help="How many retries already happened (stateConfiguration).")
@click.option("--error-caused-by-state", default=None, help="The state inside a Map or Parallel that caused the mocked error.")
@click.option("--map-iteration-failure-count", type=int, default=None, help="How many Map iterations failed (needs a mock).")
@click.option("--reveal-secrets", is_flag=True, help="Ask for secrets in the inspection data (refused with a mock, as on AWS).")
def test_state_command(
    definition: str,
    state_name: str | None,
    input_text: str | None,
    inspection_level: str,
    mock_result: str | None,
    mock_error: str | None,
    variables: str | None,
    context: str | None,
    retrier_retry_count: int | None,
    error_caused_by_state: str | None,
    map_iteration_failure_count: int | None,
    reveal_secrets: bool,
) -> None:
    """Test one state of DEFINITION (a state's JSON, or a whole machine with --state)."""
    if mock_result is not None and mock_error is not None:
        fail("give --mock-result or --mock-error, not both", EXIT_USAGE)
    for text, origin in ((input_text, "--input"), (mock_result, "--mock-result"), (variables, "--variables"), (context, "--context")):
        if text is not None:
            parse_json_input(text, origin)
    mock: dict[str, Any] | None = None
    if mock_result is not None:
        mock = {"result": mock_result}
    elif mock_error is not None:
        error, _, cause = mock_error.partition(":")
        mock = {"errorOutput": {"error": error, **({"cause": cause} if cause else {})}}
    configuration = {key: value for key, value in (
        ("retrierRetryCount", retrier_retry_count),
        ("errorCausedByState", error_caused_by_state),
        ("mapIterationFailureCount", map_iteration_failure_count),
    ) if value is not None}
    try:
        response = asl_engine.test_state(
            read_text(definition, "definition"),
            state_name=state_name,
            input=input_text,
            inspection_level=inspection_level,
            reveal_secrets=reveal_secrets,
            variables=variables,
            context=context,
            mock=mock,
            state_configuration=configuration or None,
        )
    except asl_engine.TestStateError as exc:
        fail(f"{exc.code}: {exc.message}", EXIT_INVALID if exc.code == "InvalidDefinition" else EXIT_USAGE)
    click.echo(dump_json(response))
    raise SystemExit(EXIT_OK)
