"""The fast evaluator (closures over the library's steps) gives the library's results."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.dataflow import jsonata_engine as jsonata
from asl_engine.dataflow.jsonata import compile_expression

INPUT: dict[str, Any] = {
    "value": 25,
    "f": 2.5,
    "s": "Hello",
    "t": True,
    "n": None,
    "empty": [],
    "one": [7],
    "nums": [1, 2, 3.5],
    "nested": [[1, 2], [3]],
    "items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": ["c"]}, {"id": 3}],
    "meta": {"source": "bench", "deep": {"x": [1, {"y": 2}]}, "nul": None},
    "obj": {},
}
BINDINGS: dict[str, Any] = {
    "states": {"input": INPUT, "context": {"Execution": {"Id": "arn:x"}}},
    "v": 3,
    "nul": None,
    "arr": [1, 2],
}

EXPRESSIONS = [
    "$states.input.value", "$states.input.missing", "$states.input.n", "$states.input.meta.nul",
    "$states.input.empty", "$states.input.one", "$states.input.nums", "$states.input.nested",
    "$states.input.items.id", "$states.input.items.tags", "$states.input.items[0]",
    "$states.input.meta.deep.x", "$states.input.meta.deep.x.y", "$states.input.value.x",
    "$states.input.s.length", "$states.input.obj", "$nul", "$v", "$arr", "$undefinedVar",
    "$states.input.value >= 20 and $states.input.value < 30", "$states.input.value = 25",
    "$states.input.value != '25'", "$states.input.s < 'Z'", "$states.input.s < 3",
    "$states.input.value + 1", "$states.input.f * 2", "$states.input.value / 4", "$states.input.value % 7",
    "$states.input.s + 1", "-$states.input.value", "-$states.input.s", "-$states.input.missing",
    "$states.input.s & ' ' & $states.input.value", "$states.input.t or false", "$states.input.empty and true",
    "3 in $states.input.nums", "'a' in $states.input.items.tags",
    "$states.input.t ? 'yes' : 'no'", "$states.input.missing ? 1", "($states.input.value; $v)", "()",
    "[1, 2, [3, 4], $states.input.nums, $states.input.missing]", "[$states.input.nested]", "[[]]", "[]",
    "{'a': 1, 'b': $states.input.missing, 'c': $states.input.items.id}", "{'a': 1, 'a': 2}",
    "{$states.input.s: 1}", "{$states.input.value: 1}", "{}",
    "$merge([$states.input, {'last': {'step': 1, 'value': $states.input.value}}])",
    "$merge($states.input.meta)", "$merge([1])", "$sum($states.input.nums)", "$sum($states.input.value)",
    "$sum($states.input.items)", "$count($states.input.items)", "$count($states.input.missing)",
    "$uppercase($states.input.s)", "$uppercase()", "$uppercase($states.input.value)", "$string($states.input)",
    "$string($states.input.f)", "$length($states.input.s)", "$exists($states.input.missing)",
    "$not($states.input.t)", "$keys($states.input.meta)", "$append($states.input.nums, 9)",
    "$max($states.input.nums)", "$average([])", "$join(['a','b'], '-')", "$join([1], '-')",
    "$substring($states.input.s, 1, 2)", "$round(2.567, 2)", "$number('12')", "$boolean([])",
    "$reverse($states.input.nums)", "$distinct([1,1,2])", "$zip([1,2],[3,4])", "$type($states.input.n)",
    "$lookup($states.input.meta, 'source')", "$spread($states.input.meta)", "$error('boom')",
    "$partition([1,2,3,4,5], 2)", "$range(1, 9, 9)", "$range(0, 10, 3)", "$hash('a', 'MD5')",
    "$parse('{\"a\": [1, null]}')", "$parse('nope')", "$states.input.items.id.x",
    "$merge([{'a': 1}, {'a': $states.input.n}])", "$count([1,2,3].x)", "$v($states.input)",
    "$merge([])", "$merge($states.input.items)", "$merge($states.input.missing)", "$merge([$states.input.meta, null])",
    "$merge([$states.input.meta, $states.input.items, {'z': 1}])", "$merge($states.input.empty)",
    "$states.input.items.tags[0]", "$states.input.items.{'i': id}", "$sum([1..3])",
    "$states.context.Execution.Id", "$lowercase($states.input.s) = 'hello'", "1 = 1.0",
    "$states.input.nums = [1, 2, 3.5]", "$states.input.meta = {'source': 'bench'}", "null", "true",
    "'text'", "1e3", "$states.input.value > $states.input.f and $states.input.f > 0",
]


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return ("value", call())
    except Exception as exc:  # noqa: BLE001 - the error text is what is compared
        return ("error", str(exc))


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_fast_evaluator_agrees_with_the_library(text: str) -> None:
    expression = compile_expression("{% " + text + " %}")
    fast = _outcome(lambda: expression.evaluate(BINDINGS, field="Output"))
    library = _outcome(lambda: expression._evaluate_library(BINDINGS, "Output", jsonata.DEFAULT_BUDGET_SECONDS))
    assert fast == library
    if fast[0] == "value":
        assert type(fast[1]) is type(library[1])


def test_the_common_shapes_are_compiled() -> None:
    for text in ("$states.input.a.b", "$merge([$states.input, {'x': 1}])", "$states.input.v >= 20 and $states.input.v < 30"):
        assert compile_expression("{% " + text + " %}")._fast is not None
    for text in ("$states.input.items[0]", "$f := 1", "function($x){$x}(1)", "$now()", "$states.input ~> $sum"):
        assert compile_expression("{% " + text + " %}")._fast is None


def test_a_variable_named_like_a_function_shadows_it() -> None:
    expression = compile_expression("{% $count([1, 2]) %}")
    fast = _outcome(lambda: expression.evaluate({"states": {}, "count": 1}, field="Output"))
    library = _outcome(lambda: expression._evaluate_library({"states": {}, "count": 1}, "Output", 1.0))
    assert fast == library and fast[0] == "error"


def test_the_time_budget_holds_on_a_long_path(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(0, 10**9, 10))
    monkeypatch.setattr(jsonata, "_cpu_clock", lambda: float(next(ticks)))
    expression = compile_expression("{% $count($states.input.items.id) %}")
    with pytest.raises(Exception, match="Expression evaluation timeout"):
        expression.evaluate({"states": {"input": {"items": [{"id": i} for i in range(5000)]}}}, field="Output")


def test_a_compiled_expression_keeps_no_parse_tree_and_still_falls_back() -> None:
    # The library's tree (~45 KB) is dropped once the closures exist, and parsed
    # again on the first fallback: a single object given to $merge needs the
    # signature's wrapping, which only the library does.
    expression = jsonata._compile_expression.__wrapped__("{% $merge($states.input.meta) %}")
    assert expression._fast is not None and expression._compiled is None
    bindings = {"states": {"input": {"meta": {"a": 1}}}}
    assert expression.evaluate(bindings, field="Output") == {"a": 1}
    assert expression._compiled is not None  # parsed again, kept from then on
    uncompiled = jsonata._compile_expression.__wrapped__("{% $states.input.items[0] %}")
    assert uncompiled._fast is None and uncompiled._compiled is not None
