"""A state machine as a CloudFormation or SAM template, with its least-privilege role.

``export_template(definition, "cloudformation", name="Orders")`` returns the
template as a dict: the state machine resource with the definition
(placeholders kept) and its ``DefinitionSubstitutions``, the role (SAM: the
``Policies`` SAM turns into one), a ``Metadata`` comment listing every wildcard
resource, and a template parameter for each placeholder no value was given for.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..definition.loader import PLACEHOLDER_RE
from .policy import Policy, least_privilege, resolve, trust_policy

__all__ = ["FORMATS", "export_template", "placeholders", "substitute"]

FORMATS = ("cloudformation", "sam")

def placeholders(value: Any) -> list[str]:
    """The ``${KEY}`` names in a definition's strings and keys, in order of appearance."""
    found: dict[str, None] = {}

    def walk(node: Any) -> None:
        if isinstance(node, str):
            for m in PLACEHOLDER_RE.finditer(node):
                found.setdefault(m.group(0)[2:-1], None)
        elif isinstance(node, Mapping):
            for key, item in node.items():
                walk(key)
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return [name for name in found if not name.startswith("AWS::")]


def substitute(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` with each ``${KEY}`` of ``values`` replaced in its strings and keys, as
    DefinitionSubstitutions replaces them in the definition's text."""
    if isinstance(value, str):
        return resolve(value, values)
    if isinstance(value, Mapping):
        return {resolve(k, values): substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(item, values) for item in value]
    return value


def _sub(value: str) -> Any:
    return {"Fn::Sub": value} if "${" in value else value


def _logical_id(name: str) -> str:
    cleaned = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
    return cleaned if cleaned[:1].isalpha() else "StateMachine" + cleaned


def export_template(
    definition: Mapping[str, Any],
    fmt: str,
    *,
    name: str,
    substitutions: Mapping[str, str] | None = None,
    state_machine_type: str = "STANDARD",
) -> dict[str, Any]:
    """The template of one state machine (see the module's doc)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown template format {fmt!r} (one of {', '.join(FORMATS)})")
    values = dict(substitutions or {})
    missing = [key for key in placeholders(definition) if key not in values]
    policy = least_privilege(substitute(definition, values), name)  # a value given names the resource itself
    logical = _logical_id(name)
    statements = _statements(policy)
    metadata = _metadata(policy)
    subs: dict[str, Any] = {**values, **{key: {"Ref": key} for key in missing}}
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if fmt == "sam":
        template["Transform"] = "AWS::Serverless-2016-10-31"
    template["Description"] = f"The {name} state machine and its least-privilege role (asl export)."
    if missing:
        template["Parameters"] = {key: {"Type": "String", "Description": f"The definition's ${{{key}}}."} for key in missing}
    resources: dict[str, Any] = {}
    if fmt == "sam":
        props: dict[str, Any] = {"Name": name, "Type": state_machine_type, "Definition": dict(definition)}
        if subs:
            props["DefinitionSubstitutions"] = subs
        props["Policies"] = [{"Version": "2012-10-17", "Statement": statements}] if statements else []
        resources[logical] = {"Type": "AWS::Serverless::StateMachine", **metadata, "Properties": props}
    else:
        role = f"{logical}Role"
        role_props: dict[str, Any] = {"AssumeRolePolicyDocument": trust_policy()}
        if statements:
            role_props["Policies"] = [{"PolicyName": f"{logical}Policy",
                                       "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
        resources[role] = {"Type": "AWS::IAM::Role", **metadata, "Properties": role_props}
        props = {"StateMachineName": name, "StateMachineType": state_machine_type, "Definition": dict(definition)}
        if subs:
            props["DefinitionSubstitutions"] = subs
        props["RoleArn"] = {"Fn::GetAtt": [role, "Arn"]}
        resources[logical] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": props}
    template["Resources"] = resources
    arn_value = {"Ref": logical}
    template["Outputs"] = {"StateMachineArn": {"Value": arn_value}}
    return template


def _statements(policy: Policy) -> list[dict[str, Any]]:
    """The policy's statements, each string holding a ``${...}`` (resources, condition values) in ``Fn::Sub``."""
    def sub(node: Any) -> Any:
        if isinstance(node, str):
            return _sub(node)
        if isinstance(node, Mapping):
            return {key: sub(value) for key, value in node.items()}
        if isinstance(node, list):
            return [sub(item) for item in node]
        return node

    return [{**s, "Resource": sub(s["Resource"]), **({"Condition": sub(s["Condition"])} if "Condition" in s else {})}
            for s in policy.statements()]


def _metadata(policy: Policy) -> dict[str, Any]:
    if not policy.notes:
        return {}
    comment = "Wildcard resources: the policy cannot name these (the execution computes them, or the action names them its own way)."
    return {"Metadata": {"Comment": comment, "WildcardResources": list(policy.notes)}}
