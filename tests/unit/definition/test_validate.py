"""The validator's rules, one family at a time (``asl_engine.definition.rules``)."""

from __future__ import annotations

from typing import Any

import pytest

import asl_engine
from asl_engine.definition.validate import has_errors, validate_document

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def machine(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A definition whose StartAt is the first state."""
    return {"StartAt": states[0][0], "States": dict(states), **top}


def errors(definition: Any, **options: Any) -> list[tuple[str, str]]:
    return [(d.code, d.path) for d in validate_document(definition, **options) if d.severity == "ERROR"]


def messages(definition: Any, **options: Any) -> list[str]:
    return [d.message for d in validate_document(definition, **options)]


def warnings(definition: Any, **options: Any) -> list[tuple[str, str]]:
    return [(d.code, d.path) for d in validate_document(definition, **options) if d.severity == "WARNING"]


PASS_END = {"Type": "Pass", "End": True}


# ------------------------------------------------------------------ valid definitions


VALID = [
    machine(("P", PASS_END)),
    machine(("T", {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 10, "HeartbeatSeconds": 5, "End": True,
                   "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL",
                                                                                       "MaxDelaySeconds": 10, "BackoffRate": 1.5}],
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.error"}]}),
            ("F", {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "States.Format('{}', $.error.Cause)"})),
    machine(("W", {"Type": "Wait", "Timestamp": "2016-03-05T21:29:29.243167252Z", "End": True})),
    machine(("W", {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00+02:00", "End": True})),
    machine(("C", {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "A", "Comment": "big"},
                                                 {"Not": {"Variable": "$.y", "IsPresent": True}, "Next": "A"}], "Default": "A",
                   "Assign": {"seen": True}}),
            ("A", {"Type": "Succeed"})),
    # JSONata, variables, the JSONata forms of the numeric fields
    machine(("T", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"Payload": "{% $states.input %}"},
                   "TimeoutSeconds": "{% $states.input.t %}", "Output": "{% $states.result.Payload %}",
                   "Assign": {"x": "{% $states.result %}"},
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "C"}], "Next": "C"}),
            ("C", {"Type": "Choice", "Choices": [{"Condition": "{% $x > 1 %}", "Next": "M", "Output": {"v": "{% $x %}"}}], "Default": "M"}),
            ("M", {"Type": "Map", "Items": "{% [1, 2] %}", "MaxConcurrency": "{% 2 %}",
                   "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}),
            QueryLanguage="JSONata"),
    # distributed Map with ItemReader, ItemBatcher, ResultWriter, Label
    machine(("M", {"Type": "Map", "Label": "Files", "MaxConcurrency": 1000, "ToleratedFailurePercentage": 5.5,
                   "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 0},
                                  "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
                   "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"run.$": "$$.Execution.Id"}},
                   "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "out"}},
                   "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                     "StartAt": "I", "States": {"I": {"Type": "Task", "Resource": LAMBDA, "End": True}}},
                   "End": True})),
    # Parallel with a Catch out of the Parallel state (allowed: the Parallel is in the top scope)
    machine(("P", {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": PASS_END}}], "Next": "Done",
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]}),
            ("Done", {"Type": "Succeed"})),
    # integrations, activities, ${} placeholders
    machine(("A", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Next": "B"}),
            ("B", {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2", "Next": "C"}),
            ("C", {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:work", "Next": "D"}),
            ("D", {"Type": "Task", "Resource": "${WorkerArn}", "Next": "E"}),
            ("E", {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": True})),
]


@pytest.mark.parametrize("definition", VALID)
def test_valid_definitions_have_no_diagnostics(definition):
    assert validate_document(definition) == []


def test_bundled_definitions_are_clean():
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[3] / "definitions").glob("*.asl.json"):
        assert asl_engine.validate(path) == [], path


# ------------------------------------------------------------------ top level and structure


def test_not_an_object():
    assert messages([1, 2]) == ["Definition must be a valid JSON object"]


def test_missing_top_level_fields_in_aws_words():
    assert messages({}) == ["These fields are required: [States, StartAt]"]
    assert messages({"States": {"A": PASS_END}}) == ["These fields are required: [StartAt]", 'State "A" is not reachable.']


def test_unknown_top_level_field():
    assert errors(machine(("P", PASS_END), Foo=1)) == [("SCHEMA_VALIDATION_FAILED", "")]


def test_state_type_in_aws_words():
    result = validate_document(machine(("S", {"Type": "Nope", "End": True})))
    assert [(d.path, d.message) for d in result] == [
        ("/States/S/Type", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")
    ]


@pytest.mark.parametrize("state_type,field", [
    ("Choice", "ResultPath"), ("Succeed", "ResultSelector"), ("Fail", "InputPath"), ("Wait", "Retry"),
    ("Pass", "Catch"), ("Pass", "TimeoutSeconds"), ("Parallel", "TimeoutSeconds"), ("Succeed", "Assign"), ("Fail", "Assign"),
])
def test_field_not_supported_for_the_type(state_type, field):
    state: dict[str, Any] = {"Type": state_type, field: "$.x"}
    if state_type == "Choice":
        state.update(Choices=[{"Variable": "$.a", "IsNull": True, "Next": "S"}], Default="S")
    elif state_type == "Wait":
        state.update(Seconds=1, End=True)
    elif state_type in ("Pass", "Parallel"):
        state["End"] = True
    if state_type == "Parallel":
        state["Branches"] = [{"StartAt": "B", "States": {"B": PASS_END}}]
    result = validate_document(machine(("S", state)))
    found = [d for d in result if d.message == f"Field '{field}' is not supported"]
    assert found and found[0].path == "/States/S" and found[0].rule == "structure.field-not-allowed"


def test_query_language_fields():
    jsonata = machine(("P", {"Type": "Pass", "QueryLanguage": "JSONata", "InputPath": "$.a", "End": True}))
    assert messages(jsonata) == ["The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"]
    jsonpath = machine(("P", {"Type": "Pass", "Output": {"a": 1}, "End": True}))
    assert messages(jsonpath) == ["The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"]


def test_query_language_downgrade():
    definition = machine(("P", {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}), QueryLanguage="JSONata")
    assert [(d.path, d.message) for d in validate_document(definition)] == [
        ("/States/P", "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
    ]


def test_query_language_enum():
    assert messages(machine(("P", PASS_END), QueryLanguage="jsonata")) == ["Value should be one of the following: [JSONPath, JSONata]"]


def test_next_and_end():
    assert errors(machine(("P", {"Type": "Pass"}))) == [("MISSING_END_STATE", ""), ("SCHEMA_VALIDATION_FAILED", "/States/P")]
    both = machine(("P", {"Type": "Pass", "Next": "Q", "End": True}), ("Q", PASS_END))
    assert ("SCHEMA_VALIDATION_FAILED", "/States/P") in errors(both)


@pytest.mark.parametrize("state,path", [
    ({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}, "/States/S"),
    ({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}, "/States/S/Error"),
    ({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}, "/States/S/Cause"),
    ({"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 1, "TimeoutSecondsPath": "$.t", "End": True}, "/States/S/TimeoutSeconds"),
    ({"Type": "Task", "Resource": LAMBDA, "HeartbeatSeconds": 1, "HeartbeatSecondsPath": "$.t", "End": True}, "/States/S/HeartbeatSeconds"),
])
def test_mutually_exclusive_fields(state, path):
    result = [d for d in validate_document(machine(("S", state))) if d.rule == "structure.exclusive"]
    assert [d.path for d in result] == [path]


@pytest.mark.parametrize("field,value", [
    ("TimeoutSeconds", 0), ("TimeoutSeconds", 100000000), ("TimeoutSeconds", "10"), ("HeartbeatSeconds", -1),
])
def test_task_timeouts(field, value):
    state = {"Type": "Task", "Resource": LAMBDA, field: value, "End": True}
    assert errors(machine(("T", state))) == [("SCHEMA_VALIDATION_FAILED", f"/States/T/{field}")]


def test_heartbeat_below_timeout():
    state = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": True}
    assert errors(machine(("T", state))) == [("SCHEMA_VALIDATION_FAILED", "/States/T/HeartbeatSeconds")]


@pytest.mark.parametrize("timestamp,valid", [
    ("2016-03-14T01:59:00Z", True), ("2016-03-14T01:59:00.5-07:30", True),
    ("2016-12-05T25:29:29Z", False), ("2016-12-05T21:29:29", False), ("2016-03-14t01:59:00z", False),
    ("2016-02-30T00:00:00Z", False), ("2016-03-14T01:59Z", False), ("{% '2016-03-14T01:59:00Z' %}", False),
])
def test_wait_timestamp_is_strict_rfc3339(timestamp, valid):
    result = validate_document(machine(("W", {"Type": "Wait", "Timestamp": timestamp, "End": True})))
    assert (result == []) is valid
    if not valid:
        assert [d.message for d in result] == ["String does not match RFC3339 timestamp"]


def test_credentials_shape():
    null = machine(("T", {"Type": "Task", "Resource": LAMBDA, "Credentials": None, "End": True}))
    assert errors(null) == [("SCHEMA_VALIDATION_FAILED", "/States/T/Credentials")]
    template = machine(("T", {"Type": "Task", "Resource": LAMBDA, "Credentials": {"RoleArn.$": "$.role"}, "End": True}))
    assert errors(template) == []


def test_assign():
    assert errors(machine(("P", {"Type": "Pass", "Assign": [1], "End": True}))) == [("SCHEMA_VALIDATION_FAILED", "/States/P/Assign")]
    bad_name = machine(("P", {"Type": "Pass", "Assign": {"states": 1, "not a name": 2, "ok.$": "$.a"}, "End": True}))
    assert [d.rule for d in validate_document(bad_name)] == ["structure.variable-name", "structure.variable-name"]


def test_jsonata_assign_is_an_object_too():
    # The values may be expressions; the field itself may not (the engine
    # needs variable names before it evaluates anything).
    expression = "{% {'x': 1} %}"
    state = machine(("P", {"Type": "Pass", "Assign": expression, "End": True}), QueryLanguage="JSONata")
    assert errors(state) == [("SCHEMA_VALIDATION_FAILED", "/States/P/Assign")]
    catcher = machine(("T", {"Type": "Task", "Resource": LAMBDA, "End": True,
                             "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": expression, "Next": "T"}]}), QueryLanguage="JSONata")
    assert errors(catcher) == [("SCHEMA_VALIDATION_FAILED", "/States/T/Catch/0/Assign")]
    rule = machine(("C", {"Type": "Choice", "Choices": [{"Condition": True, "Assign": expression, "Next": "S"}]}), ("S", {"Type": "Succeed"}),
                   QueryLanguage="JSONata")
    assert errors(rule) == [("SCHEMA_VALIDATION_FAILED", "/States/C/Choices/0/Assign")]


def test_pass_result_with_parameters_is_a_warning():
    # AWS accepts it (TestState ran such a state) and uses Result.
    definition = machine(("P", {"Type": "Pass", "Result": 1, "Parameters": {"a": 1}, "End": True}))
    assert warnings(definition) == [("PASS_PARAMETERS_IGNORED", "/States/P/Parameters")]
    assert not has_errors(validate_document(definition))


# ------------------------------------------------------------------ graph


def test_missing_targets_in_aws_words():
    definition = machine(("A", {"Type": "Pass", "Next": "Nope"}), ("B", PASS_END))
    result = validate_document(definition)
    assert [(d.code, d.path, d.message) for d in result] == [
        ("MISSING_TRANSITION_TARGET", "/States/A/Next", "Missing 'Next' target: Nope"),
        ("MISSING_TRANSITION_TARGET", "/States/B", 'State "B" is not reachable.'),
    ]


def test_start_at_default_and_catch_targets():
    definition = {"StartAt": "X", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "Y"}], "Default": "Z"},
        "T": {"Type": "Task", "Resource": LAMBDA, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "W"}], "End": True},
    }}
    result = validate_document(definition)
    assert [d.path for d in result if d.rule == "transitions.missing-target"] == [
        "/StartAt", "/States/C/Choices/0/Next", "/States/C/Default", "/States/T/Catch/0/Next"]
    # No StartAt to walk from: nothing is reachable (AWS reports every state).
    assert [d.path for d in result if d.rule == "transitions.unreachable"] == ["/States/C", "/States/T"]


def test_transitions_cannot_leave_a_branch():
    definition = machine(
        ("P", {"Type": "Parallel", "Branches": [{"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "Out"}}}], "Next": "Out"}),
        ("Out", PASS_END),
    )
    result = [d for d in validate_document(definition) if d.rule == "transitions.out-of-scope"]
    assert [d.path for d in result] == ["/States/P/Branches/0/States/In/Next"]
    assert "exists in the top-level States" in result[0].message


def test_no_terminal_state_hides_unreachable_states():
    definition = machine(("A", {"Type": "Pass", "Next": "B"}), ("B", {"Type": "Pass", "Next": "A"}), ("C", {"Type": "Pass", "Next": "A"}))
    assert [(d.code, d.message) for d in validate_document(definition)] == [("MISSING_END_STATE", "Workflow has no terminal state")]


def test_nested_scope_without_terminal_state():
    definition = machine(("M", {"Type": "Map", "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}, "End": True}))
    assert errors(definition) == [("MISSING_END_STATE", "/States/M/ItemProcessor")]


def test_duplicate_state_names_across_scopes():
    definition = machine(("P", {"Type": "Parallel", "Branches": [{"StartAt": "X", "States": {"X": PASS_END}}], "Next": "X"}), ("X", PASS_END))
    assert errors(definition) == [("DUPLICATE_STATE_NAME", "/States/X")]  # the later one in the text


def test_state_names():
    long_name = "n" * 81
    assert errors(machine((long_name, PASS_END))) == [("INVALID_STATE_NAME", f"/States/{long_name}")]
    assert errors(machine(("a\tb", PASS_END))) == [("INVALID_STATE_NAME", "/States/a\tb")]
    assert errors(machine(("a/b ~c?", PASS_END))) == []


# ------------------------------------------------------------------ paths and intrinsics


@pytest.mark.parametrize("field,value,ok", [
    ("InputPath", "$.a.b[0]", True), ("InputPath", "$$.Execution.Input", True), ("InputPath", None, True),
    ("InputPath", "a.b", False), ("OutputPath", "$.a[?(@.x > 1)]", True), ("OutputPath", "$.[", False),
    ("ResultPath", "$.r", True), ("ResultPath", None, True), ("ResultPath", "$.a[*]", False), ("ResultPath", "$$.r", False),
    ("ResultPath", "$var", False),
])
def test_paths(field, value, ok):
    definition = machine(("P", {"Type": "Pass", field: value, "End": True}))
    assert (errors(definition) == []) is ok


def test_payload_template_in_aws_words():
    definition = machine(("P", {"Type": "Pass", "Parameters": {"a": {"b.$": "nope"}, "c.$": "States.Format('x')", "d.$": 7}, "End": True}))
    result = validate_document(definition)
    assert {d.path for d in result} == {"/States/P/Parameters"}
    assert all(d.message.startswith("The value for the field '") and "must be a valid JSONPath or a valid intrinsic function call" in d.message
               for d in result)
    assert len(result) == 2  # b.$ and d.$; c.$ is a valid call


def test_duplicate_payload_field():
    definition = machine(("P", {"Type": "Pass", "Parameters": {"x": [{"k": 1, "k.$": "$.k"}]}, "End": True}))
    assert [d.rule for d in validate_document(definition)] == ["paths.duplicate-payload-field"]


@pytest.mark.parametrize("call", [
    "States.Nope($.a)", " States.Array(1)", "States.Format('a', ", "States.StringToJson('{\\\"a\\\": 1}')",
    "States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(1)))))))))))",
])
def test_bad_intrinsic_calls(call):
    definition = machine(("P", {"Type": "Pass", "Parameters": {"v.$": call}, "End": True}))
    assert [d.rule for d in validate_document(definition)] == ["paths.intrinsic"]


def test_intrinsic_argument_types_are_warnings():
    definition = machine(("P", {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd(1, 'x')"}, "End": True}))
    assert warnings(definition) == [("INTRINSIC_ARGUMENT_TYPE", "/States/P/Parameters/v.$")]


def test_fail_paths_must_yield_strings():
    definition = machine(("F", {"Type": "Fail", "ErrorPath": "States.MathAdd(1, 2)", "CausePath": "$.c"}))
    assert errors(definition) == [("SCHEMA_VALIDATION_FAILED", "/States/F/ErrorPath")]


def test_aws_warnings():
    definition = machine(
        ("P", {"Type": "Pass", "Parameters": {"a": "$.looks.like.a.path", "b": "States.UUID()", "c": "$5 off"}, "Next": "R"}),
        ("R", {"Type": "Pass", "Result": {"x.$": "$.a"}, "Next": "F"}),
        ("F", {"Type": "Fail", "Error": "$.error"}),
    )
    assert warnings(definition) == [
        ("NO_DOLLAR", "/States/P/Parameters/a"), ("NO_DOLLAR", "/States/P/Parameters/b"),
        ("PASS_RESULT_IS_STATIC", "/States/R/Result/x.$"), ("NO_PATH", "/States/F/Error"),
    ]
    assert errors(definition) == []


# ------------------------------------------------------------------ choice rules


def test_choice_rules_report_every_problem():
    rule = {"And": [{"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1}, {"Variable": "$.b", "IsNull": True, "Next": "A"}],
            "Extra": 1, "Next": "A"}
    result = validate_document(machine(("C", {"Type": "Choice", "Choices": [rule]}), ("A", PASS_END)))
    assert sorted(d.message for d in result) == sorted([
        "Each Choice Rule can only have one comparison operator.", "Each Choice Rule can only have one comparison operator.",
        "Field 'Next' is not supported", "Field 'Extra' is not supported",
    ])


@pytest.mark.parametrize("rule", [
    {"Variable": "States.Array($.a)", "IsNull": True, "Next": "A"},
    {"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "A"},
    {"Variable": "$.a", "NumericEquals": "1", "Next": "A"},
    {"Variable": "$.a", "StringEqualsPath": "nope", "Next": "A"},
    {"Variable": "$.a", "IsNull": True},
    {"Or": [], "Next": "A"},
])
def test_bad_choice_rules(rule):
    assert has_errors(validate_document(machine(("C", {"Type": "Choice", "Choices": [rule], "Default": "A"}), ("A", PASS_END))))


def test_jsonata_choice_rules():
    rules = [{"Condition": "{% true %}", "Next": "A"}, {"Variable": "$.a", "IsNull": True, "Next": "A"}, {"Next": "A"}]
    definition = machine(("C", {"Type": "Choice", "Choices": rules}), ("A", PASS_END), QueryLanguage="JSONata")
    assert [d.rule for d in validate_document(definition)] == [
        "structure.required", "structure.field-query-language", "structure.field-query-language", "structure.required"]


def test_string_operator_with_a_path_is_a_no_path_warning():
    definition = machine(("C", {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEquals": "$.b", "Next": "A"}]}), ("A", PASS_END))
    assert warnings(definition) == [("NO_PATH", "/States/C/Choices/0/StringEquals")]


# ------------------------------------------------------------------ retry and catch


@pytest.mark.parametrize("retrier,field", [
    ({"ErrorEquals": []}, "ErrorEquals"), ({"ErrorEquals": ["A"], "MaxAttempts": -1}, "MaxAttempts"),
    ({"ErrorEquals": ["A"], "IntervalSeconds": 0}, "IntervalSeconds"), ({"ErrorEquals": ["A"], "BackoffRate": 0.5}, "BackoffRate"),
    ({"ErrorEquals": ["A"], "MaxDelaySeconds": 31622401}, "MaxDelaySeconds"), ({"ErrorEquals": ["A"], "JitterStrategy": "full"}, "JitterStrategy"),
    ({"ErrorEquals": ["States.ALL", "A"]}, "ErrorEquals"),
])
def test_retrier_values(retrier, field):
    definition = machine(("T", {"Type": "Task", "Resource": LAMBDA, "Retry": [retrier], "End": True}))
    assert errors(definition) == [("SCHEMA_VALIDATION_FAILED", f"/States/T/Retry/0/{field}")]


def test_states_all_must_be_last():
    definition = machine(("T", {"Type": "Task", "Resource": LAMBDA, "End": True,
                                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T"}, {"ErrorEquals": ["X"], "Next": "T"}]}))
    assert errors(definition) == [("SCHEMA_VALIDATION_FAILED", "/States/T/Catch/0/ErrorEquals")]


def test_catcher_fields_follow_the_query_language():
    definition = machine(("T", {"Type": "Task", "Resource": LAMBDA, "End": True,
                                "Catch": [{"ErrorEquals": ["X"], "Next": "T", "Output": {}, "Bogus": 1}]}))
    assert [d.rule for d in validate_document(definition)] == ["structure.field-query-language", "structure.unknown-field"]


# ------------------------------------------------------------------ map and parallel


def test_parallel_branches():
    assert errors(machine(("P", {"Type": "Parallel", "Branches": [], "End": True}))) == [("SCHEMA_VALIDATION_FAILED", "/States/P/Branches")]
    assert messages(machine(("P", {"Type": "Parallel", "Branches": [], "End": True}))) == ["Value cannot be empty"]
    branch = {"StartAt": "B", "States": {"B": PASS_END}, "QueryLanguage": "JSONata"}
    assert messages(machine(("P", {"Type": "Parallel", "Branches": [branch], "End": True}))) == ["Field 'QueryLanguage' is not supported"]


def map_state(**fields: Any) -> dict[str, Any]:
    return {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": PASS_END}}, "End": True, **fields}


@pytest.mark.parametrize("fields,rule", [
    ({"ToleratedFailurePercentage": 101}, "structure.value"),
    ({"ToleratedFailureCount": -1}, "structure.value"),
    ({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"}, "structure.exclusive"),
    ({"Parameters": {}, "ItemSelector": {}}, "structure.exclusive"),
    ({"Iterator": {"StartAt": "J", "States": {"J": PASS_END}}}, "structure.exclusive"),
    ({"MaxConcurrencyPath": "$.limits[*]"}, "paths.reference-path"),
    ({"Label": "a b"}, "map.label"), ({"Label": "x" * 41}, "map.label"),
    ({"ItemBatcher": {"BatchInput": {}}}, "structure.required"),
    ({"ResultWriter": {"WriterConfig": {"Transformation": "COMPACT"}}}, "structure.required"),
    ({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"MaxItems": 1, "MaxItemsPath": "$.m"}}}, "structure.exclusive"),
])
def test_map_fields(fields, rule):
    assert [d.rule for d in validate_document(machine(("M", map_state(**fields)))) if d.severity == "ERROR"] == [rule]


def test_map_processor_config():
    config = {"Mode": "DISTRIBUTED"}
    definition = machine(("M", map_state(ItemProcessor={"ProcessorConfig": config, "StartAt": "I", "States": {"I": PASS_END}})))
    assert messages(definition) == ["These fields are required: [ExecutionType]"]
    config = {"Mode": "INLINE", "ExecutionType": "EXPRESS"}
    definition = machine(("M", map_state(ItemProcessor={"ProcessorConfig": config, "StartAt": "I", "States": {"I": PASS_END}})))
    assert messages(definition) == ["Field 'ExecutionType' is not supported"]


def test_duplicate_labels():
    second = map_state(Label="L", ItemProcessor={"StartAt": "J", "States": {"J": PASS_END}})
    definition = machine(("A", map_state(Label="L", End=None, Next="B")), ("B", second))
    del definition["States"]["A"]["End"]
    assert errors(definition) == [("DUPLICATE_LABEL_NAME", "/States/B/Label")]


def test_missing_processor():
    assert messages(machine(("M", {"Type": "Map", "End": True}))) == ["These fields are required: [ItemProcessor]"]


# ------------------------------------------------------------------ resources


@pytest.mark.parametrize("resource,ok", [
    (LAMBDA, True), (LAMBDA + ":$LATEST", True), (LAMBDA + ":prod-1", True), (LAMBDA + ":", False), (LAMBDA + ":a*b", False),
    ("arn:aws:lambda:::function:name", True), ("arn:aws:states:::lambda:invoke", True), ("arn:aws-cn:states:::glue:startJobRun.sync", True),
    ("arn:aws:states:::nope", False), ("foo:bar", False), ("", False), ("arn:aws:swf:us-east-1:123456789012:task:X", True),
    ("${Arn}", True), ("${Arn", False),
])
def test_resource_arns(resource, ok):
    assert (errors(machine(("T", {"Type": "Task", "Resource": resource, "End": True}))) == []) is ok


def test_cloudformation_intrinsic_resource():
    definition = machine(("T", {"Type": "Task", "Resource": {"Fn::GetAtt": ["Fn", "Arn"]}, "End": True}))
    assert errors(definition) == [("SCHEMA_VALIDATION_FAILED", "/States/T/Resource")]
    assert errors(definition, template=True) == []


def test_placeholders_outside_the_substitutions_stay_literal():
    definition = machine(("T", {"Type": "Task", "Resource": "${Other}", "End": True}))
    assert errors(definition, substitutions=frozenset({"Arn"})) == [("SCHEMA_VALIDATION_FAILED", "/States/T/Resource")]
    assert errors(definition, substitutions=frozenset({"Other"})) == []


def test_express_machines_refuse_callbacks_in_aws_words():
    definition = machine(("T", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}))
    assert errors(definition) == []
    assert messages(definition, state_machine_type="EXPRESS") == ["Express state machine does not support '.waitForTaskToken' service integration"]


# ------------------------------------------------------------------ JSONata


@pytest.mark.parametrize("expression,code", [
    ("{% 10 %", "INVALID_JSONATA_EXPRESSION"), ("{% %}", "INVALID_JSONATA_EXPRESSION"), ("{% 10 + * 2 %}", "INVALID_JSONATA_EXPRESSION"),
    ("{% $sum($states.input.x %}", "INVALID_JSONATA_EXPRESSION"), ("{% $$ %}", "UNSUPPORTED_JSONATA_EXPRESSION"),
    ("{% $.total %}", "UNSUPPORTED_JSONATA_EXPRESSION"), ("{% total %}", "UNSUPPORTED_JSONATA_EXPRESSION"),
    ("{% $states.errorOutput %}", "UNSUPPORTED_JSONATA_EXPRESSION"),
])
def test_bad_jsonata(expression, code):
    definition = machine(("P", {"Type": "Pass", "Output": {"v": [expression]}, "End": True}), QueryLanguage="JSONata")
    assert errors(definition) == [(code, "/States/P/Output/v/0")]


@pytest.mark.parametrize("expression", ["{%10%}", "{% $states.input.a %}", "{% $x[$.a > 1] %}", "{% $count($states.input) %}", " {% not an expression"])
def test_good_jsonata(expression):
    definition = machine(("P", {"Type": "Pass", "Output": expression, "End": True}), QueryLanguage="JSONata")
    assert errors(definition) == []


def test_jsonata_is_not_read_in_names_and_jsonpath_states():
    definition = machine(("P", {"Type": "Pass", "Comment": "{% nope", "Next": "Q"}), ("Q", {"Type": "Pass", "Parameters": {"a": "{% nope"}, "End": True}))
    assert errors(definition) == []


# ------------------------------------------------------------------ robustness and speed


@pytest.mark.parametrize("definition", [
    None, "text", 3, {"StartAt": 1, "States": []}, {"StartAt": "A", "States": {"A": None}},
    {"StartAt": "A", "States": {"A": {"Type": "Map", "ItemProcessor": [], "ItemReader": 1, "ItemBatcher": [], "ResultWriter": "x", "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [None, {"And": {}}, {"Not": []}], "Default": 5}}},
    {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": 5, "Retry": {}, "Catch": [1], "End": "yes"}}},
    {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [None, {"States": 1}], "End": True}}},
])
def test_bad_input_never_crashes(definition):
    result = validate_document(definition)
    assert result and has_errors(result)
    assert not [d for d in result if d.code == "VALIDATOR_ERROR"]


def test_deep_nesting_is_refused_not_crashed():
    value: Any = 1
    for _ in range(5000):
        value = {"a": value}
    definition = machine(("P", {"Type": "Pass", "Result": value, "End": True}))
    assert [d.code for d in validate_document(definition)] == ["TOO_DEEPLY_NESTED"]


def test_public_api_validate_returns_diagnostics_with_places(tmp_path):
    path = tmp_path / "m.asl.json"
    line = '    "A": {"Type": "Pass", "Next": "B"},'
    path.write_text('{\n  "StartAt": "A",\n  "States": {\n' + line + '\n    "B": {"Type": "Succeed"}\n  }\n}\n')
    path.write_text(path.read_text().replace('"Next": "B"', '"Next": "C"'))
    diagnostic, unreachable = asl_engine.validate(str(path))
    assert (unreachable.path, unreachable.line) == ("/States/B", 5)
    column = line.index('"B"') + 1
    assert (diagnostic.code, diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.file) == (
        "MISSING_TRANSITION_TARGET", "/States/A/Next", 4, column, str(path))
    assert diagnostic.format() == f"{path}:4:{column}: ERROR MISSING_TRANSITION_TARGET /States/A/Next: Missing 'Next' target: C"
