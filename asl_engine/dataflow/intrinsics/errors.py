"""Exceptions of the intrinsic-function package.

* ``IntrinsicSyntaxError`` is raised at load time (``compile_intrinsic``):
  the text is not a well-formed call, names an unknown function, or passes
  the wrong number of arguments.
* ``ArgumentError`` is raised by a function implementation at run time; the
  evaluator turns it into ``StatesError("States.Runtime", ...)`` with the
  cause text AWS writes. It never escapes the package.
"""

from __future__ import annotations

__all__ = ["ArgumentError", "IntrinsicSyntaxError", "invalid_arguments"]


class IntrinsicSyntaxError(ValueError):
    """An intrinsic call that cannot be compiled.

    ``text`` is the whole expression, ``position`` the 0-based offset where
    the problem was found (``None`` when it concerns the whole call).
    """

    def __init__(self, message: str, text: str, position: int | None = None) -> None:
        self.text = text
        self.position = position
        self.reason = message
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"invalid intrinsic function call {text!r}{where}: {message}")


class ArgumentError(Exception):
    """A function rejected its (evaluated) arguments.

    ``detail`` is the text AWS puts after ``had the following error: ``.
    """

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def invalid_arguments(function: str) -> ArgumentError:
    """The generic failure AWS reports: ``Invalid arguments in States.MathAdd``."""
    return ArgumentError(f"Invalid arguments in {function}")
