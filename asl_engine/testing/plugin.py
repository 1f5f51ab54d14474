"""The pytest plugin of ``asl`` (entry point ``pytest11: asl``).

Fixtures:

* ``asl``: ``asl.load(source, name=None)`` loads a machine;
  ``asl.run(machine_or_source, input=None, **run_options)`` runs it on a
  virtual clock (unless ``clock=`` is given) and records the run for
  coverage; ``asl.record(machine, execution)`` records a run made otherwise.

Options:

* ``--asl-coverage[=term|html|json]``: after the session, report per state
  machine the states entered, transitions taken, Retriers and Catchers
  triggered and branches run (``asl_engine.testing.coverage``);
  ``--asl-cov-report-dir DIR`` is where html/json go (default ``.``);
* ``--asl-cov-fail-under N``: fail the session when the total is below N %.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ..api import Execution, StateMachine, load
from ..execution.clock import VirtualClock
from .collector import Collector

__all__ = ["AslFixture"]

_COLLECTOR = pytest.StashKey[Collector]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asl", "state machine coverage (asl)")
    group.addoption("--asl-coverage", nargs="?", const="term", default=None, choices=("term", "html", "json"),
                    help="report the coverage of the state machines the tests ran (term, html or json)")
    group.addoption("--asl-cov-report-dir", default=".", help="where --asl-coverage=html|json writes asl-coverage.*")
    group.addoption("--asl-cov-fail-under", type=float, default=None, metavar="N",
                    help="fail when the total state machine coverage is below N percent")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_COLLECTOR] = Collector()


class AslFixture:
    """What the ``asl`` fixture gives a test."""

    def __init__(self, collector: Collector) -> None:
        self._collector = collector

    def load(self, source: Any, name: str | None = None) -> StateMachine:
        return load(source, name=name)

    def run(self, machine: StateMachine | Any, input: Any = None, **options: Any) -> Execution:
        if not isinstance(machine, StateMachine):
            machine = load(machine)
        options.setdefault("clock", VirtualClock())
        execution = machine.run(input, **options)
        self.record(machine, execution)
        return execution

    def record(self, machine: StateMachine, execution: Execution) -> None:
        self._collector.record(machine, execution)


@pytest.fixture
def asl(request: pytest.FixtureRequest) -> AslFixture:
    """Load and run state machines; every run counts towards ``--asl-coverage``."""
    return AslFixture(request.config.stash[_COLLECTOR])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    fmt = config.getoption("--asl-coverage")
    collector = config.stash[_COLLECTOR]
    if fmt is None and config.getoption("--asl-cov-fail-under") is None:
        return
    if fmt in (None, "term"):
        terminalreporter.write_line(collector.term())
    else:
        folder = Path(config.getoption("--asl-cov-report-dir"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"asl-coverage.{fmt}"
        path.write_text(collector.html() if fmt == "html" else collector.json(), encoding="utf-8")
        terminalreporter.write_line(f"asl coverage: {collector.total():.1f}% ({os.fspath(path)})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    limit = session.config.getoption("--asl-cov-fail-under")
    if limit is None:
        return
    total = session.config.stash[_COLLECTOR].total()
    if total < limit:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"asl coverage {total:.1f}% is below --asl-cov-fail-under {limit:g}", red=True)
