"""``AwsTaskRunner``: the Task states of one execution against AWS (see the package docstring)."""

from __future__ import annotations

from typing import Any

from ...errors import EngineError, StatesError
from ..base import ResourceInfo, TaskRequest
from .clients import AwsConfig, Clients
from .shapes import UnknownParameter

__all__ = ["AwsTaskRunner"]


class AwsTaskRunner:
    """Runs the Task states of one execution against AWS.

    One per execution: boto3 clients are created on first use, once per
    service and region, and shared by the execution's threads (Map
    iterations, Parallel branches). Creating a runner imports nothing from
    boto3.
    """

    def __init__(self, config: AwsConfig) -> None:
        self._clients = Clients(config)

    @property
    def config(self) -> AwsConfig:
        return self._clients.config

    def client(self, service: str, region: str | None = None) -> Any:
        """The boto3 client this runner uses for ``service`` (boto3's name, e.g. ``"sqs"``).

        Created on first use and reused. For advanced use and tests: a
        ``botocore.stub.Stubber`` attached to it sees the runner's calls.
        ``region`` is only needed for Lambda functions of another region.
        """
        return self._clients.get(service, region)

    def invoke(self, info: ResourceInfo, parameters: Any, request: TaskRequest) -> Any:
        """Call AWS for one Task invocation and return the task's result.

        ``parameters`` are the effective parameters (the payload, for a
        Lambda function ARN). Raises ``StatesError(error, cause)`` with
        AWS's error names and causes, ``EngineError`` for configuration
        problems. For ``.waitForTaskToken`` the result is the call's answer
        (the engine then waits for the token); for ``.sync`` it is the
        finished job's.
        """
        try:
            return self._dispatch(info, parameters, request)
        except UnknownParameter as exc:
            raise StatesError(
                "States.Runtime",
                f"The field '{exc.path}' is not supported by Step Functions for {info.resource_type}:{info.resource}",
            ) from None

    def _dispatch(self, info: ResourceInfo, parameters: Any, request: TaskRequest) -> Any:
        clients = self._clients
        if info.kind == "lambda-function":
            from .lambda_invoke import invoke_function_arn

            return invoke_function_arn(clients, info.resource, parameters)
        if info.kind != "service":
            raise EngineError(
                f"The AWS runner does not run '{request.resource}' ({info.kind} resources need a handler or a mock)"
            )
        action = info.resource.split(".", 1)[0]
        service = info.resource_type
        if service.startswith("aws-sdk:"):
            from .sdk import invoke_sdk

            return invoke_sdk(clients, service[len("aws-sdk:"):], action, info.pattern, parameters)
        if service == "lambda" and action == "invoke":
            if info.pattern not in (None, "waitForTaskToken"):
                raise EngineError(f"Step Functions does not support 'lambda:invoke.{info.pattern}'")
            from .lambda_invoke import invoke_optimized

            return invoke_optimized(clients, parameters)
        if service == "states" and action == "startExecution":
            from .executions import start_execution

            return start_execution(clients, info.pattern, parameters, request)
        from .optimized import OPTIMIZED, invoke_optimized_service

        if service in OPTIMIZED:
            return invoke_optimized_service(clients, service, action, info.pattern, parameters, request.context)
        raise EngineError(
            f"The AWS runner does not support '{request.resource}' yet: use arn:aws:states:::aws-sdk:{service}:{action}, "
            "a handler or a mock"
        )
