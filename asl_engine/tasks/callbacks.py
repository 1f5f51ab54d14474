"""Task tokens: ``.waitForTaskToken`` tasks wait here for their outcome.

A task whose resource ends in ``.waitForTaskToken`` makes its call (the
handler, or AWS), records ``TaskSubmitted``, then waits until someone
reports the outcome of its token, as ``SendTaskSuccess``,
``SendTaskFailure`` and ``SendTaskHeartbeat`` do on AWS:

* in the same process: ``asl_engine.send_task_success(token, output)``
  (and ``send_task_failure``, ``send_task_heartbeat``), e.g. from a handler's
  thread or a test;
* from another process: ``asl send-task-success --task-token T
  --task-output JSON`` drops a file in the callbacks directory
  (``$ASL_CALLBACKS_DIR``, default ``~/.asl/callbacks``) that the waiting
  ``asl run`` picks up.

Waiting honours ``TimeoutSeconds`` and ``HeartbeatSeconds`` on the
execution's clock (``asl_engine.tasks.timeouts``): a heartbeat restarts the
heartbeat period, and an answer that comes later than a limit on the clock
times the task out. An unknown token raises ``TaskTokenError`` (AWS:
``TaskDoesNotExist``).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..documents.values import JsonTextError, read_file
from ..errors import AslEngineError, StatesError
from .timeouts import TaskWatch

__all__ = [
    "CallbackSpool",
    "TaskTokenError",
    "default_callbacks_dir",
    "send_task_failure",
    "send_task_heartbeat",
    "send_task_success",
]


class TaskTokenError(AslEngineError):
    """No task waits for this token (AWS: ``TaskDoesNotExist`` / ``InvalidToken``)."""


@dataclass
class _Outcome:
    output: Any = None
    error: str | None = None
    cause: str | None = None
    failed: bool = False


class _Waiter:
    """One waiting task: its outcome, when it came, and the watch of its limits."""

    __slots__ = ("done", "watch", "outcome", "answered_at")

    def __init__(self, watch: TaskWatch) -> None:
        self.done = threading.Event()
        self.watch = watch
        self.outcome = _Outcome()
        self.answered_at: datetime | None = None

    def answer(self, outcome: _Outcome) -> None:
        self.outcome = outcome
        self.answered_at = self.watch.clock.now()
        self.done.set()
        self.watch.wake.set()


_LOCK = threading.Lock()
_WAITERS: dict[str, _Waiter] = {}


def register(token: str, watch: TaskWatch) -> None:
    """Open a token before the task's call is made, so an answer given
    during the call (or by the handler itself) is not lost; ``watch`` holds
    the task's limits and clock."""
    with _LOCK:
        _WAITERS[token] = _Waiter(watch)


def unregister(token: str) -> None:
    with _LOCK:
        _WAITERS.pop(token, None)


def _waiter(token: str) -> _Waiter:
    with _LOCK:
        waiter = _WAITERS.get(token)
    if waiter is None:
        raise TaskTokenError(f"Task Timed Out or Does Not Exist: no task waits for the token {token!r}")
    return waiter


def send_task_success(token: str, output: Any) -> None:
    """Complete the task waiting for ``token`` with ``output`` (any JSON value)."""
    _waiter(token).answer(_Outcome(output=output))


def send_task_failure(token: str, error: str | None = None, cause: str | None = None) -> None:
    """Fail the task waiting for ``token`` (both fields optional, as on AWS)."""
    _waiter(token).answer(_Outcome(error=error, cause=cause, failed=True))


def send_task_heartbeat(token: str) -> None:
    """Restart the ``HeartbeatSeconds`` period of the task waiting for ``token``."""
    _waiter(token).watch.beat()


def default_callbacks_dir() -> Path:
    """Where ``asl send-task-*`` and ``asl run`` exchange outcomes across processes."""
    configured = os.environ.get("ASL_CALLBACKS_DIR")
    return Path(configured) if configured else Path.home() / ".asl" / "callbacks"


