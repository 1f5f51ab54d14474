"""A real ``asl serve`` application on 127.0.0.1 (a free port) and boto3 clients of it."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from asl_engine import RunOptions
from asl_engine.service import Service

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::123456789012:role/r"


def client_of(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False),
    )


def settle(service: Service, sfn: Any, arn: str, timeout: float = 10.0) -> dict[str, Any]:
    """DescribeExecution once ``arn`` no longer runs: waits on the service's runner
    (an event, not a polling loop)."""
    service.runner.wait(arn, timeout)
    described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
    return described


def _add(event: dict[str, Any]) -> dict[str, Any]:
    return {"n": event.get("n", 0) + 1}


@pytest.fixture
def service(tmp_path: Any) -> Iterator[Service]:
    with Service(str(tmp_path / "state.db"), options=RunOptions(handlers={"add": _add}), skip_waits=True) as svc:
        yield svc


@pytest.fixture
def server(service: Service, start_server: Callable[..., Any]) -> Any:
    return start_server(service)


@pytest.fixture
def sfn(server: Any) -> Any:
    return client_of(server.url)
