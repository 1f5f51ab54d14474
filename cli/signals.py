"""SIGINT and SIGTERM as a clean stop of a command: what was running is told to
stop, the command reports it, and the process exits ``128 + signal`` (130 for
Ctrl-C, 143 for ``kill``), as shells and process managers expect.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType
from typing import Callable, Iterator

__all__ = ["Stopping", "stopping"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopping:
    """The first SIGINT/SIGTERM a command received (``signum``), if any."""

    def __init__(self) -> None:
        self.signum: int | None = None

    @property
    def exit_code(self) -> int | None:
        """``128 + signal`` once a signal came, else None."""
        return None if self.signum is None else 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum is not None else ""


@contextlib.contextmanager
def stopping(on_stop: Callable[[Stopping], None]) -> Iterator[Stopping]:
    """Within the block, the first SIGINT/SIGTERM calls ``on_stop`` (on a thread
    of its own: a signal handler runs between two bytecodes of the main thread,
    which may hold the very lock ``on_stop`` needs, e.g. an ``Event``'s); a
    second one raises ``KeyboardInterrupt`` (the user insists: stop waiting).
    The previous handlers come back after the block."""
    state = Stopping()

    def handle(signum: int, _frame: FrameType | None) -> None:
        if state.signum is not None:
            raise KeyboardInterrupt
        state.signum = signum
        threading.Thread(target=on_stop, args=(state,), name="asl-stop", daemon=True).start()

    previous = {sig: signal.signal(sig, handle) for sig in _SIGNALS}
    try:
        yield state
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
