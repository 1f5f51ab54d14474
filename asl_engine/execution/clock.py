"""Clocks: every wait the engine makes goes through one.

``SystemClock`` sleeps for real. ``VirtualClock`` never sleeps: ``sleep``
moves its time forward, so a one-day Wait or a long retry back-off runs in
microseconds while history timestamps still show the time that passed
(the idea of Temporal's time-skipping test server).

``wait_for`` waits for something that happens in real time (a handler's
thread ending, an answer from another process): both clocks wait for it in
real time, at most the seconds given. Task timeouts are measured on the
clock's time and bounded by the same number of real seconds (see
``asl_engine.tasks.timeouts``).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Callable, ContextManager, Iterator, Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]


class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        """Wait ``seconds``; return False early if ``cancel`` gets set."""
        ...

    def wait_for(self, event: threading.Event, seconds: float | None) -> bool:
        """Wait until ``event`` is set, at most ``seconds`` real seconds (``None``:
        no limit); return whether it was set."""
        ...


class BranchSpan:
    """When a concurrent branch started and (once it is over) ended."""

    __slots__ = ("start", "end")

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.end = start


def branch(clock: Clock, start: datetime) -> ContextManager[BranchSpan]:
    """Enter a concurrent branch on ``clock``; the span's ``end`` is the
    branch's time when it is over (a ``VirtualClock`` keeps a time per
    branch; on any other clock the branch ends at its ``now()``)."""
    method = getattr(clock, "branch", None)
    return method(start) if method is not None else _timed(clock, start)


@contextmanager
def _timed(clock: Clock, start: datetime) -> Iterator[BranchSpan]:
    span = BranchSpan(start)
    try:
        yield span
    finally:
        span.end = clock.now()


class SystemClock:
    """Real time."""

    def __init__(self) -> None:
        # ``now()`` is read twice per state: a partial skips a Python frame each time.
        self.now: Callable[[], datetime] = partial(datetime.now, timezone.utc)

    # A reading as an int of nanoseconds since the epoch, for a time that is
    # only stored (a history event's, made a datetime when read: ``History``'s
    # ``stamp``): a fifth of ``now()``'s cost, and a task records four.
    stamp = staticmethod(time.time_ns)

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if seconds <= 0:
            return not (cancel is not None and cancel.is_set())
        if cancel is None:
            time.sleep(seconds)
            return True
        return not cancel.wait(seconds)

    def wait_for(self, event: threading.Event, seconds: float | None) -> bool:
        return event.wait(seconds)


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

    def wait_for(self, event: threading.Event, seconds: float | None) -> bool:
        """What sets ``event`` runs in real time, so this waits in real time
        (virtual time does not move while it does)."""
        return event.wait(seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (for tests)."""
        self.sleep(seconds)
