"""Where a program runs, and the signals that stop it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import QUERY_EVALUATION_ERROR, STATES_RUNTIME, StatesError
from .variables import Scope

__all__ = ["Frame", "locate"]


@dataclass(slots=True)
class Frame:
    """Where a program runs: its cancel flag, last event id, variables scope,
    Map iteration, and the assignments of the state running now."""

    cancel: threading.Event
    last_event: int
    scope: Scope = field(default_factory=Scope)
    map_index: int | None = None
    assigned: dict[str, Any] | None = None
    state_name: str = ""  # the state running now, and its StateEntered event id
    entered: int = 0
    in_parallel_branch: bool = False


def locate(err: StatesError, frame: Frame) -> None:
    """Prefix AWS's "An error occurred while executing the state ..." to the
    causes AWS prefixes (States.Runtime, States.QueryEvaluationError), once."""
    if err.located or err.error not in _LOCATED_ERRORS:
        return
    err.cause = (
        f"An error occurred while executing the state '{frame.state_name}' "
        f"(entered at the event id #{frame.entered}). {err.cause}"
    )
    err.located = True


_LOCATED_ERRORS = frozenset({STATES_RUNTIME, QUERY_EVALUATION_ERROR})
