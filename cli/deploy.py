"""``asl export`` (a CloudFormation/SAM template) and ``asl deploy`` (the state machine on AWS)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

import asl_engine
from asl_engine.deploy import FORMATS, DeployError, DeployRequest, deploy, export_template, placeholders, substitute

from .common import EXIT_ENGINE, EXIT_INVALID, EXIT_OK, EXIT_USAGE, dump_json, fail
from .run import _endpoints, _load, _parse_handler


def _substitutions(specs: tuple[str, ...]) -> dict[str, str]:
    """``--substitute KEY=VALUE`` pairs."""
    values: dict[str, str] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key:
            fail(f"--substitute must look like KEY=VALUE, got {spec!r}", EXIT_USAGE)
        values[key] = value
    return values


_SUBSTITUTE = click.option("--substitute", "substitutions", multiple=True, metavar="KEY=VALUE",
                           help="The value of the definition's ${KEY} placeholder (repeatable), as DefinitionSubstitutions.")


@click.command("export")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="cloudformation", show_default=True,
              help="cloudformation: AWS::StepFunctions::StateMachine and an AWS::IAM::Role; sam: AWS::Serverless::StateMachine.")
@click.option("--name", help="The state machine's name (default: the definition file's name).")
@click.option("--type", "machine_type", type=click.Choice(["STANDARD", "EXPRESS"]), default="STANDARD", show_default=True)
@_SUBSTITUTE
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the template here (YAML for .yaml/.yml).")
def export_command(definition: str, fmt: str, name: str | None, machine_type: str,
                   substitutions: tuple[str, ...], output: str | None) -> None:
    """Print DEFINITION as a template with a least-privilege role derived from its Tasks."""
    machine = _load(definition, name)
    template = export_template(machine.definition, fmt, name=machine.name,
                               substitutions=_substitutions(substitutions), state_machine_type=machine_type)
    if output is None:
        click.echo(dump_json(template))
        return
    if output.endswith((".yaml", ".yml")):
        import yaml

        text = yaml.safe_dump(template, sort_keys=False, allow_unicode=True, width=120)
    else:
        text = dump_json(template) + "\n"
    with open(output, "w", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(output, err=True)


@click.command("deploy")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", required=True, help="The state machine's name: created, or updated when it exists.")
@click.option("--role-arn", help="The execution role (default: create or reuse NAME-role with the least-privilege policy).")
@click.option("--type", "machine_type", type=click.Choice(["STANDARD", "EXPRESS"]), default="STANDARD", show_default=True)
@_SUBSTITUTE
@click.option("--publish", is_flag=True, help="Publish a version of the new definition.")
@click.option("--alias", metavar="NAME", help="Create the alias NAME, or move it, to the published version (implies --publish).")
@click.option("--region", help="AWS region (default: boto3's configuration).")
@click.option("--profile", help="AWS profile.")
@click.option("--endpoint-url", "endpoint_urls", multiple=True, metavar="[SERVICE=]URL",
              help="Send the calls to this endpoint (asl serve, LocalStack, moto); SERVICE=URL for one service (repeatable).")
@click.option("--handler", "handlers", multiple=True, metavar="NAME=module:function",
              help="Package module (one .py file, and a manifest of its imports) as a Lambda function and make Task NAME"
                   " (state name, Resource or function name) call it (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the calls it would make, and make none.")
def deploy_command(definition: str, **params: Any) -> None:
    """Validate DEFINITION and create or update it on AWS as the state machine NAME."""
    machine_type = params["machine_type"]
    _valid_or_exit(definition, machine_type)
    values = _substitutions(params["substitutions"])
    document = substitute(_load(definition, params["name"]).definition, values)
    left = placeholders(document)
    if left:
        fail(f"no value for {', '.join('${%s}' % k for k in left)}: pass --substitute KEY=VALUE", EXIT_USAGE)
    _valid_or_exit(document, machine_type)  # again once substituted: a value may make a field invalid
    endpoint_url, per_service = _endpoints(params["endpoint_urls"])
    config = asl_engine.AwsConfig(region=params["region"], profile=params["profile"],
                                  endpoint_url=endpoint_url, endpoint_urls=per_service)
    if os.getcwd() not in sys.path:  # handler modules are found from the current directory, as asl run finds them
        sys.path.insert(0, os.getcwd())
    handlers: list[tuple[str, str, str]] = []
    for spec in params["handlers"]:
        key, target = _parse_handler(spec)
        module, function = target.rsplit(":", 1)
        handlers.append((key, module, function))
    request = DeployRequest(params["name"], document, role_arn=params["role_arn"], state_machine_type=machine_type,
                            publish=params["publish"], alias=params["alias"],
                            handlers=tuple(handlers))
    try:
        result = deploy(request, config, dry_run=params["dry_run"])
    except (DeployError, asl_engine.EngineError) as exc:
        fail(str(exc), EXIT_ENGINE)
    if params["dry_run"]:
        calls = [_shown(c.to_dict()) for c in result.calls]
        click.echo(dump_json({"dryRun": True, "calls": calls, **result.to_dict()}))
    else:
        click.echo(dump_json(result.to_dict()))
    raise SystemExit(EXIT_OK)


def _valid_or_exit(source: Any, machine_type: str) -> None:
    """Validate before any call: the errors on stderr and exit 3 when there are any."""
    errors = [d for d in asl_engine.validate(source, state_machine_type=machine_type) if d.severity == "ERROR"]
    for diag in errors:
        click.echo(diag.format(), err=True)
    if errors:
        raise SystemExit(EXIT_INVALID)


def _shown(call: dict[str, Any]) -> dict[str, Any]:
    """A call with its JSON documents (definition, policies) shown as JSON, not as escaped text."""
    params = dict(call["parameters"])
    for key in ("definition", "PolicyDocument", "AssumeRolePolicyDocument"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    code = params.get("Code", {}).get("ZipFile") if isinstance(params.get("Code"), dict) else params.get("ZipFile")
    if isinstance(code, bytes):  # a Lambda package: its size, not its bytes
        shown = f"<zip, {len(code)} bytes>"
        params = {**params, **({"Code": {"ZipFile": shown}} if "Code" in params else {"ZipFile": shown})}
    return {**call, "parameters": params}

