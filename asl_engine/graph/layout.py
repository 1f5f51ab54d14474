"""A layered (Sugiyama-style, much simplified) layout, in pure Python.

Each scope is laid out on its own, inside out: a Map or Parallel node is as
big as its processor's or branches' layouts side by side. In a scope:

1. *Back edges* are the edges a depth-first walk from the start marker (in
   edge order) finds going to a state on its own path (loops); the rest
   form a DAG.
2. *Ranks*: a node's rank is its longest path from the start marker over
   the DAG; the end marker goes below everything.
3. *Order* in a rank: first-seen order of the walk, then one downward
   sweep sorting each rank by the mean position of its predecessors
   (the barycenter heuristic), which untangles most crossings of
   state machines (they are mostly trees with joins).
4. Ranks are rows, centred; forward edges are cubic curves from the
   source's bottom to the target's top, back edges go round the right
   side of the scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .model import Edge, Node, Scope

MARGIN, GAP_X, GAP_Y = 16.0, 36.0, 58.0
TITLE, PAD, BRANCH_GAP = 24.0, 10.0, 14.0
LANE = 14.0  # between the lanes of back edges


@dataclass
class Placed:
    """A node at ``(x, y)`` of its scope, ``w`` by ``h``; a container's inner layouts at their offsets."""

    node: Node
    x: float
    y: float
    w: float
    h: float
    inner: list[tuple[float, float, "ScopeLayout"]] = field(default_factory=list)


@dataclass
class Route:
    edge: Edge
    path: str  # SVG path data
    label_x: float
    label_y: float
    back: bool = False


@dataclass
class ScopeLayout:
    scope: Scope
    w: float
    h: float
    placed: dict[str, Placed]
    routes: list[Route]


Measure = Callable[[Node], tuple[float, float]]
"""A leaf node's (width, height)."""


def layout(scope: Scope, measure: Measure, label_width: Callable[[str], float]) -> ScopeLayout:
    """Positions of ``scope``'s nodes and routes of its edges (see the module docstring)."""
    sizes: dict[str, tuple[float, float]] = {}
    inner: dict[str, list[tuple[float, float, ScopeLayout]]] = {}
    for node in scope.nodes:
        if node.scopes:
            parts = [layout(s, measure, label_width) for s in node.scopes]
            x, placed_parts = PAD, []
            for part in parts:
                placed_parts.append((x, TITLE, part))
                x += part.w + BRANCH_GAP
            inner[node.id] = placed_parts
            sizes[node.id] = (x - BRANCH_GAP + PAD, TITLE + max(p.h for p in parts) + PAD)
        else:
            sizes[node.id] = measure(node)
    back, order = _back_edges(scope)
    rows = _rows(scope, back, order)
    content_w = max(sum(sizes[n][0] for n in row) + GAP_X * (len(row) - 1) for row in rows)
    placed: dict[str, Placed] = {}
    y = MARGIN
    for row in rows:
        row_h = max(sizes[n][1] for n in row)
        x = MARGIN + (content_w - (sum(sizes[n][0] for n in row) + GAP_X * (len(row) - 1))) / 2
        for node_id in row:
            w, h = sizes[node_id]
            node = next(n for n in scope.nodes if n.id == node_id)
            placed[node_id] = Placed(node, x, y + (row_h - h) / 2, w, h, inner.get(node_id, []))
            x += w + GAP_X
        y += row_h + GAP_Y
    routes = _routes(scope, placed, back, MARGIN + content_w, label_width)
    extra = max((r.label_x + label_width(r.edge.label) for r in routes if r.back), default=0.0)
    return ScopeLayout(scope, max(MARGIN * 2 + content_w, extra + MARGIN), y - GAP_Y + MARGIN, placed, routes)


def _back_edges(scope: Scope) -> tuple[set[int], list[str]]:
    """Indexes (in ``scope.edges``) of the loops' edges, and the walk's first-seen order."""
    out: dict[str, list[int]] = {n.id: [] for n in scope.nodes}
    for index, edge in enumerate(scope.edges):
        out[edge.source].append(index)
    back: set[int] = set()
    order: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()
    for root in [n.id for n in scope.nodes]:
        if root in done:
            continue
        stack = [(root, iter(out[root]))]
        order.append(root)
        on_path.add(root)
        while stack:
            node, edges = stack[-1]
            for index in edges:
                target = scope.edges[index].target
                if target in on_path:
                    back.add(index)
                elif target not in done:
                    order.append(target)
                    on_path.add(target)
                    stack.append((target, iter(out[target])))
                    break
            else:
                stack.pop()
                on_path.discard(node)
                done.add(node)
    return back, order


def _rows(scope: Scope, back: set[int], order: list[str]) -> list[list[str]]:
    forward = [e for i, e in enumerate(scope.edges) if i not in back]
    rank = {n: 0 for n in order}
    for _ in range(len(order)):  # longest path (a DAG: at most len(order) rounds)
        changed = False
        for edge in forward:
            if rank[edge.target] < rank[edge.source] + 1:
                rank[edge.target] = rank[edge.source] + 1
                changed = True
        if not changed:
            break
    end = scope.end.id
    rank[end] = max([r for n, r in rank.items() if n != end], default=0) + 1
    rows: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for node_id in order:
        rows[rank[node_id]].append(node_id)
    rows = [row for row in rows if row]
    position: dict[str, float] = {}
    for row in rows:
        first = {n: i / max(len(row) - 1, 1) for i, n in enumerate(row)}
        def centre(node_id: str, first: dict[str, float] = first) -> float:
            preds = [position[e.source] for e in forward if e.target == node_id and e.source in position]
            return sum(preds) / len(preds) if preds else first[node_id]
        row.sort(key=centre)
        position.update({n: i / max(len(row) - 1, 1) for i, n in enumerate(row)})
    return rows


def _routes(scope: Scope, placed: dict[str, Placed], back: set[int], right: float,
            label_width: Callable[[str], float]) -> list[Route]:
    routes: list[Route] = []
    fan_out: dict[str, list[int]] = {}
    for index, edge in enumerate(scope.edges):
        if index not in back:
            fan_out.setdefault(edge.source, []).append(index)
    lane = right + LANE
    for index, edge in enumerate(scope.edges):
        s, t = placed[edge.source], placed[edge.target]
        if index in back:
            sy, ty = s.y + s.h / 2, t.y + t.h / 2
            path = f"M{_n(s.x + s.w)},{_n(sy)} C{_n(lane)},{_n(sy)} {_n(lane)},{_n(ty)} {_n(t.x + t.w)},{_n(ty)}"
            routes.append(Route(edge, path, lane + 4, (sy + ty) / 2, back=True))
            lane += LANE
            continue
        siblings = fan_out[edge.source]
        spread = min(18.0, s.w / (len(siblings) + 1))
        sx = s.x + s.w / 2 + (siblings.index(index) - (len(siblings) - 1) / 2) * spread
        sy, tx, ty = s.y + s.h, t.x + t.w / 2, t.y
        bend = max((ty - sy) / 2, 20.0)
        path = f"M{_n(sx)},{_n(sy)} C{_n(sx)},{_n(sy + bend)} {_n(tx)},{_n(ty - bend)} {_n(tx)},{_n(ty)}"
        # the curve's midpoint: (P0 + 3 P1 + 3 P2 + P3) / 8
        routes.append(Route(edge, path, (sx + tx) / 2, (sy + ty) / 2 + 4))
    return routes


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
