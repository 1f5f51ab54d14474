"""The AWS JSON 1.0 protocol: operations, AWS's error types and messages, the encoding of answers.

The message formats are AWS's (Coral's); docs/server.md names which were
confirmed against AWS's answers and which follow the same pattern.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.loaders import Loader

from asl_engine.server import ApiError, Protocol

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
ROLE = "arn:aws:iam::123456789012:role/r"
PROTOCOL = Protocol()


def _parse(operation: str, body: Any, protocol: Protocol = PROTOCOL) -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    name, request = protocol.parse(f"AWSStepFunctions.{operation}", raw)
    assert name == operation
    return request


def _error(operation: str, body: Any, protocol: Protocol = PROTOCOL) -> ApiError:
    with pytest.raises(ApiError) as info:
        _parse(operation, body, protocol)
    return info.value


def _validation(operation: str, body: Any) -> str:
    error = _error(operation, body)
    assert (error.type, error.status) == ("ValidationException", 400), error.message
    return error.message


def _serialization(operation: str, body: Any) -> str:
    error = _error(operation, body)
    assert (error.type, error.status) == ("SerializationException", 400), error.message
    return error.message


def _one(value: str, path: str, constraint: str) -> str:
    return f"1 validation error detected: {value} at '{path}' failed to satisfy constraint: {constraint}"


# -- operations --------------------------------------------------------------


def test_the_operations_are_botocores() -> None:
    model = Loader().load_service_model("stepfunctions", "service-2")
    assert PROTOCOL.operations == frozenset(model["operations"])
    assert {"StartExecution", "StartSyncExecution", "ListStateMachines"} <= PROTOCOL.operations


@pytest.mark.parametrize(
    ("target", "named"),
    [
        (None, "Missing X-Amz-Target"),
        ("", "Missing X-Amz-Target"),
        ("AWSStepFunctions.Frobnicate", "'AWSStepFunctions.Frobnicate'"),
        ("DynamoDB_20120810.ListTables", "'DynamoDB_20120810.ListTables'"),
        ("ListStateMachines", "'ListStateMachines'"),
        ("AWSStepFunctions.", "'AWSStepFunctions.'"),
    ],
)
def test_an_unknown_operation(target: str | None, named: str) -> None:
    with pytest.raises(ApiError) as info:
        PROTOCOL.parse(target, b"{}")
    assert (info.value.type, info.value.status) == ("UnknownOperationException", 400)
    assert named in info.value.message


def test_the_error_body_is_what_botocore_reads() -> None:
    error = ApiError("ExecutionDoesNotExist", "Execution Does Not Exist: 'x'")
    assert error.status == 400
    assert json.loads(error.body()) == {"__type": "ExecutionDoesNotExist", "message": "Execution Does Not Exist: 'x'"}
    assert ApiError("InternalFailure", "m", 500).status == 500


# -- the body ----------------------------------------------------------------


def test_an_empty_body_is_an_empty_object() -> None:
    assert PROTOCOL.parse("AWSStepFunctions.ListStateMachines", b"") == ("ListStateMachines", {})


@pytest.mark.parametrize("body", [b"{", b'{"maxResults": 1,}', b"\xff\xfe{}", b"NaN", b'{"maxResults": NaN}', b" "])
def test_a_body_that_is_not_json_is_a_serialization_exception(body: bytes) -> None:
    assert _serialization("ListStateMachines", body)


@pytest.mark.parametrize(("body", "message"), [(b"[]", "Start of list found where not expected"), (b"null", "must be a JSON object"), (b'"x"', "must be a JSON object"), (b"3", "must be a JSON object")])
def test_a_body_that_is_not_an_object(body: bytes, message: str) -> None:
    assert message in _serialization("ListStateMachines", body)


def test_unknown_and_null_members_are_absent() -> None:
    request = _parse("ListStateMachines", {"maxResults": None, "nextToken": None, "Foo": 1, "MaxResults": 5})
    assert request == {}
    nested = _parse("CreateStateMachine", {"name": "n", "definition": "{}", "roleArn": ROLE, "loggingConfiguration": {"level": "ALL", "x": 1}})
    assert nested["loggingConfiguration"] == {"level": "ALL"}


# -- the JSON types: SerializationException ------------------------------------


@pytest.mark.parametrize(
    ("operation", "body", "message"),
    [
        ("ListStateMachines", {"maxResults": "1"}, "STRING_VALUE can not be converted to an Integer"),
        ("ListStateMachines", {"maxResults": True}, "TRUE_VALUE can not be converted to an Integer"),
        ("ListStateMachines", {"maxResults": [1]}, "Start of list found where not expected"),
        ("ListStateMachines", {"maxResults": {"a": 1}}, "Start of structure or map found where not expected."),
        ("ListStateMachines", {"nextToken": 1}, "NUMBER_VALUE can not be converted to a String"),
        ("ListStateMachines", {"nextToken": False}, "FALSE_VALUE can not be converted to a String"),
        ("GetExecutionHistory", {"executionArn": "a", "reverseOrder": "maybe"}, "STRING_VALUE can not be converted to an Boolean"),
        ("GetExecutionHistory", {"executionArn": "a", "reverseOrder": 1}, "NUMBER_VALUE can not be converted to a Boolean"),
        ("TagResource", {"resourceArn": ARN, "tags": "x"}, "Expected list or null"),
        ("TagResource", {"resourceArn": ARN, "tags": {"key": "k"}}, "Start of structure or map found where not expected."),
        ("TagResource", {"resourceArn": ARN, "tags": ["x"]}, "Expected null"),
        ("CreateStateMachine", {"name": "n", "definition": "{}", "roleArn": ROLE, "loggingConfiguration": "x"}, "Expected null"),
        ("CreateStateMachine", {"name": "n", "definition": "{}", "roleArn": ROLE, "loggingConfiguration": []}, "Start of list found where not expected"),
        ("UpdateMapRun", {"mapRunArn": "a", "toleratedFailurePercentage": "5"}, "STRING_VALUE can not be converted to a Float"),
        ("UpdateMapRun", {"mapRunArn": "a", "toleratedFailureCount": "5"}, "STRING_VALUE can not be converted to a Long"),
    ],
)
def test_a_wrong_json_type(operation: str, body: dict[str, Any], message: str) -> None:
    assert _serialization(operation, body) == message


def test_a_wrong_type_fails_before_the_constraints() -> None:
    # stateMachineArn is missing too, but deserializing comes first
    assert _serialization("StartExecution", {"name": 1}) == "NUMBER_VALUE can not be converted to a String"


def test_booleans_from_strings_and_integers_from_fractions() -> None:
    request = _parse("GetExecutionHistory", {"executionArn": "a", "reverseOrder": "TRUE", "includeExecutionData": "no"})
    assert request["reverseOrder"] is True and request["includeExecutionData"] is False
    assert _parse("ListStateMachines", {"maxResults": 5.9}) == {"maxResults": 5}
    assert _parse("UpdateMapRun", {"mapRunArn": "a", "toleratedFailurePercentage": 5}) == {"mapRunArn": "a", "toleratedFailurePercentage": 5.0}


# -- the constraints: ValidationException ----------------------------------------


def test_a_required_member_is_missing() -> None:
    assert _validation("StartExecution", {"name": "n"}) == _one("Value null", "stateMachineArn", "Member must not be null")


def test_a_string_too_long_and_too_short() -> None:
    long = "a" * 81
    assert _validation("StartExecution", {"stateMachineArn": ARN, "name": long}) == _one(
        f"Value '{long}'", "name", "Member must have length less than or equal to 80"
    )
    assert _validation("StartExecution", {"stateMachineArn": ""}) == _one(
        "Value ''", "stateMachineArn", "Member must have length greater than or equal to 1"
    )


def test_a_length_counts_utf16_units_as_java_does() -> None:
    emoji = "\U0001f600" * 41  # 41 characters, 82 UTF-16 units
    assert "length less than or equal to 80" in _validation("StartExecution", {"stateMachineArn": ARN, "name": emoji})
    assert _parse("StartExecution", {"stateMachineArn": ARN, "name": "é" * 80})["name"] == "é" * 80


def test_a_value_out_of_range() -> None:
    assert _validation("ListStateMachines", {"maxResults": 1001}) == _one(
        "Value '1001'", "maxResults", "Member must have value less than or equal to 1000"
    )
    assert _validation("ListStateMachines", {"maxResults": -1}) == _one(
        "Value '-1'", "maxResults", "Member must have value greater than or equal to 0"
    )
    assert _parse("ListStateMachines", {"maxResults": 0}) == {"maxResults": 0}


def test_a_value_outside_the_enum() -> None:
    body = {"name": "n", "definition": "{}", "roleArn": ROLE, "type": "BATCH"}
    assert _validation("CreateStateMachine", body) == _one(
        "Value 'BATCH'", "type", "Member must satisfy enum value set: [STANDARD, EXPRESS]"
    )


def test_a_value_outside_the_pattern() -> None:
    assert _validation("RedriveExecution", {"executionArn": "a", "clientToken": "a b"}) == _one(
        "Value 'a b'", "clientToken", "Member must satisfy regular expression pattern: [!-~]+"
    )
    assert _validation("StartExecution", {"stateMachineArn": ARN, "traceHeader": "é"}) == _one(
        "Value 'é'", "traceHeader", r"Member must satisfy regular expression pattern: \p{ASCII}*"
    )


def test_values_inside_the_pattern() -> None:
    assert _parse("StartExecution", {"stateMachineArn": ARN, "traceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"})
    assert _parse("RedriveExecution", {"executionArn": "a", "clientToken": "a-b_c~1"})
    alias = {"name": "PROD", "routingConfiguration": [{"stateMachineVersionArn": ARN + ":1", "weight": 100}]}
    assert _parse("CreateStateMachineAlias", alias)["name"] == "PROD"
    assert "regular expression pattern" in _validation("CreateStateMachineAlias", {**alias, "name": "123"})


def test_javas_posix_classes_inside_and_outside_brackets() -> None:
    from asl_engine.server.protocol import _java_pattern

    for pattern, good, bad in [(r"\p{ASCII}*", "a~", "é"), (r"[\p{Alnum}_]+", "a_1", "a-1"), (r"x\\p{ASCII}", "x\\p{ASCII}", "xa")]:
        compiled = _java_pattern(pattern)
        assert compiled is not None and compiled.fullmatch(good) and not compiled.fullmatch(bad), pattern
    model = Loader().load_service_model("stepfunctions", "service-2")
    assert all(_java_pattern(s["pattern"]) for s in model["shapes"].values() if "pattern" in s)


def test_a_sensitive_value_is_not_shown_and_the_input_is_measured_in_utf8_bytes() -> None:
    fits = "é" * 131_072  # 262144 bytes
    assert _parse("StartExecution", {"stateMachineArn": ARN, "input": fits})["input"] == fits
    assert _validation("StartExecution", {"stateMachineArn": ARN, "input": fits + "a"}) == _one(
        "Value", "input", "Member must have size less than or equal to 262144 bytes in UTF-8 encoding"
    )
    assert _validation("SendTaskSuccess", {"taskToken": "", "output": "{}"}) == _one(
        "Value", "taskToken", "Member must have length greater than or equal to 1"
    )
    assert _validation("ValidateStateMachineDefinition", {}) == _one("Value null", "definition", "Member must not be null")


def test_every_violation_is_reported_in_the_models_order() -> None:
    body = {"name": "a" * 81, "input": "{}", "traceHeader": "é"}
    assert _validation("StartExecution", body) == (
        "3 validation errors detected: "
        "Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null; "
        f"Value '{'a' * 81}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80; "
        r"Value 'é' at 'traceHeader' failed to satisfy constraint: Member must satisfy regular expression pattern: \p{ASCII}*"
    )


def test_a_nested_path_names_the_list_element() -> None:
    body = {"resourceArn": ARN, "tags": [{"key": "ok"}, {"key": ""}, None]}
    assert _validation("TagResource", body) == (
        "2 validation errors detected: "
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value null at 'tags.3.member' failed to satisfy constraint: Member must not be null"
    )
    routing = [{"stateMachineVersionArn": ARN + ":1", "weight": 101}]
    assert _validation("UpdateStateMachineAlias", {"stateMachineAliasArn": ARN + ":a", "routingConfiguration": routing}) == _one(
        "Value '101'", "routingConfiguration.1.member.weight", "Member must have value less than or equal to 100"
    )


def test_a_list_too_long() -> None:
    routing = [{"stateMachineVersionArn": ARN + ":1", "weight": 1}] * 3
    message = _validation("UpdateStateMachineAlias", {"stateMachineAliasArn": ARN + ":a", "routingConfiguration": routing})
    assert message.startswith(f"1 validation error detected: Value '[{{stateMachineVersionArn={ARN}:1, weight=1}}, ")
    assert message.endswith("at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2")


# -- shapes Step Functions' requests do not use (a model of our own) -----------

MODEL: dict[str, Any] = {
    "metadata": {"targetPrefix": "Test"},
    "operations": {"Put": {"input": {"shape": "PutInput"}}, "Nothing": {}},
    "shapes": {
        "PutInput": {
            "type": "structure",
            "members": {
                "at": {"shape": "When"},
                "data": {"shape": "Data"},
                "labels": {"shape": "Labels"},
                "tree": {"shape": "Tree"},
                "ratio": {"shape": "Ratio"},
            },
        },
        "When": {"type": "timestamp"},
        "Data": {"type": "blob", "max": 3},
        "Labels": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Label"}, "max": 2},
        "Key": {"type": "string", "enum": ["a", "b", "c"]},
        "Label": {"type": "string", "min": 1},
        "Tree": {"type": "structure", "members": {"name": {"shape": "Label"}, "children": {"shape": "Trees"}}},
        "Trees": {"type": "list", "member": {"shape": "Tree"}},
        "Ratio": {"type": "double", "min": 0, "max": 1},
    },
}
TEST = Protocol(MODEL)


def _put(body: Any) -> dict[str, Any]:
    return TEST.parse("Test.Put", json.dumps(body).encode())[1]


def _put_error(body: Any) -> ApiError:
    with pytest.raises(ApiError) as info:
        _put(body)
    return info.value


def test_a_model_of_our_own() -> None:
    assert TEST.operations == {"Put", "Nothing"}
    assert TEST.parse("Test.Nothing", b'{"x": 1}') == ("Nothing", {})


def test_timestamps_are_epoch_seconds() -> None:
    assert _put({"at": 1700000000.5}) == {"at": datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)}
    error = _put_error({"at": "2023-11-14T22:13:20Z"})
    assert (error.type, error.message) == ("SerializationException", "STRING_VALUE can not be converted to milliseconds since epoch")


def test_blobs_are_base64() -> None:
    assert _put({"data": "AAEC"}) == {"data": b"\x00\x01\x02"}
    assert _put_error({"data": "A"}).type == "SerializationException"
    assert _put_error({"data": "AAECAw=="}).message == _one(
        "Value 'java.nio.HeapByteBuffer[pos=0 lim=4 cap=4]'", "data", "Member must have length less than or equal to 3"
    )


def test_maps_check_their_keys_and_values() -> None:
    assert _put({"labels": {"a": "x"}}) == {"labels": {"a": "x"}}
    assert _put_error({"labels": {"z": ""}}).message == (
        "2 validation errors detected: "
        "Value '{z=}' at 'labels' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must satisfy enum value set: [a, b, c]]; "
        "Value '{z=}' at 'labels' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length greater than or equal to 1]"
    )
    assert "Member must have length less than or equal to 2" in _put_error({"labels": {"a": "x", "b": "y", "c": "z"}}).message
    assert _put_error({"labels": [1]}).message == "Start of list found where not expected"
    assert _put_error({"labels": "x"}).message == "Expected map or null"


def test_a_recursive_shape() -> None:
    tree = {"name": "root", "children": [{"name": "leaf", "children": []}]}
    assert _put({"tree": tree}) == {"tree": tree}
    bad = {"name": "root", "children": [{"children": [{"name": ""}]}]}
    assert _put_error({"tree": bad}).message == _one(
        "Value ''", "tree.children.1.member.children.1.member.name", "Member must have length greater than or equal to 1"
    )


def test_fractional_bounds() -> None:
    assert _put({"ratio": 1}) == {"ratio": 1.0}
    assert _put_error({"ratio": 1.5}).message == _one("Value '1.5'", "ratio", "Member must have value less than or equal to 1")


# -- encoding answers --------------------------------------------------------


def test_encode_datetimes_as_epoch_seconds_and_drops_none() -> None:
    aware = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
    other_zone = aware.astimezone(timezone(timedelta(hours=2)))
    naive = datetime(2023, 11, 14, 22, 13, 20)
    response = {
        "stateMachines": [{"name": "m", "creationDate": aware, "description": None}],
        "nextToken": None,
        "nested": {"when": other_zone, "naive": naive, "gone": None, "raw": b"\x00\x01", "list": [1, None, "x"]},
    }
    encoded = PROTOCOL.encode("ListStateMachines", response)
    assert json.loads(encoded) == {
        "stateMachines": [{"name": "m", "creationDate": 1700000000.123}],
        "nested": {"when": 1700000000.123, "naive": 1700000000.0, "raw": "AAE=", "list": [1, None, "x"]},
    }
    assert b" " not in encoded
    assert PROTOCOL.encode("StartExecution", {"name": "é"}) == '{"name":"é"}'.encode()
