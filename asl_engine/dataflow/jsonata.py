"""JSONata for states whose ``QueryLanguage`` is ``JSONata``: the light face of the adapter.

What the rest of the engine imports: the delimiters, ``is_expression``,
``UNDEFINED``, ``JsonataSyntaxError``, AWS's error texts (``jsonata_text``),
and ``compile_expression`` / ``template``, which load the adapter itself
(``jsonata_engine``, the only importer of the JSONata library; its docstring
has the contract and why jsonata-python) on first use: a JSONPath machine
never imports the library. ``Expression`` and ``Template`` are the adapter's
classes for type checkers and their library-free bases at run time, so
``isinstance`` needs no library either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import QUERY_EVALUATION_ERROR
from .json_values import json_type_name
from .jsonata_text import (
    DEFAULT_BUDGET_SECONDS,
    MAX_DEPTH,
    UNDEFINED,
    JsonataSyntaxError,
    evaluation_error,
    expression_source,
    is_expression,
    result_type_error,
    undefined_error,
    unsupported_result_error,
)

if TYPE_CHECKING:
    from .jsonata_engine import Expression, Template
else:
    from .jsonata_text import ExpressionBase as Expression
    from .jsonata_text import TemplateBase as Template

__all__ = [
    "DEFAULT_BUDGET_SECONDS",
    "MAX_DEPTH",
    "QUERY_EVALUATION_ERROR",
    "UNDEFINED",
    "Expression",
    "JsonataSyntaxError",
    "Template",
    "compile_expression",
    "evaluation_error",
    "expression_source",
    "is_expression",
    "json_type_name",
    "result_type_error",
    "template",
    "undefined_error",
    "unsupported_result_error",
]

# --------------------------------------------------------------------------- compiling (loads the adapter)


def compile_expression(text: str) -> Expression:
    """Compile ``"{% expression %}"`` once (``jsonata_engine.compile_expression``)."""
    from .jsonata_engine import compile_expression as compile_

    return compile_(text)


def template(value: Any) -> Template:
    """Compile a JSON template whose strings may be expressions (``jsonata_engine.template``)."""
    from .jsonata_engine import template as compile_template

    return compile_template(value)
