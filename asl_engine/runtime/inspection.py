"""The inspection hook: what TestState sees of one state's data flow.

An ``Interpreter`` given an ``Inspector`` calls ``record(step, value)`` at
each data-flow step of the state it runs, with AWS's TestState names for
the steps: ``afterInputPath``, ``afterParameters`` / ``afterArguments``,
``result``, ``afterResultSelector``, ``afterResultPath`` and, for a Map,
``maxConcurrency``, ``toleratedFailureCount``, ``toleratedFailurePercentage``
(``None`` when the field is absent). Executions run with no inspector: each
step then only tests ``self.inspector is None``.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Inspector"]


class Inspector(Protocol):
    """Receives the value of each data-flow step of the state being run."""

    def record(self, step: str, value: Any) -> None: ...
