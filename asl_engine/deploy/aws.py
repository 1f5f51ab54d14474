"""Put a state machine on AWS (or any Step Functions endpoint): the calls of ``asl deploy``.

:func:`deploy` creates the state machine, or updates it when one of that name
exists; optionally publishes a version and creates or moves an alias to it.
Without a role ARN it creates (or reuses) ``<name>-role`` with the
least-privilege policy of :mod:`.policy`. With ``dry_run`` nothing is called:
the result lists the calls it would make.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import EngineError
from ..tasks.aws.clients import AwsConfig, Clients
from .policy import TRUST_POLICY, least_privilege, partition_of, resolve

__all__ = ["Call", "DeployError", "DeployRequest", "DeployResult", "console_url", "deploy"]

_TRUST = json.dumps(TRUST_POLICY)
_POLICY_NAME = "asl-least-privilege"


class DeployError(EngineError):
    """AWS refused a call (the message names the call and AWS's error)."""


@dataclass(frozen=True)
class DeployRequest:
    """What to deploy: the definition (placeholders already substituted) and how."""

    name: str
    definition: Mapping[str, Any]
    role_arn: str | None = None
    state_machine_type: str = "STANDARD"
    publish: bool = False
    alias: str | None = None


@dataclass(frozen=True)
class Call:
    """One AWS call: ``service``, ``operation`` (AWS's name) and its parameters."""

    service: str
    operation: str
    parameters: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "parameters": dict(self.parameters)}


@dataclass
class DeployResult:
    state_machine_arn: str
    region: str
    created: bool
    version_arn: str | None = None
    alias_arn: str | None = None
    role_arn: str | None = None
    calls: list[Call] = field(default_factory=list)

    @property
    def console_url(self) -> str:
        return console_url(self.region, self.state_machine_arn)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stateMachineArn": self.state_machine_arn, "created": self.created,
                               "roleArn": self.role_arn}
        if self.version_arn:
            out["stateMachineVersionArn"] = self.version_arn
        if self.alias_arn:
            out["stateMachineAliasArn"] = self.alias_arn
        out["consoleUrl"] = self.console_url
        return out


def console_url(region: str, arn: str) -> str:
    """The Step Functions console page of a state machine."""
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/statemachines/view/{arn}"


class _Caller:
    """Makes (or, dry, only records) the calls; every call is kept in ``calls``."""

    def __init__(self, clients: Clients, dry_run: bool) -> None:
        self.clients = clients
        self.dry_run = dry_run
        self.calls: list[Call] = []

    def __call__(self, service: str, operation: str, params: Mapping[str, Any], dry: Callable[[], Any] = dict) -> Any:
        self.calls.append(Call(service, operation, params))
        if self.dry_run:
            return dry()
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        method = "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
        try:
            return getattr(self.clients.get(service), method)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise DeployError(f"{service} {operation}: {error.get('Code')}: {error.get('Message')}") from None
        except BotoCoreError as exc:
            raise DeployError(f"{service} {operation}: {exc}") from None


def deploy(request: DeployRequest, config: AwsConfig, *, dry_run: bool = False) -> DeployResult:
    """Create or update the state machine of ``request`` (see the module's doc)."""
    clients = Clients(config)
    call = _Caller(clients, dry_run)
    region = config.region or clients.session().region_name
    if not region:
        raise DeployError("AWS configuration: no region; pass --region or set AWS_REGION")
    pseudo = {"AWS::Partition": partition_of(region), "AWS::Region": region, "AWS::AccountId": "${AWS::AccountId}"}
    role_arn = request.role_arn
    if role_arn is None:
        if not dry_run:
            pseudo["AWS::AccountId"] = call("sts", "GetCallerIdentity", {})["Account"]
        role_arn = _role(call, request, pseudo)
    account = pseudo["AWS::AccountId"]
    definition = json.dumps(request.definition, ensure_ascii=False)
    existing = None if dry_run else _existing(call, request.name)
    publish = {"publish": True} if request.publish or request.alias else {}
    if existing is None:
        placeholder = f"arn:{pseudo['AWS::Partition']}:states:{region}:{account}:stateMachine:{request.name}"
        response = call("stepfunctions", "CreateStateMachine",
                        {"name": request.name, "definition": definition, "roleArn": role_arn,
                         "type": request.state_machine_type, **publish},
                        lambda: {"stateMachineArn": placeholder})
        arn = response["stateMachineArn"]
    else:
        arn = existing
        response = call("stepfunctions", "UpdateStateMachine",
                        {"stateMachineArn": arn, "definition": definition, "roleArn": role_arn, **publish})
    version = response.get("stateMachineVersionArn") or (f"{arn}:<version>" if dry_run and publish else None)
    result = DeployResult(arn, region, existing is None, version_arn=version, role_arn=role_arn)
    if request.alias and version:
        result.alias_arn = _alias(call, arn, request.alias, version)
    result.calls = call.calls
    return result


def _role(call: _Caller, request: DeployRequest, pseudo: Mapping[str, str]) -> str:
    """The ARN of ``<name>-role``, created when missing, with the least-privilege policy put on it."""
    name = f"{request.name}-role"[:64]
    document = least_privilege(request.definition).document()
    policy = resolve(json.dumps(document), pseudo)
    role_arn = f"arn:{pseudo['AWS::Partition']}:iam::{pseudo['AWS::AccountId']}:role/{name}"
    existing = None
    if not call.dry_run:
        from botocore.exceptions import ClientError

        try:
            existing = call.clients.get("iam").get_role(RoleName=name)["Role"]["Arn"]
        except ClientError:
            pass
    if existing is None:
        created = call("iam", "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": _TRUST,
                                             "Description": f"Step Functions role of {request.name} (asl deploy)"},
                       lambda: {"Role": {"Arn": role_arn}})
        existing = created["Role"]["Arn"]
    call("iam", "PutRolePolicy", {"RoleName": name, "PolicyName": _POLICY_NAME, "PolicyDocument": policy})
    return str(existing)


def _existing(call: _Caller, name: str) -> str | None:
    """The ARN of the state machine called ``name``, if there is one."""
    token: str | None = None
    while True:
        page = call.clients.get("stepfunctions").list_state_machines(**({"nextToken": token} if token else {}))
        for machine in page.get("stateMachines", []):
            if machine.get("name") == name:
                return str(machine["stateMachineArn"])
        token = page.get("nextToken")
        if not token:
            return None


def _alias(call: _Caller, arn: str, name: str, version: str) -> str:
    routing = [{"stateMachineVersionArn": version, "weight": 100}]
    if not call.dry_run:
        aliases = call.clients.get("stepfunctions").list_state_machine_aliases(stateMachineArn=arn)
        for alias in aliases.get("stateMachineAliases", []):
            alias_arn = str(alias["stateMachineAliasArn"])
            if alias_arn.rsplit(":", 1)[-1] == name:
                call("stepfunctions", "UpdateStateMachineAlias",
                     {"stateMachineAliasArn": alias_arn, "routingConfiguration": routing})
                return alias_arn
    response = call("stepfunctions", "CreateStateMachineAlias", {"name": name, "routingConfiguration": routing},
                    lambda: {"stateMachineAliasArn": f"{arn}:{name}"})
    return str(response["stateMachineAliasArn"])
