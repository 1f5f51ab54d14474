"""JSON intrinsics: States.StringToJson, States.JsonToString, States.JsonMerge."""

from __future__ import annotations

from typing import Any, Sequence

from ....documents.values import JsonTextError, loads
from ..errors import invalid_arguments
from ..javacompat import hashmap_order, jackson_json
from ..registry import ANY, BOOLEAN, OBJECT, STRING, CallContext, register


@register("States.StringToJson", (STRING,), returns=ANY)
def states_string_to_json(args: Sequence[Any], ctx: CallContext) -> Any:
    """Parse the string as one JSON value (surrounding whitespace allowed)."""
    text: str = args[0]
    if not text.strip():
        raise invalid_arguments("States.StringToJson")
    try:  # the shared reader: NaN, lone surrogates, 5,000-digit numbers and deep nesting are refused too
        return loads(text, "the string")
    except JsonTextError:
        raise invalid_arguments("States.StringToJson") from None


@register("States.JsonToString", (ANY,), returns=STRING)
def states_json_to_string(args: Sequence[Any], ctx: CallContext) -> Any:
    """Compact JSON text, as Jackson writes it (recorded: ``{"Arg1":1,"Arg2":[]}``)."""
    return jackson_json(args[0])


@register("States.JsonMerge", (OBJECT, OBJECT, BOOLEAN), returns=OBJECT)
def states_json_merge(args: Sequence[Any], ctx: CallContext) -> Any:
    """Shallow merge: members of the second object win over the first's.

    AWS supports only ``false`` (shallow) for the third argument; ``true``
    fails. The result's member order is that of a Java ``HashMap`` — the
    order AWS returns (recorded: merging ``{"constant_in_literal": ...}``
    with ``{"constant_input_field": ...}`` lists ``constant_input_field`` first).
    """
    first, second, deep = args
    if deep:
        raise invalid_arguments("States.JsonMerge")
    merged = dict(first)
    merged.update(second)
    return {key: merged[key] for key in hashmap_order(list(first) + list(second))}
