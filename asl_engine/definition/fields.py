"""The state fields, in one table: who has them, in which query language, how
they compile and which model attribute they fill.

Each row (a :class:`Field`) is one ASL field name. Two readers:

* the structure rule (``rules.structure``) derives the fields each state type
  may have (``STATE_FIELDS``) and the fields of one query language only
  (``JSONPATH_ONLY``, ``JSONATA_ONLY``); the Map rules derive the fields of
  ``ItemReader`` and ``ItemBatcher`` the same way;
* the builder (``builder``) compiles every field a state has with the
  compiler its :class:`Compile` names, and stores the result in the model
  attribute ``attribute``.

So a new state field is a row here, an attribute of the model, its value
checks in one rule module (when the compile kind's type checks are not
enough) and its meaning in the interpreter.

A field with ``Compile.STRUCTURE`` is compiled by the builder's own code
(``Retry``, ``Catch``, ``Choices``, ``Branches``, ``ItemProcessor``,
``ItemReader``...): the table only says where it is allowed.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from ..model.records import record

__all__ = [
    "COMMON_FIELDS",
    "Compile",
    "Field",
    "ITEM_BATCHER",
    "ITEM_READER",
    "JSONATA",
    "JSONPATH",
    "READER_CONFIG",
    "STATE",
    "STATE_TYPES",
    "allowed_fields",
    "fields_of",
    "single_language_fields",
]


class Compile(Enum):
    """How the builder compiles a field's value (see ``builder._COMPILERS``)."""

    LITERAL = "the value as written"
    NUMBER = "a literal number (an integral float is an int)"
    TIMESTAMP = "a literal RFC 3339 timestamp"
    TEXT = "a literal string (another JSON value as its JSON text)"
    TEXTS = "a literal array of strings"
    PATH = "InputPath/OutputPath: a JSONPath path; null discards, '$' is the whole input"
    REFERENCE_PATH = "a reference path (ResultPath): null discards"
    VALUE_PATH = "a JSONPath path read at run time (a '...Path' field)"
    VALUE_EXPRESSION = "a JSONPath path or an intrinsic function call"
    PAYLOAD_TEMPLATE = "a payload template ('.$' fields)"
    JSONATA_TEMPLATE = "a JSON value whose '{% %}' strings are JSONata expressions"
    JSONATA_VALUE = "a literal or a '{% %}' JSONata expression"
    JSONATA_NUMBER = "a literal number or a '{% %}' JSONata expression"
    STRUCTURE = "compiled by the builder's own code"


JSONPATH = "JSONPath"
JSONATA = "JSONata"

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
"""In the order AWS lists them in its error message."""


# eq=False: a row is itself (identity hash), so fields_of's cache, keyed by
# the table, hashes 48 pointers rather than every field of every row.
@record(eq=False)
class Field:
    """One field: its ``name``, the ``owners`` that have it (state types, or the
    name of the sub-object), how it compiles in a JSONPath and in a JSONata
    state (``None``: the field does not exist in that query language), the
    model ``attribute`` it fills (several fields may fill one attribute when
    they exclude each other, e.g. ``TimeoutSeconds``/``TimeoutSecondsPath``)
    and ``text_attribute``, an attribute that keeps the value as written."""

    name: str
    owners: frozenset[str]
    jsonpath: Compile | None
    jsonata: Compile | None
    attribute: str | None = None
    text_attribute: str | None = None

    def compile_kind(self, language: str) -> Compile | None:
        """How the field compiles in a state of query language ``language``."""
        return self.jsonata if language == JSONATA else self.jsonpath


def _owners(*names: str) -> frozenset[str]:
    return frozenset(names)


_ALL = _owners(*STATE_TYPES)
_ALL_BUT_FAIL = _ALL - {"Fail"}
_ASSIGNING = _ALL - {"Succeed", "Fail"}
_FLOWING = _owners("Task", "Wait", "Pass", "Parallel", "Map")  # Next/End
_RESULT = _owners("Task", "Pass", "Parallel", "Map")  # ResultPath, Parameters
_RETRYING = _owners("Task", "Parallel", "Map")  # Retry, Catch, ResultSelector
_TASK, _WAIT, _PASS, _FAIL = _owners("Task"), _owners("Wait"), _owners("Pass"), _owners("Fail")
_CHOICE, _PARALLEL, _MAP = _owners("Choice"), _owners("Parallel"), _owners("Map")

C = Compile


