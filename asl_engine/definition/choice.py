"""JSONPath Choice rules, compiled once into predicates.

:func:`compile_rule` turns one Choice Rule (a dict from the definition) into
a closure ``predicate(data, env) -> bool`` where ``data`` is the Choice
state's effective input (``$``) and ``env`` gives ``$$`` and variables.
All checking of the rule (operator names, operand types, paths, timestamp
literals, StringMatches patterns) happens at compile time; evaluation does
no dict lookups on the rule and no parsing (timestamps read from the data
are parsed once and memoised).

Semantics. [R] = recorded on AWS (the 424 ``choice_operators_*``
conformance cases all agree with this module), [S] = ASL specification,
[I] = inferred (AWS error text reported by users, Java behaviour):

* **Type mismatch is false, not an error** [R, S]. "For each operator which
  compares values, if the values are not both of the appropriate type
  (String, number, boolean, or Timestamp) the comparison will return false."
  A JSON ``true`` is a boolean, never a number (``NumericEquals 1`` is false
  for ``true``; ``IsNumeric`` is false for booleans) [R]. A string that is
  not a valid timestamp makes ``Timestamp*`` false [R].
* **Missing ``Variable`` is an error** for every operator but ``IsPresent``
  [S, I]: ``States.Runtime`` with cause ``Invalid path '<Variable>': The
  choice state's condition path references an invalid value.`` (the path as
  written in the definition) [I: AWS's text as users report it; no recording
  in the corpus]. The same for the path of a ``...Path`` operator [I].
  ``IsPresent`` never fails: "if the Variable-field Path fails to match
  anything in the input no exception is thrown and the Choice Rule just
  returns false" [S]. A present ``null`` is present [R].
* **Numbers** compare as IEEE binary64 doubles: ``1 == 1.0`` [R]; integers
  beyond 2**53 are first rounded to the nearest double [I: the spec only
  warns such integers "might fail to compare in the expected way"].
* **Strings** compare "character-by-character with no special treatments
  such as case-folding, white-space collapsing, or Unicode form
  normalization" [S], in Java ``String.compareTo`` order, i.e. by UTF-16
  code unit [I]. This differs from Python's code point order only when a
  character above U+FFFF meets one in U+E000..U+FFFF; that case is handled.
* **Timestamps** compare as instants (the offset is applied), at nanosecond
  precision [I]; see :mod:`asl_engine.dataflow.timestamps` for the
  accepted syntax.
* **StringMatches** [S]: "No characters other than "*" have any special
  meaning during matching"; ``\\*`` is a literal star and ``\\\\`` a
  literal backslash; "If an open escape backslash \\ is found in the
  StringMatches string, the interpreter will throw a runtime error" --
  raised here as ``States.Runtime`` when such a rule meets a string (the
  cause text is ours [I]).
* ``And``/``Or`` evaluate their rules in order and stop as soon as the result
  is known; ``Not`` inverts its single rule [S].

Runtime failures are raised as ``StatesError("States.Runtime", detail)``;
the interpreter adds the "An error occurred while executing the state ..."
prefix.
"""

from __future__ import annotations

import operator
import re
from typing import Any, Callable, Final, Mapping

from ..model.records import record
from ..dataflow.jsonpath import ROOT_DATA, Env, Path, PathError, PathNotFound, compile_path
from ..dataflow.timestamps import timestamp_epoch_nanos
from ..errors import StatesError

__all__ = [
    "ChoiceRuleError",
    "OPERATORS",
    "Predicate",
    "compile_rule",
    "invalid_path_cause",
]

Predicate = Callable[[Any, Env | None], bool]
"""``(effective input "$", env) -> bool``; may raise ``StatesError``."""

_Lookup = Callable[[Any, Env | None], Any]  # value, or _MISSING when the path selects nothing
_Compare = Callable[[Any, Any], bool]


