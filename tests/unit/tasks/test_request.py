"""TaskRequest: a Lambda request id drawn in turn, made text only when read."""

import random
import threading

import asl_engine
from asl_engine import TaskRequest
from asl_engine.execution.ids import uuid_source

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_the_id_is_made_text_when_read_and_kept() -> None:
    ids = uuid_source(random.Random(3))
    expected = uuid_source(random.Random(3))()
    request = TaskRequest("T", LAMBDA, {}, {}, _id_bits=ids.bits())
    assert request._request_id is None
    assert request.request_id == expected
    assert request._request_id == expected


def test_a_given_id_wins_and_can_be_replaced() -> None:
    request = TaskRequest("T", LAMBDA, {}, {}, request_id="given")
    assert request.request_id == "given"
    request.request_id = "other"
    assert request.request_id == "other"


def test_requests_compare_and_show_by_their_fields() -> None:
    cancel = threading.Event()
    a = TaskRequest("T", LAMBDA, {"x": 1}, {}, cancel=cancel, request_id="r")
    b = TaskRequest("T", LAMBDA, {"x": 1}, {}, cancel=cancel, request_id="r")
    assert a == b and a != TaskRequest("U", LAMBDA, {"x": 1}, {}, cancel=cancel, request_id="r")
    assert repr(a).startswith("TaskRequest(state_name='T', resource=") and "request_id='r'" in repr(a)
    assert TaskRequest("T", LAMBDA, {}, {}).cancel is not TaskRequest("T", LAMBDA, {}, {}).cancel


def test_a_seeded_run_gives_handlers_the_same_ids_whether_read_or_not() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.b", "End": True}}}
    machine = asl_engine.load(definition)
    seen: list[str] = []

    def reads(event, context):  # type: ignore[no-untyped-def]
        seen.append(context.aws_request_id)
        return {}

    def ignores(event):  # type: ignore[no-untyped-def]
        return {}

    machine.run({}, handlers={"A": reads, "B": reads}, seed=5)
    both = list(seen)
    seen.clear()
    machine.run({}, handlers={"A": ignores, "B": reads}, seed=5)
    assert seen == both[1:]  # B's id does not depend on whether A's was read
    assert len(set(both)) == 2
