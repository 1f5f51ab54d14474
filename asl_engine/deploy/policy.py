"""The least-privilege IAM policy of a state machine, read from its Tasks.

Pure: no AWS calls. Every Task at any depth (Map ``Iterator``/``ItemProcessor``,
Parallel ``Branches``) contributes the actions its ``Resource`` calls, on the
resources its parameters name. A resource that only the execution knows (a
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

__all__ = ["Policy", "least_privilege", "partition_of", "resolve", "tasks", "trust_policy"]


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

    def allow(self, action: str, *resources: str) -> None:
        self.resources.setdefault(action, set()).update(resources)

    def statements(self) -> list[dict[str, Any]]:
        """IAM statements: actions with the same resources share one, in a stable order."""
        grouped: dict[tuple[str, ...], list[str]] = {}
        for action, resources in self.resources.items():
            grouped.setdefault(tuple(sorted(resources)), []).append(action)
        statements = [
            {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
            for resources, actions in grouped.items()
        ]
        return sorted(statements, key=lambda s: s["Action"])

    def document(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": self.statements()}


def tasks(definition: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path, state)`` of every Task, nested ones too (``Outer/Inner``)."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        path = f"{prefix}{name}"
        if state.get("Type") == "Task":
            yield path, state
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), Mapping):
                yield from tasks(state[key], path + "/")
        for branch in state.get("Branches") or ():
            if isinstance(branch, Mapping):
                yield from tasks(branch, path + "/")


def least_privilege(definition: Mapping[str, Any]) -> Policy:
    """The policy the Tasks of ``definition`` need (see the module's doc)."""
    policy = Policy()
    for path, state in tasks(definition):
        _task(policy, path, state)
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
