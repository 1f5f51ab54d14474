"""Making one API call: client, operation model, and error translation.

Every AWS call of the runner goes through ``call``, so that no botocore
exception ever leaves the package untranslated.
"""

from __future__ import annotations

from typing import Any

from ...errors import EngineError, StatesError
from .clients import Clients
from .errors import ErrorStyle, translate

__all__ = ["call", "operation_model"]


def operation_model(client: Any, operation: str) -> Any:
    """The botocore ``OperationModel`` of ``operation`` (``"SendMessage"``)."""
    return client.meta.service_model.operation_model(operation)


def call(clients: Clients, client: Any, operation: str, arguments: dict[str, Any], style: ErrorStyle) -> dict[str, Any]:
    """Call ``operation`` (API name, ``"SendMessage"``) with boto3 ``arguments``.

    Returns the boto3 response. Raises ``StatesError`` for what the service
    or the network answered, ``EngineError`` for configuration problems.
    """
    from botocore import xform_name  # type: ignore[import-untyped]  # the client exists: botocore is loaded

    method = getattr(client, xform_name(operation))
    try:
        response = method(**arguments)
    except (StatesError, EngineError):
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes an ASL error here
        translated = translate(exc, style, clients.redact)
        if translated is None:
            if isinstance(exc, (TypeError, ValueError, AttributeError)):
                # Without client-side validation a value of the wrong type
                # fails while the request is serialised: the Java SDK reports
                # this class of problem as an SdkClientException.
                translated = StatesError(
                    f"{style.prefix}.SdkClientException", clients.redact(f"Unable to marshall request to JSON: {exc}")
                )
            else:
                raise
        raise translated from None
    return response if isinstance(response, dict) else {}
