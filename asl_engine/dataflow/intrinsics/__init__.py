"""Amazon States Language intrinsic functions (``"x.$": "States.Format(...)"``).

Public interface::

    is_intrinsic(text) -> bool             does the text look like States.Name(...)?
    compile_intrinsic(text) -> Intrinsic   parse + check once, at load time
    Intrinsic.evaluate(data, env) -> Any   run it ($ = data, $$/variables from env)
    IntrinsicSyntaxError                   raised by compile_intrinsic

All 18 functions AWS offers are registered (``function_names()``):
States.Format, StringToJson, JsonToString, Array, ArrayPartition,
ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique,
Base64Encode, Base64Decode, Hash, JsonMerge, MathRandom, MathAdd,
StringSplit, UUID.

Run-time failures raise ``asl_engine.errors.StatesError("States.Runtime",
cause)``; see ``evaluator`` for the exact cause texts.

Only ``is_intrinsic`` and ``IntrinsicSyntaxError`` load with the package:
the parser, the checks and the 18 functions load on the first
``compile_intrinsic`` (or the first use of another name here), so a
definition without intrinsics never pays for them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import IntrinsicSyntaxError

if TYPE_CHECKING:
    from .evaluator import RUNTIME_ERROR, Intrinsic
    from .parser import MAX_NESTING
    from .registry import FunctionSpec, function_names, lookup

__all__ = [
    "MAX_NESTING",
    "RUNTIME_ERROR",
    "FunctionSpec",
    "Intrinsic",
    "IntrinsicSyntaxError",
    "compile_intrinsic",
    "function_names",
    "is_intrinsic",
    "lookup",
]

_LOOKS_LIKE_CALL = re.compile(r"States\.[A-Za-z0-9_]*\(.*\)", re.DOTALL)


def is_intrinsic(text: object) -> bool:
    """True when ``text`` (surrounding whitespace ignored) looks like ``States.Name(...)``.

    This only recognises the *intent*; ``compile_intrinsic`` decides whether
    the call is valid (it rejects e.g. leading whitespace, as AWS does).
    """
    return isinstance(text, str) and _LOOKS_LIKE_CALL.fullmatch(text.strip()) is not None


def compile_intrinsic(text: str, *, strict: bool = False) -> Intrinsic:
    """Parse and check ``text`` once; return a reusable ``Intrinsic``.

    Raises ``IntrinsicSyntaxError`` for malformed text, unknown functions,
    wrong argument counts and nesting deeper than ``MAX_NESTING``. Problems
    AWS only reports at run time (a literal of the wrong type, a Format
    template whose ``{}`` count does not match) are returned in
    ``Intrinsic.diagnostics``; ``strict=True`` raises them instead.
    """
    from . import functions as _functions  # noqa: F401  (registers the functions)
    from .checks import static_check
    from .evaluator import Intrinsic
    from .parser import parse_intrinsic

    call = parse_intrinsic(text)
    diagnostics = tuple(static_check(call))
    if strict and diagnostics:
        raise IntrinsicSyntaxError("; ".join(diagnostics), text)
    return Intrinsic(text, call, diagnostics)


_LAZY = {
    "RUNTIME_ERROR": "evaluator", "Intrinsic": "evaluator", "MAX_NESTING": "parser",
    "FunctionSpec": "registry", "function_names": "registry", "lookup": "registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    from . import functions as _functions  # noqa: F401  (the registry's names need them registered)

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
