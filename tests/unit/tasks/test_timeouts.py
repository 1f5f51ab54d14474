"""TimeoutSeconds and HeartbeatSeconds judged on the clock's timeline, bounded in real time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from asl_engine import VirtualClock
from asl_engine.errors import StatesError
from asl_engine.tasks.timeouts import TaskWatch

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_a_task_longer_than_its_timeout_timed_out_at_the_limit() -> None:
    watch = TaskWatch(VirtualClock(START), timeout=5, heartbeat=None, start=START)
    assert watch.expired(at(5)) is None  # exactly the limit is in time
    assert watch.first_expiry(at(7)) == (at(5), False)
    err = watch.expired(at(7))
    assert isinstance(err, StatesError) and (err.error, err.heartbeat) == ("States.Timeout", False)


def test_heartbeats_restart_the_period_and_the_first_missed_one_wins() -> None:
    watch = TaskWatch(VirtualClock(START), timeout=100, heartbeat=2, start=START)
    for moment in (1.5, 3.0, 4.5):
        watch.beat(at(moment))
    assert watch.expired(at(6)) is None
    assert watch.first_expiry(at(7)) == (at(6.5), True)  # 2 s after the last beat
    assert watch.next_limit() == (at(6.5), True)


class _RealBoundPassed(VirtualClock):
    """A clock on which waiting for the task always runs out at once: as if the
    limit had passed in real time while nothing moved the clock."""

    def wait_for(self, event: threading.Event, seconds: float | None) -> bool:
        return event.is_set()


def test_real_time_bounds_a_task_that_blocks_for_real() -> None:
    watch = TaskWatch(_RealBoundPassed(START), timeout=3, heartbeat=None)
    with pytest.raises(StatesError) as info:
        watch.wait(threading.Event())
    assert (info.value.error, info.value.heartbeat) == ("States.Timeout", False)
    beating = TaskWatch(_RealBoundPassed(START), timeout=None, heartbeat=1)
    with pytest.raises(StatesError) as info:
        beating.wait(threading.Event())
    assert info.value.heartbeat is True


def test_the_clock_moving_past_the_limit_ends_the_wait() -> None:
    clock = VirtualClock(START)
    watch = TaskWatch(clock, timeout=10, heartbeat=None)
    clock.advance(11)  # another thread's wait moved the clock on
    with pytest.raises(StatesError):
        watch.wait(threading.Event())


def test_done_and_cancel_end_the_wait() -> None:
    clock = VirtualClock(START)
    done, cancel = threading.Event(), threading.Event()
    done.set()
    assert TaskWatch(clock, 10, None).wait(done) is True
    cancel.set()
    assert TaskWatch(clock, 10, None).wait(threading.Event(), cancel) is False
