"""Retry and Catch (Task, Parallel and Map states).

* ``Retry``/``Catch``: arrays of objects; ``ErrorEquals`` a non-empty array
  of strings; ``States.ALL`` alone in its ``ErrorEquals`` and in the last
  Retrier/Catcher.
* Retrier: ``IntervalSeconds`` 1..99999999, ``MaxAttempts`` 0..99999999,
  ``BackoffRate`` >= 1, ``MaxDelaySeconds`` 1..31622400, ``JitterStrategy``
  ``FULL`` or ``NONE`` (AWS's values; the spec leaves it open).
* Catcher: ``Next`` (its target is checked by the graph rules),
  ``ResultPath`` (JSONPath), ``Output`` (JSONata), ``Assign``.
"""

from __future__ import annotations

from typing import Any, Iterator

from .common import describe_type, is_integral, is_number, ptr
from .model import Document, Issue, StateNode
from .paths import check_template, result_path
from .structure import check_assign

__all__ = ["check_retry_catch"]

_RETRIER_FIELDS = frozenset({"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"})
_CATCHER_JSONPATH = frozenset({"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"})
_CATCHER_JSONATA = frozenset({"ErrorEquals", "Next", "Output", "Assign", "Comment"})
_MAX_DELAY = 31622400
_MAX_SECONDS = 99999999


def check_retry_catch(state: StateNode, doc: Document) -> Iterator[Issue]:
    """``Retry`` and ``Catch`` of one Task, Parallel or Map state."""
    if state.type not in ("Task", "Parallel", "Map"):
        return
    node = state.raw
    if "Retry" in node:
        problems, retriers = _entries(state, node["Retry"], "Retry", "Retrier")
        yield from problems
        for where, retrier in retriers:
            yield from _retrier(retrier, where)
            yield from _retrier_values(retrier, where)
    if "Catch" in node:
        problems, catchers = _entries(state, node["Catch"], "Catch", "Catcher")
        yield from problems
        for where, catcher in catchers:
            yield from _catcher(state, doc, catcher, where)


def _entries(state: StateNode, value: Any, field: str, what: str) -> tuple[list[Issue], list[tuple[str, dict[str, Any]]]]:
    """The problems of the array itself, and its object entries with their pointers."""
    where = state.at(field)
    problems: list[Issue] = []
    entries: list[tuple[str, dict[str, Any]]] = []
    if not isinstance(value, list):
        problems.append(Issue(where, f"Expected value of type [ARRAY] for '{field}', not {describe_type(value)}", "retry-catch.type"))
        return problems, entries
    last = len(value) - 1
    for i, entry in enumerate(value):
        here = ptr(where, i)
        if not isinstance(entry, dict):
            problems.append(Issue(here, f"A {what} must be a JSON object, not {describe_type(entry)}", "retry-catch.type"))
            continue
        errors = entry.get("ErrorEquals")
        if i < last and isinstance(errors, list) and "States.ALL" in errors:
            problems.append(Issue(ptr(here, "ErrorEquals"), f"States.ALL must appear in the last {what} of '{field}'", "retry-catch.states-all"))
        entries.append((here, entry))
    return problems, entries


def _error_equals(entry: dict[str, Any], where: str) -> Iterator[Issue]:
    if "ErrorEquals" not in entry:
        yield Issue(where, "These fields are required: [ErrorEquals]", "structure.required")
        return
    errors = entry["ErrorEquals"]
    at = ptr(where, "ErrorEquals")
    if not isinstance(errors, list):
        yield Issue(at, f"Expected value of type [ARRAY] for 'ErrorEquals', not {describe_type(errors)}", "retry-catch.type")
        return
    if not errors:
        yield Issue(at, "Value cannot be empty: ErrorEquals needs at least one error name", "retry-catch.error-equals")
    for i, name in enumerate(errors):
        if not isinstance(name, str):
            yield Issue(ptr(at, i), f"Expected value of type [STRING] in 'ErrorEquals', not {describe_type(name)}", "retry-catch.type")
    if "States.ALL" in errors and len(errors) > 1:
        yield Issue(at, "States.ALL must appear alone in ErrorEquals", "retry-catch.states-all")


