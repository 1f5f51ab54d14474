"""A definition never names code to run: every string in it is data.

Each test writes a definition the way an attacker would (a ``Resource`` or a
Lambda ``FunctionName`` spelling a Python function, a JSONata ``$eval``, a
YAML tag that PyYAML's unsafe loaders would construct), drives ``asl`` on it
and checks that it was refused (or treated as plain data) and that the trap's
code never ran. Only ``--handler``/``--handler-module`` and ``handlers=``
import code; ``test_handler_reference_is_used_only_as_given`` shows that
what the user registered is all that runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import asl_engine
from asl_cli.main import cli
from asl_engine.documents.text import parse_yaml

from .traps import Trap, trap  # noqa: F401  (the fixture)

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def asl(*args: str) -> Result:
    """``asl ARGS``; never a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def task(resource: str, parameters: Any = None, name: str = "T") -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if parameters is not None:
        state["Parameters"] = parameters
    return {"StartAt": name, "States": {name: state}}


def write(folder: Path, document: Any, name: str = "evil.asl.json") -> str:
    path = folder / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def resources(t: Trap) -> list[str]:
    """``Resource`` values that name a Python function in every spelling we know."""
    return [
        "arn:aws:states:::subprocess:getoutput",
        "arn:aws:states:::os:system",
        f"arn:aws:states:::{t.module}:run",
        "arn:aws:states:::aws-sdk:subprocess:getoutput",
        "arn:aws:states:::aws-sdk:s3:__class__",  # a boto3 client attribute, not an API action
        "arn:aws:states:::aws-sdk:s3:_make_api_call",
        f"{LAMBDA_ARN}os.system",
        f"{LAMBDA_ARN}{t.module}.run",
        f"{LAMBDA_ARN}{t.module}:run",  # the ARN's qualifier slot
        *t.references,
    ]


@pytest.mark.parametrize("aws", [(), ("--local-aws",)], ids=["local", "local-aws"])
def test_a_resource_never_names_a_function(trap: Trap, aws: tuple[str, ...]) -> None:
    if aws:
        pytest.importorskip("moto")
    for resource in resources(trap):
        path = write(trap.folder, task(resource, {"cmd": trap.shell, "Payload": trap.shell}))
        result = asl("run", path, *aws)
        # An invalid definition (3), or a Task no handler serves (4): never a
        # call. On the embedded AWS a valid Lambda ARN goes to moto, which
        # answers with the payload and runs nothing (0).
        assert result.exit_code in ((0, 3, 4) if aws else (3, 4)), (resource, result.output)
        trap.assert_untouched()


def test_validate_does_not_resolve_resources(trap: Trap) -> None:
    for resource in resources(trap):
        asl("validate", write(trap.folder, task(resource)))
        trap.assert_untouched()


@pytest.mark.parametrize("aws", [(), ("--local-aws",)], ids=["local", "local-aws"])
def test_a_lambda_function_name_never_names_a_module(trap: Trap, aws: tuple[str, ...]) -> None:
    if aws:
        pytest.importorskip("moto")
    for reference in trap.references:
        for resource in ("arn:aws:states:::lambda:invoke",):
            parameters = {"FunctionName": reference, "Payload": {"cmd": trap.shell}}
            result = asl("run", write(trap.folder, task(resource, parameters)), *aws)
            # Locally no handler serves it (4); on the embedded AWS the Lambda
            # call goes to moto, which runs no code here (0, or 1 when it fails).
            assert result.exit_code in ((0, 1, 4) if aws else (4,)), (reference, result.output)
            trap.assert_untouched()


def test_the_library_run_has_no_implicit_handlers(trap: Trap) -> None:
    for reference in trap.references:
        machine = asl_engine.load(task("arn:aws:states:::lambda:invoke", {"FunctionName": reference}))
        with pytest.raises(asl_engine.EngineError, match="has no handler or mock"):
            machine.run({})
        trap.assert_untouched()


