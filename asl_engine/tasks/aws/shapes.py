"""Task parameters -> boto3 arguments, boto3 responses -> task results.

Step Functions maps JSON to an API call through the API's model, and so do
we, with botocore's shapes (duck-typed here, so this module imports nothing
from botocore):

* **Member names** match whatever their case: Step Functions takes
  PascalCase even where the API is camelCase (``StateMachineArn`` for
  ``stateMachineArn``), so names are compared in snake case.
* **Null** is absence (the Java SDK drops null members), so the service
  itself reports a missing required member, with AWS's own message.
* **A string member given any other JSON value** receives that value's JSON
  text: ``"MessageBody": {"a": 1}`` sends ``{"a":1}`` (AWS-recorded for
  SQS, SNS, EventBridge ``Detail``, ``states:startExecution`` ``Input``).
* **A streaming or payload blob** (S3 ``Body``, Lambda ``Payload``) receives
  the value's compact JSON text, even for a string (AWS-recorded:
  ``"Body": "text data"`` stores ``"text data"`` with its quotes); any other
  blob given a string takes it as base64 (DynamoDB ``{"B": "..."}``), as the
  AWS JSON APIs spell blobs.

Results: structure members renamed by the caller's rule and sorted, blobs as
base64 text, streams as UTF-8 text, timestamps formatted by the caller's
rule (ISO-8601 for aws-sdk, epoch milliseconds for optimized integrations).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timezone
from typing import Any, Callable

from ...dataflow.jsonpath import to_json
from .naming import to_snake_case

__all__ = ["UnknownParameter", "epoch_millis", "instant_text", "plain", "read_text", "to_request", "to_result"]


class UnknownParameter(Exception):
    """A parameter that the API does not have (``path`` names it, e.g. ``Entries[0].Foo``)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


def to_request(shape: Any, value: Any, *, document_blob: bool = False, path: str = "") -> Any:
    """``value`` (JSON) as boto3 arguments for ``shape`` (a botocore ``Shape`` or None).

    ``document_blob`` marks a blob that carries a document (streaming or the
    operation's payload). Raises ``UnknownParameter`` for a member the API
    lacks.
    """
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, value, path) if isinstance(value, dict) else value
    if kind == "list":
        if not isinstance(value, list):
            return value
        return [to_request(shape.member, item, path=f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            return value
        return {k: to_request(shape.value, v, path=f"{path}.{k}") for k, v in value.items() if v is not None}
    if kind == "string":
        return value if isinstance(value, str) else to_json(value)
    if kind == "blob":
        return _blob(value, document_blob or bool(shape.serialization.get("streaming")))
    return value


def _structure(shape: Any, value: dict[str, Any], path: str) -> dict[str, Any]:
    members = shape.members
    by_snake: dict[str, str] | None = None
    payload = shape.serialization.get("payload")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue  # Java's null: the member is absent
        name = key if key in members else None
        if name is None:
            if by_snake is None:
                by_snake = {to_snake_case(m): m for m in members}
            name = by_snake.get(to_snake_case(key))
        if name is None:
            raise UnknownParameter(f"{path}.{key}" if path else key)
        out[name] = to_request(members[name], item, document_blob=name == payload, path=f"{path}.{key}" if path else key)
    return out


def _blob(value: Any, document: bool) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if document:
        return to_json(value).encode("utf-8")
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value.encode("utf-8")
    return to_json(value).encode("utf-8")


def to_result(
    shape: Any,
    value: Any,
    *,
    rename: Callable[[str], str],
    timestamp: Callable[[datetime], Any],
    streams_last: bool = False,
) -> Any:
    """A boto3 response (or part of one) as the JSON a task returns.

    Structure members are renamed with ``rename`` and sorted by their new
    names (AWS's results list members alphabetically); with
    ``streams_last`` a streamed payload (S3 ``Body``) comes after them, as
    recorded. Map keys are data and stay as they are.
    """
    if shape is None:
        return plain(value, timestamp)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        converted: dict[str, Any] = {}
        last: dict[str, Any] = {}
        for key, item in value.items():
            if key == "ResponseMetadata":
                continue
            member = members.get(key)
            target = last if streams_last and _is_stream(item) else converted
            target[rename(key)] = to_result(member, item, rename=rename, timestamp=timestamp, streams_last=streams_last)
        out = dict(sorted(converted.items()))
        out.update(last)
        return out
    if kind == "list" and isinstance(value, list):
        return [to_result(shape.member, item, rename=rename, timestamp=timestamp, streams_last=streams_last) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: to_result(shape.value, v, rename=rename, timestamp=timestamp, streams_last=streams_last) for k, v in value.items()}
    return plain(value, timestamp)


def plain(value: Any, timestamp: Callable[[datetime], Any]) -> Any:
    """Any boto3 value as JSON data, without a shape to guide it."""
    if isinstance(value, dict):
        return {str(k): plain(v, timestamp) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, timestamp) for v in value]
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if _is_stream(value):
        return read_text(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    try:  # Decimal and other number types botocore may hand back
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def _is_stream(value: Any) -> bool:
    return hasattr(value, "read") and not isinstance(value, (str, bytes, bytearray))


def read_text(stream: Any) -> str:
    """A streamed body as text (Step Functions reads it as UTF-8)."""
    data = stream.read()
    if isinstance(data, str):
        return data
    return bytes(data).decode("utf-8", errors="replace")


def instant_text(moment: datetime) -> str:
    """Java's ``Instant.toString()``: ``2024-01-31T12:00:00Z``, ``...00.120Z``, ``...00.123456Z``.

    The aws-sdk integrations return SDK 2.x ``Instant`` values in this form:
    no fraction for whole seconds, else 3 or 6 digits.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    micros = moment.microsecond
    if micros:
        text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text + "Z"


def epoch_millis(moment: datetime) -> int:
    """Epoch milliseconds: how the SDK 1.x integrations print dates (``"StartDate": 1700000000123``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)
