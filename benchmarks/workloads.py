"""The benchmark workloads: ASL definitions with their inputs and expected outputs.

The JSON files in ``benchmarks/workloads/`` are the workloads every engine
runs (``make bench``); this module wrote them and reads them. Each file is
``{"title", "definition", "input", "expected", "transitions", "handlers"}``:
``transitions`` counts the states entered (the same on every engine),
``handlers`` lists the local functions of ``benchmarks/handlers.py`` its
Task states call (by the function name at the end of the Lambda ARN).

``python benchmarks/workloads.py`` rewrites the files from the generators
below (stdlib only, so the peers' venv can import this module too).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent / "workloads"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

# The order of the comparison table; "one_pass" is the start-up workload.
NAMES = ["pass_chain", "choice_loop", "task_loop", "map_pass", "parallel", "task_chain"]
STARTUP = "one_pass"


def _chain(states: dict[str, Any], names: list[str]) -> dict[str, Any]:
    for i, name in enumerate(names):
        states[name].update({"Next": names[i + 1]} if i < len(names) - 1 else {"End": True})
    return {"StartAt": names[0], "States": states}


# Constants in templates start at 1: local-workflow-engine 1.0.4 fails on a
# falsy constant in a payload template ("step": 0), a bug no timing needs.


def pass_chain(n: int = 1000) -> dict[str, Any]:
    states = {
        f"S{i}": {
            "Type": "Pass",
            "Parameters": {"step": i + 1, "value.$": "$.value", "source.$": "$.meta.source"},
            "ResultPath": "$.last",
        }
        for i in range(n)
    }
    doc = {"value": 42, "meta": {"source": "bench"}}
    return {
        "title": f"{n:,} Pass chain",
        "definition": _chain(states, list(states)),
        "input": doc,
        "expected": {**doc, "last": {"step": n, "value": 42, "source": "bench"}},
        "transitions": n,
        "handlers": [],
    }


def _loop(iterations: int, increment: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": iterations, "Next": "Increment"}],
                "Default": "Done",
            },
            "Increment": {**increment, "Next": "Check"},
            "Done": {"Type": "Succeed"},
        },
    }


def choice_loop(iterations: int = 10_000) -> dict[str, Any]:
    return {
        "title": f"Choice/Pass loop x{iterations:,} (States.MathAdd)",
        "definition": _loop(iterations, {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}}),
        "input": {"i": 0},
        "expected": {"i": iterations},
        "transitions": 2 * iterations + 2,
        "handlers": [],
    }


def task_loop(iterations: int = 10_000) -> dict[str, Any]:
    return {
        "title": f"Choice/Task loop x{iterations:,} (local handler)",
        "definition": _loop(iterations, {"Type": "Task", "Resource": LAMBDA + "increment"}),
        "input": {"i": 0},
        "expected": {"i": iterations},
        "transitions": 2 * iterations + 2,
        "handlers": ["increment"],
    }


def map_pass(items: int = 10_000) -> dict[str, Any]:
    # "Iterator" (not "ItemProcessor"): the older spelling, which AWS still
    # accepts and every engine compared here reads.
    iterator = _chain(
        {
            "A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}},
            "B": {"Type": "Pass", "ResultPath": "$.b", "Result": True},
            "C": {"Type": "Pass"},
        },
        ["A", "B", "C"],
    )
    return {
        "title": f"inline Map {items:,} x 3 Pass",
        "definition": {
            "StartAt": "Fan",
            "States": {"Fan": {"Type": "Map", "ItemsPath": "$.items", "Iterator": iterator, "End": True}},
        },
        "input": {"items": [{"n": i} for i in range(items)]},
        "expected": [{"n": i, "b": True} for i in range(items)],
        "transitions": 1 + 3 * items,
        "handlers": [],
    }


def parallel(branches: int = 10, depth: int = 10) -> dict[str, Any]:
    def branch(b: int) -> dict[str, Any]:
        names = [f"B{b}S{j}" for j in range(depth)]
        states = {name: {"Type": "Pass", "Parameters": {"branch": b + 1, "step": j + 1, "v.$": "$.v"}}
                  for j, name in enumerate(names)}
        return _chain(states, names)

    return {
        "title": f"Parallel {branches} x {depth} Pass",
        "definition": {
            "StartAt": "Fork",
            "States": {"Fork": {"Type": "Parallel", "Branches": [branch(b) for b in range(branches)], "End": True}},
        },
        "input": {"v": 1},
        "expected": [{"branch": b + 1, "step": depth, "v": 1} for b in range(branches)],
        "transitions": 1 + branches * depth,
        "handlers": [],
    }


def task_chain(n: int = 1000) -> dict[str, Any]:
    states = {f"T{i}": {"Type": "Task", "Resource": LAMBDA + "step"} for i in range(n)}
    return {
        "title": f"{n:,} local-handler Tasks",
        "definition": _chain(states, list(states)),
        "input": {"n": 0},
        "expected": {"n": n},
        "transitions": n,
        "handlers": ["step"],
    }


def one_pass() -> dict[str, Any]:
    return {
        "title": "one Pass state",
        "definition": {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}},
        "input": {"hello": "world"},
        "expected": {"hello": "world"},
        "transitions": 1,
        "handlers": [],
    }


GENERATORS = {f.__name__: f for f in (pass_chain, choice_loop, task_loop, map_pass, parallel, task_chain, one_pass)}


def path(name: str) -> Path:
    return DIR / f"{name}.json"


def load(name: str) -> dict[str, Any]:
    workload: dict[str, Any] = json.loads(path(name).read_text())
    return workload


def write() -> None:
    DIR.mkdir(exist_ok=True)
    for name, make in GENERATORS.items():
        path(name).write_text(json.dumps(make(), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    write()
    print(f"wrote {len(GENERATORS)} workloads to {DIR}", file=sys.stderr)
