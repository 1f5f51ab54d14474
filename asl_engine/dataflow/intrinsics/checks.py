"""Static (load-time) checks of a parsed call that do not make it invalid.

AWS creates state machines whose intrinsic arguments have the wrong literal
type and only fails when the state runs (``Invalid arguments in ...``). These
checks find such problems early and return them as messages; the caller
decides whether they are warnings (default) or errors (``strict=True``).
"""

from __future__ import annotations

from .errors import ArgumentError
from .functions.generic import PLACEHOLDER, parse_template
from .nodes import Call, Literal, Node, PathArg
from .registry import describe_kinds

__all__ = ["static_check"]


def static_check(call: Call) -> list[str]:
    """Every problem visible without data, innermost calls first."""
    problems: list[str] = []
    _check(call, problems)
    return problems


def _check(call: Call, problems: list[str]) -> None:
    spec = call.spec
    for index, arg in enumerate(call.args):
        if isinstance(arg, Call):
            _check(arg, problems)
        allowed = spec.kinds_at(index)
        possible = _possible_kinds(arg)
        if possible is not None and not possible & allowed:
            shown = f"'{arg.raw}'" if isinstance(arg, Literal) and arg.kind == "string" else _shown(arg)
            problems.append(
                f"{spec.name}: argument {index + 1} ({shown}) is {describe_kinds(possible)}, "
                f"expected {describe_kinds(allowed)}; AWS fails the execution with "
                f"'Invalid arguments in {spec.name}'"
            )
    if spec.name == "States.Format" and call.args:
        template = call.args[0]
        if isinstance(template, Literal) and template.kind == "string":
            try:
                parts = parse_template(template.raw)
            except ArgumentError as exc:
                problems.append(f"States.Format: {exc.detail}")
                return
            wanted = sum(1 for p in parts if p is PLACEHOLDER)
            given = len(call.args) - 1
            if wanted != given:
                problems.append(
                    f"States.Format: the template has {wanted} placeholder(s) but {given} "
                    "argument(s) follow it; AWS fails the execution"
                )


def _possible_kinds(arg: Node) -> frozenset[str] | None:
    if isinstance(arg, Literal):
        return frozenset({arg.kind})
    if isinstance(arg, Call):
        return arg.spec.returns
    return None  # a path can hold anything


def _shown(arg: Node) -> str:
    if isinstance(arg, Literal):
        return arg.raw
    if isinstance(arg, PathArg):
        return arg.text
    return arg.text
