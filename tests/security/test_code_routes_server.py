"""No HTTP request to ``asl serve`` makes it import or run code it was not started with.

The server runs on 127.0.0.1 (a free port) with no handlers. Definitions
spelling module functions are created and started, tried with TestState,
and sent through an API-Gateway-style route; operation names and body
fields spelling Python attributes are sent as the API's own. Each is
refused with an AWS-shaped error or fails as a Task nothing serves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from asl_engine.server import make_server
from asl_engine.server.app import Route
from asl_engine.service import Service

from .conftest import ROLE, api, raw
from .test_code_routes_definitions import python_tags, resources, task
from .traps import Trap, trap  # noqa: F401  (the fixture)


@pytest.fixture
def server(service: Service) -> Iterator[Any]:
    running = make_server(service, port=0, routes=[Route("POST", "/hook", "hook")]).start()
    try:
        yield running
    finally:
        running.stop()


def _definitions(t: Trap) -> list[str]:
    lambda_calls = [task("arn:aws:states:::lambda:invoke", {"FunctionName": ref, "Payload": {"cmd": t.shell}})
                    for ref in t.references]
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "P",
               "States": {"P": {"Type": "Pass", "Output": "{% $eval($states.input.code) %}", "End": True}}}
    yaml_texts = [f"StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {tag}\n    End: true\n" for tag in python_tags(t)]
    documents = [task(r, {"cmd": t.shell}) for r in resources(t)] + lambda_calls + [jsonata]
    return [json.dumps(d) for d in documents] + yaml_texts


def _ended(service: Service, arn: str) -> str:
    service.runner.wait(arn, 10.0)
    return str(service.call("DescribeExecution", {"executionArn": arn})["status"])


def test_created_machines_never_run_named_code(trap: Trap, service: Service, server: Any) -> None:
    outcomes: list[str] = []
    for index, definition in enumerate(_definitions(trap)):
        status, body, _ = api(server.url, "CreateStateMachine", {"name": f"m{index}", "definition": definition, "roleArn": ROLE})
        if status != 200:
            assert body["__type"] == "InvalidDefinition", body
            outcomes.append("refused")
            continue
        status, started, _ = api(server.url, "StartExecution", {"stateMachineArn": body["stateMachineArn"],
                                                                 "input": json.dumps({"code": f"{trap.module}:run"})})
        assert status == 200, started
        assert _ended(service, started["executionArn"]) == "FAILED", definition
        outcomes.append("failed")
        trap.assert_untouched()
    assert {"refused", "failed"} <= set(outcomes)  # both kinds were tried


def test_test_state_never_runs_named_code(trap: Trap, server: Any) -> None:
    outcomes: list[str] = []
    for definition in _definitions(trap):
        sent_forms = [definition]  # a whole machine is refused; its one state is what TestState takes
        if definition.startswith("{"):
            sent_forms += [json.dumps(state) for state in json.loads(definition)["States"].values()]
        for sent in sent_forms:
            status, body, _ = api(server.url, "TestState", {"definition": sent, "roleArn": ROLE, "input": "{}"})
            assert status in (200, 400), body
            if status == 200:
                assert body["status"] == "FAILED", body
            else:
                assert body["__type"] in ("InvalidDefinition", "ValidationException"), body
            outcomes.append(str(body.get("message")))
            trap.assert_untouched()
    # The valid Task states reached the engine and found nothing registered to run them.
    assert any("has no handler or mock" in message for message in outcomes)


def test_a_route_body_is_only_execution_input(trap: Trap, service: Service, server: Any) -> None:
    service.create_state_machine("hook", task("arn:aws:states:::lambda:invoke", {"FunctionName.$": "$.fn", "Payload.$": "$"}))
    for reference in trap.references:
        status, body, _ = raw(server.url, "POST", "/hook", {"Content-Type": "application/json"},
                              json.dumps({"fn": reference, "cmd": trap.shell}).encode())
        assert status == 200, body
        assert _ended(service, body["executionArn"]) == "FAILED"
        trap.assert_untouched()


@pytest.mark.parametrize("operation", ["__class__", "__init__", "call", "_execution_row", "create_state_machine", "os.system"])
def test_an_operation_name_is_looked_up_in_the_api(trap: Trap, server: Any, operation: str) -> None:
    status, body, _ = api(server.url, operation, {"name": f"{trap.module}:run"})
    assert status == 400 and body["__type"] == "UnknownOperationException", body
    trap.assert_untouched()


def test_body_fields_naming_python_are_not_arguments(trap: Trap, server: Any) -> None:
    sent = {"__class__": f"{trap.module}.Thing", "__init__": "os:system", "name": "x", "definition": "{}", "roleArn": ROLE,
            "handlers": {"T": f"{trap.module}:run"}}
    status, body, _ = api(server.url, "CreateStateMachine", sent)
    assert status == 400 and "__type" in body, body
    trap.assert_untouched()
