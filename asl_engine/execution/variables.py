"""Workflow variables (``Assign``) and their scopes.

AWS: "Each States block has its own scope"; Parallel branches and Map
iterations get a scope of their own that can *read* the variables of the
scopes around it; a branch's variables vanish when the branch ends.
Values assigned by a state become visible from the next state on (every
right-hand side sees the values as they were when the state was entered).
"""

from __future__ import annotations

import threading
from collections import ChainMap
from typing import Any, Mapping

from ..errors import StatesError
from .quotas import Quotas, utf8_size

__all__ = ["Scope", "VariableBudget"]


class Scope:
    """The variables of one ``States`` block, chained to the enclosing scopes."""

    __slots__ = ("values", "parent", "view", "sizes")

    def __init__(self, parent: "Scope | None" = None) -> None:
        self.values: dict[str, Any] = {}
        self.sizes: dict[str, int] = {}  # bytes of each value's JSON, for the quotas
        self.parent = parent
        # A live view: lookups see this scope first, then the enclosing ones.
        maps: list[dict[str, Any]] = [self.values]
        outer = parent
        while outer is not None:
            maps.append(outer.values)
            outer = outer.parent
        self.view: Mapping[str, Any] = self.values if parent is None else ChainMap(*maps)

    def assign(self, values: Mapping[str, Any], state_name: str) -> None:
        """Apply one state's assignments (all at once, after the state ran).

        AWS: a nested scope "cannot assign a variable that exists in an outer
        scope". AWS accepts such definitions (a recording shows a Parallel
        branch and the Parallel's Catcher assigning the same name), so the
        rule is checked here, when the outer variable exists, and fails the
        state with ``States.Runtime`` [error name unverified].
        """
        outer = self.parent
        while outer is not None:
            for name in values:
                if name in outer.values:
                    raise StatesError(
                        "States.Runtime",
                        f"The state '{state_name}' cannot assign the variable '{name}': "
                        "it exists in an outer scope, which a Parallel branch or Map iteration can read but not assign.",
                    )
            outer = outer.parent
        self.values.update(values)


class VariableBudget:
    """Enforces AWS's variable quotas for one execution (thread-safe).

    The errors are ``States.DataLimitExceeded``; AWS documents the limits
    but not the error its executions report [unverified].
    """

    def __init__(self, quotas: Quotas) -> None:
        self._quotas = quotas
        self._total = 0
        self._lock = threading.Lock()

    def charge(self, scope: Scope, state_name: str, texts: Mapping[str, str]) -> None:
        """Account for one state's assignments (``name -> JSON text``) before they apply."""
        quotas = self._quotas
        sizes = {name: utf8_size(text) for name, text in texts.items()}
        if quotas.variable_bytes is not None:
            for name, size in sizes.items():
                if size > quotas.variable_bytes:
                    raise StatesError(
                        "States.DataLimitExceeded",
                        f"The variable '{name}' assigned by the state '{state_name}' has a size of {size} bytes, "
                        f"more than the maximum of {quotas.variable_bytes} bytes.",
                    )
        combined = sum(sizes.values())
        if quotas.assign_bytes is not None and combined > quotas.assign_bytes:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The variables assigned by the state '{state_name}' have a combined size of {combined} bytes, "
                f"more than the maximum of {quotas.assign_bytes} bytes.",
            )
        with self._lock:
            delta = combined - sum(scope.sizes.get(name, 0) for name in sizes)
            if quotas.variables_total_bytes is not None and self._total + delta > quotas.variables_total_bytes:
                raise StatesError(
                    "States.DataLimitExceeded",
                    f"The variables of the execution would reach {self._total + delta} bytes, "
                    f"more than the maximum of {quotas.variables_total_bytes} bytes.",
                )
            self._total += delta
            scope.sizes.update(sizes)

    def release(self, scope: Scope) -> None:
        """A branch or iteration ended: its variables vanish."""
        with self._lock:
            self._total -= sum(scope.sizes.values())
            scope.sizes.clear()
