"""Workflow variables (``Assign``) and their scopes.

AWS: "Each States block has its own scope"; Parallel branches and Map
iterations get a scope of their own that can *read* the variables of the
scopes around it; a branch's variables vanish when the branch ends.
Values assigned by a state become visible from the next state on (every
right-hand side sees the values as they were when the state was entered).
"""

from __future__ import annotations

from collections import ChainMap
from typing import Any, Mapping

__all__ = ["Scope"]


class Scope:
    """The variables of one ``States`` block, chained to the enclosing scopes."""

    __slots__ = ("values", "parent", "view")

    def __init__(self, parent: "Scope | None" = None) -> None:
        self.values: dict[str, Any] = {}
        self.parent = parent
        # A live view: lookups see this scope first, then the enclosing ones.
        maps: list[dict[str, Any]] = [self.values]
        outer = parent
        while outer is not None:
            maps.append(outer.values)
            outer = outer.parent
        self.view: Mapping[str, Any] = self.values if parent is None else ChainMap(*maps)

    def assign(self, values: Mapping[str, Any]) -> None:
        """Apply one state's assignments (all at once, after the state ran)."""
        self.values.update(values)
