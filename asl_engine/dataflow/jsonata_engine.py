"""JSONata for states whose ``QueryLanguage`` is ``JSONata``: the one adapter to the library.

This is the only module of ``asl_engine`` that imports a JSONata library
(architecture rule). It loads with the first JSONata expression compiled
(``asl_engine.dataflow.jsonata`` is the light face everyone imports;
``jsonata_text`` holds the texts, errors and ``UNDEFINED``): a JSONPath machine never imports it.
Everything the interpreter needs goes through the
functions below, and every exception the library raises is converted here,
to :class:`JsonataSyntaxError` at load time or to a ``StatesError``
``States.QueryEvaluationError`` at run time.

Why jsonata-python
==================
Four PyPI packages were measured on the AWS-recorded corpus
(``shared/conformance/localstack``: the 119 cases with feature
``query:JSONata``, holding 185 ``{% %}`` strings, 57 distinct). 82 of the
cases can be run without Tasks (chains of Pass/Choice/Fail/Succeed states and
inline Maps), their JSONata evaluated standalone and compared with AWS's
recorded output or error cause::

    library (version)        parse    recorded result      recorded result     evals/s (µs)       evals/s (µs)
                                      (library alone)      (+ AWS functions)   condition          object
    jsonata-python 0.7.1     57/57    58/82                82/82               19,000 (52)        6,800 (148)
    jsonatapy 2.2.13 (Rust)  57/57    56/82                80/82               339,000 (2.9)      136,000 (7.4)
    jlens 0.25.0 (Rust)      57/57    57/82                81/82               308,000 (3.2)      108,000 (9.3)
    jsonata-rs 0.1.4 (Rust)  57/57    57/82                81/82               326,000 (3.1)      96,000 (10.4)

("library alone": the 24 ``$partition``/``$range`` cases fail everywhere
until AWS's functions are registered. "condition" is
``$states.input.value >= 20 and $states.input.value < 30``, "object" builds a
3-key object with ``$sum``/``$count``/``$uppercase``; compiled once,
Python 3.11, x86_64.) The three Rust bindings cannot tell a function result
from ``null``/undefined, so they miss AWS's "returned an unsupported result
type." (and jsonatapy also renames T1006's message); jsonatapy and jsonata-rs
crash (``OverflowError``) on any integer above 2^63 anywhere in the bindings.
jsonata-python is pure Python, ports the Dashjoin *jsonata-java* engine, and
agrees with jsonata-rs (the other jsonata-java port) where they differ from
jsonata-js (``$formatNumber`` half-up rounding, UTF-8 ``$base64encode``,
``$single``'s error text). AWS most likely runs jsonata-java: a third-party
emulator that measured AWS reports its depth refusal as
``Stack overflow error: ... Depth=101 max=100`` (jsonata-java's ``Timebox``
text and default) and non-finite numbers written as Jackson's strings
(``"Infinity"``). 52-150 µs per
evaluation is small beside a state transition, so the compiled wheels do not
clearly win and the design card's preference for pure Python stands.
Through this adapter (budget/depth guard included) the corpus still gives
82/82, at about 16,500 evaluations/s for the condition above. On 107 further
probe expressions the four libraries agree on 93.

The dependency is pinned below 0.8: the adapter relies on the library's
evaluator hooks (``__evaluate_entry``/``__evaluate_exit``), its thread-local
``Jsonata.CURRENT``, ``Utils.NULL_VALUE`` and ``JLambda``.

Known deviations of jsonata-python 0.7.1 (measured, not corrected here):
``$string`` of numbers beyond 15 significant digits keeps the exponent form
(``"1.23456789012346e+17"``); ``x/0`` raises instead of producing Infinity
(reported as ``D1001``); its error texts follow jsonata-java's templates
("Argument 1 of Object sum must be an array of n"); it accepts JSONata 2.1's
``??`` and ``?:`` operators, which 2.0.6 does not have.

Contract
========
* :func:`compile_expression` compiles ``"{% ... %}"`` once, at load time;
  :meth:`Expression.evaluate` runs it with *bindings* (variable name ->
  JSON value, always including ``states``) and returns a fresh JSON value
  (``dict``/``list``/``str``/``int``/``float``/``bool``/``None``) or
  :data:`UNDEFINED`. Integral numbers come back as ``int`` (JSONata has one
  number type, and jsonata-java turns integral results into longs).
* :func:`template` compiles a JSON value whose strings may be expressions at
  any depth (``Arguments``, ``Output``, ``Assign``, ``Items``...).
* Run-time failures raise ``StatesError("States.QueryEvaluationError",
  detail)``, *detail* being AWS's cause without the "An error occurred while
  executing the state ..." prefix, which the interpreter adds.
* Step Functions' own functions ``$partition``, ``$range``, ``$hash``,
  ``$random``, ``$uuid`` and ``$parse`` are available; ``$eval`` is refused
  at compile time. A non-integer argument to an integer parameter is
  truncated: AWS documents "rounded down", which is the same for the
  non-negative sizes and seeds; for a negative ``$range`` bound a third-party
  measurement of AWS reports truncation towards zero.
* Each evaluation has a time budget and a depth limit of 100
  (jsonata-java's ``Timebox``). They are checked each time the evaluator
  enters or leaves a node, so a runaway expression fails cleanly without
  stopping the process. Limitation: one long built-in step that enters no
  node (a catastrophic regular expression, ``$sort`` of a huge array without
  a comparator, a huge ``$pad``) cannot be interrupted in pure Python.
* Memory guards, so that the budget is reached before memory runs out: the
  range operator ``[a..b]`` and ``$range`` build at most 1,000,000 items
  (jsonata's D2014 "The size of the sequence allocated by the range operator
  (..) must not exceed 1e6"; jsonata-js enforces 1e7, which as Python
  objects is ~400 MB before a single node is evaluated), and ``$sort`` with
  a comparator is jsonata-js's own merge sort, whose every comparison
  evaluates the comparator (so the budget is checked), instead of Python's
  ``sorted`` with ``cmp_to_key``, which first allocates one key object per
  item (``$sort([1..10000000], ...)`` took 10 s and 1.1 GB).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import random
import threading
import time
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Final, Iterator, Mapping

import jsonata as _lib  # type: ignore[import-untyped]
from jsonata import functions as _functions
from jsonata import jexception as _jexception
from jsonata import parser as _parser
from jsonata import signature as _signature
from jsonata import utils as _utils

from ..documents.values import SURROGATE
from ..errors import QUERY_EVALUATION_ERROR, StatesError
from .json_values import copy_json, json_type_name
from .jsonata_text import (
    DEFAULT_BUDGET_SECONDS,
    MAX_DEPTH,
    UNDEFINED,
    JsonataSyntaxError,
    evaluation_error,
    expression_source,
    is_expression,
    reads_context,
    undefined_error,
    unsupported_result_error,
)

if TYPE_CHECKING:
    _ExpressionBase = object
    _TemplateBase = object
else:  # library-free bases, so that isinstance checks need not load this module
    from .jsonata_text import ExpressionBase as _ExpressionBase
    from .jsonata_text import TemplateBase as _TemplateBase

# The texts, errors and UNDEFINED are jsonata_text's (the face re-exports them).
__all__ = ["Expression", "Template", "compile_expression", "template"]

_NULL: Final[Any] = _utils.Utils.NULL_VALUE  # the library's JSON null; Python None is "undefined"
_HASH_ALGORITHMS: Final[dict[str, Callable[[bytes], Any]]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
_MAX_RANGE_LENGTH: Final = 1_000_000  # $range refuses to build more (memory guard)
_TIMEOUT_TEXT: Final = "Expression evaluation timeout: Check for infinite loop"  # jsonata-java Timebox


# --------------------------------------------------------------------------- value conversion


class _NotJson(Exception):
    """A result holds something JSON cannot carry (a function)."""


class _NotText(Exception):
    """A result string holds a lone surrogate (``'\\ud800'`` in the expression):
    no UTF-8 output, history or store could carry it."""


def _unicode(text: str) -> str:
    """``text`` with each surrogate pair the library left as two characters
    (``'\\ud83d\\ude00'``) joined into one, as JavaScript's UTF-16 strings
    have it; ``_NotText`` for a lone surrogate."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise _NotText() from None


