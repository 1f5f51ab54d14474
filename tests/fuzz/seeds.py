"""Seeds and settings shared by the fuzz tests (seeded, bounded, counted: each test asserts how many cases it ran)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl_engine.testing.replay import task_state_names

ROOT = Path(__file__).resolve().parents[2]
SEED = 14
"""The one seed of every fuzzer (change it to explore; a finding gets its own regression test)."""


def seed_definitions() -> list[dict[str, Any]]:
    """Valid definitions to mutate: the bundled ones, the golden one, the repository's conformance cases."""
    found: list[dict[str, Any]] = []
    for path in sorted((ROOT / "definitions").glob("*.asl.json")) + [ROOT / "tests/golden/order_flow.asl.json"]:
        found.append(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "tests/conformance/cases").glob("*.json")):
        found.append(json.loads(path.read_text(encoding="utf-8"))["definition"])
    return found


def bounded_run(machine: Any, input: Any, mutator: Any) -> Any:
    """Run ``machine`` on a virtual clock, every Task mocked (a result or an error,
    picked by the seeded mutator), with a 400-event history cap: a mutated loop
    ends as ``States.Runtime``-style failure instead of a hang."""
    import asl_engine

    responses = [{"Return": {"ok": 1}}, {"Return": [1, 2]}, {"Return": "x"}, {"Throw": {"Error": "Boom", "Cause": "c"}},
                 {"Throw": {"Error": "States.TaskFailed", "Cause": "c"}}]
    mocks = {name: (lambda request, r=mutator.choice(responses): r) for name in task_state_names(machine.definition)}
    quotas = asl_engine.Quotas(history_events=400)
    return machine.run(input, clock=asl_engine.VirtualClock(), mocks=mocks, quotas=quotas, seed=SEED)


def assert_printable(value: Any) -> None:
    """``value`` is JSON ``asl`` can print and store: no NaN/Infinity, no lone surrogate."""
    json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
