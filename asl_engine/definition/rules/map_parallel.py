"""Parallel and Map states, and the sub-state-machines they hold.

* Parallel: ``Branches``, a non-empty array of objects with ``StartAt`` and
  ``States`` (and ``Comment``).
* Map: exactly one of ``ItemProcessor`` / ``Iterator`` (deprecated), with
  ``StartAt``, ``States`` and an optional ``ProcessorConfig`` (``Mode``
  INLINE or DISTRIBUTED; ``ExecutionType`` STANDARD or EXPRESS, required in
  DISTRIBUTED mode and refused in INLINE mode); ``ItemSelector`` vs
  ``Parameters``; ``MaxConcurrency`` >= 0; ``ToleratedFailureCount`` >= 0;
  ``ToleratedFailurePercentage`` 0..100; each literal vs its ``...Path``;
  ``Label`` (at most 40 characters, none of AWS's forbidden characters,
  unique in the machine); ``ItemReader``, ``ItemBatcher``, ``ResultWriter``.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterator

from ..fields import ITEM_BATCHER, ITEM_READER, allowed_fields
from .common import describe_type, int_field, is_jsonata, is_number, ptr
from .model import JSONATA, JSONPATH, Document, Issue, Scope, StateNode
from .paths import check_template, path_field
from .structure import exclusive, object_or_jsonata

__all__ = ["check_labels", "check_map", "check_parallel", "check_sub_machine"]

_BRANCH_FIELDS = frozenset({"StartAt", "States", "Comment"})
_PROCESSOR_FIELDS = frozenset({"StartAt", "States", "Comment", "ProcessorConfig"})
_PROCESSOR_CONFIG = frozenset({"Mode", "ExecutionType"})
_READER_JSONPATH = allowed_fields(ITEM_READER, "ItemReader", JSONPATH)
_READER_JSONATA = allowed_fields(ITEM_READER, "ItemReader", JSONATA)
_BATCHER_JSONPATH = allowed_fields(ITEM_BATCHER, "ItemBatcher", JSONPATH)
_BATCHER_JSONATA = allowed_fields(ITEM_BATCHER, "ItemBatcher", JSONATA)
_WRITER_JSONPATH = frozenset({"Resource", "Parameters", "WriterConfig"})
_WRITER_JSONATA = frozenset({"Resource", "Arguments", "WriterConfig"})
_WRITER_CONFIG = frozenset({"OutputType", "Transformation"})

LABEL_MAX = 40
_LABEL_FORBIDDEN = frozenset(" <>{}[]?*\"#%\\^|~`$&,;:/")
INVALID_LABEL = "INVALID_LABEL_NAME"
DUPLICATE_LABEL = "DUPLICATE_LABEL_NAME"


def _unknown(node: dict[str, Any], allowed: frozenset[str], other: frozenset[str], where: str, jsonata: bool) -> Iterator[Issue]:
    """Unknown fields of a nested object; fields of the other query language named as such."""
    for key in node:
        if key in allowed:
            continue
        if key in other:
            mine, theirs = ("JSONata", "JSONPath") if jsonata else ("JSONPath", "JSONata")
            yield Issue(where, f"The QueryLanguage is set to '{mine}', but field '{key}' is only supported for the '{theirs}' QueryLanguage",
                        "structure.field-query-language", at=ptr(where, key), key=True)
        else:
            yield Issue(where, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(where, key), key=True)


def check_sub_machine(scope: Scope, doc: Document) -> Iterator[Issue]:
    """A Parallel branch or a Map processor: its fields, ``StartAt`` and ``States``."""
    if scope.kind == "top":
        return
    node = scope.node
    allowed = _BRANCH_FIELDS if scope.kind == "branch" else _PROCESSOR_FIELDS
    for key in node:
        if key not in allowed:
            yield Issue(scope.pointer, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(scope.pointer, key), key=True)
    missing = [k for k in ("StartAt", "States") if k not in node]
    if missing:
        yield Issue(scope.pointer, f"These fields are required: [{', '.join(missing)}]", "structure.required")
    if "StartAt" in node and not isinstance(node["StartAt"], str):
        yield Issue(ptr(scope.pointer, "StartAt"), f"Expected value of type [STRING] for 'StartAt', not {describe_type(node['StartAt'])}", "structure.type")
    if "States" in node:
        states = node["States"]
        if not isinstance(states, dict):
            yield Issue(ptr(scope.pointer, "States"), f"Expected value of type [OBJECT] for 'States', not {describe_type(states)}", "structure.type")
        elif not states:
            yield Issue(ptr(scope.pointer, "States"), "Value cannot be empty", "structure.required")
    if "Comment" in node and not isinstance(node["Comment"], str):
        yield Issue(ptr(scope.pointer, "Comment"), f"Expected value of type [STRING] for 'Comment', not {describe_type(node['Comment'])}", "structure.type")
    if scope.kind == "processor" and "ProcessorConfig" in node:
        yield from _processor_config(node["ProcessorConfig"], ptr(scope.pointer, "ProcessorConfig"))


def _processor_config(config: Any, where: str) -> Iterator[Issue]:
    if not isinstance(config, dict):
        yield Issue(where, f"Expected value of type [OBJECT] for 'ProcessorConfig', not {describe_type(config)}", "structure.type")
        return
    for key in config:
        if key not in _PROCESSOR_CONFIG:
            yield Issue(where, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(where, key), key=True)
    mode = config.get("Mode", "INLINE")
    if mode not in ("INLINE", "DISTRIBUTED"):
        yield Issue(ptr(where, "Mode"), "Value should be one of the following: [INLINE, DISTRIBUTED]", "structure.value")
        return
    if "ExecutionType" in config:
        if mode == "INLINE":
            yield Issue(where, "Field 'ExecutionType' is not supported", "structure.field-not-allowed", at=ptr(where, "ExecutionType"), key=True)
        elif config["ExecutionType"] not in ("STANDARD", "EXPRESS"):
            yield Issue(ptr(where, "ExecutionType"), "Value should be one of the following: [STANDARD, EXPRESS]", "structure.value")
    elif mode == "DISTRIBUTED":
        yield Issue(where, "These fields are required: [ExecutionType]", "structure.required")


def check_parallel(state: StateNode, doc: Document) -> Iterator[Issue]:
    """``Branches``: a non-empty array of sub-state-machine objects."""
    if state.type != "Parallel":
        return
    node = state.raw
    if "Branches" not in node:
        yield Issue(state.pointer, "These fields are required: [Branches]", "structure.required")
        return
    branches = node["Branches"]
    where = state.at("Branches")
    if not isinstance(branches, list):
        yield Issue(where, f"Expected value of type [ARRAY] for 'Branches', not {describe_type(branches)}", "structure.type")
    elif not branches:
        yield Issue(where, "Value cannot be empty", "structure.required")
    else:
        for i, branch in enumerate(branches):
            if not isinstance(branch, dict):
                yield Issue(ptr(where, i), f"Expected value of type [OBJECT] for a branch, not {describe_type(branch)}", "structure.type")
    if state.jsonata and "Arguments" in node:
        yield from object_or_jsonata(state, doc, "Arguments")


def check_map(state: StateNode, doc: Document) -> Iterator[Issue]:
    """The Map state's own fields (its processor is a scope of its own)."""
    if state.type != "Map":
        return
    node = state.raw
    present = [k for k in ("ItemProcessor", "Iterator") if k in node]
    if not present:
        yield Issue(state.pointer, "These fields are required: [ItemProcessor]", "structure.required")
    yield from exclusive(state, "ItemProcessor", "Iterator")
    for key in present:
        if not isinstance(node[key], dict):
            yield Issue(state.at(key), f"Expected value of type [OBJECT] for '{key}', not {describe_type(node[key])}", "structure.type")
    yield from exclusive(state, "ItemSelector", "Parameters")
    yield from exclusive(state, "Items", "ItemsPath")
    for literal in ("MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"):
        yield from exclusive(state, literal, literal + "Path")
    yield from int_field(state, doc, "MaxConcurrency", 0, None)
    yield from int_field(state, doc, "ToleratedFailureCount", 0, None)
    if "ToleratedFailurePercentage" in node:
        value = node["ToleratedFailurePercentage"]
        if not (doc.opaque(value) or (state.jsonata and is_jsonata(value))):
            if not is_number(value):
                yield Issue(state.at("ToleratedFailurePercentage"), f"Expected value of type [NUMBER] for 'ToleratedFailurePercentage', not {describe_type(value)}", "structure.type")
            elif not 0 <= value <= 100:
                yield Issue(state.at("ToleratedFailurePercentage"), "Value must be between 0 and 100 for 'ToleratedFailurePercentage'", "structure.value")
    if state.jsonata and "Items" in node:
        items = node["Items"]
        if not (isinstance(items, list) or is_jsonata(items) or doc.opaque(items)):
            yield Issue(state.at("Items"), f"Expected a JSON array or a JSONata expression for 'Items', not {describe_type(items)}", "structure.type")
    if "Label" in node:
        yield from _label(node["Label"], state.at("Label"), doc)
    if "ItemReader" in node:
        yield from _item_reader(state, doc, node["ItemReader"], state.at("ItemReader"))
    if "ItemBatcher" in node:
        yield from _item_batcher(state, doc, node["ItemBatcher"], state.at("ItemBatcher"))
    if "ResultWriter" in node:
        yield from _result_writer(state, doc, node["ResultWriter"], state.at("ResultWriter"))


