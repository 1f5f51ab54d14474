"""The graph: transition targets, reachability, terminal states, state names.

Scopes are closed: ``Next``, ``Default``, ``Choices[].Next`` and
``Catch[].Next`` may only name a state of the same ``States`` object ("states
in a branch's States field can transition only to each other"). State names
are unique in the whole machine and at most 80 characters long.

AWS's texts: ``Missing 'Next' target: X`` and ``State "X" is not reachable.``
(code MISSING_TRANSITION_TARGET), ``Workflow has no terminal state``
(MISSING_END_STATE), ``Duplicate State name: X`` (DUPLICATE_STATE_NAME).
"""

from __future__ import annotations

import unicodedata
from collections import deque
from typing import Iterator

from .common import ptr
from .model import Document, Issue, Scope, StateNode

__all__ = ["check_names", "check_scope_graph", "transitions_of"]

MISSING_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END = "MISSING_END_STATE"
DUPLICATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_NAME = "INVALID_STATE_NAME"

STATE_NAME_MAX = 80


def transitions_of(state: StateNode) -> Iterator[tuple[str, str]]:
    """Every ``(pointer, target name)`` a state can transition to (string targets only)."""
    node = state.raw
    if isinstance(node.get("Next"), str) and state.type not in ("Choice", "Succeed", "Fail"):
        yield state.at("Next"), node["Next"]
    if state.type == "Choice":
        if isinstance(node.get("Default"), str):
            yield state.at("Default"), node["Default"]
        choices = node.get("Choices")
        if isinstance(choices, list):
            for i, rule in enumerate(choices):
                if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                    yield state.at("Choices", i, "Next"), rule["Next"]
    if state.type in ("Task", "Parallel", "Map"):
        catchers = node.get("Catch")
        if isinstance(catchers, list):
            for i, catcher in enumerate(catchers):
                if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                    yield state.at("Catch", i, "Next"), catcher["Next"]


def _is_terminal(state: StateNode) -> bool:
    return state.type in ("Succeed", "Fail") or state.raw.get("End") is True


def _scope_of_name(doc: Document, name: str, here: Scope) -> Scope | None:
    for scope in doc.scopes:
        if scope is not here and name in scope.states:
            return scope
    return None


def _describe(scope: Scope) -> str:
    if scope.parent is None:
        return "the top-level States"
    return f"the States of {scope.pointer}"


def check_scope_graph(scope: Scope, doc: Document) -> Iterator[Issue]:
    """Targets exist in this scope; every state is reachable; a terminal state exists."""
    names = scope.states
    if not isinstance(scope.node.get("States"), dict) or not names:
        return  # shape problems are reported by the structure rules
    raw_start = scope.node.get("StartAt")
    start = raw_start if isinstance(raw_start, str) else ""
    start_ok = isinstance(raw_start, str) and start in names
    if isinstance(raw_start, str) and not start_ok:
        yield _missing(doc, scope, ptr(scope.pointer, "StartAt"), start)
    edges: dict[str, list[str]] = {}
    for state in names.values():
        targets = edges.setdefault(state.name, [])
        for where, target in transitions_of(state):
            if target in names:
                targets.append(target)
            else:
                yield _missing(doc, scope, where, target)
    if not any(_is_terminal(s) for s in names.values()):
        yield Issue(scope.pointer, "Workflow has no terminal state", "transitions.no-terminal", code=MISSING_END)
        return  # AWS: no terminal state is the whole answer for this scope
    # AWS walks from StartAt; with no valid StartAt nothing is reached.
    reached: set[str] = set()
    if start_ok:
        reached.add(start)
        queue = deque([start])
        while queue:
            for target in edges[queue.popleft()]:
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
    for name, state in names.items():
        if name not in reached:
            yield Issue(state.pointer, f'State "{name}" is not reachable.', "transitions.unreachable", code=MISSING_TARGET, key=True)


def _missing(doc: Document, scope: Scope, where: str, target: str) -> Issue:
    # AWS says "Missing 'Next' target" for StartAt, Default and Catch targets too.
    elsewhere = _scope_of_name(doc, target, scope)
    if elsewhere is None:
        return Issue(where, f"Missing 'Next' target: {target}", "transitions.missing-target", code=MISSING_TARGET)
    return Issue(
        where,
        f"Missing 'Next' target: {target} (a state named {target!r} exists in {_describe(elsewhere)}, "
        f"but a transition cannot leave or enter a Parallel branch or a Map's ItemProcessor)",
        "transitions.out-of-scope",
        code=MISSING_TARGET,
    )


def check_names(doc: Document) -> Iterator[Issue]:
    """State names: unique in the whole machine, at most 80 characters, no control characters."""
    seen: dict[str, StateNode] = {}
    # The later occurrence in the text is the duplicate.
    for state in sorted(doc.states, key=lambda s: doc.order(s.pointer)):
        name = state.name
        if name in seen:
            yield Issue(state.pointer, f"Duplicate State name: {name}", "names.duplicate-state", code=DUPLICATE_NAME, key=True)
        else:
            seen[name] = state
        yield from _name_problems(state)


def _name_problems(state: StateNode) -> Iterator[Issue]:
    name = state.name
    if not name:
        yield Issue(state.pointer, "State name must not be empty", "names.state-name", code=INVALID_NAME, key=True)
    elif len(name) > STATE_NAME_MAX:
        yield Issue(state.pointer, f"State name is {len(name)} characters long; the maximum is {STATE_NAME_MAX}: {name}",
                    "names.state-name", code=INVALID_NAME, key=True)
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        yield Issue(state.pointer, f"State name contains a control character: {name!r}", "names.state-name", code=INVALID_NAME, key=True)
