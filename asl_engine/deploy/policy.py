"""The least-privilege IAM policy of a state machine, read from its Tasks.

Pure: no AWS calls. Every Task at any depth (Map ``Iterator``/``ItemProcessor``,
Parallel ``Branches``) contributes the actions its ``Resource`` calls, on the
resources its parameters name. A distributed Map (``ProcessorConfig.Mode``
``DISTRIBUTED``) contributes what AWS documents for it
(https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html):
starting its child workflow executions (executions of the machine itself, so
the policy needs the machine's ``name``), reading its ``ItemReader``'s S3 data
and writing its ``ResultWriter``'s. A resource that only the execution knows (a
JSONPath ``"QueueUrl.$"``, a JSONata ``"{% ... %}"`` value) becomes a wildcard
scoped to the service, the account and the region, and a note says why.

Resources may hold CloudFormation pseudo parameters (``${AWS::Partition}``,
``${AWS::Region}``, ``${AWS::AccountId}``) and definition placeholders
(``${Name}``): a template wraps them in ``Fn::Sub``, :func:`resolve` fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping
from urllib.parse import urlparse

from ..model.arns import Arn, integration, lambda_function

__all__ = ["Policy", "distributed", "least_privilege", "partition_of", "resolve", "states", "tasks", "trust_policy"]


def trust_policy(service: str = "states.amazonaws.com") -> dict[str, Any]:
    """Who may assume a role: a state machine's is Step Functions'."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }

_ACCOUNT = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:"
_DYNAMODB_ACTIONS = {"putItem": "PutItem", "getItem": "GetItem", "updateItem": "UpdateItem", "deleteItem": "DeleteItem"}
_SYNC_RULE = "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
_IAM_PREFIX = {"sfn": "states", "stepfunctions": "states", "elasticloadbalancingv2": "elasticloadbalancing"}
"""aws-sdk service names whose IAM action prefix differs."""


