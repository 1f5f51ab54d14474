"""JSONPath as Step Functions evaluates it (the Jayway dialect), compiled once.

A path is compiled at load time into a tuple of segments. Evaluation walks
the segments with no parsing; only filter expressions (``[?(...)]``) and
deep scans (``..``) are delegated to *jsonpath-ng*, compiled once as well.

Roots:

* ``$``        the state's data (input, result, ...);
* ``$$``       the context object;
* ``$name``    a workflow variable (``Assign``).

Semantics copied from AWS (which uses Jayway JsonPath):

* a *definite* path (only names and single indexes) yields one value, or
  fails with Jayway's message: ``No results for path: $['a']`` when the
  last step is missing, ``Missing property in path $['a']`` when an inner
  step is missing;
* an *indefinite* path (wildcard, slice, union, filter, deep scan) yields a
  list of every match, possibly empty.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Callable, Mapping

__all__ = [
    "Env",
    "Path",
    "PathError",
    "PathNotFound",
    "compile_path",
    "compile_reference_path",
    "jayway_text",
]

ROOT_DATA = "$"
ROOT_CONTEXT = "$$"


class PathError(ValueError):
    """A path's text is not valid JSONPath (raised at compile time)."""


class PathNotFound(LookupError):
    """A definite path has no value in the document (raised at run time).

    ``message`` is the Jayway text AWS reports after ``Invalid path '<path>' : ``.
    """

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Env:
    """What an expression can reach besides ``$``: the context object, the
    variables, and the execution's source of randomness (``States.UUID``...).

    ``context`` may be given as a zero-argument callable: it is then built on
    first use, so that states whose expressions never read ``$$`` do not pay
    for it (the interpreter's hot path).
    """

    __slots__ = ("_context", "variables", "rng")

    def __init__(
        self,
        context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        variables: Mapping[str, Any] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._context = context
        self.variables = variables
        self.rng = rng

    @property
    def context(self) -> Mapping[str, Any]:
        context = self._context
        if callable(context):
            context = self._context = context()
        return context

    def __repr__(self) -> str:
        return f"Env(context={self.context!r}, variables={self.variables!r})"


_MISSING = object()

# Segment kinds. A segment is a tuple (kind, arg).
_KEY = 0  # arg: str
_INDEX = 1  # arg: int
_WILD = 2  # arg: None
_SLICE = 3  # arg: (start, stop, step)
_UNION = 4  # arg: tuple of str | int


_NAME_RE = re.compile(r"[^.\[\]\s'\"()?*,]+")
_VARIABLE = r"\$([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)"
_VARIABLE_RE: re.Pattern[str] | None = None  # compiled on first use: 5 ms, a twentieth of `asl run`'s start


def _variable_match(text: str) -> re.Match[str] | None:
    global _VARIABLE_RE
    if _VARIABLE_RE is None:
        _VARIABLE_RE = re.compile(_VARIABLE)
    return _VARIABLE_RE.match(text)


def _segment_text(seg: tuple[int, Any]) -> str:
    kind, arg = seg
    if kind == _KEY:
        return f"['{arg}']"
    if kind == _INDEX:
        return f"[{arg}]"
    if kind == _WILD:
        return "[*]"
    if kind == _SLICE:
        a, b, c = arg
        return "[" + ("" if a is None else str(a)) + ":" + ("" if b is None else str(b)) + "]"
    return "[" + ",".join(f"'{a}'" if isinstance(a, str) else str(a) for a in arg) + "]"


def jayway_text(root: str, segments: tuple[tuple[int, Any], ...]) -> str:
    """Render a path in Jayway's normalised form, e.g. ``$['a'][0]``."""
    return root + "".join(_segment_text(s) for s in segments)


class Path:
    """A compiled JSONPath. Immutable and shareable across threads.

    ``get`` returns the single value of a definite path, or the list of
    matches of an indefinite one; ``exists`` tells whether a path matches.
    """

    __slots__ = ("text", "root", "variable", "segments", "definite", "_ng", "_keys")

    def __init__(
        self,
        text: str,
        root: str,
        variable: str | None,
        segments: tuple[tuple[int, Any], ...],
        ng: Any = None,
    ) -> None:
        self.text = text
        self.root = root  # "$", "$$" or "var"
        self.variable = variable
        self.segments = segments
        self._ng = ng
        self.definite = ng is None and all(k in (_KEY, _INDEX) for k, _ in segments)
        # ``$.a.b``, most paths in definitions: read by plain indexing, and
        # only a miss walks again for Jayway's message.
        self._keys: tuple[str, ...] | None = (
            tuple(arg for _, arg in segments)
            if root == ROOT_DATA and ng is None and all(k == _KEY for k, _ in segments)
            else None
        )

    def __repr__(self) -> str:
        return f"Path({self.text!r})"

    @property
    def selects_part(self) -> bool:
        """Whether the value read is one part of ``$`` (a definite data path):
        its JSON is then a slice of the input's, never longer."""
        return self.root == ROOT_DATA and self.definite

    @property
    def is_context(self) -> bool:
        return self.root == ROOT_CONTEXT

    def _root_value(self, data: Any, env: Env | None) -> Any:
        if self.root == ROOT_DATA:
            return data
        if self.root == ROOT_CONTEXT:
            return env.context if env is not None else {}
        variables = env.variables if env is not None else None
        name = self.variable or ""
        if variables is None or name not in variables:
            raise PathNotFound(f"No results for path: ${name}")
        return variables[name]

    def get(self, data: Any, env: Env | None = None) -> Any:
        """Evaluate the path; a definite path that does not match raises PathNotFound."""
        keys = self._keys
        if keys is not None:
            value = data
            try:
                for key in keys:
                    value = value[key]  # only a dict takes a str index
                return value
            except (KeyError, TypeError):
                pass
        value = self._root_value(data, env)
        if self._ng is not None:
            return [m.value for m in self._ng.find(value)]
        if self.definite:
            segs = self.segments
            last = len(segs) - 1
            for i, (kind, arg) in enumerate(segs):
                if kind == _KEY:
                    if isinstance(value, dict) and arg in value:
                        value = value[arg]
                        continue
                else:
                    if isinstance(value, list) and -len(value) <= arg < len(value):
                        value = value[arg]
                        continue
                shown = jayway_text(self._root_text(), segs[: i + 1])
                if i == last:
                    raise PathNotFound(f"No results for path: {shown}")
                raise PathNotFound(f"Missing property in path {shown}")
            return value
        return _walk_indefinite(value, self.segments)

    def _root_text(self) -> str:
        return self.root if self.root != "var" else "$" + str(self.variable)

    def exists(self, data: Any, env: Env | None = None) -> bool:
        """Whether the path selects something (``IsPresent``)."""
        try:
            value = self.get(data, env)
        except PathNotFound:
            return False
        if self.definite:
            return True
        return bool(value)


def _walk_indefinite(value: Any, segments: tuple[tuple[int, Any], ...]) -> list[Any]:
    current = [value]
    for kind, arg in segments:
        nxt: list[Any] = []
        for v in current:
            if kind == _KEY:
                if isinstance(v, dict) and arg in v:
                    nxt.append(v[arg])
            elif kind == _INDEX:
                if isinstance(v, list) and -len(v) <= arg < len(v):
                    nxt.append(v[arg])
            elif kind == _WILD:
                if isinstance(v, list):
                    nxt.extend(v)
                elif isinstance(v, dict):
                    nxt.extend(v.values())
            elif kind == _SLICE:
                if isinstance(v, list):
                    nxt.extend(v[slice(*arg)])
            else:
                for a in arg:
                    if isinstance(a, str):
                        if isinstance(v, dict) and a in v:
                            nxt.append(v[a])
                    elif isinstance(v, list) and -len(v) <= a < len(v):
                        nxt.append(v[a])
        current = nxt
    return current


def _parse_int(text: str) -> int | None:
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return None


def _parse_bracket(body: str, full: str) -> tuple[int, Any]:
    body = body.strip()
    if body == "*":
        return (_WILD, None)
    if len(body) >= 2 and body[0] == body[-1] and body[0] in "'\"":
        inner = body[1:-1]
        if "','" not in inner and "', '" not in inner:
            return (_KEY, inner.replace("\\'", "'"))
    parts = [p.strip() for p in _split_union(body)]
    if len(parts) > 1:
        items: list[str | int] = []
        for p in parts:
            if len(p) >= 2 and p[0] == p[-1] and p[0] in "'\"":
                items.append(p[1:-1])
            else:
                n = _parse_int(p)
                if n is None:
                    raise PathError(f"invalid JSONPath: {full}")
                items.append(n)
        return (_UNION, tuple(items))
    if ":" in body:
        pieces = body.split(":")
        if len(pieces) > 3:
            raise PathError(f"invalid JSONPath: {full}")
        nums: list[int | None] = []
        for p in pieces:
            if p.strip() == "":
                nums.append(None)
            else:
                n = _parse_int(p)
                if n is None:
                    raise PathError(f"invalid JSONPath: {full}")
                nums.append(n)
        while len(nums) < 3:
            nums.append(None)
        return (_SLICE, tuple(nums))
    n = _parse_int(body)
    if n is None:
        raise PathError(f"invalid JSONPath: {full}")
    return (_INDEX, n)


def _split_union(body: str) -> list[str]:
    parts, buf, quote = [], [], ""
    for ch in body:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch == ",":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _compile_ng(text: str) -> Any:
    """Compile a filter / deep-scan path with jsonpath-ng (its extended parser)."""
    from jsonpath_ng.ext.parser import parse as ng_parse  # local: only complex paths pay for it

    try:
        return ng_parse(text)
    except Exception as exc:  # jsonpath-ng raises bare Exceptions on syntax errors
        raise PathError(f"invalid JSONPath: {text} ({exc})") from None


_CACHE: dict[str, Path] = {}


def compile_path(text: str) -> Path:
    """Compile ``text`` (``$...``, ``$$...`` or ``$var...``) into a Path.

    Raises PathError when the text is not a JSONPath.
    """
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    path = _compile(text)
    if len(_CACHE) < 10_000:
        _CACHE[text] = path
    return path


def _compile(text: str) -> Path:
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathError(f"invalid JSONPath: {text!r} (a path starts with '$')")
    variable: str | None = None
    if text.startswith("$$"):
        root, pos = ROOT_CONTEXT, 2
    else:
        m = _variable_match(text) if len(text) > 1 and text[1] != "." and text[1] != "[" else None
        if m:
            root, variable, pos = "var", m.group(1), m.end()
        else:
            root, pos = ROOT_DATA, 1
    if ".." in text or "?(" in text or "@" in text:
        if root == "var":
            raise PathError(f"invalid JSONPath: {text} (filters are not supported on variables)")
        ng_text = "$" + text[pos:]
        return Path(text, root, variable, (), _compile_ng(ng_text))
    segments: list[tuple[int, Any]] = []
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == ".":
            pos += 1
            if pos < n and text[pos] == "[":
                continue  # "$.['a b']" is accepted by AWS
            if pos < n and text[pos] == "*":
                segments.append((_WILD, None))
                pos += 1
                continue
            m = _NAME_RE.match(text, pos)
            if not m:
                raise PathError(f"invalid JSONPath: {text}")
            segments.append((_KEY, m.group(0)))
            pos = m.end()
        elif ch == "[":
            end = _find_bracket_end(text, pos)
            if end < 0:
                raise PathError(f"invalid JSONPath: {text} (unclosed '[')")
            segments.append(_parse_bracket(text[pos + 1 : end], text))
            pos = end + 1
        else:
            raise PathError(f"invalid JSONPath: {text}")
    return Path(text, root, variable, tuple(segments))


def _find_bracket_end(text: str, start: int) -> int:
    quote = ""
    i = start + 1
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "]":
            return i
        i += 1
    return -1


def compile_reference_path(text: str) -> Path:
    """Compile a Reference Path (ResultPath): ``$`` data root, names and indexes only."""
    path = compile_path(text)
    if path.root != ROOT_DATA or not path.definite:
        raise PathError(f"invalid reference path: {text}")
    return path


def set_path(data: Any, path: Path, value: Any) -> Any:
    """Return ``data`` with ``value`` placed at reference path ``path`` (ResultPath).

    Objects on the way are copied (shallowly) and created as needed, so the
    caller's document is never mutated. Raises PathNotFound with Jayway's
    text when a step goes through a non-object.
    """
    segments = path.segments
    if not segments:
        return value
    if len(segments) == 1 and type(data) is dict and segments[0][0] == _KEY:  # "$.key": most ResultPaths
        new = dict(data)
        new[segments[0][1]] = value
        return new
    return _set(data, segments, 0, value, path)


def _set(node: Any, segs: tuple[tuple[int, Any], ...], i: int, value: Any, path: Path) -> Any:
    kind, arg = segs[i]
    last = i == len(segs) - 1
    if kind == _KEY:
        if node is None or node is _MISSING:
            node = {}
        if not isinstance(node, dict):
            raise PathNotFound(
                f"Unable to set property {jayway_text('$', segs[: i + 1])} on {_kind_of(node)}"
            )
        new = dict(node)
        new[arg] = value if last else _set(node.get(arg, _MISSING), segs, i + 1, value, path)
        return new
    if not isinstance(node, list) or not (-len(node) <= arg < len(node)):
        raise PathNotFound(f"Missing property in path {jayway_text('$', segs[: i + 1])}")
    new_list = list(node)
    new_list[arg] = value if last else _set(node[arg], segs, i + 1, value, path)
    return new_list


def _kind_of(value: Any) -> str:
    return "array" if isinstance(value, list) else type(value).__name__


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_ENCODE = _ENCODER.encode
# The C encoder made once (JSONEncoder.encode builds one per call, ~40% of a
# small document's cost). Without the circular-reference markers it is
# stateless, so threads share it; JSON data has no cycles, and a value that
# does (a handler's result) falls back to the checked encoder's error.
_C_ENCODE: Callable[[Any, int], Any] | None = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def to_json(value: Any) -> str:
    """Compact JSON as AWS prints documents in messages and history."""
    if _C_ENCODE is None:
        return _ENCODE(value)
    try:
        return "".join(_C_ENCODE(value, 0))
    except RecursionError:
        return _ENCODE(value)  # a cycle: the checked encoder names it


Getter = Callable[[Any, Env | None], Any]
