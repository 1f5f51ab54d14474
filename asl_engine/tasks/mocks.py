"""Mocked task results: replayed per state name, in order.

A mock response is ``{"Return": value}`` or ``{"Throw": {"Error": e,
"Cause": c}}`` (the shapes of AWS's MockConfigFile ``MockedResponses``).
``{"Pending": true}`` never completes: the task waits until its branch is
aborted or the task times out. A mock may also be a callable
``(TaskRequest) -> response`` that picks the response itself.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Mapping, Sequence

from ..errors import EngineError, StatesError
from .base import TaskRequest

__all__ = ["MockSet", "Pending"]

MockResponse = Mapping[str, Any]
MockSpec = Sequence[MockResponse] | Callable[[TaskRequest], MockResponse]


class Pending(Exception):
    """Raised by a ``{"Pending": true}`` mock: the task never completes."""


class MockSet:
    """Per-state queues of mocked responses for one execution (thread-safe)."""

    def __init__(self, mocks: Mapping[str, MockSpec] | None) -> None:
        self._specs = dict(mocks or {})
        self._positions: dict[str, int] = {}
        self._lock = threading.Lock()

    def __contains__(self, state_name: str) -> bool:
        return state_name in self._specs

    def respond(self, request: TaskRequest) -> Any:
        """Return the mocked result or raise the mocked error."""
        spec = self._specs[request.state_name]
        if callable(spec):
            response = spec(request)
        else:
            with self._lock:
                position = self._positions.get(request.state_name, 0)
                self._positions[request.state_name] = position + 1
            if position >= len(spec):
                raise EngineError(
                    f"state {request.state_name!r} was invoked {position + 1} times but its mock "
                    f"has only {len(spec)} responses"
                )
            response = spec[position]
        return _apply(request.state_name, response)


def _apply(state_name: str, response: MockResponse) -> Any:
    if not isinstance(response, Mapping):
        raise EngineError(f"mock response for state {state_name!r} must be an object, got {response!r}")
    if "Return" in response:
        return response["Return"]
    if "Throw" in response:
        throw = response["Throw"] or {}
        error = throw.get("Error")
        if error is not None and not isinstance(error, str):
            raise EngineError(f"mock Throw for state {state_name!r}: Error must be a string")
        return_error = StatesError(error, throw.get("Cause"), timed_out=error == "States.Timeout")
        raise return_error
    if response.get("Pending"):
        raise Pending()
    raise EngineError(f"mock response for state {state_name!r} needs Return, Throw or Pending")
