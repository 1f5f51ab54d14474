"""``@record``: the model's immutable value classes, made cheaply.

A ``@dataclass(frozen=True, slots=True)`` costs ~0.8 ms to create on
Python 3.11 (the frozen ``__setattr__``/``__delattr__`` are generated with
``exec``, and slots rebuild the class), and the model has dozens of them:
that was ~20 ms of every ``asl`` start. ``record`` makes a slotted dataclass
(no new attributes, small instances) whose immutability is checked by the
type checker instead (``dataclass_transform(frozen_default=True)``:
``mypy --strict`` rejects any assignment to a field), at ~0.3 ms per class.
Instances are built once, when a definition is compiled, and never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar, dataclass_transform, overload

__all__ = ["record"]

T = TypeVar("T")


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = False, eq: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True)
def record(cls: Any = None, /, *, kw_only: bool = False, eq: bool = True) -> Any:
    """A slotted dataclass, immutable for the type checker (see the module docstring)."""

    def wrap(klass: type[T]) -> type[T]:
        # unsafe_hash: hashable by value, as a frozen dataclass is (it is immutable).
        return dataclass(klass, slots=True, kw_only=kw_only, eq=eq, unsafe_hash=eq)

    return wrap if cls is None else wrap(cls)
