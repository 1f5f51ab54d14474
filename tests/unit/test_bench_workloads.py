"""The benchmark workload files (benchmarks/workloads/*.json) stay correct:
asl's output on each equals its expected output, with its transition count."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import asl_engine

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import workloads  # noqa: E402
from handlers import HANDLERS  # noqa: E402


@pytest.mark.parametrize("name", [*workloads.NAMES, workloads.STARTUP])
def test_workload_output(name: str) -> None:
    w: dict[str, Any] = workloads.load(name)
    execution = asl_engine.load(w["definition"]).run(
        w["input"], handlers={h: HANDLERS[h] for h in w["handlers"]}, quotas=False
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output == w["expected"]
    entered = sum(1 for e in execution.history if e["type"].endswith("StateEntered"))
    assert entered == w["transitions"]


def test_files_match_generators() -> None:
    for name, make in workloads.GENERATORS.items():
        assert workloads.load(name) == make(), f"rerun python benchmarks/workloads.py ({name})"
