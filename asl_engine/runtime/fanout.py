"""Running Map iterations and Parallel branches, concurrently when it pays.

Jobs whose states may block (a Task or a Wait inside) run on a thread pool
of at most ``MaxConcurrency`` workers (0 = as many as AWS allows an inline
Map: 40). Jobs that only compute run one after the other on the calling
thread: Python threads would add overhead and no speed. Either way the
results come back in job order, as AWS returns them.

When a job fails (beyond the tolerated failures of a Map), the others are
cancelled: jobs not yet started never start, running ones stop at their
next state boundary or wait.

Each job's frame is registered on the parent frame while it runs, and its
result when it ends (``Frame.child``/``Frame.finished``), so the parent's
snapshot holds the branches in flight and those done; a parent restored
from a snapshot reuses the results it has and resumes the frames it holds.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..errors import Aborted, StatesError
from ..execution.clock import BranchSpan, Clock, branch
from ..execution.frame import Frame
from ..execution.variables import Scope


if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["INLINE_MAP_MAX_CONCURRENCY", "Tally", "run_all", "run_stream"]

INLINE_MAP_MAX_CONCURRENCY = 40

Job = Callable[[Frame], Any]
Tolerance = tuple[int | None, float | None, int | None]

THRESHOLD_ERROR = "States.ExceedToleratedFailureThreshold"
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


class _Slots:
    """The ``MaxConcurrency`` slots of a fan-out, each free from some time on.

    A job starts when a slot frees (at the earliest free time), so on a
    virtual clock concurrent jobs overlap their waits and queued ones
    follow those before them, as in real time.
    """

    def __init__(self, start: datetime, count: int) -> None:
        self._free = [start] * count
        self._busy = [False] * count
        self._lock = threading.Lock()

    def take(self) -> tuple[int, datetime]:
        with self._lock:
            slot = min((i for i in range(len(self._free)) if not self._busy[i]), key=self._free.__getitem__)
            self._busy[slot] = True
            return slot, self._free[slot]

    def give_back(self, slot: int, span: BranchSpan | None) -> None:
        """Free a slot from the time its branch ended (``span`` is set once
        the branch's context has exited, so its ``end`` is final)."""
        with self._lock:
            if span is not None:
                self._free[slot] = max(span.end, span.start)
            self._busy[slot] = False


class _Skipped(Exception):
    """A job that never started because the fan-out was already cancelled."""


class Tally:
    """Counts failures against a Map's tolerated failure thresholds.

    ``tolerance`` is ``(count, percentage, total)``; a streamed Map Run does
    not know its total until its reader is exhausted (``total`` ``None``): the
    percentage is then checked from the moment it is known
    (:meth:`known_total`), so a run fails when, and only when, its failures
    exceed the thresholds over all its items.
    """

    def __init__(self, tolerance: Tolerance | None) -> None:
        self.tolerance = tolerance
        self.failures = 0
        self.lock = threading.Lock()

    def failed(self, err: StatesError) -> StatesError | None:
        """Record a failure; return the error that fails the whole state, if any."""
        if self.tolerance is None:
            return err
        with self.lock:
            self.failures += 1
        return self._exceeded()

    def known_total(self, total: int) -> StatesError | None:
        """The item count is now known; return the error if failures already exceed."""
        if self.tolerance is None:
            return None
        count, percentage, _ = self.tolerance
        self.tolerance = (count, percentage, total)
        return self._exceeded() if self.failures else None

    def _exceeded(self) -> StatesError | None:
        assert self.tolerance is not None
        count, percentage, total = self.tolerance
        failures = self.failures
        over_count = count is not None and failures > count
        over_pct = percentage is not None and total is not None and total > 0 and failures * 100.0 / total > percentage
        if count is not None and percentage is not None:
            exceeded = over_count and over_pct
        else:
            exceeded = over_count or over_pct
        return StatesError(THRESHOLD_ERROR, THRESHOLD_CAUSE) if exceeded else None


def run_all(
    jobs: Iterable[Job],
    max_concurrency: int | None,
    parent: Frame,
    *,
    blocking: bool,
    tolerance: Tolerance | None = None,
    clock: Clock | None = None,
    count: int | None = None,
) -> list[Any]:
    """Run ``jobs``; return their results in order, or raise the failure.

    ``jobs`` may be a generator (``count`` then says how many): each job is
    made when it is about to run, so a 100,000-item Map holds a few job
    closures at a time, not one per item. With a ``clock``, every job is a
    branch that starts at the same time (a virtual clock then overlaps their
    waits).
    """
    total = count if count is not None else len(jobs)  # type: ignore[arg-type]
    results: list[Any] = [None] * total

    def deliver(index: int, value: Any) -> None:
        results[index] = value

    workers = min(max_concurrency or INLINE_MAP_MAX_CONCURRENCY, INLINE_MAP_MAX_CONCURRENCY, total)
    run_stream(enumerate(jobs), workers, parent, blocking=blocking, tally=Tally(tolerance), clock=clock, deliver=deliver)
    return results


def run_stream(
    jobs: Iterable[tuple[int, Job]],
    workers: int,
    parent: Frame,
    *,
    blocking: bool,
    tally: Tally,
    clock: Clock | None = None,
    deliver: Callable[[int, Any], None],
    skipped: Callable[[int], None] | None = None,
    keep: bool = True,
) -> int:
    """Run the ``(index, job)`` pairs as they come (a generator may read them
    lazily; a ``StatesError`` it raises fails the fan-out), at most ``workers``
    at a time and at most twice that many taken from ``jobs`` ahead, so memory
    follows the concurrency, not the job count. Each result (or a tolerated
    failure's error output) goes to ``deliver(index, value)`` as it ends; a
    job taken but never started (the fan-out was cancelled) to ``skipped``.
    Returns the number of jobs; raises the failure.

    ``keep`` registers each result on ``parent`` (``Frame.finished``), which
    its snapshots need; without a recorder nothing reads them, and a long
    Map Run then keeps none.
    """
    cancel = threading.Event()
    # Branch times matter only on a clock that keeps them (a virtual clock):
    # real time needs no slot bookkeeping on this path.
    if clock is not None and not hasattr(clock, "branch"):
        clock = None
    slots = _Slots(clock.now(), max(workers, 1)) if clock is not None else None

    def end(index: int, value: Any) -> None:
        if keep:
            parent.finished(index, value)
        else:
            parent.children.pop(index, None)
        deliver(index, value)

    def run_one(index: int, job: Job) -> None:
        if cancel.is_set() or parent.cancel.is_set():
            if skipped is not None:
                skipped(index)
            raise _Skipped()
        if index in parent.results:  # done before the snapshot this run was restored from
            deliver(index, parent.results[index])
            return
        child = parent.children.get(index)
        if child is None:
            child = parent.child(index, cancel, Scope(parent.scope))
        elif child.closed:  # restored, and its closing event was recorded: done
            end(index, child.state_input)
            return
        else:
            child.cancel = cancel  # a restored frame: it joins this fan-out
        try:
            if clock is not None and slots is not None:
                slot, start = slots.take()
                span = None
                try:
                    with branch(clock, start) as span:
                        value = job(child)
                finally:
                    slots.give_back(slot, span)
            else:
                value = job(child)
        except StatesError as err:
            failure = tally.failed(err)
            if failure is not None:
                cancel.set()
                raise failure from None
            value = err.to_output()
        end(index, value)

    count = 0
    if not blocking or workers <= 1:
        for index, job in jobs:
            count += 1
            if parent.cancel.is_set():
                raise Aborted()
            run_one(index, job)
        _check(tally.known_total(count))
        return count

    # local: only blocking fan-outs use the pool (concurrent.futures costs every start 3 ms)
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    first_error: BaseException | None = None
    source = iter(jobs)
    exhausted = False
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asl-branch") as pool:
        pending: set[Future[None]] = set()
        while True:
            while not exhausted and not cancel.is_set() and len(pending) < 2 * workers:
                try:
                    index, job = next(source)
                except StopIteration:
                    exhausted = True
                    if (failure := tally.known_total(count)) is not None:
                        first_error = failure
                        cancel.set()
                    break
                except StatesError as err:  # the reader failed part-way
                    exhausted = True
                    first_error = err
                    cancel.set()
                    break
                count += 1
                pending.add(pool.submit(run_one, index, job))
            if not pending:
                break
            done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            if parent.cancel.is_set():
                cancel.set()
            for future in done:
                exc = future.exception()
                if exc is None or isinstance(exc, _Skipped):
                    continue
                if first_error is None or (_is_abort(first_error) and not _is_abort(exc)):
                    first_error = exc  # the real failure wins over the aborts it caused
                cancel.set()
    if first_error is not None:
        if not isinstance(first_error, StatesError) and parent.cancel.is_set():
            raise Aborted()
        raise first_error
    if parent.cancel.is_set():
        raise Aborted()
    return count


def _check(failure: StatesError | None) -> None:
    if failure is not None:
        raise failure


def _is_abort(exc: BaseException) -> bool:
    return isinstance(exc, Aborted)
