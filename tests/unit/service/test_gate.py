"""The service's CPU gate: at most ``slots`` executions run engine code at once,
a waiting one gives its slot up, and stuck holders never stop the others."""

from __future__ import annotations

import threading
import time

from asl_engine.execution.clock import VirtualClock, blocking
from asl_engine.service.gate import CpuGate, GatedClock


def _run_all(gate: CpuGate, count: int, body) -> None:  # type: ignore[no-untyped-def]
    threads = [threading.Thread(target=lambda: _gated(gate, body)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)


def _gated(gate: CpuGate, body) -> None:  # type: ignore[no-untyped-def]
    with gate.running():
        body()


def test_at_most_slots_run_at_once() -> None:
    gate = CpuGate(2, patience=5.0)
    lock, inside, most = threading.Lock(), [0], [0]

    def body() -> None:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.01)
        with lock:
            inside[0] -= 1

    _run_all(gate, 8, body)
    assert most[0] == 2


def test_a_wait_gives_the_slot_up() -> None:
    gate = CpuGate(1, patience=5.0)
    clock = GatedClock(VirtualClock(), gate)
    release, second_ran = threading.Event(), threading.Event()

    def first() -> None:
        with gate.running():
            clock.wait_for(release, 5)  # waiting: the other execution runs meanwhile

    def second() -> None:
        with gate.running():
            second_ran.set()

    one = threading.Thread(target=first)
    one.start()
    time.sleep(0.05)
    two = threading.Thread(target=second)
    two.start()
    assert second_ran.wait(2)
    release.set()
    one.join(2)
    two.join(2)


def test_blocking_calls_give_the_slot_up_through_the_clock() -> None:
    gate = CpuGate(1, patience=5.0)
    clock = GatedClock(VirtualClock(), gate)
    with gate.running():
        with blocking(clock):
            taken = threading.Event()
            threading.Thread(target=lambda: _gated(gate, taken.set)).start()
            assert taken.wait(2)


def test_stuck_holders_do_not_stop_the_others() -> None:
    gate = CpuGate(1, patience=0.05)
    stuck = threading.Event()
    holder = threading.Thread(target=lambda: _gated(gate, lambda: stuck.wait(5)))  # a wait the gate cannot see
    holder.start()
    time.sleep(0.02)
    ran = threading.Event()
    started = time.monotonic()
    threading.Thread(target=lambda: _gated(gate, ran.set)).start()
    assert ran.wait(2) and time.monotonic() - started < 1.0
    stuck.set()
    holder.join(2)


def test_a_thread_without_a_slot_leaves_the_gate_alone() -> None:
    gate = CpuGate(1, patience=5.0)
    with gate.waiting():  # a branch thread: it never took a slot
        pass
    with gate.running():
        pass  # the one slot is still free
