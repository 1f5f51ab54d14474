"""The ``TestState`` operation: one state run in isolation (``asl_engine.test_state``).

Takes AWS's request members and returns AWS's response members; a request
AWS rejects is the ``ServiceError`` of AWS's type and message
(``ValidationException``, ``InvalidDefinition``). A Task with no mock runs
on the service's AWS configuration, if any (``RunOptions.aws``); without
one it is a ``ValidationException`` saying so (our text).
"""

from __future__ import annotations

from typing import Any

from ..errors import EngineError, TestStateError
from ..teststate import test_state
from .errors import ServiceError
from .registry import operation

__all__: list[str] = []


@operation("TestState")
def _test_state(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    try:
        return test_state(
            request["definition"],
            state_name=request.get("stateName"),
            input=request.get("input"),
            inspection_level=request.get("inspectionLevel") or "INFO",
            reveal_secrets=bool(request.get("revealSecrets")),
            variables=request.get("variables"),
            context=request.get("context"),
            mock=request.get("mock"),
            state_configuration=request.get("stateConfiguration"),
            role_arn=request.get("roleArn"),
            aws=service.options.aws,
        )
    except TestStateError as exc:
        raise ServiceError(exc.code, exc.message) from None
    except EngineError as exc:
        # An unmocked Task with nothing to run on (no AWS configured): AWS would
        # call the service; here it is the request's problem, told in our words.
        raise ServiceError("ValidationException", str(exc)) from None
