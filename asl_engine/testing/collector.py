"""Coverage of the state machines a test session ran, and its reports."""

from __future__ import annotations

import html
import json
import threading
from typing import Any

from ..api import Execution, StateMachine
from .coverage import KINDS, MachineCoverage, measure, offered

__all__ = ["Collector"]


class Collector:
    """Gathers each recorded run's history per machine (by name and definition)."""

    def __init__(self) -> None:
        self._machines: dict[tuple[str, str], tuple[StateMachine, MachineCoverage]] = {}
        self._lock = threading.Lock()

    def record(self, machine: StateMachine, execution: Execution) -> None:
        key = (machine.name, json.dumps(machine.definition, sort_keys=True, default=str))
        with self._lock:
            entry = self._machines.get(key)
            if entry is None:
                entry = self._machines[key] = (machine, offered(machine.name, machine.model.program))
            measure(entry[1], machine.model.program, execution.history)

    @property
    def reports(self) -> list[MachineCoverage]:
        with self._lock:
            return sorted((report for _, report in self._machines.values()), key=lambda r: r.name)

    def total(self) -> float:
        reports = self.reports
        items = sum(len(r.items[k]) for r in reports for k in KINDS)
        done = sum(len(r.covered[k] & set(r.items[k])) for r in reports for k in KINDS)
        return 100.0 if items == 0 else 100.0 * done / items

    # ------------------------------------------------------------ reports
    def term(self) -> str:
        """A table like coverage.py's: one row per machine, covered/total per kind, then what is missing."""
        header = f"{'state machine':<28} {'runs':>4}" + "".join(f" {k:>12}" for k in KINDS) + f" {'total':>7}"
        lines = ["asl coverage", header, "-" * len(header)]
        for report in self.reports:
            cells = "".join(
                f" {len(report.covered[k] & set(report.items[k])):>5}/{len(report.items[k]):<6}" for k in KINDS)
            lines.append(f"{report.name:<28} {report.runs:>4}{cells} {report.percent():>6.1f}%")
        lines.append("-" * len(header))
        lines.append(f"{'TOTAL':<28} {'':>4}{'':>{13 * len(KINDS)}} {self.total():>6.1f}%")
        for report in self.reports:
            for kind in KINDS:
                missing = report.missing(kind)
                if missing:
                    lines.append(f"{report.name}: {kind} not covered: {', '.join(missing)}")
        return "\n".join(lines)

    def json(self) -> str:
        return json.dumps({"total": round(self.total(), 2), "machines": {r.name: r.as_json() for r in self.reports}}, indent=2)

    def html(self) -> str:
        rows = []
        for report in self.reports:
            cells = "".join(f"<td>{len(report.covered[k] & set(report.items[k]))}/{len(report.items[k])}</td>" for k in KINDS)
            missing = "; ".join(f"{k}: {', '.join(map(html.escape, report.missing(k)))}" for k in KINDS if report.missing(k))
            rows.append(f"<tr><td>{html.escape(report.name)}</td><td>{report.runs}</td>{cells}"
                        f"<td>{report.percent():.1f}%</td><td>{missing}</td></tr>")
        head = "".join(f"<th>{k}</th>" for k in KINDS)
        return ("<!doctype html><meta charset='utf-8'><title>asl coverage</title>"
                "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style>"
                f"<h1>asl coverage: {self.total():.1f}%</h1><table><tr><th>state machine</th><th>runs</th>{head}"
                f"<th>total</th><th>not covered</th></tr>{''.join(rows)}</table>")
