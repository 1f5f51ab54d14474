"""Local handlers run in worker processes (``isolation="process"``), so they can be stopped.

On the default ``isolation="thread"`` a handler runs on a thread of asl's
own process: a handler that hangs past ``TimeoutSeconds`` fails its task with
``States.Timeout`` but keeps running on its thread (Python cannot kill a
thread), and a handler that crashes the interpreter (a segfault in an
extension, ``os._exit``, the kernel's OOM killer) takes asl down with it.
Here each call runs in a worker process instead:

* the handler's return value is the task result and its exceptions map
  exactly as on a thread (``LocalHandler`` runs in the worker);
* past ``TimeoutSeconds`` / ``HeartbeatSeconds`` (judged as ``TaskWatch``
  judges them: on the clock, and bounded by as many real seconds) the worker
  is killed and the task fails with ``States.Timeout``; a stopped execution
  kills its running handler too;
* a worker that dies (a signal, ``os._exit``, the memory limit) fails the
  task with ``States.TaskFailed`` and a cause naming the handler and the
  signal or exit status; the next call gets a fresh worker;
* ``context.heartbeat()`` works: the worker sends each heartbeat to asl
  over its pipe.

Start method: ``fork``, for every handler. Handlers are whatever the user
registered: a ``module:function`` reference, but just as well a lambda or a
closure passed in code, which ``spawn`` and ``forkserver`` cannot send to a
fresh interpreter (they pickle the target, and pickle knows functions only
by importable name). A forked worker inherits the registry below and finds
the handler by its number, so every registered callable works, and a fork
starts in about a millisecond where ``spawn`` re-imports asl (tens of ms).
The price is fork's known hazard: only the forking thread exists in the
child, so a lock another thread held at that moment stays held there. The
worker touches nothing of asl's but its pipe (the stdlib re-initialises its
own locks at fork: logging, threading, imports); a handler that needs a
lock left held simply hangs, and ``TimeoutSeconds`` ends it like any hang.
Workers know the handlers registered before they were forked; a call to a
handler registered later goes to a newer worker (forked then).

Workers are forked lazily (``multiprocessing`` is imported on the first
isolated call), reused call after call, and at most ``MAX_IDLE`` wait idle;
every one is killed by ``shutdown()``, which runs at interpreter exit and
when a ``Service`` closes. A worker whose parent disappears sees its pipe
close and exits once its current call returns. The worker ignores SIGINT
(Ctrl-C reaches asl, which stops it) and resets SIGTERM to its default.

``memory_mb`` caps what a worker may allocate beyond the address space it
had when it was forked (``RLIMIT_AS``): past it, allocations fail with
``MemoryError`` inside the handler (mapped like any exception, and the
worker is replaced) or the worker dies (``States.TaskFailed``).
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar

from ..errors import Aborted, StatesError
from .base import TaskRequest
from .local import LocalHandler, marshal_error
from .timeouts import TaskWatch, timeout_error

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from ..execution.clock import Clock

__all__ = ["IN_PROCESS", "MAX_IDLE", "WorkerPool", "describe_exit", "in_process", "isolates", "pool", "register", "shutdown"]

F = TypeVar("F", bound=Callable[..., Any])

MAX_IDLE = 4
# Marks a callable that must run in asl's own process (it talks to asl's
# in-memory state, e.g. the service's activity queues): never isolated.
IN_PROCESS = "__asl_in_process__"
# Real seconds between checks of the execution's cancel while a worker runs.
_CANCEL_POLL = 0.2
# How long a killed worker is waited for before it is left to the OS.
_REAP_SECONDS = 2.0

# Every handler ever isolated, by number: a forked worker inherits this and
# finds its handler here (functions are kept alive, so numbers never alias).
_registry: list[LocalHandler] = []
_numbers: dict[int, int] = {}  # id(fn) -> number
_registry_lock = threading.Lock()


def in_process(fn: F) -> F:
    """Mark ``fn`` to run in asl's own process even when handlers are isolated."""
    setattr(fn, IN_PROCESS, True)
    return fn


def isolates(handler: LocalHandler) -> bool:
    """Whether ``handler`` runs in a worker when handlers are isolated."""
    return not getattr(handler.fn, IN_PROCESS, False)


def register(handlers: Iterable[LocalHandler]) -> None:
    """Number the handlers a run may isolate before its first worker is forked,
    so that one worker knows them all (a handler first seen later needs a newer worker)."""
    for handler in handlers:
        if isolates(handler):
            _number(handler)


def _number(handler: LocalHandler) -> int:
    with _registry_lock:
        number = _numbers.get(id(handler.fn))
        if number is None:
            number = _numbers[id(handler.fn)] = len(_registry)
            _registry.append(handler)
        return number


