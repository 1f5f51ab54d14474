"""The local Task handlers of the workloads (benchmarks/workloads/*.json name them).

Every engine calls the same functions: asl as ``handlers={name: fn}``, the
peers through their own local-handler hook (benchmarks/child.py).
"""

from __future__ import annotations

from typing import Any


def increment(event: dict[str, Any]) -> dict[str, Any]:
    return {"i": event["i"] + 1}


def step(event: dict[str, Any]) -> dict[str, Any]:
    return {"n": event["n"] + 1}


HANDLERS = {"increment": increment, "step": step}