def _to_library(value: Any) -> Any:
    """A JSON value as a binding: a top-level ``None`` is JSON null, not "undefined".

    Nested ``None``s are read as null by the library already.
    """
    return _NULL if value is None else value


def _from_library(value: Any) -> Any:
    """A fresh plain JSON value from a library result (never aliasing the bindings).

    ``None`` nested in a container is JSON null (it came from the input);
    the library's null marker becomes ``None``; integral floats become ``int``
    as jsonata-java's ``convertNumber`` does; non-finite floats become the
    strings Jackson writes for them (reported AWS behaviour).
    """
    # Exact types first, and an object's ASCII strings and ints copied
    # without a call each (a state's result is mostly objects of those):
    # 0.9 us for a 3-member document against 1.6 with a call per member.
    kind = type(value)
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                key = str(key)
            member = type(item)
            if member is str:
                out[key] = item if item.isascii() else _unicode(item)
            elif member is int or member is bool:
                out[key] = item
            else:
                out[key] = _from_library(item)
        return out
    if kind is str:
        return value if value.isascii() else _unicode(value)
    if kind is int or kind is bool:
        return value
    if value is None or value is _NULL:
        return None
    if kind is float:
        if not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return int(value) if value.is_integer() else value
    if isinstance(value, (list, tuple)):
        return [_from_library(v) for v in value]
    return _from_subclass(value)


def _from_subclass(value: Any) -> Any:
    """``_from_library`` for a subclass of a JSON type (by ``isinstance``), or ``_NotJson``."""
    if isinstance(value, str):
        return _from_library(str(value))
    if isinstance(value, dict):
        return _from_library(dict(value))
    if isinstance(value, int):  # bool has no subclasses: an int's
        return int(value)
    if isinstance(value, float):
        return _from_library(float(value))
    raise _NotJson(type(value).__name__)


def _args(args: tuple[Any, ...], count: int, name: str) -> list[Any]:
    """*count* arguments as plain JSON, missing or undefined ones as :data:`UNDEFINED`.

    More arguments than *count*, or a function where JSON is expected, is the
    library's signature error (T0410), as for its built-in functions.
    """
    if len(args) > count:
        raise _signature_error(count + 1, name)
    values: list[Any] = []
    for index, value in enumerate(args, start=1):
        if value is None:
            values.append(UNDEFINED)
            continue
        try:
            values.append(_from_library(value))
        except _NotJson:
            raise _signature_error(index, name) from None
    return values + [UNDEFINED] * (count - len(values))


# --------------------------------------------------------------------------- AWS functions


class _FunctionError(_jexception.JException):  # type: ignore[misc]
    """An error raised by one of Step Functions' functions, with its own text.

    Subclassing the library's exception matters: the evaluator turns any other
    exception raised inside ``and``/``or`` into a bare "Unexpected" error.
    """

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(code or "", -1)
        self.detail = f"{code}: {message}" if code else message


def _signature_error(index: int, name: str) -> Exception:
    # The library's own T0410, so its text matches the built-in functions'.
    error: Exception = _jexception.JException("T0410", -1, index, name)
    return error


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(value: Any, index: int, name: str) -> int:
    """An integer parameter: a non-integer is truncated towards zero (see the module notes)."""
    if not _is_number(value) or not math.isfinite(value):
        raise _signature_error(index, name)
    return int(value)


def _fn_partition(*args: Any) -> Any:
    """``$partition(array, chunkSize)``: consecutive chunks of *chunkSize* items, the last one shorter."""
    array, size = _args(args, 2, "partition")
    if array is UNDEFINED or size is UNDEFINED:
        return None
    if not isinstance(array, list):
        array = [array]  # a single value where an array is expected, as JSONata signatures do
    chunk = _integer(size, 2, "partition")
    if chunk < 1 or not array:
        return None
    return [array[i : i + chunk] for i in range(0, len(array), chunk)]


