"""An embedded AWS (moto, in-process) for a run: ``asl run --local-aws``.

``with asl_engine.local_aws(definition) as aws:`` starts moto, the process gets dummy credentials and a
region, and the resources the flow needs are created: the queues, tables
and topics (with their SQS subscriptions) that ``local_aws.json`` next to
the definition declares for it (key: the definition's file name without
``.asl.json``). SQS, SNS and DynamoDB tasks then go to moto through the
engine's AWS integration; Lambda tasks need local handlers (moto cannot run
Lambda code without Docker), which only the caller registers: the spec names
resources, never code. A ``handlerModule`` in it is reported
(``LocalAws.ignored_handler_module``) and never imported, since a file found
beside a definition must not choose what runs.
After the run, ``aws.side_effects()`` reads back what the services hold.
Only this module (and the AWS task runner) imports boto3; only this one
imports moto, and both lazily.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Iterator

from .documents.values import JsonTextError, read_file
from .errors import AslEngineError
from .tasks.aws import AwsConfig

__all__ = ["LocalAws", "LocalAwsError", "create_resources", "load_spec", "local_aws", "merge_flows", "side_effects"]

MOTO_ACCOUNT = "123456789012"


class LocalAwsError(AslEngineError):
    """The embedded AWS cannot start: moto is missing, or ``local_aws.json`` is not usable."""
SPEC_FILE = "local_aws.json"
_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_ENV_DROP = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL")


def flow_name(definition: str | os.PathLike[str]) -> str:
    """``definitions/message_processing.asl.json`` -> ``message_processing``."""
    return Path(definition).name.split(".")[0]


def merge_flows(flows: Any) -> dict[str, Any]:
    """The resources of several flows, each queue, table and topic once."""
    merged: dict[str, Any] = {"queues": [], "tables": [], "topics": []}
    for flow in flows:
        for queue in flow.get("queues", []):
            if queue not in merged["queues"]:
                merged["queues"].append(queue)
        for kind in ("tables", "topics"):
            names = {item["name"] for item in merged[kind]}
            merged[kind] += [item for item in flow.get(kind, []) if item["name"] not in names]
    return merged


def load_spec(definition: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``local_aws.json`` next to DEFINITION, or in it when it is a folder
    (``{}`` when there is none)."""
    base = Path(definition).resolve()
    path = (base if base.is_dir() else base.parent) / SPEC_FILE
    if not path.exists():
        return {}
    try:
        spec = read_file(str(path), str(path))  # the shared reader and its words
    except JsonTextError as exc:
        raise LocalAwsError(str(exc)) from None
    if not isinstance(spec, dict):
        raise LocalAwsError(f"{path}: must be a JSON object")
    return spec


def create_resources(flow: dict[str, Any], region: str) -> None:
    """Create FLOW's queues, tables and topics (with SQS subscriptions) in the current (moto) AWS."""
    import boto3  # type: ignore[import-untyped]

    sqs = boto3.client("sqs", region_name=region)
    urls: dict[str, str] = {}
    for name in flow.get("queues", []):
        urls[name] = sqs.create_queue(QueueName=name)["QueueUrl"]
    dynamodb = boto3.client("dynamodb", region_name=region)
    for table in flow.get("tables", []):
        key = table.get("key", "id")
        dynamodb.create_table(
            TableName=table["name"],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": table.get("keyType", "S")}],
            BillingMode="PAY_PER_REQUEST",
        )
    sns = boto3.client("sns", region_name=region)
    for topic in flow.get("topics", []):
        arn = sns.create_topic(Name=topic["name"])["TopicArn"]
        for sub in topic.get("subscriptions", []):
            queue = sub["queue"]
            if queue not in urls:
                urls[queue] = sqs.create_queue(QueueName=queue)["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=urls[queue], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes = {"RawMessageDelivery": "true"} if sub.get("raw") else {}
            sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(v) for v in value]
    return value


def side_effects(flow: dict[str, Any], region: str, account: str = MOTO_ACCOUNT) -> dict[str, Any]:
    """What the services hold now: table items (plain JSON), queue message bodies, SMS sent.

    ``{"tables": {name: [item, ...]}, "queues": {name: [body, ...]}, "sms": [{"phoneNumber", "message"}]}``;
    queue messages are read from moto's backend, so nothing is consumed.
    """
    import boto3
    from boto3.dynamodb.types import TypeDeserializer  # type: ignore[import-untyped]
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends

    deserializer = TypeDeserializer()
    dynamodb = boto3.client("dynamodb", region_name=region)
    tables: dict[str, list[Any]] = {}
    for table in flow.get("tables", []):
        items = dynamodb.scan(TableName=table["name"])["Items"]
        rows = [_plain({k: deserializer.deserialize(v) for k, v in item.items()}) for item in items]
        tables[table["name"]] = sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))
    names = list(flow.get("queues", []))
    for topic in flow.get("topics", []):
        names += [s["queue"] for s in topic.get("subscriptions", []) if s["queue"] not in names]
    backend = sqs_backends[account][region]
    queues = {name: [m.body for m in backend.queues[name]._messages] for name in names if name in backend.queues}
    sms = [{"phoneNumber": phone, "message": text} for phone, text in sns_backends[account][region].sms_messages.values()]
    return {"tables": tables, "queues": queues, "sms": sms}


@dataclass(frozen=True)
class LocalAws:
    """The embedded AWS of one run: its region and the flow's declared resources.

    ``ignored_handler_module`` is the ``handlerModule`` an older spec names:
    it is never imported (only the user's command line or code registers
    handlers), so callers can say how to register it instead.
    """

    region: str
    flow: dict[str, Any] = field(default_factory=dict)
    ignored_handler_module: str | None = None

    @property
    def aws(self) -> AwsConfig:
        """The ``aws=`` option of ``StateMachine.run`` that sends Tasks to this AWS."""
        return AwsConfig(region=self.region)

    def side_effects(self) -> dict[str, Any]:
        """What the flow's services hold now (see :func:`side_effects`)."""
        return side_effects(self.flow, self.region)


@contextmanager
def local_aws(definition: str | os.PathLike[str], region: str | None = None) -> Iterator[LocalAws]:
    """moto started, credentials faked, DEFINITION's resources created (as the
    ``local_aws.json`` beside it declares); everything undone on exit.

    Raises ``LocalAwsError`` when moto is not installed or the spec is not usable.
    """
    try:
        from moto import mock_aws
    except ImportError:
        raise LocalAwsError("--local-aws needs moto: pip install 'asl-engine[local]'") from None
    spec = load_spec(definition)
    region = region or spec.get("region") or "us-east-1"
    flows = spec.get("flows", {})
    # A folder (``asl serve``) gets every flow's resources; a definition its own.
    flow = merge_flows(flows.values()) if Path(definition).is_dir() else flows.get(flow_name(definition), {})
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(_ENV_DROP):
            del os.environ[name]
    os.environ.update(_ENV, AWS_DEFAULT_REGION=region, AWS_REGION=region)
    mock = mock_aws(config={"lambda": {"use_docker": False}})
    mock.start()
    try:
        create_resources(flow, region)
        module = spec.get("handlerModule")
        yield LocalAws(region, flow, str(module) if module is not None else None)
    finally:
        mock.stop()
        os.environ.clear()
        os.environ.update(saved)
