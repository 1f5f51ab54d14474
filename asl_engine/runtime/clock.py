"""Clocks: every wait the engine makes goes through one.

``SystemClock`` sleeps for real. ``VirtualClock`` never sleeps: ``sleep``
moves its time forward, so a one-day Wait or a long retry back-off runs in
microseconds while history timestamps still show the time that passed
(the idea of Temporal's time-skipping test server).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]


class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        """Wait ``seconds``; return False early if ``cancel`` gets set."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if seconds <= 0:
            return not (cancel is not None and cancel.is_set())
        if cancel is None:
            time.sleep(seconds)
            return True
        return not cancel.wait(seconds)


class VirtualClock:
    """Time that moves only when the engine waits.

    ``start`` defaults to the real time at construction. Thread-safe: waits
    made by concurrent branches each move the shared time forward.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            # Let each reading advance by a microsecond so that events keep
            # a strict order, as real clocks give.
            self._now += timedelta(microseconds=1)
            return self._now

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if cancel is not None and cancel.is_set():
            return False
        if seconds > 0:
            with self._lock:
                self._now += timedelta(seconds=seconds)
        return True

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (for tests)."""
        self.sleep(seconds)
