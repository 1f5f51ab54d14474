"""The compiled, reusable intrinsic: ``Intrinsic.evaluate(data, env)``.

Evaluation walks the tree built at load time: literals are constants, paths
are resolved against ``$`` (the state's effective input), ``$$`` (context)
or a variable, and calls evaluate their arguments left to right, then invoke
the registry entry (which type-checks the values first).

Failures raise ``StatesError("States.Runtime", cause)`` where ``cause`` is the
text AWS writes *after* its "An error occurred while executing the state
'X' (entered at the event id #N). " prefix (the interpreter adds that):

* a path that matches nothing (captured from AWS)::

    The function 'States.Format('{}', $.nope)' had the following error:
    The JsonPath argument for the field '$.nope' could not be found in the
    input '{"other":1}'

  The whole expression is quoted as written, even when the failing path
  belongs to a nested call; a ``$$`` path is shown relative to ``$`` and the
  input is still the state input;
* a function rejecting its arguments: same prefix, then e.g.
  ``Invalid arguments in States.MathAdd`` (the detail AWS reports).

AWS's specification names ``States.IntrinsicFailure``, but AWS itself reports
``States.Runtime`` (which Retry/Catch cannot handle).
"""

from __future__ import annotations

import random
from typing import Any, cast

from ...errors import StatesError
from ..jsonpath import Env, PathNotFound
from .errors import ArgumentError
from .javacompat import jackson_json
from .nodes import Call, Literal, Node, PathArg
from .registry import CallContext

__all__ = ["Intrinsic", "RUNTIME_ERROR"]

RUNTIME_ERROR = "States.Runtime"


class _PathMiss(Exception):
    def __init__(self, arg: PathArg) -> None:
        self.arg = arg
        super().__init__(arg.text)


class Intrinsic:
    """A compiled intrinsic call. Immutable, thread-safe, reusable.

    ``text`` is the expression exactly as written; ``diagnostics`` lists
    load-time warnings (see ``checks.static_check``).
    """

    __slots__ = ("text", "call", "diagnostics")

    def __init__(self, text: str, call: Call, diagnostics: tuple[str, ...] = ()) -> None:
        self.text = text
        self.call = call
        self.diagnostics = diagnostics

    def __repr__(self) -> str:
        return f"Intrinsic({self.text!r})"

    @property
    def function(self) -> str:
        """Name of the outermost function, e.g. ``"States.Format"``."""
        return self.call.name

    @property
    def returns(self) -> frozenset[str]:
        """JSON kinds the outermost function may return (``{"string"}`` for Format).

        Lets callers check e.g. that a Fail state's ``ErrorPath`` yields a string.
        """
        return self.call.spec.returns

    @property
    def growth(self) -> tuple[int, int] | None:
        """``(0, n)``: the result's JSON is at most ``n`` characters whatever the
        input (the outermost function bounds it), else ``None`` (``dataflow.sizes``)."""
        longest = self.call.spec.longest
        return None if longest is None else (0, longest)

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path argument's text, in source order (for reference checks)."""
        found: list[str] = []

        def walk(node: Node) -> None:
            if isinstance(node, PathArg):
                found.append(node.text)
            elif isinstance(node, Call):
                for child in node.args:
                    walk(child)

        walk(self.call)
        return tuple(found)

    def evaluate(self, data: Any, env: Env | None = None, *, rng: random.Random | None = None) -> Any:
        """Evaluate against ``data`` (``$``) and ``env`` (``$$`` and variables).

        ``rng`` (default: ``env.rng``) replaces the default randomness of
        ``States.MathRandom`` (when unseeded) and ``States.UUID``. Raises
        ``StatesError`` (``States.Runtime``). The result may share nested
        objects with ``data``; copy before mutating.
        """
        ctx = CallContext(rng=rng if rng is not None else (env.rng if env is not None else None))
        try:
            return _evaluate_call(self.call, data, env, ctx)
        except _PathMiss as miss:
            detail = (
                f"The JsonPath argument for the field '{miss.arg.shown}' "
                f"could not be found in the input '{jackson_json(data)}'"
            )
        except ArgumentError as exc:
            detail = exc.detail
        raise StatesError(RUNTIME_ERROR, f"The function '{self.text}' had the following error: {detail}")


def _evaluate_call(call: Call, data: Any, env: Env | None, ctx: CallContext) -> Any:
    spec = call.spec
    values: list[Any] = []
    for index, arg in enumerate(call.args):
        if type(arg) is PathArg:  # the node classes are final: an exact type test is enough
            try:
                values.append(arg.path.get(data, env))
            except PathNotFound:
                raise _PathMiss(arg) from None
        elif type(arg) is Literal:
            # Format's template keeps its escapes so it can tell "\{" from "{".
            if index == spec.raw_template and arg.kind == "string":
                values.append(arg.raw)
            else:
                values.append(arg.value)
        else:
            values.append(_evaluate_call(cast(Call, arg), data, env, ctx))
    return spec.invoke(values, ctx)
