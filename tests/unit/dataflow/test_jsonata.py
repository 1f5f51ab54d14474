"""The JSONata adapter: compile once, evaluate with AWS's values and AWS's error texts.

Texts marked "recorded" are copied from the AWS-recorded conformance corpus
(``shared/conformance/localstack/cases``), without the "An error occurred while
executing the state ..." prefix that the interpreter adds.
"""

from __future__ import annotations

import copy
import re
import threading
from pathlib import Path

import pytest

from asl_engine.dataflow.jsonata import (
    MAX_DEPTH,
    UNDEFINED,
    Expression,
    JsonataSyntaxError,
    compile_expression,
    evaluation_error,
    expression_source,
    is_expression,
    json_type_name,
    result_type_error,
    template,
    undefined_error,
    unsupported_result_error,
)
from asl_engine.dataflow import jsonata_engine as jsonata_adapter
from asl_engine.errors import StatesError

QEE = "States.QueryEvaluationError"


def states(input_value=None, **extra):
    """Bindings as the interpreter builds them: ``states`` plus workflow variables."""
    bindings = {"states": {"input": input_value, "context": {"State": {"Name": "S"}}}}
    bindings.update(extra)
    return bindings


def ev(text, bindings=None, field="Output", **kw):
    return compile_expression(text).evaluate(states() if bindings is None else bindings, field=field, **kw)


def cause_of(text, bindings=None, field="Output", **kw):
    with pytest.raises(StatesError) as info:
        ev(text, bindings, field, **kw)
    assert info.value.error == QEE
    return info.value.cause


# --------------------------------------------------------------------------- recognising and compiling


@pytest.mark.parametrize(
    "value, expected",
    [
        ("{% $states.input %}", True),
        ("{%1%}", True),
        (" {% states.input %} ", False),  # recorded: kept as a literal string
        ("{% $x", False),
        ("$states.input", False),
        ("{%}", False),
        (None, False),
        (1, False),
        (["{% 1 %}"], False),
    ],
)
def test_is_expression(value, expected):
    assert is_expression(value) is expected


def test_compiled_expression_keeps_its_text_and_the_source_aws_quotes():
    expression = compile_expression("{%   $states.input.a   %}")
    assert isinstance(expression, Expression)
    assert expression.text == "{%   $states.input.a   %}"
    assert expression.source == "$states.input.a"
    assert expression_source("{% {'foo': 'bar'} %}") == "{'foo': 'bar'}"


def test_syntax_error_names_code_and_position():
    with pytest.raises(JsonataSyntaxError) as info:
        compile_expression("{% [1,2 %}")
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.code, error.position, error.expression) == ("S0203", 4, "[1,2")
    assert str(error) == "invalid JSONata expression '[1,2': S0203: Expected ] before end of expression (at position 4)"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("$states.input", "a JSONata expression must be a string that starts with '{%' and ends with '%}'"),
        ("{%   %}", "the expression is empty"),
        ('{% $eval("1 + 1") %}', "the function $eval is not supported by Step Functions; use $parse to read a JSON string"),
        ("{% $map([1], $eval) %}", "the function $eval is not supported by Step Functions; use $parse to read a JSON string"),
    ],
)
def test_refused_at_compile_time(text, reason):
    with pytest.raises(JsonataSyntaxError) as info:
        compile_expression(text)
    assert info.value.reason == reason


def test_names_like_eval_are_not_eval():
    assert ev("{% $states.input.eval %}", states({"eval": 1})) == 1
    assert ev('{% "$eval" %}') == "$eval"


def test_every_expression_of_the_corpus_compiles():
    # One of each shape found in the recorded JSONata cases.
    for text in [
        "{% $sum($states.input.input_values) + $var_constant_1 %}",
        '{% $contains("hello$world", /^hello\\$/) %}',
        "{% $not($states.input.type = 'Private') %}",
        "{% $states.input.value >= 20 and $states.input.value < 30 %}",
        "{% $fn := function($x){$x} %}",
        "{% {'foo': 'bar'} %}",
        "{% [1, 'two', 3] %}",
        "{% $randomSeeded($states.input.FunctionInput.fst) %}",
    ]:
        compile_expression(text)


# --------------------------------------------------------------------------- values


def test_states_and_variables_are_bound():
    bindings = states({"input_value": "string literal", "input_values": [1, 2, 3]}, var_constant_1=1)
    # recorded (outputdecl BASE_EXPR): 7
    assert ev("{% $sum($states.input.input_values) + $var_constant_1 %}", bindings) == 7
    assert ev("{% $states.context.State.Name %}", bindings) == "S"


