"""Put a state machine on AWS (or any Step Functions endpoint): the calls of ``asl deploy``.

:func:`deploy` creates the state machine, or updates it when one of that name
exists; optionally publishes a version and creates or moves an alias to it.
Without a role ARN it creates (or reuses) ``<name>-role`` with the
least-privilege policy of :mod:`.policy`. With ``dry_run`` nothing is called:
the result lists the calls it would make.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from ..errors import EngineError
from ..tasks.aws.clients import AwsConfig, Clients
from .package import package, rewrite
from .policy import least_privilege, partition_of, resolve, trust_policy

__all__ = ["Call", "DeployError", "DeployRequest", "DeployResult", "console_url", "deploy"]

_TRUST = json.dumps(trust_policy())
_POLICY_NAME = "asl-least-privilege"
_LAMBDA_TRUST = json.dumps(trust_policy("lambda.amazonaws.com"))
_RUNTIME = "python3.12"


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
    handlers: tuple[tuple[str, str, str], ...] = ()
    """``(Task, module, function)``: each module becomes a Lambda function the Task calls."""


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
    functions: dict[str, str] = field(default_factory=dict)
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
        if self.functions:
            out["functions"] = dict(self.functions)
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
    if (role_arn is None or request.handlers) and not dry_run:
        pseudo["AWS::AccountId"] = call("sts", "GetCallerIdentity", {})["Account"]
    functions: dict[str, str] = {}
    if request.handlers:
        request, functions = _functions(call, request, pseudo)
    if role_arn is None:
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
    result = DeployResult(arn, region, existing is None, version_arn=version, role_arn=role_arn, functions=functions)
    if request.alias and version:
        result.alias_arn = _alias(call, arn, request.alias, version)
    result.calls = call.calls
    return result


def _functions(call: _Caller, request: DeployRequest, pseudo: Mapping[str, str]) -> tuple[DeployRequest, dict[str, str]]:
    """Create or update the Lambda function of each handler; the request with its Tasks calling them."""
    role = _ensure_role(call, f"{request.name}-lambda-role", _LAMBDA_TRUST, pseudo,
                        f"Lambda role of the handlers of {request.name} (asl deploy)")
    # What AWSLambdaBasicExecutionRole allows, on these functions' log groups only.
    logs = (f"arn:{pseudo['AWS::Partition']}:logs:{pseudo['AWS::Region']}:{pseudo['AWS::AccountId']}"
            f":log-group:/aws/lambda/{request.name}-*")
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [logs, f"{logs}:*"]}]}
    call("iam", "PutRolePolicy", {"RoleName": f"{request.name}-lambda-role"[:64], "PolicyName": "asl-logs",
                                  "PolicyDocument": json.dumps(document)})
    definition = request.definition
    functions: dict[str, str] = {}
    for key, module, function in request.handlers:
        built = package(module, function)
        name = _function_name(request.name, module, function)
        arn = functions.get(name) or _function(call, name, built.handler, built.zip_bytes, role, pseudo)
        functions[name] = arn
        definition, count = rewrite(definition, key, arn)
        if not count:
            raise DeployError(f"--handler {key}: no Task of the definition is named or calls {key!r}")
    by_task = {key: functions[_function_name(request.name, module, fn)] for key, module, fn in request.handlers}
    return replace(request, definition=definition), by_task


def _function_name(machine: str, module: str, function: str) -> str:
    """The Lambda function of ``module:function`` for ``machine``: ``machine-module-function``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{machine}-{module}-{function}")[:64]


def _function(call: _Caller, name: str, handler: str, code: bytes, role: str, pseudo: Mapping[str, str]) -> str:
    """The ARN of the function ``name``: its code updated, or created."""
    if not call.dry_run:
        from botocore.exceptions import ClientError

        try:
            call.clients.get("lambda").get_function(FunctionName=name)
        except ClientError:
            pass
        else:
            updated = call("lambda", "UpdateFunctionCode", {"FunctionName": name, "ZipFile": code})
            return str(updated["FunctionArn"])
    placeholder = f"arn:{pseudo['AWS::Partition']}:lambda:{pseudo['AWS::Region']}:{pseudo['AWS::AccountId']}:function:{name}"
    created = call("lambda", "CreateFunction",
                   {"FunctionName": name, "Runtime": _RUNTIME, "Role": role, "Handler": handler, "Code": {"ZipFile": code}},
                   lambda: {"FunctionArn": placeholder})
    return str(created["FunctionArn"])


def _role(call: _Caller, request: DeployRequest, pseudo: Mapping[str, str]) -> str:
    """The ARN of ``<name>-role``, created when missing, with the least-privilege policy put on it."""
    name = f"{request.name}-role"[:64]
    document = least_privilege(request.definition, request.name).document()
    policy = resolve(json.dumps(document), pseudo)
    arn = _ensure_role(call, name, _TRUST, pseudo, f"Step Functions role of {request.name} (asl deploy)")
    call("iam", "PutRolePolicy", {"RoleName": name[:64], "PolicyName": _POLICY_NAME, "PolicyDocument": policy})
    return arn


def _ensure_role(call: _Caller, name: str, trust: str, pseudo: Mapping[str, str], description: str) -> str:
    """The ARN of the role ``name``, created (trusting ``trust``) when it is missing."""
    name = name[:64]
    if not call.dry_run:
        from botocore.exceptions import ClientError

        try:
            return str(call.clients.get("iam").get_role(RoleName=name)["Role"]["Arn"])
        except ClientError:
            pass
    placeholder = f"arn:{pseudo['AWS::Partition']}:iam::{pseudo['AWS::AccountId']}:role/{name}"
    created = call("iam", "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": trust, "Description": description},
                   lambda: {"Role": {"Arn": placeholder}})
    return str(created["Role"]["Arn"])


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
