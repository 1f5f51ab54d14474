"""``@record``: the model's immutable value classes, made cheaply.

A ``@dataclass(frozen=True, slots=True)`` costs ~0.8 ms to create on
Python 3.11 (the frozen ``__setattr__``/``__delattr__`` and ``__init__`` are
generated with ``exec``, and slots rebuild the class), and the model has
dozens of them: that was ~20 ms of every ``asl`` start. ``record`` makes a
slotted dataclass (no new attributes, small instances) whose immutability
is checked by the type checker instead (``dataclass_transform(frozen_default=True)``:
``mypy --strict`` rejects any assignment to a field). Nothing is generated:
``__init__``, ``__repr__``, ``__eq__`` and ``__hash__`` are shared functions
over the fields (the value semantics of a dataclass: ``compare=False`` and
``repr=False`` fields left out, defaults and ``default_factory`` applied,
``kw_only`` honoured), ~0.1 ms per class. The shared ``__init__`` costs
about a microsecond more per instance than a generated one; instances are
built when a definition is compiled (a few per state), never per transition.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
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
        made: Any = dataclass(klass, slots=True, init=False, kw_only=kw_only, eq=False, repr=False)
        made._compared = tuple(f.name for f in fields(made) if f.compare)
        made._shown = tuple(f.name for f in fields(made) if f.repr)
        made._init_plan = _init_plan(made)
        made.__init__ = _init
        made.__repr__ = _repr
        if eq:  # hashable by value, as a frozen dataclass is (it is immutable)
            made.__eq__ = _eq
            made.__hash__ = _hash
        return made  # type: ignore[no-any-return]

    return wrap if cls is None else wrap(cls)


_REQUIRED: Any = object()


def _init_plan(cls: Any) -> tuple[tuple[str, ...], tuple[tuple[str, Any, Any], ...]]:
    """(the names ``__init__`` takes by position, every field as (name, default, factory))."""
    plan = []
    positional = []
    for f in fields(cls):
        if not f.init:
            continue
        default = f.default if f.default is not MISSING else _REQUIRED
        factory = f.default_factory if f.default_factory is not MISSING else None
        plan.append((f.name, default, factory))
        if not f.kw_only:
            positional.append(f.name)
    return tuple(positional), tuple(plan)


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    """A dataclass's ``__init__``, from the class's plan (no code generated per class)."""
    positional, plan = self._init_plan
    if len(args) > len(positional):
        raise TypeError(f"{type(self).__qualname__}() takes {len(positional)} positional arguments but {len(args)} were given")
    if args:
        for name, value in zip(positional, args):
            if name in kwargs:
                raise TypeError(f"{type(self).__qualname__}() got multiple values for argument {name!r}")
            kwargs[name] = value
    for name, default, factory in plan:
        value = kwargs.pop(name, _REQUIRED)
        if value is _REQUIRED:
            if factory is not None:
                value = factory()
            elif default is _REQUIRED:
                raise TypeError(f"{type(self).__qualname__}() missing required argument: {name!r}")
            else:
                value = default
        object.__setattr__(self, name, value)
    if kwargs:
        raise TypeError(f"{type(self).__qualname__}() got an unexpected keyword argument {next(iter(kwargs))!r}")


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
