"""JSONPath Choice rules: semantics pinned against AWS recordings and the ASL spec."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.dataflow.jsonpath import Env
from asl_engine.errors import StatesError
from asl_engine.definition.choice import OPERATORS, ChoiceRuleError, compile_rule


def ev(rule: dict[str, Any], data: Any, env: Env | None = None) -> bool:
    return compile_rule(rule)(data, env)


def var(op: str, operand: Any, value: Any) -> bool:
    """Evaluate ``{"Variable": "$.v", op: operand}`` on ``{"v": value}``."""
    return ev({"Variable": "$.v", op: operand}, {"v": value})


def var_path(op: str, left: Any, right: Any) -> bool:
    """Evaluate ``{"Variable": "$.l", op: "$.r"}`` on ``{"l": left, "r": right}``."""
    return ev({"Variable": "$.l", op: "$.r"}, {"l": left, "r": right})


def runtime_cause(rule: dict[str, Any], data: Any, env: Env | None = None) -> str | None:
    with pytest.raises(StatesError) as info:
        compile_rule(rule)(data, env)
    assert info.value.error == "States.Runtime"
    return info.value.cause


# The value set the recorded AWS cases (choice_operators_*) run every operator on.
VALUES: list[tuple[str, Any]] = [
    ("null", None),
    ("int0", 0),
    ("float0", 0.0),
    ("int1", 1),
    ("float1.1", 1.1),
    ("empty", ""),
    ("space", " "),
    ("word", "HelloWorld"),
    ("ts-no-offset", "2012-10-09T19:00:55"),
    ("ts-z", "2012-10-09T19:00:55Z"),
    ("ts-offset", "2012-10-09T19:00:55+01:00"),
    ("date", "2023-02-24"),
    ("empty-list", []),
    ("list", [""]),
    ("empty-obj", {}),
    ("obj", {"A": 0}),
    ("true", True),
    ("false", False),
]
IDS = [name for name, _ in VALUES]

EXPECTED_TYPE: dict[str, set[str]] = {
    "IsNull": {"null"},
    "IsNumeric": {"int0", "float0", "int1", "float1.1"},
    "IsString": {"empty", "space", "word", "ts-no-offset", "ts-z", "ts-offset", "date"},
    "IsBoolean": {"true", "false"},
    "IsTimestamp": {"ts-z", "ts-offset"},
    "IsPresent": set(IDS),
}


# ---------------------------------------------------------------- type tests


@pytest.mark.parametrize("op", sorted(EXPECTED_TYPE))
@pytest.mark.parametrize(("name", "value"), VALUES, ids=IDS)
def test_type_tests(op: str, name: str, value: Any) -> None:
    expected = name in EXPECTED_TYPE[op]
    assert var(op, True, value) is expected
    assert var(op, False, value) is (not expected)


def test_is_present_missing_is_false_not_error() -> None:
    assert ev({"Variable": "$.missing", "IsPresent": True}, {"v": 1}) is False
    assert ev({"Variable": "$.missing", "IsPresent": False}, {"v": 1}) is True
    assert ev({"Variable": "$.a.b.c", "IsPresent": True}, {"a": 1}) is False
    assert ev({"Variable": "$.a[3]", "IsPresent": True}, {"a": [1, 2]}) is False
    assert ev({"Variable": "$.a[1]", "IsPresent": True}, {"a": [1, None]}) is True
    assert ev({"Variable": "$", "IsPresent": True}, None) is True
    assert ev({"Variable": "$.v", "IsPresent": True}, "not an object") is False


def test_is_present_on_variables_and_context() -> None:
    env = Env(context={"Execution": {"Id": "x"}}, variables={"a": None})
    assert ev({"Variable": "$a", "IsPresent": True}, {}, env) is True
    assert ev({"Variable": "$b", "IsPresent": True}, {}, env) is False
    assert ev({"Variable": "$$.Execution.Id", "IsPresent": True}, {}, env) is True
    assert ev({"Variable": "$$.Execution.Nope", "IsPresent": True}, {}, env) is False


def test_is_numeric_big_and_negative() -> None:
    assert var("IsNumeric", True, 10**30) is True
    assert var("IsNumeric", True, -3.5e300) is True
    assert var("IsNumeric", True, "1") is False


def test_is_timestamp_strict() -> None:
    assert var("IsTimestamp", True, "2016-03-05T21:29:29.243167252Z") is True
    assert var("IsTimestamp", True, "2016-12-05 21:29:29Z") is False
    assert var("IsTimestamp", True, "2016-13-05T21:29:29Z") is False


# ------------------------------------------------------------------ boolean


@pytest.mark.parametrize(("name", "value"), VALUES, ids=IDS)
def test_boolean_equals_only_booleans(name: str, value: Any) -> None:
    assert var("BooleanEquals", True, value) is (value is True)
    assert var("BooleanEquals", False, value) is (value is False)
    assert var_path("BooleanEqualsPath", value, True) is (value is True)
    assert var_path("BooleanEqualsPath", value, False) is (value is False)


def test_boolean_equals_path_needs_boolean_on_both_sides() -> None:
    assert var_path("BooleanEqualsPath", True, 1) is False
    assert var_path("BooleanEqualsPath", 1, True) is False
    assert var_path("BooleanEqualsPath", False, 0) is False


# ------------------------------------------------------------------ numeric


@pytest.mark.parametrize(("name", "value"), VALUES, ids=IDS)
def test_numeric_equals_type_mismatch(name: str, value: Any) -> None:
    numeric = name in EXPECTED_TYPE["IsNumeric"]
    for operand in (0, 0.0, 1, 1.0):
        assert var("NumericEquals", operand, value) is (numeric and value == operand)
        assert var_path("NumericEqualsPath", value, operand) is (numeric and value == operand)


def test_booleans_are_not_numbers() -> None:
    assert var("NumericEquals", 1, True) is False
    assert var("NumericEquals", 0, False) is False
    assert var("NumericGreaterThan", 0, True) is False
    assert var("NumericLessThan", 1, False) is False
    assert var_path("NumericEqualsPath", True, 1) is False
    assert var_path("NumericEqualsPath", 1, True) is False


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("NumericEquals", 1, 1.0, True),
        ("NumericEquals", 0.0, 0, True),
        ("NumericEquals", 2.22, 2.22, True),
        ("NumericEquals", 1.1, 1, False),
        ("NumericLessThan", 0, 1, True),
        ("NumericLessThan", 1, 1, False),
        ("NumericLessThan", 0.0, 0, False),
        ("NumericGreaterThan", 1, 0, True),
        ("NumericGreaterThan", 1, 1, False),
        ("NumericLessThanEquals", 1, 1.0, True),
        ("NumericLessThanEquals", 1, 0, False),
        ("NumericGreaterThanEquals", 0.0, 0, True),
        ("NumericGreaterThanEquals", 0, 1, False),
        ("NumericLessThan", -1.5, -1, True),
        ("NumericGreaterThan", 1e308, 10**307, True),
    ],
)
def test_numeric_comparisons(op: str, left: Any, right: Any, expected: bool) -> None:
    assert var(op, right, left) is expected
    assert var_path(op + "Path", left, right) is expected


def test_numbers_compare_as_doubles() -> None:
    # 2**53 + 1 is not a double: it rounds to 2**53, as Java's (double) cast does.
    assert var("NumericEquals", 2**53, 2**53 + 1) is True
    assert var_path("NumericEqualsPath", 2**53 + 1, 2**53) is True
    assert var("NumericGreaterThan", 2**53, 2**53 + 1) is False
    assert var("NumericEquals", 9007199254740993, 9007199254740992.0) is True
    assert var("NumericEquals", 2**53 + 2, 2**53) is False
    # Integers too large for a double become infinities rather than failing.
    assert var("NumericGreaterThan", 1e308, 10**400) is True
    assert var("NumericLessThan", -1e308, -(10**400)) is True
    assert var_path("NumericEqualsPath", 10**400, float("inf")) is True


# ------------------------------------------------------------------ strings


@pytest.mark.parametrize(("name", "value"), VALUES, ids=IDS)
def test_string_equals_type_mismatch(name: str, value: Any) -> None:
    assert var("StringEquals", "HelloWorld", value) is (value == "HelloWorld")
    assert var("StringGreaterThanEquals", "", value) is isinstance(value, str)
    assert var_path("StringEqualsPath", value, "HelloWorld") is (value == "HelloWorld")


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        # From the recorded AWS cases.
        ("StringEquals", " ", "     ", False),
        ("StringEquals", "\t\n", "\t\r\n", False),
        ("StringEquals", "Hello", "Hello", True),
        ("StringGreaterThan", "", "", False),
        ("StringGreaterThan", "A", "A ", False),
        ("StringGreaterThan", "A", "A\t\n\r", False),
        ("StringGreaterThan", "AB", "ABC", False),
        ("StringGreaterThanEquals", "", "", True),
        ("StringGreaterThanEquals", "A", "AB", False),
        ("StringGreaterThanEquals", "AB", "A", True),
        ("StringLessThan", "", "", False),
        ("StringLessThan", "A", "AB", True),
        ("StringLessThan", "AB", "A", False),
        ("StringLessThanEquals", "", "", True),
        ("StringLessThanEquals", "A", "AB", True),
        ("StringLessThanEquals", "AB", "A", False),
        # No case folding: 'Z' (0x5A) < 'a' (0x61).
        ("StringLessThan", "Z", "a", True),
        ("StringEquals", "abc", "ABC", False),
        # No normalisation: precomposed e-acute vs e + combining acute.
        ("StringEquals", "\u00e9", "e\u0301", False),
        ("StringGreaterThan", "\u00e9", "e\u0301", True),
    ],
)
def test_string_comparisons(op: str, left: str, right: str, expected: bool) -> None:
    assert var(op, right, left) is expected
    assert var_path(op + "Path", left, right) is expected


def test_string_order_is_utf16_code_units() -> None:
    # Java compareTo: U+10000 is "\ud800\udc00", which sorts below U+FFFF;
    # Python's code point order would say the opposite.
    astral, bmp_high = "\U00010000", "\uffff"
    assert var("StringLessThan", bmp_high, astral) is True
    assert var("StringGreaterThan", astral, bmp_high) is True
    assert var("StringLessThanEquals", bmp_high, "x" + astral) is True  # 'x' < U+FFFF at index 0
    assert var_path("StringLessThanPath", "a" + astral, "a" + bmp_high) is True
    assert var_path("StringGreaterThanEqualsPath", "\ue000", "\U0001f600") is True
    assert var_path("StringLessThanPath", "\ue000", "\U0001f600") is False
    # Below the surrogate range both orders agree.
    assert var_path("StringLessThanPath", "\u00e9", "\U0001f600") is True
    # ASCII operand: plain order is Java's order.
    assert var("StringLessThan", "b", "a" + astral) is True
    assert var("StringGreaterThan", "a", "a" + astral) is True


def test_timestamps_are_just_strings_to_string_operators() -> None:
    assert var("StringEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z") is True
    assert var("StringEquals", "2012-10-09T20:00:55+01:00", "2012-10-09T19:00:55Z") is False


# ------------------------------------------------------------ StringMatches


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("foo*.log", "foo23.log", True),
        ("*.log", "zebra.log", True),
        ("foo*.*", "foobar.zebra", True),
        ("foo*", "foobar", True),
        ("foo*", "foo", True),
        ("foo*", "fo", False),
        ("*", "", True),
        ("*", "anything\nwith newline", True),
        ("", "", True),
        ("", "x", False),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("a*a", "a", False),  # the two literal pieces cannot overlap
        ("a*a", "aa", True),
        ("**", "x", True),
        ("*x*", "yyxyy", True),
        ("*x*", "yyyy", False),
        # Only "*" is special: no fnmatch "?", "[...]", no regex.
        ("?", "a", False),
        ("?", "?", True),
        ("[ab]", "a", False),
        ("[ab]", "[ab]", True),
        ("a.c", "abc", False),
        ("a.c", "a.c", True),
        ("(x)+", "(x)+", True),
        # Escapes: \* is a literal star, \\ a literal backslash.
        ("\\*", "*", True),
        ("\\*", "x", False),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("\\\\", "\\", True),
        ("\\\\*", "\\abc", True),
        ("\\\\\\*", "\\*", True),
        ("*\\*", "stars*", True),
        ("*\\*", "stars", False),
    ],
)
def test_string_matches(pattern: str, value: str, expected: bool) -> None:
    assert var("StringMatches", pattern, value) is expected


@pytest.mark.parametrize(("name", "value"), VALUES, ids=IDS)
def test_string_matches_non_strings_false(name: str, value: Any) -> None:
    assert var("StringMatches", "*", value) is isinstance(value, str)


@pytest.mark.parametrize("pattern", ["a\\", "\\", "a\\b", "\\?"])
def test_string_matches_open_escape_is_runtime_error(pattern: str) -> None:
    rule = {"Variable": "$.v", "StringMatches": pattern}
    predicate = compile_rule(rule)  # compiles: the spec makes it a runtime error
    assert runtime_cause(rule, {"v": "a"}) == "The StringMatches pattern contains an open escape '\\'."
    assert predicate({"v": 1}, None) is False


# --------------------------------------------------------------- timestamps


@pytest.mark.parametrize(("name", "value"), VALUES, ids=IDS)
def test_timestamp_equals_type_mismatch(name: str, value: Any) -> None:
    # Recorded: only a valid timestamp string can equal a timestamp.
    expected = name in {"ts-z", "ts-offset"} and value == "2012-10-09T19:00:55Z"
    assert var("TimestampEquals", "2012-10-09T19:00:55Z", value) is expected


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", False),
        ("TimestampEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", False),
        ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", False),
        ("TimestampGreaterThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", True),
        ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", False),
        ("TimestampLessThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),
        ("TimestampLessThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", False),
        ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
        ("TimestampLessThanEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", False),
        # Instants, not text: the offset is applied.
        ("TimestampEquals", "2012-10-09T20:00:55+01:00", "2012-10-09T19:00:55Z", True),
        ("TimestampLessThan", "2012-10-09T19:30:00+01:00", "2012-10-09T19:00:00Z", True),
        # Fractions, to the nanosecond.
        ("TimestampLessThan", "2012-10-09T19:00:55.000000001Z", "2012-10-09T19:00:55.000000002Z", True),
        ("TimestampEquals", "2012-10-09T19:00:55.5Z", "2012-10-09T19:00:55.500Z", True),
        ("TimestampEquals", "2012-10-09T19:00Z", "2012-10-09T19:00:00Z", True),
    ],
)
def test_timestamp_comparisons(op: str, left: str, right: str, expected: bool) -> None:
    assert var(op, right, left) is expected
    assert var_path(op + "Path", left, right) is expected


def test_timestamp_invalid_runtime_values_are_false() -> None:
    assert var("TimestampLessThan", "2030-01-01T00:00:00Z", "2023-02-24 12:15:56.832957") is False
    assert var("TimestampLessThan", "2030-01-01T00:00:00Z", "2012-10-09T19:00:55") is False
    assert var_path("TimestampEqualsPath", "2012-10-09T19:00:55Z", "not a date") is False
    assert var_path("TimestampEqualsPath", "not a date", "not a date") is False
    assert var_path("TimestampEqualsPath", 5, 5) is False


# ----------------------------------------------------------- missing paths


@pytest.mark.parametrize(
    ("op", "operand"),
    [(name, None) for name in sorted(OPERATORS) if name != "IsPresent"],
)
def test_missing_variable_is_runtime_error(op: str, operand: Any) -> None:
    if op.endswith("Path"):
        operand = "$.other"
    elif op.startswith("Is"):
        operand = True
    elif op.startswith("String"):
        operand = "x"
    elif op.startswith("Numeric"):
        operand = 1
    elif op.startswith("Boolean"):
        operand = True
    else:
        operand = "2012-10-09T19:00:55Z"
    rule = {"Variable": "$.missing", op: operand}
    assert runtime_cause(rule, {"other": 1}) == (
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    )


def test_missing_comparison_path_is_runtime_error() -> None:
    rule = {"Variable": "$.l", "NumericLessThanEqualsPath": "$.right"}
    assert runtime_cause(rule, {"l": 8}) == (
        "Invalid path '$.right': The choice state's condition path references an invalid value."
    )
    # Even when the Variable's value is of the wrong type.
    rule = {"Variable": "$.l", "StringEqualsPath": "$.right"}
    assert runtime_cause(rule, {"l": 8}) == (
        "Invalid path '$.right': The choice state's condition path references an invalid value."
    )
    # The Variable is resolved first.
    rule = {"Variable": "$.nope", "StringEqualsPath": "$.right"}
    assert runtime_cause(rule, {}) == (
        "Invalid path '$.nope': The choice state's condition path references an invalid value."
    )


def test_missing_path_message_keeps_the_text_as_written() -> None:
    for text in ("$.a.b", "$['a']['b']", "$.a[2]", "$.x.y.z"):
        rule = {"Variable": text, "IsNull": True}
        assert runtime_cause(rule, {"a": {"c": 1}}) == (
            f"Invalid path '{text}': The choice state's condition path references an invalid value."
        )


def test_missing_variable_reference() -> None:
    env = Env(context={}, variables={"x": 1})
    assert runtime_cause({"Variable": "$undefined", "StringEquals": "v"}, {}, env) == (
        "Invalid path '$undefined': The choice state's condition path references an invalid value."
    )


def test_present_null_is_a_value() -> None:
    assert var("IsNull", True, None) is True
    assert var("StringEquals", "x", None) is False
    assert var("NumericEquals", 0, None) is False


def test_indefinite_paths_yield_lists() -> None:
    data = {"items": [{"n": 1}, {"n": 2}]}
    assert ev({"Variable": "$.items[*].n", "IsNumeric": True}, data) is False
    assert ev({"Variable": "$.items[*].n", "IsPresent": True}, data) is True
    assert ev({"Variable": "$.items[*].zz", "IsPresent": True}, data) is False
    assert ev({"Variable": "$.items[0].n", "NumericEquals": 1}, data) is True
    assert ev({"Variable": "$.items[-1].n", "NumericEquals": 2}, data) is True


def test_context_and_variables() -> None:
    env = Env(context={"Execution": {"Name": "run-1"}}, variables={"guess": 7, "answer": 7, "name": "run-1"})
    assert ev({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}, env) is True
    assert ev({"Variable": "$guess", "NumericEqualsPath": "$answer"}, {}, env) is True
    assert ev({"Variable": "$name", "StringEqualsPath": "$$.Execution.Name"}, {}, env) is True
    assert ev({"Variable": "$.v", "NumericEqualsPath": "$guess"}, {"v": 7}, env) is True


def test_root_variable() -> None:
    assert ev({"Variable": "$", "NumericEquals": 3}, 3) is True
    assert ev({"Variable": "$", "IsNumeric": True}, "3") is False


# --------------------------------------------------------- boolean operators


def test_and_or_not() -> None:
    data = {"type": "Private", "value": 22}
    rule_and = {
        "And": [
            {"Variable": "$.value", "IsPresent": True},
            {"Variable": "$.value", "IsNumeric": True},
            {"Variable": "$.value", "NumericGreaterThanEquals": 20},
            {"Variable": "$.value", "NumericLessThan": 30},
        ]
    }
    assert ev(rule_and, data) is True
    assert ev(rule_and, {"value": 30}) is False
    assert ev(rule_and, {}) is False  # IsPresent false stops before NumericGreaterThanEquals
    assert ev({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, data) is False
    assert ev({"Not": {"Variable": "$.type", "StringEquals": "Public"}}, data) is True
    rule_or = {"Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.b", "IsNull": True}]}
    assert ev(rule_or, {"a": None}) is True  # $.b never read
    assert ev(rule_or, {"a": 1, "b": None}) is True
    assert ev(rule_or, {"a": 1, "b": 2}) is False
    assert ev({"And": [{"Variable": "$.a", "IsNull": True}]}, {"a": None}) is True
    assert ev({"Or": [{"Variable": "$.a", "IsNull": True}]}, {"a": 1}) is False


def test_short_circuit_skips_failing_rules() -> None:
    boom = {"Variable": "$.missing", "StringEquals": "x"}
    yes = {"Variable": "$.a", "IsPresent": True}
    no = {"Variable": "$.z", "IsPresent": True}
    data = {"a": 1}
    assert ev({"And": [no, boom]}, data) is False
    assert ev({"And": [no, yes, boom]}, data) is False
    assert ev({"Or": [yes, boom]}, data) is True
    assert ev({"Or": [no, yes, boom]}, data) is True
    with pytest.raises(StatesError):
        ev({"And": [yes, boom]}, data)
    with pytest.raises(StatesError):
        ev({"Or": [no, no, boom]}, data)
    with pytest.raises(StatesError):
        ev({"Not": boom}, data)


def test_nested_boolean_operators() -> None:
    # scenarios_*map_state_break_condition: And inside And.
    rule = {
        "And": [
            {"IsPresent": True, "Variable": "$"},
            {"And": [{"IsNumeric": True, "Variable": "$"}, {"NumericEquals": 3, "Variable": "$"}]},
        ],
        "Next": "Break",
    }
    assert ev(rule, 3) is True
    assert ev(rule, 2) is False
    assert ev(rule, "3") is False
    deep = {"Not": {"Or": [{"Not": {"Variable": "$.x", "BooleanEquals": True}}, {"Variable": "$.y", "IsNull": True}]}}
    assert ev(deep, {"x": True, "y": 1}) is True
    assert ev(deep, {"x": False, "y": 1}) is False


def test_top_level_fields_ignored() -> None:
    rule = {
        "Variable": "$.v",
        "StringEquals": "a",
        "Next": "X",
        "Assign": {"k": 1},
        "Comment": "c",
    }
    assert ev(rule, {"v": "a"}) is True
    nested = {"And": [{"Variable": "$.v", "StringEquals": "a", "Comment": "inner"}], "Next": "X", "Comment": "c"}
    assert ev(nested, {"v": "a"}) is True


# ----------------------------------------------------------- compile errors


@pytest.mark.parametrize(
    "rule",
    [
        "not a rule",
        {},
        {"Next": "X"},
        {"Variable": "$.v"},
        {"Variable": "$.v", "Next": "X"},
        {"Variable": "$.v", "StringEquals": "a", "NumericEquals": 1},
        {"Variable": "$.v", "StringEquals": "a", "IsPresent": True},
        {"Variable": "$.v", "StringEqual": "a"},  # unknown operator
        {"Variable": "$.v", "StringEquals": "a", "Bogus": 1},
        {"StringEquals": "a"},  # no Variable
        {"Variable": 5, "StringEquals": "a"},
        {"Variable": "v", "StringEquals": "a"},  # not a path
        {"Variable": "$.v[", "StringEquals": "a"},
        {"Variable": "$.v", "StringEquals": 1},
        {"Variable": "$.v", "StringEquals": None},
        {"Variable": "$.v", "StringLessThan": ["a"]},
        {"Variable": "$.v", "StringMatches": 1},
        {"Variable": "$.v", "NumericEquals": "1"},
        {"Variable": "$.v", "NumericEquals": True},  # a boolean is not a number
        {"Variable": "$.v", "NumericLessThan": None},
        {"Variable": "$.v", "BooleanEquals": "true"},
        {"Variable": "$.v", "BooleanEquals": 1},
        {"Variable": "$.v", "TimestampEquals": "2012-10-09 19:00:55Z"},
        {"Variable": "$.v", "TimestampLessThan": "2016-13-05T21:29:29Z"},
        {"Variable": "$.v", "TimestampGreaterThan": 1349809255},
        {"Variable": "$.v", "IsNull": "true"},
        {"Variable": "$.v", "IsPresent": 1},
        {"Variable": "$.v", "IsTimestamp": None},
        {"Variable": "$.v", "StringEqualsPath": "v"},
        {"Variable": "$.v", "NumericEqualsPath": 1},
        {"Variable": "$.v", "TimestampEqualsPath": "$.a["},
        {"And": []},
        {"Or": []},
        {"And": {"Variable": "$.v", "IsNull": True}},
        {"Not": [{"Variable": "$.v", "IsNull": True}]},
        {"Not": "x"},
        {"And": [{"Variable": "$.v", "IsNull": True}], "Or": [{"Variable": "$.v", "IsNull": True}]},
        {"And": [{"Variable": "$.v", "IsNull": True}], "Variable": "$.v"},
        {"And": [{"Variable": "$.v", "IsNull": True}], "IsNull": True},
        {"And": [{"Variable": "$.v", "IsNull": True, "Next": "X"}]},  # nested Next
        {"Not": {"Variable": "$.v", "IsNull": True, "Assign": {}}},  # nested Assign
        {"And": [{"Variable": "$.v"}]},  # nested rule without operator
        {"Or": ["x"]},
    ],
)
def test_invalid_rules(rule: Any) -> None:
    with pytest.raises(ChoiceRuleError):
        compile_rule(rule)


def test_multiple_operators_message() -> None:
    with pytest.raises(ChoiceRuleError, match="Each Choice Rule can only have one comparison operator"):
        compile_rule({"Variable": "$.v", "StringEquals": "a", "NumericEquals": 1})


def test_operator_table_is_complete() -> None:
    names = {
        f"{kind}{cmp}{suffix}"
        for kind in ("String", "Numeric", "Timestamp")
        for cmp in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
        for suffix in ("", "Path")
    }
    names |= {"BooleanEquals", "BooleanEqualsPath", "StringMatches"}
    names |= {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
    assert set(OPERATORS) == names
    assert len(OPERATORS) == 39


def test_predicates_are_reusable_and_pure() -> None:
    predicate = compile_rule({"Variable": "$.v", "NumericGreaterThan": 1})
    data = {"v": 2}
    assert [predicate(data, None) for _ in range(3)] == [True, True, True]
    assert predicate({"v": 1}, None) is False
    assert data == {"v": 2}


def test_env_none_for_context_paths() -> None:
    # Without an env the context object is empty.
    assert ev({"Variable": "$$.Execution.Id", "IsPresent": True}, {}) is False
