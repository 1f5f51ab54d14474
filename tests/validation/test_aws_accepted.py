"""No false alarms: every definition AWS accepted validates without an ERROR.

The conformance corpus (``shared/conformance/localstack``) holds 966
executions recorded on AWS, so AWS created each of their state machines:
JSONPath and JSONata, variables, distributed Map with ItemReader/ResultWriter,
service integrations, callbacks. The recording tool replaced some values
with placeholders (``<lambda_function_name>``); they are swapped for a plain
name before validating.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from asl_engine.definition.validate import validate_document
from tests.conformance.corpus import cases_dir, corpus_missing_reason
from tests.conformance.teststate_corpus import load_cases as load_teststate_calls
from tests.conformance.teststate_corpus import missing_reason as ts_missing_reason

pytestmark = pytest.mark.skipif(corpus_missing_reason() is not None, reason=corpus_missing_reason() or "")

_PLACEHOLDER = re.compile(r"<[A-Za-z0-9_:.-]+>")


def _unmask(value: Any) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub("placeholder", value)
    if isinstance(value, dict):
        return {k: _unmask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmask(v) for v in value]
    return value


def test_every_recorded_definition_is_valid():
    folder = cases_dir()
    assert folder is not None
    refused = []
    count = 0
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        count += 1
        diagnostics = validate_document(_unmask(case["definition"]), state_machine_type=case.get("state_machine_type", "STANDARD"))
        errors = [f"{d.code} {d.path}: {d.message}" for d in diagnostics if d.severity == "ERROR" or d.code == "VALIDATOR_ERROR"]
        if errors:
            refused.append((call.id, errors))
    assert count > 900
    assert not refused, json.dumps(refused[:20], indent=1)


_GRAPH_CODES = {"MISSING_TRANSITION_TARGET", "MISSING_END_STATE"}


@pytest.mark.skipif(ts_missing_reason() is not None, reason=ts_missing_reason() or "")
def test_teststate_definitions():
    """TestState validates a state as CreateStateMachine does: what it ran is valid,
    what it refused as InvalidDefinition is refused with AWS's message and place.
    A single state is wrapped in a machine named like AWS's ("StateName"); the
    transitions it names lead outside the wrapper, so graph diagnostics are ignored."""
    refused, checked = [], 0
    for call in load_teststate_calls():
        case = call.data
        try:
            definition = json.loads(case["request"]["definition"])
        except (KeyError, ValueError):
            continue
        if case["state_under_test"]["definition_kind"] == "state":
            definition = {"StartAt": "StateName", "States": {"StateName": definition}}
        errors = [d for d in validate_document(_unmask(definition)) if d.severity == "ERROR" and d.code not in _GRAPH_CODES]
        checked += 1
        exception = case.get("expected_exception") or {}
        message = exception.get("message", "")
        if exception.get("code") == "InvalidDefinition" and message.startswith("Invalid State Machine Definition"):
            assert any(f"{d.code}: {d.message} at {d.path}" in message for d in errors), (call.id, message, errors)
        elif errors:
            refused.append((call.id, [f"{d.code} {d.path}: {d.message}" for d in errors]))
    assert checked > 100
    assert not refused, json.dumps(refused[:20], indent=1)