class CallbackSpool:
    """Outcomes sent by other processes, as one JSON file per message.

    A waiting task leaves a marker, ``waiting/<token>``, holding the waiting
    process's id and host, removed when it stops waiting. A process killed
    (``kill -9``) leaves its markers behind: ``send`` treats the token of a
    marker whose process no longer runs on this host as gone (and removes the
    marker); on another host, which it cannot check, it trusts the marker.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_callbacks_dir()

    def announce(self, token: str) -> None:
        """A task of this process now waits for ``token``: other processes may answer it."""
        waiting = self.directory / "waiting"
        waiting.mkdir(parents=True, exist_ok=True)
        (waiting / _safe(token)).write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename}), encoding="utf-8")

    def retract(self, token: str) -> None:
        """The task no longer waits for ``token``."""
        try:
            (self.directory / "waiting" / _safe(token)).unlink()
        except OSError:
            pass

    def send(self, token: str, message: dict[str, Any]) -> Path:
        """Write a message for ``token`` atomically (write, then rename).

        Raises ``TaskTokenError`` when no task waits for ``token`` (none has
        announced it), as AWS answers ``TaskDoesNotExist``/``TaskTimedOut``.
        """
        if not _waited_for(self.directory / "waiting" / _safe(token)):
            raise TaskTokenError(f"Task Timed Out or Does Not Exist: no task waits for the token {token!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"{_safe(token)}.{time.time_ns()}.{uuid.uuid4().hex[:8]}.json"
        temporary = final.with_suffix(".tmp")
        temporary.write_text(json.dumps({"token": token, **message}), encoding="utf-8")
        temporary.replace(final)
        return final

    def deliver(self, token: str) -> None:
        """Apply every message waiting in the directory for ``token``."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob(f"{_safe(token)}.*.json")):
            try:
                message = read_file(str(path), f"callback message {path.name}")  # the shared reader
                path.unlink()
            except (OSError, JsonTextError):
                continue
            if isinstance(message, dict):  # anything else is not a message send-task-* wrote
                apply_message(token, message)


def _waited_for(marker: Path) -> bool:
    """Whether a live process waits on ``marker``'s token; a stale marker (its
    process is gone from this host) is removed. An unreadable or older, empty
    marker counts as live: only a certain death retracts a token."""
    try:
        owner = json.loads(marker.read_text(encoding="utf-8") or "{}")
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True
    pid = owner.get("pid") if isinstance(owner, dict) else None
    if not isinstance(pid, int) or owner.get("host") != os.uname().nodename:
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        try:
            marker.unlink()
        except OSError:
            pass
        return False
    except OSError:  # it exists, under another user
        return True
    return True


def apply_message(token: str, message: dict[str, Any]) -> None:
    """Deliver a message kept for ``token`` (``{"kind": "success"|"failure"|"heartbeat", ...}``)."""
    kind = message.get("kind")
    if kind == "success":
        send_task_success(token, message.get("output"))
    elif kind == "failure":
        send_task_failure(token, message.get("error"), message.get("cause"))
    elif kind == "heartbeat":
        send_task_heartbeat(token)


def _safe(token: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in token)


def wait_for_outcome(token: str, cancel: threading.Event, spool: CallbackSpool | None) -> Any:
    """Block until the token's outcome arrives; return the output or raise.

    Raises ``StatesError`` for a failure (the sent error and cause), for a
    timeout (``States.Timeout``, ``heartbeat`` set when the heartbeat
    period ran out, judged on the clock of the watch the token was
    registered with), and returns ``None`` after an abort (``cancel`` set);
    the caller checks ``cancel``.
    """
    waiter = _waiter(token)
    watch = waiter.watch
    poll = 0.05 if spool is not None else 0.25
    try:
        if not watch.wait(waiter.done, cancel, poll, (lambda: spool.deliver(token)) if spool is not None else None):
            return None
        assert waiter.answered_at is not None
        late = watch.expired(waiter.answered_at)
        if late is not None:
            raise late
        outcome = waiter.outcome
        if outcome.failed:
            raise StatesError(outcome.error, outcome.cause)
        return outcome.output
    finally:
        unregister(token)
        if spool is not None:
            spool.retract(token)