def _fn_range(*args: Any) -> Any:
    """``$range(start, end, step)``: start, start+step, ... up to end inclusive.

    Returned as a JSONata sequence so that, as recorded on AWS, a one-element
    range is the bare number (``$range(1, 9, 9)`` is ``1``) and an empty one is
    undefined.
    """
    values = _args(args, 3, "range")
    if any(v is UNDEFINED for v in values):
        return None
    start, end, step = (_integer(v, i + 1, "range") for i, v in enumerate(values))
    if step == 0:
        return None
    count = (end - start) // step + 1
    if count <= 0:
        return None
    if count > _MAX_RANGE_LENGTH:
        raise _FunctionError(None, "Expression evaluation memory limit exceeded")
    return _utils.Utils.create_sequence_from_iter(range(start, start + count * step, step))


def _fn_hash(*args: Any) -> Any:
    """``$hash(string, algorithm)``: lower-case hex digest of the UTF-8 bytes."""
    data, algorithm = _args(args, 2, "hash")
    if data is UNDEFINED or algorithm is UNDEFINED:
        return None
    if not isinstance(data, str):
        raise _signature_error(1, "hash")
    if not isinstance(algorithm, str):
        raise _signature_error(2, "hash")
    digest = _HASH_ALGORITHMS.get(algorithm)
    if digest is None:
        raise _FunctionError(
            None, f"Unsupported hash algorithm '{algorithm}'. Supported: {', '.join(_HASH_ALGORITHMS)}"
        )
    return digest(data.encode("utf-8")).hexdigest()


def _fn_random(*args: Any) -> Any:
    """``$random([seed])``: 0 <= n < 1; the same integer seed gives the same number."""
    (seed,) = _args(args, 1, "random")
    if seed is UNDEFINED:
        return random.random()
    return random.Random(_integer(seed, 1, "random")).random()


def _fn_uuid(*args: Any) -> Any:
    """``$uuid()``: a random version 4 UUID."""
    _args(args, 0, "uuid")
    return str(uuid.uuid4())


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON literal {name}")


def _fn_parse(*args: Any) -> Any:
    """``$parse(jsonString)``: the JSON value the string holds (AWS's replacement for ``$eval``)."""
    (text,) = _args(args, 1, "parse")
    if text is UNDEFINED:
        return None
    if not isinstance(text, str):
        raise _signature_error(1, "parse")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise _FunctionError(None, f"Unable to parse JSON string: {exc}") from None
    return _to_library(value)


def _lambda(function: Callable[..., Any]) -> Any:
    return _lib.Jsonata.JLambda(function)


# Bound in each compiled expression's own frame, so they shadow the library's
# $random and never leak into other users of the library in this process.
_AWS_FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    "partition": _fn_partition,
    "range": _fn_range,
    "hash": _fn_hash,
    "random": _fn_random,
    "uuid": _fn_uuid,
    "parse": _fn_parse,
}


# --------------------------------------------------------------------------- budget


class _GuardTripped(_jexception.JException):  # type: ignore[misc]
    """Raised inside the evaluator when the budget or the depth limit is exceeded."""

    def __init__(self, detail: str) -> None:
        super().__init__("D1012", -1)
        self.detail = detail


_cpu_clock: Callable[[], float] = time.monotonic
"""What the evaluation budget is measured with. The budget guards the engine
against runaway expressions (a CPU-time guard, as jsonata-java's Timebox), so
it is real time, not the execution's clock, which measures ASL time."""


class _Guard:
    """Per-evaluation deadline and depth counter, hooked into the evaluator.

    The library calls the ``__evaluate_entry``/``__evaluate_exit`` bindings
    around every node it evaluates (the hook its own ``Timebox`` uses). The
    library's ``Timebox`` cannot be used as is: it measures from compile time,
    not from each evaluation.
    """

    __slots__ = ("deadline", "depth")

    def __init__(self, budget_seconds: float) -> None:
        self.deadline = _cpu_clock() + budget_seconds
        self.depth = 0

    def _check(self) -> None:
        if self.depth > MAX_DEPTH:
            raise _GuardTripped(
                "Stack overflow error: Check for non-terminating recursive function.  "
                f"Consider rewriting as tail-recursive. Depth={self.depth} max={MAX_DEPTH}"
            )
        if _cpu_clock() > self.deadline:
            raise _GuardTripped(_TIMEOUT_TEXT)

    def entry(self, _expr: Any, _input: Any, env: Any) -> None:
        if env.is_parallel_call:  # as the library's Timebox: parallel argument evaluation
            return
        self.depth += 1
        self._check()

    def exit(self, _expr: Any, _input: Any, env: Any, _result: Any) -> None:
        if env.is_parallel_call:
            return
        self.depth -= 1
        self._check()


# --------------------------------------------------------------------------- fast evaluator
#
# The library walks the AST on every evaluation: per node it dispatches on the
# node type with string comparisons, looks the two guard hooks up through the
# frame chain, calls them, and saves/restores its per-thread state. That walk
# is ~90% of a JSONata state's cost (docs/performance.md). For expressions made
# only of the node kinds below, the AST is compiled once more, into Python
# closures that perform *the library's own steps* on *the library's own values*
# (``JList`` sequences, ``NULL_VALUE``, ``Functions.lookup``/``append``, its
# comparison/arithmetic/boolean methods, its native functions), in the same
# order, minus the dispatch and the hooks. Anything the closures are not sure
# of -- an unknown variable (a function, or a user variable shadowing one), an
# argument that needs the signature's coercions, any exception at all --
# raises :class:`_Fallback`, and the expression is evaluated again by the
# library from scratch (expressions are pure; only ``$now``/``$millis``, which
# read the library's per-evaluation timestamp, are never compiled).
#
# Compiled: string/number/true/false/null literals; ``$name`` variables; paths
# whose first step is a variable, a name or a function call and whose other
# steps are names; ``[...]`` and ``{...}`` constructors; ``-x``; binary
# operators except ``..``; ``? :``; parenthesised blocks; function calls of the
# library's and AWS's functions. Not compiled (the library runs them):
# predicates ``[...]`` on steps, grouping, ``^()``, ``@``/``#``, ``%``,
# ``*``/``**``, lambdas, ``:=``, ``~>``, regexes, transforms, ranges.
#
# Guards: no compiled expression can recurse (no lambdas), so nesting is the
# AST's; only ASTs at most _FAST_MAX_DEPTH deep are compiled, far below
# MAX_DEPTH, so the depth refusal never differs. The time budget is checked in
# the one loop whose length depends on the data (a path step over a sequence),
# every _FAST_CHECK_EVERY items.

