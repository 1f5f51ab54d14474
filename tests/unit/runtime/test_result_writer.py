"""A distributed Map's ResultWriter: manifest.json, the result files, the state output."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import asl_engine
from asl_engine import FolderObjectStore, InMemoryObjectStore, VirtualClock
from asl_engine.tasks.objects import InvalidObjectName, NoSuchObject

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
PROCESSOR = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "C",
    "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 2, "Next": "F"}], "Default": "P"},
        "P": {"Type": "Pass", "Parameters": {"n.$": "$.n", "pair.$": "States.Array($.n, $.n)"}, "OutputPath": "$.pair", "End": True},
        "F": {"Type": "Fail", "Error": "Bad", "Cause": "two"},
    },
}
ITEMS = [{"n": 1}, {"n": 2}, {"n": 3}]
PUT = "arn:aws:states:::s3:putObject"


def machine(writer):
    return {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": PROCESSOR, "ToleratedFailurePercentage": 50, "ResultWriter": writer, "End": True,
    }}}


def run(writer, store=None):
    return asl_engine.load(machine(writer)).run(ITEMS, clock=VirtualClock(START), seed=7, object_store=store)


def children(ex):
    """The child executions' ARNs and names, by item index."""
    return {c["index"]: (c["executionArn"], c["executionArn"].rsplit(":", 1)[-1]) for c in ex.child_executions}


def record(ex, index, status, **fields):
    arn, name = children(ex)[index]
    out = {"ExecutionArn": arn, "Input": json.dumps(ITEMS[index], separators=(",", ":")), "InputDetails": {"Included": True}, "Name": name}
    out.update(fields)
    redrive = ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven") if status == "SUCCEEDED" else (
        "REDRIVABLE_BY_MAP_RUN", "Execution can be redriven by the Map Run")
    out.update(RedriveCount=0, RedriveStatus=redrive[0], RedriveStatusReason=redrive[1], StartDate="2024-05-01T12:00:00.000Z",
               StateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine", Status=status,
               StopDate="2024-05-01T12:00:00.000Z")
    return out


def succeeded(ex, index):
    n = ITEMS[index]["n"]
    return record(ex, index, "SUCCEEDED", Output=f"[{n},{n}]", OutputDetails={"Included": True})


def failed(ex):
    return record(ex, 1, "FAILED", Error="Bad", Cause="two")


def dump(value):
    return json.dumps(value, separators=(",", ":"))


def test_resource_and_parameters_write_the_manifest_and_the_files_as_none():
    store = InMemoryObjectStore()
    ex = run({"Resource": PUT, "Parameters": {"Bucket": "out", "Prefix": "runs/"}}, store)
    assert ex.status == "SUCCEEDED"
    map_run_arn = ex.output["MapRunArn"]
    run_id = map_run_arn.rsplit(":", 1)[-1]
    assert map_run_arn == ex.history[3]["mapRunStartedEventDetails"]["mapRunArn"]
    assert ex.output == {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": "out", "Key": f"runs/{run_id}/manifest.json"}}
    ok = dump([succeeded(ex, 0), succeeded(ex, 2)])
    bad = dump([failed(ex)])
    assert store.get_object("out", f"runs/{run_id}/SUCCEEDED_0.json") == ok
    assert store.get_object("out", f"runs/{run_id}/FAILED_0.json") == bad
    manifest = json.loads(store.get_object("out", f"runs/{run_id}/manifest.json"))
    assert manifest == {
        "DestinationBucket": "out",
        "MapRunArn": map_run_arn,
        "ResultFiles": {
            "FAILED": [{"Key": f"runs/{run_id}/FAILED_0.json", "Size": len(bad)}],
            "PENDING": [],
            "SUCCEEDED": [{"Key": f"runs/{run_id}/SUCCEEDED_0.json", "Size": len(ok)}],
        },
    }
    assert [o["Key"] for o in store.list_objects("out")] == [
        f"runs/{run_id}/FAILED_0.json", f"runs/{run_id}/SUCCEEDED_0.json", f"runs/{run_id}/manifest.json"]


def test_compact_and_flatten_jsonl_files():
    store = InMemoryObjectStore()
    ex = run({"Resource": PUT, "Parameters": {"Bucket": "out", "Prefix": "p"}, "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"}}, store)
    run_id = ex.output["MapRunArn"].rsplit(":", 1)[-1]
    assert store.get_object("out", f"p/{run_id}/SUCCEEDED_0.jsonl") == "[1,1]\n[3,3]\n"
    # A failed child's record is written unchanged, as with NONE.
    assert store.get_object("out", f"p/{run_id}/FAILED_0.jsonl") == dump(failed(ex)) + "\n"
    ex = run({"Resource": PUT, "Parameters": {"Bucket": "out", "Prefix": "p"}, "WriterConfig": {"OutputType": "JSON", "Transformation": "FLATTEN"}}, store)
    run_id = ex.output["MapRunArn"].rsplit(":", 1)[-1]
    assert store.get_object("out", f"p/{run_id}/SUCCEEDED_0.json") == "[1,1,3,3]"


