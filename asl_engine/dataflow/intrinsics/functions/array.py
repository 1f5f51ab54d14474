"""Array intrinsics: States.Array, ArrayPartition, ArrayContains, ArrayRange,
ArrayGetItem, ArrayLength, ArrayUnique.

Numeric arguments that must be integers are *truncated* (Java's ``(int)``
cast), not rounded: third-party observations against AWS show
``ArrayPartition(arr, 2.6)`` chunking by 2 and ``ArrayRange(1.6, 1.4, 1)``
giving ``[1]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Hashable, Sequence

from ..errors import invalid_arguments
from ..javacompat import java_text, java_trunc_int
from ..registry import ANY, ARRAY, NUMBER, CallContext, register

ARRAY_RANGE_LIMIT = 1000
"""AWS: States.ArrayRange "can generate up to 1000 elements"."""


@register("States.Array", returns=ARRAY, variadic=ANY)
def states_array(args: Sequence[Any], ctx: CallContext) -> Any:
    """An array of the argument values, in order (zero arguments give ``[]``)."""
    return list(args)


@register("States.ArrayPartition", (ARRAY, NUMBER), returns=ARRAY)
def states_array_partition(args: Sequence[Any], ctx: CallContext) -> Any:
    """Chunks of ``size`` items; the last may be shorter; ``[]`` stays ``[]``.

    ``size`` is truncated and must then be positive (0.6 and -0.4 fail).
    """
    array, size_arg = args
    size = java_trunc_int(size_arg)
    if size <= 0:
        raise invalid_arguments("States.ArrayPartition")
    return [list(array[i : i + size]) for i in range(0, len(array), size)]


@register("States.ArrayContains", (ARRAY, ANY), returns=frozenset({"boolean"}), longest=5)
def states_array_contains(args: Sequence[Any], ctx: CallContext) -> Any:
    """Whether an element of the array equals the value.

    Equality is that of the values' Java text (``java_text``), which is what
    the observed AWS results imply: ``true`` matches ``"true"``, the number
    9007199254740991 matches the string ``"9007199254740991"``, and objects
    with the same members in another order do *not* match.
    """
    array, value = args
    wanted = java_text(value)
    return any(java_text(item) == wanted for item in array)


@register("States.ArrayRange", (NUMBER, NUMBER, NUMBER), returns=ARRAY)
def states_array_range(args: Sequence[Any], ctx: CallContext) -> Any:
    """``[first, first+step, ...]`` up to and including ``last``.

    All three are truncated; ``step`` may be negative but not 0; a range
    going the wrong way is empty; more than 1000 items fail.
    """
    first, last, step = (java_trunc_int(a) for a in args)
    if step == 0:
        raise invalid_arguments("States.ArrayRange")
    if (step > 0 and first > last) or (step < 0 and first < last):
        return []
    count = (last - first) // step + 1
    if count > ARRAY_RANGE_LIMIT:
        raise invalid_arguments("States.ArrayRange")
    return list(range(first, last + (1 if step > 0 else -1), step))


@register("States.ArrayGetItem", (ARRAY, NUMBER), returns=ANY)
def states_array_get_item(args: Sequence[Any], ctx: CallContext) -> Any:
    """The element at ``index`` (truncated: 1.2 reads index 1).

    A negative index or one past the end fails, except on an empty array,
    where AWS was observed to return ``null`` (index 999 of ``[]``).
    """
    array, index_arg = args
    index = java_trunc_int(index_arg)
    if index < 0:
        raise invalid_arguments("States.ArrayGetItem")
    if not array:
        return None
    if index >= len(array):
        raise invalid_arguments("States.ArrayGetItem")
    return array[index]


@register("States.ArrayLength", (ARRAY,), returns=NUMBER, longest=20)
def states_array_length(args: Sequence[Any], ctx: CallContext) -> Any:
    """The number of elements."""
    return len(args[0])


def _structural_key(value: Any) -> Hashable:
    """A hashable key equal for equal JSON values (Jackson ``JsonNode.equals``).

    Types matter (``1`` and ``"1"``, ``true`` and ``1``, ``1`` and ``1.0`` differ);
    member order of objects does not.
    """
    if value is None or isinstance(value, bool):
        return ("literal", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, (float, Decimal)):
        return ("float", float(value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, (list, tuple)):
        return ("array", tuple(_structural_key(v) for v in value))
    return ("object", frozenset((k, _structural_key(v)) for k, v in value.items()))


@register("States.ArrayUnique", (ARRAY,), returns=ARRAY)
def states_array_unique(args: Sequence[Any], ctx: CallContext) -> Any:
    """The array without repeated values, keeping first occurrences in order."""
    seen: set[Hashable] = set()
    out: list[Any] = []
    for item in args[0]:
        key = _structural_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
