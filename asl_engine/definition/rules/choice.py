"""Choice Rules.

JSONPath rules are compiled by the engine's own compiler
(``asl_engine.definition.choice.compile_rule``), after a structural pass that
finds *every* problem with its place (the compiler stops at the first):
unknown fields, several operators in one rule ("Each Choice Rule can only
have one comparison operator."), ``Next``/``Assign`` in a nested rule, a
missing or non-path ``Variable``, empty ``And``/``Or``.

JSONata rules have a ``Condition`` (a boolean or a JSONata string), ``Next``,
and optionally ``Assign``, ``Output``, ``Comment``.
"""

from __future__ import annotations

from typing import Any, Iterator

from ...dataflow.jsonpath import PathError, compile_path
from ..choice import OPERATORS, ChoiceRuleError, compile_rule
from ...diagnostics import WARNING
from .common import describe_type, looks_like_jsonata, ptr
from .model import Document, Issue, StateNode
from .paths import check_template, reason
from .structure import check_assign

__all__ = ["check_choice_rules"]

_BOOLEAN = ("And", "Or", "Not")
_ANNOTATIONS = frozenset({"Comment"})
_JSONATA_RULE = frozenset({"Condition", "Next", "Assign", "Output", "Comment"})
_LITERAL_STRING_OPERATORS = frozenset(
    name for name in OPERATORS if name.startswith("String") and not name.endswith("Path") and name != "StringMatches"
)


def check_choice_rules(state: StateNode, doc: Document) -> Iterator[Issue]:
    """Every rule of a Choice state's ``Choices`` array."""
    if state.type != "Choice":
        return
    choices = state.raw.get("Choices")
    if not isinstance(choices, list):
        return
    for i, rule in enumerate(choices):
        where = state.at("Choices", i)
        if not isinstance(rule, dict):
            yield Issue(where, f"A Choice Rule must be a JSON object, not {describe_type(rule)}", "choice.type")
            continue
        if "Next" not in rule:
            yield Issue(where, "These fields are required: [Next]", "structure.required")
        elif not isinstance(rule["Next"], str):
            yield Issue(ptr(where, "Next"), f"Expected value of type [STRING] for 'Next', not {describe_type(rule['Next'])}", "structure.type")
        if "Assign" in rule:
            yield from check_assign(rule["Assign"], ptr(where, "Assign"), state.jsonata)
            if not state.jsonata:
                yield from check_template(doc, rule["Assign"], ptr(where, "Assign"), "Assign")
        if state.jsonata:
            yield from _jsonata_rule(rule, where)
            continue
        problems = list(_structure(rule, where, nested=False))
        yield from problems
        if not any(p.severity != WARNING for p in problems):
            try:
                compile_rule(rule)
            except ChoiceRuleError as exc:
                yield Issue(where, f"Invalid Choice Rule: {exc}", "choice.rule")


def _structure(rule: dict[str, Any], where: str, nested: bool) -> Iterator[Issue]:
    operators = [k for k in rule if k in OPERATORS or k in _BOOLEAN]
    for key in rule:
        if key in OPERATORS or key in _BOOLEAN or key == "Variable" or key in _ANNOTATIONS:
            continue
        if key in ("Next", "Assign") and not nested:
            continue
        if key in ("Condition", "Output"):
            yield Issue(where, f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only supported for the 'JSONata' QueryLanguage",
                        "structure.field-query-language", at=ptr(where, key), key=True)
            continue
        yield Issue(where, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(where, key), key=True)
    if not operators:
        if "Condition" not in rule:
            yield Issue(where, "A Choice Rule needs one comparison operator (or And, Or, Not)", "structure.required")
        return
    if len(operators) > 1:
        for key in operators:
            yield Issue(where, "Each Choice Rule can only have one comparison operator.", "choice.operators", at=ptr(where, key), key=True)
        return
    name = operators[0]
    if name in _BOOLEAN:
        if "Variable" in rule:
            yield Issue(where, f"Field 'Variable' is not supported in a Choice Rule with '{name}'", "structure.unknown-field",
                        at=ptr(where, "Variable"), key=True)
        operand = rule[name]
        at = ptr(where, name)
        if name == "Not":
            if isinstance(operand, dict):
                yield from _structure(operand, at, nested=True)
            else:
                yield Issue(at, f"Expected a Choice Rule object for 'Not', not {describe_type(operand)}", "choice.type")
        elif not isinstance(operand, list):
            yield Issue(at, f"Expected value of type [ARRAY] for '{name}', not {describe_type(operand)}", "choice.type")
        elif not operand:
            yield Issue(at, "Value cannot be empty", "structure.required")
        else:
            for j, inner in enumerate(operand):
                if isinstance(inner, dict):
                    yield from _structure(inner, ptr(at, j), nested=True)
                else:
                    yield Issue(ptr(at, j), f"A Choice Rule must be a JSON object, not {describe_type(inner)}", "choice.type")
        return
    if "Variable" not in rule:
        yield Issue(where, "These fields are required: [Variable]", "structure.required")
    else:
        variable = rule["Variable"]
        if not isinstance(variable, str):
            yield Issue(ptr(where, "Variable"), f"Expected value of type [STRING] for 'Variable', not {describe_type(variable)}", "paths.jsonpath")
        else:
            try:
                compile_path(variable)
            except PathError as exc:
                yield Issue(ptr(where, "Variable"), f"The value for the field 'Variable' must be a valid JSONPath: {reason(exc, variable)}", "paths.jsonpath")
    operand = rule[name]
    if name.endswith("Path") and name in OPERATORS and isinstance(operand, str):
        try:
            compile_path(operand)
        except PathError as exc:
            yield Issue(ptr(where, name), f"The value for the field '{name}' must be a valid JSONPath: {reason(exc, operand)}", "paths.jsonpath")
    elif name in _LITERAL_STRING_OPERATORS and isinstance(operand, str) and operand.startswith(("$.", "$$.", "$[")):
        yield Issue(ptr(where, name), f"The value of '{name}' looks like a path, but the operator does not end with 'Path': "
                    f"use '{name}Path' to compare with a value of the input", "warnings.no-path", code="NO_PATH", severity=WARNING)


def _jsonata_rule(rule: dict[str, Any], where: str) -> Iterator[Issue]:
    for key in rule:
        if key in _JSONATA_RULE:
            continue
        if key in OPERATORS or key in _BOOLEAN or key == "Variable":
            yield Issue(where, f"The QueryLanguage is set to 'JSONata', but field '{key}' is only supported for the 'JSONPath' QueryLanguage",
                        "structure.field-query-language", at=ptr(where, key), key=True)
        else:
            yield Issue(where, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(where, key), key=True)
    if "Condition" not in rule:
        yield Issue(where, "These fields are required: [Condition]", "structure.required")
    else:
        condition = rule["Condition"]
        # A malformed "{% ..." string is the JSONata rules' to report.
        if not isinstance(condition, bool) and not looks_like_jsonata(condition):
            yield Issue(ptr(where, "Condition"), f"Expected a boolean or a JSONata expression for 'Condition', not {describe_type(condition)}",
                        "structure.type")