class ChoiceRuleError(ValueError):
    """A Choice Rule is invalid (found at compile time, i.e. definition load).

    Raised for: a rule that is not an object, no or several comparison
    operators, unknown fields, a missing or non-path ``Variable``, an operand
    of the wrong type, an invalid path in a ``...Path`` operator, a timestamp
    literal AWS would not parse, an empty ``And``/``Or``, a ``Next`` or
    ``Assign`` inside a nested rule.
    """


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()  # a path that selects nothing
_NO: Final = _Missing()  # "not of the operator's type": the comparison is false

RUNTIME: Final = "States.Runtime"


def invalid_path_cause(path_text: str) -> str:
    """The cause AWS gives when a Choice rule's path selects nothing."""
    return f"Invalid path '{path_text}': The choice state's condition path references an invalid value."


# --------------------------------------------------------------------------
# Paths: a lookup returning the value or _MISSING, fast for "$.a.b[0]".
# --------------------------------------------------------------------------


def _make_lookup(path: Path) -> _Lookup:
    """Compile ``path`` into ``lookup(data, env) -> value | _MISSING``.

    Definite paths on ``$`` (the overwhelmingly common ``$.a.b``) are
    walked inline here; everything else (``$$``, ``$var``, wildcards,
    filters) goes through :meth:`Path.get`. An indefinite path yields the
    list of its matches (possibly empty), as Jayway does.
    """
    if path.root == ROOT_DATA and path.definite:
        # Segments of a definite path are names (str) and indexes (int).
        steps: tuple[str | int, ...] = tuple(arg for _, arg in path.segments)
        if not steps:

            def lookup_root(data: Any, env: Env | None) -> Any:
                return data

            return lookup_root
        if all(isinstance(step, str) for step in steps):
            return _key_lookup(tuple(str(step) for step in steps))

        def lookup_steps(data: Any, env: Env | None) -> Any:
            value = data
            for step in steps:
                if isinstance(step, str):
                    if not isinstance(value, dict):
                        return _MISSING
                    value = value.get(step, _MISSING)
                    if value is _MISSING:
                        return _MISSING
                elif isinstance(value, list) and -len(value) <= step < len(value):
                    value = value[step]
                else:
                    return _MISSING
            return value

        return lookup_steps

    get = path.get

    def lookup_any(data: Any, env: Env | None) -> Any:
        try:
            return get(data, env)
        except PathNotFound:
            return _MISSING

    return lookup_any


# Names only ("$.a.b.c"): plain subscription. On JSON values, a str key
# raises KeyError on an object without it and TypeError on anything that
# is not an object (array, string, number, boolean, null) -- exactly the
# cases where Jayway finds nothing. try/except costs nothing on the hit path.
_NOT_FOUND = (KeyError, TypeError)


def _key_lookup(keys: tuple[str, ...]) -> _Lookup:
    if len(keys) == 1:
        (k1,) = keys

        def lookup_1(data: Any, env: Env | None) -> Any:
            try:
                return data[k1]
            except _NOT_FOUND:
                return _MISSING

        return lookup_1
    if len(keys) == 2:
        k1, k2 = keys

        def lookup_2(data: Any, env: Env | None) -> Any:
            try:
                return data[k1][k2]
            except _NOT_FOUND:
                return _MISSING

        return lookup_2
    if len(keys) == 3:
        k1, k2, k3 = keys

        def lookup_3(data: Any, env: Env | None) -> Any:
            try:
                return data[k1][k2][k3]
            except _NOT_FOUND:
                return _MISSING

        return lookup_3

    def lookup_n(data: Any, env: Env | None) -> Any:
        value = data
        try:
            for k in keys:
                value = value[k]
        except _NOT_FOUND:
            return _MISSING
        return value

    return lookup_n


def _compile_path(value: Any, field: str) -> Path:
    if not isinstance(value, str):
        raise ChoiceRuleError(f"{field} must be a JSONPath string, got {value!r}")
    try:
        return compile_path(value)
    except PathError as exc:
        raise ChoiceRuleError(f"{field}: {exc}") from None


