"""AWS JSON 1.0, the wire protocol of Step Functions: requests in, responses out.

A request is an HTTP POST whose ``X-Amz-Target`` header names the operation
(``AWSStepFunctions.StartExecution``) and whose body is a JSON object. The
operations, their input shapes and the shapes' constraints are botocore's
service model of Step Functions, read once and compiled to one small checking
function per shape, so a request costs a JSON parse and a walk of what it
holds.

Checking a body follows AWS's request layer (Coral), in its order:

1. **The JSON types** (deserialization). The first member of the wrong kind
   fails the whole request with ``SerializationException`` and Coral's message
   for the pair of kinds, e.g. ``STRING_VALUE can not be converted to an
   Integer``, ``TRUE_VALUE can not be converted to a String``, ``Start of list
   found where not expected``, ``Start of structure or map found where not
   expected.``, ``Expected list or null`` (a list member given a scalar),
   ``Expected null`` (a structure member given a scalar). A string names a
   boolean (``"true"``, ``"no"``, ``"1"``, ... in any case) where a boolean is
   expected; a JSON fraction is truncated where an integer is expected. A
   JSON ``null`` member is the same as an absent one; members the model does
   not know are ignored and left out of what the service receives.
2. **The constraints** (validation), every one of them, in the model's member
   order, reported together as ``ValidationException``::

       2 validation errors detected: Value null at 'stateMachineArn' failed to
       satisfy constraint: Member must not be null; Value 'x...x' at 'name'
       failed to satisfy constraint: Member must have length less than or equal to 80

   The constraints: ``Member must not be null`` (required),
   ``Member must have length less than or equal to N`` / ``greater than or
   equal to N`` (strings in UTF-16 units as Java counts them, lists, maps,
   blobs in bytes), ``Member must have value less than or equal to N`` /
   ``greater than or equal to N`` (numbers), ``Member must satisfy enum value
   set: [STANDARD, EXPRESS]`` and ``Member must satisfy regular expression
   pattern: P``. The execution ``input`` and the task ``output``, whose model
   documentation says their length is "expressed as bytes in UTF-8 encoding",
   have ``Member must have size less than or equal to 262144 bytes in UTF-8
   encoding``. The value of a sensitive shape (a definition, an input, a task
   token) is left out: ``Value at 'input' failed to ...``. A path names a
   nested member with dots and a list element by its 1-based index:
   ``routingConfiguration.1.member.weight``.

What ``parse`` returns is the body as the service should see it: only the
model's members, booleans as ``bool``, timestamps as UTC ``datetime``, blobs as
``bytes``. ``encode`` turns a response into JSON: ``datetime`` values become
epoch seconds (a JSON number, as AWS sends them), ``bytes`` base64, and
members whose value is ``None`` are left out at any depth; responses are not
checked against the model.

Where AWS answers an error with no message at all (an unknown operation, a
body that is not a JSON object) we add one; botocore reads only the type.
The ``__type`` is the bare name (``ValidationException``): AWS prefixes it
with a namespace (``com.amazon.coral.validate#ValidationException``), which
botocore strips either way.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..documents.values import JsonTextError, decode, loads

__all__ = ["ApiError", "Protocol"]

Violation = tuple[str, str, str]
"""One failed constraint: (``Value 'x'`` / ``Value`` / ``Value null``, path, constraint)."""

Reader = Callable[[Any, str, list[Violation]], Any]
"""Checks one JSON value against a shape: returns it as the service receives it,
appends the constraints it fails, raises ``SerializationException`` for a wrong
JSON kind. The second argument is the value's path (``""`` for the body)."""

_SERIALIZATION = "SerializationException"
_VALIDATION = "ValidationException"
_UNKNOWN_OPERATION = "UnknownOperationException"
_NOT_NULL = "Member must not be null"
_UTF8_DOC = "bytes in UTF-8 encoding"
"""The model's documentation of the members whose length AWS counts in UTF-8 bytes."""


