"""The one registry of intrinsic functions: name -> signature + implementation.

"Register, don't switch": each function module declares its signature with
``@register(...)``; arity is checked here when a call is compiled, and the
types of evaluated arguments are checked here before the implementation
runs, so implementations receive values of the kinds they declared.

Types are JSON *kinds*: ``string``, ``number``, ``boolean``, ``null``,
``array``, ``object`` (``ANY`` is all of them).

Why literal type mismatches are not compile errors: AWS accepts e.g.
``States.ArrayRange('a', 5, 1)`` when the state machine is created and fails
the execution with ``States.Runtime`` / ``Invalid arguments in
States.ArrayRange`` (third-party observations against AWS). ``static_check``
therefore returns *diagnostics* (lint warnings) that the caller may show or,
with ``compile_intrinsic(..., strict=True)``, turn into errors.
"""

from __future__ import annotations

from ...model.records import record
from ..json_values import json_type_name

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from .errors import invalid_arguments

__all__ = [
    "ANY",
    "ARRAY",
    "BOOLEAN",
    "NULL",
    "NUMBER",
    "OBJECT",
    "STRING",
    "CallContext",
    "FunctionSpec",
    "Impl",
    "describe_kinds",
    "function_names",
    "kind_of",
    "lookup",
    "register",
]

Kinds = frozenset[str]

STRING: Kinds = frozenset({"string"})
NUMBER: Kinds = frozenset({"number"})
BOOLEAN: Kinds = frozenset({"boolean"})
NULL: Kinds = frozenset({"null"})
ARRAY: Kinds = frozenset({"array"})
OBJECT: Kinds = frozenset({"object"})
ANY: Kinds = STRING | NUMBER | BOOLEAN | NULL | ARRAY | OBJECT


# The kinds of the exact types JSON decodes to: a dictionary read, where
# ``json_type_name``'s isinstance chain runs per argument of every call.
_KINDS_BY_TYPE: dict[type, str] = {
    str: "string", int: "number", float: "number", bool: "boolean", type(None): "null", list: "array", dict: "object",
}


def kind_of(value: Any) -> str:
    """The JSON kind of a Python value (``bool`` is not a number here)."""
    return _KINDS_BY_TYPE.get(type(value)) or json_type_name(value)


def describe_kinds(kinds: Kinds) -> str:
    """``"a string"`` / ``"a number or a string"`` for messages."""
    if kinds == ANY:
        return "any value"
    names = sorted(kinds)
    articled = [("an " if n[0] in "aeiou" else "a ") + n for n in names]
    return " or ".join(articled)


@dataclass(slots=True)
class CallContext:
    """What an implementation may need besides its arguments.

    ``rng`` is the injectable source of randomness for ``States.MathRandom``
    (unseeded) and ``States.UUID``; ``None`` means the process-wide default.
    """

    rng: random.Random | None = None

    def random(self) -> random.Random:
        return self.rng if self.rng is not None else _DEFAULT_RNG


_DEFAULT_RNG = random.SystemRandom()

Impl = Callable[[Sequence[Any], CallContext], Any]


@record
class FunctionSpec:
    """Signature of one intrinsic function.

    ``params`` gives the accepted kinds of each positional parameter; the
    first ``min_args`` are required. ``variadic`` (kinds of any further
    arguments) makes the function take any number of extra arguments.
    ``raw_template`` names the parameter that receives a string literal's
    source text (escapes kept) instead of its value: ``States.Format`` needs
    to know which braces were escaped.
    """

    name: str
    params: tuple[Kinds, ...]
    min_args: int
    returns: Kinds
    impl: Impl
    variadic: Kinds | None = None
    raw_template: int | None = None
    doc: str = field(default="", compare=False)
    longest: int | None = None
    """The longest JSON text a result can have, when the function itself bounds
    it (a 32-bit sum, a UUID): lets the interpreter bound a state's output size
    without serialising it (``asl_engine.dataflow.sizes``)."""

    @property
    def max_args(self) -> int | None:
        return None if self.variadic is not None else len(self.params)

    def kinds_at(self, index: int) -> Kinds:
        if index < len(self.params):
            return self.params[index]
        assert self.variadic is not None
        return self.variadic

    def arity_error(self, given: int) -> str | None:
        """A message when ``given`` arguments do not fit, else ``None``."""
        max_args = self.max_args
        if self.min_args <= given and (max_args is None or given <= max_args):
            return None
        if max_args is None:
            expected = f"at least {self.min_args}"
        elif max_args == self.min_args:
            expected = f"exactly {self.min_args}"
        else:
            expected = f"{self.min_args} to {max_args}"
        plural = "" if expected.endswith(" 1") else "s"
        return f"{self.name} takes {expected} argument{plural}, {given} given"

    def check_values(self, values: Sequence[Any]) -> None:
        """Run-time type check; raises the ``Invalid arguments in ...`` failure."""
        params = self.params
        if len(values) > len(params):  # the variadic tail
            assert self.variadic is not None
            params = params + (self.variadic,) * (len(values) - len(params))
        for value, kinds in zip(values, params):
            if (_KINDS_BY_TYPE.get(type(value)) or json_type_name(value)) not in kinds:
                raise invalid_arguments(self.name)

    def invoke(self, values: Sequence[Any], ctx: CallContext) -> Any:
        self.check_values(values)
        return self.impl(values, ctx)


_REGISTRY: dict[str, FunctionSpec] = {}


def register(
    name: str,
    params: Iterable[Kinds] = (),
    *,
    returns: Kinds,
    optional: int = 0,
    variadic: Kinds | None = None,
    raw_template: int | None = None,
    longest: int | None = None,
) -> Callable[[Impl], Impl]:
    """Class-free registration decorator.

    ``optional`` counts trailing parameters that may be omitted; ``longest``
    is ``FunctionSpec.longest``.
    """
    params_t = tuple(params)

    def decorate(impl: Impl) -> Impl:
        if name in _REGISTRY:
            raise RuntimeError(f"intrinsic {name} registered twice")
        _REGISTRY[name] = FunctionSpec(
            name=name,
            params=params_t,
            min_args=len(params_t) - optional,
            returns=returns,
            impl=impl,
            variadic=variadic,
            raw_template=raw_template,
            doc=(impl.__doc__ or "").strip(),
            longest=longest,
        )
        return impl

    return decorate


def lookup(name: str) -> FunctionSpec | None:
    """The spec registered under ``name`` (e.g. ``"States.Format"``), if any."""
    return _REGISTRY.get(name)


def function_names() -> list[str]:
    """Every registered name, sorted."""
    return sorted(_REGISTRY)