# --------------------------------------------------------------------------
# Value kinds: how an operand literal is checked and how a runtime value is
# brought to a comparable form (or _NO when it is of another type).
# --------------------------------------------------------------------------


def _check_string(value: Any, op: str) -> Any:
    if not isinstance(value, str):
        raise ChoiceRuleError(f"{op} must be a string, got {value!r}")
    return value


def _check_boolean(value: Any, op: str) -> Any:
    if not isinstance(value, bool):
        raise ChoiceRuleError(f"{op} must be a boolean, got {value!r}")
    return value


_EXACT_INT: Final = 2**53  # integers up to this magnitude are exact doubles


def _int_to_double(value: int) -> float | int:
    # Integers of magnitude <= 2**53 are returned as they are: Python compares
    # them with floats exactly, which is what comparing their (exact) double
    # conversions would give. Larger ones are rounded like Java's
    # (double) long / BigInteger.doubleValue() (round half to even).
    if -_EXACT_INT <= value <= _EXACT_INT:
        return value
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _coerce_numeric(value: Any) -> Any:
    # Exact type tests: bool is a subclass of int but a JSON boolean is not a number.
    t = type(value)
    if t is float:
        return value
    if t is int:
        return _int_to_double(value)
    return _NO


def _check_numeric(value: Any, op: str) -> Any:
    coerced = _coerce_numeric(value)
    if coerced is _NO:
        raise ChoiceRuleError(f"{op} must be a number, got {value!r}")
    return coerced


_TIMESTAMP_MEMO: dict[str, int | None] = {}
_TIMESTAMP_MEMO_LIMIT: Final = 4096


def _coerce_timestamp(value: Any) -> Any:
    if type(value) is not str:
        return _NO
    key = _TIMESTAMP_MEMO.get(value, _NO)
    if key is _NO:
        key = timestamp_epoch_nanos(value)
        if len(_TIMESTAMP_MEMO) < _TIMESTAMP_MEMO_LIMIT:
            _TIMESTAMP_MEMO[value] = key
    return _NO if key is None else key


def _check_timestamp(value: Any, op: str) -> Any:
    if not isinstance(value, str):
        raise ChoiceRuleError(f"{op} must be a timestamp string, got {value!r}")
    key = timestamp_epoch_nanos(value)
    if key is None:
        raise ChoiceRuleError(f"{op} is not a valid timestamp: {value!r}")
    return key


@record
class _Kind:
    """A comparable type: String, Numeric, Boolean or Timestamp."""

    check: Callable[[Any, str], Any]  # operand literal -> comparable, or ChoiceRuleError
    exact_type: type | None  # set when a runtime value is usable as is if of this type
    coerce: Callable[[Any], Any] | None  # otherwise: runtime value -> comparable | _NO


_STRING = _Kind(_check_string, str, None)
_NUMERIC = _Kind(_check_numeric, None, _coerce_numeric)
_BOOLEAN = _Kind(_check_boolean, bool, None)
_TIMESTAMP = _Kind(_check_timestamp, None, _coerce_timestamp)


def _utf16(text: str) -> bytes:
    # Big-endian UTF-16 bytes sort exactly like Java's char (code unit)
    # sequences; "surrogatepass" keeps lone surrogates (valid in JSON text).
    return text.encode("utf-16-be", "surrogatepass")


# Java String.compareTo order. If either side is ASCII, the first differing
# position pairs an ASCII char with something else, and code point order
# agrees with code unit order; only then may we use Python's own ordering.
def _str_lt(a: str, b: str) -> bool:
    return a < b if a.isascii() or b.isascii() else _utf16(a) < _utf16(b)


def _str_le(a: str, b: str) -> bool:
    return a <= b if a.isascii() or b.isascii() else _utf16(a) <= _utf16(b)


