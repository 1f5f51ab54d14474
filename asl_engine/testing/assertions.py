"""Assertion helpers whose failures read like a diff of what AWS would show."""

from __future__ import annotations

import difflib
import json
from typing import Any, Sequence

from ..api import Execution

__all__ = ["assert_failed", "assert_path", "assert_succeeded", "states_entered"]


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, default=str).splitlines()


def _diff(expected: Any, actual: Any, what: str) -> str:
    lines = difflib.unified_diff(_pretty(expected), _pretty(actual), f"expected {what}", f"actual {what}", lineterm="")
    return "\n".join(lines)


def _outcome(execution: Execution) -> str:
    if execution.succeeded:
        return "SUCCEEDED"
    return f"{execution.status}: {execution.error}: {execution.cause}"


def states_entered(execution: Execution) -> list[str]:
    """The names of the states the run entered, in history order."""
    return [e["stateEnteredEventDetails"]["name"] for e in execution.history if e["type"].endswith("StateEntered")]


def assert_succeeded(execution: Execution, output: Any = ...) -> None:
    """The run succeeded (with ``output``, when given)."""
    if not execution.succeeded:
        raise AssertionError(f"the execution did not succeed ({_outcome(execution)}); states entered: {states_entered(execution)}")
    if output is not ... and execution.output != output:
        raise AssertionError("the execution's output differs:\n" + _diff(output, execution.output, "output"))


def assert_failed(execution: Execution, error: str | None = None, cause: str | None = None) -> None:
    """The run failed (with ``error`` / ``cause``, when given)."""
    if execution.status != "FAILED":
        raise AssertionError(f"the execution did not fail: {execution.status}, output {json.dumps(execution.output, default=str)}")
    if error is not None and execution.error != error:
        raise AssertionError(f"the execution failed with {execution.error!r}, not {error!r} (cause: {execution.cause})")
    if cause is not None and execution.cause != cause:
        raise AssertionError("the failure's cause differs:\n" + _diff(cause, execution.cause, "cause"))


def assert_path(execution: Execution, states: Sequence[str]) -> None:
    """The run entered exactly ``states``, in order."""
    actual = states_entered(execution)
    if actual != list(states):
        raise AssertionError("the states entered differ:\n" + _diff(list(states), actual, "states"))
