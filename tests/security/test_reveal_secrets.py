"""TestState's ``revealSecrets`` follows AWS's rule.

AWS: "For HTTP Tasks, a secret includes the data that an EventBridge
connection adds to modify the HTTP request headers, query parameters, and
body. Step Functions doesn't omit any information included in the state
definition or the HTTP response." The engine adds no connection data to any
request (it runs no HTTP Task of a connection), so nothing is ever hidden and
``revealSecrets`` changes no answer; AWS's one refusal (with a mock) holds.
"""

from __future__ import annotations

import json

import pytest

from asl_engine.service import Service, ServiceError

STATE = {"Type": "Pass", "Parameters": {"Authorization": "Bearer in-the-definition", "n.$": "$.n"}, "End": True}


def _test(service: Service, **request: object) -> dict[str, object]:
    return service.call("TestState", {"definition": json.dumps(STATE), "input": '{"n": 1}', **request})


def test_nothing_of_the_definition_is_hidden_whatever_reveal_secrets_says(service: Service) -> None:
    for level in ("INFO", "DEBUG", "TRACE"):
        hidden = _test(service, inspectionLevel=level)
        shown = _test(service, inspectionLevel=level, revealSecrets=True)
        assert hidden == shown and "in-the-definition" in json.dumps(shown)


def test_reveal_secrets_with_a_mock_is_refused_as_aws_refuses_it(service: Service) -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": True}
    with pytest.raises(ServiceError) as info:
        service.call("TestState", {"definition": json.dumps(task), "mock": {"result": "{}"}, "revealSecrets": True})
    assert (info.value.type, info.value.message) == (
        "ValidationException", "TestState does not support RevealSecrets when a mock is specified.")