def _label(label: Any, where: str, doc: Document) -> Iterator[Issue]:
    if doc.opaque(label):
        return
    if not isinstance(label, str):
        yield Issue(where, f"Expected value of type [STRING] for 'Label', not {describe_type(label)}", "map.label", code=INVALID_LABEL)
        return
    if len(label) > LABEL_MAX:
        yield Issue(where, f"Label is {len(label)} characters long; the maximum is {LABEL_MAX}", "map.label", code=INVALID_LABEL)
    for ch in label:
        if ch in _LABEL_FORBIDDEN or ch.isspace() or unicodedata.category(ch) == "Cc":
            yield Issue(where, f"Label contains invalid character: {ch!r}", "map.label", code=INVALID_LABEL)
            break


def check_labels(doc: Document) -> Iterator[Issue]:
    """Map ``Label``s are unique in the machine (they name Map Runs)."""
    seen: set[str] = set()
    for state in doc.states:
        label = state.raw.get("Label") if state.type == "Map" else None
        if isinstance(label, str):
            if label in seen:
                yield Issue(state.at("Label"), f"Duplicate Label name: {label}", "map.label", code=DUPLICATE_LABEL)
            seen.add(label)


def _not_object(field: str, value: Any, where: str) -> Issue:
    return Issue(where, f"Expected value of type [OBJECT] for '{field}', not {describe_type(value)}", "structure.type")