def _or_path(
    name: str, owners: frozenset[str], literal: Compile, attribute: str, path: Compile = C.VALUE_PATH, path_text: str | None = None
) -> tuple[Field, Field]:
    """A field given as a literal (or, in a JSONata state, an expression) or, in
    a JSONPath state, as ``<name>Path``: two rows that fill one attribute
    (``path_text``: an attribute that keeps the ``<name>Path`` text)."""
    jsonata = C.JSONATA_NUMBER if literal is C.NUMBER else C.JSONATA_VALUE
    return (
        Field(name, owners, literal, jsonata, attribute),
        Field(name + "Path", owners, path, None, attribute, path_text),
    )


STATE: tuple[Field, ...] = (
    # Every state.
    Field("Type", _ALL, C.STRUCTURE, C.STRUCTURE),
    Field("Comment", _ALL, C.STRUCTURE, C.STRUCTURE),
    Field("QueryLanguage", _ALL, C.STRUCTURE, C.STRUCTURE),
    # Transitions.
    Field("Next", _FLOWING, C.LITERAL, C.LITERAL, "next"),
    Field("End", _FLOWING, C.LITERAL, C.LITERAL, "end"),
    # Data flow, JSONPath.
    Field("InputPath", _ALL_BUT_FAIL, C.PATH, None, "input_path"),
    Field("OutputPath", _ALL_BUT_FAIL, C.PATH, None, "output_path"),
    Field("Parameters", _RESULT, C.PAYLOAD_TEMPLATE, None, "parameters"),
    Field("ResultSelector", _RETRYING, C.PAYLOAD_TEMPLATE, None, "result_selector"),
    Field("ResultPath", _RESULT, C.REFERENCE_PATH, None, "result_path"),
    # Data flow, JSONata.
    Field("Arguments", _owners("Task", "Parallel"), None, C.JSONATA_TEMPLATE, "parameters"),
    Field("Output", _ALL_BUT_FAIL, None, C.JSONATA_TEMPLATE, "output"),
    # Both.
    Field("Assign", _ASSIGNING, C.PAYLOAD_TEMPLATE, C.JSONATA_TEMPLATE, "assign"),
    Field("Retry", _RETRYING, C.STRUCTURE, C.STRUCTURE),
    Field("Catch", _RETRYING, C.STRUCTURE, C.STRUCTURE),
    # Pass.
    Field("Result", _PASS, C.LITERAL, None, "result"),
    # Task.
    Field("Resource", _TASK, C.LITERAL, C.LITERAL, "resource"),
    *_or_path("TimeoutSeconds", _TASK, C.NUMBER, "timeout_seconds"),
    *_or_path("HeartbeatSeconds", _TASK, C.NUMBER, "heartbeat_seconds"),
    Field("Credentials", _TASK, C.PAYLOAD_TEMPLATE, C.JSONATA_TEMPLATE, "credentials"),
    # Choice.
    Field("Choices", _CHOICE, C.STRUCTURE, C.STRUCTURE),
    Field("Default", _CHOICE, C.LITERAL, C.LITERAL, "default"),
    # Wait.
    *_or_path("Seconds", _WAIT, C.NUMBER, "seconds", path_text="seconds_path"),
    *_or_path("Timestamp", _WAIT, C.TIMESTAMP, "timestamp", path_text="timestamp_path"),
    # Fail.
    *_or_path("Error", _FAIL, C.LITERAL, "error", path=C.VALUE_EXPRESSION),
    *_or_path("Cause", _FAIL, C.LITERAL, "cause", path=C.VALUE_EXPRESSION),
    # Parallel.
    Field("Branches", _PARALLEL, C.STRUCTURE, C.STRUCTURE),
    # Map.
    Field("ItemProcessor", _MAP, C.STRUCTURE, C.STRUCTURE),
    Field("Iterator", _MAP, C.STRUCTURE, C.STRUCTURE),
    Field("ItemsPath", _MAP, C.VALUE_PATH, None, "items_path"),
    Field("Items", _MAP, None, C.JSONATA_TEMPLATE, "items_path"),
    Field("ItemSelector", _MAP, C.PAYLOAD_TEMPLATE, C.JSONATA_TEMPLATE, "parameters"),
    *_or_path("MaxConcurrency", _MAP, C.NUMBER, "max_concurrency"),
    *_or_path("ToleratedFailureCount", _MAP, C.NUMBER, "tolerated_failure_count"),
    *_or_path("ToleratedFailurePercentage", _MAP, C.NUMBER, "tolerated_failure_percentage"),
    Field("ItemReader", _MAP, C.STRUCTURE, C.STRUCTURE),
    Field("ItemBatcher", _MAP, C.STRUCTURE, C.STRUCTURE),
    Field("ResultWriter", _MAP, C.STRUCTURE, C.STRUCTURE),
    Field("Label", _MAP, C.LITERAL, C.LITERAL, "label"),
)
"""The fields of the states (``owners``: state types)."""

