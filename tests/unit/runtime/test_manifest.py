"""``InputType: MANIFEST``: the rows of an S3 Inventory, from its manifest.json and gzip CSV files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from asl_engine import FolderObjectStore, InMemoryObjectStore
from asl_engine.errors import StatesError
from asl_engine.runtime.manifest import manifest_items
from asl_engine.tasks.objects import get_object_bytes

MANIFEST_KEY = "src/config/2024-05-01T00-00Z/manifest.json"
SCHEMA = "Bucket, Key, Size, LastModifiedDate"
ROWS_1 = '"src","a.txt","3","2024-05-01T12:00:00.000Z"\n"src","dir/b%20c.json","10","2024-05-02T08:30:00.000Z"\n'
ROWS_2 = '"src","é.csv","0","2024-05-03T00:00:00.000Z"\n'
ITEMS = [
    {"Bucket": "src", "Key": "a.txt", "Size": "3", "LastModifiedDate": "2024-05-01T12:00:00.000Z"},
    {"Bucket": "src", "Key": "dir/b%20c.json", "Size": "10", "LastModifiedDate": "2024-05-02T08:30:00.000Z"},
    {"Bucket": "src", "Key": "é.csv", "Size": "0", "LastModifiedDate": "2024-05-03T00:00:00.000Z"},
]


def manifest(**overrides: Any) -> str:
    body: dict[str, Any] = {
        "sourceBucket": "src",
        "destinationBucket": "arn:aws:s3:::inventory",
        "version": "2016-11-30",
        "creationTimestamp": "1714521600000",
        "fileFormat": "CSV",
        "fileSchema": SCHEMA,
        "files": [
            {"key": "src/config/data/1.csv.gz", "size": 1, "MD5checksum": "x"},
            {"key": "src/config/data/2.csv", "size": 1, "MD5checksum": "y"},
        ],
    }
    body.update(overrides)
    return json.dumps(body)


def inventory(**overrides: Any) -> dict[str, str | bytes]:
    """A manifest, a gzip data file and a plain one, as S3 Inventory lays them out."""
    return {
        f"inventory/{MANIFEST_KEY}": manifest(**overrides),
        "inventory/src/config/data/1.csv.gz": gzip.compress(ROWS_1.encode()),
        "inventory/src/config/data/2.csv": ROWS_2,
    }


def failure(store: Any, key: str = MANIFEST_KEY) -> str:
    with pytest.raises(StatesError) as caught:
        list(manifest_items(store, "inventory", key))
    assert caught.value.error == "States.ItemReaderFailed"
    return str(caught.value.cause)


def test_in_memory_inventory_yields_one_item_per_row_named_by_the_schema() -> None:
    store = InMemoryObjectStore(inventory())
    assert list(manifest_items(store, "inventory", MANIFEST_KEY)) == ITEMS


def test_folder_inventory_reads_the_gzip_file_as_bytes(tmp_path: Path) -> None:
    for name, body in inventory().items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())
    store = FolderObjectStore(tmp_path)
    assert list(manifest_items(store, "inventory", MANIFEST_KEY)) == ITEMS
    # The listing of a bucket that holds binary objects works too.
    assert {o["Key"] for o in store.list_objects("inventory")} >= {"src/config/data/1.csv.gz"}


def test_a_plain_bucket_name_and_a_missing_destination_are_accepted() -> None:
    store = InMemoryObjectStore(inventory(destinationBucket="inventory"))
    assert len(list(manifest_items(store, "inventory", MANIFEST_KEY))) == 3
    body = json.loads(manifest())
    del body["destinationBucket"]
    store.put("inventory", MANIFEST_KEY, json.dumps(body))
    assert len(list(manifest_items(store, "inventory", MANIFEST_KEY))) == 3


def test_a_store_without_get_object_bytes_serves_text_files() -> None:
    class TextOnly:
        def __init__(self, objects: dict[tuple[str, str], str]) -> None:
            self.objects = objects

        def get_object(self, bucket: str, key: str) -> str:
            return self.objects[(bucket, key)]

        def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
            return []

        def put_object(self, bucket: str, key: str, body: str) -> None:
            self.objects[(bucket, key)] = body

    store = TextOnly({("inventory", MANIFEST_KEY): manifest(files=[{"key": "d.csv"}]), ("inventory", "d.csv"): ROWS_2})
    assert get_object_bytes(store, "inventory", "d.csv") == ROWS_2.encode()
    assert list(manifest_items(store, "inventory", MANIFEST_KEY)) == ITEMS[2:]


def test_in_memory_store_keeps_binary_bodies_as_bytes() -> None:
    data = gzip.compress(b"x")
    store = InMemoryObjectStore({"b/k.gz": data, "b/t": b"text"})
    assert store.get_object_bytes("b", "k.gz") == data
    assert store.get_object("b", "t") == "text"
    assert store.get_object_bytes("b", "t") == b"text"
    assert "\ufffd" in store.get_object("b", "k.gz")
    assert [o["Size"] for o in store.list_objects("b")] == [len(data), 4]


def test_the_manifest_is_read_by_the_call_and_the_files_as_items_are_consumed() -> None:
    store = InMemoryObjectStore({f"inventory/{MANIFEST_KEY}": manifest()})
    items = manifest_items(store, "inventory", MANIFEST_KEY)  # no error yet: data files are read lazily
    with pytest.raises(StatesError) as caught:
        next(items)
    assert caught.value.cause == "The specified key does not exist. (Bucket: inventory, Key: src/config/data/1.csv.gz)"
    with pytest.raises(StatesError, match="The specified key does not exist"):
        manifest_items(InMemoryObjectStore(), "inventory", MANIFEST_KEY)


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ("{not json", "is not valid JSON"),
        ("[1]", "is not a JSON object"),
        (manifest(fileFormat="ORC"), "Unsupported S3 Inventory fileFormat: 'ORC'"),
        (manifest(fileSchema=""), "fileSchema must be a comma-separated list"),
        (manifest(fileSchema=5), "fileSchema must be a comma-separated list"),
        (manifest(fileSchema="Key, Key"), "names a field twice"),
        (manifest(files="nope"), "files must be a list of objects with a key"),
        (manifest(files=[{"size": 1}]), "files must be a list of objects with a key"),
        (manifest(destinationBucket=""), "destinationBucket must be a bucket ARN or name"),
    ],
)
def test_a_bad_manifest_fails_the_reader(body: str, cause: str) -> None:
    store = InMemoryObjectStore(inventory())
    store.put("inventory", MANIFEST_KEY, body)
    assert cause in failure(store)


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b'"src","a.txt","3"\n', "Row 1 of the S3 Inventory file src/config/data/1.csv.gz has 3 fields"),
        (gzip.compress(b'"src","a.txt","3","t"\n')[:-6], "cannot be read after row"),  # truncated
        (b"\x1f\x8bnot gzip at all", "cannot be read"),
        (b'"src","\xff","3","t"\n', "cannot be read"),  # not UTF-8
    ],
)
def test_a_bad_data_file_fails_the_reader(data: bytes, cause: str) -> None:
    store = InMemoryObjectStore(inventory())
    store.put("inventory", "src/config/data/1.csv.gz", data)
    assert cause in failure(store)


def test_blank_lines_are_skipped() -> None:
    store = InMemoryObjectStore(inventory())
    store.put("inventory", "src/config/data/2.csv", ROWS_2 + "\n")
    assert list(manifest_items(store, "inventory", MANIFEST_KEY)) == ITEMS


def test_a_key_the_store_cannot_hold_fails_the_reader(tmp_path: Path) -> None:
    assert "not an object key this store can hold" in failure(FolderObjectStore(tmp_path), "../escape.json")


def test_a_distributed_map_runs_over_an_inventory() -> None:
    import asl_engine

    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST", "MaxItems": 2},
                       "Parameters": {"Bucket": "inventory", "Key": MANIFEST_KEY}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "OutputPath": "$.Key", "End": True}}},
        "End": True,
    }}}
    execution = asl_engine.load(definition).run({}, object_store=InMemoryObjectStore(inventory()))
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == ["a.txt", "dir/b%20c.json"]
