"""A progress bar on stderr for long runs: Map items done / total and their rate.

Shown only when stderr is a terminal; a run whose stderr is a file or a pipe
prints nothing extra. It listens to the execution's history: each
``MapStateStarted`` adds its ``length`` to the total, each
``MapIteration{Succeeded,Failed,Aborted}`` counts one item done. It redraws
at most ten times a second (real time, whatever the execution's clock), so
it costs a counter per event.
"""

from __future__ import annotations

import time
from typing import Any, Callable, TextIO

__all__ = ["MapProgress"]

_DONE = frozenset({"MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"})
_WIDTH = 30


class MapProgress:
    """A history listener that draws ``[#####.....] done/total items  rate/s`` on ``stream``."""

    def __init__(self, stream: TextIO, now: Callable[[], float] = time.monotonic, interval: float = 0.1,
                 minimum: int = 100) -> None:
        self.stream, self._now, self._interval, self._minimum = stream, now, interval, minimum
        self.total = self.done = 0
        self._start: float | None = None
        self._drawn = 0.0
        self._shown = False

    @classmethod
    def for_terminal(cls, stream: TextIO) -> "MapProgress | None":
        """A progress bar when ``stream`` is a terminal, else ``None``."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream) if isatty is not None and isatty() else None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "MapStateStarted":
            self.total += int((event.get("mapStateStartedEventDetails") or {}).get("length", 0))
            if self._start is None:
                self._start = self._now()
        elif kind in _DONE:
            self.done += 1
            now = self._now()
            if self.total >= self._minimum and (now - self._drawn >= self._interval or self.done == self.total):
                self._drawn = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        total = max(self.total, 1)
        filled = min(_WIDTH, self.done * _WIDTH // total)
        elapsed = now - (now if self._start is None else self._start)
        rate = f"{self.done / elapsed:,.0f}/s" if elapsed > 0 else "-"
        self.stream.write(f"\r[{'#' * filled}{'.' * (_WIDTH - filled)}] {self.done:,}/{self.total:,} items  {rate}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the bar's line (only if one was drawn)."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