def describe_exit(exitcode: int | None) -> str:
    """How a worker ended, in words: ``killed by signal 11 (SIGSEGV)``, ``exited with status 3``."""
    if exitcode is None:
        return "stopped responding"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"killed by signal {-exitcode} ({name})"
    return f"exited with status {exitcode}"


class _Worker:
    """One forked worker process and asl's end of its pipe."""

    __slots__ = ("process", "conn", "known")

    def __init__(self, process: "BaseProcess", conn: "Connection", known: int) -> None:
        self.process = process
        self.conn = conn
        self.known = known  # handlers numbered below this are in its registry

    def kill(self) -> None:
        """Kill the worker and what its handler started (its process group)."""
        if self.process.exitcode is None and self.process.pid is not None:  # not reaped: its pid is still its own
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                self.process.kill()
        self.reap()

    def reap(self) -> int | None:
        """Wait for the process to end (bounded); its exit code."""
        self.process.join(_REAP_SECONDS)
        self.conn.close()
        return self.process.exitcode


class WorkerPool:
    """Worker processes for isolated handlers (all of one memory limit)."""

    def __init__(self, memory_mb: int | None = None) -> None:
        import multiprocessing  # local: only isolated runs pay for it

        self._context = multiprocessing.get_context("fork")  # why fork: see the module docstring
        self._memory_mb = memory_mb
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def pids(self) -> list[int]:
        """The process ids of the live workers, idle and busy (for tests and diagnostics)."""
        with self._lock:
            return [w.process.pid for w in [*self._idle, *self._busy] if w.process.pid is not None]

    def _fork(self) -> _Worker:
        with _registry_lock:
            known = len(_registry)
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child_end, parent_end, self._memory_mb),
                                        name="asl-handler-worker", daemon=True)
        process.start()
        child_end.close()  # so that asl's reads see the pipe end when the worker dies
        return _Worker(process, parent_end, known)

    def _acquire(self, number: int) -> _Worker:
        with self._lock:
            if self._closed:
                raise StatesError("States.TaskFailed", "The handler workers are shut down (the run or service is closing).")
            for worker in reversed(self._idle):
                if worker.known > number and worker.process.exitcode is None:
                    self._idle.remove(worker)
                    break
            else:
                worker = self._fork()
            self._busy.add(worker)
            return worker

    def _release(self, worker: _Worker, reuse: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            if reuse and not self._closed:
                self._idle.append(worker)
                if len(self._idle) <= MAX_IDLE:
                    return
                worker = min(self._idle, key=lambda w: w.known)  # the one that knows fewest handlers goes
                self._idle.remove(worker)
        worker.kill()

    def _send(self, number: int, message: tuple[Any, ...]) -> _Worker:
        """A worker that took ``message`` (a second one if an idle worker died meanwhile)."""
        for attempt in range(2):
            worker = self._acquire(number)
            try:
                worker.conn.send(message)
                return worker
            except (OSError, ValueError) as exc:
                self._release(worker, reuse=False)
                if attempt:
                    raise StatesError("States.TaskFailed", f"No handler worker took the task: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, handler: LocalHandler, event: Any, request: TaskRequest, clock: "Clock",
             watch: TaskWatch | None) -> Any:
        """Run ``handler(event, context)`` in a worker: its result, or raise its
        ``StatesError``; ``States.Timeout`` past ``watch``'s limits (the worker
        is killed), ``States.TaskFailed`` when the worker dies, ``Aborted`` when
        the execution is stopped (the worker is killed)."""
        number = _number(handler)
        worker = self._send(number, (number, event, _request_fields(request)))
        bound = watch or TaskWatch(clock, None, None)
        reply = _Reply(worker.conn, request)
        try:
            finished = bound.wait(reply.done, request.cancel, poll=_CANCEL_POLL, on_poll=reply.drain, block=worker.conn.poll)
        except StatesError:
            self._release(worker, reuse=False)  # past its limit: the worker is killed
            raise
        if not finished:
            self._release(worker, reuse=False)
            raise Aborted()
        message = reply.message
        if message is None:  # the pipe closed: the worker is dead
            code = worker.reap()
            self._release(worker, reuse=False)
            raise StatesError("States.TaskFailed", f"The handler {handler.name!r} (worker process {worker.process.pid}) "
                              f"{describe_exit(code)}; the next task gets a new worker.")
        kind, *rest = message
        if kind == "fatal":  # the worker exits after these
            self._release(worker, reuse=False)
            raise StatesError("States.TaskFailed", f"The handler {handler.name!r} raised {rest[0]}, which ended its worker process.")
        expiry = watch.expired(clock.now()) if watch is not None else None
        self._release(worker, reuse=not (kind == "error" and rest[0] == "MemoryError"))
        if expiry is not None:
            raise expiry  # it returned, but after its limit
        if kind == "error":
            raise StatesError(rest[0], rest[1])
        return rest[0]

    def shutdown(self) -> None:
        """Kill every worker; later calls fail (a new pool serves new runs)."""
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
        for worker in workers:
            worker.kill()


class _Reply:
    """The worker's answer, read from its pipe as it comes; heartbeats are
    forwarded to the task on the way (no thread: the wait polls the pipe)."""

    __slots__ = ("conn", "request", "done", "message")

    def __init__(self, conn: "Connection", request: TaskRequest) -> None:
        self.conn = conn
        self.request = request
        self.done = threading.Event()
        self.message: tuple[Any, ...] | None = None

    def drain(self) -> None:
        try:
            while not self.done.is_set() and self.conn.poll(0):
                message = self.conn.recv()
                if message == ("beat",):
                    self.request.heartbeat()
                else:
                    self.message = message
                    self.done.set()
        except (EOFError, OSError):
            self.done.set()  # the worker died or was killed: message stays None


def _request_fields(request: TaskRequest) -> dict[str, Any]:
    """What the worker rebuilds its ``TaskRequest`` from (no events, no watch)."""
    return {
        "state_name": request.state_name, "resource": request.resource, "parameters": request.parameters,
        "context": _plain(request.context), "attempt": request.attempt, "map_index": request.map_index,
        "timeout_seconds": request.timeout_seconds, "heartbeat_seconds": request.heartbeat_seconds,
        "request_id": request.request_id,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _PipeBeat:
    """The worker's stand-in for the task's ``TaskWatch``: a heartbeat goes to asl."""

    __slots__ = ("conn", "lock")

    def __init__(self, conn: "Connection") -> None:
        self.conn = conn
        self.lock = threading.Lock()  # a handler may beat from threads of its own

    def beat(self) -> None:
        with self.lock:
            self.conn.send(("beat",))


def _worker_main(conn: "Connection", parent_end: "Connection", memory_mb: int | None) -> None:
    """The worker's loop: run the handler each message names, answer, repeat until the pipe closes."""
    parent_end.close()
    import multiprocessing

    # Daemonic only for asl's bookkeeping: a handler may start processes of its own.
    multiprocessing.current_process().daemon = False
    import faulthandler

    faulthandler.disable()  # a crash is reported by asl, as the task's cause, not dumped on stderr
    os.setpgid(0, 0)  # a group of its own: a kill stops the processes its handler started too
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if memory_mb is not None:
        _limit_memory(memory_mb)
    beat = _PipeBeat(conn)
    while True:
        try:
            number, event, fields = conn.recv()
        except (EOFError, OSError):
            return  # asl closed the pipe or is gone
        try:
            reply = _run(_registry[number], event, TaskRequest(**fields, _watch=beat))
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, GeneratorExit...: reported, then the worker ends
            with beat.lock:
                conn.send(("fatal", type(exc).__name__))
            return
        with beat.lock:
            try:
                conn.send(reply)
            except Exception as exc:  # noqa: BLE001 - a result pickle cannot carry
                conn.send(_marshal_failure(exc))


def _run(handler: LocalHandler, event: Any, request: TaskRequest) -> tuple[Any, ...]:
    """The handler's outcome as a message: ``("ok", result)`` or ``("error", error, cause)``."""
    from ..dataflow.jsonpath import to_json

    try:
        result = handler(event, request)
    except StatesError as err:
        return ("error", err.error, err.cause)
    try:
        to_json(result)  # what asl would refuse anyway, refused here with the same error
    except (TypeError, ValueError) as exc:
        return _marshal_failure(exc)
    return ("ok", result)


def _marshal_failure(exc: Exception) -> tuple[Any, ...]:
    err = marshal_error(exc)
    return ("error", err.error, err.cause)


def _limit_memory(memory_mb: int) -> None:
    """Cap the worker's address space at its size now plus ``memory_mb`` MiB."""
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        current = 0
    limit = current + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_pools: dict[int | None, WorkerPool] = {}
_pools_lock = threading.Lock()
_at_exit = False


def pool(memory_mb: int | None = None) -> WorkerPool:
    """The process-wide pool of workers with this memory limit (made on first use)."""
    global _at_exit
    with _pools_lock:
        found = _pools.get(memory_mb)
        if found is None:
            found = _pools[memory_mb] = WorkerPool(memory_mb)
            if not _at_exit:
                atexit.register(shutdown)
                _at_exit = True
        return found


def shutdown() -> None:
    """Kill every worker of every pool (at exit, when a service closes); the next
    isolated call starts new ones."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for each in pools:
        each.shutdown()
