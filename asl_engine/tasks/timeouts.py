"""``TimeoutSeconds`` and ``HeartbeatSeconds`` of one task, measured on the clock.

A task that runs or waits (a handler on its thread, a ``.waitForTaskToken``
task waiting for its answer, a local child execution, a ``.sync`` job) is
watched by a ``TaskWatch``: when it started, when each heartbeat came, and
when it ended, all read from the execution's clock. The task failed with
``States.Timeout`` if, on that timeline, it ran longer than
``TimeoutSeconds`` or went longer than ``HeartbeatSeconds`` without a
heartbeat (AWS reports a missed heartbeat as ``States.Timeout`` too,
AWS-recorded; ``States.HeartbeatTimeout`` in ErrorEquals still matches it).

On a ``SystemClock`` the timeline is real time. On a ``VirtualClock`` it is
virtual: a handler that waits on the clock (``clock.sleep(3)``) has taken 3
seconds however fast it returned, so tests exercise timeouts and heartbeats
without sleeping. What runs for real (a handler blocked in real time, an
answer from another process) can only be waited for in real time: the
watch then also bounds the real waiting by the same number of seconds, so
nothing hangs past its limit whichever clock runs.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Callable

from ..errors import StatesError
from ..execution.clock import Clock

__all__ = ["TaskWatch", "timeout_error"]


def timeout_error(heartbeat: bool) -> StatesError:
    """A task timeout. AWS reports a missed heartbeat as ``States.Timeout`` too
    (AWS-recorded); ``States.HeartbeatTimeout`` in ErrorEquals still matches it."""
    return StatesError("States.Timeout", None, timed_out=True, heartbeat=heartbeat)


class TaskWatch:
    """The limits and the timeline of one task (thread-safe for heartbeats)."""

    __slots__ = ("clock", "timeout", "heartbeat", "start", "_beats", "_lock", "wake", "_real_total", "_real_since_beat")

    def __init__(self, clock: Clock, timeout: float | None, heartbeat: float | None, start: datetime | None = None) -> None:
        self.clock = clock
        self.timeout = timeout
        self.heartbeat = heartbeat
        self.start = start if start is not None else clock.now()
        self._beats: list[datetime] = []
        self._lock = threading.Lock()
        self.wake = threading.Event()  # set by a heartbeat or by the end of the task
        # Real seconds waited in all and since the last heartbeat (see ``wait``).
        self._real_total = 0.0
        self._real_since_beat = 0.0

    @property
    def bounded(self) -> bool:
        return self.timeout is not None or self.heartbeat is not None

    def beat(self, at: datetime | None = None) -> None:
        """A heartbeat (``SendTaskHeartbeat``) at ``at`` (default: the clock's now)."""
        with self._lock:
            self._beats.append(at if at is not None else self.clock.now())
            self._real_since_beat = 0.0
        self.wake.set()

    def first_expiry(self, end: datetime) -> tuple[datetime, bool] | None:
        """When the task ran into a limit by ``end`` (its end, or now), and whether
        it was the heartbeat's: the earliest one, or ``None``."""
        first: tuple[datetime, bool] | None = None
        if self.timeout is not None and end - self.start > timedelta(seconds=self.timeout):
            first = (self.start + timedelta(seconds=self.timeout), False)
        if self.heartbeat is not None:
            period = timedelta(seconds=self.heartbeat)
            last = self.start
            with self._lock:
                beats = sorted(self._beats)
            for moment in [*beats, end]:
                if moment - last > period:
                    missed = (last + period, True)
                    first = missed if first is None or missed[0] < first[0] else first
                    break
                last = max(last, moment)
        return first

    def expired(self, end: datetime) -> StatesError | None:
        """The ``States.Timeout`` the task ran into by ``end``, if any."""
        first = self.first_expiry(end)
        return timeout_error(first[1]) if first is not None else None

    def next_limit(self) -> tuple[datetime, bool] | None:
        """When the task runs into its first limit if nothing more happens, and
        whether that is the heartbeat's (``None``: the task has no limit)."""
        limits: list[tuple[datetime, bool]] = []
        if self.timeout is not None:
            limits.append((self.start + timedelta(seconds=self.timeout), False))
        if self.heartbeat is not None:
            with self._lock:
                last = max([self.start, *self._beats])
            limits.append((last + timedelta(seconds=self.heartbeat), True))
        return min(limits) if limits else None

    def wait(self, done: threading.Event, cancel: threading.Event | None = None, poll: float | None = None,
             on_poll: Callable[[], None] | None = None, block: Callable[[float | None], bool] | None = None) -> bool:
        """Block until ``done`` is set (True), ``cancel`` is set (False), or a
        limit passes (raises ``States.Timeout``). ``poll`` (real seconds) wakes
        the wait to call ``on_poll`` (e.g. to pick up answers from files).
        Whoever sets ``done`` must also set ``wake``; or ``block(seconds)``
        blocks instead of waiting for ``wake`` (e.g. on a pipe: True when
        something came), and ``on_poll`` then sets ``done``."""
        while True:
            if done.is_set():
                return True
            if cancel is not None and cancel.is_set():
                return False
            now = self.clock.now()
            limit = self.next_limit()
            if limit is not None and now >= limit[0]:
                raise timeout_error(limit[1])
            # What the task waits for runs for real, so real time bounds it too:
            # a limit also passes once as many real seconds were waited.
            if self.timeout is not None and self._real_total >= self.timeout:
                raise timeout_error(False)
            if self.heartbeat is not None and self._real_since_beat >= self.heartbeat:
                raise timeout_error(True)
            seconds = self._real_bound(None if limit is None else (limit[0] - now).total_seconds())
            slice_ = seconds if poll is None else (poll if seconds is None else min(poll, seconds))
            if (block(slice_) if block is not None else self.clock.wait_for(self.wake, slice_)):
                self.wake.clear()
            elif slice_ is not None:
                with self._lock:
                    self._real_total += slice_
                    self._real_since_beat += slice_
            if on_poll is not None:
                on_poll()

    def _real_bound(self, seconds: float | None) -> float | None:
        """``seconds`` capped by what the real-time bounds have left."""
        left = [seconds] if seconds is not None else []
        if self.timeout is not None:
            left.append(max(0.0, self.timeout - self._real_total))
        if self.heartbeat is not None:
            left.append(max(0.0, self.heartbeat - self._real_since_beat))
        return min(left) if left else None

