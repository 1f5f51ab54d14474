"""Readable labels of Choice Rules: ``$.count < 3``, ``$.mode == "fan" and not ($.skip is present)``.

A JSONPath rule is read from the definition (the model keeps only its
compiled predicate); a JSONata rule is its ``Condition`` without the
``{% %}`` delimiters.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

_COMPARISONS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">="}
_OPERATORS: dict[str, tuple[str, bool]] = {
    f"{kind}{name}{suffix}": (symbol, suffix == "Path")
    for kind in ("String", "Numeric", "Boolean", "Timestamp")
    for name, symbol in _COMPARISONS.items()
    for suffix in ("", "Path")
}
_OPERATORS["StringMatches"] = ("matches", False)
_TESTS = {
    "IsPresent": "present",
    "IsNull": "null",
    "IsNumeric": "numeric",
    "IsString": "a string",
    "IsBoolean": "a boolean",
    "IsTimestamp": "a timestamp",
}


def rule_label(rule: Mapping[str, Any]) -> str:
    """The label of one element of ``Choices`` (a JSONPath rule or a JSONata ``Condition``)."""
    if "Condition" in rule:
        return jsonata_text(rule["Condition"])
    return _label(rule)


def jsonata_text(value: Any) -> str:
    """A JSONata field's expression without its ``{% %}`` (a literal as JSON)."""
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        return value[2:-2].strip()
    return json.dumps(value, ensure_ascii=False)


def _label(rule: Any) -> str:
    if not isinstance(rule, Mapping):
        return "?"
    for combinator in ("And", "Or"):
        if isinstance(rule.get(combinator), list):
            return f" {combinator.lower()} ".join(_nested(r) for r in rule[combinator])
    if "Not" in rule:
        return f"not ({_label(rule['Not'])})"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in _TESTS:
            return f"{variable} is {'' if value is True else 'not '}{_TESTS[key]}"
        if key in _OPERATORS:
            symbol, is_path = _OPERATORS[key]
            operand = str(value) if is_path else json.dumps(value, ensure_ascii=False)
            return f"{variable} {symbol} {operand}"
    return variable


def _nested(rule: Any) -> str:
    text = _label(rule)
    return f"({text})" if isinstance(rule, Mapping) and ("And" in rule or "Or" in rule) else text
