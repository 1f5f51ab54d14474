"""JSONata and intrinsic expressions: random token soup and mutated valid ones.

Acceptable: a value, ``JsonataSyntaxError``/``DefinitionError`` at compile or
load time, a ``StatesError`` at run time. Every evaluation stays within its
budget (the test's own time bound catches a runaway).
"""

from __future__ import annotations

import time
from typing import Any

import asl_engine
from asl_engine.dataflow.jsonata_engine import compile_expression
from asl_engine.dataflow.jsonata_text import UNDEFINED, JsonataSyntaxError
from asl_engine.errors import StatesError

from .mutator import Mutator
from .seeds import SEED, assert_printable

JSONATA_TOKENS = (
    "$", "$states", ".input", ".a", "[", "]", "(", ")", "{", "}", ",", ":", "1", "0", "-1", "1e308", "'s'", '"t"',
    "..", "+", "-", "*", "/", "%", "&", "=", "!=", "<", ">", " and ", " or ", "?", ";", ":=", "$x", "~>", "@", "#",
    "function($a){$a}", "$sum(", "$count(", "$sort(", "$string(", "$number(", "$range(", "$partition(", "$hash(",
    "$parse(", "$split(", "$join(", "$power(", "$reduce(", "$map(", "$filter(", "$each(", "$merge(", "$lookup(",
    "$replace(", "$match(", "$pad(", "$repeat(", "$substring(", "/a+/", "^(", "**", "null", "true", " ", "in",
    "'\\ud83d'", "'\\ude00'", "'é'",
)
JSONATA_SEEDS = (
    "$states.input.a + 1", "$sum($states.input.items)", "$count([1..100])", "$sort($states.input.items, function($l, $r) { $l > $r })",
    "$join($map($states.input.items, function($v) { $string($v) }), ',')", "$partition([1,2,3,4], 2)",
    "$range(0, 10, 2)", "$hash('x', 'SHA-256')", "$parse('{\"a\": [1, 2]}')", "{'k': $states.input.s & 'y'}",
    "$reduce([1..10], function($a, $b) { $a + $b })", "$states.input.a > 0 ? 'pos' : 'neg'", "$power(2, 10)",
    "$pad('x', 5, '#')", "$substring('hello', 1, 3)", "$replace('abc', /b/, 'x')", "$merge([{'a': 1}, {'b': 2}])",
)
INTRINSIC_TOKENS = (
    "States.Format(", "States.StringToJson(", "States.JsonToString(", "States.Array(", "States.ArrayPartition(",
    "States.ArrayContains(", "States.ArrayRange(", "States.ArrayGetItem(", "States.ArrayLength(", "States.ArrayUnique(",
    "States.Base64Encode(", "States.Base64Decode(", "States.Hash(", "States.JsonMerge(", "States.MathRandom(",
    "States.MathAdd(", "States.StringSplit(", "States.UUID(", "$", "$.a", "$.items", "$.s", "$$.Execution.Id", "$var",
    "'x'", "'{}'", "'\\''", "'\\\\'", "1", "-1", "0", "1.5", "1000", "null", "true", ",", ")", " ", "'SHA-1'",
)
INTRINSIC_SEEDS = (
    "States.Format('{} and {}', $.a, $.s)", "States.ArrayRange(1, $.a, 1)", "States.ArrayPartition($.items, 1)",
    "States.StringToJson(States.JsonToString($.items))", "States.MathAdd($.a, 2)", "States.Hash($.s, 'MD5')",
    "States.StringSplit('a,b,c', ',')", "States.ArrayGetItem($.items, 0)", "States.JsonMerge($, $, false)",
    "States.Base64Decode(States.Base64Encode($.s))", "States.ArrayUnique(States.Array(1, 1, 2))", "States.UUID()",
)
INPUT: dict[str, Any] = {"a": 3, "items": [3, 1, 2], "s": "x"}
CASES = 600


def _jsonata(mutator: Mutator) -> str:
    if mutator.random.random() < 0.5:
        return mutator.soup(JSONATA_TOKENS)
    return mutator.string(mutator.string(mutator.choice(JSONATA_SEEDS)))


def test_jsonata_expressions() -> None:
    mutator = Mutator(SEED)
    outcomes = {"value": 0, "syntax": 0, "error": 0}
    started = time.monotonic()
    for _ in range(CASES):
        source = _jsonata(mutator)
        try:
            expression = compile_expression("{% " + source + " %}")
        except JsonataSyntaxError:
            outcomes["syntax"] += 1
            continue
        try:
            value = expression.evaluate({"states": {"input": INPUT, "context": {}}}, field="Output", budget_seconds=0.2)
        except StatesError:
            outcomes["error"] += 1
            continue
        if value is not UNDEFINED:
            assert_printable(value)
        outcomes["value"] += 1
    assert sum(outcomes.values()) == CASES and min(outcomes.values()) > 0, outcomes
    assert time.monotonic() - started < 20


def test_intrinsic_expressions() -> None:
    mutator = Mutator(SEED)
    outcomes = {"value": 0, "invalid": 0, "error": 0}
    for _ in range(CASES):
        if mutator.random.random() < 0.5:
            source = mutator.soup(INTRINSIC_TOKENS, 8)
        else:
            source = mutator.string(mutator.string(mutator.choice(INTRINSIC_SEEDS)))
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": source}, "End": True}}}
        try:
            machine = asl_engine.load(definition)
        except asl_engine.DefinitionError:
            outcomes["invalid"] += 1
            continue
        execution = machine.run(INPUT, clock=asl_engine.VirtualClock())
        if execution.status == "SUCCEEDED":
            assert_printable(execution.output)
            outcomes["value"] += 1
        else:
            assert execution.error is not None
            outcomes["error"] += 1
    assert sum(outcomes.values()) == CASES and min(outcomes.values()) > 0, outcomes