_READER, _BATCHER, _CONFIG = _owners("ItemReader"), _owners("ItemBatcher"), _owners("ReaderConfig")
_WRITER, _WRITER_CONFIG = _owners("ResultWriter"), _owners("WriterConfig")

ITEM_READER: tuple[Field, ...] = (
    Field("Resource", _READER, C.LITERAL, C.LITERAL, "resource"),
    Field("Parameters", _READER, C.PAYLOAD_TEMPLATE, None, "arguments"),
    Field("Arguments", _READER, None, C.JSONATA_TEMPLATE, "arguments"),
    Field("ReaderConfig", _READER, C.STRUCTURE, C.STRUCTURE),
)
"""A distributed Map's ``ItemReader`` (model: ``ItemReaderSpec``)."""

READER_CONFIG: tuple[Field, ...] = (
    Field("InputType", _CONFIG, C.TEXT, C.TEXT, "input_type"),
    Field("CSVHeaderLocation", _CONFIG, C.TEXT, C.TEXT, "csv_header_location"),
    Field("CSVHeaders", _CONFIG, C.TEXTS, C.TEXTS, "csv_headers"),
    Field("CSVDelimiter", _CONFIG, C.TEXT, C.TEXT, "csv_delimiter"),
    *_or_path("MaxItems", _CONFIG, C.NUMBER, "max_items"),
)
"""``ItemReader.ReaderConfig`` (model: ``ReaderConfig``). Other members AWS
knows (``Transformation``, ``ManifestType``, ``ItemsPointer``) are accepted
and not used by the engine."""

ITEM_BATCHER: tuple[Field, ...] = (
    *_or_path("MaxItemsPerBatch", _BATCHER, C.NUMBER, "max_items"),
    *_or_path("MaxInputBytesPerBatch", _BATCHER, C.NUMBER, "max_bytes"),
    Field("BatchInput", _BATCHER, C.PAYLOAD_TEMPLATE, C.JSONATA_TEMPLATE, "batch_input"),
)
"""A distributed Map's ``ItemBatcher`` (model: ``ItemBatcherSpec``)."""

RESULT_WRITER: tuple[Field, ...] = (
    Field("Resource", _WRITER, C.LITERAL, C.LITERAL, "resource"),
    Field("Parameters", _WRITER, C.PAYLOAD_TEMPLATE, None, "arguments"),
    Field("Arguments", _WRITER, None, C.JSONATA_TEMPLATE, "arguments"),
    Field("WriterConfig", _WRITER, C.STRUCTURE, C.STRUCTURE),
)
"""A distributed Map's ``ResultWriter`` (model: ``ResultWriterSpec``)."""

WRITER_CONFIG: tuple[Field, ...] = (
    Field("OutputType", _WRITER_CONFIG, C.LITERAL, C.LITERAL, "output_type"),
    Field("Transformation", _WRITER_CONFIG, C.LITERAL, C.LITERAL, "transformation"),
)
"""``ResultWriter.WriterConfig`` (model: the rest of ``ResultWriterSpec``)."""

COMMON_FIELDS = frozenset(f.name for f in STATE if f.owners == _ALL and f.compile_kind(JSONPATH) is C.STRUCTURE)
"""``Type``, ``Comment``, ``QueryLanguage``: fields of every state, in both query languages."""


@lru_cache(maxsize=None)
def fields_of(table: tuple[Field, ...], owner: str) -> tuple[Field, ...]:
    """The rows of ``table`` that ``owner`` has, in table order."""
    return tuple(f for f in table if owner in f.owners)


def allowed_fields(table: tuple[Field, ...], owner: str, language: str | None = None) -> frozenset[str]:
    """The names of the fields ``owner`` may have in ``language`` (``None``: in either)."""
    return frozenset(
        f.name for f in fields_of(table, owner)
        if language is None or f.compile_kind(language) is not None
    )


def single_language_fields(table: tuple[Field, ...], language: str) -> frozenset[str]:
    """The field names of ``table`` that exist only in query language ``language``
    (wherever they appear)."""
    other = JSONATA if language == JSONPATH else JSONPATH
    names = {f.name for f in table}
    return frozenset(
        name for name in names
        if all(f.compile_kind(other) is None and f.compile_kind(language) is not None for f in table if f.name == name)
    )
