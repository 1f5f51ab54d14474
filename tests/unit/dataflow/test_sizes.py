"""Output size bounds (``asl_engine.dataflow.sizes``) and the compact history
that relies on them: a bound never underestimates, a quota failure is never
missed, and a history read later says what an eager one said."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

import asl_engine
from asl_engine import Quotas, VirtualClock


def _growth(state: dict[str, Any], name: str = "S") -> tuple[int, int] | None:
    states: dict[str, Any] = {name: state}
    if state["Type"] == "Choice":
        states["Next"] = {"Type": "Succeed"}
    elif state["Type"] != "Succeed":
        states[name] = {"End": True, **state}
    definition = {"StartAt": name, "States": states}
    growth: tuple[int, int] | None = asl_engine.load(definition).model.program.states[name].growth
    return growth


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"Type": "Pass"}, (1, 0)),
        ({"Type": "Pass", "Result": {"a": 1}}, (0, 7)),
        ({"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r"}, (1, 7 + 7)),
        ({"Type": "Pass", "Parameters": {"v.$": "$.v"}}, (1, 7)),
        ({"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}}, (0, 18)),
        ({"Type": "Pass", "InputPath": None, "Parameters": {"v.$": "$.v"}}, (0, 9)),
        ({"Type": "Pass", "ResultPath": None}, (1, 0)),
        ({"Type": "Pass", "OutputPath": None}, (0, 2)),
        ({"Type": "Pass", "InputPath": "$.a[0].b"}, (1, 0)),
        ({"Type": "Succeed", "OutputPath": "$.a"}, (1, 0)),
        ({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Next"}], "Default": "Next"}, (1, 0)),
    ],
)
def test_known_growth(state: dict[str, Any], expected: tuple[int, int]) -> None:
    assert _growth(state) == expected


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Pass", "InputPath": "$..a"},  # matches may overlap: no bound
        {"Type": "Pass", "InputPath": "$.a[*]"},
        {"Type": "Pass", "Parameters": {"c.$": "$$.Execution.Input"}},
        {"Type": "Pass", "Parameters": {"f.$": "States.Format('{}{}', $.a, $.a)"}},
        {"Type": "Pass", "Parameters": {"r.$": "States.ArrayRange(1, 1000, 1)"}},
        {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"},
        {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}"},
    ],
)
def test_unbounded_states_have_no_growth(state: dict[str, Any]) -> None:
    assert _growth(state) is None


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -7, 2**40, 1.5e-300, 0.1])
    if kind in (2, 3):
        return "".join(rng.choice("ab\"\\\u00e9\U0001f600\n") for _ in range(rng.randrange(6)))
    if kind in (4, 5):
        return {rng.choice(["a", "b", "c\u00e9", 'q"']): _random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]


_PASSES: list[dict[str, Any]] = [
    {"Type": "Pass", "Parameters": {"x.$": "$.a", "y.$": "$.b", "k": [1, "two"], "n": {"m.$": "$"}}, "ResultPath": "$.c\u00e9.d"},
    {"Type": "Pass", "InputPath": "$.a", "Parameters": {"s.$": "$"}, "ResultPath": "$.a", "OutputPath": "$.a"},
    {"Type": "Pass", "Result": ["r", {"é": None}], "ResultPath": "$.b"},
    {"Type": "Pass", "Parameters": {"h.$": "States.Hash($, 'SHA-512')", "u.$": "States.UUID()"}, "ResultPath": "$.b"},
    {"Type": "Pass", "Parameters": {"t.$": "States.ArrayContains($.a, 1)", "l.$": "States.ArrayLength($.a)"}},
]


@pytest.mark.parametrize("index", range(len(_PASSES)))
def test_a_bound_never_underestimates(index: int) -> None:
    state = _PASSES[index]
    machine = asl_engine.load({"StartAt": "S", "States": {"S": {**state, "End": True}}})
    growth = machine.model.program.states["S"].growth
    assert growth is not None
    rng = random.Random(index)
    checked = 0
    for _ in range(300):
        doc = {"a": _random_value(rng), "b": _random_value(rng)}
        if index == 4:
            doc["a"] = [_random_value(rng) for _ in range(rng.randrange(5))]
        execution = machine.run(doc, clock=VirtualClock())
        if execution.status != "SUCCEEDED":
            continue  # a path that does not match here
        checked += 1
        size = len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
        produced = len(json.dumps(execution.output, separators=(",", ":"), ensure_ascii=False))
        assert produced <= growth[0] * size + growth[1], (doc, execution.output)
    assert checked > 50


def _doubling(states: int) -> dict[str, Any]:
    """Each state holds its input twice: the output grows past any quota."""
    chain = {
        f"D{i}": {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$"}, **({"Next": f"D{i + 1}"} if i + 1 < states else {"End": True})}
        for i in range(states)
    }
    return {"StartAt": "D0", "States": chain}


@pytest.mark.parametrize("start", [1, 100, 5000])
def test_the_quota_failure_is_the_same_without_serialising_each_output(start: int) -> None:
    machine = asl_engine.load(_doubling(20))
    doc = {"s": "\u00e9" * start}
    compact = machine.run(doc, clock=VirtualClock(), quotas=Quotas(payload_bytes=20_000))
    watched: list[dict[str, Any]] = []
    eager = machine.run(doc, clock=VirtualClock(), quotas=Quotas(payload_bytes=20_000), listeners=[watched.append])
    assert compact.status == eager.status == "FAILED"
    assert (compact.error, compact.cause) == (eager.error, eager.cause)
    assert compact.error == "States.DataLimitExceeded"
    assert _without_times(compact.history) == _without_times(eager.history) == _without_times(watched)


def _without_times(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in event.items() if k != "timestamp"} for event in events]


def test_a_compact_history_reads_as_an_eager_one() -> None:
    states = {
        f"P{i}": {"Type": "Pass", "Parameters": {"step": i, "v.$": "$.v", "all.$": "$"}, "ResultPath": "$.last",
                  "Next": f"P{i + 1}"}
        for i in range(6)
    }
    states["P6"] = {"Type": "Choice", "Choices": [{"Variable": "$.v", "IsPresent": True, "Next": "Done"}], "Default": "Done"}
    states["Done"] = {"Type": "Succeed", "OutputPath": "$.last"}
    machine = asl_engine.load({"StartAt": "P0", "States": states})
    watched: list[dict[str, Any]] = []
    compact = machine.run({"v": "x" * 40}, clock=VirtualClock())
    eager = machine.run({"v": "x" * 40}, clock=VirtualClock(), listeners=[watched.append])
    assert _without_times(compact.history) == _without_times(eager.history) == _without_times(watched)
    assert compact.output == eager.output


def test_changing_the_input_or_the_output_after_a_run_leaves_its_history_alone() -> None:
    states = {f"P{i}": {"Type": "Pass", "Parameters": {"step": i, "meta.$": "$.meta", "all.$": "$"}, "Next": f"P{i + 1}"}
              for i in range(4)}
    states["P4"] = {"Type": "Pass", "End": True}
    machine = asl_engine.load({"StartAt": "P0", "States": states})
    doc = {"meta": {"source": "x" * 50}}
    execution = machine.run(doc, clock=VirtualClock())
    before = json.dumps(_without_times(machine.run(doc, clock=VirtualClock()).history))
    doc["meta"]["source"] = "changed"
    assert isinstance(execution.output, dict)
    execution.output["meta"]["source"] = "changed too"
    assert json.dumps(_without_times(execution.history)) == before
