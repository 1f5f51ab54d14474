"""``arn:aws:states:::aws-sdk:<service>:<action>``: any API that botocore knows.

Step Functions names services as the AWS SDK for Java 2.x does, lower-cased
(``sfn``, ``cloudwatchlogs``, ``eventbridge``, ``elasticloadbalancingv2``),
and actions in camelCase (``getObject``). They are found in botocore's
models: the boto3 service whose Java 2.x client name matches (boto3's own
name is accepted too), the operation whose name matches case-insensitively.

Parameters are PascalCase and mapped to the API's members whatever its
casing (see ``shapes``). The result is the API's answer without boto3's
``ResponseMetadata``: members with their first letter capitalised
(``executionArn`` -> ``ExecutionArn``; ``ChecksumCRC32`` stays as it is,
AWS-recorded), sorted, a streamed body last and as text (S3 ``Body``),
timestamps as ISO-8601 (``Instant.toString()``), blobs as base64
(AWS-recorded shapes for S3 getObject/putObject, DynamoDB, SFN,
SecretsManager).

Errors are ``<Service>.<Exception>`` in the Java 2.x spelling
(``S3.NoSuchKeyException``, ``DynamoDb.ResourceNotFoundException``; an
error the API does not model is ``DynamoDb.DynamoDbException``), with the
2.x cause ``"<message> (Service: S3, Status Code: 404, Request ID: ...,
Extended Request ID: ...) (SDK Attempt Count: 1)"``.
"""

from __future__ import annotations

import threading
from typing import Any

from ...errors import EngineError
from .calls import call
from .clients import Clients
from .errors import sdk_v2_style
from .naming import sdk_v2_service_name, upper_first
from .shapes import instant_text, to_request, to_result

__all__ = ["boto_service_name", "invoke_sdk"]

# Step Functions' names that differ from boto3's (the common ones; any other
# is found by scanning botocore's models once).
_KNOWN = {
    "sfn": "stepfunctions",
    "cloudwatchlogs": "logs",
    "eventbridge": "events",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "acmpca": "acm-pca",
    "costexplorer": "ce",
    "cognitoidentityprovider": "cognito-idp",
    "databasemigration": "dms",
}

_scan_lock = threading.Lock()
_scanned: dict[str, str] | None = None


def boto_service_name(name: str, available: list[str]) -> str | None:
    """The boto3 service for a Step Functions service name, or None."""
    lowered = name.lower()
    if lowered in _KNOWN:
        return _KNOWN[lowered]
    if lowered in available:
        return lowered
    return _scan().get(lowered)


def _scan() -> dict[str, str]:
    """Java 2.x client name (lower-case) -> boto3 service name, for every botocore model.

    Reading every model takes seconds, so it is done once per process and
    only for a name neither table above knows.
    """
    global _scanned
    with _scan_lock:
        if _scanned is None:
            from botocore.loaders import create_loader  # type: ignore[import-untyped]

            loader = create_loader()
            table: dict[str, str] = {}
            for service in loader.list_available_services("service-2"):
                try:
                    model = loader.load_service_model(service, "service-2")
                except Exception:  # noqa: BLE001 - a broken model must not hide the others
                    continue
                service_id = model.get("metadata", {}).get("serviceId")
                if isinstance(service_id, str):
                    table.setdefault(sdk_v2_service_name(service_id).lower(), service)
            _scanned = table
        return _scanned


def invoke_sdk(clients: Clients, service: str, action: str, pattern: str | None, parameters: Any) -> Any:
    """Run ``aws-sdk:<service>:<action>[.waitForTaskToken]``; the API's answer as Step Functions gives it."""
    if pattern not in (None, "waitForTaskToken"):
        raise EngineError(f"Step Functions does not support '.{pattern}' for aws-sdk integrations (aws-sdk:{service}:{action})")
    boto_name = boto_service_name(service, clients.session().get_available_services())
    if boto_name is None:
        raise EngineError(f"Unknown AWS SDK service '{service}' in arn:aws:states:::aws-sdk:{service}:{action}")
    client = clients.get(boto_name)
    model = client.meta.service_model
    operation = next((op for op in model.operation_names if op.lower() == action.lower()), None)
    if operation is None:
        raise EngineError(f"The service '{service}' has no action '{action}' (arn:aws:states:::aws-sdk:{service}:{action})")
    op = model.operation_model(operation)
    style = sdk_v2_style(sdk_v2_service_name(model.metadata.get("serviceId") or boto_name))
    arguments = to_request(op.input_shape, parameters if isinstance(parameters, dict) else {})
    response = call(clients, client, operation, arguments, style)
    response.pop("ResponseMetadata", None)
    return to_result(op.output_shape, response, rename=upper_first, timestamp=instant_text, streams_last=True)
