"""The console of ``asl serve``: a few self-contained pages at ``/``.

* ``GET /``: the state machines, each with its executions (status, start,
  duration), newest first;
* ``GET /execution?arn=<execution ARN>``: the machine's graph with the path
  the execution took coloured by outcome (``asl_engine.graph``), and its
  event table. A page of a running execution reloads itself every two
  seconds.

Pages are plain HTML with inline CSS and SVG: nothing is fetched from the
network when they are viewed. Every value shown is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import parse_qs, quote, urlsplit

from ..api import load
from ..graph import build_graph, read_run
from ..graph.svg import render_svg
from ..service import Service, ServiceError

__all__ = ["console_page"]

Answer = tuple[int, dict[str, str], bytes]

_CSS = (
    "body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#263238}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #e0e0e0;text-align:left}"
    ".SUCCEEDED{color:#2e7d32}.FAILED,.TIMED_OUT{color:#c62828}.ABORTED{color:#6d4c41}.RUNNING{color:#1565c0}"
    "code{font-size:12px}.graph{margin:16px 0;overflow:auto}a{color:#1565c0}"
)


def _page(title: str, body: str, refresh: bool = False) -> Answer:
    meta = '<meta http-equiv="refresh" content="2">' if refresh else ""
    text = (f"<!doctype html><html><head><meta charset='utf-8'>{meta}<title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>")
    return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, text.encode("utf-8")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


def _duration(item: Mapping[str, Any]) -> str:
    stop = item.get("stopDate")
    if stop is None:
        return "running"
    seconds = (stop - item["startDate"]).total_seconds()
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _home(service: Service) -> Answer:
    parts = ["<h1>asl serve</h1>"]
    machines = service.call("ListStateMachines", {"maxResults": 1000})["stateMachines"]
    if not machines:
        parts.append("<p>No state machines yet.</p>")
    for machine in machines:
        arn = machine["stateMachineArn"]
        parts.append(f"<h2>{html.escape(machine['name'])} <small>({html.escape(machine['type'])})</small></h2>")
        executions = service.executions(arn)[:100]
        if not executions:
            parts.append("<p>No executions.</p>")
            continue
        rows = "".join(
            f"<tr><td><a href='/execution?arn={quote(e['executionArn'], safe='')}'>{html.escape(e['name'])}</a></td>"
            f"<td class='{e['status']}'>{e['status']}</td><td>{_when(e['startDate'])}</td><td>{_duration(e)}</td></tr>"
            for e in executions
        )
        parts.append(f"<table><tr><th>execution</th><th>status</th><th>start</th><th>duration</th></tr>{rows}</table>")
    return _page("asl serve", "".join(parts), refresh=False)


def _event_row(event: Mapping[str, Any]) -> str:
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
    text = json.dumps(details, ensure_ascii=False)[:300] if details else ""
    return (f"<tr><td>{event['id']}</td><td>{event.get('previousEventId', '')}</td><td>{html.escape(event['type'])}</td>"
            f"<td>{_when(event['timestamp'])}</td><td><code>{html.escape(text)}</code></td></tr>")


def _execution(service: Service, arn: str) -> Answer:
    described = service.describe_execution(arn)
    definition = service.call("DescribeStateMachineForExecution", {"executionArn": arn})["definition"]
    events = service.history(arn)
    machine = load(json.loads(definition), name=described["stateMachineArn"].split(":")[6])
    picture = render_svg(build_graph(machine), read_run(events), standalone=False)
    status = described["status"]
    error = ""
    if described.get("error") or described.get("cause"):
        error = (f"<p class='FAILED'>{html.escape(str(described.get('error') or ''))}: "
                 f"{html.escape(str(described.get('cause') or ''))}</p>")
    rows = "".join(_event_row(event) for event in events)
    body = (f"<p><a href='/'>all executions</a></p><h1>{html.escape(described['name'])}</h1>"
            f"<p>{html.escape(described['stateMachineArn'])}</p>"
            f"<p>status <b class='{status}'>{status}</b> · started {_when(described['startDate'])} · {_duration(described)}</p>"
            f"{error}<div class='graph'>{picture}</div>"
            f"<h2>Events</h2><table><tr><th>id</th><th>previous</th><th>type</th><th>time</th><th>details</th></tr>{rows}</table>")
    return _page(described["name"], body, refresh=status == "RUNNING")


def console_page(service: Service, method: str, target: str) -> Answer | None:
    """The console's answer to ``method target``, or ``None`` when it is not a console page."""
    if method != "GET":
        return None
    parts = urlsplit(target)
    if parts.path == "/":
        return _home(service)
    if parts.path == "/execution":
        arn = (parse_qs(parts.query).get("arn") or [""])[0]
        try:
            return _execution(service, arn)
        except ServiceError as err:
            return _page("not found", f"<p><a href='/'>all executions</a></p><p>{html.escape(err.message)}</p>")
    return None