def _fields_by_language(
    state: StateNode, node: dict[str, Any], where: str, jsonpath: Any, jsonata: Any, extra_other: Any = frozenset()
) -> Iterator[Issue]:
    """Unknown fields of a Map sub-object, given its allowed fields per query language."""
    allowed, other = (jsonata, jsonpath) if state.jsonata else (jsonpath, jsonata)
    yield from _unknown(node, allowed, other | extra_other, where, state.jsonata)


def _item_reader(state: StateNode, doc: Document, reader: Any, where: str) -> Iterator[Issue]:
    if not isinstance(reader, dict):
        yield _not_object("ItemReader", reader, where)
        return
    yield from _fields_by_language(state, reader, where, _READER_JSONPATH, _READER_JSONATA)
    if "Resource" not in reader:
        yield Issue(where, "These fields are required: [Resource]", "structure.required")
    config = reader.get("ReaderConfig")
    if "ReaderConfig" in reader:
        cwhere = ptr(where, "ReaderConfig")
        if not isinstance(config, dict):
            yield Issue(cwhere, f"Expected value of type [OBJECT] for 'ReaderConfig', not {describe_type(config)}", "structure.type")
        else:
            yield from exclusive(state, "MaxItems", "MaxItemsPath", base=cwhere, container=config)
            yield from int_field(state, doc, "MaxItems", 0, None, base=cwhere, container=config)  # 0: no limit (AWS accepts it)
            if "MaxItemsPath" in config:
                if state.jsonata:
                    yield Issue(cwhere, "The QueryLanguage is set to 'JSONata', but field 'MaxItemsPath' is only supported for the 'JSONPath' QueryLanguage",
                                "structure.field-query-language", at=ptr(cwhere, "MaxItemsPath"), key=True)
                else:
                    yield from path_field(state, doc, config, "MaxItemsPath", cwhere)
    if "Parameters" in reader and not state.jsonata:
        yield from check_template(doc, reader["Parameters"], ptr(where, "Parameters"), "Parameters")
    if "Arguments" in reader and state.jsonata:
        yield from object_or_jsonata(state, doc, "Arguments", container=reader, base=where)


