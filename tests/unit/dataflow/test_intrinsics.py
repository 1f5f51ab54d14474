"""Unit tests of ``asl_engine.dataflow.intrinsics``.

Expected values come from executions recorded against AWS (the LocalStack
conformance snapshots under /work/shared/conformance) where one exists, from
the JVM itself for the Java-compatibility helpers (values printed by
OpenJDK 17), and otherwise from the behaviour documented in the modules.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from asl_engine.dataflow.intrinsics import (
    MAX_NESTING,
    Intrinsic,
    IntrinsicSyntaxError,
    compile_intrinsic,
    function_names,
    is_intrinsic,
    lookup,
)
from asl_engine.dataflow.intrinsics.javacompat import (
    JavaRandom,
    hashmap_order,
    jackson_json,
    java_double_str,
    java_round,
    java_string_hash,
    java_text,
    java_trunc_int,
    lenient_b64decode,
    utf16_len,
)
from asl_engine.dataflow.jsonpath import Env
from asl_engine.errors import StatesError


def ev(text: str, data: Any = None, env: Env | None = None, **kw: Any) -> Any:
    return compile_intrinsic(text).evaluate({} if data is None else data, env, **kw)


def fails(text: str, data: Any = None, env: Env | None = None) -> str:
    """Evaluate expecting a failure; return the cause (error is always States.Runtime)."""
    with pytest.raises(StatesError) as info:
        ev(text, data, env)
    assert info.value.error == "States.Runtime"
    assert info.value.cause is not None
    return info.value.cause


def invalid(text: str, function: str, data: Any = None) -> None:
    assert fails(text, data) == (
        f"The function '{text}' had the following error: Invalid arguments in {function}"
    )


def syntax_error(text: str) -> str:
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic(text)
    return info.value.reason


# ============================================================== public interface


def test_all_eighteen_functions_are_registered() -> None:
    assert function_names() == [
        "States.Array",
        "States.ArrayContains",
        "States.ArrayGetItem",
        "States.ArrayLength",
        "States.ArrayPartition",
        "States.ArrayRange",
        "States.ArrayUnique",
        "States.Base64Decode",
        "States.Base64Encode",
        "States.Format",
        "States.Hash",
        "States.JsonMerge",
        "States.JsonToString",
        "States.MathAdd",
        "States.MathRandom",
        "States.StringSplit",
        "States.StringToJson",
        "States.UUID",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('x')", True),
        ("  States.Array()  ", True),
        ("States.Array(\n1)", True),
        ("States.Xyz($.a)", True),  # looks like one; compile_intrinsic rejects it
        ("$.a", False),
        ("States.Array", False),
        ("Format('x')", False),
        ("{% $x %}", False),
        ("", False),
    ],
)
def test_is_intrinsic(text: str, expected: bool) -> None:
    assert is_intrinsic(text) is expected


def test_is_intrinsic_rejects_non_strings() -> None:
    assert is_intrinsic(None) is False
    assert is_intrinsic(12) is False


def test_compiled_intrinsic_exposes_its_shape() -> None:
    intrinsic = compile_intrinsic("States.Format('{} {}', $.a, States.ArrayGetItem($$.Execution.Input.b, 0))")
    assert isinstance(intrinsic, Intrinsic)
    assert intrinsic.text == "States.Format('{} {}', $.a, States.ArrayGetItem($$.Execution.Input.b, 0))"
    assert intrinsic.function == "States.Format"
    assert intrinsic.returns == frozenset({"string"})
    assert intrinsic.paths == ("$.a", "$$.Execution.Input.b")
    assert intrinsic.diagnostics == ()
    assert repr(intrinsic) == (
        "Intrinsic(\"States.Format('{} {}', $.a, States.ArrayGetItem($$.Execution.Input.b, 0))\")"
    )


def test_registry_signatures() -> None:
    spec = lookup("States.MathRandom")
    assert spec is not None
    assert (spec.min_args, spec.max_args) == (2, 3)
    fmt = lookup("States.Format")
    assert fmt is not None
    assert (fmt.min_args, fmt.max_args) == (1, None)
    assert lookup("States.Nope") is None


def test_compiled_intrinsic_is_reusable() -> None:
    intrinsic = compile_intrinsic("States.MathAdd($.a, 1)")
    assert intrinsic.evaluate({"a": 1}, None) == 2
    assert intrinsic.evaluate({"a": 41}, None) == 42


# ============================================================== parser


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array()", []),
        ("States.Array( )", []),
        ("States.Array(1,2)", [1, 2]),
        ("States.Array( 1 ,\t2 ,\n3 )", [1, 2, 3]),
        ("States.Array(-1, 0, 1.5, -2.25, 1e2, 2E-1)", [-1, 0, 1.5, -2.25, 100.0, 0.2]),
        ("States.Array(null, true, false)", [None, True, False]),
        ("States.Array('a', '', ' ')", ["a", "", " "]),
        ("States.Array('it\\'s', '\\{\\}', 'back\\\\slash')", ["it's", "{}", "back\\slash"]),
        ("States.Array('say \"hi\"')", ['say "hi"']),
        ("States.Array('a,b)', 'c')", ["a,b)", "c"]),
        ("States.Array('one\ntwo')", ["one\ntwo"]),
        ("States.Array(States.Array(1), States.Array())", [[1], []]),
        ("States.Array(1)   ", [1]),  # trailing whitespace is accepted (AWS language service)
    ],
)
def test_literals_and_structure(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_number_literals_keep_int_and_float_apart() -> None:
    result = ev("States.Array(1, 1.0)")
    assert result == [1, 1.0]
    assert type(result[0]) is int
    assert type(result[1]) is float


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (" States.Array(1)", "leading whitespace is not allowed before 'States.'"),
        ("States.Xyz($.result)", None),
        ("States.JsonToString($", "missing ')' to close States.JsonToString("),
        ("States.StringToJson $.escaped)", "expected '(' right after 'States.StringToJson'"),
        ("States. ", "expected '(' right after 'States.'"),
        ("States.Array(1) trailing", "unexpected text after the closing ')': 'trailing'"),
        ("States.Array(1,)", "missing argument"),
        ("States.Array(,1)", "missing argument"),
        ("States.Array(1 2)", "expected ',' or ')' but found '2'"),
        ("States.Array('abc)", "unterminated string literal"),
        (
            "States.StringToJson('{\\\"a\\\":1}')",
            "invalid escape sequence '\\\\\"' in a string literal (only \\' \\{ \\} and \\\\ are allowed)",
        ),
        (
            "States.Base64Decode('YWJj\\nZA==')",
            "invalid escape sequence '\\\\n' in a string literal (only \\' \\{ \\} and \\\\ are allowed)",
        ),
        ("States.Array(1.)", "invalid number literal"),
        ("States.Array(.5)", "unexpected '.': an argument is a 'string', a number, null, true, false, "
         "a path starting with '$', or a nested States.* call"),
        ("States.Array(01)", "invalid number literal"),
        ("States.Array([1,2])", "unexpected '[': an argument is a 'string', a number, null, true, false, "
         "a path starting with '$', or a nested States.* call"),
        ("States.Array(nullx)", "unexpected 'n': an argument is a 'string', a number, null, true, false, "
         "a path starting with '$', or a nested States.* call"),
        ("States.Array($.a[0)", "unclosed '[' in path argument"),
        ("States.Array(", "unexpected end of text; missing ')'"),
        ("States.ArrayLength()", "States.ArrayLength takes exactly 1 argument, 0 given"),
        ("States.ArrayGetItem($.arr, 1, 999)", "States.ArrayGetItem takes exactly 2 arguments, 3 given"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, 1 given"),
        ("States.MathRandom(1, 10, 5, 99)", "States.MathRandom takes 2 to 3 arguments, 4 given"),
        ("States.Format()", "States.Format takes at least 1 argument, 0 given"),
        ("States.UUID(1)", "States.UUID takes exactly 0 arguments, 1 given"),
        ("States.JsonMerge($.a, $.b)", "States.JsonMerge takes exactly 3 arguments, 2 given"),
    ],
)
def test_syntax_errors(text: str, reason: str | None) -> None:
    got = syntax_error(text)
    if reason is None:
        assert got.startswith("unknown intrinsic function 'States.Xyz' (known: States.Array, ")
    else:
        assert got == reason


def test_syntax_error_message_and_position() -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic("States.Array(1 2)")
    assert info.value.position == 15
    assert info.value.text == "States.Array(1 2)"
    assert str(info.value) == (
        "invalid intrinsic function call 'States.Array(1 2)' at position 15: "
        "expected ',' or ')' but found '2'"
    )
    assert isinstance(info.value, ValueError)


def test_nesting_limit() -> None:
    def nested(depth: int) -> str:
        return "States.Array(" * depth + "1" + ")" * depth

    assert MAX_NESTING == 10
    value: Any = ev(nested(10))
    for _ in range(10):
        assert isinstance(value, list)
        value = value[0]
    assert value == 1
    assert syntax_error(nested(11)) == "intrinsic functions can be nested at most 10 deep"


def test_path_arguments_with_brackets_filters_and_spaces() -> None:
    data = {"a b": 1, "list": [{"k": "x", "v": 10}, {"k": "y", "v": 20}], "c": {"d,e": 2}}
    assert ev("States.Array($['a b'], $.c['d,e'], $.list[1].v)", data) == [1, 2, 20]
    assert ev("States.Array($.['a b'])", data) == [1]
    assert ev("States.ArrayLength($.list[*].k)", data) == 2
    assert ev("States.ArrayGetItem($.list[?(@.k == 'y')].v, 0)", data) == 20
    assert ev("States.JsonToString($)", {"x": 1}) == '{"x":1}'


def test_invalid_path_argument() -> None:
    assert syntax_error("States.Array($.a..)").startswith("invalid path argument '$.a..'")


# ============================================================== static diagnostics


def test_literal_type_mismatch_is_a_diagnostic_not_an_error() -> None:
    intrinsic = compile_intrinsic("States.MathAdd(1,'-1')")
    assert intrinsic.diagnostics == (
        "States.MathAdd: argument 2 ('-1') is a string, expected a number; "
        "AWS fails the execution with 'Invalid arguments in States.MathAdd'",
    )
    invalid("States.MathAdd(1,'-1')", "States.MathAdd")


def test_nested_call_return_type_mismatch_is_a_diagnostic() -> None:
    intrinsic = compile_intrinsic("States.ArrayLength(States.Format('x'))")
    assert intrinsic.diagnostics == (
        "States.ArrayLength: argument 1 (States.Format('x')) is a string, expected an array; "
        "AWS fails the execution with 'Invalid arguments in States.ArrayLength'",
    )


def test_format_template_diagnostics() -> None:
    assert compile_intrinsic("States.Format('{} {}', $.a)").diagnostics == (
        "States.Format: the template has 2 placeholder(s) but 1 argument(s) follow it; "
        "AWS fails the execution",
    )
    assert compile_intrinsic("States.Format('Hello {', $.a)").diagnostics == (
        "States.Format: Invalid template in States.Format: matching '}' not found for '{'.",
    )
    assert compile_intrinsic("States.Format('\\{} {}', $.a)").diagnostics == (
        "States.Format: Invalid template in States.Format: matching '{' not found for '}'.",
    )
    assert compile_intrinsic("States.Format($.t, $.a, $.b)").diagnostics == ()


def test_strict_mode_turns_diagnostics_into_errors() -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic("States.ArrayPartition($.arr, null)", strict=True)
    assert info.value.reason == (
        "States.ArrayPartition: argument 2 (null) is a null, expected a number; "
        "AWS fails the execution with 'Invalid arguments in States.ArrayPartition'"
    )
    assert compile_intrinsic("States.ArrayPartition($.arr, 2)", strict=True).diagnostics == ()


# ============================================================== path resolution and failures


def test_path_roots() -> None:
    env = Env(context={"Execution": {"Name": "exec-1"}}, variables={"count": 3, "obj": {"x": "y"}})
    assert ev("States.Array($.a, $$.Execution.Name, $count, $obj.x)", {"a": 1}, env) == [1, "exec-1", 3, "y"]


def test_missing_path_cause_matches_aws() -> None:
    assert fails("States.Format('{}', $.nope)", {"other": 1}) == (
        "The function 'States.Format('{}', $.nope)' had the following error: "
        "The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'"
    )


def test_missing_path_cause_quotes_the_whole_expression_as_written() -> None:
    assert fails("States.Format('{}', States.Format('{}',$.nope))", {"other": 1}) == (
        "The function 'States.Format('{}', States.Format('{}',$.nope))' had the following error: "
        "The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'"
    )


def test_missing_later_argument_is_named() -> None:
    assert fails("States.Format('{} {}', $.other, $.a.b)", {"other": 1}) == (
        "The function 'States.Format('{} {}', $.other, $.a.b)' had the following error: "
        "The JsonPath argument for the field '$.a.b' could not be found in the input '{\"other\":1}'"
    )


def test_index_past_the_end_is_a_miss() -> None:
    assert fails("States.Format('{}', $.items[5])", {"items": [1, 2]}) == (
        "The function 'States.Format('{}', $.items[5])' had the following error: "
        "The JsonPath argument for the field '$.items[5]' could not be found in the input '{\"items\":[1,2]}'"
    )


def test_missing_context_path_is_shown_relative_to_dollar_with_the_state_input() -> None:
    env = Env(context={"State": {"Name": "P"}})
    assert fails("States.Format('{}', $$.Nope.Deep)", {"other": 1}, env) == (
        "The function 'States.Format('{}', $$.Nope.Deep)' had the following error: "
        "The JsonPath argument for the field '$.Nope.Deep' could not be found in the input '{\"other\":1}'"
    )


def test_missing_variable() -> None:
    assert fails("States.Array($nope)", {}, Env(context={}, variables={})) == (
        "The function 'States.Array($nope)' had the following error: "
        "The JsonPath argument for the field '$nope' could not be found in the input '{}'"
    )


def test_explicit_null_is_not_a_miss() -> None:
    assert ev("States.Format('{}', $.nul)", {"nul": None}) == "null"


def test_wildcard_matching_nothing_is_an_empty_array() -> None:
    assert ev("States.ArrayLength($.items[*].nope)", {"items": [1, 2]}) == 0


# ============================================================== States.Format


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Recorded against AWS (intrinsic_functions test_format_1/2).
        ("", "Formatting argument ."),
        (" ", "Formatting argument  ."),
        ("HelloWorld", "Formatting argument HelloWorld."),
        (None, "Formatting argument null."),
        (1, "Formatting argument 1."),
        (1.1, "Formatting argument 1.1."),
        ('{"Arg1": 1, "Arg2": []}', 'Formatting argument {"Arg1": 1, "Arg2": []}.'),
        ({"Arg1": 1, "Arg2": []}, "Formatting argument {Arg1=1, Arg2=[]}."),
        # Java rendering of other values.
        (True, "Formatting argument true."),
        (1e20, "Formatting argument 1.0E20."),
        (1.0, "Formatting argument 1.0."),
        ([1, "a", None, [True]], "Formatting argument [1, a, null, [true]]."),
        ({"n": None, "s": "str", "o": {"x": 2.5}}, "Formatting argument {n=null, s=str, o={x=2.5}}."),
    ],
)
def test_format_renders_values_like_aws(value: Any, expected: str) -> None:
    assert ev("States.Format('Formatting argument {}.', $.v)", {"v": value}) == expected


def test_format_context_object_like_aws() -> None:
    # Recorded: States.Format('... fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)
    env = Env(context={"Execution": {"Name": "exec"}, "StateMachine": {"Id": "arn:sm", "Name": "sm"}})
    assert ev("States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
              {}, env) == "Formatting arguments fst=exec and snd={Id=arn:sm, Name=sm}."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('no placeholders')", "no placeholders"),
        ("States.Format('')", ""),
        ("States.Format('  {}  ', 'x')", "  x  "),
        ("States.Format('{}{}', 'a', 'b')", "ab"),
        ("States.Format('Welcome to {} {}\\'s playlist.', 'Jane', 'Doe')", "Welcome to Jane Doe's playlist."),
        ("States.Format('This value is \\{{}\\}', 'Foo')", "This value is {Foo}"),
        ("States.Format('\\{\\}')", "{}"),
        ("States.Format('{} - \\'\\{\\}\\\\', 'Foo')", "Foo - '{}\\"),
        ("States.Format('{}', '\\{x\\}')", "{x}"),
        ("States.Format('Name: \\'{}\\', Surname: \"{}\"', 'Gabriel', 'Moreira')",
         "Name: 'Gabriel', Surname: \"Moreira\""),
        ("States.Format('{}|{}|{}|{}|{}', null, false, -1, 3.5, 9007199254740991)",
         "null|false|-1|3.5|9007199254740991"),
        ("States.Format('arn:{}:{}', 'lambda', States.JsonToString(States.StringToJson('{\"k\":1}')))",
         'arn:lambda:{"k":1}'),
    ],
)
def test_format_templates(text: str, expected: str) -> None:
    assert ev(text) == expected


def test_format_template_from_path_uses_the_same_escapes() -> None:
    assert ev("States.Format($.t, 'Foo')", {"t": "This value is \\{{}\\}"}) == "This value is {Foo}"
    assert ev("States.Format($.t, 1)", {"t": "n={}"}) == "n=1"
    # A backslash before an ordinary character is kept.
    assert ev("States.Format($.t, 1)", {"t": "C:\\dir {}"}) == "C:\\dir 1"


def test_format_argument_count_mismatch() -> None:
    cause = (
        "had the following error: Invalid arguments in States.Format: "
        "number of arguments do not match the occurrences of {}."
    )
    assert fails("States.Format('{} {}', $.a)", {"a": "x"}) == f"The function 'States.Format('{{}} {{}}', $.a)' {cause}"
    assert fails("States.Format('{}', 'a', 'b')") == f"The function 'States.Format('{{}}', 'a', 'b')' {cause}"
    # A non-string template is printed first: 123 has no placeholder for the one argument.
    assert fails("States.Format($.t, 'Ada')", {"t": 123}) == f"The function 'States.Format($.t, 'Ada')' {cause}"
    assert ev("States.Format($.t)", {"t": 123}) == "123"


@pytest.mark.parametrize(
    ("template", "detail"),
    [
        ("Hello {", "matching '}' not found for '{'."),
        ("Hello {{}}", "matching '}' not found for '{'."),
        ("{\\}", "matching '}' not found for '{'."),
        ("}", "matching '{' not found for '}'."),
        ("\\{}", "matching '{' not found for '}'."),
    ],
)
def test_format_invalid_templates(template: str, detail: str) -> None:
    assert fails("States.Format($.t, 'x')", {"t": template}) == (
        "The function 'States.Format($.t, 'x')' had the following error: "
        f"Invalid template in States.Format: {detail}"
    )


# ============================================================== JSON functions


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Recorded against AWS (test_json_to_string).
        (None, "null"),
        (0, "0"),
        (1, "1"),
        (1.1, "1.1"),
        (True, "true"),
        ("HelloWorld", '"HelloWorld"'),
        ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'),
        ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
        # Jackson details.
        (1e20, "1.0E20"),
        ({"t": "a\"b\\c\n\u0001é"}, '{"t":"a\\"b\\\\c\\n\\u0001é"}'),
    ],
)
def test_json_to_string(value: Any, expected: str) -> None:
    assert ev("States.JsonToString($.v)", {"v": value}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"key":"value"}', {"key": "value"}),
        (' [1, 2.5, "x", null, true] ', [1, 2.5, "x", None, True]),
        ('"x"', "x"),
        ("12", 12),
        ("null", None),
    ],
)
def test_string_to_json(text: str, expected: Any) -> None:
    assert ev("States.StringToJson($.s)", {"s": text}) == expected


@pytest.mark.parametrize("text", ["", "  ", "{", "{'a': 1}", "NaN", "[1] 2"])
def test_string_to_json_rejects_invalid_json(text: str) -> None:
    invalid("States.StringToJson($.s)", "States.StringToJson", {"s": text})


def test_string_to_json_of_a_literal() -> None:
    # Recorded: the literal keeps its double quotes (only \' \{ \} \\ are escapes).
    assert ev("States.StringToJson('{\"constant_in_literal\": \"false\"}')") == {"constant_in_literal": "false"}


def test_json_merge_recorded_case() -> None:
    # Recorded against AWS (test_json_merge_escaped_argument), including the member order.
    env = Env(context={"Execution": {"Input": {"input_field": {"constant_input_field": "constant_value"}}}})
    result = ev(
        "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), "
        "$$.Execution.Input.input_field, false)",
        {},
        env,
    )
    assert list(result.items()) == [("constant_input_field", "constant_value"), ("constant_in_literal", "false")]


def test_json_merge_is_shallow_and_second_wins() -> None:
    data = {"a": {"x": 1, "n": {"p": 1}}, "b": {"x": 2, "n": {"q": 2}, "y": 3}}
    assert ev("States.JsonMerge($.a, $.b, false)", data) == {"x": 2, "n": {"q": 2}, "y": 3}


def test_json_merge_failures() -> None:
    invalid("States.JsonMerge($.a, $.b, true)", "States.JsonMerge", {"a": {}, "b": {}})
    invalid("States.JsonMerge($.a, $.b, false)", "States.JsonMerge", {"a": [], "b": {}})
    invalid("States.JsonMerge($.a, $.b, $.c)", "States.JsonMerge", {"a": {}, "b": {}, "c": "false"})


# ============================================================== array functions


@pytest.mark.parametrize(
    ("fst", "snd"),
    [("", ""), (" ", " "), (None, None), (1, 1), (1.1, 1.1), ({"Arg1": 1, "Arg2": []}, {"Arg1": 1, "Arg2": []})],
)
def test_array_of_paths(fst: Any, snd: Any) -> None:
    # Recorded against AWS (test_array_2).
    assert ev("States.Array($.fst, $.snd)", {"fst": fst, "snd": snd}) == [fst, snd]


@pytest.mark.parametrize(
    ("array", "size", "expected"),
    [
        # Recorded against AWS (test_array_partition).
        ([], 1, []),
        ([0], 5, [[0]]),
        ([0, 1], 1, [[0], [1]]),
        ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]),
        ([0, 1, 2, 3], 4, [[0, 1, 2, 3]]),
        # Truncation of the size.
        ([1, 2, 3, 4, 5], 2.6, [[1, 2], [3, 4], [5]]),
        ([1, 2, 3], 2147483647, [[1, 2, 3]]),
    ],
)
def test_array_partition(array: list[Any], size: Any, expected: Any) -> None:
    assert ev("States.ArrayPartition($.a, $.n)", {"a": array, "n": size}) == expected


@pytest.mark.parametrize("size", [0, -1, 0.6, 0.49, -0.4, "2", None])
def test_array_partition_invalid_size(size: Any) -> None:
    invalid("States.ArrayPartition($.a, $.n)", "States.ArrayPartition", {"a": [1, 2, 3], "n": size})


def test_array_partition_non_array() -> None:
    invalid("States.ArrayPartition('not-array', 2)", "States.ArrayPartition")


@pytest.mark.parametrize(
    ("array", "value", "expected"),
    [
        ([1, 2, 3], 2, True),
        ([1, 2, 3], 5, False),
        ([1, None, 3], None, True),
        ([{"a": 1}, {"b": 2}], {"a": 1}, True),
        ([[1, 2], [3, 4]], [1, 2], True),
        ([], 1, False),
        ([{"a": 1}], {"a": 1, "extra": None}, False),
        ([0, 1, -1, -1.5], False, False),
        ([None, "", " ", 0, 1, True, False, [0, 1, False]], [0, 1, False], True),
        # Java-text equality observed on AWS.
        (["true", "false"], True, True),
        (["9007199254740991"], 9007199254740991, True),
        ([{"a": 1, "b": 2}], {"b": 2, "a": 1}, False),
    ],
)
def test_array_contains(array: list[Any], value: Any, expected: bool) -> None:
    assert ev("States.ArrayContains($.a, $.v)", {"a": array, "v": value}) is expected


def test_array_contains_non_array() -> None:
    invalid("States.ArrayContains('not-array', 'x')", "States.ArrayContains")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Recorded against AWS (test_array_range).
        ((0, 9, 3), [0, 3, 6, 9]),
        ((0, 10, 3), [0, 3, 6, 9]),
        ((1, 9, 9), [1]),
        ((1, 9, 2), [1, 3, 5, 7, 9]),
        # Documented / observed behaviour.
        ((-2, 2, 2), [-2, 0, 2]),
        ((3, 3, -1), [3]),
        ((5, 1, -2), [5, 3, 1]),
        ((5, 1, 1), []),
        ((1, 5, -1), []),
        ((1.4, 5.6, 2.2), [1, 3, 5]),
        ((1.6, 1.4, 1), [1]),
        ((5.4, -0.6, -2.4), [5, 3, 1]),
    ],
)
def test_array_range(args: tuple[Any, Any, Any], expected: list[int]) -> None:
    assert ev("States.ArrayRange($.a, $.b, $.c)", dict(zip("abc", args))) == expected


def test_array_range_limit_is_1000_items() -> None:
    assert len(ev("States.ArrayRange(1, 1000, 1)")) == 1000
    assert ev("States.ArrayRange(1000, 1, -1)")[-1] == 1
    invalid("States.ArrayRange(1, 1001, 1)", "States.ArrayRange")
    invalid("States.ArrayRange(1001, 1, -1)", "States.ArrayRange")


@pytest.mark.parametrize(
    "text", ["States.ArrayRange(1, 10, 0)", "States.ArrayRange(1, 10, 0.49)", "States.ArrayRange('a', 5, 1)"]
)
def test_array_range_invalid(text: str) -> None:
    invalid(text, "States.ArrayRange")


@pytest.mark.parametrize(
    ("array", "index", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 5, 6),  # recorded against AWS
        (["a", "b", "c"], 0, "a"),
        ([None], 0, None),
        ([{"a": 1}, {"b": 2}], 1, {"b": 2}),
        ([10, 20, 30], 1.2, 20),  # truncated
        ([], 999, None),  # observed on AWS: null for an empty array
    ],
)
def test_array_get_item(array: list[Any], index: Any, expected: Any) -> None:
    assert ev("States.ArrayGetItem($.a, $.i)", {"a": array, "i": index}) == expected


@pytest.mark.parametrize(("array", "index"), [([10, 20, 30], 3), ([10, 20, 30], -1), ([1], "0"), ("abc", 0)])
def test_array_get_item_invalid(array: Any, index: Any) -> None:
    invalid("States.ArrayGetItem($.a, $.i)", "States.ArrayGetItem", {"a": array, "i": index})


def test_array_length() -> None:
    assert ev("States.ArrayLength($.a)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 9  # recorded
    assert ev("States.ArrayLength(States.Array())") == 0
    invalid("States.ArrayLength($.a)", "States.ArrayLength", {"a": {"k": 1}})
    invalid("States.ArrayLength('not-array')", "States.ArrayLength")


def test_array_unique() -> None:
    data = {
        "a": [None, None, True, True, False, False, 1, 1, 1.1, 0, 0, "HelloWorld", "HelloWorld",
              [], [], [None], [None], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}, "1", 1.0]
    }
    assert ev("States.ArrayUnique($.a)", data) == [
        None, True, False, 1, 1.1, 0, "HelloWorld", [], [None], {"a": 1, "b": 2}, {"a": 1, "b": 1}, "1", 1.0
    ]
    assert ev("States.ArrayUnique($.a)", {"a": [1, 2, 2, 3, 3, 4]}) == [1, 2, 3, 4]


# ============================================================== encoding and hashing


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("", ""),  # recorded
        ("Data to encode", "RGF0YSB0byBlbmNvZGU="),  # recorded
        ("Hello World", "SGVsbG8gV29ybGQ="),  # recorded
        ("✓", "4pyT"),
        ("こんにちは", "44GT44KT44Gr44Gh44Gv"),
        ("line1\nline2", "bGluZTEKbGluZTI="),
        ("🚀", "8J+agA=="),
    ],
)
def test_base64_round_trip(text: str, encoded: str) -> None:
    assert ev("States.Base64Encode($.s)", {"s": text}) == encoded
    assert ev("States.Base64Decode($.s)", {"s": encoded}) == text


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [(" YWJjZA== ", "abcd"), ("YWJjAGRlZg==", "abc\x00def"), ("abc", "i\ufffd"), ("YQ", "a"), ("ab==cd", "i")],
)
def test_base64_decode_is_lenient(encoded: str, decoded: str) -> None:
    assert ev("States.Base64Decode($.s)", {"s": encoded}) == decoded


def test_base64_limits() -> None:
    assert ev("States.Base64Encode($.s)", {"s": "a" * 10000})[:4] == "YWFh"
    invalid("States.Base64Encode($.s)", "States.Base64Encode", {"s": "a" * 10001})
    invalid("States.Base64Decode($.s)", "States.Base64Decode", {"s": "A" * 10001})
    # 5000 rockets are 10,000 UTF-16 units; one more exceeds the limit.
    assert isinstance(ev("States.Base64Encode($.s)", {"s": "🚀" * 5000}), str)
    invalid("States.Base64Encode($.s)", "States.Base64Encode", {"s": "🚀" * 5000 + "a"})


def test_base64_rejects_non_strings() -> None:
    invalid("States.Base64Encode(123)", "States.Base64Encode")
    invalid("States.Base64Decode($.o)", "States.Base64Decode", {"o": {}})


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        # Recorded against AWS (test_hash, data "input data").
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        ("SHA-384", "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b"
                    "87525bdc835ebb27e1fb9e9374a15562"),
        ("SHA-512", "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce"
                    "2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"),
    ],
)
def test_hash_recorded(algorithm: str, digest: str) -> None:
    assert ev("States.Hash($.d, $.a)", {"d": "input data", "a": algorithm}) == digest


def test_hash_details() -> None:
    # Recorded: States.Hash($inputString, 'SHA-256') with "Hash this string".
    assert ev("States.Hash('Hash this string', 'SHA-256')") == (
        "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"
    )
    assert ev("States.Hash('🚀', 'SHA-256')") == "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"
    # Non-string data is hashed as its JSON text.
    assert ev("States.Hash(123, 'MD5')") == ev("States.Hash('123', 'MD5')")
    assert ev("States.Hash($.o, 'MD5')", {"o": {"a": [1]}}) == ev("States.Hash('{\"a\":[1]}', 'MD5')")
    assert len(ev("States.Hash($.s, 'SHA-256')", {"s": "a" * 10000})) == 64


@pytest.mark.parametrize("algorithm", ["sha-256", "SHA256", "MD-5", "SHA-257", "", "UNSUPPORTED"])
def test_hash_rejects_unknown_algorithms(algorithm: str) -> None:
    invalid("States.Hash('data', $.a)", "States.Hash", {"a": algorithm})


def test_hash_other_failures() -> None:
    invalid("States.Hash('hello', 123)", "States.Hash")
    invalid("States.Hash($.s, 'SHA-256')", "States.Hash", {"s": "a" * 10001})


# ============================================================== math


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # All recorded against AWS (test_math_add): Java Math.round on each operand.
        (-9, 3, -6),
        (-1.5, 0, -1),
        (-1.51, 0, -2),
        (0.5, 0, 1),
        (1.5, 0, 2),
        (2.5, 0, 3),
        (3.5, 0, 4),
        (-0.5, 0.5, 1),
        (-0.5, 0, 0),
        (-2.5, 0, -2),
        (1.49, 1.5, 3),
        (-3.5, 0, -3),
        (1.5, 1.51, 4),
        (-1.49, -1.5, -2),
        (-1.5, -1.51, -3),
        (1.49, -1.49, 0),
        (1.51, 0, 2),
        (-1.49, 0, -1),
    ],
)
def test_math_add(a: Any, b: Any, expected: int) -> None:
    assert ev("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == expected


def test_math_add_nested_and_literals() -> None:
    assert ev("States.MathAdd(States.ArrayLength($.m), -1)", {"m": [1, 2, 3]}) == 2
    assert ev("States.MathAdd(2147483647, 1)") == 2147483648


@pytest.mark.parametrize(("a", "b"), [(1, "NOT A NUMBER"), (None, 1), (2147483648, 0), (-2147483649, 0), (True, 1)])
def test_math_add_invalid(a: Any, b: Any) -> None:
    invalid("States.MathAdd($.a, $.b)", "States.MathAdd", {"a": a, "b": b})


def test_math_random_is_in_range_and_injectable() -> None:
    rng = random.Random(7)
    values = [ev("States.MathRandom(1, 4)", rng=rng) for _ in range(200)]
    assert set(values) == {1, 2, 3}
    assert [ev("States.MathRandom(0, 1000)", rng=random.Random(3)) for _ in range(2)] == [
        random.Random(3).randrange(0, 1000)
    ] * 2
    # Truncated bounds: [1, 5).
    assert set(ev("States.MathRandom(1.6, 5.4)", rng=rng) for _ in range(200)) == {1, 2, 3, 4}


def test_math_random_seeded_is_java_random() -> None:
    # new java.util.Random(seed).nextInt(end - start) + start, values printed by a JVM.
    assert ev("States.MathRandom(0, 999, 3)") == 239
    assert ev("States.MathRandom(0, 100, 42)") == 30
    assert ev("States.MathRandom(1, 11, -10)") == 4
    assert ev("States.MathRandom(1, 10, 42)") == ev("States.MathRandom(1, 10, 42)")


@pytest.mark.parametrize(
    "text",
    [
        "States.MathRandom(1, 1)",
        "States.MathRandom(10, 5)",
        "States.MathRandom(1.4, 1.6)",
        "States.MathRandom(1.49, 1.49)",
        "States.MathRandom('a', 10)",
        "States.MathRandom(1, 'b')",
        "States.MathRandom(1, 10, 'seed')",
        "States.MathRandom(1, 10, null)",
        "States.MathRandom(-2147483648, 2147483647)",
    ],
)
def test_math_random_invalid(text: str) -> None:
    invalid(text, "States.MathRandom")


# ============================================================== strings and ids


@pytest.mark.parametrize(
    ("text", "delimiters", "expected"),
    [
        # All recorded against AWS (test_string_split).
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        # StringTokenizer edge cases.
        ("", ",", []),
        ("abc", "", ["abc"]),
    ],
)
def test_string_split(text: str, delimiters: str, expected: list[str]) -> None:
    assert ev("States.StringSplit($.s, $.d)", {"s": text, "d": delimiters}) == expected


def test_string_split_recorded_context_case() -> None:
    text = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
    env = Env(context={"Execution": {"Input": {"FunctionInput": text}}})
    assert ev("States.StringSplit($$.Execution.Input.FunctionInput, ',')", {}, env) == [
        "Value1", "Value2", "Value3\nValue4", "Value5", "Value6\n", "\ntrue", "1", "'HelloWorld'\nNull", "None",
        "\n   \n",
    ]


def test_string_split_invalid() -> None:
    invalid("States.StringSplit($.s, ',')", "States.StringSplit", {"s": 12})
    invalid("States.StringSplit('a', $.d)", "States.StringSplit", {"d": None})


def test_nested_calls_recorded() -> None:
    env = Env(context={"StateMachine": {"Name": "first-middle-last"}})
    assert ev("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", {}, env) == "first"
    assert ev(
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
        {},
        env,
    ) == "last"


def test_uuid() -> None:
    import re
    import uuid

    value = ev("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)
    assert ev("States.UUID()") != value
    seeded = ev("States.UUID()", rng=random.Random(1))
    assert seeded == ev("States.UUID()", rng=random.Random(1))
    assert uuid.UUID(seeded).version == 4


# ============================================================== Java compatibility helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [  # printed by OpenJDK 17's Double.toString
        (1.1, "1.1"), (1.0, "1.0"), (1e20, "1.0E20"), (1e-5, "1.0E-5"), (123456789.0, "1.23456789E8"),
        (0.001, "0.001"), (1e7, "1.0E7"), (9999999.0, "9999999.0"), (-2.5, "-2.5"), (100.0, "100.0"),
        (1.23e-3, "0.00123"), (1.7976931348623157e308, "1.7976931348623157E308"),
        (0.1 + 0.2, "0.30000000000000004"), (2e-3, "0.002"), (1.0e-4, "1.0E-4"), (12345.678, "12345.678"),
        (3.0e10, "3.0E10"), (1.5e300, "1.5E300"), (4.35, "4.35"), (0.0, "0.0"), (-0.0, "-0.0"),
    ],
)
def test_java_double_str(value: float, expected: str) -> None:
    assert java_double_str(value) == expected


@pytest.mark.parametrize(
    ("seed", "bound", "expected"),
    [  # new java.util.Random(seed).nextInt(bound), printed by a JVM
        (42, 10, 0), (42, 100, 30), (42, 999, 125), (42, 7, 1), (42, 2147483647, 1562431130), (42, 64, 46),
        (0, 999, 672), (0, 1000000, 741360), (-10, 7, 0), (-10, 64, 17), (1, 100, 85), (2, 999, 805),
    ],
)
def test_java_random(seed: int, bound: int, expected: int) -> None:
    assert JavaRandom(seed).next_int(bound) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [  # iteration order of a java.util.HashMap, printed by a JVM
        (["mergedJson", "parsedJson", "stringifiedJson"], ["parsedJson", "mergedJson", "stringifiedJson"]),
        (["constant_in_literal", "constant_input_field"], ["constant_input_field", "constant_in_literal"]),
        (list("abcdefghijklm") + ["zz", "Aa", "BB"], ["zz", "Aa", "BB", *"abcdefghijklm"]),
        (["Name", "Id", "StartTime", "RoleArn", "Input", "RedriveCount"],
         ["Input", "StartTime", "Id", "RedriveCount", "RoleArn", "Name"]),
        ([f"k{i}" for i in range(1, 15)],
         ["k1", "k2", "k3", "k4", "k5", "k11", "k6", "k10", "k7", "k13", "k8", "k12", "k9", "k14"]),
    ],
)
def test_hashmap_order(keys: list[str], expected: list[str]) -> None:
    assert hashmap_order(keys) == expected


def test_small_java_helpers() -> None:
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("polygenelubricants") == -2147483648
    assert java_string_hash("\U0001F680x") == 54963957
    assert [java_round(x) for x in (-1.5, 0.5, 2.5, -2.5, -0.5, 0.49999999999999994, -1.51)] == [
        -1, 1, 3, -2, 0, 0, -2
    ]
    assert [java_trunc_int(x) for x in (2.6, -0.6, 1e20, -2.4, 7)] == [2, 0, 2147483647, -2, 7]
    assert utf16_len("a🚀") == 3
    assert java_text({"Arg1": 1, "Arg2": [], "n": None, "s": "str", "d": 1e20}) == (
        "{Arg1=1, Arg2=[], n=null, s=str, d=1.0E20}"
    )
    assert java_text([1, "a", None, True]) == "[1, a, null, true]"
    assert jackson_json({"a": [1, 1.5, None, False, "x"]}) == '{"a":[1,1.5,null,false,"x"]}'
    assert lenient_b64decode("!!!aGk=!!!") == b"hi"
