"""Mocked task results: replayed per state name, in order.

A mock response is ``{"Return": value}`` or ``{"Throw": {"Error": e,
"Cause": c}}`` (the shapes of AWS's MockConfigFile ``MockedResponses``).
``{"Pending": true}`` never completes: the task waits until its branch is
aborted or the task times out. A mock may also be a callable
``(TaskRequest) -> response`` that picks the response itself.

Every invocation of a mocked state takes the next response (retries, loop
passes and Map iterations included: one counter per state name per
execution). When a state is invoked more times than it has responses, a
plain list raises ``EngineError`` (the run is misconfigured); a
``MockResponses`` list instead fails the Task with ``States.Runtime``, as
AWS Step Functions Local does for a ``MockConfigFile`` with no response for
that invocation (no Retry or Catch handles ``States.Runtime``, so the
execution fails).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..errors import EngineError, StatesError
from .base import TaskRequest

__all__ = ["MockResponses", "MockSet", "Pending"]

MockResponse = Mapping[str, Any]
MockSpec = Sequence[MockResponse] | Callable[[TaskRequest], MockResponse]


class MockResponses(list[dict[str, Any]]):
    """Responses of one state, in invocation order, whose end fails the Task.

    A ``list`` (it compares equal to a plain list of the same responses) that
    tells ``MockSet`` what to do past its last response: fail the Task with
    ``States.Runtime`` and a cause naming the invocation number (from 0, as a
    MockConfigFile numbers them) and ``origin`` (where the responses came
    from, e.g. the MockConfigFile's mocked response name).
    """

    def __init__(self, responses: Iterable[dict[str, Any]] = (), origin: str | None = None) -> None:
        super().__init__(responses)
        self.origin = origin

    def exhausted_cause(self, invocation: int) -> str:
        """The ``States.Runtime`` cause for ``invocation`` (0-based) past the last response
        (the execution's cause prefixes it with the state's name, as AWS does)."""
        origin = f"mocked response '{self.origin}'" if self.origin is not None else "the mock"
        has = f"responses for invocations 0-{len(self) - 1}" if len(self) > 1 else (
            "a response for invocation 0 only" if self else "no responses")
        return f"No mocked response for invocation {invocation}: {origin} has {has}."


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

    def __len__(self) -> int:
        """How many states are mocked (the set never changes)."""
        return len(self._specs)

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
                if isinstance(spec, MockResponses):
                    raise StatesError("States.Runtime", spec.exhausted_cause(position))
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
