"""A distributed Map streams: items are read as the children need them,
results go to files as they end, and memory does not follow the item count."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

import asl_engine
from asl_engine import InMemoryObjectStore, VirtualClock
from asl_engine.model.states import ResultWriterSpec
from asl_engine.runtime.result_writer import ResultSpool

GET = "arn:aws:states:::s3:getObject"
PUT = "arn:aws:states:::s3:putObject"


def processor(blocking: bool) -> dict[str, Any]:
    """Fails on item n == 5; a Wait makes the children block (run on the pool)."""
    first = {"Type": "Wait", "Seconds": 1, "Next": "C"} if blocking else {"Type": "Pass", "Next": "C"}
    return {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "W",
        "States": {
            "W": first,
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 5, "Next": "F"}], "Default": "P"},
            "P": {"Type": "Pass", "End": True},
            "F": {"Type": "Fail", "Error": "Bad", "Cause": "five"},
        },
    }


def machine(blocking: bool = False, **map_fields: Any) -> asl_engine.StateMachine:
    return asl_engine.load({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": processor(blocking),
        "ItemReader": {"Resource": GET, "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "b", "Key": "items.jsonl"}},
        **map_fields, "End": True,
    }}})


class CountingStore(InMemoryObjectStore):
    """Counts the lines the reader has taken from the object."""

    def __init__(self, count: int) -> None:
        super().__init__({"b/items.jsonl": "".join(json.dumps({"n": i}) + "\n" for i in range(count))})
        self.lines_read = 0

    def iter_lines(self, bucket: str, key: str) -> Iterator[str]:
        for line in self.get_object(bucket, key).splitlines(keepends=True):
            self.lines_read += 1
            yield line


@pytest.mark.parametrize("blocking", [False, True])
def test_a_failing_run_stops_reading(blocking: bool) -> None:
    store = CountingStore(10_000)
    execution = machine(blocking, MaxConcurrency=2).run({}, object_store=store, clock=VirtualClock())
    assert execution.status == "FAILED"
    assert execution.error == "States.ExceedToleratedFailureThreshold"
    # Item 5 fails; the reader is at most twice the concurrency ahead of it.
    assert 6 <= store.lines_read <= 6 + 2 * 2


def test_a_percentage_is_judged_over_every_item() -> None:
    # One failure in 10 items: 10 %. Judged over the items read so far it would be 100 % at once.
    store = CountingStore(10)
    assert machine(ToleratedFailurePercentage=10).run({}, object_store=store).status == "SUCCEEDED"
    failing = machine(ToleratedFailurePercentage=9).run({}, object_store=CountingStore(10))
    assert failing.error == "States.ExceedToleratedFailureThreshold"
    assert machine(True, ToleratedFailurePercentage=9, MaxConcurrency=3).run(
        {}, object_store=CountingStore(10), clock=VirtualClock()).status == "FAILED"


def test_children_kept_are_capped_and_the_rest_counted() -> None:
    store = CountingStore(5)
    execution = machine(ToleratedFailureCount=1).run({}, object_store=store, child_executions_kept=2)
    assert execution.status == "SUCCEEDED"
    assert len(execution.child_executions) == 2
    assert execution.child_executions_dropped == 3
    assert all(child["history"] for child in execution.child_executions)
    everything = machine(ToleratedFailureCount=1).run({}, object_store=CountingStore(5), child_executions_kept=None)
    assert len(everything.child_executions) == 5 and everything.child_executions_dropped == 0


def test_a_failed_run_writes_its_results_with_the_pending_items() -> None:
    store = CountingStore(8)
    execution = machine(
        MaxConcurrency=1, ResultWriter={"Resource": PUT, "Parameters": {"Bucket": "out", "Prefix": "runs"}},
    ).run({}, object_store=store)
    assert execution.error == "States.ExceedToleratedFailureThreshold"
    [manifest_key] = [o["Key"] for o in store.list_objects("out") if o["Key"].endswith("manifest.json")]
    manifest = json.loads(store.get_object("out", manifest_key))
    files = {status: [f["Key"].rsplit("/", 1)[-1] for f in entries] for status, entries in manifest["ResultFiles"].items()}
    assert files == {"FAILED": ["FAILED_0.json"], "PENDING": ["PENDING_0.json"], "SUCCEEDED": ["SUCCEEDED_0.json"]}
    folder = manifest_key.rsplit("/", 1)[0]
    succeeded = json.loads(store.get_object("out", f"{folder}/SUCCEEDED_0.json"))
    failed = json.loads(store.get_object("out", f"{folder}/FAILED_0.json"))
    pending = json.loads(store.get_object("out", f"{folder}/PENDING_0.json"))
    assert [json.loads(r["Input"])["n"] for r in succeeded] == [0, 1, 2, 3, 4]
    assert [(json.loads(r["Input"])["n"], r["Error"]) for r in failed] == [(5, "Bad")]
    assert [json.loads(r["Input"])["n"] for r in pending] == [6, 7]
    assert {r["Status"] for r in pending} == {"PENDING"}
    for status, entries in manifest["ResultFiles"].items():
        for entry in entries:
            assert entry["Size"] == len(store.get_object("out", entry["Key"]).encode("utf-8"))


@pytest.mark.parametrize("output_type", ["JSON", "JSONL"])
def test_result_files_are_split_before_the_limit(output_type: str) -> None:
    spool = ResultSpool(ResultWriterSpec(resource=PUT, arguments=None, transformation="COMPACT", output_type=output_type),
                        file_limit=40)
    for index in reversed(range(6)):  # children end in any order; files keep item order
        spool.add(index, {"Status": "SUCCEEDED"}, {"n": index, "pad": "x"})
    store = InMemoryObjectStore()
    result = spool.write({"Bucket": "out"}, "arn:aws:states:us-east-1:1:mapRun:m/M:run-id", store)
    manifest = json.loads(store.get_object("out", result["ResultWriterDetails"]["Key"]))
    keys = [f["Key"] for f in manifest["ResultFiles"]["SUCCEEDED"]]
    extension = "jsonl" if output_type == "JSONL" else "json"
    assert keys == [f"run-id/SUCCEEDED_{i}.{extension}" for i in range(len(keys))] and len(keys) > 1
    values = []
    for entry in manifest["ResultFiles"]["SUCCEEDED"]:
        body = store.get_object("out", entry["Key"])
        assert entry["Size"] == len(body.encode("utf-8")) <= 40
        values += [json.loads(line) for line in body.splitlines()] if output_type == "JSONL" else json.loads(body)
    assert [v["n"] for v in values] == list(range(6))


def test_csv_streams_quoted_fields_across_lines(tmp_path: Any) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "rows.csv").write_text('id,note\n1,"two\nlines"\n2,plain\n', encoding="utf-8")
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                                          "States": {"P": {"Type": "Pass", "End": True}}},
        "ItemReader": {"Resource": GET, "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "b", "Key": "rows.csv"}},
        "End": True,
    }}}
    execution = asl_engine.load(definition).run({}, object_store=asl_engine.FolderObjectStore(tmp_path))
    assert execution.output == [{"id": "1", "note": "two\nlines"}, {"id": "2", "note": "plain"}]
