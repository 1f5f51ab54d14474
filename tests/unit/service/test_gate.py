"""The service's CPU gate: at most ``slots`` executions run engine code at once,
a waiting one gives its slot up, and stuck holders never stop the others.

Real threads (the gate schedules them); every wait is on an event, bounded."""

from __future__ import annotations

import threading
import time
from typing import Callable

from asl_engine.execution.clock import VirtualClock
from asl_engine.service.gate import CpuGate, GatedClock


def _gated(gate: CpuGate, body: Callable[[], object]) -> threading.Thread:
    def run() -> None:
        with gate.running():
            body()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_at_most_slots_run_at_once() -> None:
    gate = CpuGate(2, patience=5.0)
    changed, inside, most = threading.Condition(), [0], [0]
    release = threading.Event()

    def body() -> None:
        with changed:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            changed.notify_all()
        release.wait(5)
        with changed:
            inside[0] -= 1

    threads = [_gated(gate, body) for _ in range(6)]
    with changed:
        assert changed.wait_for(lambda: inside[0] == 2, 5)
    release.set()  # the two holders end; the others follow, two at a time
    for thread in threads:
        thread.join(5)
    assert most[0] == 2 and inside[0] == 0


def test_a_wait_gives_the_slot_up() -> None:
    gate = CpuGate(1, patience=5.0)
    clock = GatedClock(VirtualClock(), gate)
    holding, release, second_ran = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        holding.set()
        clock.wait_for(release, 5)  # waiting: the other execution runs meanwhile

    one = _gated(gate, first)
    assert holding.wait(2)
    two = _gated(gate, second_ran.set)
    assert second_ran.wait(2)
    release.set()
    one.join(2)
    two.join(2)


def test_blocking_calls_give_the_slot_up_through_the_clock() -> None:
    gate = CpuGate(1, patience=5.0)
    clock = GatedClock(VirtualClock(), gate)
    with gate.running():
        with clock.blocking():
            taken = threading.Event()
            _gated(gate, taken.set).join(2)
            assert taken.is_set()


def test_stuck_holders_do_not_stop_the_others() -> None:
    gate = CpuGate(1, patience=0.05)
    holding, stuck = threading.Event(), threading.Event()
    holder = _gated(gate, lambda: (holding.set(), stuck.wait(5)))  # a wait the gate cannot see
    assert holding.wait(2)
    ran = threading.Event()
    started = time.monotonic()
    _gated(gate, ran.set)
    assert ran.wait(2) and time.monotonic() - started < 1.0
    stuck.set()
    holder.join(2)


def test_a_thread_without_a_slot_leaves_the_gate_alone() -> None:
    gate = CpuGate(1, patience=5.0)
    with gate.waiting():  # a branch thread: it never took a slot
        pass
    with gate.running():
        pass  # the one slot is still free
