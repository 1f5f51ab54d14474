"""``@record``: the model's immutable value classes, made cheaply.

A ``@dataclass(frozen=True, slots=True)`` costs ~0.8 ms to create on
Python 3.11 (the frozen ``__setattr__``/``__delattr__`` are generated with
``exec``, and slots rebuild the class), and the model has dozens of them:
that was ~20 ms of every ``asl`` start. ``record`` makes a slotted dataclass
(no new attributes, small instances) whose immutability is checked by the
type checker instead (``dataclass_transform(frozen_default=True)``:
``mypy --strict`` rejects any assignment to a field). Only its ``__init__``
is generated; ``__repr__``, ``__eq__`` and ``__hash__`` are shared functions
over the fields (the value semantics of a dataclass: ``compare=False`` and
``repr=False`` fields left out), ~0.15 ms per class.
Instances are built once, when a definition is compiled, and never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
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
        # Only __init__ is generated (with exec, for its speed); __repr__,
        # __eq__ and __hash__ are shared functions over the fields: three
        # fewer execs per class, a tenth of `asl run`'s start.
        made: Any = dataclass(klass, slots=True, kw_only=kw_only, eq=False, repr=False)
        made._compared = tuple(f.name for f in fields(made) if f.compare)
        made._shown = tuple(f.name for f in fields(made) if f.repr)
        made.__repr__ = _repr
        if eq:  # hashable by value, as a frozen dataclass is (it is immutable)
            made.__eq__ = _eq
            made.__hash__ = _hash
        return made  # type: ignore[no-any-return]

    return wrap if cls is None else wrap(cls)


def _values(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in self._compared)


def _repr(self: Any) -> str:
    return f"{type(self).__qualname__}(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown) + ")"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))
