"""``arn:aws:states:::states:startExecution`` against AWS: plain, ``.sync``, ``.sync:2``.

(The dispatcher runs a child locally instead when the run knows the target
machine; this module is for machines that live in AWS.)

* Request-response (and ``.waitForTaskToken``): ``StartExecution``'s answer,
  ``{"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"}``
  with the date in epoch milliseconds (SDK 1.x).
* ``.sync`` / ``.sync:2``: the task waits for the child and returns its
  ``DescribeExecution`` (``Input``/``Output`` as JSON text for ``.sync``,
  parsed for ``.sync:2``); a child that does not succeed fails the task with
  ``States.TaskFailed`` and that description's JSON as cause
  (AWS-recorded). If the task is aborted or times out first, the child is
  stopped, as Step Functions does.

Errors: ``StepFunctions.<Exception>`` with the SDK 1.x cause
(``StepFunctions.StateMachineDoesNotExistException``, AWS-recorded).
"""

from __future__ import annotations

import json
from typing import Any

from ...dataflow.jsonpath import to_json
from ...errors import Aborted, EngineError, StatesError
from ..base import TaskRequest
from ..timeouts import timeout_error
from .calls import call, operation_model
from .clients import Clients
from .errors import sdk_v1_style
from .metadata import pop_sdk_metadata
from .naming import upper_first
from .shapes import epoch_millis, to_request, to_result

__all__ = ["start_execution"]

STYLE = sdk_v1_style("StepFunctions", "AWSStepFunctions", "AWSStepFunctionsException")

# Polling back-off for ``.sync``: quick for short children, gentle for long ones.
_POLL_FIRST = 0.5
_POLL_MAX = 5.0


def start_execution(clients: Clients, pattern: str | None, parameters: Any, request: TaskRequest) -> Any:
    """Run a ``states:startExecution[.sync[:2]|.waitForTaskToken]`` task against AWS."""
    if pattern not in (None, "sync", "sync:2", "waitForTaskToken"):
        raise EngineError(f"Step Functions does not support 'states:startExecution.{pattern}'")
    client = clients.get("stepfunctions")
    op = operation_model(client, "StartExecution")
    arguments = to_request(op.input_shape, parameters if isinstance(parameters, dict) else {})
    started = call(clients, client, "StartExecution", arguments, STYLE)
    if pattern not in ("sync", "sync:2"):
        metadata = pop_sdk_metadata(started)
        result = to_result(op.output_shape, started, rename=upper_first, timestamp=epoch_millis)
        result.update(metadata)
        return dict(sorted(result.items()))
    return _wait(clients, client, str(started.get("executionArn")), pattern == "sync:2", request)


def _wait(clients: Clients, client: Any, execution_arn: str, parse: bool, request: TaskRequest) -> Any:
    """Poll ``DescribeExecution`` until the child ends; its description, or ``States.TaskFailed``."""

    describe = operation_model(client, "DescribeExecution")
    watch = request._watch  # TimeoutSeconds on the execution's clock, when the task has one
    interval = _POLL_FIRST
    waited = 0.0  # real seconds spent polling: the child runs on AWS, in real time
    while True:
        described = call(clients, client, "DescribeExecution", {"executionArn": execution_arn}, STYLE)
        status = described.get("status")
        if status not in ("RUNNING", "PENDING_REDRIVE"):
            break
        wait = interval
        if watch is not None and watch.timeout is not None:
            spent = max(waited, (watch.clock.now() - watch.start).total_seconds())
            if spent >= watch.timeout:
                _stop(clients, client, execution_arn)
                raise timeout_error(False)
            wait = min(interval, watch.timeout - spent)
        cancelled = watch.clock.wait_for(request.cancel, wait) if watch is not None else request.cancel.wait(wait)
        if cancelled:
            _stop(clients, client, execution_arn)
            raise Aborted()
        waited += wait
        interval = min(interval * 2, _POLL_MAX)
    described.pop("ResponseMetadata", None)
    result = to_result(describe.output_shape, described, rename=upper_first, timestamp=epoch_millis)
    if parse:
        for key in ("Input", "Output"):
            if isinstance(result.get(key), str):
                try:
                    result[key] = json.loads(result[key])
                except ValueError:
                    pass
    if result.get("Status") == "SUCCEEDED":
        return result
    raise StatesError("States.TaskFailed", to_json(result))


def _stop(clients: Clients, client: Any, execution_arn: str) -> None:
    """Best effort: stop a child whose parent task no longer waits for it."""
    try:
        call(clients, client, "StopExecution", {"executionArn": execution_arn}, STYLE)
    except StatesError:
        pass
