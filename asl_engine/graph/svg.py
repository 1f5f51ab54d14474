"""SVG (laid out by :mod:`.layout`) and one self-contained HTML page.

Classes carry the meaning and CSS the look: ``node <type>`` and, with a
run, the outcome (``succeeded``, ``failed``...); edges ``edge <kind>`` and
``taken``. The HTML page inlines the SVG, its CSS, a small script and the
run's data: clicking a state shows its definition and, with a run, its
input, output, error and time. Nothing is fetched when it is viewed.
"""

from __future__ import annotations

import json
from typing import Any

from .layout import ScopeLayout, layout
from .model import CATCH, END, START, Graph, Node
from .run import OUTCOMES, Run, duration_text
from .style import COLOURS, node_lines, taken

CHAR_W, LINE_H, MARKER = 6.6, 15.0, 22.0
LEGEND_H = 30.0
_SVG_NS = "http://www.w3.org/2000/svg"


def _escape(text: str) -> str:
    """XML text; ``//`` as character references, so a URL in a label is no link in the page."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("//", "&#47;&#47;"))


def _measure(run: Run | None) -> Any:
    def measure(node: Node) -> tuple[float, float]:
        if node.is_marker:
            return MARKER, MARKER
        lines = node_lines(node, run)
        return max(110.0, max(len(t) for t in lines) * CHAR_W + 24), LINE_H * len(lines) + 14
    return measure


def _label_width(text: str) -> float:
    return len(text) * CHAR_W * 0.9 + 8 if text else 0.0


def _css() -> str:
    rules = [
        "svg.asl-graph{font-family:Helvetica,Arial,sans-serif;font-size:12px}",
        ".node>rect{fill:#fff;stroke:#546e7a;stroke-width:1.2}",
        ".node.Choice>rect{stroke-dasharray:0;fill:#f5f8ff}",
        ".node.container>rect{fill:#fafafa;stroke:#90a4ae}",
        ".branch>rect{fill:none;stroke:#cfd8dc;stroke-dasharray:4 3}",
        ".node text.name{font-weight:bold}",
        ".node text.type{fill:#546e7a;font-size:11px}",
        ".marker circle{fill:#37474f}",
        ".marker.end circle.ring{fill:none;stroke:#37474f;stroke-width:1.5}",
        ".edge path{fill:none;stroke:#78909c;stroke-width:1.3}",
        ".edge.catch path{stroke-dasharray:5 4;stroke:#b07070}",
        ".edge.taken path{stroke:#263238;stroke-width:2.6}",
        ".edge text{fill:#37474f;font-size:10.5px}",
        ".edge rect{fill:#fff;opacity:.85}",
        ".node[data-state]{cursor:pointer}",
        ".node.selected>rect{stroke-width:3}",
    ]
    for name, (fill, stroke, colour) in COLOURS.items():
        rules.append(f".{name}>rect{{fill:{fill};stroke:{stroke}}} .{name}>text{{fill:{colour}}}")
    return "\n".join(rules)


def render_svg(graph: Graph, run: Run | None = None, *, standalone: bool = True) -> str:
    """The graph as SVG; ``standalone=False`` leaves out the XML namespace (SVG inline in HTML)."""
    scope = layout(graph.root, _measure(run), _label_width)
    top = LEGEND_H if run is not None else 0.0
    width, height = max(scope.w, 520.0 if run is not None else 0.0), scope.h + top
    namespace = f' xmlns="{_SVG_NS}"' if standalone else ""
    out = [f'<svg{namespace} class="asl-graph" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}">',
           f"<style>{_css()}</style>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker></defs>']
    if run is not None:
        out.append(_legend(run))
    out.append(f'<g transform="translate(0,{top:.0f})">')
    _draw_scope(scope, run, out)
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def _legend(run: Run) -> str:
    parts = ['<g class="legend">']
    x = 12.0
    if run.status:
        parts.append(f'<text x="{x:.0f}" y="19" font-weight="bold">{_escape(run.status)}</text>')
        x += len(run.status) * CHAR_W + 20
    for name in OUTCOMES:
        label = name.replace("_", " ")
        parts.append(f'<g class="{name}"><rect x="{x:.0f}" y="7" width="14" height="14" rx="3"/>'
                     f'<text x="{x + 19:.0f}" y="19">{label}</text></g>')
        x += 19 + len(label) * CHAR_W + 16
    parts.append("</g>")
    return "".join(parts)


def _draw_scope(scope: ScopeLayout, run: Run | None, out: list[str]) -> None:
    for route in scope.routes:
        edge = route.edge
        classes = ["edge", edge.kind] + (["taken"] if taken(scope.scope, edge, run) else [])
        out.append(f'<g class="{" ".join(classes)}"><path d="{route.path}" marker-end="url(#arrow)"/>')
        if edge.label:
            w = _label_width(edge.label)
            x = route.label_x if route.back else route.label_x - w / 2
            out.append(f'<rect x="{x:.1f}" y="{route.label_y - 11:.1f}" width="{w:.1f}" height="14" rx="2"/>'
                       f'<text x="{x + 4:.1f}" y="{route.label_y:.1f}">{_escape(edge.label)}</text>')
        out.append("</g>")
    for placed in scope.placed.values():
        node = placed.node
        transform = f'transform="translate({placed.x:.1f},{placed.y:.1f})"'
        if node.is_marker:
            r = MARKER / 2
            ring = f'<circle class="ring" cx="{r}" cy="{r}" r="{r - 1}"/>' if node.kind == END else ""
            inner_r = r - 5 if node.kind == END else r - 3
            out.append(f'<g class="marker {node.kind}" {transform}>{ring}<circle cx="{r}" cy="{r}" r="{inner_r}"/>'
                       f"<title>{node.kind}</title></g>")
            continue
        classes = ["node", node.kind] + (["container"] if node.scopes else [])
        if run is not None:
            classes.append(run.outcome(node.name))
        out.append(f'<g class="{" ".join(classes)}" data-state="{_escape(node.name)}" {transform}>'
                   f'<rect width="{placed.w:.1f}" height="{placed.h:.1f}" rx="{0 if node.kind == "Choice" else 6}"/>')
        lines = node_lines(node, run)
        if node.scopes:
            out.append(f'<text class="name" x="{8}" y="16">{_escape(lines[0])}</text>'
                       f'<text class="type" x="{8 + len(lines[0]) * CHAR_W + 8:.1f}" y="16">{_escape(lines[1])}</text>')
            for dx, dy, part in placed.inner:
                out.append(f'<g class="branch" transform="translate({dx:.1f},{dy:.1f})">'
                           f'<rect width="{part.w:.1f}" height="{part.h:.1f}" rx="4"/>')
                if node.kind == "Parallel":
                    out.append(f'<text class="type" x="6" y="12">{_escape(part.scope.label)}</text>')
                _draw_scope(part, run, out)
                out.append("</g>")
        else:
            out.append(f'<text class="name" x="{placed.w / 2:.1f}" y="{LINE_H + 3:.0f}" text-anchor="middle">'
                       f'{_escape(lines[0])}</text>'
                       f'<text class="type" x="{placed.w / 2:.1f}" y="{2 * LINE_H + 3:.0f}" text-anchor="middle">'
                       f'{_escape(lines[1])}</text>')
        out.append("</g>")


_PAGE_CSS = """
body{margin:0;font-family:Helvetica,Arial,sans-serif;color:#263238;display:flex;flex-direction:column;height:100vh}
header{padding:10px 16px;border-bottom:1px solid #cfd8dc;font-size:15px}
header small{color:#607d8b;margin-left:12px}
main{flex:1;display:flex;min-height:0}
#graph{flex:1;overflow:auto;padding:8px}
aside{width:380px;border-left:1px solid #cfd8dc;padding:12px 16px;overflow:auto;font-size:13px}
aside h2{font-size:15px;margin:0 0 8px}
aside h3{font-size:12px;text-transform:uppercase;color:#607d8b;margin:14px 0 4px}
aside pre{background:#f5f7f8;padding:8px;white-space:pre-wrap;word-break:break-all;margin:0}
.hint{color:#78909c}
"""

_PAGE_JS = """
(function(){
  var data = JSON.parse(document.getElementById('asl-data').textContent);
  var panel = document.getElementById('details');
  function pretty(text){
    if (text === null || text === undefined) return null;
    if (typeof text !== 'string') return JSON.stringify(text, null, 2);
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function add(tag, text, parent){
    var el = document.createElement(tag); el.textContent = text; (parent || panel).appendChild(el); return el;
  }
  function section(title, text){
    if (text === null || text === undefined || text === '') return;
    add('h3', title); add('pre', text);
  }
  function show(name){
    var state = data.states[name] || {};
    var run = data.run ? (data.run[name] || null) : null;
    panel.textContent = '';
    add('h2', name + ' (' + state.type + ')');
    if (data.run) {
      if (!run) { add('p', 'Not reached by this run.').className = 'hint'; }
      else {
        var facts = run.outcome.replace('_', ' ');
        if (run.duration) facts += ' \\u00b7 ' + run.duration;
        if (run.visits > 1) facts += ' \\u00b7 ' + run.visits + ' runs';
        if (run.retries) facts += ' \\u00b7 ' + run.retries + (run.retries == 1 ? ' retry' : ' retries');
        add('p', facts);
        if (run.error !== null) section('Error', run.error + (run.cause ? '\\n\\n' + pretty(run.cause) : ''));
        section('Input', pretty(run.input));
        if (run.inspection) {
          Object.keys(run.inspection).forEach(function(step){ section(step, pretty(run.inspection[step])); });
        }
        section('Output', pretty(run.output));
      }
    }
    section('Definition', pretty(state.definition));
  }
  var selected = null;
  document.querySelectorAll('#graph [data-state]').forEach(function(el){
    el.addEventListener('click', function(ev){
      ev.stopPropagation();
      if (selected) selected.classList.remove('selected');
      selected = el; el.classList.add('selected');
      show(el.getAttribute('data-state'));
    });
  });
})();
"""


def _page_data(graph: Graph, run: Run | None) -> dict[str, Any]:
    states = {n.name: {"type": n.kind, "definition": _summary(n)} for n in graph.states()}
    data: dict[str, Any] = {"states": states}
    if run is not None:
        data["run"] = {
            name: {"outcome": s.outcome, "duration": duration_text(s.seconds), "seconds": s.seconds,
                   "visits": s.visits, "retries": s.retries, "input": s.input, "output": s.output,
                   "error": s.error, "cause": s.cause, "inspection": run.inspection.get(name)}
            for name, s in run.states.items()
        }
    return data


def _summary(node: Node) -> dict[str, Any]:
    """The state's definition without its nested states (they have their own boxes)."""
    return {k: v for k, v in node.definition.items() if k not in ("Branches", "ItemProcessor", "Iterator")}


def _script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: ``/`` escaped (no ``</script>``, and no ``https://`` in the page)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("/", "\\/").replace("<!--", "<\\u0021--")


def render_html(graph: Graph, run: Run | None = None, title: str = "state machine") -> str:
    """One self-contained page: the SVG, its styles, the data and the script, all inline."""
    status = f"<small>{_escape(run.status)}</small>" if run is not None and run.status else ""
    hint = "Click a state to see its definition" + (", input, output, error and time." if run is not None else ".")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{_escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n"
        f"<header><strong>{_escape(title)}</strong>{status}</header>\n"
        f'<main><div id="graph">\n{render_svg(graph, run, standalone=False)}</div>\n'
        f'<aside id="details"><p class="hint">{hint}</p></aside></main>\n'
        f'<script type="application/json" id="asl-data">{_script_json(_page_data(graph, run))}</script>\n'
        f"<script>{_PAGE_JS}</script>\n</body>\n</html>\n"
    )
