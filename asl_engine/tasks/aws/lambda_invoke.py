"""Lambda: ``arn:aws:lambda:...:function:NAME`` and ``arn:aws:states:::lambda:invoke``.

* Function ARN (the legacy form): the state's effective input is the
  payload; the result is the function's payload, parsed as JSON (kept as
  text when it is not JSON).
* ``lambda:invoke`` (optimized): parameters ``FunctionName``, ``Payload``,
  ``Qualifier``, ``InvocationType``, ``ClientContext``, ``LogType``; result
  ``{"ExecutedVersion", "LogResult"?, "Payload" (parsed), "SdkHttpMetadata",
  "SdkResponseMetadata", "StatusCode"}`` (AWS-recorded).

A function error (``FunctionError`` in the answer) fails the task with the
payload's ``errorType`` as error (``Lambda.Unknown`` when it has none) and
the payload as cause: as the function sent it for a function ARN, as compact
JSON for ``lambda:invoke`` (both AWS-recorded). Service errors are
``Lambda.<Exception>`` with the SDK 1.x cause
(``Lambda.ResourceNotFoundException``, ``Lambda.TooManyRequestsException``;
an unmodeled one is ``Lambda.AWSLambdaException``), network failures
``Lambda.SdkClientException``.
"""

from __future__ import annotations

import json
from typing import Any

from ...dataflow.jsonpath import to_json
from ...errors import StatesError
from .calls import call, operation_model
from ...model.arns import Arn
from .clients import Clients
from .errors import sdk_v1_style
from .metadata import pop_sdk_metadata
from .shapes import epoch_millis, read_text, to_request, to_result
from .naming import upper_first

__all__ = ["invoke_function_arn", "invoke_optimized"]

STYLE = sdk_v1_style("Lambda", "AWSLambda", "AWSLambdaException")

def _region_of(function: Any) -> str | None:
    """The region of a function ARN: Step Functions invokes the function where it lives."""
    arn = Arn.parse(function) if isinstance(function, str) else None
    return arn.region or None if arn is not None and arn.service == "lambda" else None


def invoke_function_arn(clients: Clients, function_arn: str, payload: Any) -> Any:
    """Run a ``Resource: arn:aws:lambda:...:function:f[:qualifier]`` task."""
    client = clients.get("lambda", _region_of(function_arn))
    arguments = {"FunctionName": function_arn, "InvocationType": "RequestResponse", "Payload": to_json(payload).encode("utf-8")}
    response = call(clients, client, "Invoke", arguments, STYLE)
    text = _payload_text(response.get("Payload"))
    if response.get("FunctionError"):
        raise StatesError(_error_type(text), text)
    return _parse(text)


def invoke_optimized(clients: Clients, parameters: Any) -> dict[str, Any]:
    """Run an ``arn:aws:states:::lambda:invoke`` task; the result AWS gives it."""
    params = dict(parameters) if isinstance(parameters, dict) else {}
    payload = params.pop("Payload", None)
    client = clients.get("lambda", _region_of(params.get("FunctionName")))
    op = operation_model(client, "Invoke")
    arguments = to_request(op.input_shape, params)
    arguments["Payload"] = _payload_bytes(payload)
    response = call(clients, client, "Invoke", arguments, STYLE)
    text = _payload_text(response.pop("Payload", None))
    if response.get("FunctionError"):
        parsed = _parse(text)
        # lambda:invoke re-serialises the payload compactly (AWS-recorded: the
        # Python runtime's ", " separators are gone from the cause).
        cause = to_json(parsed) if isinstance(parsed, (dict, list)) else text
        raise StatesError(_error_type(text), cause)
    metadata = pop_sdk_metadata(response)
    result = to_result(op.output_shape, response, rename=upper_first, timestamp=epoch_millis)
    result["Payload"] = _parse(text)
    result.update(metadata)
    return dict(sorted(result.items()))


def _payload_bytes(payload: Any) -> bytes:
    """The bytes ``lambda:invoke`` sends for ``Payload``.

    No payload sends ``{}`` (AWS-recorded: a function echoing its event
    returned ``{}``); a string that is JSON text is sent as it is, any other
    string or value as its JSON (so ``"\\"hi\\""`` and ``"hi"`` both reach
    the function as the string ``hi``).
    """
    if payload is None:
        return b"{}"
    if isinstance(payload, str):
        try:
            json.loads(payload)
            return payload.encode("utf-8")
        except ValueError:
            pass
    return to_json(payload).encode("utf-8")


def _payload_text(payload: Any) -> str:
    if payload is None:
        return ""
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload).decode("utf-8", errors="replace")
    if isinstance(payload, str):
        return payload
    return read_text(payload)


def _parse(text: str) -> Any:
    """The payload as JSON, or as the text itself when it is not JSON."""
    if text == "":
        return ""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _error_type(text: str) -> str:
    parsed = _parse(text)
    if isinstance(parsed, dict) and isinstance(parsed.get("errorType"), str) and parsed["errorType"]:
        return str(parsed["errorType"])
    return "Lambda.Unknown"