class ApiError(Exception):
    """An AWS error answer: its ``__type``, its message and its HTTP status.

    Raise it from the service to answer the request with that error; botocore
    raises ``client.exceptions.<type>`` (``ExecutionDoesNotExist``, ...) when
    the model declares the type, and a ``ClientError`` carrying it otherwise.
    """

    def __init__(self, type: str, message: str, status: int = 400) -> None:
        super().__init__(f"{type}: {message}" if message else type)
        self.type = type
        self.message = message
        self.status = status

    def body(self) -> bytes:
        """The JSON body AWS sends: ``{"__type": ..., "message": ...}``."""
        return json.dumps({"__type": self.type, "message": self.message}).encode("utf-8")


class Protocol:
    """The Step Functions operations and their request shapes, from botocore's model.

    Build one and share it: the model is loaded and compiled on first use
    (about 20 ms), then ``parse`` and ``encode`` are safe from any thread.
    ``model`` replaces botocore's service model (a ``service-2.json`` dict);
    tests use it for shapes Step Functions does not have.
    """

    def __init__(self, model: Mapping[str, Any] | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._compiled: _Compiled | None = None

    @property
    def operations(self) -> frozenset[str]:
        """Every operation name of the model (``StartExecution``, ...)."""
        return self._loaded().names

    def parse(self, target: str | None, body: bytes) -> tuple[str, dict[str, Any]]:
        """``(operation, request)`` of one request, or the ``ApiError`` AWS would answer.

        ``target`` is the ``X-Amz-Target`` header, ``body`` the raw request body
        (empty means ``{}``).
        """
        compiled = self._loaded()
        operation, reader = compiled.operation(target)
        request = _json_object(body)
        problems: list[Violation] = []
        checked = reader(request, "", problems)
        if problems:
            raise ApiError(_VALIDATION, _validation_message(problems))
        return operation, checked

    def encode(self, operation: str, response: Mapping[str, Any]) -> bytes:
        """The JSON body of a successful ``operation`` answering ``response``."""
        del operation  # the output is not checked against its shape
        return json.dumps(_wire(response), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")

    def _loaded(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = _Compiled(self._model if self._model is not None else _botocore_model())
                compiled = self._compiled
        return compiled


def _botocore_model() -> Mapping[str, Any]:
    from botocore.loaders import Loader  # type: ignore[import-untyped]  # lazily: ~100 ms to import

    model: Mapping[str, Any] = Loader().load_service_model("stepfunctions", "service-2")
    return model


class _Compiled:
    """The model compiled: one reader per operation."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.prefix = model["metadata"]["targetPrefix"] + "."
        compiler = _Compiler(model["shapes"])
        self.readers: dict[str, Reader] = {}
        for name, operation in model["operations"].items():
            ref = operation.get("input")
            self.readers[name] = compiler.reader(ref) if ref else compiler.reader({"shape": None})
        self.names = frozenset(self.readers)

    def operation(self, target: str | None) -> tuple[str, Reader]:
        if not target:
            raise ApiError(_UNKNOWN_OPERATION, "Missing X-Amz-Target header (expected " + self.prefix + "<Operation>)")
        name = target[len(self.prefix) :] if target.startswith(self.prefix) else None
        reader = self.readers.get(name) if name else None
        if name is None or reader is None:
            raise ApiError(_UNKNOWN_OPERATION, f"Unknown operation {target!r} (expected {self.prefix}<Operation>)")
        return name, reader


# -- reading the body --------------------------------------------------------


def _json_object(body: bytes) -> Any:
    """The body's JSON object; the shared reader's refusals (not UTF-8, not
    JSON, NaN, deep nesting, 5,000-digit numbers, lone surrogates) are
    ``SerializationException``, as AWS answers a body it cannot read."""
    if not body:
        return {}
    try:
        request = loads(decode(body, "The request body"), "The request body")
    except JsonTextError as error:
        raise ApiError(_SERIALIZATION, str(error)) from None
    if type(request) is list:
        raise _serialization("Start of list found where not expected")
    if type(request) is not dict:
        raise ApiError(_SERIALIZATION, "The request body must be a JSON object")
    return request


def _serialization(message: str) -> ApiError:
    return ApiError(_SERIALIZATION, message)


_TARGETS = {
    "String": "a String",
    "Integer": "an Integer",
    "Long": "a Long",
    "Float": "a Float",
    "Double": "a Double",
    "Boolean": "a Boolean",
    "Blob": "a Blob",
    "Timestamp": "milliseconds since epoch",
}
"""Coral's words for the Java type a scalar converts to."""


def _mismatch(value: Any, target: str) -> ApiError:
    """Coral's SerializationException for a JSON ``value`` where a scalar ``target`` is expected."""
    if type(value) is list:
        return _serialization("Start of list found where not expected")
    if type(value) is dict:
        return _serialization("Start of structure or map found where not expected.")
    if value is True or value is False:
        token = "TRUE_VALUE" if value else "FALSE_VALUE"
    elif type(value) is str:
        token = "STRING_VALUE"
    else:
        token = "NUMBER_VALUE"
    words = "an Boolean" if token == "STRING_VALUE" and target == "Boolean" else _TARGETS[target]  # sic, AWS's
    return _serialization(f"{token} can not be converted to {words}")


def _container_mismatch(value: Any, expected: str) -> ApiError:
    """A list, map or structure member given a JSON value of another kind."""
    if type(value) is list:
        return _serialization("Start of list found where not expected")
    if type(value) is dict:
        return _serialization("Start of structure or map found where not expected.")
    return _serialization(expected)


def _validation_message(problems: list[Violation]) -> str:
    count = len(problems)
    lines = [f"{shown} at '{path}' failed to satisfy constraint: {constraint}" for shown, path, constraint in problems]
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(lines)


def _java(value: Any) -> str:
    """A value as Java's ``toString`` prints it in AWS's messages."""
    if type(value) is str:
        return value
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is list:
        return "[" + ", ".join(_java(item) for item in value) + "]"
    if type(value) is dict:
        return "{" + ", ".join(f"{key}={_java(item)}" for key, item in value.items()) + "}"
    if type(value) is bytes:
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, datetime):
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    return repr(value)


def _shown(value: Any, sensitive: bool) -> str:
    return "Value" if sensitive else f"Value '{_java(value)}'"


def _java_length(text: str) -> int:
    """Java's ``String.length()``: UTF-16 code units (a character beyond the BMP counts 2)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


Check = Callable[[Any], str | None]
"""One constraint of a value already of the right kind: the failed constraint's text, or None."""


def _bounds(shape: Mapping[str, Any], measure: Callable[[Any], Any], kind: str, unit: str = "") -> list[Check]:
    """The min/max checks of a shape: ``Member must have {kind} less than or equal to {max}{unit}``."""
    checks: list[Check] = []
    low, high = shape.get("min"), shape.get("max")
    if low is not None and (low > 0 or kind == "value"):  # no length is below 0; a value can be
        too_low = f"Member must have {kind} greater than or equal to {low}{unit}"
        checks.append(lambda value: too_low if measure(value) < low else None)
    if high is not None:
        too_high = f"Member must have {kind} less than or equal to {high}{unit}"
        checks.append(lambda value: too_high if measure(value) > high else None)
    return checks


def _identity(value: Any) -> Any:
    return value


_JAVA_CLASSES = {r"\p{ASCII}": r"\x00-\x7f", r"\p{Print}": r"\x20-\x7e", r"\p{Alnum}": "0-9A-Za-z"}
"""Java's POSIX classes (Python has none): their ranges."""


def _java_pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's (Java) regular expression in Python's dialect, or None if Python cannot read it."""
    out: list[str] = []
    depth = 0  # inside [...]
    index = 0
    while index < len(pattern):
        name = next((n for n in _JAVA_CLASSES if pattern.startswith(n, index)), None)
        if name is not None:
            ranges = _JAVA_CLASSES[name]
            out.append(ranges if depth else f"[{ranges}]")
            index += len(name)
            continue
        char = pattern[index]
        step = 2 if char == "\\" else 1
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(pattern[index : index + step])
        index += step
    try:
        return re.compile("".join(out))
    except re.error:  # pragma: no cover - every pattern of today's model compiles
        return None


def _string_checks(shape: Mapping[str, Any], utf8: bool) -> list[Check]:
    checks: list[Check] = []
    pattern = shape.get("pattern")
    compiled = _java_pattern(pattern) if pattern else None
    if compiled is not None:
        unmatched = f"Member must satisfy regular expression pattern: {pattern}"
        checks.append(lambda value: None if compiled.fullmatch(value) else unmatched)
    if utf8:
        checks += _bounds(shape, _utf8_size, "size", " bytes in UTF-8 encoding")
    else:
        checks += _bounds(shape, _java_length, "length")
    if "enum" in shape:
        allowed = frozenset(shape["enum"])
        outside = "Member must satisfy enum value set: [" + ", ".join(shape["enum"]) + "]"
        checks.append(lambda value: None if value in allowed else outside)
    return checks


def _checked(convert: Callable[[Any], Any], checks: list[Check], sensitive: bool) -> Reader:
    """A scalar reader: ``convert`` (raising on a wrong kind), then every constraint."""
    if not checks:
        return lambda value, path, problems: convert(value)

    def read(value: Any, path: str, problems: list[Violation]) -> Any:
        value = convert(value)
        _apply(checks, value, path, problems, sensitive)
        return value

    return read


def _as_string(value: Any) -> str:
    if type(value) is not str:
        raise _mismatch(value, "String")
    return value


def _integral(target: str) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if type(value) is int:
            return value
        if type(value) is float:
            try:
                return int(value)  # Coral's TruncatingBigNumber
            except OverflowError:
                pass
        raise _mismatch(value, target)

    return convert


def _fractional(target: str) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if type(value) is float or type(value) is int:
            return float(value)
        raise _mismatch(value, target)

    return convert


_TRUTHS = {"true": True, "yes": True, "y": True, "t": True, "1": True, "false": False, "no": False, "n": False, "f": False, "0": False}


def _as_boolean(value: Any) -> bool:
    if value is True or value is False:
        return bool(value)
    if type(value) is str and value.lower() in _TRUTHS:
        return _TRUTHS[value.lower()]
    raise _mismatch(value, "Boolean")


def _as_timestamp(value: Any) -> datetime:
    if type(value) is int or type(value) is float:
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    raise _mismatch(value, "Timestamp")


def _as_blob(value: Any) -> bytes:
    if type(value) is not str:
        raise _mismatch(value, "Blob")
    try:
        return binascii.a2b_base64(value, strict_mode=True)
    except binascii.Error as error:
        raise _serialization(f"'{value}' can not be converted to a Blob: {error}") from None


class _Compiler:
    """Compiles shapes to readers, once per shape (and member variant)."""

    def __init__(self, shapes: Mapping[str, Any]) -> None:
        self.shapes = shapes
        self.done: dict[tuple[str | None, bool], Reader] = {}

    def reader(self, ref: Mapping[str, Any]) -> Reader:
        """The reader of a member (or operation input) reference ``{"shape": name, ...}``."""
        name = ref["shape"]
        utf8 = _UTF8_DOC in ref.get("documentation", "")
        key = (name, utf8)
        if key not in self.done:
            late: list[Reader] = []  # a recursive shape reads itself through this cell
            self.done[key] = lambda value, path, problems: late[0](value, path, problems)
            compiled = self._compile(name, ref, utf8)
            late.append(compiled)
            self.done[key] = compiled
        return self.done[key]

    def _compile(self, name: str | None, ref: Mapping[str, Any], utf8: bool) -> Reader:
        shape: Mapping[str, Any] = self.shapes[name] if name is not None else {"type": "structure", "members": {}}
        kind = shape["type"]
        sensitive = bool(shape.get("sensitive") or ref.get("sensitive"))
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape, sensitive)
        if kind == "map":
            return self._map(shape, sensitive)
        if kind == "string":
            return _checked(_as_string, _string_checks(shape, utf8), sensitive)
        if kind in ("integer", "long"):
            return _checked(_integral(kind.capitalize()), _bounds(shape, _identity, "value"), sensitive)
        if kind in ("float", "double"):
            return _checked(_fractional(kind.capitalize()), _bounds(shape, _identity, "value"), sensitive)
        if kind == "boolean":
            return _checked(_as_boolean, [], sensitive)
        if kind == "timestamp":
            return _checked(_as_timestamp, [], sensitive)
        if kind == "blob":
            return _checked(_as_blob, _bounds(shape, len, "length"), sensitive)
        raise ValueError(f"shape {name}: unknown type {kind!r}")  # pragma: no cover - botocore's types

    def _structure(self, shape: Mapping[str, Any]) -> Reader:
        required = set(shape.get("required", ()))
        members = [
            (member, member[:1].lower() + member[1:], self.reader(ref), member in required)
            for member, ref in shape.get("members", {}).items()
        ]

        def read(value: Any, path: str, problems: list[Violation]) -> Any:
            if type(value) is not dict:
                raise _container_mismatch(value, "Expected null")
            base = path + "." if path else ""
            out: dict[str, Any] = {}
            for member, label, reader, needed in members:
                item = value.get(member)
                if item is None:
                    if needed:
                        problems.append(("Value null", base + label, _NOT_NULL))
                    continue
                out[member] = reader(item, base + label, problems)
            return out

        return read

    def _list(self, shape: Mapping[str, Any], sensitive: bool) -> Reader:
        element = self.reader(shape["member"])
        checks = _bounds(shape, len, "length")

        def read(value: Any, path: str, problems: list[Violation]) -> Any:
            if type(value) is not list:
                raise _container_mismatch(value, "Expected list or null")
            out = []
            for index, item in enumerate(value, 1):
                where = f"{path}.{index}.member"
                if item is None:
                    problems.append(("Value null", where, _NOT_NULL))
                else:
                    out.append(element(item, where, problems))
            _apply(checks, out, path, problems, sensitive)
            return out

        return read

    def _map(self, shape: Mapping[str, Any], sensitive: bool) -> Reader:
        keys = self.reader(shape["key"])
        values = self.reader(shape["value"])
        checks = _bounds(shape, len, "length")

        def read(value: Any, path: str, problems: list[Violation]) -> Any:
            if type(value) is not dict:
                raise _container_mismatch(value, "Expected map or null")
            out: dict[str, Any] = {}
            bad_keys: list[Violation] = []
            bad_values: list[Violation] = []
            for key, item in value.items():
                keys(key, path, bad_keys)
                if item is None:
                    bad_values.append(("Value null", path, _NOT_NULL))
                else:
                    out[key] = values(item, path, bad_values)
            for label, bad in (("Map keys", bad_keys), ("Map value", bad_values)):
                if bad:
                    inner = ", ".join(dict.fromkeys(constraint for _, _, constraint in bad))
                    problems.append((_shown(out, sensitive), path, f"{label} must satisfy constraint: [{inner}]"))
            _apply(checks, out, path, problems, sensitive)
            return out

        return read


def _apply(checks: list[Check], value: Any, path: str, problems: list[Violation], sensitive: bool) -> None:
    for check in checks:
        failed = check(value)
        if failed is not None:
            problems.append((_shown(value, sensitive), path, failed))


# -- writing the response ----------------------------------------------------

_PLAIN = (str, int, float, bool)


def _wire(value: Any) -> Any:
    """``value`` with datetimes as epoch seconds, bytes as base64 and None members left out."""
    if isinstance(value, _PLAIN) or value is None:
        return value
    if isinstance(value, Mapping):
        return {key: _wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_wire(item) for item in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a naive datetime is UTC
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value
