"""Resource limits fail with AWS's named errors, in bounded time and memory.

Payloads over 256 KiB are ``States.DataLimitExceeded``; JSONata stays in its
budget (the range operator builds at most 1e6 items, ``$sort`` is
interruptible); intrinsics refuse huge results; a Wait too far away is
``States.Runtime`` "Wait state delay is too long."; nothing prints NaN or
Infinity as JSON. (The 25,000-event history cap: tests/unit/execution/test_quotas.py.)
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli
from asl_engine.dataflow.jsonata_engine import _merge_sort, compile_expression
from asl_engine.errors import StatesError

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"
BIG = "x" * (256 * 1024 + 1)


def _run(states: dict[str, Any], input: Any = None, **options: Any) -> asl_engine.Execution:
    machine = asl_engine.load({"StartAt": next(iter(states)), "States": states})
    return machine.run({} if input is None else input, clock=asl_engine.VirtualClock(), **options)


def _task(**fields: Any) -> dict[str, Any]:
    return {"T": {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}}


# -- 256 KiB ------------------------------------------------------------------------------------------------


def test_a_state_output_over_256_kib_is_data_limit_exceeded() -> None:
    execution = _run({"P": {"Type": "Pass", "Result": BIG, "End": True}})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")


def test_a_task_result_over_256_kib_is_data_limit_exceeded() -> None:
    execution = _run(_task(), handlers={"T": lambda event: BIG})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")


def test_an_execution_input_over_256_kib_is_refused() -> None:
    with pytest.raises(asl_engine.ExecutionInputError, match="AWS accepts at most 262144"):
        _run({"P": {"Type": "Pass", "End": True}}, {"big": BIG})


# -- JSONata ------------------------------------------------------------------------------------------------


def _evaluate(source: str, budget: float = 1.0) -> tuple[float, Any]:
    started = time.monotonic()
    try:
        value: Any = compile_expression("{% " + source + " %}").evaluate({}, field="Output", budget_seconds=budget)
    except StatesError as error:
        value = error
    return time.monotonic() - started, value


def test_the_range_operator_builds_at_most_a_million_items() -> None:
    elapsed, error = _evaluate("$sort([1..10000000], function($a, $b) { $a < $b })")
    assert isinstance(error, StatesError) and error.error == "States.QueryEvaluationError"
    assert "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e6" in str(error.cause)
    assert elapsed < 0.5  # refused before a single item is built (it was 10 s and 1.1 GB)
    assert _evaluate("$count([1..1000000])")[1] == 1_000_000


def test_sort_with_a_comparator_stays_within_the_budget() -> None:
    elapsed, error = _evaluate("$sort([1..1000000], function($a, $b) { $a < $b })", budget=0.2)
    assert isinstance(error, StatesError) and "Expression evaluation timeout" in str(error.cause)
    assert elapsed < 1.0  # Python's sorted(key=cmp_to_key) made a million keys first


def test_the_merge_sort_is_stable_and_orders_as_jsonata() -> None:
    assert _evaluate("$sort([3, 1, 2, 1.5], function($a, $b) { $a > $b })")[1] == [1, 1.5, 2, 3]
    pairs = [{"k": 2, "i": 0}, {"k": 1, "i": 1}, {"k": 2, "i": 2}, {"k": 1, "i": 3}]
    assert _merge_sort(pairs, lambda a, b: a["k"] > b["k"]) == [pairs[1], pairs[3], pairs[0], pairs[2]]
    assert _evaluate("$sort(['b', 'a'])")[1] == ["a", "b"]


def test_jsonata_infinity_is_a_query_evaluation_error() -> None:
    execution = _run({"P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $power(10, 400) %}", "End": True}})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")


# -- intrinsics ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "input"), [
    ("States.ArrayRange(1, 1001, 1)", {}),  # AWS: "can generate up to 1000 elements"
    ("States.ArrayRange(0, $.end, $.step)", {"end": 1e308, "step": 1e-300}),
    ("States.Hash($.s, 'SHA-1')", {"s": "x" * 10_001}),  # AWS: input of at most 10,000 characters
    ("States.StringToJson($.s)", {"s": "[" * 20_000 + "]" * 20_000}),
    ("States.StringToJson($.s)", {"s": "1e999"}),
    ("States.MathAdd($.a, $.b)", {"a": 1.7e308, "b": 1.7e308}),
])
def test_an_intrinsic_with_a_huge_result_is_an_asl_error(expression: str, input: Any) -> None:
    execution = _run({"P": {"Type": "Pass", "Parameters": {"v.$": expression}, "End": True}}, input)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_array_partition_with_a_huge_chunk_size_is_one_chunk() -> None:
    execution = _run({"P": {"Type": "Pass", "Parameters": {"v.$": "States.ArrayPartition($.a, $.n)"}, "End": True}},
                     {"a": [1, 2, 3], "n": 10**12})
    assert execution.output == {"v": [[1, 2, 3]]}


# -- Wait ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "input"), [
    ({"Timestamp": "2600-01-01T00:00:00Z"}, {}),
    ({"TimestampPath": "$.t"}, {"t": "9999-12-31T23:59:59Z"}),
    ({"SecondsPath": "$.s"}, {"s": 1e20}),
    ({"SecondsPath": "$.s"}, {"s": 2**31}),
], ids=["timestamp", "timestamp-path", "seconds-path-1e20", "seconds-path-2**31"])
def test_a_wait_too_far_away_is_states_runtime(state: dict[str, Any], input: Any) -> None:
    execution = _run({"W": {"Type": "Wait", "End": True, **state}}, input)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert str(execution.cause).endswith("Wait state delay is too long.")


@pytest.mark.parametrize(("state", "field"), [
    ({"Seconds": "{% 1e20 %}"}, "Seconds"),
    ({"Timestamp": "{% '2600-01-01T00:00:00Z' %}"}, "Timestamp"),
], ids=["jsonata-seconds", "jsonata-timestamp"])
def test_a_jsonata_wait_too_far_away_is_a_query_evaluation_error(state: dict[str, Any], field: str) -> None:
    execution = _run({"W": {"Type": "Wait", "QueryLanguage": "JSONata", "End": True, **state}}, {})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert str(execution.cause).endswith("Wait state delay is too long.")
    failed = [e["evaluationFailedEventDetails"] for e in execution.history if e["type"] == "EvaluationFailed"]
    assert [(d["location"], d["state"]) for d in failed] == [(field, "W")]


def test_the_longest_wait_aws_accepts_still_waits() -> None:
    execution = _run({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}, {"s": 2**31 - 1})
    assert execution.status == "SUCCEEDED"


# -- NaN, Infinity, lone surrogates never printed ------------------------------------------------------------


@pytest.mark.parametrize("result", [float("nan"), {"a": [float("-inf")]}, "\ud800"], ids=["nan", "infinity", "surrogate"])
def test_a_handler_result_json_cannot_carry_is_a_marshal_error(result: Any) -> None:
    execution = _run(_task(), handlers={"T": lambda event: result})
    assert (execution.status, execution.error) == ("FAILED", "Runtime.MarshalError")
    assert json.loads(str(execution.cause))["errorMessage"].startswith("Unable to marshal response: the result holds")


def test_the_command_line_refuses_1e999(tmp_path: Path) -> None:
    definition = tmp_path / "p.asl.json"
    definition.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    result = CliRunner().invoke(cli, ["run", str(definition), "--input", '{"n": 1e999}'])
    assert result.exit_code == 2 and "the number 1e999 is too large for JSON" in result.stderr


def test_a_history_file_in_a_missing_folder_is_created(tmp_path: Path) -> None:
    definition = tmp_path / "p.asl.json"
    definition.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    history = tmp_path / "not" / "yet" / "h.jsonl"
    result = CliRunner().invoke(cli, ["run", str(definition), "--history-file", str(history)])
    assert result.exit_code == 0, result.stderr
    assert [event["type"] for event in asl_engine.read_history(history)][0] == "ExecutionStarted"
