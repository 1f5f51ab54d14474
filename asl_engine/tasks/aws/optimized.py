"""Optimized integrations: SQS, SNS, DynamoDB and EventBridge.

``arn:aws:states:::sqs:sendMessage``, ``sns:publish`` (topics, targets and
SMS through ``PhoneNumber``), ``dynamodb:getItem|putItem|updateItem|deleteItem``
and ``events:putEvents``. Parameters are the API's, in PascalCase; a
non-string ``MessageBody``, ``Message`` or ``Detail`` is sent as its JSON
text. Results are the API's answer with its members sorted and, except for
``putEvents``, ``SdkHttpMetadata`` and ``SdkResponseMetadata``
(AWS-recorded); DynamoDB items stay in DynamoDB JSON.

``putEvents`` adds the state machine's and the execution's ARNs to each
entry's ``Resources`` (as Step Functions does), and fails the task with
``EventBridge.FailedEntry`` when ``FailedEntryCount`` is not 0, the cause
being the result's JSON (AWS-recorded).

Errors are named ``SQS.``, ``SNS.``, ``DynamoDB.`` and ``EventBridge.``
followed by the SDK 1.x exception (``DynamoDB.ConditionalCheckFailedException``,
``SNS.NotFoundException``; unmodeled: ``DynamoDB.AmazonDynamoDBException``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ...dataflow.jsonpath import to_json
from ...errors import EngineError, StatesError
from .calls import call, operation_model
from .clients import Clients
from .errors import ErrorStyle, sdk_v1_style
from .metadata import pop_sdk_metadata
from .naming import upper_first
from .shapes import epoch_millis, to_request, to_result

__all__ = ["OPTIMIZED", "invoke_optimized_service"]


@dataclass(frozen=True, slots=True)
class Integration:
    """One optimized integration: its boto3 service, actions, error style and patterns."""

    boto_service: str
    actions: frozenset[str]
    style: ErrorStyle
    sdk_metadata: bool = True
    wait_for_task_token: bool = True


OPTIMIZED: Mapping[str, Integration] = {
    "sqs": Integration("sqs", frozenset({"sendMessage"}), sdk_v1_style("SQS", "AmazonSQS", "AmazonSQSException")),
    "sns": Integration("sns", frozenset({"publish"}), sdk_v1_style("SNS", "AmazonSNS", "AmazonSNSException")),
    "dynamodb": Integration(
        "dynamodb",
        frozenset({"getItem", "putItem", "updateItem", "deleteItem"}),
        sdk_v1_style("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException"),
        wait_for_task_token=False,
    ),
    "events": Integration(
        "events",
        frozenset({"putEvents"}),
        sdk_v1_style("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException"),
        sdk_metadata=False,
    ),
}


def invoke_optimized_service(
    clients: Clients, service: str, action: str, pattern: str | None, parameters: Any, context: Mapping[str, Any]
) -> Any:
    """Run ``arn:aws:states:::<service>:<action>[.waitForTaskToken]``; its result as AWS gives it."""
    integration = OPTIMIZED[service]
    if action not in integration.actions:
        raise EngineError(
            f"The AWS runner does not support '{service}:{action}'; Step Functions' optimized {service} "
            f"integration has {', '.join(sorted(integration.actions))} (use arn:aws:states:::aws-sdk:{service}:{action})"
        )
    if pattern is not None and not (pattern == "waitForTaskToken" and integration.wait_for_task_token):
        raise EngineError(f"Step Functions does not support '{service}:{action}.{pattern}'")
    client = clients.get(integration.boto_service)
    operation = upper_first(action)
    op = operation_model(client, operation)
    params = parameters if isinstance(parameters, dict) else {}
    arguments = to_request(op.input_shape, params)
    if service == "events":
        _add_execution_resources(arguments, context)
    response = call(clients, client, operation, arguments, integration.style)
    metadata = pop_sdk_metadata(response)
    result = to_result(op.output_shape, response, rename=upper_first, timestamp=epoch_millis)
    if service == "events" and result.get("FailedEntryCount"):
        raise StatesError("EventBridge.FailedEntry", to_json(result))
    if integration.sdk_metadata:
        result.update(metadata)
    return dict(sorted(result.items()))


def _add_execution_resources(arguments: dict[str, Any], context: Mapping[str, Any]) -> None:
    """Step Functions appends the state machine and execution ARNs to each entry's ``Resources``."""
    arns = [
        part.get("Id")
        for part in (context.get("StateMachine"), context.get("Execution"))
        if isinstance(part, Mapping) and isinstance(part.get("Id"), str)
    ]
    for entry in arguments.get("Entries") or []:
        if isinstance(entry, dict):
            resources = entry.get("Resources")
            entry["Resources"] = (list(resources) if isinstance(resources, list) else []) + arns
