"""A distributed Map's ``ItemReader`` and ``ItemBatcher``.

``ItemReader`` reads the items from S3 (``arn:aws:states:::s3:getObject`` with
``ReaderConfig.InputType`` JSON, JSONL or CSV, or ``s3:listObjectsV2``);
failures are ``States.ItemReaderFailed`` with AWS's cause texts
(AWS-recorded: "Attempting to map over non-iterable node.", "CSV headers
cannot contain duplicates.", "field MaxItems must be positive").
``ItemBatcher`` groups items into ``{"Items": [...], "BatchInput": ...}``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterator

from ..dataflow.jsonpath import to_json
from ..errors import StatesError
from ..model.states import ReaderConfig
from ..tasks.objects import NoSuchObject, ObjectStore, s3_target

__all__ = ["batch_items", "read_items"]

READER_FAILED = "States.ItemReaderFailed"
MAX_ITEMS_LIMIT = 100_000_000
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def read_items(
    resource: str, arguments: Any, config: ReaderConfig, max_items: int | None, store: ObjectStore | None
) -> list[Any]:
    """The items an ``ItemReader`` yields (at most ``max_items`` when positive),
    read as ``config`` (the compiled ``ReaderConfig``) says."""
    store, bucket = s3_target(store, arguments, "ItemReader", READER_FAILED, "reads items from")
    action = resource.rsplit(":", 1)[-1]
    if action == "listObjectsV2":
        items: list[Any] = store.list_objects(bucket, str(arguments.get("Prefix", "")))
    elif action == "getObject":
        key = arguments.get("Key")
        if not isinstance(key, str):
            raise StatesError(READER_FAILED, "The ItemReader parameters must name a Key.")
        try:
            body = store.get_object(bucket, key)
        except NoSuchObject:
            raise StatesError(READER_FAILED, f"The specified key does not exist. (Bucket: {bucket}, Key: {key})") from None
        items = _parse(body, config, max_items if max_items is not None and max_items > 0 else None)
    else:
        raise StatesError(READER_FAILED, f"Unsupported ItemReader resource: {resource}")
    if max_items is not None and max_items > 0:
        items = items[:max_items]
    return items


def _parse(body: str, config: ReaderConfig, limit: int | None = None) -> list[Any]:
    input_type = config.input_type
    if input_type == "JSON":
        try:
            parsed = json.loads(body)
        except json.JSONDecodeError as exc:
            raise StatesError(READER_FAILED, f"The object is not valid JSON: {exc.msg}") from None
        if not isinstance(parsed, list):
            raise StatesError(READER_FAILED, "Attempting to map over non-iterable node.")
        return parsed
    if input_type == "JSONL":
        return _json_lines(body, limit)
    if input_type == "CSV":
        return _csv(body, config)
    raise StatesError(READER_FAILED, f"Unsupported InputType: {input_type}")


def _json_lines(body: str, limit: int | None) -> list[Any]:
    """JSON Lines, read one line at a time (no list of the lines beside the
    items) and no further than ``limit`` items (MaxItems)."""
    items: list[Any] = []
    for line in _lines(body):
        if limit is not None and len(items) >= limit:
            break
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise StatesError(READER_FAILED, f"A line of the object is not valid JSON: {exc.msg}") from None
    return items


def _lines(body: str) -> Iterator[str]:
    """The lines of ``body``, one at a time, without copying the whole body."""
    start = 0
    while start < len(body):
        end = body.find("\n", start)
        end = len(body) if end < 0 else end + 1
        yield body[start:end]
        start = end


def _csv(body: str, config: ReaderConfig) -> list[dict[str, str]]:
    """CSV rows as objects keyed by the headers; missing fields are ``""``,
    fields beyond the headers are dropped (AWS-recorded)."""
    delimiter = _DELIMITERS.get(config.csv_delimiter, ",")
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    if config.csv_header_location == "GIVEN":
        headers = list(config.csv_headers)
    else:
        headers = rows.pop(0) if rows else []
    if len(set(headers)) != len(headers):
        raise StatesError(READER_FAILED, "CSV headers cannot contain duplicates.")
    return [{h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)} for row in rows]


def batch_items(items: list[Any], max_items: int | None, max_bytes: int | None, batch_input: Any) -> list[Any]:
    """Group items per ``ItemBatcher``: each batch is ``{"Items": [...]}`` (plus ``BatchInput``)."""
    batches: list[Any] = []
    current: list[Any] = []
    size = 0
    for item in items:
        item_size = len(to_json(item).encode("utf-8")) + 1
        full = (max_items is not None and len(current) >= max_items) or (
            max_bytes is not None and current and size + item_size > max_bytes
        )
        if full:
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        batches.append(current)
    out = []
    for batch in batches:
        entry: dict[str, Any] = {"Items": batch}
        if batch_input is not None:
            entry["BatchInput"] = batch_input
        out.append(entry)
    return out
