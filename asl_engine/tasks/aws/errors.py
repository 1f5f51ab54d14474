"""botocore errors -> ASL errors, with the names and causes Step Functions gives.

The one place that knows botocore's exception types (ARCHITECTURE rule 8).
Two styles, because Step Functions runs two generations of the AWS SDK for
Java (AWS-recorded, see ``shared/conformance/localstack``):

* **optimized integrations** (SDK 1.x): error ``<Prefix>.<Exception>``
  (``DynamoDB.ResourceNotFoundException``, ``SNS.NotFoundException``; an
  error the API does not model is the client's base exception,
  ``DynamoDB.AmazonDynamoDBException``), cause
  ``"<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code:
  ResourceNotFoundException; Request ID: <id>; Proxy: null)"``;
* **aws-sdk integrations** (SDK 2.x): error ``<Service>.<Exception>``
  (``S3.NoSuchKeyException``; unmodeled: ``DynamoDb.DynamoDbException``),
  cause ``"<message> (Service: S3, Status Code: 404, Request ID: <id>,
  Extended Request ID: <id2>) (SDK Attempt Count: 1)"``.

Failures before any answer from the service (no connection, DNS, timeouts)
are ``<Prefix>.SdkClientException`` with the Java SDK's "Unable to execute
HTTP request" cause, so a Retrier can handle them as on AWS. Missing
credentials or region are ``EngineError``: the run is misconfigured, the
state machine did nothing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...errors import EngineError, StatesError
from .naming import sdk_v1_exception_name, sdk_v2_exception_name

__all__ = ["ErrorStyle", "sdk_v1_style", "sdk_v2_style", "translate"]


@dataclass(frozen=True, slots=True)
class ErrorStyle:
    """How one integration names its errors.

    ``prefix`` starts every error name (``"DynamoDB"``, ``"Sfn"``).
    ``service_label`` is the ``Service:`` of the cause (``"AmazonDynamoDBv2"``).
    ``base_exception`` names errors the API does not model.
    ``sdk_v2`` selects the 2.x cause format and class naming.
    """

    prefix: str
    service_label: str
    base_exception: str
    sdk_v2: bool = False


def sdk_v1_style(prefix: str, service_label: str, base_exception: str) -> ErrorStyle:
    """The style of an optimized integration (``SQS``, ``AmazonSQS``, ``AmazonSQSException``)."""
    return ErrorStyle(prefix, service_label, base_exception)


def sdk_v2_style(service_name: str) -> ErrorStyle:
    """The style of ``arn:aws:states:::aws-sdk:<service>:<action>`` (``DynamoDb``)."""
    return ErrorStyle(service_name, service_name, service_name + "Exception", sdk_v2=True)


def translate(exc: BaseException, style: ErrorStyle, redact: Callable[[str], str]) -> Exception | None:
    """The ``StatesError`` (or ``EngineError``) for a botocore failure; None if not botocore's.

    ``redact`` blanks credentials out of every text that leaves this module.
    """
    from botocore import exceptions as bce  # type: ignore[import-untyped]  # loaded: a call was made

    if isinstance(exc, bce.ClientError):
        return _client_error(exc, style, redact)
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError, bce.CredentialRetrievalError)):
        return EngineError(f"AWS configuration: {redact(str(exc))} (configure credentials for boto3, or AwsConfig(profile=...))")
    if isinstance(exc, bce.NoRegionError):
        return EngineError("AWS configuration: no region; set AwsConfig(region=...) or AWS_REGION")
    if isinstance(exc, bce.ProfileNotFound):
        return EngineError(f"AWS configuration: {redact(str(exc))}")
    if isinstance(exc, (bce.HTTPClientError, bce.ConnectionError)):
        # EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, SSLError, ...
        return StatesError(f"{style.prefix}.SdkClientException", redact(f"Unable to execute HTTP request: {exc}"))
    if isinstance(exc, bce.BotoCoreError):
        return StatesError(f"{style.prefix}.SdkClientException", redact(str(exc)))
    return None


def _client_error(exc: Any, style: ErrorStyle, redact: Callable[[str], str]) -> StatesError:
    """A service's error answer."""
    response = exc.response if isinstance(exc.response, dict) else {}
    error = response.get("Error") or {}
    metadata = response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or "")
    status = metadata.get("HTTPStatusCode", "")
    request_id = metadata.get("RequestId") or _header(metadata, "x-amzn-requestid") or ""
    # botocore raises the modeled error's own class (named after the error
    # shape, which may differ from the wire code: QueueDoesNotExist for
    # AWS.SimpleQueueService.NonExistentQueue); unmodeled errors are a plain
    # ClientError and take the SDK client's base exception name.
    shape = type(exc).__name__
    modeled = shape != "ClientError"
    if style.sdk_v2:
        name = sdk_v2_exception_name(shape, style.prefix) if modeled else style.base_exception
        details = [f"Service: {style.service_label}", f"Status Code: {status}", f"Request ID: {request_id}"]
        host_id = metadata.get("HostId")
        if host_id:
            details.append(f"Extended Request ID: {host_id}")
        attempts = int(metadata.get("RetryAttempts") or 0) + 1
        cause = f"{message} ({', '.join(details)}) (SDK Attempt Count: {attempts})"
    else:
        name = sdk_v1_exception_name(shape) if modeled else style.base_exception
        cause = (
            f"{message} (Service: {style.service_label}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )
    return StatesError(f"{style.prefix}.{name}", redact(cause))


def _header(metadata: dict[str, Any], name: str) -> str | None:
    headers = metadata.get("HTTPHeaders")
    if isinstance(headers, dict):
        value = headers.get(name)
        return str(value) if value is not None else None
    return None
