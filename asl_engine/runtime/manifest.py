"""An ItemReader's ``InputType: MANIFEST``: the rows of an Amazon S3 Inventory.

An inventory is published as a ``manifest.json`` that names its CSV data
files (gzip-compressed ``.csv.gz`` as S3 writes them) and their columns::

    {"sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inventory",
     "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, LastModifiedDate",
     "files": [{"key": "src/config/data/1.csv.gz", "size": 81, "MD5checksum": "..."}]}

Each data file holds one row per object, every field quoted and no header
row. The Map gets one item per row, its fields named by ``fileSchema``:
``{"Bucket": "src", "Key": "a.txt", "Size": "3", "LastModifiedDate":
"2024-05-01T12:00:00.000Z"}``. Guessed, not confirmed against AWS: the
values stay the CSV's strings, keys stay as the inventory wrote them
(URL-encoded), the cause texts below.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from typing import IO, Any, Iterator, cast

from ..errors import StatesError
from ..tasks.objects import InvalidObjectName, NoSuchObject, ObjectStore, get_object_bytes
from .numbers import READER_FAILED

__all__ = ["manifest_items"]

_GZIP_MAGIC = b"\x1f\x8b"
_BUCKET_ARN = "arn:aws:s3:::"


def manifest_items(store: ObjectStore, bucket: str, key: str) -> Iterator[dict[str, Any]]:
    """The items of the S3 Inventory whose ``manifest.json`` is ``s3://bucket/key``.

    The manifest is read and checked by this call; the data files are read
    one at a time as the items are consumed (a file's compressed bytes are
    held while its rows are yielded). The data files are looked up in the
    manifest's ``destinationBucket`` (an ARN or a plain name; default
    ``bucket``). A file is gunzipped when it starts with gzip's magic bytes.

    Every failure is ``StatesError("States.ItemReaderFailed", cause)``: a
    missing manifest or data file, a manifest that is not an inventory
    manifest, a ``fileFormat`` other than ``CSV``, a file that is not gzip
    or UTF-8 CSV, a row whose field count differs from ``fileSchema``'s.
    """
    manifest = _read_manifest(store, bucket, key)
    fields = _schema(manifest)
    files = _files(manifest)
    destination = _destination(manifest, bucket)
    return _items(store, destination, files, fields)


def _fetch(store: ObjectStore, bucket: str, key: str) -> bytes:
    try:
        return get_object_bytes(store, bucket, key)
    except NoSuchObject:
        raise StatesError(READER_FAILED, f"The specified key does not exist. (Bucket: {bucket}, Key: {key})") from None
    except InvalidObjectName as exc:
        raise StatesError(READER_FAILED, str(exc)) from None


def _read_manifest(store: ObjectStore, bucket: str, key: str) -> dict[str, Any]:
    data = _fetch(store, bucket, key)
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StatesError(READER_FAILED, f"The S3 Inventory manifest {key} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise StatesError(READER_FAILED, f"The S3 Inventory manifest {key} is not a JSON object.")
    file_format = manifest.get("fileFormat")
    if file_format != "CSV":
        raise StatesError(
            READER_FAILED, f"Unsupported S3 Inventory fileFormat: {file_format!r} (only CSV inventories are read)."
        )
    return manifest


def _schema(manifest: dict[str, Any]) -> list[str]:
    schema = manifest.get("fileSchema")
    fields = [name.strip() for name in schema.split(",")] if isinstance(schema, str) else []
    if not fields or "" in fields:
        raise StatesError(READER_FAILED, "The S3 Inventory manifest's fileSchema must be a comma-separated list of field names.")
    if len(set(fields)) != len(fields):
        raise StatesError(READER_FAILED, "The S3 Inventory manifest's fileSchema names a field twice.")
    return fields


def _files(manifest: dict[str, Any]) -> list[str]:
    files = manifest.get("files")
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("key"), str) for f in files):
        raise StatesError(READER_FAILED, "The S3 Inventory manifest's files must be a list of objects with a key.")
    return [str(f["key"]) for f in files]


def _destination(manifest: dict[str, Any], bucket: str) -> str:
    destination = manifest.get("destinationBucket", bucket)
    if not isinstance(destination, str) or not destination:
        raise StatesError(READER_FAILED, "The S3 Inventory manifest's destinationBucket must be a bucket ARN or name.")
    return destination[len(_BUCKET_ARN):] if destination.startswith(_BUCKET_ARN) else destination


def _items(store: ObjectStore, bucket: str, files: list[str], fields: list[str]) -> Iterator[dict[str, Any]]:
    for key in files:
        data = _fetch(store, bucket, key)
        yield from _rows(data, key, fields)


def _rows(data: bytes, key: str, fields: list[str]) -> Iterator[dict[str, Any]]:
    raw: io.BufferedIOBase = io.BytesIO(data)
    if data.startswith(_GZIP_MAGIC):
        raw = gzip.GzipFile(fileobj=raw, mode="rb")
    text = io.TextIOWrapper(cast("IO[bytes]", raw), encoding="utf-8", newline="")
    line = 0
    try:
        for line, row in enumerate(csv.reader(text), start=1):
            if not row:
                continue  # a blank line (the file's last newline doubled)
            if len(row) != len(fields):
                raise StatesError(
                    READER_FAILED,
                    f"Row {line} of the S3 Inventory file {key} has {len(row)} fields; the manifest's fileSchema names {len(fields)}.",
                )
            yield dict(zip(fields, row))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        # gzip.BadGzipFile is an OSError; a truncated stream is an EOFError.
        raise StatesError(READER_FAILED, f"The S3 Inventory file {key} cannot be read after row {line}: {exc}") from None
