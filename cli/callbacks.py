"""``asl send-task-success|send-task-failure|send-task-heartbeat``.

Answer a ``.waitForTaskToken`` task of an ``asl run`` running in another
process (as ``SendTaskSuccess``/``SendTaskFailure``/``SendTaskHeartbeat`` do
on AWS). The message goes through the callbacks directory
(``$ASL_CALLBACKS_DIR``, default ``~/.asl/callbacks``).
"""

from __future__ import annotations

import click

from asl_engine import CallbackSpool, TaskTokenError

from .common import EXIT_FAILED, EXIT_OK, fail, parse_json_input

def _send(token: str, message: dict[str, object]) -> None:
    """Hand the answer to the waiting process; an unknown token is exit 1 (AWS: TaskDoesNotExist)."""
    try:
        CallbackSpool().send(token, message)
    except TaskTokenError as exc:
        fail(str(exc), EXIT_FAILED)
    raise SystemExit(EXIT_OK)


_TOKEN = click.option("--task-token", required=True, help="The token the waiting task was given ($$.Task.Token).")


@click.command("send-task-success")
@_TOKEN
@click.option("--task-output", required=True, help="The task's output, as JSON.")
def send_task_success_command(task_token: str, task_output: str) -> None:
    """Complete the task waiting for TASK_TOKEN with TASK_OUTPUT."""
    output = parse_json_input(task_output, "--task-output")
    _send(task_token, {"kind": "success", "output": output})


@click.command("send-task-failure")
@_TOKEN
@click.option("--error", default=None, help="The error name.")
@click.option("--cause", default=None, help="The cause text.")
def send_task_failure_command(task_token: str, error: str | None, cause: str | None) -> None:
    """Fail the task waiting for TASK_TOKEN."""
    _send(task_token, {"kind": "failure", "error": error, "cause": cause})


@click.command("send-task-heartbeat")
@_TOKEN
def send_task_heartbeat_command(task_token: str) -> None:
    """Restart the heartbeat period of the task waiting for TASK_TOKEN."""
    _send(task_token, {"kind": "heartbeat"})
