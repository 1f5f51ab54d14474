"""Numeric fields that may be a literal, a ``...Path`` or a JSONata expression.

One table (``NUMBER_FIELDS``) says, for every such field, how AWS reads the
value a path or an expression yields and what it answers when the value is
not acceptable; one resolver (``Resolver.number``, mixed into the
interpreter) applies it. A literal was checked at load time and is returned
as it is.

AWS's wording differs per field (AWS-recorded where the conformance corpus
has a case; the rest follows the recorded pattern of its family):

* ``TimeoutSecondsPath`` / ``HeartbeatSecondsPath``: a positive JSON integer
  ("... which is not a valid positive integer: $.path");
* ``MaxConcurrencyPath`` / ``ToleratedFailureCountPath``: an integer, also
  written as a string ("5"), not negative ("MaxConcurrency cannot be
  negative.");
* ``ToleratedFailurePercentagePath``: a number (or numeric string) in 0..100;
* ``SecondsPath`` (Wait): a non-negative integral number, with the Wait
  state's own texts ("The SecondsPath parameter does not reference an
  input value: $.path");
* ``ReaderConfig.MaxItemsPath``: a non-negative integer, else
  ``States.ItemReaderFailed`` "field MaxItems must be positive";
* ``MaxItemsPerBatchPath`` / ``MaxInputBytesPerBatchPath``: read as integers
  (a value that is not one sets no limit; AWS's behaviour is not recorded).

In a JSONata state the expression's value must be a JSON number of the
field's kind (no strings), and a failure is ``States.QueryEvaluationError``
recorded as an ``EvaluationFailed`` event.
"""

from __future__ import annotations

from typing import Any, Callable

from ..model.records import record
from ..dataflow.json_values import as_float, as_integer, is_integral, is_number, render
from ..dataflow.jsonata import Expression
from ..dataflow.jsonpath import Env, PathNotFound
from ..errors import QUERY_EVALUATION_ERROR, STATES_RUNTIME, StatesError
from ..execution.frame import Frame
from .jsonata_flow import JsonataFlow

__all__ = ["NUMBER_FIELDS", "NumberField", "Resolver", "READER_FAILED"]

READER_FAILED = "States.ItemReaderFailed"