def test_handler_reference_is_used_only_as_given(trap: Trap) -> None:
    """``--handler Name=module:function`` imports exactly that reference, and runs it
    only for the Task it names; the definition cannot add or re-point registrations."""
    definition = {
        "StartAt": "Other",
        "States": {
            # Names the module function in every way: none of these is a registration.
            "Other": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": f"{trap.module}:run"}, "Next": "Name"},
            "Name": {"Type": "Task", "Resource": f"{LAMBDA_ARN}work", "End": True},
        },
    }
    path = write(trap.folder, definition)
    result = asl("run", path, "--handler", "Name=json:dumps")
    assert result.exit_code == 4 and "'Other' has no handler or mock" in result.stderr, result.output
    trap.assert_untouched()
    # The user's own registration is the one thing that imports the module.
    result = asl("run", path, "--handler", f"Other={trap.module}:run", "--handler", "Name=json:dumps")
    assert result.exit_code == 0 and json.loads(result.stdout) == '{"ran": true}', result.output
    assert (trap.folder / "imported").exists() and (trap.folder / "ran").exists()


def test_a_registered_handler_serves_only_its_key(trap: Trap) -> None:
    calls: list[str] = []

    def work(event: Any) -> Any:
        calls.append("work")
        return event

    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": f"{LAMBDA_ARN}a", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "work:extra"}, "End": True},
        },
    }
    machine = asl_engine.load(definition)
    with pytest.raises(asl_engine.EngineError, match="'A' has no handler or mock"):
        machine.run({}, handlers={"work": work})
    assert calls == []


# ---------------------------------------------------------------- JSONata and intrinsics

_JSONATA_EVAL = [
    '$eval("$sum([1])")',
    '($e := $eval; $e("1"))',
    '$map(["1"], $eval)',
    '$eval($states.input.code)',
]


@pytest.mark.parametrize("expression", _JSONATA_EVAL)
@pytest.mark.parametrize("field", ["Output", "Assign", "Condition"])
def test_jsonata_eval_is_refused_at_load(expression: str, field: str) -> None:
    """AWS: "$eval is not available—use $parse instead"; it never reaches Python either."""
    if field == "Condition":
        state: dict[str, Any] = {"Type": "Choice", "Choices": [{"Condition": "{% " + expression + " %}", "Next": "D"}],
                                 "Default": "D"}
    else:
        value: Any = "{% " + expression + " %}"
        state = {"Type": "Pass", field: {"v": value} if field == "Assign" else value, "Next": "D"}
    definition = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state, "D": {"Type": "Succeed"}}}
    with pytest.raises(asl_engine.DefinitionError, match=r"\$eval is not supported"):
        asl_engine.load(definition)