def _str_gt(a: str, b: str) -> bool:
    return a > b if a.isascii() or b.isascii() else _utf16(a) > _utf16(b)


def _str_ge(a: str, b: str) -> bool:
    return a >= b if a.isascii() or b.isascii() else _utf16(a) >= _utf16(b)


_PLAIN_ORDER: Final[dict[_Compare, _Compare]] = {
    _str_lt: operator.lt,
    _str_le: operator.le,
    _str_gt: operator.gt,
    _str_ge: operator.ge,
}


# --------------------------------------------------------------------------
# Predicate builders.
# --------------------------------------------------------------------------


def _missing_error(text: str) -> StatesError:
    return StatesError(RUNTIME, invalid_path_cause(text))


def _literal_predicate(lookup: _Lookup, text: str, kind: _Kind, cmp: _Compare, operand: Any) -> Predicate:
    """``Variable <cmp> literal``."""
    if kind is _STRING and operand.isascii() and cmp in _PLAIN_ORDER:
        cmp = _PLAIN_ORDER[cmp]  # an ASCII side makes Python's order Java's order
    exact = kind.exact_type
    if exact is not None:

        def test_typed(data: Any, env: Env | None) -> bool:
            value = lookup(data, env)
            if type(value) is exact:
                return cmp(value, operand)
            if value is _MISSING:
                raise _missing_error(text)
            return False

        return test_typed
    if kind is _NUMERIC:
        # _coerce_numeric inlined: this is the hottest kind of rule.
        lo, hi = -_EXACT_INT, _EXACT_INT

        def test_number(data: Any, env: Env | None) -> bool:
            value = lookup(data, env)
            t = type(value)
            if t is float or (t is int and lo <= value <= hi):
                return cmp(value, operand)
            if t is int:
                return cmp(_int_to_double(value), operand)
            if value is _MISSING:
                raise _missing_error(text)
            return False

        return test_number
    coerce = kind.coerce
    assert coerce is not None

    def test_coerced(data: Any, env: Env | None) -> bool:
        value = lookup(data, env)
        if value is _MISSING:
            raise _missing_error(text)
        value = coerce(value)
        return value is not _NO and cmp(value, operand)

    return test_coerced


def _path_predicate(
    lookup: _Lookup, text: str, kind: _Kind, cmp: _Compare, other: _Lookup, other_text: str
) -> Predicate:
    """``Variable <cmp> value-at-other-path``; both paths must select something."""
    exact = kind.exact_type
    if exact is not None:

        def test_typed(data: Any, env: Env | None) -> bool:
            value = lookup(data, env)
            if value is _MISSING:
                raise _missing_error(text)
            right = other(data, env)
            if right is _MISSING:
                raise _missing_error(other_text)
            return type(value) is exact and type(right) is exact and cmp(value, right)

        return test_typed
    if kind is _NUMERIC:
        lo, hi = -_EXACT_INT, _EXACT_INT

        def test_numbers(data: Any, env: Env | None) -> bool:
            value = lookup(data, env)
            if value is _MISSING:
                raise _missing_error(text)
            right = other(data, env)
            if right is _MISSING:
                raise _missing_error(other_text)
            t, u = type(value), type(right)
            if (t is float or (t is int and lo <= value <= hi)) and (
                u is float or (u is int and lo <= right <= hi)
            ):
                return cmp(value, right)
            value, right = _coerce_numeric(value), _coerce_numeric(right)
            return value is not _NO and right is not _NO and cmp(value, right)

        return test_numbers
    coerce = kind.coerce
    assert coerce is not None

    def test_coerced(data: Any, env: Env | None) -> bool:
        value = lookup(data, env)
        if value is _MISSING:
            raise _missing_error(text)
        right = other(data, env)
        if right is _MISSING:
            raise _missing_error(other_text)
        value = coerce(value)
        if value is _NO:
            return False
        right = coerce(right)
        return right is not _NO and cmp(value, right)

    return test_coerced


