"""Mutated definitions through ``validate``, ``load`` and a bounded ``run``.

Acceptable: diagnostics, ``DefinitionError``, an execution (any status),
``ExecutionInputError``. Anything else (``EngineError``, a Python exception,
a hang) is a finding.
"""

from __future__ import annotations

import json
import time

import asl_engine

from .mutator import Mutator
from .seeds import SEED, assert_printable, bounded_run, seed_definitions

VALUE_CASES = 1500
TEXT_CASES = 300


def test_mutated_definitions_validate_load_and_run() -> None:
    mutator = Mutator(SEED)
    seeds = seed_definitions()
    ran = 0
    started = time.monotonic()
    for case in range(VALUE_CASES):
        document = mutator.value(mutator.choice(seeds), mutations=2)
        text = json.dumps(document)
        diagnostics = asl_engine.validate(text)
        assert all(isinstance(d, asl_engine.Diagnostic) for d in diagnostics)
        try:
            machine = asl_engine.load(text)
        except asl_engine.DefinitionError:
            assert any(d.severity == "ERROR" for d in diagnostics), (case, text)
            continue
        try:
            execution = bounded_run(machine, mutator.value({"a": 1, "items": [1, 2], "s": "x"}), mutator)
        except asl_engine.ExecutionInputError:
            continue
        assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"), (case, text)
        assert_printable(execution.output)  # printable JSON
        ran += 1
    print(f"definitions: {VALUE_CASES} cases, {ran} ran")
    assert ran > 100  # the mutations are small enough that many still run
    assert time.monotonic() - started < 20


def test_mutated_definition_texts_are_diagnostics() -> None:
    mutator = Mutator(SEED + 1)
    seeds = [json.dumps(d, indent=1) for d in seed_definitions()]
    count = 0
    for _ in range(TEXT_CASES):
        data = mutator.text(mutator.choice(seeds), mutations=3)
        try:
            text = asl_engine.decode_text(data, "the definition")
        except asl_engine.JsonTextError:
            continue
        diagnostics = asl_engine.validate(text)
        assert all(isinstance(d, asl_engine.Diagnostic) for d in diagnostics)
        count += 1
    assert count > TEXT_CASES // 2
