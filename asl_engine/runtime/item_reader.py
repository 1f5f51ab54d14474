"""A distributed Map's ``ItemReader`` and ``ItemBatcher``.

``ItemReader`` reads the items from S3 (``arn:aws:states:::s3:getObject`` with
``ReaderConfig.InputType`` JSON, JSONL, CSV or MANIFEST, or ``s3:listObjectsV2``);
failures are ``States.ItemReaderFailed`` with AWS's cause texts
(AWS-recorded: "Attempting to map over non-iterable node.", "CSV headers
cannot contain duplicates.", "field MaxItems must be positive").
``ItemBatcher`` groups items into ``{"Items": [...], "BatchInput": ...}``.
"""

from __future__ import annotations

import csv
import itertools
import json
from typing import Any, Iterable, Iterator

from ..dataflow.jsonpath import to_json
from ..errors import StatesError
from ..model.states import ReaderConfig
from ..tasks.objects import NoSuchObject, ObjectStore, iter_object_lines, s3_target
from .manifest import manifest_items
from .numbers import READER_FAILED

__all__ = ["batch_items", "iter_batches", "iter_items", "read_items"]

MAX_ITEMS_LIMIT = 100_000_000
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def read_items(
    resource: str, arguments: Any, config: ReaderConfig, max_items: int | None, store: ObjectStore | None
) -> list[Any]:
    """The items an ``ItemReader`` yields, as a list (see :func:`iter_items`)."""
    return list(iter_items(resource, arguments, config, max_items, store))


def iter_items(
    resource: str, arguments: Any, config: ReaderConfig, max_items: int | None, store: ObjectStore | None
) -> Iterator[Any]:
    """The items an ``ItemReader`` yields (at most ``max_items`` when positive),
    read as ``config`` (the compiled ``ReaderConfig``) says, one at a time.

    JSON Lines and CSV objects are streamed line by line (``iter_lines`` of
    the store), so a Map Run's memory does not follow the object's size; a
    JSON array is parsed whole (it is one value). A missing object or bucket
    fails here, before the first item; a malformed line fails when it is
    reached, as ``States.ItemReaderFailed``.
    """
    store, bucket = s3_target(store, arguments, "ItemReader", READER_FAILED, "reads items from")
    action = resource.rsplit(":", 1)[-1]
    limit = max_items if max_items is not None and max_items > 0 else None
    items: Iterator[Any]
    if action == "listObjectsV2":
        try:
            items = iter(store.list_objects(bucket, str(arguments.get("Prefix", ""))))
        except NoSuchObject:
            raise StatesError(READER_FAILED, f"The specified bucket does not exist. (Bucket: {bucket})") from None
    elif action == "getObject":
        key = arguments.get("Key")
        if not isinstance(key, str):
            raise StatesError(READER_FAILED, "The ItemReader parameters must name a Key.")
        items = _parse(store, bucket, key, config)
    else:
        raise StatesError(READER_FAILED, f"Unsupported ItemReader resource: {resource}")
    return itertools.islice(items, limit) if limit is not None else items


def _parse(store: ObjectStore, bucket: str, key: str, config: ReaderConfig) -> Iterator[Any]:
    input_type = config.input_type
    if input_type == "MANIFEST":  # an S3 Inventory (runtime/manifest.py)
        return manifest_items(store, bucket, key)
    if input_type not in ("JSON", "JSONL", "CSV"):
        raise StatesError(READER_FAILED, f"Unsupported InputType: {input_type}")
    try:
        if input_type == "JSON":
            return iter(_json_array(store.get_object(bucket, key)))
        lines = iter_object_lines(store, bucket, key)
    except NoSuchObject:
        raise StatesError(READER_FAILED, f"The specified key does not exist. (Bucket: {bucket}, Key: {key})") from None
    return _json_lines(lines) if input_type == "JSONL" else _csv(lines, config)


def _json_array(body: str) -> list[Any]:
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as exc:
        raise StatesError(READER_FAILED, f"The object is not valid JSON: {exc.msg}") from None
    if not isinstance(parsed, list):
        raise StatesError(READER_FAILED, "Attempting to map over non-iterable node.")
    return parsed


def _json_lines(lines: Iterator[str]) -> Iterator[Any]:
    """JSON Lines, one item per non-blank line."""
    for line in lines:
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise StatesError(READER_FAILED, f"A line of the object is not valid JSON: {exc.msg}") from None


def _csv(lines: Iterator[str], config: ReaderConfig) -> Iterator[dict[str, str]]:
    """CSV rows as objects keyed by the headers; missing fields are ``""``,
    fields beyond the headers are dropped (AWS-recorded)."""
    delimiter = _DELIMITERS.get(config.csv_delimiter, ",")
    rows = csv.reader(lines, delimiter=delimiter)
    if config.csv_header_location == "GIVEN":
        headers = list(config.csv_headers)
    else:
        headers = next(rows, [])
    if len(set(headers)) != len(headers):
        raise StatesError(READER_FAILED, "CSV headers cannot contain duplicates.")
    for row in rows:
        yield {h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)}


def iter_batches(items: Iterable[Any], max_items: int | None, max_bytes: int | None, batch_input: Any) -> Iterator[Any]:
    """Group items per ``ItemBatcher``, as they come: each batch is
    ``{"Items": [...]}`` (plus ``BatchInput``)."""
    current: list[Any] = []
    size = 0

    def batch(items: list[Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"Items": items}
        if batch_input is not None:
            entry["BatchInput"] = batch_input
        return entry

    for item in items:
        item_size = len(to_json(item).encode("utf-8")) + 1
        full = (max_items is not None and len(current) >= max_items) or (
            max_bytes is not None and current and size + item_size > max_bytes
        )
        if full:
            yield batch(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        yield batch(current)


def batch_items(items: list[Any], max_items: int | None, max_bytes: int | None, batch_input: Any) -> list[Any]:
    """The batches of :func:`iter_batches`, as a list."""
    return list(iter_batches(items, max_items, max_bytes, batch_input))