# StringMatches --------------------------------------------------------------


@record
class _Pattern:
    """A parsed StringMatches pattern: literal pieces between wildcards."""

    pieces: tuple[str, ...]  # len(pieces) - 1 wildcards
    open_escape: bool


def _parse_pattern(pattern: str) -> _Pattern:
    pieces: list[str] = []
    buf: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1] if i + 1 < n else ""
            if nxt not in ("*", "\\"):
                # "\" must escape "*" or "\"; anything else is an open escape.
                return _Pattern((), True)
            buf.append(nxt)
            i += 2
            continue
        if ch == "*":
            pieces.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    pieces.append("".join(buf))
    return _Pattern(tuple(pieces), False)


def _matcher(pattern: _Pattern) -> Callable[[str], bool]:
    pieces = pattern.pieces
    if len(pieces) == 1:
        literal = pieces[0]
        return literal.__eq__
    if len(pieces) == 2:
        head, tail = pieces
        least = len(head) + len(tail)

        def match_one_star(s: str) -> bool:
            return len(s) >= least and s.startswith(head) and s.endswith(tail)

        return match_one_star
    # No fnmatch: it gives "?" and "[...]" a meaning AWS does not.
    regex = re.compile(".*".join(re.escape(p) for p in pieces), re.DOTALL)

    def match_regex(s: str) -> bool:
        return regex.fullmatch(s) is not None

    return match_regex


def _check_pattern(value: Any, op: str) -> Any:
    if not isinstance(value, str):
        raise ChoiceRuleError(f"{op} must be a string, got {value!r}")
    return _parse_pattern(value)


def _build_matches(lookup: _Lookup, text: str, operand: Any) -> Predicate:
    pattern: _Pattern = operand
    if pattern.open_escape:

        def test_open_escape(data: Any, env: Env | None) -> bool:
            value = lookup(data, env)
            if value is _MISSING:
                raise _missing_error(text)
            if type(value) is str:
                # Wording is ours: no AWS recording of this failure is known.
                raise StatesError(RUNTIME, "The StringMatches pattern contains an open escape '\\'.")
            return False

        return test_open_escape
    match = _matcher(pattern)

    def test_matches(data: Any, env: Env | None) -> bool:
        value = lookup(data, env)
        if type(value) is str:
            return match(value)
        if value is _MISSING:
            raise _missing_error(text)
        return False

    return test_matches


# Type tests -----------------------------------------------------------------


def _build_type_test(test: Callable[[Any], bool]) -> Callable[[_Lookup, str, Any], Predicate]:
    def build(lookup: _Lookup, text: str, expected: Any) -> Predicate:
        if expected:

            def is_type(data: Any, env: Env | None) -> bool:
                value = lookup(data, env)
                if value is _MISSING:
                    raise _missing_error(text)
                return test(value)

            return is_type

        def is_not_type(data: Any, env: Env | None) -> bool:
            value = lookup(data, env)
            if value is _MISSING:
                raise _missing_error(text)
            return not test(value)

        return is_not_type

    return build


def _is_null(value: Any) -> bool:
    return value is None


def _is_numeric(value: Any) -> bool:
    t = type(value)
    return t is int or t is float


def _is_string(value: Any) -> bool:
    return type(value) is str


def _is_boolean(value: Any) -> bool:
    return type(value) is bool


def _is_timestamp(value: Any) -> bool:
    return _coerce_timestamp(value) is not _NO


def _build_is_present(lookup: _Lookup, text: str, expected: Any) -> Predicate:
    # Never raises. Used for definite "$" paths; _compile uses
    # _is_present_for_path (Path.exists) for "$$", "$var" and indefinite paths.
    if expected:
        return lambda data, env: lookup(data, env) is not _MISSING
    return lambda data, env: lookup(data, env) is _MISSING