def test_undefined_is_the_sentinel_and_null_is_none():
    bindings = states({"a": None}, var_null=None)
    assert ev("{% $states.input.missing %}", bindings) is UNDEFINED
    assert ev("{% $doesNotExist %}", bindings) is UNDEFINED
    assert ev("{% $states.input.a %}", bindings) is None
    # A variable holding null is null, not undefined (recorded: Items '$ItemsVar' was 'null').
    assert ev("{% $var_null %}", bindings) is None
    assert ev("{% null %}", bindings) is None
    assert repr(UNDEFINED) == "UNDEFINED" and not UNDEFINED
    assert copy.deepcopy(UNDEFINED) is UNDEFINED


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{% 1 %}", 1),
        ("{% [] %}", []),
        ("{% true %}", True),
        ("{% 'string' %}", "string"),
        ("{% [1, 'two', 3] %}", [1, "two", 3]),
        ("{% {'foo': 'bar'} %}", {"foo": "bar"}),
        ("{% [$number('1'), $number(\"2\"), 3] %}", [1, 2, 3]),  # recorded (test_base_map ITEMS)
        ('{% $contains("hello$world", /^hello\\$/) %}', True),  # recorded
        ("{% $contains('hello$world', /^hello\\ /) %}", False),  # recorded
        ("{% $not($states.input.type = 'Private') %}", False),
    ],
)
def test_literal_and_builtin_values(text, expected):
    result = ev(text, states({"type": "Private"}))
    assert result == expected and type(result) is type(expected)


def test_integral_numbers_come_back_as_int():
    result = ev("{% [$states.input.x, $states.input.x * 1.5, 10 / 4, 10 / 2] %}", states({"x": 3.0}))
    assert result == [3, 4.5, 2.5, 5]
    assert [type(v) for v in result] == [int, float, float, int]


def test_result_is_a_fresh_copy_of_the_bindings():
    data = {"list": [1, {"k": "v"}], "obj": {"a": None}}
    result = ev("{% $states.input %}", states(data))
    assert result == data and result is not data
    result["list"][1]["k"] = "changed"
    result["obj"]["a"] = 1
    assert data == {"list": [1, {"k": "v"}], "obj": {"a": None}}


def test_singleton_arrays_from_the_input_stay_arrays():
    assert ev("{% $states.input.one %}", states({"one": [5]})) == [5]
    assert ev("{% $states.input.objs[v > 1].v %}", states({"objs": [{"v": 2}, {"v": 1}]})) == 2


# --------------------------------------------------------------------------- AWS's texts


