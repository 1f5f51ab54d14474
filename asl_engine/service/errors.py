"""The service's errors: AWS's error types and messages, as the API returns them.

A ``ServiceError`` is what an operation answers when a request cannot be
served: ``type`` is the AWS error type a client matches on
(``ExecutionDoesNotExist``, ``ValidationException``...), ``message`` AWS's
wording. The HTTP server sends it as ``{"__type": type, "message": message}``.
"""

from __future__ import annotations

from ..errors import AslEngineError

__all__ = ["ServiceError", "does_not_exist", "invalid_arn", "validation"]


class ServiceError(AslEngineError):
    """An AWS API error of the local service."""

    def __init__(self, type: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.type = type
        self.message = message
        self.status = status  # the HTTP status the server answers with (AWS: 400 for client errors)

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


_WHAT = {
    "StateMachineDoesNotExist": "State Machine Does Not Exist",
    "ExecutionDoesNotExist": "Execution Does Not Exist",
    "ActivityDoesNotExist": "Activity Does Not Exist",
    "ResourceNotFound": "Resource not found",
}


def does_not_exist(type: str, arn: str) -> ServiceError:
    """``State Machine Does Not Exist: '<arn>'`` and its kin (AWS's wording)."""
    return ServiceError(type, f"{_WHAT[type]}: '{arn}'")


def invalid_arn(arn: str) -> ServiceError:
    return ServiceError("InvalidArn", f"Invalid Arn: '{arn}'")


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)
