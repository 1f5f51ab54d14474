"""Mermaid (``flowchart TD`` with subgraphs) and Graphviz dot (clusters) text."""

from __future__ import annotations

import json

from .model import CATCH, END, START, Graph, Node, Scope
from .run import OUTCOMES, Run
from .style import COLOURS, node_lines, taken

_MERMAID_SHAPES = {START: ("((", "))"), END: ("((", "))"), "Choice": ("{", "}"), "Pass": ("(", ")"),
                   "Wait": ("(", ")"), "Succeed": ("([", "])"), "Fail": ("([", "])")}


def render_mermaid(graph: Graph, run: Run | None = None) -> str:
    """A Mermaid flowchart; Map and Parallel are subgraphs; with a run, classes by outcome."""
    lines = ["flowchart TD"]
    links = _Links()
    _mermaid_scope(graph.root, run, lines, links, "    ")
    if run is not None:
        lines.extend(_mermaid_overlay(graph, run, links))
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;"))


class _Links:
    """Mermaid numbers links in the order they are written; ``linkStyle`` names the taken ones."""

    def __init__(self) -> None:
        self.count = 0
        self.taken: list[int] = []


def _mermaid_scope(scope: Scope, run: Run | None, lines: list[str], links: _Links, indent: str) -> None:
    for node in scope.nodes:
        if node.scopes:
            lines.append(f'{indent}subgraph {node.id}["{_mermaid_text(f"{node.name} ({node.kind})")}"]')
            lines.append(f"{indent}    direction TB")
            for inner in node.scopes:
                if node.kind == "Parallel":
                    lines.append(f'{indent}    subgraph {inner.id}["{inner.label}"]')
                    _mermaid_scope(inner, run, lines, links, indent + "        ")
                    lines.append(f"{indent}    end")
                else:
                    _mermaid_scope(inner, run, lines, links, indent + "    ")
            lines.append(f"{indent}end")
        else:
            open_, close = _MERMAID_SHAPES.get(node.kind, ("[", "]"))
            label = "<br/>".join(_mermaid_text(t) for t in node_lines(node, run))
            lines.append(f'{indent}{node.id}{open_}"{label}"{close}')
    for edge in scope.edges:
        arrow = "-.->" if edge.kind == CATCH else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        if taken(scope, edge, run):
            links.taken.append(links.count)
        links.count += 1
        lines.append(f"{indent}{edge.source} {arrow}{label} {edge.target}")


def _mermaid_overlay(graph: Graph, run: Run, links: _Links) -> list[str]:
    out = ['    subgraph legend["Legend"]']
    out.extend(f'        legend_{o}["{o.replace("_", " ")}"]' for o in OUTCOMES)
    out.append("    end")
    for name, (fill, stroke, colour) in COLOURS.items():
        out.append(f"    classDef {name} fill:{fill},stroke:{stroke},color:{colour}")
    by_outcome: dict[str, list[str]] = {o: [f"legend_{o}"] for o in OUTCOMES}
    for node in graph.states():
        by_outcome[run.outcome(node.name)].append(node.id)
    out.extend(f"    class {','.join(ids)} {o}" for o, ids in by_outcome.items())
    if links.taken:
        out.append(f"    linkStyle {','.join(map(str, links.taken))} stroke-width:3px")
    return out


_DOT_SHAPES = {START: "circle", END: "doublecircle", "Choice": "diamond", "Succeed": "oval", "Fail": "oval"}


def _dot_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_dot(graph: Graph, run: Run | None = None) -> str:
    """Graphviz dot text; Map and Parallel are clusters; with a run, fill colours by outcome."""
    lines = [
        "digraph machine {",
        "    compound=true;",
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    _dot_scope(graph.root, run, lines, "    ")
    if run is not None:
        lines.append("    subgraph cluster_legend {")
        lines.append('        label="Legend";')
        for name, (fill, stroke, colour) in COLOURS.items():
            lines.append(f'        legend_{name} [label="{name.replace("_", " ")}", fillcolor="{fill}", '
                         f'color="{stroke}", fontcolor="{colour}"];')
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_attributes(node: Node, run: Run | None) -> str:
    attrs = [f"label={_dot_text(chr(10).join(node_lines(node, run)))}"]
    if node.kind in _DOT_SHAPES:
        attrs.append(f"shape={_DOT_SHAPES[node.kind]}")
    if node.is_marker:
        attrs.append("width=0.3, fixedsize=false, fontsize=8")
    elif run is not None:
        fill, stroke, colour = COLOURS[run.outcome(node.name)]
        attrs.append(f'fillcolor="{fill}", color="{stroke}", fontcolor="{colour}"')
    return ", ".join(attrs)


def _dot_scope(scope: Scope, run: Run | None, lines: list[str], indent: str) -> None:
    containers = {n.id for n in scope.nodes if n.scopes}
    for node in scope.nodes:
        if not node.scopes:
            lines.append(f"{indent}{_dot_text(node.id)} [{_dot_attributes(node, run)}];")
            continue
        lines.append(f"{indent}subgraph {_dot_text('cluster_' + node.id)} {{")
        lines.append(f"{indent}    label={_dot_text(f'{node.name} ({node.kind})')};")
        lines.append(f"{indent}    {_dot_text(node.id)} [{_dot_attributes(node, run)}];")
        for inner in node.scopes:
            lines.append(f"{indent}    subgraph {_dot_text('cluster_' + inner.id)} {{")
            lines.append(f"{indent}        label={_dot_text(inner.label)};")
            _dot_scope(inner, run, lines, indent + "        ")
            lines.append(f"{indent}    }}")
            lines.append(f"{indent}    {_dot_text(node.id)} -> {_dot_text(inner.start.id)} [style=dotted, arrowhead=none];")
        lines.append(f"{indent}}}")
    for edge in scope.edges:
        attrs = [f"label={_dot_text(edge.label)}"] if edge.label else []
        if edge.kind == CATCH:
            attrs.append("style=dashed")
        if edge.source in containers:
            attrs.append(f"ltail={_dot_text('cluster_' + edge.source)}")
        if edge.target in containers:
            attrs.append(f"lhead={_dot_text('cluster_' + edge.target)}")
        if taken(scope, edge, run):
            attrs.append("penwidth=2.5")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"{indent}{_dot_text(edge.source)} -> {_dot_text(edge.target)}{suffix};")