def test_evaluation_error_text_recorded():
    cause = cause_of(
        "{% $randomSeeded($states.input.FunctionInput.fst) %}",
        states({"FunctionInput": "fst"}),
        field="Output/FunctionResult",
    )
    assert cause == (
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field "
        "'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_function_result_is_unsupported_recorded():
    assert cause_of("{% $fn := function($x){$x} %}", field="Items") == (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
        "returned an unsupported result type."
    )
    assert cause_of("{% {'f': $sum} %}", field="Output") == (
        "The JSONata expression '{'f': $sum}' specified for the field 'Output' returned an unsupported result type."
    )


def test_library_errors_become_query_evaluation_errors():
    assert cause_of('{% $sum("a") %}').startswith(
        "The JSONata expression '$sum(\"a\")' specified for the field 'Output' threw an error during evaluation. T0412: "
    )
    assert cause_of("{% 1/0 %}") == (
        "The JSONata expression '1/0' specified for the field 'Output' threw an error during evaluation. "
        "D1001: Number out of range: Infinity"
    )
    assert cause_of('{% $error("custom") %}') == (
        "The JSONata expression '$error(\"custom\")' specified for the field 'Output' threw an error during "
        "evaluation. D3137: custom"
    )


@pytest.mark.parametrize(
    "source, value, cause",
    [  # all recorded (scenarios test_map_state_items_eval_jsonata_fail_*), field 'Items'
        ("true", True, "Expected 'array', but was 'boolean' for value: true"),
        ("null", None, "Expected 'array', but was 'null' for value: null"),
        ("1", 1, "Expected 'array', but was 'number' for value: 1"),
        ("{'foo': 'bar'}", {"foo": "bar"}, 'Expected \'array\', but was \'object\' for value: {"foo":"bar"}'),
        ("'string'", "string", "Expected 'array', but was 'string' for value: \"string\""),
    ],
)
def test_result_type_error_recorded(source, value, cause):
    text = "{% " + source + " %}"
    assert ev(text, field="Items") == value
    error = result_type_error(text, "Items", "array", value)
    assert error.error == QEE
    assert error.cause == (
        f"The JSONata expression '{source}' specified for the field 'Items' returned an unexpected result type. {cause}"
    )


def test_result_type_error_prints_numbers_and_text_as_aws():
    assert result_type_error("$x", "Seconds", "integer", 0.00001).cause.endswith("for value: 0.00001")
    assert result_type_error("$x", "Seconds", "integer", 1e21).cause.endswith("for value: 1e+21")
    assert result_type_error("$x", "Items", "array", {"a": [1.5, "é", None]}).cause.endswith(
        'for value: {"a":[1.5,"é",null]}'
    )


def test_error_helpers():
    assert undefined_error("{% $doesNotExist %}", "Arguments/FunctionName").cause == (
        "The JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' "
        "returned nothing (undefined)."
    )  # recorded
    assert unsupported_result_error("$f", "Items").cause == (
        "The JSONata expression '$f' specified for the field 'Items' returned an unsupported result type."
    )
    assert evaluation_error("{% x %}", "Output", "T0000: boom").cause == (
        "The JSONata expression 'x' specified for the field 'Output' threw an error during evaluation. T0000: boom"
    )


@pytest.mark.parametrize(
    "value, name",
    [([], "array"), ({}, "object"), ("", "string"), (0, "number"), (1.5, "number"), (True, "boolean"), (None, "null")],
)
def test_json_type_name(value, name):
    assert json_type_name(value) == name


# --------------------------------------------------------------------------- templates


def test_template_replaces_expressions_at_any_depth():
    compiled = template(
        {
            "ja_states_input": "{% $states.input %}",
            "ja_var_access": "{% $var_input_value %}",
            "nested": {"list": [1, "{% $states.input.n + 1 %}", {"deep": "{% $states.input.n %}"}]},
            "constant_null": None,
            "constant_not_jsonata": " {% states.input %} ",
            "constant_varpath": "$no.such.var.path",
        }
    )
    assert [e.source for e in compiled.expressions] == [
        "$states.input",
        "$var_input_value",
        "$states.input.n + 1",
        "$states.input.n",
    ]
    assert compiled.evaluate(states({"n": 1}, var_input_value="v"), field="Output") == {
        "ja_states_input": {"n": 1},
        "ja_var_access": "v",
        "nested": {"list": [1, 2, {"deep": 1}]},
        "constant_null": None,
        "constant_not_jsonata": " {% states.input %} ",
        "constant_varpath": "$no.such.var.path",
    }


def test_template_of_a_single_expression_and_of_constants():
    assert template("{% $states.input.a %}").evaluate(states({"a": [1]}), field="Output") == [1]
    constant = template({"a": [1, {"b": None}]})
    assert constant.is_constant and constant.expressions == ()
    first = constant.evaluate(states(), field="Output")
    first["a"].append(2)
    assert constant.evaluate(states(), field="Output") == {"a": [1, {"b": None}]}


def test_template_does_not_share_the_definition():
    value = {"a": [1, 2], "b": "{% 1 %}"}
    compiled = template(value)
    value["a"].append(3)
    assert compiled.evaluate(states(), field="Output") == {"a": [1, 2], "b": 1}


@pytest.mark.parametrize(
    "value, field, failing_field",
    [  # recorded (assign test_undefined_reference_*) except the array index form
        ("{% $doesNotExist %}", "Output", "Output"),
        ({"result": "{% $doesNotExist %}"}, "Output", "Output/result"),
        ({"FunctionName": "{% $doesNotExist %}"}, "Arguments", "Arguments/FunctionName"),
        ({"result": "{% $doesNotExist %}"}, "Assign", "Assign/result"),
        ({"a": {"b": [0, "{% $doesNotExist %}"]}}, "Output", "Output/a/b[1]"),
    ],
)
def test_template_undefined_anywhere_fails_naming_the_field(value, field, failing_field):
    with pytest.raises(StatesError) as info:
        template(value).evaluate(states(), field=field)
    assert info.value.error == QEE
    assert info.value.cause == (
        f"The JSONata expression '$doesNotExist' specified for the field '{failing_field}' returned nothing (undefined)."
    )


def test_template_null_is_kept():
    assert template({"v": "{% $states.input.bar %}", "l": ["{% null %}"]}).evaluate(
        states({"bar": None}), field="Output"
    ) == {"v": None, "l": [None]}


def test_template_syntax_error_is_located():
    with pytest.raises(JsonataSyntaxError) as info:
        template({"ok": "{% 1 %}", "a": {"b": [0, "{% [ %}"]}})
    assert info.value.location == "/a/b/1"
    assert info.value.code == "S0203"


# --------------------------------------------------------------------------- Step Functions' functions


@pytest.mark.parametrize(
    "array, size, expected",
    [  # recorded (intrinsic_functions test_array_partition exec_hist_resp_0..19)
        ([0], 1, [[0]]),
        ([0], 5, [[0]]),
        ([0, 1], 1, [[0], [1]]),
        ([0, 1], 2, [[0, 1]]),
        ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2], 4, [[0, 1, 2]]),
        ([0, 1, 2, 3], 2, [[0, 1], [2, 3]]),
        ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]),
        ([0, 1, 2, 3], 5, [[0, 1, 2, 3]]),
        ([1, 2, 3, 4, 5], 2.9, [[1, 2], [3, 4], [5]]),  # rounded down
    ],
)
def test_partition(array, size, expected):
    bindings = states({"FunctionInput": {"fst": array, "snd": size}})
    assert ev("{% $partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd) %}", bindings) == expected


