"""The bundled flows (``definitions/``): on moto with the local workers, and
through their MockConfigFile test cases."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("moto")
from moto import mock_aws  # noqa: E402

import asl_engine  # noqa: E402
from asl_engine.embedded_aws import create_resources, side_effects  # noqa: E402
from definitions import workers  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFS = REPO / "definitions"
REGION = "us-east-1"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SPEC = json.loads((DEFS / "local_aws.json").read_text())
HANDLERS = {name: getattr(workers, name) for name in (
    "validate_request", "process_message", "email_subscriber", "sms_subscriber", "audit_subscriber", "summarize_batch")}
MOCKS = asl_engine.load_mock_config(str(DEFS / "MockConfigFile.json"))


def example(name: str) -> Any:
    return json.loads((DEFS / "examples" / name).read_text())


def machine(flow: str) -> asl_engine.StateMachine:
    return asl_engine.load(DEFS / f"{flow}.asl.json")


def types(execution: asl_engine.Execution) -> list[str]:
    return [e["type"] for e in execution.history]


def entered(execution: asl_engine.Execution) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in execution.history if "stateEnteredEventDetails" in e]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")):
            monkeypatch.delenv(name)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield


def run_on_moto(flow: str, event: Any, handlers: dict[str, Any] | None = None) -> tuple[asl_engine.Execution, dict[str, Any]]:
    resources = SPEC["flows"][flow]
    create_resources(resources, REGION)
    execution = machine(flow).run(event, handlers={**HANDLERS, **(handlers or {})}, clock=asl_engine.VirtualClock(),
                                  aws=asl_engine.AwsConfig(region=REGION))
    return execution, side_effects(resources, REGION)


# --------------------------------------------------------------------------- message processing on moto

RECORD = {"id": "msg-0001", "text": "Hello from the serverless message flow", "words": 6, "status": "PROCESSED"}
MESSAGE = {"id": "msg-0001", "text": "Hello from the serverless message flow", "phone": "+15555550123"}


def test_message_processing_happy_path(aws: None) -> None:
    execution, effects = run_on_moto("message_processing", example("post_request.json"))
    assert execution.status == "SUCCEEDED", execution.cause
    out = execution.output
    assert out == {"messageId": "msg-0001", "status": "PROCESSED", "written": True, "record": RECORD,
                   "queueMessageId": out["queueMessageId"], "smsMessageId": out["smsMessageId"]}
    import re
    assert re.fullmatch(UUID, out["queueMessageId"]) and re.fullmatch(UUID, out["smsMessageId"])
    assert effects["tables"]["Messages"] == [{**RECORD, "queueMessageId": out["queueMessageId"]}]
    assert [json.loads(b) for b in effects["queues"]["message-queue"]] == [MESSAGE]
    assert effects["queues"]["message-dlq"] == [] and effects["queues"]["message-alerts-inbox"] == []
    assert effects["sms"] == [{"phoneNumber": "+15555550123", "message": "Message msg-0001 processed: 6 words."}]
    assert entered(execution) == ["CheckConfig", "Config", "ValidateRequest", "EnqueueMessage", "ProcessMessage",
                                  "WriteRecord", "NotifySubscriber", "Processed"]
    assert types(execution).count("TaskSucceeded") == 5 and types(execution)[-1] == "ExecutionSucceeded"


def test_message_processing_retries_a_transient_worker_error(aws: None) -> None:
    calls = []

    def flaky(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        calls.append(event["id"])
        if len(calls) < 3:
            raise workers.TransientWorkerError("busy")
        return workers.process_message(event, context)

    execution, effects = run_on_moto("message_processing", example("post_request.json"), {"process_message": flaky})
    assert execution.status == "SUCCEEDED"
    assert execution.output["record"] == RECORD
    assert calls == ["msg-0001"] * 3
    failed = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["TransientWorkerError"] * 2
    assert len(effects["tables"]["Messages"]) == 1 and len(effects["sms"]) == 1


def test_message_processing_rejects_an_invalid_request(aws: None) -> None:
    execution, effects = run_on_moto("message_processing", example("invalid_request.json"))
    assert execution.status == "FAILED"
    assert execution.error == "InvalidRequest"
    assert json.loads(execution.cause or "")["errorMessage"] == "body must be an object with a non-empty 'text'"
    assert effects == {"tables": {"Messages": []}, "queues": {"message-queue": [], "message-dlq": [], "message-alerts-inbox": []}, "sms": []}
    assert entered(execution)[-1] == "RejectRequest" and types(execution)[-1] == "ExecutionFailed"


def test_message_processing_worker_failure_goes_to_the_dead_letter_queue(aws: None) -> None:
    execution, effects = run_on_moto("message_processing", example("failing_request.json"))
    assert (execution.status, execution.error) == ("FAILED", "MessageFailed")
    assert effects["tables"]["Messages"] == [] and effects["sms"] == []
    [dead] = [json.loads(b) for b in effects["queues"]["message-dlq"]]
    assert dead["message"] == {"id": "msg-0666", "text": "This message makes the worker fail #fail", "phone": "+15555550100"}
    assert dead["error"]["Error"] == "PermanentWorkerError"
    assert dead["execution"] == execution.arn
    [alert] = effects["queues"]["message-alerts-inbox"]
    assert alert.startswith("Message msg-0666 failed with PermanentWorkerError; it is in the dead-letter queue as ")
    assert entered(execution)[-3:] == ["SendToDeadLetterQueue", "AlertOperators", "MessageFailed"]


def test_message_processing_write_failure_goes_to_the_dead_letter_queue(aws: None) -> None:
    event = {**example("post_request.json"), "config": {
        "queueUrl": f"https://sqs.{REGION}.amazonaws.com/123456789012/message-queue",
        "deadLetterQueueUrl": f"https://sqs.{REGION}.amazonaws.com/123456789012/message-dlq",
        "tableName": "NoSuchTable", "alertTopicArn": f"arn:aws:sns:{REGION}:123456789012:message-alerts"}}
    execution, effects = run_on_moto("message_processing", event)
    assert (execution.status, execution.error) == ("FAILED", "MessageFailed")
    [dead] = [json.loads(b) for b in effects["queues"]["message-dlq"]]
    assert dead["error"]["Error"] == "DynamoDB.ResourceNotFoundException"
    assert len(effects["queues"]["message-alerts-inbox"]) == 1 and effects["sms"] == []
    assert "Config" not in entered(execution)  # the input's config wins


def test_message_processing_does_not_write_a_duplicate_twice(aws: None) -> None:
    first, _ = run_on_moto("message_processing", example("post_request.json"))
    assert first.status == "SUCCEEDED"
    second = machine("message_processing").run(example("post_request.json"), handlers=HANDLERS,
                                                clock=asl_engine.VirtualClock(), aws=asl_engine.AwsConfig(region=REGION))
    effects = side_effects(SPEC["flows"]["message_processing"], REGION)
    assert second.status == "SUCCEEDED"
    assert second.output == {"messageId": "msg-0001", "status": "DUPLICATE", "written": False}
    assert len(effects["tables"]["Messages"]) == 1
    assert len(effects["queues"]["message-queue"]) == 2 and len(effects["sms"]) == 1
    failed = [e["taskFailedEventDetails"]["error"] for e in second.history if e["type"] == "TaskFailed"]
    assert failed == ["DynamoDB.ConditionalCheckFailedException"]
    assert entered(second)[-1] == "AlreadyProcessed"


# --------------------------------------------------------------------------- fan-out on moto


def test_notification_fanout_delivers_to_every_queue(aws: None) -> None:
    execution, effects = run_on_moto("notification_fanout", example("notification.json"))
    assert execution.status == "SUCCEEDED", execution.cause
    out = execution.output
    assert out["notificationId"] == "ntf-0042"
    assert out["deliveries"] == [
        {"subscriber": "email", "handled": 1, "results": [{"id": "ntf-0042", "subject": "[warning] Disk almost full"}]},
        {"subscriber": "sms", "handled": 1, "results": [{"id": "ntf-0042", "sms": "Disk almost full: Volume /data on db-1 is 91% full."}]},
        {"subscriber": "audit", "handled": 1, "results": [{"id": "ntf-0042", "sha256": workers.audit_subscriber(
            {"received": {"Messages": [{"MessageId": "m", "ReceiptHandle": "r", "Body": json.dumps(example("notification.json")["notification"])}]}}
        )["results"][0]["sha256"]}]},
    ]
    assert effects["queues"] == {"notify-email": [], "notify-sms": [], "notify-audit": []}  # consumed and deleted
    assert types(execution).count("MapIterationSucceeded") == 3
    assert entered(execution).count("DeleteMessages") == 3


# --------------------------------------------------------------------------- batch on moto


def test_message_batch_at_volume(aws: None) -> None:
    messages = [{"id": f"msg-{i:04d}", "text": f"message number {i}" + (" #fail" if i % 25 == 0 else "")} for i in range(1, 101)]
    messages += messages[:5]  # five duplicates
    execution, effects = run_on_moto("message_batch", {"messages": messages})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"total": 105, "written": 96, "duplicates": 5, "failed": 4,
                                "failedIds": ["msg-0025", "msg-0050", "msg-0075", "msg-0100"]}
    assert len(effects["tables"]["Messages"]) == 96
    assert sorted(json.loads(b)["message"]["id"] for b in effects["queues"]["message-dlq"]) == ["msg-0025", "msg-0050", "msg-0075", "msg-0100"]
    assert effects["sms"] == [{"phoneNumber": "+15555550100", "message": "Batch done: 96 written, 5 duplicates, 4 failed."}]
    assert types(execution).count("MapIterationSucceeded") == 105


# --------------------------------------------------------------------------- MockConfigFile test cases (no AWS at all)


def run_case(flow: str, case: str, event: Any, handlers: dict[str, Any] | None = None) -> asl_engine.Execution:
    return machine(flow).run(event, mocks=MOCKS.mocks(flow, case), handlers=handlers or {}, clock=asl_engine.VirtualClock())


def test_mock_config_lists_the_flows_and_cases() -> None:
    assert sorted(MOCKS.state_machines) == ["message_batch", "message_processing", "notification_fanout"]
    assert MOCKS.test_cases("message_processing") == [
        "HappyPath", "RetryThenSuccess", "InvalidRequest", "WorkerFailureToDLQ", "WriteFailureToDLQ", "DuplicateMessage"]


@pytest.mark.parametrize("case", ["HappyPath", "RetryThenSuccess"])
def test_mock_message_processing_succeeds(case: str) -> None:
    execution = run_case("message_processing", case, example("post_request.json"))
    assert execution.output == {"messageId": "msg-0001", "status": "PROCESSED", "written": True, "record": RECORD,
                                "queueMessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51", "smsMessageId": "sns-message-0001"}
    retries = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert len(retries) == (2 if case == "RetryThenSuccess" else 0)


def test_mock_message_processing_invalid_request() -> None:
    execution = run_case("message_processing", "InvalidRequest", example("invalid_request.json"))
    assert (execution.status, execution.error) == ("FAILED", "InvalidRequest")
    assert json.loads(execution.cause or "")["errorMessage"] == "body must be an object with a non-empty 'text'"


@pytest.mark.parametrize("case,error", [("WorkerFailureToDLQ", "PermanentWorkerError"),
                                        ("WriteFailureToDLQ", "DynamoDB.ResourceNotFoundException")])
def test_mock_message_processing_failure_to_dlq(case: str, error: str) -> None:
    execution = run_case("message_processing", case, example("post_request.json"))
    assert (execution.status, execution.error) == ("FAILED", "MessageFailed")
    scheduled = [e for e in execution.history if e["type"] == "TaskScheduled"]
    dlq = json.loads(scheduled[-2]["taskScheduledEventDetails"]["parameters"])
    assert dlq["MessageBody"]["error"]["Error"] == error
    assert entered(execution)[-3:] == ["SendToDeadLetterQueue", "AlertOperators", "MessageFailed"]


def test_mock_message_processing_duplicate() -> None:
    execution = run_case("message_processing", "DuplicateMessage", example("post_request.json"))
    assert execution.output == {"messageId": "msg-0001", "status": "DUPLICATE", "written": False}
    assert "NotifySubscriber" not in entered(execution)


def test_mock_fanout_cases() -> None:
    happy = run_case("notification_fanout", "HappyPath", example("notification.json"), HANDLERS)
    assert [d["subscriber"] for d in happy.output["deliveries"]] == ["email", "sms", "audit"]
    assert happy.output["deliveries"][0]["results"] == [{"id": "ntf-0042", "subject": "[warning] Disk almost full"}]
    empty = run_case("notification_fanout", "EmptyQueues", example("notification.json"), HANDLERS)
    assert [d["handled"] for d in empty.output["deliveries"]] == [0, 0, 0]
    assert "DeleteMessages" not in entered(empty)
    retry = run_case("notification_fanout", "WorkerRetryThenSuccess", example("notification.json"))
    assert retry.status == "SUCCEEDED"
    assert [e["taskFailedEventDetails"]["error"] for e in retry.history if e["type"] == "TaskFailed"] == ["TransientWorkerError"]


@pytest.mark.parametrize("case,expected", [
    ("HappyPath", {"total": 5, "written": 4, "duplicates": 0, "failed": 1, "failedIds": ["msg-1003"]}),
    ("DuplicateMessages", {"total": 5, "written": 0, "duplicates": 4, "failed": 1, "failedIds": ["msg-1003"]}),
    ("WorkerFailureToDLQ", {"total": 5, "written": 0, "duplicates": 0, "failed": 5,
                            "failedIds": ["msg-1001", "msg-1002", "msg-1003", "msg-1001", "msg-1004"]}),
])
def test_mock_batch_cases(case: str, expected: dict[str, Any]) -> None:
    execution = run_case("message_batch", case, example("batch.json"), HANDLERS)
    assert execution.output == expected


# --------------------------------------------------------------------------- asl run --local-aws


def cli(*args: str) -> Any:
    from click.testing import CliRunner

    from asl_cli.main import cli as main

    return CliRunner().invoke(main, list(args))


def test_cli_local_aws_runs_each_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    before = dict(os.environ)
    fan = cli("run", "definitions/notification_fanout.asl.json", "--input-file", "definitions/examples/notification.json",
              "--local-aws", "--handler-module", "definitions.workers", "--skip-waits")
    assert fan.exit_code == 0, fan.stderr
    assert [d["subscriber"] for d in json.loads(fan.stdout)["deliveries"]] == ["email", "sms", "audit"]
    assert "SQS queue notify-email: 0 message(s)" in fan.stderr
    batch = cli("run", "definitions/message_batch.asl.json", "--input-file", "definitions/examples/batch.json",
                "--local-aws", "--handler-module", "definitions.workers", "--skip-waits")
    assert batch.exit_code == 0, batch.stderr
    assert json.loads(batch.stdout)["failedIds"] == ["msg-1003"]
    assert "  to +15555550100: Batch done: 3 written, 1 duplicates, 1 failed." in batch.stderr
    failing = cli("run", "definitions/message_processing.asl.json", "--input-file", "definitions/examples/failing_request.json",
                  "--local-aws", "--handler-module", "definitions.workers", "--skip-waits")
    assert failing.exit_code == 1
    assert json.loads(failing.stdout)["error"] == "MessageFailed"
    assert "SQS queue message-dlq: 1 message(s)" in failing.stderr
    assert "TaskFailed                       lambda:invoke error=PermanentWorkerError" in failing.stderr
    assert dict(os.environ) == before  # the fake credentials are gone again


def test_cli_local_aws_without_moto_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.chdir(REPO)
    monkeypatch.setitem(sys.modules, "moto", None)
    result = cli("run", "definitions/message_processing.asl.json", "--local-aws")
    assert result.exit_code == 2
    assert result.stderr.strip() == "asl: --local-aws needs moto: pip install 'asl-engine[local]'"


def test_cli_local_aws_refuses_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = cli("run", "definitions/message_processing.asl.json", "--local-aws", "--endpoint-url", "http://localhost:4566")
    assert result.exit_code == 2
    assert "--local-aws cannot be combined with --endpoint-url" in result.stderr
