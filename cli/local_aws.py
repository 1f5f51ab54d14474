"""``asl run --local-aws``: an embedded AWS (moto, in-process) for one run.

Before the run, moto is started, the process gets dummy credentials and a
region, and the resources the flow needs are created: the queues, tables
and topics (with their SQS subscriptions) that ``local_aws.json`` next to
the definition declares for it (key: the definition's file name without
``.asl.json``). SQS, SNS and DynamoDB tasks then go to moto through the
engine's AWS integration; Lambda tasks run the Python functions of the
spec's ``handlerModule`` (moto cannot run Lambda code without Docker).
After the run, :func:`side_effects` reads back what the services hold.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from .common import EXIT_USAGE, fail

MOTO_ACCOUNT = "123456789012"
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


def load_spec(definition: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``local_aws.json`` next to DEFINITION (``{}`` when there is none)."""
    path = Path(definition).resolve().parent / SPEC_FILE
    if not path.exists():
        return {}
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{path}: {exc}", EXIT_USAGE)
    if not isinstance(spec, dict):
        fail(f"{path}: must be a JSON object", EXIT_USAGE)
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


@contextmanager
def local_aws(definition: str, region: str | None) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """moto started, credentials faked, DEFINITION's resources created: yields ``(region, spec, flow)``."""
    try:
        from moto import mock_aws
    except ImportError:
        fail("--local-aws needs moto: pip install 'asl-engine[local]'", EXIT_USAGE)
    spec = load_spec(definition)
    region = region or spec.get("region") or "us-east-1"
    flow = spec.get("flows", {}).get(flow_name(definition), {})
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(_ENV_DROP):
            del os.environ[name]
    os.environ.update(_ENV, AWS_DEFAULT_REGION=region, AWS_REGION=region)
    mock = mock_aws(config={"lambda": {"use_docker": False}})
    mock.start()
    try:
        create_resources(flow, region)
        yield region, spec, flow
    finally:
        mock.stop()
        os.environ.clear()
        os.environ.update(saved)


def compact_history(history: list[dict[str, Any]]) -> list[str]:
    """One line per event: id, type, state name (and the error of a failure)."""
    lines = []
    for event in history:
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        note = details.get("name", "")
        if not note and details.get("resource"):
            note = f"{details.get('resourceType', '')}:{details['resource']}"
        if details.get("error"):
            note = f"{note} error={details['error']}".strip()
        lines.append(f"{event['id']:>4} {event['type']:<32} {note}".rstrip())
    return lines


def report(effects: dict[str, Any], history: list[dict[str, Any]]) -> str:
    """The text ``--local-aws`` prints after the output."""
    out = ["", "== local AWS (moto) after the run =="]
    for name, items in effects["tables"].items():
        out.append(f"DynamoDB table {name}: {len(items)} item(s)")
        out += [f"  {json.dumps(item, sort_keys=True)}" for item in items]
    for name, bodies in effects["queues"].items():
        out.append(f"SQS queue {name}: {len(bodies)} message(s)")
        out += [f"  {body}" for body in bodies]
    out.append(f"SNS SMS: {len(effects['sms'])} message(s)")
    out += [f"  to {sms['phoneNumber']}: {sms['message']}" for sms in effects["sms"]]
    out.append(f"== history: {len(history)} events ==")
    out += compact_history(history)
    return "\n".join(out)