# --------------------------------------------------------------------------
# The operator table.
# --------------------------------------------------------------------------


@record
class _Operator:
    """One comparison operator.

    ``check`` validates the operand as written in the definition and returns
    its compiled form; ``build`` makes the predicate from the Variable's
    lookup, the Variable's text and that compiled operand. For ``...Path``
    operators the compiled operand is ``(lookup, text)`` of the other path.
    """

    check: Callable[[Any, str], Any]
    build: Callable[[_Lookup, str, Any], Predicate]


def _comparison(kind: _Kind, cmp: _Compare) -> _Operator:
    def build(lookup: _Lookup, text: str, operand: Any) -> Predicate:
        return _literal_predicate(lookup, text, kind, cmp, operand)

    return _Operator(kind.check, build)


def _path_comparison(kind: _Kind, cmp: _Compare) -> _Operator:
    def check(value: Any, op: str) -> Any:
        path = _compile_path(value, op)
        return (_make_lookup(path), path.text)

    def build(lookup: _Lookup, text: str, operand: Any) -> Predicate:
        other, other_text = operand
        return _path_predicate(lookup, text, kind, cmp, other, other_text)

    return _Operator(check, build)


def _type_test(test: Callable[[Any], bool]) -> _Operator:
    return _Operator(_check_boolean, _build_type_test(test))


_COMPARISONS: Final[tuple[tuple[str, _Kind, tuple[tuple[str, _Compare], ...]], ...]] = (
    (
        "String",
        _STRING,
        (
            ("Equals", operator.eq),
            ("LessThan", _str_lt),
            ("GreaterThan", _str_gt),
            ("LessThanEquals", _str_le),
            ("GreaterThanEquals", _str_ge),
        ),
    ),
    (
        "Numeric",
        _NUMERIC,
        (
            ("Equals", operator.eq),
            ("LessThan", operator.lt),
            ("GreaterThan", operator.gt),
            ("LessThanEquals", operator.le),
            ("GreaterThanEquals", operator.ge),
        ),
    ),
    ("Boolean", _BOOLEAN, (("Equals", operator.eq),)),
    (
        "Timestamp",
        _TIMESTAMP,
        (
            ("Equals", operator.eq),
            ("LessThan", operator.lt),
            ("GreaterThan", operator.gt),
            ("LessThanEquals", operator.le),
            ("GreaterThanEquals", operator.ge),
        ),
    ),
)


def _operator_table() -> dict[str, _Operator]:
    table: dict[str, _Operator] = {}
    for prefix, kind, comparisons in _COMPARISONS:
        for suffix, cmp in comparisons:
            table[prefix + suffix] = _comparison(kind, cmp)
            table[prefix + suffix + "Path"] = _path_comparison(kind, cmp)
    table["StringMatches"] = _Operator(_check_pattern, _build_matches)
    table["IsNull"] = _type_test(_is_null)
    table["IsPresent"] = _Operator(_check_boolean, _build_is_present)
    table["IsNumeric"] = _type_test(_is_numeric)
    table["IsString"] = _type_test(_is_string)
    table["IsBoolean"] = _type_test(_is_boolean)
    table["IsTimestamp"] = _type_test(_is_timestamp)
    return table


OPERATORS: Final[Mapping[str, _Operator]] = _operator_table()
"""Every JSONPath data-test operator (39), by name."""

_BOOLEAN_OPERATORS: Final = frozenset({"And", "Or", "Not"})
_ANNOTATIONS: Final = frozenset({"Comment"})
_TOP_LEVEL_ONLY: Final = frozenset({"Next", "Assign"})


# --------------------------------------------------------------------------
# Rule compilation.
# --------------------------------------------------------------------------


