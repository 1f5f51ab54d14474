"""The operations of the service by AWS name (``Service.call`` dispatches here).

Each module of operations registers its functions with ``@operation("Name")``;
a function takes the service and the request (AWS's members) and returns the
response (AWS's members, ``datetime`` timestamps).
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["OPERATIONS", "Operation", "operation"]

Operation = Callable[[Any, dict[str, Any]], dict[str, Any]]
OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    """Register the implementation of AWS operation ``name``."""

    def register(fn: Operation) -> Operation:
        OPERATIONS[name] = fn
        return fn

    return register
