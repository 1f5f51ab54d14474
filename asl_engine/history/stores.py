"""Durable history: events written as they happen.

``JsonLinesHistory(path)`` is a history listener (``run(listeners=[...])``)
that appends each event to a JSON Lines file and flushes it at once, so a
crash of the process loses no event that was recorded (each line is one
whole event; a torn last line is the only possible loss, and readers skip
it). ``read_history(path)`` reads a file back.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..documents.values import JsonTextError, loads, read_text

__all__ = ["JsonLinesHistory", "read_history"]


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class JsonLinesHistory:
    """Append every history event to ``path`` as one JSON line, durably."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = self.path.open("a", encoding="utf-8")
        self._fsync = fsync
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, default=_default, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            self._file.close()


def read_history(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The events of a JSON Lines history file.

    A torn last line (a crash mid-write) is skipped; anything else the shared
    reader refuses (an unreadable or non-UTF-8 file, a bad line before the
    last, NaN, a lone surrogate...) raises ``JsonTextError`` (a ``ValueError``)
    naming the file and the line.
    """
    origin = f"history file {os.fspath(path)}"
    lines = [(number, line) for number, line in enumerate(read_text(os.fspath(path), origin).split("\n"), 1)
             if line.strip()]
    events = []
    for index, (number, line) in enumerate(lines):
        try:
            events.append(loads(line, f"{origin} line {number}"))
        except JsonTextError:
            if index == len(lines) - 1:
                break  # torn by a crash while it was written
            raise
    return events