def _item_batcher(state: StateNode, doc: Document, batcher: Any, where: str) -> Iterator[Issue]:
    if not isinstance(batcher, dict):
        yield _not_object("ItemBatcher", batcher, where)
        return
    # (JSONPath-only fields are named as such in a JSONata state, and the reverse.)
    yield from _fields_by_language(state, batcher, where, _BATCHER_JSONPATH, _BATCHER_JSONATA, extra_other=_BATCHER_JSONPATH)
    limits = [k for k in ("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath") if k in batcher]
    if not limits:
        yield Issue(where, "These fields are required: one of [MaxItemsPerBatch, MaxInputBytesPerBatch]", "structure.required")
    for key in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
        yield from exclusive(state, key, key + "Path", base=where, container=batcher)
    yield from int_field(state, doc, "MaxItemsPerBatch", 1, None, base=where, container=batcher)
    yield from int_field(state, doc, "MaxInputBytesPerBatch", 1, 262144, base=where, container=batcher)
    if not state.jsonata:
        for key in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
            if key in batcher:
                yield from path_field(state, doc, batcher, key, where)
        if "BatchInput" in batcher:
            yield from check_template(doc, batcher["BatchInput"], ptr(where, "BatchInput"), "BatchInput")


def _result_writer(state: StateNode, doc: Document, writer: Any, where: str) -> Iterator[Issue]:
    if not isinstance(writer, dict):
        yield _not_object("ResultWriter", writer, where)
        return
    yield from _fields_by_language(state, writer, where, _WRITER_JSONPATH, _WRITER_JSONATA)
    if "Resource" not in writer and "WriterConfig" not in writer:
        yield Issue(where, "These fields are required: [Resource] (or WriterConfig)", "structure.required")
    if "WriterConfig" in writer:
        config = writer["WriterConfig"]
        cwhere = ptr(where, "WriterConfig")
        if not isinstance(config, dict):
            yield Issue(cwhere, f"Expected value of type [OBJECT] for 'WriterConfig', not {describe_type(config)}", "structure.type")
        else:
            for key in config:
                if key not in _WRITER_CONFIG:
                    yield Issue(cwhere, f"Field '{key}' is not supported", "structure.unknown-field", at=ptr(cwhere, key), key=True)
            if "OutputType" not in config:
                yield Issue(cwhere, "These fields are required: [OutputType]", "structure.required")
            elif config["OutputType"] not in ("JSON", "JSONL") and not doc.opaque(config["OutputType"]):
                yield Issue(ptr(cwhere, "OutputType"), "Value should be one of the following: [JSON, JSONL]", "structure.value")
            if "Transformation" in config and config["Transformation"] not in ("NONE", "COMPACT", "FLATTEN") and not doc.opaque(config["Transformation"]):
                yield Issue(ptr(cwhere, "Transformation"), "Value should be one of the following: [NONE, COMPACT, FLATTEN]", "structure.value")
    if "Parameters" in writer and not state.jsonata:
        yield from check_template(doc, writer["Parameters"], ptr(where, "Parameters"), "Parameters")
    if "Arguments" in writer and state.jsonata:
        yield from object_or_jsonata(state, doc, "Arguments", container=writer, base=where)
