"""``asl``: run and validate state machines from the shell.

Exit codes: 0 succeeded (or valid), 1 execution failed / timed out /
aborted, 2 usage error, 3 invalid definition, 4 engine error. Results go to
stdout as JSON; diagnostics and logs go to stderr.
"""

from __future__ import annotations

import sys

import click

from .deploy import deploy_command, export_command
from .callbacks import send_task_failure_command, send_task_heartbeat_command, send_task_success_command
from .graph import graph_command
from .inject_errors import inject_errors_command
from .replay import replay_command
from .run import run_command
from .serve import executions_group, serve_command
from .test_state import test_state_command
from .validate import validate_command

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INVALID, EXIT_ENGINE = 0, 1, 2, 3, 4


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="asl-engine")
def cli() -> None:
    """Run and validate Amazon States Language state machines locally."""


cli.add_command(run_command)
cli.add_command(validate_command)
cli.add_command(graph_command)
cli.add_command(test_state_command)
cli.add_command(serve_command)
cli.add_command(replay_command)
cli.add_command(inject_errors_command)
cli.add_command(executions_group)
cli.add_command(export_command)
cli.add_command(deploy_command)
cli.add_command(send_task_success_command)
cli.add_command(send_task_failure_command)
cli.add_command(send_task_heartbeat_command)


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