@pytest.mark.parametrize("text", ["{% $partition([], 2) %}", "{% $partition([1, 2], 0) %}", "{% $partition($nothing, 2) %}"])
def test_partition_without_chunks_is_undefined(text):
    assert ev(text) is UNDEFINED


@pytest.mark.parametrize(
    "start, end, step, expected",
    [  # recorded (intrinsic_functions test_array_range exec_hist_resp_0..3)
        (0, 9, 3, [0, 3, 6, 9]),
        (0, 10, 3, [0, 3, 6, 9]),
        (1, 9, 9, 1),  # a one-element range is the bare number
        (1, 9, 2, [1, 3, 5, 7, 9]),
        # not recorded
        (10, 0, -4, [10, 6, 2]),
        (0.9, 3.7, 1.2, [0, 1, 2, 3]),  # rounded down
    ],
)
def test_range(start, end, step, expected):
    bindings = states({"FunctionInput": {"fst": start, "snd": end, "trd": step}})
    text = "{% $range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, $states.input.FunctionInput.trd) %}"
    assert ev(text, bindings) == expected


def test_range_edges():
    assert ev("{% $range(5, 1, 1) %}") is UNDEFINED
    assert ev("{% $range(1, 5, 0) %}") is UNDEFINED
    assert ev("{% [$range(1, 1, 1)] %}") == [1]
    assert cause_of("{% $range(0, 1e7, 1) %}") == (
        "The JSONata expression '$range(0, 1e7, 1)' specified for the field 'Output' threw an error during "
        "evaluation. Expression evaluation memory limit exceeded"
    )


@pytest.mark.parametrize(
    "algorithm, digest",
    [
        ("MD5", "5d41402abc4b2a76b9719d911017c592"),
        ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        ("SHA-256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        (
            "SHA-384",
            "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f",
        ),
        (
            "SHA-512",
            "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7"
            "2323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
        ),
    ],
)
def test_hash(algorithm, digest):
    assert ev("{% $hash($states.input.s, $states.input.alg) %}", states({"s": "hello", "alg": algorithm})) == digest


def test_hash_errors():
    assert ev('{% $hash("héllo", "SHA-256") %}') == "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179"
    assert cause_of('{% $hash("a", "sha-256") %}') == (
        "The JSONata expression '$hash(\"a\", \"sha-256\")' specified for the field 'Output' threw an error during "
        "evaluation. Unsupported hash algorithm 'sha-256'. Supported: MD5, SHA-1, SHA-256, SHA-384, SHA-512"
    )
    assert cause_of('{% $hash(1, "MD5") %}') == (
        "The JSONata expression '$hash(1, \"MD5\")' specified for the field 'Output' threw an error during "
        "evaluation. T0410: Argument 1 of Object hash does not match Object signature"
    )
    # Inside and/or the library rewrites foreign exceptions; ours must survive it.
    assert cause_of('{% true and $hash(1, "MD5") %}').endswith("T0410: Argument 1 of Object hash does not match Object signature")


