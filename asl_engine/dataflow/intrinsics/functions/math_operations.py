"""Math intrinsics: States.MathAdd and States.MathRandom."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import invalid_arguments
from ..javacompat import INT_MAX, INT_MIN, JavaRandom, java_round, java_trunc_int
from ..registry import NUMBER, CallContext, register


@register("States.MathAdd", (NUMBER, NUMBER), returns=NUMBER, longest=len(str(2 * INT_MIN)))
def states_math_add(args: Sequence[Any], ctx: CallContext) -> Any:
    """The sum of the two numbers, each first rounded with Java's ``Math.round``.

    Recorded against AWS: -1.5 -> -1, 0.5 -> 1, 2.5 -> 3, -1.51 -> -2. Each
    rounded operand must be a 32-bit int.
    """
    a, b = args[0], args[1]
    if type(a) is not int or type(b) is not int:  # an int needs no rounding (the common case)
        a, b = java_round(a), java_round(b)
    if not (INT_MIN <= a <= INT_MAX and INT_MIN <= b <= INT_MAX):
        raise invalid_arguments("States.MathAdd")
    return a + b


@register("States.MathRandom", (NUMBER, NUMBER, NUMBER), returns=NUMBER, optional=1, longest=len(str(INT_MIN)))
def states_math_random(args: Sequence[Any], ctx: CallContext) -> Any:
    """A random integer in ``[start, end)`` (AWS docs: end exclusive).

    ``start``/``end`` are truncated and ``start`` must be below ``end``
    (observed: ``MathRandom(1.4, 1.6)`` fails). With a seed (truncated too)
    the result is deterministic: it is ``new java.util.Random(seed)
    .nextInt(end - start) + start``. Without one it comes from the
    injectable random source.
    """
    start = java_trunc_int(args[0])
    end = java_trunc_int(args[1])
    bound = end - start
    if bound <= 0 or bound > INT_MAX:
        raise invalid_arguments("States.MathRandom")
    if len(args) == 3:
        return JavaRandom(java_trunc_int(args[2])).next_int(bound) + start
    return ctx.random().randrange(start, end)
