"""Payload templates (``Parameters``, ``ItemSelector``, ``ResultSelector``, ...).

A template is compiled once: every ``"key.$"`` value becomes a compiled
path or intrinsic call, every other value a constant. Evaluating it builds
a fresh document and never re-parses anything.

ASL spec: "If any field within the Payload Template (however deeply nested)
has a name ending with the characters '.$', its value is transformed
according to rules below and the field is renamed to strip the '.$' suffix."
"""

from __future__ import annotations

from typing import Any, Callable

from ..documents.pointers import escape
from ..errors import StatesError
from .intrinsics import compile_intrinsic, is_intrinsic
from .json_values import copy_json, json_node_type
from .jsonpath import Env, Path, PathNotFound, compile_path, to_json

__all__ = ["Template", "ValueExpr", "compile_template", "compile_value", "copy_json"]


class ValueExpr:
    """A compiled ``.$`` value: a path (``$``, ``$$``, ``$var``) or an intrinsic call.

    ``field`` is the key as written (``"value.$"``), used in AWS's error text.
    """

    __slots__ = ("text", "field", "_path", "_intrinsic")

    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self._path: Path | None = None
        self._intrinsic: Any = None
        if is_intrinsic(text):
            self._intrinsic = compile_intrinsic(text)
        else:
            self._path = compile_path(text)

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def growth(self) -> tuple[int, int] | None:
        """The bound of the value's JSON length in the input's (``dataflow.sizes``)."""
        if self._path is not None:
            return (1, 0) if self._path.selects_part else None
        growth: tuple[int, int] | None = getattr(self._intrinsic, "growth", None)
        return growth

    def evaluate(self, data: Any, env: Env | None) -> Any:
        if self._path is not None:
            try:
                return self._path.get(data, env)
            except PathNotFound:
                shown = data
                if self._path.is_context and env is not None:
                    shown = env.context
                raise StatesError(
                    "States.Runtime",
                    f"The JSONPath '{self.text}' specified for the field '{self.field}' "
                    f"could not be found in the input '{to_json(shown)}'",
                ) from None
        return self._intrinsic.evaluate(data, env)


def compile_value(text: str, field: str) -> ValueExpr:
    """Compile one ``.$`` value (raises PathError / IntrinsicSyntaxError)."""
    return ValueExpr(text, field)


_CONST = 0  # an array or object constant: copied per evaluation (the result is the caller's to keep)
_EXPR = 1
_NESTED = 2
_SCALAR = 3  # a string, number, boolean or null constant: immutable, used as is


class Template:
    """A compiled payload template (a JSON object or array)."""

    __slots__ = ("_entries", "_is_list")

    def __init__(self, entries: list[tuple[Any, int, Any]], is_list: bool) -> None:
        self._entries = tuple(entries)
        self._is_list = is_list

    @property
    def growth(self) -> tuple[int, int] | None:
        """``(a, b)``: the JSON of the built document is at most ``a * n + b``
        characters when the input's is ``n``; ``None`` when no such bound is
        known (a ``$$`` or variable path, most intrinsics)."""
        a, b = 0, 2 + len(self._entries)  # the brackets and the separators (one spare)
        for key, kind, arg in self._entries:
            if not self._is_list:
                b += len(to_json(key)) + 1  # "key":
            if kind == _SCALAR or kind == _CONST:
                b += len(to_json(arg))
                continue
            growth = arg.growth
            if growth is None:
                return None
            a, b = a + growth[0], b + growth[1]
        return a, b

    def evaluate(self, data: Any, env: Env | None) -> Any:
        if self._is_list:
            return [arg if kind == _SCALAR else copy_json(arg) if kind == _CONST else arg.evaluate(data, env)
                    for _, kind, arg in self._entries]
        # Expressions and nested templates both answer evaluate(); constants are copied.
        return {key: arg if kind == _SCALAR else copy_json(arg) if kind == _CONST else arg.evaluate(data, env)
                for key, kind, arg in self._entries}


def _needs_template(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k.endswith(".$") or _needs_template(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_needs_template(v) for v in value)
    return False


OnError = Callable[[str, str], None]


def compile_template(value: Any, on_error: OnError | None = None, pointer: str = "") -> Template | Any:
    """Compile a payload template; constants stay plain values.

    ``on_error(pointer, message)`` receives each bad ``.$`` value; without it
    the first error is raised.
    """
    if isinstance(value, dict):
        entries: list[tuple[Any, int, Any]] = []
        for key, sub in value.items():
            sub_ptr = f"{pointer}/{escape(key)}"
            if key.endswith(".$"):
                if not isinstance(sub, str):
                    _report(on_error, sub_ptr, f"The value for the field '{key}' must be a STRING that contains a JSONPath but was an {json_node_type(sub)}")
                    continue
                try:
                    entries.append((key[:-2], _EXPR, compile_value(sub, key)))
                except ValueError as exc:
                    _report(on_error, sub_ptr, f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call ({exc})")
            elif _needs_template(sub):
                entries.append((key, _NESTED, compile_template(sub, on_error, sub_ptr)))
            else:
                entries.append((key, _constant_kind(sub), sub))
        return Template(entries, is_list=False)
    if isinstance(value, list):
        items: list[tuple[Any, int, Any]] = []
        for i, sub in enumerate(value):
            if _needs_template(sub):
                items.append((i, _NESTED, compile_template(sub, on_error, f"{pointer}/{i}")))
            else:
                items.append((i, _constant_kind(sub), sub))
        return Template(items, is_list=True)
    return value


def _constant_kind(value: Any) -> int:
    return _CONST if isinstance(value, (dict, list)) else _SCALAR


def _report(on_error: OnError | None, pointer: str, message: str) -> None:
    if on_error is None:
        raise ValueError(message)
    on_error(pointer, message)