def compile_rule(rule: Mapping[str, Any]) -> Predicate:
    """Compile a top-level JSONPath Choice Rule into a predicate.

    ``rule`` is a data-test expression (``{"Variable": path, "<Operator>":
    operand}``) or a boolean expression (``{"And": [...]}``, ``{"Or": [...]}``,
    ``{"Not": {...}}``). ``Next``, ``Assign`` and ``Comment`` are ignored
    here (the interpreter handles the first two). Raises
    :class:`ChoiceRuleError` if the rule is invalid.

    The predicate is called as ``predicate(effective_input, env)``; it returns
    whether the rule matches, or raises ``StatesError("States.Runtime", ...)``
    when a path it needs selects nothing (see the module docstring).
    """
    return _compile(rule, nested=False)


def _compile(rule: Any, nested: bool) -> Predicate:
    if not isinstance(rule, Mapping):
        raise ChoiceRuleError(f"a Choice Rule must be an object, got {rule!r}")
    operators: list[str] = []
    for key in rule:
        if key in OPERATORS or key in _BOOLEAN_OPERATORS:
            operators.append(key)
        elif key == "Variable" or key in _ANNOTATIONS:
            continue
        elif key in _TOP_LEVEL_ONLY:
            if nested:
                raise ChoiceRuleError(f"a nested Choice Rule must not have '{key}'")
        else:
            raise ChoiceRuleError(f"unknown field '{key}' in Choice Rule")
    if not operators:
        raise ChoiceRuleError("a Choice Rule needs a comparison operator or And/Or/Not")
    if len(operators) > 1:
        # AWS: "Each Choice Rule can only have one comparison operator."
        raise ChoiceRuleError(
            "Each Choice Rule can only have one comparison operator; found " + ", ".join(operators)
        )
    name = operators[0]
    if name in _BOOLEAN_OPERATORS:
        if "Variable" in rule:
            raise ChoiceRuleError(f"a Choice Rule with '{name}' must not have 'Variable'")
        return _compile_boolean(name, rule[name])
    if "Variable" not in rule:
        raise ChoiceRuleError(f"a Choice Rule with '{name}' needs a 'Variable'")
    path = _compile_path(rule["Variable"], "Variable")
    spec = OPERATORS[name]
    operand = spec.check(rule[name], name)
    if name == "IsPresent" and not (path.root == ROOT_DATA and path.definite):
        return _is_present_for_path(path, bool(operand))
    return spec.build(_make_lookup(path), path.text, operand)


def _is_present_for_path(path: Path, expected: bool) -> Predicate:
    # Path.exists: a definite path is present if it resolves; an indefinite
    # one if it matches at least one node.
    exists = path.exists
    if expected:
        return exists
    return lambda data, env: not exists(data, env)


def _compile_boolean(name: str, operand: Any) -> Predicate:
    if name == "Not":
        if not isinstance(operand, Mapping):
            raise ChoiceRuleError(f"'Not' must be a single Choice Rule object, got {operand!r}")
        inner = _compile(operand, nested=True)

        def not_(data: Any, env: Env | None) -> bool:
            return not inner(data, env)

        return not_
    if not isinstance(operand, list) or not operand:
        raise ChoiceRuleError(f"'{name}' must be a non-empty array of Choice Rules, got {operand!r}")
    rules = tuple(_compile(r, nested=True) for r in operand)
    if len(rules) == 1:
        return rules[0]  # And/Or of one rule is that rule
    if name == "And":
        if len(rules) == 2:
            a, b = rules

            def and2(data: Any, env: Env | None) -> bool:
                return a(data, env) and b(data, env)

            return and2

        def and_n(data: Any, env: Env | None) -> bool:
            for r in rules:
                if not r(data, env):
                    return False
            return True

        return and_n
    if len(rules) == 2:
        a, b = rules

        def or2(data: Any, env: Env | None) -> bool:
            return a(data, env) or b(data, env)

        return or2

    def or_n(data: Any, env: Env | None) -> bool:
        for r in rules:
            if r(data, env):
                return True
        return False

    return or_n
