"""Task states against AWS (or any AWS-compatible endpoint), as Step Functions calls them.

::

    from asl_engine.tasks.aws import AwsConfig
    machine.run(input, aws=AwsConfig(region="eu-west-1"))              # real AWS
    machine.run(input, aws=AwsConfig(endpoint_url="http://localhost:4566"))  # LocalStack

What runs (``ResourceInfo`` from ``tasks.base`` says which):

* ``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`` and
  ``arn:aws:states:::lambda:invoke`` (``lambda_invoke``);
* ``sqs:sendMessage``, ``sns:publish``, ``dynamodb:getItem|putItem|updateItem|deleteItem``,
  ``events:putEvents`` (``optimized``); ``states:startExecution`` with
  ``.sync`` and ``.sync:2`` (``executions``);
* ``aws-sdk:SERVICE:ACTION`` for any service botocore knows (``sdk``);
* ``.waitForTaskToken`` on all of these but DynamoDB: the call is made and
  its answer returned; the engine then waits for the token.

Results have AWS's shapes and errors AWS's names and causes (``errors``).
A configuration problem (no region, no credentials, unknown profile,
service or action, an integration this runner lacks) is an ``EngineError``;
everything AWS or the network answers is a ``StatesError`` that Retry and
Catch handle.

Module layout, one job each: ``clients`` (configuration, boto3 clients: the
only importer of boto3, on first use), ``errors`` (botocore -> ASL errors),
``naming`` (Java SDK names), ``shapes`` (JSON <-> API shapes), ``metadata``
(``SdkHttpMetadata``), ``calls`` (one guarded call), and one module per
integration family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clients import AwsConfig

if TYPE_CHECKING:
    from .runner import AwsTaskRunner

__all__ = ["AwsConfig", "AwsTaskRunner"]


def __getattr__(name: str) -> Any:
    # The runner (and its shapes, errors, integrations) loads when a run
    # first calls AWS; the configuration above is all a run's options need.
    if name == "AwsTaskRunner":
        from .runner import AwsTaskRunner

        return AwsTaskRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