def _retrier(entry: dict[str, Any], where: str) -> Iterator[Issue]:
    yield from _error_equals(entry, where)
    for key in entry:
        if key not in _RETRIER_FIELDS:
            yield Issue(where, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(where, key), key=True)


def _int_in(entry: dict[str, Any], key: str, where: str, low: int, high: int) -> Iterator[Issue]:
    if key not in entry:
        return
    value = entry[key]
    at = ptr(where, key)
    if not is_integral(value):
        yield Issue(at, f"Expected value of type [INTEGER] for '{key}', not {describe_type(value)}", "retry-catch.value")
    elif value < low:
        yield Issue(at, f"Minimum value is {low} for '{key}'", "retry-catch.value")
    elif value > high:
        yield Issue(at, f"Maximum value is {high} for '{key}'", "retry-catch.value")


def _retrier_values(entry: dict[str, Any], where: str) -> Iterator[Issue]:
    # Retriers take literals only, in JSONata states too (AWS does not evaluate
    # JSONata in Retry).
    yield from _int_in(entry, "IntervalSeconds", where, 1, _MAX_SECONDS)
    yield from _int_in(entry, "MaxAttempts", where, 0, _MAX_SECONDS)
    yield from _int_in(entry, "MaxDelaySeconds", where, 1, _MAX_DELAY)
    if "BackoffRate" in entry:
        rate = entry["BackoffRate"]
        at = ptr(where, "BackoffRate")
        if not is_number(rate):
            yield Issue(at, f"Expected value of type [NUMBER] for 'BackoffRate', not {describe_type(rate)}", "retry-catch.value")
        elif rate < 1.0:
            yield Issue(at, "Minimum value is 1.0 for 'BackoffRate'", "retry-catch.value")
    if "JitterStrategy" in entry:
        jitter = entry["JitterStrategy"]
        if jitter not in ("FULL", "NONE"):
            yield Issue(ptr(where, "JitterStrategy"), "Value should be one of the following: [FULL, NONE]", "retry-catch.value")
    if "Comment" in entry and not isinstance(entry["Comment"], str):
        yield Issue(ptr(where, "Comment"), f"Expected value of type [STRING] for 'Comment', not {describe_type(entry['Comment'])}", "structure.type")


def _catcher(state: StateNode, doc: Document, entry: dict[str, Any], where: str) -> Iterator[Issue]:
    yield from _error_equals(entry, where)
    if "Next" not in entry:
        yield Issue(where, "These fields are required: [Next]", "structure.required")
    elif not isinstance(entry["Next"], str):
        yield Issue(ptr(where, "Next"), f"Expected value of type [STRING] for 'Next', not {describe_type(entry['Next'])}", "structure.type")
    allowed = _CATCHER_JSONATA if state.jsonata else _CATCHER_JSONPATH
    for key in entry:
        if key in allowed:
            continue
        if key in _CATCHER_JSONATA | _CATCHER_JSONPATH:
            mine, theirs = ("JSONata", "JSONPath") if state.jsonata else ("JSONPath", "JSONata")
            yield Issue(where, f"The QueryLanguage is set to '{mine}', but field '{key}' is only supported for the '{theirs}' QueryLanguage",
                        "structure.field-query-language", at=ptr(where, key), key=True)
        else:
            yield Issue(where, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(where, key), key=True)
    if "ResultPath" in entry and not state.jsonata:
        yield from result_path(doc, entry["ResultPath"], ptr(where, "ResultPath"))
    if "Assign" in entry:
        yield from check_assign(entry["Assign"], ptr(where, "Assign"), state.jsonata)
        if not state.jsonata:
            yield from check_template(doc, entry["Assign"], ptr(where, "Assign"), "Assign")
    if "Comment" in entry and not isinstance(entry["Comment"], str):
        yield Issue(ptr(where, "Comment"), f"Expected value of type [STRING] for 'Comment', not {describe_type(entry['Comment'])}", "structure.type")