def test_writer_config_alone_is_the_state_result():
    ex = run({"WriterConfig": {"OutputType": "JSON", "Transformation": "FLATTEN"}})
    assert ex.output == [1, 1, failed(ex), 3, 3]
    ex = run({"WriterConfig": {"OutputType": "JSON"}})  # COMPACT is the default without a Resource
    assert ex.output == [[1, 1], failed(ex), [3, 3]]
    ex = run({"WriterConfig": {"OutputType": "JSONL", "Transformation": "NONE"}})
    assert ex.output == [succeeded(ex, 0), failed(ex), succeeded(ex, 2)]


def test_jsonata_arguments_and_no_prefix():
    store = InMemoryObjectStore()
    definition = machine({"Resource": PUT, "Arguments": {"Bucket": "{% 'out' & '2' %}"}})
    definition["QueryLanguage"] = "JSONata"
    definition["States"]["M"]["ItemProcessor"] = {**PROCESSOR, "States": {"P": {"Type": "Pass", "End": True}}, "StartAt": "P"}
    ex = asl_engine.load(definition).run(ITEMS, clock=VirtualClock(START), seed=7, object_store=store)
    run_id = ex.output["MapRunArn"].rsplit(":", 1)[-1]
    assert ex.output["ResultWriterDetails"] == {"Bucket": "out2", "Key": f"{run_id}/manifest.json"}
    assert json.loads(store.get_object("out2", f"{run_id}/manifest.json"))["ResultFiles"]["FAILED"] == []


def test_writer_failures(tmp_path):
    ex = run({"Resource": PUT, "Parameters": {"Prefix": "p"}}, InMemoryObjectStore())
    assert (ex.error, ex.cause) == ("States.ResultWriterFailed", "The ResultWriter parameters must name a Bucket.")
    ex = run({"Resource": PUT, "Parameters": {"Bucket": "b", "Prefix": "../x"}}, FolderObjectStore(tmp_path))
    assert ex.error == "States.ResultWriterFailed"
    with pytest.raises(asl_engine.EngineError, match="no object store"):
        run({"Resource": PUT, "Parameters": {"Bucket": "b"}})


def test_folder_object_store_maps_s3_to_files_and_refuses_escapes(tmp_path):
    store = FolderObjectStore(tmp_path)
    store.put_object("bucket", "a/b.json", "[1]")
    assert (tmp_path / "bucket" / "a" / "b.json").read_text() == "[1]"
    assert store.get_object("bucket", "a/b.json") == "[1]"
    assert [o["Key"] for o in store.list_objects("bucket", "a/")] == ["a/b.json"]
    with pytest.raises(NoSuchObject):
        store.get_object("bucket", "a/missing.json")
    for bucket, key in [("..", "k"), ("b/c", "k"), (".", "k"), ("bucket", "../k"), ("bucket", "a/../../k"),
                        ("bucket", "/etc/passwd"), ("bucket", ""), ("bucket", "a\\..\\k"), ("bucket", "a//k")]:
        with pytest.raises(InvalidObjectName):
            store.put_object(bucket, key, "x")
    (tmp_path / "bucket" / "link").symlink_to(tmp_path.parent)
    with pytest.raises(InvalidObjectName):
        store.get_object("bucket", "link/anything")