_FAST_MAX_DEPTH: Final = 40
_FAST_CHECK_EVERY: Final = 256
_FAST_DENIED: Final = frozenset({"now", "millis", "eval"})  # read the library's evaluation timestamp / re-enter it
_JList: Final[Any] = _utils.Utils.JList
_NONE: Final[Any] = _utils.Utils.NONE
_Functions: Final[Any] = _functions.Functions
_boolize: Final[Callable[[Any], bool]] = _lib.Jsonata.boolize
_SYMBOLS: Final[dict[type, str]] = {str: "s", bool: "b", int: "n", float: "n", dict: "o", list: "a", _JList: "a"}

_FastNode = Callable[[Any, dict[str, Any], "_Deadline"], Any]


class _Fallback(Exception):
    """The fast evaluator declines; the library evaluates the expression instead."""


class _Unsupported(Exception):
    """An AST the fast evaluator does not compile."""


class _Deadline:
    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at

    def check(self) -> None:
        if _cpu_clock() > self.at:
            raise _GuardTripped(_TIMEOUT_TEXT)


def _mangle(result: Any) -> Any:
    """The end of the library's ``_eval``: a sequence of one is its item, an empty one undefined."""
    if result is not None and isinstance(result, _JList) and result.sequence and not result.tuple_stream:
        if not result:
            return None
        if len(result) == 1:
            return result if result.keep_singleton else result[0]
    return result


def _symbol(value: Any) -> str:
    """The library's ``Signature.get_symbol``, with a shortcut for JSON values."""
    if value is None:
        return "m"
    symbol = _SYMBOLS.get(type(value))
    if symbol is None:
        symbol = _signature.Signature.get_symbol(None, value)
    return symbol


_PASS_THROUGH: dict[tuple[int, str], tuple[tuple[int, str], ...] | None] = {}
"""(id of a signature, supplied symbols) -> the array arguments whose item type
must be checked, or None when the signature would transform the arguments."""
_SIGNATURES_SEEN: list[Any] = []  # keeps the signatures whose id() is a key alive


def _pass_through(signature: Any, supplied: str) -> tuple[tuple[int, str], ...] | None:
    """Whether ``Signature.validate`` returns the arguments unchanged for *supplied*.

    Replays the library's walk over the regex groups: unchanged means every
    parameter matched at least one argument and no array parameter received
    a non-array (which it would wrap) or a missing value.
    """
    key = (id(signature), supplied)
    try:
        return _PASS_THROUGH[key]
    except KeyError:
        pass
    plan: tuple[tuple[int, str], ...] | None = None
    match = signature._regex.fullmatch(supplied)
    if match is not None:
        checks: list[tuple[int, str]] = []
        arg_index = 0
        ok = True
        for index, param in enumerate(signature._params):
            group = match.group(index + 1)
            if not group:
                ok = False
                break
            for single in group:
                if param.type == "a":
                    if single != "a":
                        ok = False
                        break
                    if param.subtype is not None:
                        checks.append((arg_index, str(param.subtype[0])))
                arg_index += 1
            if not ok:
                break
        if ok and arg_index == len(supplied):
            plan = tuple(checks)
    if len(_PASS_THROUGH) < 4096:
        _SIGNATURES_SEEN.append(signature)
        _PASS_THROUGH[key] = plan
    return plan


def _validated(function: Any, args: list[Any]) -> list[Any]:
    """The arguments as the library's signature check passes them, or :class:`_Fallback`."""
    signature = getattr(function, "signature", None)
    if signature is None:
        return args
    supplied = "".join([_symbol(arg) for arg in args])
    if "f" in supplied:
        raise _Fallback
    plan = _pass_through(signature, supplied)
    if plan is None:
        raise _Fallback
    for arg_index, item_type in plan:
        items = args[arg_index]
        for item in items:
            if _symbol(item) != item_type:
                raise _Fallback
    return args


def _plain(node: Any) -> bool:
    """No predicate, grouping, sorting stage, focus/index binding or [] on the node."""
    return not (
        getattr(node, "predicate", None)
        or getattr(node, "group", None) is not None
        or getattr(node, "stages", None)
        or getattr(node, "focus", None) is not None
        or getattr(node, "index", None) is not None
        or getattr(node, "tuple", None) is not None
        or getattr(node, "ancestor", None) is not None
        or getattr(node, "keep_array", False)
        or getattr(node, "keep_singleton_array", False)
    )


def _fast_compile(node: Any, library: Any, depth: int = 1) -> _FastNode:
    """Closures for *node* (see the section comment); :class:`_Unsupported` otherwise."""
    if depth > _FAST_MAX_DEPTH or not isinstance(node, _parser.Parser.Symbol) or not _plain(node):
        raise _Unsupported
    kind = node.type
    if kind in ("string", "number", "value"):
        return _fast_literal(node)
    if kind == "variable":
        return _fast_variable(node)
    build = _FAST_BUILDERS.get(kind)
    if build is None:
        raise _Unsupported
    return build(node, library, depth)


def _fast_literal(node: Any) -> _FastNode:
    value = node.value if node.value is not None else _NULL

    def literal(_input: Any, _scope: dict[str, Any], _deadline: _Deadline) -> Any:
        return value

    return literal


def _fast_variable(node: Any) -> _FastNode:
    name = node.value
    if not isinstance(name, str) or not name:  # "$" (the context) and "$$" stay with the library
        raise _Unsupported
    if name == "$":
        raise _Unsupported

    def variable(_input: Any, scope: dict[str, Any], _deadline: _Deadline) -> Any:
        value = scope.get(name, _NONE)
        if value is _NONE:  # a function, or nothing: the library knows
            raise _Fallback
        return _mangle(value)

    return variable


