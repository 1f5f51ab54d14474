"""Testing state machines with pytest: fixtures, readable assertions, coverage.

The plugin (``asl_engine.testing.plugin``) is installed with the package as
the ``pytest11`` entry point ``asl``: the ``asl`` fixture and the
``--asl-coverage`` options are there in every pytest run. See docs/testing.md.
"""

from .assertions import assert_failed, assert_path, assert_succeeded, states_entered
from .collector import Collector
from .coverage import KINDS, MachineCoverage
from .errors import Injection, InjectionReport, inject_errors
from .replay import Replay, recorded_mocks, replay

__all__ = [
    "KINDS", "Collector", "Injection", "InjectionReport", "MachineCoverage", "Replay", "inject_errors", "assert_failed", "assert_path", "assert_succeeded",
    "recorded_mocks", "replay", "states_entered",
]
