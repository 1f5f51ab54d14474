"""Execution history in the shape of AWS ``GetExecutionHistory``.

Every event is a plain dict::

    {"timestamp": datetime, "type": "PassStateEntered", "id": 2,
     "previousEventId": 1, "stateEnteredEventDetails": {...}}

``previousEventId`` links an event to the one that caused it, so events of
concurrent Map iterations and Parallel branches form separate chains, as on
AWS. Events are appended as they happen (a store sees each one at once),
under a lock, because branches run on threads.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Callable, Iterator

from ..errors import StatesError

__all__ = ["DETAILS_KEY", "History", "details_key"]


def _camel(type_name: str) -> str:
    return type_name[0].lower() + type_name[1:] + "EventDetails"


# Event types whose details key is not simply "<camelCaseType>EventDetails".
DETAILS_KEY: dict[str, str] = {}
for _kind in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Map", "Parallel"):
    DETAILS_KEY[_kind + "StateEntered"] = "stateEnteredEventDetails"
    DETAILS_KEY[_kind + "StateExited"] = "stateExitedEventDetails"
for _it in ("Started", "Succeeded", "Failed", "Aborted"):
    DETAILS_KEY["MapIteration" + _it] = "mapIteration" + _it + "EventDetails"


def details_key(event_type: str) -> str:
    """The name of the ``...EventDetails`` member for ``event_type``."""
    key = DETAILS_KEY.get(event_type)
    if key is None:
        key = DETAILS_KEY[event_type] = _camel(event_type)
    return key


Listener = Callable[[dict[str, Any]], None]


class History:
    """An append-only, thread-safe list of history events."""

    __slots__ = ("_events", "_lock", "_now", "_listeners", "_limit")

    def __init__(
        self, now: Callable[[], datetime], listeners: list[Listener] | None = None, limit: int | None = None
    ) -> None:
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._now = now
        self._listeners = listeners or []
        # AWS quota: 25,000 events per execution history; the last slot is
        # kept for the event that ends the execution.
        self._limit = limit

    def add(
        self, event_type: str, previous: int, details: dict[str, Any] | None = None, timestamp: datetime | None = None
    ) -> int:
        """Append an event caused by event ``previous`` (0 for none); return its id.

        ``timestamp`` defaults to the clock's current time. Raises
        ``StatesError`` (``States.Runtime``) when the history is full.
        """
        limit = self._limit
        if limit is not None and len(self._events) >= limit - 1 and event_type[:9] != "Execution":
            raise StatesError(
                "States.Runtime",
                f"The execution reached the maximum number of history events ({limit}).",
                located=True,
            )
        with self._lock:
            event_id = len(self._events) + 1
            event: dict[str, Any] = {
                "timestamp": timestamp or self._now(),
                "type": event_type,
                "id": event_id,
                "previousEventId": previous,
            }
            if details is not None:
                key = DETAILS_KEY.get(event_type) or details_key(event_type)
                event[key] = details
            self._events.append(event)
        for listener in self._listeners:
            listener(event)
        return event_id

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._events))

    def events(self) -> list[dict[str, Any]]:
        """A snapshot of the events so far, oldest first."""
        with self._lock:
            return list(self._events)
