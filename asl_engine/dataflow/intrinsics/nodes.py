"""The syntax tree of an intrinsic call, built once by the parser.

Three node types, all immutable:

* ``Literal``: ``'text'``, ``12``, ``-1.5``, ``null``, ``true``/``false``;
* ``PathArg``: ``$.a``, ``$$.Execution.Id``, ``$var.x``: a compiled path;
* ``Call``: ``States.Name(arg, ...)`` bound to its registry entry.
"""

from __future__ import annotations

from typing import Any, Union

from ...model.records import record
from ..jsonpath import Path
from .registry import FunctionSpec

__all__ = ["Call", "Literal", "Node", "PathArg"]


@record
class Literal:
    """A constant argument. ``raw`` is its source text (for strings: between
    the quotes, escapes kept), ``kind`` its JSON kind."""

    value: Any
    raw: str
    kind: str


@record
class PathArg:
    """A path argument, resolved against ``$``, ``$$`` or a variable."""

    text: str
    path: Path

    @property
    def shown(self) -> str:
        """How AWS names the path in a "could not be found" cause.

        A context path is reported relative to ``$`` (``$$.Nope`` -> ``$.Nope``),
        as Step Functions (Local) words it.
        """
        return self.text[1:] if self.text.startswith("$$") else self.text


@record
class Call:
    """``States.Name(args)``; ``text`` is its exact source slice."""

    spec: FunctionSpec
    args: tuple["Node", ...]
    text: str

    @property
    def name(self) -> str:
        return self.spec.name


Node = Union[Literal, PathArg, Call]