def _json_int(value: Any) -> int | None:
    """A JSON integer written as one (``2.0``, strings and booleans are not)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _integral(value: Any) -> int | None:
    """An integral JSON number (``2.0`` counts; strings and booleans do not)."""
    return int(value) if is_integral(value) else None


def _number(value: Any) -> float | None:
    return float(value) if is_number(value) else None


@record
class NumberField:
    """How one numeric field's path or expression value is read and checked.

    The message templates see ``{field}`` (the literal's name), ``{path}``
    (the path as written), ``{value}`` (the value as AWS prints it) and
    ``{number}``. ``not_found`` ``None`` means the common "Invalid path"
    text; ``invalid`` ``None`` means a value that is not a number sets no
    limit (``None``). A field whose ``error`` is not ``States.Runtime``
    fails with that error and these texts in JSONata states too (no
    ``EvaluationFailed``).
    """

    field: str
    read: Callable[[Any], int | float | None]
    minimum: float | None = None
    maximum: float | None = None
    not_found: str | None = None
    invalid: str | None = "The {field}Path field refers to value \"{value}\" which is not a valid integer: {path}"
    out_of_range: str = "{field} cannot be negative."
    error: str = STATES_RUNTIME
    # JSONata: what the expression must give, and its own checks.
    jsonata_read: Callable[[Any], int | float | None] = _integral
    jsonata_kind: str = "integer"
    jsonata_out_of_range: str = "The {field} field must be at least {minimum} but was: {number}"
    integer: bool = True


def _positive(field: str) -> NumberField:
    return NumberField(
        field, _json_int, minimum=1,
        invalid="The {field}Path field refers to value \"{value}\" which is not a valid positive integer: {path}",
        out_of_range="The {field}Path field refers to value \"{value}\" which is not a valid positive integer: {path}",
    )


def _count(field: str) -> NumberField:
    return NumberField(field, as_integer, minimum=0)


def _batch_limit(field: str) -> NumberField:
    return NumberField(field, as_integer, invalid=None, jsonata_read=as_integer)


NUMBER_FIELDS: dict[str, NumberField] = {
    "TimeoutSeconds": _positive("TimeoutSeconds"),
    "HeartbeatSeconds": _positive("HeartbeatSeconds"),
    "MaxConcurrency": _count("MaxConcurrency"),
    "ToleratedFailureCount": _count("ToleratedFailureCount"),
    "ToleratedFailurePercentage": NumberField(
        "ToleratedFailurePercentage", as_float, minimum=0, maximum=100,
        invalid="The {field}Path field refers to value \"{value}\" which is not a valid float: {path}",
        out_of_range="ToleratedFailurePercentage must be between 0 and 100.",
        jsonata_read=_number, jsonata_kind="number",
        jsonata_out_of_range="ToleratedFailurePercentage must be between 0 and 100.",
        integer=False,
    ),
    "Seconds": NumberField(
        "Seconds", _integral, minimum=0,
        not_found="The SecondsPath parameter does not reference an input value: {path}",
        invalid="The SecondsPath parameter cannot be parsed as a long value: {path} == {value}",
        out_of_range="The SecondsPath parameter references a negative value: {path} == {value}",
    ),
    "MaxItems": NumberField(
        "MaxItems", as_integer, minimum=0, invalid="field MaxItems must be positive",
        out_of_range="field MaxItems must be positive", error=READER_FAILED,
        jsonata_read=as_integer,
    ),
    "MaxItemsPerBatch": _batch_limit("MaxItemsPerBatch"),
    "MaxInputBytesPerBatch": _batch_limit("MaxInputBytesPerBatch"),
}
"""Every numeric field that may come from a path or an expression, by its literal's name."""


class Resolver(JsonataFlow):
    """The numeric-field resolver, a base of the interpreter (expressions are
    evaluated, and their failures recorded, by ``JsonataFlow``)."""

    def number(
        self,
        name: str,
        value: Any,
        data: Any,
        env: Env,
        frame: Frame,
        states_var: dict[str, Any] | None = None,
        location: str | None = None,
    ) -> Any:
        """The value of numeric field ``name`` (a key of ``NUMBER_FIELDS``):
        ``value`` as compiled (``None``, a literal, a path or an expression),
        ``data`` what a path reads, ``states_var`` the JSONata ``$states``.
        ``location`` names the field in JSONata errors (default: ``name``)."""
        if value is None or isinstance(value, (int, float)):
            return value
        spec = NUMBER_FIELDS[name]
        if isinstance(value, Expression):
            return self._from_expression(spec, value, frame, env, states_var or {}, location or name)
        return _from_path(spec, value, data, env)

    def _from_expression(
        self, spec: NumberField, expression: Expression, frame: Frame, env: Env, states_var: dict[str, Any], location: str
    ) -> int | float | None:
        result = self.jsonata_value(expression, frame, env, location, states_var)
        if result is None:
            return None
        own_error = spec.error != STATES_RUNTIME
        number = spec.jsonata_read(result)
        if number is None:
            if spec.invalid is None:
                return None
            if own_error:
                raise StatesError(spec.error, _text(spec.invalid, spec, "", result, None))
            raise self.jsonata_type_error(result, expression, frame, location, spec.jsonata_kind)
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            if own_error:
                raise StatesError(spec.error, _text(spec.out_of_range, spec, "", result, number))
            message = spec.jsonata_out_of_range.format(field=spec.field, minimum=_plain(spec.minimum), number=number)
            raise self.jsonata_failure(StatesError(QUERY_EVALUATION_ERROR, message), frame, location)
        return number


def _from_path(spec: NumberField, path: Any, data: Any, env: Env) -> int | float | None:
    try:
        raw = path.get(data, env)
    except PathNotFound as exc:
        if spec.not_found is not None:
            raise StatesError(spec.error, spec.not_found.format(path=path.text)) from None
        raise StatesError(STATES_RUNTIME, f"Invalid path '{path.text}' : {exc.message}") from None
    number = spec.read(raw)
    if number is None:
        if spec.invalid is None:
            return None
        raise StatesError(spec.error, _text(spec.invalid, spec, path.text, raw, None))
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        raise StatesError(spec.error, _text(spec.out_of_range, spec, path.text, raw, number))
    return int(number) if spec.integer else number


def _text(template: str, spec: NumberField, path: str, value: Any, number: Any) -> str:
    return template.format(field=spec.field, path=path, value=render(value), number=number)


def _plain(number: float | None) -> str:
    return str(int(number)) if number is not None and float(number).is_integer() else str(number)
