"""Execution inputs: mutated texts through the shared reader, mutated values
through machines of each kind (JSONPath, JSONata, Map, Choice, intrinsics).

Acceptable: ``JsonTextError``, ``ExecutionInputError``, an execution whose
output is printable JSON.
"""

from __future__ import annotations

import json
from typing import Any

import asl_engine

from .mutator import Mutator
from .seeds import SEED, assert_printable, bounded_run

MACHINES: list[dict[str, Any]] = [
    {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a", "ResultPath": "$.r", "Parameters": {
        "n.$": "States.ArrayLength($.items)", "f.$": "States.Format('{}', $.s)"}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericGreaterThan": 1, "Next": "W"}], "Default": "S"},
        "W": {"Type": "Wait", "SecondsPath": "$.a", "Next": "S"}, "S": {"Type": "Succeed"}}},
    {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {
        "sum": "{% $sum($states.input.items) %}", "s": "{% $string($states.input) %}"}, "End": True}}},
    {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}}, "End": True}}},
    {"StartAt": "F", "States": {"F": {"Type": "Pass", "Parameters": {"j.$": "States.JsonToString($)",
        "h.$": "States.Hash(States.JsonToString($), 'SHA-256')"}, "OutputPath": "$.j", "End": True}}},
]
BASE: dict[str, Any] = {"a": 2, "items": [1, 2, 3], "s": "x", "nested": {"k": [{"v": 1}]}}
VALUE_CASES = 400
TEXT_CASES = 400


def test_mutated_input_values() -> None:
    mutator = Mutator(SEED)
    machines = [asl_engine.load(definition) for definition in MACHINES]
    outcomes = {"ran": 0, "refused": 0}
    for _ in range(VALUE_CASES):
        try:
            execution = bounded_run(mutator.choice(machines), mutator.value(BASE), mutator)
        except asl_engine.ExecutionInputError:
            outcomes["refused"] += 1
            continue
        assert_printable(execution.output)
        outcomes["ran"] += 1
    assert sum(outcomes.values()) == VALUE_CASES and outcomes["ran"] > VALUE_CASES // 2, outcomes


def test_mutated_input_texts() -> None:
    mutator = Mutator(SEED)
    outcomes = {"read": 0, "refused": 0}
    machine = asl_engine.load(MACHINES[0])
    for _ in range(TEXT_CASES):
        data = mutator.text(json.dumps(BASE), mutations=2)
        try:
            value = asl_engine.parse_json_value(asl_engine.decode_text(data, "the input"), "the input")
        except asl_engine.JsonTextError as error:
            assert "\n" not in str(error)
            outcomes["refused"] += 1
            continue
        try:
            bounded_run(machine, value, mutator)
        except asl_engine.ExecutionInputError:
            pass
        outcomes["read"] += 1
    assert sum(outcomes.values()) == TEXT_CASES and min(outcomes.values()) > 0, outcomes