@pytest.mark.parametrize("expression", [
    "$sum.__globals__", '$lookup($sum, "__globals__")', "$keys($sum)", "$spread($sum)", '$lookup($states, "__class__")',
    "$states.input.__class__", '$keys($match("x", /x/)[0].__init__)', "$each($sum, function($v, $k) {$k})",
])
def test_jsonata_cannot_reach_python_objects(expression: str) -> None:
    """A JSONata function is a value, not a Python object to walk: its attributes are
    not fields, so each of these is undefined (or not JSON), as on AWS."""
    definition = {"QueryLanguage": "JSONata", "StartAt": "P",
                  "States": {"P": {"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True}}}
    execution = asl_engine.load(definition).run({"x": 1})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError"), execution.output


@pytest.mark.parametrize("call", ["States.__init__()", "States.__class__('os')", "States.eval('1')", "os.system('x')"])
def test_an_intrinsic_name_is_looked_up_not_imported(call: str) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": call}, "End": True}}}
    with pytest.raises(asl_engine.DefinitionError):
        asl_engine.load(definition)


# ---------------------------------------------------------------- YAML tags

def python_tags(t: Trap) -> list[str]:
    """Tags PyYAML's full/unsafe loaders would turn into imports and calls."""
    return [
        f"!!python/object/apply:os.system [{t.shell!r}]",
        f"!!python/object/apply:{t.module}.run []",
        f"!!python/object/new:{t.module}.run []",
        f"!!python/name:{t.module}.run",
        f"!!python/module:{t.module}",
        f"!!python/object:{t.module}.Thing {{a: 1}}",
        f"!<tag:yaml.org,2002:python/object/apply:{t.module}.run> []",
    ]


def _yaml_machine(value: str) -> str:
    return f"StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {value}\n    End: true\n"


def _yaml_key(value: str) -> str:
    return f"StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result:\n      ? {value}\n      : 1\n    End: true\n"


@pytest.mark.parametrize("shape", [_yaml_machine, _yaml_key], ids=["value", "key"])
def test_a_python_yaml_tag_is_an_invalid_definition(trap: Trap, shape: Any) -> None:
    for tag in python_tags(trap):
        path = write(trap.folder, shape(tag), "evil.asl.yaml")
        for command in (["validate", path], ["run", path], ["export", path], ["graph", path]):
            result = asl(*command)
            assert result.exit_code == 3, (tag, command, result.output)
            assert "python/" in result.output, result.output
            trap.assert_untouched()


def test_a_python_yaml_tag_in_a_template_is_refused(trap: Trap) -> None:
    for tag in python_tags(trap):
        template = (
            "Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
            f"      Definition:\n        StartAt: P\n        States:\n          P:\n            Type: Pass\n"
            f"            Result: {tag}\n            End: true\n"
        )
        result = asl("validate", write(trap.folder, template, "template.yaml"))
        assert result.exit_code == 3 and "python/" in result.output, (tag, result.output)
        trap.assert_untouched()


def test_yaml_standard_types_and_cloudformation_short_forms_still_load(tmp_path: Path) -> None:
    template = """\
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: P
        States:
          P:
            Type: Pass
            Parameters:
              topic: !Ref Topic
              queue: !GetAtt Queue.Arn
              text: !Sub "${AWS::Region}-x"
              when: !!str 2024-01-01
              n: !!int "3"
              ok: !!bool "true"
            End: true
  Topic:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
"""
    result = asl("validate", write(tmp_path, template, "template.yaml"))
    assert result.exit_code == 0, result.output
    document, diagnostics, _ = parse_yaml(template)
    parameters = document["Resources"]["Machine"]["Properties"]["Definition"]["States"]["P"]["Parameters"]
    assert not diagnostics
    assert parameters == {"topic": {"Ref": "Topic"}, "queue": {"Fn::GetAtt": ["Queue", "Arn"]},
                          "text": {"Fn::Sub": "${AWS::Region}-x"}, "when": "2024-01-01", "n": 3, "ok": True}


def test_a_lambda_the_definition_creates_on_the_embedded_aws_runs_no_code(trap: Trap) -> None:
    """``--local-aws`` keeps moto's Lambda from running code (no Docker): a definition
    that uploads a function and invokes it gets its payload back, nothing more."""
    pytest.importorskip("moto")
    import base64
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", f"import os\ndef handler(event, context):\n    os.system({trap.shell!r})\n")
    definition = {
        "StartAt": "Role",
        "States": {
            "Role": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:iam:createRole",
                     "Parameters": {"RoleName": "r", "AssumeRolePolicyDocument": "{}"}, "ResultPath": None, "Next": "Create"},
            "Create": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:createFunction",
                       "Parameters": {"FunctionName": "evil", "Runtime": "python3.12", "Handler": "index.handler",
                                      "Role": "arn:aws:iam::123456789012:role/r",
                                      "Code": {"ZipFile": base64.b64encode(buffer.getvalue()).decode()}},
                       "ResultPath": None, "Next": "Invoke"},
            "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": "evil", "Payload": {"x": 1}}, "End": True},
        },
    }
    result = asl("run", write(trap.folder, definition), "--local-aws")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["Payload"] == {"x": 1}, result.output  # moto echoes what it cannot run
    trap.assert_untouched()


def test_a_foreign_yaml_tag_is_reported_at_its_place() -> None:
    text = "StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: !!python/name:os.system\n    End: true\n"
    _, diagnostics, _ = parse_yaml(text, "evil.yaml")
    assert [(d.code, d.path, d.line, d.column, d.message) for d in diagnostics] == [
        ("INVALID_JSON_DESCRIPTION", "/States/P/Result", 5, 13, "Unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'")
    ]
