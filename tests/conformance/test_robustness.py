"""Bad definitions never crash the engine: recorded definitions, randomly mutated.

Every mutated definition must either load or be refused with a
DefinitionError, and every run must end in a status or a deliberate
EngineError/ExecutionInputError, never an internal error. Seeded, so a
failure reproduces.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

import asl_engine
from asl_engine import VirtualClock

from .corpus import corpus_missing_reason, load_cases

VALUES: list[Any] = [None, 1, -1, 0, 1.5, "x", "$", "$.a", "$$", "{% 1 %}", "{% $x %}", [], {}, [1], {"a": 1}, True,
                     "States.Format('{}')", "$.a[", 10**20]
KEYS = ["Foo", "Next", "End", "ResultPath", "Items", "ItemsPath", "Parameters", "Assign", "Output", "ItemReader"]


def _mutate(definition: Any, rng: random.Random) -> Any:
    mutated = copy.deepcopy(definition)
    places: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                places.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                places.append((node, index))
                walk(value)

    walk(mutated)
    for _ in range(rng.randint(1, 3)):
        container, key = rng.choice(places)
        roll = rng.random()
        if roll < 0.6:
            container[key] = rng.choice(VALUES)
        elif isinstance(container, dict) and roll < 0.8:
            container.pop(key, None)
        elif isinstance(container, dict):
            container[rng.choice(KEYS)] = rng.choice(VALUES)
    return mutated


def _state_names(node: Any, out: list[str]) -> list[str]:
    if isinstance(node, dict):
        if isinstance(node.get("States"), dict):
            out.extend(node["States"])
        for value in node.values():
            _state_names(value, out)
    elif isinstance(node, list):
        for value in node:
            _state_names(value, out)
    return out


@pytest.mark.skipif(corpus_missing_reason() is not None, reason=str(corpus_missing_reason()))
def test_mutated_definitions_never_crash_the_engine() -> None:
    rng = random.Random(20261126)
    definitions = [case.definition for case in load_cases()]
    responses = [{"Return": {"a": 1}}, {"Return": [1]}, {"Throw": {"Error": "E", "Cause": "c"}}, {"Return": "s"}]
    crashes = []
    runs = 0
    for _ in range(1500):
        definition = _mutate(rng.choice(definitions), rng)
        try:
            machine = asl_engine.load(definition)
        except asl_engine.DefinitionError:
            continue
        except Exception as exc:  # noqa: BLE001 - exactly what this test looks for
            crashes.append(("load", repr(exc), definition))
            continue
        mocks = {name: (lambda request, r=rng.choice(responses): r) for name in _state_names(definition, [])}
        runs += 1
        try:
            machine.run(rng.choice([{}, {"a": 1}, [1, 2], "s"]), clock=VirtualClock(), mocks=mocks)
        except (asl_engine.EngineError, asl_engine.ExecutionInputError) as exc:
            if "internal engine error" in str(exc):
                crashes.append(("run", str(exc), definition))
        except Exception as exc:  # noqa: BLE001
            crashes.append(("run", repr(exc), definition))
    assert crashes == []
    assert runs > 100  # most mutations still load: the runs are exercised
