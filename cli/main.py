"""``asl``: run and validate state machines from the shell.

Exit codes: 0 succeeded (or valid), 1 execution failed / timed out /
aborted, 2 usage error, 3 invalid definition, 4 engine error. Results go to
stdout as JSON; diagnostics and logs go to stderr.

Subcommands are imported when they run, not before: ``asl --help`` lists
them from the table below without importing any (start-up is what a user
feels first). ``tests/cli/test_cli.py`` checks the table against the
commands themselves.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INVALID, EXIT_ENGINE = 0, 1, 2, 3, 4

# name -> (module, attribute, the short help ``asl --help`` shows), in help order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("asl_cli.run", "run_command", "Run DEFINITION locally and print the execution output as JSON."),
    "validate": ("asl_cli.validate", "validate_command",
                 "Validate DEFINITIONS (ASL JSON/YAML, CloudFormation or SAM templates)."),
    "graph": ("asl_cli.graph", "graph_command",
              "Draw DEFINITION as Mermaid, Graphviz dot, SVG or a self-contained HTML page."),
    "test-state": ("asl_cli.test_state", "test_state_command",
                   "Test one state of DEFINITION (a state's JSON, or a whole machine with --state)."),
    "serve": ("asl_cli.serve", "serve_command",
              "Serve the AWS Step Functions API on HOST:PORT, durably (boto3, the aws CLI, SAM, Terraform talk to it"
              " unchanged)."),
    "replay": ("asl_cli.replay", "replay_command",
               "Replay the execution HISTORY (GetExecutionHistory JSON) on --definition with its task results as mocks."),
    "inject-errors": ("asl_cli.inject_errors", "inject_errors_command",
                      "For every Task of DEFINITION, inject each error its Retry/Catch name, plus States.Timeout and"
                      " States.TaskFailed (other Tasks answer with their parameters), and report how each run ends,"
                      " the Retriers and Catchers no error reached, and the errors that end the execution uncaught."),
    "executions": ("asl_cli.serve", "executions_group", "Read the executions an asl serve / asl run --db database keeps."),
    "export": ("asl_cli.deploy", "export_command",
               "Print DEFINITION as a template with a least-privilege role derived from its Tasks."),
    "deploy": ("asl_cli.deploy", "deploy_command",
               "Validate DEFINITION and create or update it on AWS as the state machine NAME."),
    "send-task-success": ("asl_cli.callbacks", "send_task_success_command",
                          "Complete the task waiting for TASK_TOKEN with TASK_OUTPUT."),
    "send-task-failure": ("asl_cli.callbacks", "send_task_failure_command", "Fail the task waiting for TASK_TOKEN."),
    "send-task-heartbeat": ("asl_cli.callbacks", "send_task_heartbeat_command",
                            "Restart the heartbeat period of the task waiting for TASK_TOKEN."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (see ``COMMANDS``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _ = entry
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, from the table: no subcommand is imported to show it."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # A bare Command shortens the text as the real one would (click's public API).
        rows = [(name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _version(ctx: click.Context, _param: Any, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from asl_engine import __version__

    click.echo(f"asl, version {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version and exit.")
def cli() -> None:
    """Run and validate Amazon States Language state machines locally."""


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
