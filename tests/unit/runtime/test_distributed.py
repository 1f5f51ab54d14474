"""Distributed Map: Map Run events, ItemReader, ItemBatcher, isolation of children."""

from __future__ import annotations

import pytest

import asl_engine
from asl_engine import InMemoryObjectStore, VirtualClock

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:worker"
DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}


def dmap(processor_states, start, **fields):
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": DISTRIBUTED, "StartAt": start, "States": processor_states},
                "End": True,
                **fields,
            }
        },
    }


def run(definition, input=None, **kwargs):
    kwargs.setdefault("clock", VirtualClock())
    return asl_engine.load(definition).run(input, **kwargs)


def types(execution):
    return [e["type"] for e in execution.history]


PASS = {"P": {"Type": "Pass", "End": True}}


def test_map_run_events_and_children_kept_out_of_the_parent_history():
    ex = run(dmap(PASS, "P"), [1, 2, 3])
    assert ex.output == [1, 2, 3]
    assert types(ex) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
        "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
    ]
    arn = ex.history[3]["mapRunStartedEventDetails"]["mapRunArn"]
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/M:")


def test_any_failed_child_fails_the_run_unless_tolerated():
    processor = {"F": {"Type": "Fail", "Error": "Bad", "Cause": "no"}}
    ex = run(dmap(processor, "F"), [1])
    assert (ex.error, ex.cause) == ("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")
    assert types(ex)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    ex = run(dmap(processor, "F", ToleratedFailurePercentage=100), [1])
    assert ex.status == "SUCCEEDED"


def test_children_cannot_read_outer_variables():
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"secret": 1}, "Next": "M"},
            "M": dmap({"P": {"Type": "Pass", "Parameters": {"s.$": "$secret"}, "End": True}}, "P")["States"]["M"],
        },
    }
    ex = run(definition, [1])
    assert ex.status == "FAILED"
    assert ex.error == "States.ExceedToleratedFailureThreshold"


def test_item_reader_json_csv_and_batcher():
    store = InMemoryObjectStore({
        "bucket/items.json": '[{"n": 1}, {"n": 2}, {"n": 3}]',
        "bucket/items.csv": "a,b\n1,2\n3\n",
    })
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "bucket", "Key": "items.json"}, "ReaderConfig": {"InputType": "JSON", "MaxItems": 2}}
    assert run(dmap(PASS, "P", ItemReader=reader), {}, object_store=store).output == [{"n": 1}, {"n": 2}]
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "bucket", "Key": "items.csv"}, "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}}
    assert run(dmap(PASS, "P", ItemReader=reader), {}, object_store=store).output == [{"a": "1", "b": "2"}, {"a": "3", "b": ""}]
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "bucket", "Key": "items.json"}, "ReaderConfig": {"InputType": "JSON"}}
    batched = run(dmap(PASS, "P", ItemReader=reader, ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"tag": "x"}}), {}, object_store=store)
    assert batched.output == [
        {"Items": [{"n": 1}, {"n": 2}], "BatchInput": {"tag": "x"}},
        {"Items": [{"n": 3}], "BatchInput": {"tag": "x"}},
    ]


def test_item_reader_failures():
    store = InMemoryObjectStore({"bucket/obj.json": '{"not": "a list"}'})
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "bucket", "Key": "obj.json"}, "ReaderConfig": {"InputType": "JSON"}}
    ex = run(dmap(PASS, "P", ItemReader=reader), {}, object_store=store)
    assert (ex.error, ex.cause) == ("States.ItemReaderFailed", "Attempting to map over non-iterable node.")
    assert types(ex)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_item_reader_without_object_store_is_an_engine_error():
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}}
    try:
        run(dmap(PASS, "P", ItemReader=reader), {})
    except asl_engine.EngineError as exc:
        assert "no object store is configured" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected EngineError")


def test_tasks_in_children_use_mocks_by_state_name():
    processor = {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}
    ex = run(dmap(processor, "T"), [1, 2], mocks={"T": lambda req: {"Return": req.parameters * 10}})
    assert ex.output == [10, 20]


def test_child_executions_are_kept_with_their_histories():
    ex = run(dmap(PASS, "P"), ["a", "b"])
    children = sorted(ex.child_executions, key=lambda c: c["index"])
    assert [(c["index"], c["status"], c["output"]) for c in children] == [(0, "SUCCEEDED", "a"), (1, "SUCCEEDED", "b")]
    assert [e["type"] for e in children[0]["history"]] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert children[0]["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:StateMachine/M:")


def test_item_reader_on_an_inline_map_fails_at_run_time():
    # validate() and load() accept it (the ASL spec and asl-validator do; AWS
    # documents ItemReader for the Distributed Map only and its verdict is not
    # recorded); the state fails with States.Runtime when it starts.
    definition = dmap(PASS, "P", ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}})
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "INLINE"}
    assert not [d for d in asl_engine.validate(definition) if d.severity == "ERROR"]
    ex = run(definition, {})
    assert ex.error == "States.Runtime"
    assert ex.cause is not None and ex.cause.endswith(
        "The field 'ItemReader' is only supported by a Map state whose ProcessorConfig Mode is DISTRIBUTED")
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "ExecutionFailed"]


def test_item_reader_jsonl_lines_stop_at_max_items():
    from asl_engine.errors import StatesError
    from asl_engine.model.states import ReaderConfig
    from asl_engine.runtime.item_reader import read_items

    store = InMemoryObjectStore({"b/items.jsonl": '{"n": 1}\n\n{"n": 2}\r\n{"n": 3}\nnot json\n'})
    get, where, jsonl = "arn:aws:states:::s3:getObject", {"Bucket": "b", "Key": "items.jsonl"}, ReaderConfig(input_type="JSONL")
    assert read_items(get, where, jsonl, 3, store) == [{"n": 1}, {"n": 2}, {"n": 3}]  # the bad line is never read
    with pytest.raises(StatesError, match="not valid JSON"):
        read_items(get, where, jsonl, None, store)
