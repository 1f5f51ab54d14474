"""Pictures of a state machine, and of the path one run took through it.

:func:`build_graph` turns a loaded state machine into a :class:`Graph`
(scopes of nodes and edges; Map and Parallel hold their own scopes);
:func:`read_run` turns an execution history into a :class:`Run` (each
state's outcome, time and data). The renderers draw both::

    graph = build_graph(asl_engine.load("flow.asl.json"))
    render(graph, "mermaid", read_run(execution.history))

Formats: ``mermaid`` (flowchart, subgraphs, ``classDef``), ``dot``
(Graphviz clusters, fill colours), ``svg`` (laid out here, no Graphviz) and
``html`` (one self-contained page with the SVG; click a state for its data).
"""

from __future__ import annotations

from typing import Callable

from .model import Edge, Graph, Node, Scope, build_graph
from .rules import rule_label
from .run import OUTCOMES, HistoryError, Run, StateRun, history_events, read_run
from .svg import render_html, render_svg
from .text import render_dot, render_mermaid

FORMATS: dict[str, Callable[[Graph, Run | None], str]] = {
    "mermaid": render_mermaid,
    "dot": render_dot,
    "svg": render_svg,
    "html": render_html,
}


def render(graph: Graph, format: str, run: Run | None = None) -> str:
    """``graph`` (and ``run``, if any) in one of :data:`FORMATS`."""
    return FORMATS[format](graph, run)


__all__ = [
    "Edge",
    "FORMATS",
    "Graph",
    "HistoryError",
    "Node",
    "OUTCOMES",
    "Run",
    "Scope",
    "StateRun",
    "build_graph",
    "history_events",
    "read_run",
    "render",
    "render_dot",
    "render_html",
    "render_mermaid",
    "render_svg",
    "rule_label",
]
