"""Clocks: every wait the engine makes goes through one.

``SystemClock`` sleeps for real. ``VirtualClock`` never sleeps: ``sleep``
moves its time forward, so a one-day Wait or a long retry back-off runs in
microseconds while history timestamps still show the time that passed
(the idea of Temporal's time-skipping test server).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta, timezone
from typing import ContextManager, Iterator, Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]


class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        """Wait ``seconds``; return False early if ``cancel`` gets set."""
        ...


class BranchSpan:
    """When a concurrent branch started and (once it is over) ended."""

    __slots__ = ("start", "end")

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.end = start


def branch(clock: Clock, start: datetime) -> ContextManager[BranchSpan]:
    """Enter a concurrent branch on ``clock`` (only a ``VirtualClock`` keeps
    branch times; with real time the span stays at ``start``)."""
    method = getattr(clock, "branch", None)
    return method(start) if method is not None else nullcontext(BranchSpan(start))


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

    ``start`` defaults to the real time at construction. Thread-safe.
    Concurrent branches (``branch``) keep a time of their own, so their
    waits overlap as they would in real time: two Parallel branches that
    each wait 10 s take 10 s, not 20. Readings never go backwards: every
    ``now()`` is later than the one before, whichever branch asks.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(timezone.utc)
        self._lock = threading.Lock()
        self._local = threading.local()

    def _branch_time(self) -> datetime | None:
        return getattr(self._local, "time", None)

    def now(self) -> datetime:
        with self._lock:
            # Each reading advances by a microsecond so that events keep a
            # strict order, as real clocks give. A branch's own time moves
            # only by its waits (and ticks); a reading is the later of it and
            # the latest reading, so readings never go backwards.
            tick = timedelta(microseconds=1)
            own = self._branch_time()
            moment = self._now + tick
            if own is not None:
                own += tick
                self._local.time = own
                moment = max(moment, own)
            self._now = moment
            return moment

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if cancel is not None and cancel.is_set():
            return False
        if seconds > 0:
            with self._lock:
                own = self._branch_time()
                if own is None:
                    self._now += timedelta(seconds=seconds)
                else:
                    self._local.time = own + timedelta(seconds=seconds)
        return True

    @contextmanager
    def branch(self, start: datetime) -> Iterator["BranchSpan"]:
        """Run a concurrent branch whose waits count from ``start``;
        the yielded span's ``end`` is the branch's own time when it ends."""
        previous = self._branch_time()
        self._local.time = start
        span = BranchSpan(start)
        try:
            yield span
        finally:
            span.end = self._local.time
            self._local.time = previous

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (for tests)."""
        self.sleep(seconds)
