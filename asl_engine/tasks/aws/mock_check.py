"""TestState's check of a mocked result against the integration's output shape.

AWS's TestState validates a Task's ``mock.result`` with the API's model
(``fieldValidationMode``): ``STRICT`` (the default) checks the type and
constraints of every field present and that required fields are there;
``PRESENT`` checks only the fields present; ``NONE`` nothing. Field names
are Step Functions' (PascalCase: ``ExecutionArn`` for ``executionArn``);
fields the model does not know are accepted. The payload member of an
operation (Lambda ``Payload``) and streams (S3 ``Body``) are JSON values in
Step Functions results, so they are not checked.

The texts are AWS's (``Field 'X' must be a string``, ``Required field 'X'
is missing``...); botocore's model is the one installed, which may differ
from the one AWS ran (a later limit, a new enum value).
"""

from __future__ import annotations

from typing import Any

from .naming import upper_first
from .sdk import boto_service_name

__all__ = ["mock_result_problem"]

_OPTIMIZED = {"lambda": "lambda", "states": "stepfunctions", "sqs": "sqs", "sns": "sns", "dynamodb": "dynamodb",
              "events": "events"}
_NUMBERS = ("integer", "long", "double", "float")


def mock_result_problem(resource: str, result: Any, mode: str) -> str | None:
    """Why ``result`` is not a valid result of the Task ``resource`` (``None``: it is, or the model is unknown)."""
    if mode == "NONE":
        return None
    output = _output_shape(resource)
    if output is None:
        return None
    skipped = set()
    payload = output.serialization.get("payload")
    if payload:
        skipped.add(payload)
    return _structure(output, result, mode == "STRICT", skipped)


def _output_shape(resource: str) -> Any:
    prefix = "arn:aws:states:::"
    if not resource.startswith(prefix):
        return None  # a Lambda function ARN: the result is the function's own payload
    parts = resource[len(prefix):].split(".", 1)[0].split(":")
    if parts[0] == "aws-sdk" and len(parts) == 3:
        service, action = parts[1], parts[2]
        import botocore.session  # type: ignore[import-untyped]

        session = botocore.session.get_session()
        boto = boto_service_name(service, session.get_available_services())
    elif len(parts) == 2 and parts[0] in _OPTIMIZED:
        service, action = parts
        import botocore.session

        session = botocore.session.get_session()
        boto = _OPTIMIZED[service]
    else:
        return None
    if boto is None:
        return None
    try:
        model = session.get_service_model(boto)
        return model.operation_model(upper_first(action)).output_shape
    except Exception:  # noqa: BLE001 - an action botocore does not know: nothing to check against
        return None


def _structure(shape: Any, value: Any, strict: bool, skipped: set[str], name: str | None = None) -> str | None:
    if not isinstance(value, dict):
        return f"Field '{name}' must be an object" if name else None
    if strict:
        for member in shape.required_members:
            if upper_first(member) not in value:
                return f"Required field '{upper_first(member)}' is missing"
    for member, member_shape in shape.members.items():
        if member in skipped or member_shape.serialization.get("streaming"):
            continue
        key = upper_first(member)
        if key in value:
            problem = _value(member_shape, value[key], key, strict)
            if problem is not None:
                return problem
    return None


def _value(shape: Any, value: Any, name: str, strict: bool) -> str | None:
    kind = shape.type_name
    meta = shape.metadata
    if value is None:
        return None
    if kind == "structure":
        return _structure(shape, value, strict, set(), name)
    if kind == "list":
        if not isinstance(value, list):
            return f"Field '{name}' must be an array"
        for item in value:
            problem = _value(shape.member, item, name, strict)
            if problem is not None:
                return problem
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return f"Field '{name}' must be an object"
        for item in value.values():
            problem = _value(shape.value, item, name, strict)
            if problem is not None:
                return problem
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"Field '{name}' must be a boolean"
    if kind in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Field '{name}' must be a number"
        if "min" in meta and value < meta["min"]:
            return f"Field '{name}' is less than the minimum value"
        if "max" in meta and value > meta["max"]:
            return f"Field '{name}' exceeds the maximum value"
        return None
    if kind in ("string", "blob", "timestamp"):
        if not isinstance(value, str):
            return f"Field '{name}' must be a string"
        if kind == "string" and shape.enum and value not in shape.enum:
            return f"Field '{name}' is not an expected value"
        if "min" in meta and len(value) < meta["min"]:
            return f"Field '{name}' is smaller than the minimum length"
        if "max" in meta and len(value) > meta["max"]:
            return f"Field '{name}' is larger than the maximum length"
    return None
