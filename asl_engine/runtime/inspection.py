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

import threading
from typing import Any, Callable, Protocol

__all__ = ["Inspector", "VisitInspector"]


class Inspector(Protocol):
    """Receives the value of each data-flow step of the state being run."""

    def record(self, step: str, value: Any) -> None: ...


class VisitInspector:
    """The inspection of a whole run: the steps of each state visit, one record
    per visit handed to ``sink`` when the state exits or fails::

        {"name": "Charge", "enteredEventId": 6, "afterInputPath": ..., "afterParameters": ...,
         "result": ..., "afterResultSelector": ..., "afterResultPath": ...}

    Branches run on threads, and a branch that only computes runs on its
    parent's thread inside the parent's state: each thread keeps a stack of
    the visits it is in, and a step belongs to the innermost one.
    """

    def __init__(self, sink: Callable[[dict[str, Any]], None]) -> None:
        self._sink = sink
        self._local = threading.local()

    def _stack(self) -> list[dict[str, Any]]:
        stack: list[dict[str, Any]] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def begin(self, name: str, entered: int) -> None:
        self._stack().append({"name": name, "enteredEventId": entered})

    def end(self) -> None:
        stack = self._stack()
        if stack:
            visit = stack.pop()
            if len(visit) > 2:
                self._sink(visit)

    def record(self, step: str, value: Any) -> None:
        stack = self._stack()
        if stack:
            stack[-1][step] = value
