"""AWS quotas that shape behaviour, and lifting them."""

from __future__ import annotations

import asl_engine
from asl_engine import Quotas, VirtualClock


def loop(iterations):
    return {
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": iterations, "Next": "Inc"}], "Default": "Done"},
            "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Done": {"Type": "Succeed"},
        },
    }


def test_history_is_capped_at_25000_events():
    ex = asl_engine.load(loop(10_000)).run({"i": 0}, clock=VirtualClock())
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert ex.cause == "The execution reached the maximum number of history events (25000)."
    assert len(ex.history) == 25_000
    assert ex.history[-1]["type"] == "ExecutionFailed"


def test_no_quotas_lifts_the_history_cap():
    ex = asl_engine.load(loop(10_000)).run({"i": 0}, clock=VirtualClock(), quotas=False)
    assert ex.status == "SUCCEEDED"
    assert len(ex.history) > 40_000


def test_custom_quotas():
    ex = asl_engine.load(loop(10)).run({"i": 0}, quotas=Quotas(history_events=10))
    assert ex.cause == "The execution reached the maximum number of history events (10)."


def test_variable_size_limit():
    big = "x" * (256 * 1024)
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"blob.$": "$.big"}, "End": True}}}
    machine = asl_engine.load(definition)
    # The JSON text of the value is what counts: 262,142 characters + 2 quotes.
    assert machine.run({"big": big[:-2]}, quotas=Quotas(payload_bytes=None)).status == "SUCCEEDED"
    ex = machine.run({"big": big[:-1]}, quotas=Quotas(payload_bytes=None))
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")
    assert ex.cause == (
        "The variable 'blob' assigned by the state 'A' has a size of 262145 bytes, more than the maximum of 262144 bytes."
    )


def test_variables_total_limit_counts_live_values_only():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"v.$": "$.s"}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"v.$": "$.s"}, "End": True},
        },
    }
    # Reassigning the same name does not add up.
    ex = asl_engine.load(definition).run({"s": "x" * 1000}, quotas=Quotas(variables_total_bytes=1500))
    assert ex.status == "SUCCEEDED"
    definition["States"]["B"]["Assign"] = {"w.$": "$.s"}
    ex = asl_engine.load(definition).run({"s": "x" * 1000}, quotas=Quotas(variables_total_bytes=1500))
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")