@dataclass
class Policy:
    """Actions by resource, and notes on every wildcard (``State: why``)."""

    resources: dict[str, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conditions: dict[tuple[str, str, str, str], set[str]] = field(default_factory=dict)
    """Grants with a condition: ``(action, resource, operator, key)`` -> the key's values."""

    def allow(self, action: str, *resources: str) -> None:
        self.resources.setdefault(action, set()).update(resources)

    def allow_if(self, action: str, resource: str, operator: str, key: str, *values: str) -> None:
        """``action`` on ``resource`` when ``key`` matches one of ``values`` (``Condition``)."""
        self.conditions.setdefault((action, resource, operator, key), set()).update(values)

    def statements(self) -> list[dict[str, Any]]:
        """IAM statements: actions with the same resources share one, in a stable order.
        A grant with a condition has its own statement, unless the same action is allowed
        on the same resource without one."""
        grouped: dict[tuple[str, ...], list[str]] = {}
        for action, resources in self.resources.items():
            grouped.setdefault(tuple(sorted(resources)), []).append(action)
        statements: list[dict[str, Any]] = [
            {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
            for resources, actions in grouped.items()
        ]
        conditioned: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}
        for (action, resource, operator, key), values in self.conditions.items():
            if resource not in self.resources.get(action, ()):
                conditioned.setdefault((resource, operator, key, tuple(sorted(values))), []).append(action)
        statements += [
            {"Effect": "Allow", "Action": sorted(actions), "Resource": [resource],
             "Condition": {operator: {key: list(values)}}}
            for (resource, operator, key, values), actions in conditioned.items()
        ]
        return sorted(statements, key=lambda s: (s["Action"], s["Resource"]))

    def document(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": self.statements()}


def states(definition: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path, state)`` of every state, nested ones too (``Outer/Inner``), each before its children."""
    found = definition.get("States")
    if not isinstance(found, Mapping):
        return
    for name, state in found.items():
        if not isinstance(state, Mapping):
            continue
        path = f"{prefix}{name}"
        yield path, state
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), Mapping):
                yield from states(state[key], path + "/")
        for branch in state.get("Branches") or ():
            if isinstance(branch, Mapping):
                yield from states(branch, path + "/")


def tasks(definition: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path, state)`` of every Task, nested ones too (``Outer/Inner``)."""
    return ((path, state) for path, state in states(definition, prefix) if state.get("Type") == "Task")


def distributed(state: Mapping[str, Any]) -> bool:
    """Whether ``state`` is a distributed Map (``ItemProcessor.ProcessorConfig.Mode`` ``DISTRIBUTED``)."""
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    return state.get("Type") == "Map" and isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"


def least_privilege(definition: Mapping[str, Any], name: str | None = None) -> Policy:
    """The policy the Tasks and distributed Maps of ``definition`` need (see the module's doc).

    ``name`` is the state machine's: a distributed Map starts executions of it. Without
    it, those permissions fall back to every state machine of the account (with a note)."""
    policy = Policy()
    for path, state in states(definition):
        if state.get("Type") == "Task":
            _task(policy, path, state)
        elif distributed(state):
            _distributed_map(policy, path, state, name)
    return policy


def resolve(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``${KEY}`` of ``values`` replaced (as DefinitionSubstitutions does)."""
    for key, value in values.items():
        text = text.replace("${%s}" % key, value)
    return text


def partition_of(region: str) -> str:
    """The AWS partition of a region (``cn-north-1`` -> ``aws-cn``)."""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


class _Dynamic(Exception):
    """A resource the policy cannot name (why in ``args``); ``wildcard`` overrides the service's."""

    def __init__(self, why: str, wildcard: str | None = None) -> None:
        super().__init__(why)
        self.wildcard = wildcard


def _parameter(state: Mapping[str, Any], name: str) -> str | None:
    """A static string parameter; ``_Dynamic`` when a path or JSONata computes it."""
    for block in ("Parameters", "Arguments"):
        params = state.get(block)
        if isinstance(params, str) and params.strip().startswith("{%"):
            raise _Dynamic(f"{block} is the JSONata {params.strip()}")
        if not isinstance(params, Mapping):
            continue
        if f"{name}.$" in params:
            raise _Dynamic(f"{name} is the path {params[f'{name}.$']}")
        value = params.get(name)
        if isinstance(value, str) and value.strip().startswith("{%"):
            raise _Dynamic(f"{name} is the JSONata {value.strip()}")
        if isinstance(value, str):
            return value
    return None


def _task(policy: Policy, path: str, state: Mapping[str, Any]) -> None:
    resource = state.get("Resource")
    if not isinstance(resource, str):
        return
    if lambda_function(resource) is not None or resource.startswith("${"):
        _lambda(policy, resource)
        return
    found = integration(resource)
    if found is None:
        return  # an activity: its workers poll for work, the role needs nothing
    service, action, pattern = found.service, found.action, found.pattern
    try:
        _integration(policy, state, service, action, pattern)
    except _Dynamic as why:
        wildcard = why.wildcard or _WILDCARDS.get(service, "*")
        iam_action = _iam_action(service, action)
        policy.allow(iam_action, wildcard)
        policy.notes.append(f"{path}: {why}: {iam_action} on {wildcard}")


_WILDCARDS = {
    "lambda": _ACCOUNT % "lambda" + "function:*",
    "sqs": _ACCOUNT % "sqs" + "*",
    "sns": _ACCOUNT % "sns" + "*",
    "dynamodb": _ACCOUNT % "dynamodb" + "table/*",
    "events": _ACCOUNT % "events" + "event-bus/*",
    "states": _ACCOUNT % "states" + "stateMachine:*",
}


def _iam_action(service: str, action: str) -> str:
    if service == "lambda":
        return "lambda:InvokeFunction"
    name = service.removeprefix("aws-sdk:")
    return f"{_IAM_PREFIX.get(name, name)}:{action[:1].upper()}{action[1:]}"


def _integration(policy: Policy, state: Mapping[str, Any], service: str, action: str, pattern: str | None) -> None:
    if service == "lambda" and action == "invoke":
        _lambda(policy, _parameter(state, "FunctionName") or "*")
    elif service == "sqs" and action == "sendMessage":
        policy.allow("sqs:SendMessage", _queue_arn(_parameter(state, "QueueUrl") or ""))
    elif service == "sns" and action == "publish":
        target = _parameter(state, "TopicArn") or _parameter(state, "TargetArn")
        if target is None:
            raise _Dynamic("a PhoneNumber (SMS) has no resource, SNS authorises it", "*")
        policy.allow("sns:Publish", target)
    elif service == "dynamodb" and action in _DYNAMODB_ACTIONS:
        table = _parameter(state, "TableName") or ""
        policy.allow(f"dynamodb:{_DYNAMODB_ACTIONS[action]}", table if table.startswith("arn:") else _ACCOUNT % "dynamodb" + f"table/{table}")
    elif service == "events" and action == "putEvents":
        policy.allow("events:PutEvents", *_event_buses(state))
    elif service == "states" and action == "startExecution":
        try:
            machine = _parameter(state, "StateMachineArn") or _WILDCARDS["states"]
        except _Dynamic:
            _start_execution(policy, _WILDCARDS["states"], pattern)  # .sync's other permissions still apply
            raise
        _start_execution(policy, machine, pattern)
    else:
        # aws-sdk:SERVICE:ACTION (and integrations not modelled here): the
        # resources are in action-specific parameters, so any of them.
        raise _Dynamic(f"{service}:{action} names its resources in action-specific parameters")


def _lambda(policy: Policy, reference: str) -> None:
    function = lambda_function(reference)
    if function is not None or reference.startswith(("arn:", "${")):
        arn = reference
    elif ":function:" in reference:  # a partial ARN, ACCOUNT:function:NAME[:QUALIFIER]
        arn = "arn:${AWS::Partition}:lambda:${AWS::Region}:" + reference
    else:
        arn = _ACCOUNT % "lambda" + f"function:{reference}"
    # An unqualified function: its versions and aliases too (as the console's generated policies do).
    unqualified = arn.startswith("${") or len(arn.partition(":function:")[2].split(":")) == 1
    extra = [f"{arn}:*"] if unqualified and not arn.endswith("*") else []
    policy.allow("lambda:InvokeFunction", arn, *extra)


def _queue_arn(url: str) -> str:
    """``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`` -> ``arn:aws:sqs:REGION:ACCOUNT:NAME``."""
    if url.startswith("${"):
        return url  # a placeholder: the template's value names the queue, not its ARN
    parsed = urlparse(url)
    parts = [p for p in parsed.path.split("/") if p]
    host = (parsed.hostname or "").split(".")
    region = host[1] if len(host) > 2 and host[0] == "sqs" else host[0] if "queue" in host[1:2] else "${AWS::Region}"
    if len(parts) != 2:
        return _WILDCARDS["sqs"]
    partition = "${AWS::Partition}" if region.startswith("$") else partition_of(region)
    return f"arn:{partition}:sqs:{region}:{parts[0]}:{parts[1]}"


def _event_buses(state: Mapping[str, Any]) -> list[str]:
    for block in ("Parameters", "Arguments"):
        params = state.get(block)
        if not isinstance(params, Mapping):
            continue
        if "Entries.$" in params or isinstance(params.get("Entries"), str):
            raise _Dynamic("Entries are computed")
        buses = []
        for entry in params.get("Entries") or ():
            if not isinstance(entry, Mapping):
                continue
            if "EventBusName.$" in entry:
                raise _Dynamic(f"EventBusName is the path {entry['EventBusName.$']}")
            bus = entry.get("EventBusName", "default")
            bus = str(bus)
            buses.append(bus if bus.startswith("arn:") else _ACCOUNT % "events" + f"event-bus/{bus}")
        return buses or [_ACCOUNT % "events" + "event-bus/default"]
    return [_ACCOUNT % "events" + "event-bus/default"]


def _start_execution(policy: Policy, machine: str, pattern: str | None) -> None:
    policy.allow("states:StartExecution", machine)
    if pattern not in ("sync", "sync:2"):
        return
    arn = Arn.parse(machine)
    if arn is not None and arn.resource.startswith("stateMachine:"):
        executions = f"arn:{arn.partition}:states:{arn.region}:{arn.account}:execution:{arn.last_name}:*"
    else:
        executions = _ACCOUNT % "states" + "execution:*"
    policy.allow("states:DescribeExecution", executions)
    policy.allow("states:StopExecution", executions)
    for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule"):
        policy.allow(action, _ACCOUNT % "events" + _SYNC_RULE)


_S3 = "arn:${AWS::Partition}:s3:::"
_RESULT_WRITER_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload")


def _distributed_map(policy: Policy, path: str, state: Mapping[str, Any], name: str | None) -> None:
    """A distributed Map's permissions, as AWS documents them (see the module's doc)."""
    if name is None:
        machine = _WILDCARDS["states"]
        executions = _ACCOUNT % "states" + "execution:*"
        policy.notes.append(f"{path}: the state machine's name is not known: states:StartExecution on {machine}, "
                            f"states:DescribeExecution and states:StopExecution on {executions}")
    else:
        machine = _ACCOUNT % "states" + f"stateMachine:{name}"
        executions = _ACCOUNT % "states" + f"execution:{name}:*"
    policy.allow("states:StartExecution", machine)
    policy.allow("states:DescribeExecution", executions)
    policy.allow("states:StopExecution", executions)
    reader = state.get("ItemReader")
    if isinstance(reader, Mapping):
        _item_reader(policy, path + " ItemReader", reader)
    writer = state.get("ResultWriter")
    if isinstance(writer, Mapping):
        _result_writer(policy, path + " ResultWriter", writer)


def _s3_part(block: Mapping[str, Any], name: str, why: list[str]) -> str | None:
    """A literal S3 parameter; ``*`` (and the reason in ``why``) when the execution computes it."""
    try:
        return _parameter(block, name)
    except _Dynamic as dynamic:
        why.append(str(dynamic))
        return "*"


def _note(policy: Policy, path: str, why: list[str], actions: str, *resources: str) -> None:
    if why:
        policy.notes.append(f"{path}: {'; '.join(why)}: {actions} on {', '.join(resources)}")


def _item_reader(policy: Policy, path: str, reader: Mapping[str, Any]) -> None:
    resource = reader.get("Resource")
    found = integration(resource) if isinstance(resource, str) else None
    if found is None or found.service != "s3":
        return
    why: list[str] = []
    bucket = _s3_part(reader, "Bucket", why) or "*"
    if found.action == "listObjectsV2":
        prefix = _s3_part(reader, "Prefix", why) or ""
        listed = f"{_S3}{bucket}/{'*' if prefix == '*' else prefix + '*'}"
        if prefix and prefix != "*":
            policy.allow_if("s3:ListBucket", _S3 + bucket, "StringLike", "s3:prefix", prefix)
        else:
            policy.allow("s3:ListBucket", _S3 + bucket)
        policy.allow("s3:GetObject", listed)
        _note(policy, path, why, "s3:ListBucket, s3:GetObject", _S3 + bucket, listed)
    elif found.action == "getObject":
        key = _s3_part(reader, "Key", why) or "*"
        objects = [f"{_S3}{bucket}/{key}"]
        config = reader.get("ReaderConfig")
        config = config if isinstance(config, Mapping) else {}
        if config.get("InputType") == "MANIFEST":
            objects.append(_manifest_data(bucket, key, config, why))
        policy.allow("s3:GetObject", *objects)
        actions = "s3:GetObject"
        if _s3_part(reader, "VersionId", why) is not None:
            policy.allow("s3:GetObjectVersion", *objects)  # S3 authorises a versioned GET so
            actions += ", s3:GetObjectVersion"
        _note(policy, path, why, actions, *objects)


def _manifest_data(bucket: str, key: str, config: Mapping[str, Any], why: list[str]) -> str:
    """The data files a ``MANIFEST`` names. An S3 inventory's are in its bucket, beside its dated
    folders: ``PREFIX/SOURCE-BUCKET/CONFIG-ID/YYYY-MM-DDTHH-MMZ/manifest.json`` lists
    ``PREFIX/SOURCE-BUCKET/CONFIG-ID/data/*``. An Athena manifest (``ManifestType``
    ``ATHENA_DATA``) may name any object."""
    if config.get("ManifestType") == "ATHENA_DATA":
        why.append("an Athena manifest names its data files in any bucket")
        return _S3 + "*/*"
    parts = key.split("/")
    if key == "*":
        return f"{_S3}{bucket}/*"
    if len(parts) >= 3:
        return f"{_S3}{bucket}/{'/'.join(parts[:-2])}/data/*"
    why.append(f"the inventory's data files are not beside the manifest's dated folder ({key})")
    return f"{_S3}{bucket}/*"


def _result_writer(policy: Policy, path: str, writer: Mapping[str, Any]) -> None:
    resource = writer.get("Resource")
    found = integration(resource) if isinstance(resource, str) else None
    if found is None or (found.service, found.action) != ("s3", "putObject"):
        return  # WriterConfig alone: the results stay in the execution
    why: list[str] = []
    bucket = _s3_part(writer, "Bucket", why) or "*"
    prefix = (_s3_part(writer, "Prefix", why) or "").rstrip("/")
    objects = f"{_S3}{bucket}/*" if prefix in ("", "*") else f"{_S3}{bucket}/{prefix}/*"
    for action in _RESULT_WRITER_ACTIONS:
        policy.allow(action, objects)
    _note(policy, path, why, ", ".join(_RESULT_WRITER_ACTIONS), objects)
