"""What every renderer shows the same way: the colours of the outcomes, a
node's lines of text and whether the run took an edge."""

from __future__ import annotations

from typing import Mapping

from .model import END, START, Edge, Node, Scope
from .run import CAUGHT, FAILED, NOT_REACHED, RETRIED, SUCCEEDED, Run, duration_text

COLOURS: Mapping[str, tuple[str, str, str]] = {
    SUCCEEDED: ("#dcf2e0", "#2e7d32", "#1b4d20"),
    FAILED: ("#fbdada", "#c62828", "#7f1010"),
    CAUGHT: ("#fff1c2", "#b7860b", "#5c4300"),
    RETRIED: ("#ffe2c2", "#e06c00", "#6b3300"),
    NOT_REACHED: ("#f0f0f0", "#a0a0a0", "#808080"),
}
"""Outcome -> (fill, stroke, text colour)."""


def node_lines(node: Node, run: Run | None) -> list[str]:
    """The state name, then its type (with the run: its time, visits and retries)."""
    if node.is_marker:
        return [node.kind]
    detail = node.kind
    state = run.states.get(node.name) if run is not None else None
    if state is not None:
        extras = [duration_text(state.seconds)]
        if state.visits > 1:
            extras.append(f"{state.visits} runs")
        if state.retries:
            extras.append(f"{state.retries} {'retry' if state.retries == 1 else 'retries'}")
        detail = " · ".join([detail, *(e for e in extras if e)])
    return [node.name, detail]


def outcome(node: Node, run: Run) -> str:
    return run.outcome(node.name)


def taken(scope: Scope, edge: Edge, run: Run | None) -> bool:
    """Whether the run went along ``edge`` of ``scope``."""
    if run is None:
        return False
    names = {n.id: n for n in scope.nodes}
    source, target = names[edge.source], names[edge.target]
    if source.kind == START:
        return target.name in run.states
    if target.kind == END:
        state = run.states.get(source.name)
        return state is not None and (state.exited and state.outcome != FAILED or source.kind == "Fail")
    return (source.name, target.name) in run.transitions
