"""Mock config files: mutated values and texts through ``load_mock_config``,
and the mocks of what loads through a bounded run of the bundled machine.

Acceptable: a ``MockConfig``, ``MockConfigError``; an execution.
"""

from __future__ import annotations

import json
from pathlib import Path

import asl_engine

from .mutator import Mutator
from .seeds import ROOT, SEED, assert_printable

CASES = 300


def test_mutated_mock_configs(tmp_path: Path) -> None:
    mutator = Mutator(SEED)
    source = (ROOT / "definitions/MockConfigFile.json").read_text(encoding="utf-8")
    document = json.loads(source)
    machine = asl_engine.load(ROOT / "definitions/message_processing.asl.json")
    outcomes = {"loaded": 0, "refused": 0, "ran": 0}
    for case in range(CASES):
        path = tmp_path / f"mock{case % 4}.json"
        if case % 2:
            path.write_bytes(mutator.text(source, mutations=2))
        else:
            path.write_text(json.dumps(mutator.value(document, mutations=2)), encoding="utf-8")
        try:
            config = asl_engine.load_mock_config(path)
        except asl_engine.MockConfigError as error:
            assert "\n" not in str(error)
            outcomes["refused"] += 1
            continue
        outcomes["loaded"] += 1
        try:
            cases = config.test_cases("message_processing")
            mocks = config.mocks("message_processing", mutator.choice(cases)) if cases else None
        except asl_engine.MockConfigError:
            continue
        if mocks is not None:
            execution = machine.run({"id": "1"}, clock=asl_engine.VirtualClock(), mocks=mocks,
                                    quotas=asl_engine.Quotas(history_events=400))
            assert_printable(execution.output)
            outcomes["ran"] += 1
    assert outcomes["loaded"] + outcomes["refused"] == CASES and min(outcomes.values()) > 0, outcomes
