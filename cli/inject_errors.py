"""``asl inject-errors``: make each Task fail with each error its handlers name; show where each ends."""

from __future__ import annotations

import json
from typing import Any

import click

from .common import EXIT_ENGINE, EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, parse_json_input
from .run import _load, _mock_config_mocks


def _every_case(definition: str, mock_config: str, state_machine: str | None) -> tuple[dict[str, Any], str | None]:
    """Per state, the first ``Return`` any test case of the MockConfigFile gives it (a realistic answer)."""
    import asl_engine

    try:
        config = asl_engine.load_mock_config(mock_config)
    except asl_engine.AslEngineError as exc:
        fail(str(exc), EXIT_USAGE)
    name = state_machine or next((n for n in config.state_machines if definition.endswith(f"{n}.asl.json")), None)
    if name is None and len(config.state_machines) == 1:
        name = config.state_machines[0]
    if name is None or name not in config.state_machines:
        fail(f"{mock_config}: pass --state-machine NAME (it has {', '.join(config.state_machines) or 'none'})", EXIT_USAGE)
    answers: dict[str, Any] = {}
    for case in config.test_cases(name):
        for state, responses in config.mocks(name, case).items():
            first = next((r for r in responses if "Return" in r), None)
            if first is not None and state not in answers:
                answers[state] = lambda request, answer=first: answer
    return answers, name


@click.command("inject-errors")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--input", "input_json", default="{}", help="Execution input as JSON text (default {}).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--mock-config", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="A MockConfigFile.json whose --test-case answers the Tasks not failing (a happy path).")
@click.option("--test-case", metavar="NAME",
              help="The test case of --mock-config (default: per state, the first result any test case returns).")
@click.option("--state-machine", metavar="NAME", help="The state machine of --mock-config (as for asl run).")
@click.option("--fail-on-uncaught", is_flag=True, help="Exit 1 when an injected error ends the execution uncaught.")
def inject_errors_command(
    definition: str, input_json: str, as_json: bool, fail_on_uncaught: bool,
    mock_config: str | None, test_case: str | None, state_machine: str | None,
) -> None:
    """For every Task of DEFINITION, inject each error its Retry/Catch name, plus States.Timeout and
    States.TaskFailed (other Tasks answer with their parameters), and report how each run ends, the
    Retriers and Catchers no error reached, and the errors that end the execution uncaught."""
    import asl_engine
    import asl_engine.testing as asl_testing

    value: Any = parse_json_input(input_json, "--input")
    mocks: Any
    if mock_config is not None and test_case is None:
        mocks, name = _every_case(definition, mock_config, state_machine)
    else:
        mocks, name = _mock_config_mocks(definition, mock_config, test_case, state_machine)
    machine = _load(definition, name)
    try:
        report = asl_testing.inject_errors(machine, value, mocks)
    except asl_engine.EngineError as exc:
        fail(str(exc), EXIT_ENGINE)
    click.echo(json.dumps(report.as_json(), indent=2) if as_json else report.text())
    raise SystemExit(EXIT_FAILED if fail_on_uncaught and report.uncaught else EXIT_OK)