def _fast_name(node: Any) -> _FastNode:
    key = str(node.value)
    lookup = _Functions.lookup

    def name(input: Any, _scope: dict[str, Any], _deadline: _Deadline) -> Any:
        if type(input) is dict:  # Functions.lookup, inlined for an object
            result = input.get(key, _NONE)
            if result is None:
                return _NULL
            if result is _NONE:
                return None
            return _mangle(result)
        return _mangle(lookup(input, key))

    return name


def _fast_step(step: _FastNode, sequence: Any, scope: dict[str, Any], deadline: _Deadline, last: bool) -> Any:
    """The library's ``evaluate_step`` for a step without stages."""
    result = _JList()
    result.sequence = True
    count = 0
    for item in sequence:
        count += 1
        if count % _FAST_CHECK_EVERY == 0:
            deadline.check()
        value = step(item, scope, deadline)
        if value is not None:
            result.append(value)
    if last and len(result) == 1 and isinstance(result[0], list) and not _utils.Utils.is_sequence(result[0]):
        return result[0]
    flat = _JList()
    flat.sequence = True
    for value in result:
        if not isinstance(value, list) or (isinstance(value, _JList) and value.cons):
            flat.append(value)
        else:
            flat.extend(value)
    return flat


def _fast_path(node: Any, library: Any, depth: int) -> _FastNode:
    steps_ast = node.steps
    if not steps_ast:
        raise _Unsupported
    steps: list[_FastNode] = []
    for index, step in enumerate(steps_ast):
        if not _plain(step) or getattr(step, "consarray", False):
            raise _Unsupported
        if step.type == "name":
            steps.append(_fast_name(step))
        elif index == 0 and step.type in ("variable", "function"):
            steps.append(_fast_compile(step, library, depth + 1))
        else:
            raise _Unsupported
    first_is_variable = steps_ast[0].type == "variable"
    last_index = len(steps) - 1
    compiled_steps = tuple(enumerate(steps))

    def path(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
        start = 0
        if input is None:
            # While the path holds one value that is not an array, evaluate_step's
            # sequence of one and its flattening are that value: walk it directly.
            current: Any = None
            for index, step in compiled_steps:
                value = step(current, scope, deadline)
                if value is None:
                    return None
                if isinstance(value, list) and not (isinstance(value, _JList) and value.cons):
                    if index == last_index and not (isinstance(value, _JList) and value.sequence):
                        return value
                    sequence = _JList(value)  # several values: evaluate_step's flattening
                    sequence.sequence = True
                    start = index + 1
                    break
                current = value
            else:
                return current
            if start > last_index:
                return _mangle(sequence)
        if start == 0:
            if isinstance(input, list) and not first_is_variable:
                sequence = input
            else:
                sequence = _utils.Utils.create_sequence(input)
        result = None
        for index, step in compiled_steps[start:]:
            result = _fast_step(step, sequence, scope, deadline, index == last_index)
            if result is None or not result:
                break
            sequence = result
        return _mangle(result)

    if first_is_variable and len(steps_ast) > 1 and all(step.type == "name" for step in steps_ast[1:]):
        return _fast_object_path(str(steps_ast[0].value), tuple(str(step.value) for step in steps_ast[1:]), path)
    return path


def _fast_object_path(variable: str, keys: tuple[str, ...], general: _FastNode) -> _FastNode:
    """``$var.a.b`` (``$states.input.value``, most paths in a state), read by
    plain lookups while every step is an object; anything else (an array on
    the way, a value that is not an object, a path in a function's context)
    goes through ``general``, the path compiled as the library evaluates it."""

    def object_path(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
        if input is not None:
            return general(input, scope, deadline)
        value = scope.get(variable, _NONE)
        for key in keys:
            if type(value) is not dict:
                return general(input, scope, deadline)
            value = value.get(key, _NONE)
            if value is _NONE:
                return None  # undefined
        if value is None:
            return _NULL  # JSON null
        if isinstance(value, list):
            return general(input, scope, deadline)
        return value

    return object_path


def _fast_binary(node: Any, library: Any, depth: int) -> _FastNode:
    op = str(node.value)
    lhs = _fast_compile(node.lhs, library, depth + 1)
    rhs = _fast_compile(node.rhs, library, depth + 1)
    if op == "and":

        def conjunction(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
            return _boolize(lhs(input, scope, deadline)) and _boolize(rhs(input, scope, deadline))

        return conjunction
    if op == "or":

        def disjunction(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
            return _boolize(lhs(input, scope, deadline)) or _boolize(rhs(input, scope, deadline))

        return disjunction
    operation: Callable[[Any, Any], Any]
    if op in ("+", "-", "*", "/", "%"):
        numeric = library.evaluate_numeric_expression
        operation = lambda a, b: numeric(a, b, op)  # noqa: E731
    elif op in ("=", "!="):
        equality = library.evaluate_equality_expression
        operation = lambda a, b: equality(a, b, op)  # noqa: E731
    elif op in ("<", "<=", ">", ">="):
        comparison = library.evaluate_comparison_expression
        operation = lambda a, b: comparison(a, b, op)  # noqa: E731
    elif op == "&":
        operation = library.evaluate_string_concat
    elif op == "in":
        operation = library.evaluate_includes_expression
    else:
        raise _Unsupported

    def binary(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
        left = lhs(input, scope, deadline)
        return _mangle(operation(left, rhs(input, scope, deadline)))

    return binary


def _fast_unary(node: Any, library: Any, depth: int) -> _FastNode:
    op = str(node.value)
    if op == "-":
        operand = _fast_compile(node.expression, library, depth + 1)

        def negation(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
            value = operand(input, scope, deadline)
            if value is None:
                return None
            if not _utils.Utils.is_numeric(value):
                raise _Fallback
            return _utils.Utils.convert_number(-float(value))

        return negation
    if op == "[":
        items = tuple(
            (_fast_compile(item, library, depth + 1), str(item.value) == "[") for item in node.expressions
        )
        cons = bool(node.consarray)

        def array(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
            result = _JList()
            for item, nested in items:
                value = item(input, scope, deadline)
                if value is not None:
                    if nested or not isinstance(value, list):
                        result.append(value)
                    else:  # Functions.append, in place: an array value is spliced in
                        result.extend(value)
            if cons:
                if not isinstance(result, _JList):
                    result = _JList(result)
                result.cons = True
            return result

        return array
    if op == "{":
        pairs = tuple(
            (_fast_compile(key, library, depth + 1), _fast_compile(value, library, depth + 1))
            for key, value in node.lhs_object
        )

        literal_keys = [key.value for key, _ in node.lhs_object if key.type == "string" and _plain(key)]
        if len(literal_keys) == len(pairs) and len(set(literal_keys)) == len(pairs):
            # Distinct string keys: the grouping is the pairs in order, known now.
            members = tuple((key, value) for key, (_, value) in zip(literal_keys, pairs))

            def literal_constructor(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
                if input is not None:
                    raise _Fallback
                result: dict[str, Any] = {}
                for key, value_node in members:
                    value = value_node(None, scope, deadline)
                    if value is not None:
                        result[key] = value
                return result

            return literal_constructor

        def constructor(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
            # evaluate_group_expression for one item (the compiled subset only
            # ever evaluates a constructor against the absent context)
            if input is not None:
                raise _Fallback
            groups: dict[str, int] = {}
            for index, (key_node, _) in enumerate(pairs):
                key = key_node(None, scope, deadline)
                if key is None:
                    continue
                if not isinstance(key, str) or key in groups:  # T1003, D1009
                    raise _Fallback
                groups[key] = index
            result: dict[str, Any] = {}
            for key, index in groups.items():
                value = pairs[index][1](None, scope, deadline)
                if value is not None:
                    result[key] = value
            return result

        return constructor
    raise _Unsupported


def _fast_condition(node: Any, library: Any, depth: int) -> _FastNode:
    condition = _fast_compile(node.condition, library, depth + 1)
    then = _fast_compile(node.then, library, depth + 1)
    otherwise = _fast_compile(node._else, library, depth + 1) if node._else is not None else None

    def ternary(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
        if _boolize(condition(input, scope, deadline)):
            return _mangle(then(input, scope, deadline))
        if otherwise is not None:
            return _mangle(otherwise(input, scope, deadline))
        return None

    return ternary


def _fast_block(node: Any, library: Any, depth: int) -> _FastNode:
    expressions = tuple(_fast_compile(child, library, depth + 1) for child in node.expressions or ())

    def block(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
        result = None
        for expression in expressions:
            result = expression(input, scope, deadline)
        return _mangle(result)

    return block


def _fast_function(node: Any, library: Any, depth: int) -> _FastNode:
    procedure = node.procedure
    if getattr(procedure, "type", None) != "variable" or not _plain(procedure):
        raise _Unsupported
    name = procedure.value
    if not isinstance(name, str) or not name or name in _FAST_DENIED:
        raise _Unsupported
    function = library.environment.lookup(name)
    if isinstance(function, _lib.Jsonata.JLambda):
        call = function.function

        def invoke(args: list[Any]) -> Any:
            return call(*args)

    elif isinstance(function, _lib.Jsonata.JNativeFunction) and function.method is _Functions.merge and len(node.arguments or ()) == 1:
        invoke = _merge  # the common "$merge([$states.input, {...}])": its one case, without the signature's walk

    elif isinstance(function, _lib.Jsonata.JNativeFunction) and function.method is not None:
        native, nargs, call_native = function.method, function.nargs, _Functions._call

        def invoke(args: list[Any]) -> Any:
            return call_native(native, nargs, _validated(function, args))

    else:
        raise _Unsupported
    arguments = tuple(_fast_compile(argument, library, depth + 1) for argument in node.arguments or ())

    def apply(input: Any, scope: dict[str, Any], deadline: _Deadline) -> Any:
        if name in scope:  # a variable of the same name shadows the function
            raise _Fallback
        return _mangle(invoke([argument(input, scope, deadline) for argument in arguments]))

    return apply


def _merge(args: list[Any]) -> Any:
    """``$merge(array)``: what the library's merge does for an array of objects
    (later members win); anything else (undefined, one object, which the
    signature wraps, a non-object member, which it refuses) is the library's."""
    objects = args[0]
    if type(objects) is not _JList and type(objects) is not list:
        raise _Fallback
    merged: dict[str, Any] = {}
    for item in objects:
        if type(item) is not dict:
            raise _Fallback
        merged.update(item)
    return merged


# The node kinds whose closures are built from their children (literals and
# variables are leaves, handled first).
_FAST_BUILDERS: Final[dict[str, Callable[[Any, Any, int], _FastNode]]] = {
    "path": _fast_path,
    "binary": _fast_binary,
    "unary": _fast_unary,
    "condition": _fast_condition,
    "block": _fast_block,
    "function": _fast_function,
}


def _fast_evaluator(compiled: Any) -> _FastNode | None:
    """The compiled closures for a library expression, or None when the library must run it."""
    try:
        return _fast_compile(compiled.ast, compiled)
    except _Unsupported:
        return None
    except RecursionError:
        return None


# --------------------------------------------------------------------------- expressions


def _variables(node: Any, seen: set[int]) -> Iterator[str]:
    """Names of every ``$variable`` in a parsed expression (AST walk)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, _parser.Parser.Symbol):
        if getattr(node, "type", None) == "variable" and isinstance(node.value, str):
            yield node.value
        for key, child in vars(node).items():
            if key != "_outer_instance":
                yield from _variables(child, seen)
    elif isinstance(node, (list, tuple)):
        for child in node:
            yield from _variables(child, seen)
    elif isinstance(node, dict):
        for child in node.values():
            yield from _variables(child, seen)


class _Bounded(_lib.Jsonata):  # type: ignore[misc]
    """The library's evaluator with the range operator bounded (module docstring:
    memory guards), and quiet when an expression invokes a non-function."""

    def evaluate_range_expression(self, lhs: Any, rhs: Any) -> Any:
        if _is_int(lhs) and _is_int(rhs) and rhs - lhs + 1 > _MAX_RANGE_LENGTH:
            raise _jexception.JException("D2014", -1, rhs - lhs + 1)
        return super().evaluate_range_expression(lhs, rhs)

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        # Invoking a non-function (``$states.input.a(1)``): the library prints
        # "Proc not found ..." to stdout before its T1006, which would corrupt
        # the JSON ``asl run`` prints there. Raise the T1006 without the print.
        if not (_functions.Functions.is_lambda(proc) or _functions.Functions.is_regex(proc)
                or isinstance(proc, (_lib.Jsonata.JFunction, _lib.Jsonata.JLambda))):
            raise _jexception.JException("T1006", 0)
        return super().apply_inner(proc, args, input, environment)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Sorting:
    """``$sort`` (signature ``<af?:a>``, as the library's) with a budget-checked merge sort."""

    @staticmethod
    def sort(array: Any, comparator: Any) -> Any:
        if array is None:
            return None
        if len(array) <= 1:
            return array
        if comparator is None:
            return sorted(array)  # one C call, no node entered (module docstring: limitation)
        function = _lib.Jsonata.JLambda(comparator) if callable(comparator) else comparator

        def after(first: Any, second: Any) -> bool:
            answer = _functions.Functions.func_apply(function, [first, second])
            return answer if isinstance(answer, bool) else int(answer) > 0

        return _merge_sort(list(array), after)


def _merge_sort(items: list[Any], after: Callable[[Any, Any], bool]) -> list[Any]:
    """Stable bottom-up merge sort: ``after(a, b)`` true puts ``b`` first (jsonata-js's rule)."""
    width = 1
    while width < len(items):
        merged: list[Any] = []
        for low in range(0, len(items), 2 * width):
            left, right = items[low : low + width], items[low + width : low + 2 * width]
            i = j = 0
            while i < len(left) and j < len(right):
                if after(left[i], right[j]):
                    merged.append(right[j])
                    j += 1
                else:
                    merged.append(left[i])
                    i += 1
            merged.extend(left[i:])
            merged.extend(right[j:])
        items = merged
        width *= 2
    return items


_SORT: Final[Any] = _lib.Jsonata.function("sort", "<af?:a>", _Sorting, "sort")


def _compile_library(source: str) -> Any:
    """Parse *source* with the library; every failure becomes :class:`JsonataSyntaxError`."""
    try:
        compiled = _Bounded(source)
    except _jexception.JException as exc:
        raise JsonataSyntaxError(source, str(exc), code=exc.error, position=exc.location) from None
    except RecursionError:
        raise JsonataSyntaxError(source, "the expression is nested too deeply") from None
    except Exception as exc:  # the parser's own bugs: still a bad expression for the user
        raise JsonataSyntaxError(source, f"{type(exc).__name__}: {exc}") from None
    compiled.set_output_convert_nulls(False)  # keep JSON null and undefined apart
    for name, function in _AWS_FUNCTIONS.items():
        compiled.register_function(name, _lambda(function))
    compiled.register_function("sort", _SORT)
    return compiled


class Expression(_ExpressionBase):
    """A compiled ``{% ... %}`` expression; immutable, shareable across threads.

    ``text`` is the string as written (with delimiters), ``source`` the
    expression as AWS quotes it in causes.
    """

    __slots__ = ("text", "source", "_compiled", "_local", "_fast", "reads_context")

    def __init__(self, text: str, source: str, compiled: Any) -> None:
        self.text = text
        self.source = source
        self.reads_context = reads_context(text)
        self._local = threading.local()
        self._fast = _fast_evaluator(compiled)
        # The library's parse tree (~45 KB of node objects) is kept only for an
        # expression the fast evaluator does not compile; for one it does, it
        # is parsed again on its first fallback (``_library``). Keeping it cost
        # locality: a JSONata chain of 1,000 states ran its expressions at
        # half their speed alone (each one's closures spread among its nodes).
        self._compiled: Any = compiled if self._fast is None else None

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def syntax_tree(self) -> Any:
        """The library's parse tree of the expression (for the validator's
        checks): the kept one, else parsed again (and not kept)."""
        compiled = self._compiled
        return (compiled if compiled is not None else _compile_library(self.source)).ast

    def _library(self) -> Any:
        """The library's compiled expression (parsed again when it was not kept;
        it parsed once, so it parses again; two threads may both parse it)."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile_library(self.source)
        return compiled

    def _instance(self) -> Any:
        # The library evaluates on "the current instance of this thread"
        # (Jsonata.CURRENT, set by whichever expression was *constructed* last)
        # and reads $now()/$millis() from it. A private copy per thread, made
        # current before each evaluation, keeps threads and expressions apart.
        instance = getattr(self._local, "instance", None)
        if instance is None:
            instance = copy.copy(self._library())
            self._local.instance = instance
        return instance

    def evaluate(
        self, bindings: Mapping[str, Any], *, field: str, budget_seconds: float = DEFAULT_BUDGET_SECONDS
    ) -> Any:
        """The expression's value with *bindings* (variable name -> JSON value).

        Returns a fresh JSON value or :data:`UNDEFINED`. *field* names where
        the expression was written (``Output``, ``Arguments/FunctionName``...)
        for the error text. Raises ``StatesError`` (``States.QueryEvaluationError``)
        when evaluation fails, takes longer than *budget_seconds*, nests deeper
        than :data:`MAX_DEPTH`, or yields a function.
        """
        fast = self._fast
        if fast is not None:
            scope = {name: _NULL if value is None else value for name, value in bindings.items()}
            try:
                raw = fast(None, scope, _Deadline(_cpu_clock() + budget_seconds))
            except _GuardTripped as exc:
                raise evaluation_error(self.text, field, exc.detail) from None
            except Exception:  # _Fallback, or an error whose exact text the library gives
                pass
            else:
                return self._result(raw, field)
        return self._evaluate_library(bindings, field, budget_seconds)

    def _evaluate_library(self, bindings: Mapping[str, Any], field: str, budget_seconds: float) -> Any:
        """:meth:`evaluate` by the library's evaluator, with the budget/depth guard."""
        frame: dict[str, Any] = {name: _to_library(value) for name, value in bindings.items()}
        guard = _Guard(budget_seconds)
        frame["__evaluate_entry"] = guard.entry
        frame["__evaluate_exit"] = guard.exit
        instance = self._instance()
        _lib.Jsonata.CURRENT.jsonata = instance
        try:
            raw = instance.evaluate(None, frame)  # no context value: AWS has no top-level input
        except (_GuardTripped, _FunctionError) as exc:
            raise evaluation_error(self.text, field, exc.detail) from None
        except _jexception.JException as exc:
            raise evaluation_error(self.text, field, f"{exc.error}: {exc}") from None
        except RecursionError:
            raise evaluation_error(
                self.text, field, "Stack overflow error: Check for non-terminating recursive function."
            ) from None
        except ZeroDivisionError:
            # jsonata-java yields Infinity here; the library cannot, so report
            # what jsonata does with a non-finite number it cannot carry.
            raise evaluation_error(self.text, field, "D1001: Number out of range: Infinity") from None
        except Exception as exc:  # any other library failure is still a failed expression
            raise evaluation_error(self.text, field, f"{type(exc).__name__}: {exc}") from None
        return self._result(raw, field)

    def _result(self, raw: Any, field: str) -> Any:
        """The library's result as a JSON value (``None`` is undefined; a function is not JSON)."""
        if raw is None:
            return UNDEFINED
        try:
            return _from_library(raw)
        except _NotJson:
            raise unsupported_result_error(self.text, field) from None
        except _NotText:
            raise evaluation_error(self.text, field, f"The result {SURROGATE}") from None


def compile_expression(text: str) -> Expression:
    """Compile ``"{% expression %}"``; see :func:`_compile_expression`.

    Compiled expressions are immutable, so the same text compiles once per
    process (the validator and the builder both compile what they read).
    """
    return _compile_expression(text)


@functools.lru_cache(maxsize=4096)
def _compile_expression(text: str) -> Expression:
    """Compile ``"{% expression %}"`` (delimiters included); call once, at load time.

    Raises :class:`JsonataSyntaxError` when *text* is not delimited, is
    empty, does not parse, or uses ``$eval`` (not available on Step Functions).
    """
    if not is_expression(text):
        raise JsonataSyntaxError(text, "a JSONata expression must be a string that starts with '{%' and ends with '%}'")
    source = expression_source(text)
    if not source:
        raise JsonataSyntaxError(source, "the expression is empty")
    compiled = _compile_library(source)
    if "eval" in set(_variables(compiled.ast, set())):
        raise JsonataSyntaxError(
            source, "the function $eval is not supported by Step Functions; use $parse to read a JSON string"
        )
    return Expression(text, source, compiled)


# --------------------------------------------------------------------------- templates


class Template(_TemplateBase):
    """A JSON value whose strings may be ``{% %}`` expressions at any depth.

    AWS's "JSONata in JSON templates": ``Arguments``, ``Output``, ``Assign``,
    ``Items``... Strings that are not expressions (even ``" {% x %} "`` with
    spaces) are literals. Immutable, shareable across threads.
    """

    __slots__ = ("value", "expressions", "_node", "reads_context")

    def __init__(self, value: Any, node: Any, expressions: tuple[Expression, ...]) -> None:
        self.value = value
        self.expressions = expressions
        self.reads_context = any(expression.reads_context for expression in expressions)
        self._node = node

    def __repr__(self) -> str:
        return f"Template({self.value!r})"

    @property
    def is_constant(self) -> bool:
        """True when no expression is involved (the value is used as written)."""
        return not self.expressions

    def evaluate(
        self, bindings: Mapping[str, Any], *, field: str, budget_seconds: float = DEFAULT_BUDGET_SECONDS
    ) -> Any:
        """A fresh JSON value: every expression replaced by its value.

        *field* names the template (``Output``, ``Assign``...); an expression
        inside it is named ``field/key`` for an object member and
        ``field[i]`` for an array element, as in ``Output/result`` or
        ``Arguments/FunctionName``. An expression that yields nothing, at any
        depth, fails with AWS's "returned nothing (undefined)" error (recorded
        for ``Output``, ``Output/result``, ``Arguments/FunctionName``,
        ``Assign/result``); other failures are :meth:`Expression.evaluate`'s.
        """
        return _evaluate_node(self._node, bindings, field, budget_seconds)


_CONST, _EXPR, _OBJECT, _ARRAY = 0, 1, 2, 3


def _evaluate_node(node: tuple[int, Any], bindings: Mapping[str, Any], field: str, budget: float) -> Any:
    kind, payload = node
    if kind == _CONST:
        return copy_json(payload)
    if kind == _EXPR:
        value = payload.evaluate(bindings, field=field, budget_seconds=budget)
        if value is UNDEFINED:
            raise undefined_error(payload.text, field)
        return value
    if kind == _OBJECT:
        return {key: _evaluate_node(child, bindings, f"{field}/{key}", budget) for key, child in payload}
    return [_evaluate_node(child, bindings, f"{field}[{i}]", budget) for i, child in enumerate(payload)]


def _compile_node(value: Any, location: str, found: list[Expression]) -> tuple[int, Any]:
    if is_expression(value):
        try:
            expression = compile_expression(value)
        except JsonataSyntaxError as exc:
            raise exc.at(location) from None
        found.append(expression)
        return (_EXPR, expression)
    if isinstance(value, dict):
        members = tuple((key, _compile_node(child, f"{location}/{key}", found)) for key, child in value.items())
        if all(child[0] == _CONST for _, child in members):
            return (_CONST, copy_json(value))
        return (_OBJECT, members)
    if isinstance(value, list):
        items = tuple(_compile_node(child, f"{location}/{i}", found) for i, child in enumerate(value))
        if all(child[0] == _CONST for child in items):
            return (_CONST, copy_json(value))
        return (_ARRAY, items)
    return (_CONST, value)


def template(value: Any) -> Template:
    """Compile a JSON template (once, at load time).

    Raises :class:`JsonataSyntaxError` for the first bad expression, with
    ``location`` telling where it sits inside *value*.
    """
    found: list[Expression] = []
    node = _compile_node(value, "", found)
    return Template(value, node, tuple(found))
