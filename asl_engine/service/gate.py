"""How many executions of a service run engine code at once: its CPU gate.

Python runs one thread at a time (the GIL). A service with 64 executions
ready to run hands the GIL round 65 threads, and a ``StartExecution``
request, whose handler thread gives the GIL up at every socket and SQLite
call, waits behind all of them each time it wants it back: 64 running
executions cut the requests a service answers per second by 2.7x
(measured, ``benchmarks/serve.py``). The gate lets
``slots`` executions run engine code at a time and every other one wait its
turn, so request threads compete with one thread, not with every execution.
The default is one slot: only one thread runs Python at a time anyway, and
on 2 cores one slot measured better than two on every figure (completed
executions/s 350 -> 390, DescribeExecution p99 with 100 busy executions
11 -> 8 ms), the SQLite writes it overlaps being short.

An execution gives its slot up whenever it waits for something other than
the CPU: a Wait state or a back-off (``sleep``), a task timeout or heartbeat
(``wait_for``), and a handler, AWS call or callback answer (the clock's
``blocking()``, which the dispatcher calls), all of which reach the gate through the execution's clock
(``GatedClock``). A wait the gate cannot see (an execution blocked where
the engine does not say so) must not stop the others: when no slot has been
given back for ``patience`` seconds, a waiting thread runs without one, so
the worst case is the service without a gate.

The slot is the thread's, not the execution's: the threads of a Parallel or
Map branch never take one (their execution's thread holds it while it waits
for them), and a wait on such a thread leaves the gate alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..execution.clock import Clock

__all__ = ["CpuGate", "GatedClock"]


class CpuGate:
    """``slots`` executions at a time. A thread that waits ``patience`` seconds
    while no slot is given back at all (every holder is stuck in a wait the
    gate cannot see, or in one long computation) runs without a slot."""

    def __init__(self, slots: int = 1, patience: float = 0.1) -> None:
        if slots < 1:
            raise ValueError("a CPU gate needs at least one slot")
        self._free = slots
        self._given_back = 0  # slots given back so far: whether the holders move
        self._cond = threading.Condition(threading.Lock())
        self._held = threading.local()
        self.patience = patience

    def _take(self) -> None:
        with self._cond:
            while self._free == 0:
                seen = self._given_back
                self._cond.wait(self.patience)
                if self._free == 0 and self._given_back == seen:
                    self._held.slot = False  # the holders do not move: go on without a slot
                    return
            self._free -= 1
            self._held.slot = True

    def _give_back(self) -> bool:
        """Release this thread's slot; whether it had one."""
        if not getattr(self._held, "slot", False):
            return False
        self._held.slot = False
        with self._cond:
            self._free += 1
            self._given_back += 1
            self._cond.notify()
        return True

    @contextmanager
    def running(self) -> Iterator[None]:
        """An execution's run on this thread: with a slot (or without, after ``patience``)."""
        self._take()
        try:
            yield
        finally:
            self._give_back()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """A wait of the thread's execution: its slot is someone else's meanwhile."""
        had = self._give_back()
        try:
            yield
        finally:
            if had:
                self._take()


class GatedClock:
    """An execution's clock whose waits give the execution's CPU slot up."""

    def __init__(self, clock: Clock, gate: CpuGate) -> None:
        self._clock = clock
        self._gate = gate
        self.now = clock.now

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        with self._gate.waiting():
            return self._clock.sleep(seconds, cancel)

    def wait_for(self, event: threading.Event, seconds: float | None) -> bool:
        with self._gate.waiting():
            return self._clock.wait_for(event, seconds)

    def blocking(self) -> Any:
        """What the dispatcher wraps around a wait whose end the clock cannot
        see (a handler or AWS call, a callback's answer): the slot is given up."""
        return self._gate.waiting()

    def __getattr__(self, name: str) -> Any:  # branch(), advance()...: the clock's own
        return getattr(self._clock, name)
