"""The graph of a state machine: a scope (the machine, a Parallel branch or a
Map's item processor) holds nodes and the edges between them.

Every scope has a start marker (the edge to ``StartAt``) and an end marker
(the edges of ``End`` states, ``Succeed`` and ``Fail``). A Map or Parallel
node holds the scopes of its processor or branches. Edges never leave their
scope: ASL transitions stay inside the ``States`` they are written in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Protocol

from ..model.states import ChoiceState, MapState, Machine, ParallelState, Program, State
from .rules import rule_label

START, END = "start", "end"
"""The ``kind`` of a scope's markers (a state's kind is its ``Type``)."""

NEXT, DEFAULT, CHOICE, CATCH = "next", "default", "choice", "catch"
"""Edge kinds: ``Next``/``End``/``StartAt``, a Choice's ``Default``, one of its rules, a ``Catch``."""

_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle",
             "direction", "default", "node", "edge", "digraph", "strict"}


@dataclass(frozen=True, slots=True)
class Node:
    """A state (``kind`` its ``Type``) or a marker (``kind`` ``start``/``end``, ``name`` empty)."""

    id: str
    name: str
    kind: str
    scopes: tuple["Scope", ...] = ()
    definition: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_marker(self) -> bool:
        return self.kind in (START, END)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str = NEXT
    label: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    """One ``StartAt`` + ``States``: nodes (start marker first, end marker last) and edges."""

    id: str
    label: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @property
    def start(self) -> Node:
        return self.nodes[0]

    @property
    def end(self) -> Node:
        return self.nodes[-1]


@dataclass(frozen=True, slots=True)
class Graph:
    root: Scope
    comment: str | None = None

    def nodes(self) -> Iterator[Node]:
        """Every node, depth first, in definition order."""
        return _walk(self.root)

    def states(self) -> Iterator[Node]:
        return (n for n in self.nodes() if not n.is_marker)


def _walk(scope: Scope) -> Iterator[Node]:
    for node in scope.nodes:
        yield node
        for inner in node.scopes:
            yield from _walk(inner)


class _HasModel(Protocol):
    @property
    def model(self) -> Machine: ...


def build_graph(machine: Machine | _HasModel) -> Graph:
    """The graph of a loaded state machine (``asl_engine.load(...)``) or of its model."""
    model = machine if isinstance(machine, Machine) else machine.model
    ids = _Ids()
    return Graph(_scope(model.program, model.raw, "root", "", ids), model.comment)


class _Ids:
    """Unique node ids, readable where the state name allows (Mermaid and dot both accept them)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", wanted) or "s"
        if base[0].isdigit() or base.lower() in _RESERVED:
            base = f"s_{base}"
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}_{n}"
        self.used.add(candidate)
        return candidate


def _scope(program: Program, raw: Mapping[str, Any], scope_id: str, label: str, ids: _Ids) -> Scope:
    raw_states = raw.get("States", {}) if isinstance(raw, Mapping) else {}
    node_ids = {name: ids(name) for name in program.states}
    start = Node(ids(f"{scope_id}_start"), "", START)
    end = Node(ids(f"{scope_id}_end"), "", END)
    nodes = [start]
    edges = [Edge(start.id, node_ids[program.start_at])]
    for name, state in program.states.items():
        state_raw = raw_states.get(name, {})
        nodes.append(Node(node_ids[name], name, state.type, _inner(state, state_raw, node_ids[name], ids), state_raw))
        edges.extend(_edges(state, state_raw, node_ids, end.id))
    nodes.append(end)
    return Scope(scope_id, label, tuple(nodes), tuple(edges))


def _inner(state: State, raw: Mapping[str, Any], node_id: str, ids: _Ids) -> tuple[Scope, ...]:
    if isinstance(state, MapState) and state.processor is not None:
        processor = raw.get("ItemProcessor") or raw.get("Iterator") or {}
        return (_scope(state.processor, processor, f"{node_id}_items", "items", ids),)
    if isinstance(state, ParallelState):
        branches = raw.get("Branches") or []
        return tuple(
            _scope(b, branches[i] if i < len(branches) else {}, f"{node_id}_branch{i + 1}", f"branch {i + 1}", ids)
            for i, b in enumerate(state.branches)
        )
    return ()


def _edges(state: State, raw: Mapping[str, Any], node_ids: Mapping[str, str], end: str) -> Iterator[Edge]:
    source = node_ids[state.name]
    if isinstance(state, ChoiceState):
        raw_rules = raw.get("Choices") or []
        for i, rule in enumerate(state.choices):
            yield Edge(source, node_ids[rule.next], CHOICE, rule_label(raw_rules[i]) if i < len(raw_rules) else "")
        if state.default is not None:
            yield Edge(source, node_ids[state.default], DEFAULT, "Default")
    elif state.next is not None:
        yield Edge(source, node_ids[state.next])
    else:  # End, Succeed, Fail
        yield Edge(source, end)
    for catcher in state.catchers:
        yield Edge(source, node_ids[catcher.next], CATCH, ", ".join(catcher.error_equals))
