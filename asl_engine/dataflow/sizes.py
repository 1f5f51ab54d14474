"""Bounds on the length of a state's output JSON, known before it is built.

AWS fails a state whose output exceeds the payload quota (256 KiB) with
``States.DataLimitExceeded``. Measuring every output exactly means
serialising it, which was a quarter of a Pass state's cost, for histories
that are often never read. Most states cannot grow their input much: a
definite path reads a slice of the input's JSON, a ResultPath adds one
member, a constant has a known length. A state's *growth* ``(a, b)`` says
that its output's JSON is at most ``a * n + b`` characters when its input's
is ``n`` (``None``: no bound is known, the output is measured). The
interpreter carries the bound from state to state and serialises only when
the bound could reach the quota, so a quota failure is never missed: the
bound only ever overestimates.

Lengths are in characters; the quota is in UTF-8 bytes, at most four per
character.
"""

from __future__ import annotations

from typing import Any

from ..model.states import DISCARD
from .jsonpath import Path, to_json

__all__ = ["Growth", "compose", "output_growth", "path_growth"]

Growth = tuple[int, int]

IDENTITY: Growth = (1, 0)
_EMPTY_OBJECT: Growth = (0, 2)  # a null InputPath/OutputPath gives {}


def compose(outer: Growth | None, inner: Growth | None) -> Growth | None:
    """The growth of ``outer`` applied to what ``inner`` made (``None`` when
    either is unbounded, unless ``outer`` ignores its input)."""
    if outer is not None and outer[0] == 0:
        return outer
    if outer is None or inner is None:
        return None
    return outer[0] * inner[0], outer[0] * inner[1] + outer[1]


def path_growth(path: Any) -> Growth | None:
    """InputPath/OutputPath: ``None`` (``$``) keeps the input, ``DISCARD``
    (``null``) gives ``{}``, a definite data path reads a part of it."""
    if path is None:
        return IDENTITY
    if path is DISCARD:
        return _EMPTY_OBJECT
    return IDENTITY if isinstance(path, Path) and path.selects_part else None


def _result_path_growth(path: Any, result: Growth | None) -> Growth | None:
    """ResultPath: the result replaces the input (``$``), is dropped (``null``),
    or is set inside a copy of the input, which then holds both: at most the
    input, the result and, per member on the way, its key and punctuation."""
    if path is None:
        return result
    if path is DISCARD:
        return IDENTITY
    if result is None or not isinstance(path, Path):
        return None
    keys = sum(len(to_json(arg)) + 4 for kind, arg in path.segments if isinstance(arg, str))
    return 1 + result[0], result[1] + keys


def output_growth(state_type: str, values: dict[str, Any], has_result: bool) -> Growth | None:
    """The growth of a JSONPath Pass, Choice, Succeed or Wait state compiled as
    ``values`` (the builder's model attributes); ``None`` for other types.

    A new field that changes what these states output must be accounted
    for here (or make this return ``None``): the interpreter trusts the
    bound to skip the payload quota check."""
    effective = path_growth(values.get("input_path"))
    if state_type == "Pass":
        parameters = values.get("parameters")
        if has_result:
            result: Growth | None = (0, len(to_json(values.get("result"))))
        elif parameters is not None:
            result = compose(getattr(parameters, "growth", None), effective)
        else:
            result = effective
        output = _result_path_growth(values.get("result_path"), result)
    elif state_type in ("Choice", "Succeed", "Wait"):
        output = effective
    else:
        return None
    return compose(path_growth(values.get("output_path")), output)
