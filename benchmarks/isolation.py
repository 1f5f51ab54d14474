"""Per-call cost of ``isolation="process"`` against the in-thread default.

A Choice loop calls one local handler ``N`` times in sequence; the time per
iteration, minus the same loop with a Pass state instead of the Task, is
what one handler call costs. Run: ``.venv/bin/python benchmarks/isolation.py [N]``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import asl_engine


def loop(task: dict[str, Any]) -> asl_engine.StateMachine:
    return asl_engine.load({"StartAt": "Step", "States": {
        "Step": {**task, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": N, "Next": "Step"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    }})


def step(event: dict[str, Any]) -> dict[str, Any]:
    return {"n": event["n"] + 1}


N = 2000  # iterations; main() takes another from the command line
TASK = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:step"}
PASS = {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}}


def per_iteration(machine: asl_engine.StateMachine, **options: Any) -> float:
    machine.run({"n": N - 2}, handlers={"step": step}, quotas=False, **options)  # warm up (forks the worker)
    started = time.perf_counter()
    execution = machine.run({"n": 0}, handlers={"step": step}, quotas=False, **options)
    assert execution.succeeded, execution.cause
    return (time.perf_counter() - started) / N * 1e6


def main() -> None:
    global N
    if len(sys.argv) > 1:
        N = int(sys.argv[1])
    base = per_iteration(loop(PASS))
    print(f"{N} iterations; a Pass instead of the Task: {base:.0f} us per iteration")
    for label, task in (("Task", TASK), ("Task with TimeoutSeconds", {**TASK, "TimeoutSeconds": 60})):
        for isolation in ("thread", "process"):
            took = per_iteration(loop(task), isolation=isolation)
            print(f"{label:<26} {isolation:<8} {took - base:7.0f} us per handler call")


if __name__ == "__main__":
    main()
