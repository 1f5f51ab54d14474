"""Local Python callables as Task handlers, failing the way AWS Lambda fails.

A handler is ``fn(event)`` or ``fn(event, context)`` (the Lambda signature,
so one file can be deployed to Lambda unchanged). An exception it raises
becomes what Step Functions reports for a Lambda function that raised it:
error = the exception's class name (Lambda's ``errorType``), cause = the
JSON the Python runtime produces::

    {"errorMessage": "...", "errorType": "ValueError", "requestId": "...", "stackTrace": [...]}

Raise ``asl_engine.TaskFailure(error, cause)`` to choose both exactly.
"""

from __future__ import annotations

import importlib
import inspect
import json
import traceback
import uuid
from types import SimpleNamespace
from typing import Any, Callable

from ..errors import HandlerImportError, StatesError, TaskFailure
from .base import TaskRequest

__all__ = ["EXIT_ERROR", "LocalHandler", "import_handler", "lambda_error", "marshal_error"]

EXIT_ERROR = "Runtime.ExitError"


def lambda_error(exc: BaseException, request_id: str | None = None) -> StatesError:
    """The ASL error for a Python exception escaping a Lambda-style handler."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop our own call frame
    payload = {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id or str(uuid.uuid4()),
        "stackTrace": traceback.format_list(frames),
    }
    return StatesError(type(exc).__name__, json.dumps(payload))


def marshal_error(exc: Exception | str) -> StatesError:
    """``Runtime.MarshalError``: what Lambda's runtime reports for a result JSON cannot hold."""
    cause = {"errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError", "requestId": "", "stackTrace": []}
    return StatesError("Runtime.MarshalError", json.dumps(cause))


class LocalHandler:
    """A registered callable, with its arity looked up once."""

    __slots__ = ("fn", "name", "_wants_context")

    def __init__(self, fn: Callable[..., Any], name: str | None = None) -> None:
        if not callable(fn):
            raise HandlerImportError(f"handler {name or fn!r} is not callable")
        self.fn = fn
        self.name = name or getattr(fn, "__qualname__", repr(fn))
        self._wants_context = _accepts_two_args(fn)

    def __call__(self, event: Any, request: TaskRequest) -> Any:
        # The request id is read only where it is seen (a context, an error):
        # its text costs a twelfth of a Task (``TaskRequest.request_id``).
        try:
            if self._wants_context:
                return self.fn(event, _lambda_context(request, _request_id(request)))
            return self.fn(event)
        except TaskFailure as failure:
            raise StatesError(failure.error, failure.cause) from None
        except StatesError:
            raise
        except Exception as exc:  # noqa: BLE001 - every handler exception is task data
            raise lambda_error(exc, _request_id(request)) from None
        except SystemExit as exc:
            # A handler that exits must not end asl with its code: on Lambda the
            # runtime process exits and the invocation fails with Runtime.ExitError
            # (text as Lambda's Python runtime reports it; not AWS-recorded here).
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            message = f"RequestId: {_request_id(request)} Error: Runtime exited with error: exit status {code}"
            raise StatesError(EXIT_ERROR, json.dumps({"errorType": EXIT_ERROR, "errorMessage": message})) from None


def _request_id(request: TaskRequest) -> str:
    """The request's id, one made up for a request built without one."""
    if request.request_id is None:
        request.request_id = str(uuid.uuid4())
    return request.request_id


def _accepts_two_args(fn: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def _lambda_context(request: TaskRequest, request_id: str) -> Any:
    return SimpleNamespace(
        function_name=request.resource.rsplit(":", 1)[-1],
        aws_request_id=request_id,
        invoked_function_arn=request.resource,
        state_name=request.state_name,
        get_remaining_time_in_millis=lambda: (request.timeout_seconds or 900) * 1000,
        # Beyond Lambda's context: what Step Functions gives activity workers.
        heartbeat=request.heartbeat,
        task_token=request.task_token,
        request=request,
    )


def import_handler(reference: str) -> Callable[..., Any]:
    """Import ``module:function`` (or ``module.function``) named by the user.

    Only for references the user typed on the command line or passed in
    code: a definition file can never reach this function.
    """
    module_name, sep, attr = reference.partition(":")
    if not sep:
        module_name, _, attr = reference.rpartition(".")
    if not module_name or not attr:
        raise HandlerImportError(f"handler reference must look like module:function, got {reference!r}")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - report any import failure as one line
        raise HandlerImportError(f"cannot import module {module_name!r}: {exc}") from None
    target: Any = module
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise HandlerImportError(f"module {module_name!r} has no attribute {attr!r}") from None
    if not callable(target):
        raise HandlerImportError(f"{reference} is not callable")
    return target  # type: ignore[no-any-return]