def test_random():
    values = ev("{% [$random(), $random(), $random(42), $random(42), $random(42.9)] %}")
    assert all(isinstance(v, float) and 0 <= v < 1 for v in values)
    assert values[2] == values[3] == values[4] == 0.6394267984578837
    assert cause_of("{% $random('seed') %}").endswith("T0410: Argument 1 of Object random does not match Object signature")


def test_uuid():
    first, second = ev("{% [$uuid(), $uuid()] %}")
    pattern = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert pattern.fullmatch(first) and pattern.fullmatch(second) and first != second


def test_parse():
    assert ev("{% $parse($states.input.s) %}", states({"s": '{"a": [1, 2.5, null, true]}'})) == {"a": [1, 2.5, None, True]}
    assert ev("{% $parse('null') %}") is None
    assert ev("{% $parse($nothing) %}") is UNDEFINED
    assert cause_of("{% $parse('{') %}") == (
        "The JSONata expression '$parse('{')' specified for the field 'Output' threw an error during evaluation. "
        "Unable to parse JSON string: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )
    assert cause_of("{% $parse('NaN') %}").endswith("Unable to parse JSON string: invalid JSON literal NaN")


def test_aws_functions_do_not_leak_into_the_library():
    import jsonata as library  # the adapter's library, imported here only to check isolation

    assert library.Jsonata("$random()").evaluate(None) < 1
    with pytest.raises(Exception):
        library.Jsonata("$partition([1], 1)").evaluate(None)


# --------------------------------------------------------------------------- budget, depth, threads


class _FakeCpuClock:
    """Stands in for the evaluation budget's clock: each reading moves it on."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_runaway_expression_times_out_cleanly(monkeypatch):
    monkeypatch.setattr(jsonata_adapter, "_cpu_clock", _FakeCpuClock(0.01))  # 10 ms per evaluator step
    text = "{% ($loop := function(){ $loop() }; $loop()) %}"
    assert cause_of(text, budget_seconds=0.2) == (
        "The JSONata expression '($loop := function(){ $loop() }; $loop())' specified for the field 'Output' "
        "threw an error during evaluation. Expression evaluation timeout: Check for infinite loop"
    )


def test_budget_is_per_evaluation_not_since_compile(monkeypatch):
    fake = _FakeCpuClock(0.0)
    monkeypatch.setattr(jsonata_adapter, "_cpu_clock", fake)
    expression = compile_expression("{% $sum($states.input) %}")
    fake.now += 60  # a minute after compiling
    assert expression.evaluate(states([1, 2]), field="Output", budget_seconds=0.04) == 3


def test_depth_limit_is_jsonata_java_timebox():
    recursion = "{% ($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(N)) %}"
    assert MAX_DEPTH == 100
    assert ev(recursion.replace("N", "31")) == 31  # nests 98
    assert cause_of(recursion.replace("N", "32")).endswith(
        "threw an error during evaluation. Stack overflow error: Check for non-terminating recursive function.  "
        "Consider rewriting as tail-recursive. Depth=101 max=100"
    )


def test_now_is_the_evaluation_time(monkeypatch):
    # The library reads $millis() from the last expression *compiled* in the thread.
    from jsonata import timebox

    readings: list[int] = []

    def now() -> int:  # every reading is 1 s later than the one before
        readings.append(1_000 * (len(readings) + 1))
        return readings[-1]

    monkeypatch.setattr(timebox.Timebox, "current_milli_time", staticmethod(now))
    millis = compile_expression("{% $millis() + 0 * 17 %}")
    compile_expression("{% 'another expression, compiled later' %}")
    value = millis.evaluate(states(), field="Output")
    assert value == readings[-1] and len(readings) >= 2  # the evaluation's reading, not the compilation's


def test_one_expression_from_many_threads():
    expression = compile_expression("{% $sum($states.input.values) * $factor %}")
    results: dict[int, int] = {}

    def work(n: int) -> None:
        for _ in range(50):
            results[n] = expression.evaluate(states({"values": list(range(n))}, factor=2), field="Output")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: n * (n - 1) for n in range(8)}


def test_only_the_adapter_imports_the_library():
    package = Path(__file__).resolve().parents[3] / "asl_engine"
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"^\s*(import jsonata\b|from jsonata\b)", path.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["dataflow/jsonata_engine.py"]
