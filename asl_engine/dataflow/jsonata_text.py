"""JSONata's texts, errors and values that need no JSONata library.

Shared by the light face (``dataflow.jsonata``, what the engine imports) and
the adapter (``dataflow.jsonata_engine``, the only importer of the library):
the ``{% %}`` delimiters, ``UNDEFINED``, ``JsonataSyntaxError``, AWS's error
texts, and the base classes of ``Expression`` and ``Template`` (so that an
``isinstance`` check loads no library).
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any, Final

from ..errors import QUERY_EVALUATION_ERROR, StatesError
from .json_values import json_type_name


class ExpressionBase:
    """What every compiled ``{% ... %}`` expression is (``jsonata_engine.Expression``)."""

    __slots__ = ()
    reads_context: bool  # see ``reads_context``


class TemplateBase:
    """What every compiled JSONata template is (``jsonata_engine.Template``)."""

    __slots__ = ()
    reads_context: bool  # whether any of its expressions may


# ``$states`` followed by anything but one of the members every state has
# without building it (``.input``, ``.result``, ``.errorOutput``).
_STATES_BEYOND_DATA = re.compile(r"\$states(?!\s*\.\s*(?:input|result|errorOutput)\b)")


def reads_context(text: str) -> bool:
    """Whether expression ``text`` may read ``$states.context``: conservatively
    yes when the word ``context`` appears anywhere in it (a name, a quoted
    name, a string) or ``$states`` is used other than through ``.input``,
    ``.result`` or ``.errorOutput`` (passed whole, bound to a variable,
    ``$keys($states)``...). The interpreter builds the context object, a
    fifth of a JSONata Pass state's cost, only for states that may read it."""
    return "context" in text or _STATES_BEYOND_DATA.search(text) is not None


DEFAULT_BUDGET_SECONDS: Final = 1.0
"""Time allowed to one evaluation (the design card's AWS figure; jsonata-java's
``Timebox`` default is 5 s, which a third-party measurement attributes to AWS)."""
MAX_DEPTH: Final = 100
"""Deepest evaluator nesting allowed: jsonata-java's ``Timebox`` default, which
AWS is reported to enforce (``$f(31)`` of a non-tail recursion nests 98)."""

_OPEN: Final = "{%"
_CLOSE: Final = "%}"


class _Undefined:
    """Type of :data:`UNDEFINED`: JSONata's "no value", distinct from JSON ``null``."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"  # copy/pickle keep the singleton


UNDEFINED: Final = _Undefined()
"""What :meth:`Expression.evaluate` returns when the expression yields nothing."""


class JsonataSyntaxError(ValueError):
    """A JSONata expression cannot be compiled (raised at load time).

    ``code`` is the JSONata error code when the library gave one (``S0203``),
    ``position`` the library's character offset in ``expression`` (the text
    between the delimiters, stripped), ``location`` the JSON-pointer-like path
    of the offending string inside a :func:`template` value (``""`` for a
    lone expression, ``"/a/0"`` for ``{"a": ["{% ... %}"]}``).
    """

    def __init__(
        self,
        expression: str,
        reason: str,
        *,
        code: str | None = None,
        position: int | None = None,
        location: str = "",
    ) -> None:
        self.expression = expression
        self.reason = reason
        self.code = code
        self.position = position
        self.location = location
        text = f"{code}: {reason}" if code else reason
        if position is not None and position >= 0:
            text += f" (at position {position})"
        super().__init__(f"invalid JSONata expression {expression!r}: {text}")

    def at(self, location: str) -> JsonataSyntaxError:
        """The same error, located at *location* inside an enclosing value."""
        return JsonataSyntaxError(
            self.expression, self.reason, code=self.code, position=self.position, location=location + self.location
        )


# --------------------------------------------------------------------------- texts


def is_expression(value: Any) -> bool:
    """True for a string that starts with ``{%`` and ends with ``%}`` (no leading/trailing space)."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith(_OPEN) and value.endswith(_CLOSE)


def expression_source(text: str) -> str:
    """The expression as AWS quotes it in causes: *text* without ``{% %}``, stripped."""
    if is_expression(text):
        return text[2:-2].strip()
    return text.strip()


def _js_number(value: float) -> str:
    """A finite float in JavaScript/Jackson notation (``1e-7``, ``0.00001``, ``1e+21``)."""
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if -7 < power < 21:  # JavaScript writes these positionally
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _compact_json(value: Any) -> str:
    """*value* as AWS prints it in causes: JSON without spaces, non-ASCII kept."""
    if isinstance(value, float) and math.isfinite(value):
        return _js_number(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_compact_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_compact_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _prefix(expression_text: str, field: str) -> str:
    return f"The JSONata expression '{expression_source(expression_text)}' specified for the field '{field}'"


def undefined_error(expression_text: str, field: str) -> StatesError:
    """AWS's error for an expression that yields nothing where a value is needed."""
    return StatesError(QUERY_EVALUATION_ERROR, f"{_prefix(expression_text, field)} returned nothing (undefined).")


def unsupported_result_error(expression_text: str, field: str) -> StatesError:
    """AWS's error for a result that is not JSON (a function)."""
    return StatesError(QUERY_EVALUATION_ERROR, f"{_prefix(expression_text, field)} returned an unsupported result type.")


def result_type_error(expression_text: str, field: str, expected: str, value: Any) -> StatesError:
    """AWS's error for a result of the wrong JSON type, e.g. ``Items`` that is not an array.

    *expected* is AWS's type name (``'array'``, ``'boolean'``...). Recorded text::

        The JSONata expression 'true' specified for the field 'Items' returned an
        unexpected result type. Expected 'array', but was 'boolean' for value: true
    """
    return StatesError(
        QUERY_EVALUATION_ERROR,
        f"{_prefix(expression_text, field)} returned an unexpected result type. "
        f"Expected '{expected}', but was '{json_type_name(value)}' for value: {_compact_json(value)}",
    )


def evaluation_error(expression_text: str, field: str, detail: str) -> StatesError:
    """AWS's error for an expression that failed while evaluating.

    *detail* is the evaluator's ``"<code>: <message>"``; recorded text::

        The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified
        for the field 'Output/FunctionResult' threw an error during evaluation.
        T1006: Attempted to invoke a non-function
    """
    return StatesError(QUERY_EVALUATION_ERROR, f"{_prefix(expression_text, field)} threw an error during evaluation. {detail}")



