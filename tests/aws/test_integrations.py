"""The AWS runner (issue #5): Task states called through boto3, as Step Functions calls them.

Services run in-process on moto (``mock_aws``); what moto cannot produce
(Lambda function errors without Docker, AWS's exact error answers, S3's
extended request id) is answered by botocore's ``Stubber`` on the runner's
own client. Expected names, shapes and cause formats are those recorded
against AWS in ``shared/conformance/localstack`` (cited per test).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("moto")  # the dev extra's test dependency

import boto3  # noqa: E402
from botocore.response import StreamingBody  # noqa: E402
from botocore.stub import Stubber  # noqa: E402
from moto import mock_aws  # noqa: E402

from asl_engine.errors import EngineError, StatesError  # noqa: E402
from asl_engine.tasks.aws import AwsConfig, AwsTaskRunner  # noqa: E402
from asl_engine.tasks.aws.naming import sdk_v2_exception_name, sdk_v2_service_name  # noqa: E402
from asl_engine.tasks.aws.sdk import boto_service_name  # noqa: E402
from asl_engine.tasks.aws.shapes import epoch_millis, instant_text  # noqa: E402
from asl_engine.tasks.base import TaskRequest, parse_resource  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
SM_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Machine"
EXEC_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Machine:run-1"
CONTEXT = {"StateMachine": {"Id": SM_ARN, "Name": "Machine"}, "Execution": {"Id": EXEC_ARN, "Name": "run-1"}}
REQUEST_ID = r"[A-Za-z0-9-]+"


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and a region, and nothing from the developer's own AWS setup."""
    for name in list(os.environ):
        if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")) or name in (
            "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
        ):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    """moto in-process; Lambda without Docker (moto's "simple" Lambda echoes the event)."""
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield


@pytest.fixture
def runner() -> AwsTaskRunner:
    return AwsTaskRunner(AwsConfig())


def run(runner: AwsTaskRunner, resource: str, parameters: Any, **request: Any) -> Any:
    """Invoke one Task through the runner, as the dispatcher does."""
    task = TaskRequest(state_name="Task", resource=resource, parameters=parameters, context=request.pop("context", CONTEXT), **request)
    return runner.invoke(parse_resource(resource), parameters, task)


def fail(runner: AwsTaskRunner, resource: str, parameters: Any, **request: Any) -> StatesError:
    with pytest.raises(StatesError) as caught:
        run(runner, resource, parameters, **request)
    return caught.value


def v1_cause(message: str, service: str, status: int, code: str) -> str:
    """The SDK 1.x cause of an optimized integration, the request id as a pattern."""
    return (
        re.escape(f"{message} (Service: {service}; Status Code: {status}; Error Code: {code}; Request ID: ")
        + REQUEST_ID
        + re.escape("; Proxy: null)")
    )


def assert_sdk_metadata(result: dict[str, Any]) -> None:
    """``SdkHttpMetadata``/``SdkResponseMetadata`` as AWS shapes them, from the real HTTP answer."""
    http = result["SdkHttpMetadata"]
    assert set(http) == {"AllHttpHeaders", "HttpHeaders", "HttpStatusCode"}
    assert http["HttpStatusCode"] == 200
    assert all(isinstance(v, list) for v in http["AllHttpHeaders"].values())
    assert http["HttpHeaders"] == {k: ", ".join(v) for k, v in http["AllHttpHeaders"].items()}
    assert list(http["HttpHeaders"]) == sorted(http["HttpHeaders"], key=str.lower)
    headers = {k.lower(): v for k, v in http["HttpHeaders"].items()}
    assert result["SdkResponseMetadata"] == {"RequestId": headers["x-amzn-requestid"]}


def make_queue(name: str = "q") -> str:
    return str(boto3.client("sqs").create_queue(QueueName=name)["QueueUrl"])


def receive(queue_url: str) -> list[dict[str, Any]]:
    return list(boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []))


def make_table(name: str = "Messages") -> None:
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def make_function(name: str = "echo") -> str:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    role = boto3.client("iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    created = boto3.client("lambda").create_function(
        FunctionName=name, Runtime="python3.11", Role=role, Handler="handler.handler", Code={"ZipFile": code.getvalue()}
    )
    return str(created["FunctionArn"])


def streaming(text: str) -> StreamingBody:
    data = text.encode()
    return StreamingBody(io.BytesIO(data), len(data))


# --------------------------------------------------------------------------- laziness


def test_importing_the_package_and_creating_a_runner_does_not_import_boto3() -> None:
    """boto3 is loaded by the first AWS call, not by ``import asl_engine`` or by the runner."""
    code = """
import sys
import asl_engine
from asl_engine.tasks.aws import AwsConfig, AwsTaskRunner
from asl_engine.tasks.base import TaskRequest, parse_resource
from asl_engine.errors import StatesError
runner = AwsTaskRunner(AwsConfig(region="us-east-1", endpoint_url="http://127.0.0.1:9"))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "moto"))
assert not loaded, loaded
resource = "arn:aws:states:::sqs:sendMessage"
params = {"QueueUrl": "http://127.0.0.1:9/123456789012/q", "MessageBody": "hi"}
try:
    runner.invoke(parse_resource(resource), params, TaskRequest("S", resource, params, {}))
except StatesError as exc:
    print(exc.error)
assert "boto3" in sys.modules and "botocore" in sys.modules
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_MAX_ATTEMPTS="1", AWS_EC2_METADATA_DISABLED="true")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SQS.SdkClientException"


# --------------------------------------------------------------------------- Lambda


def test_lambda_function_arn_returns_the_function_payload(aws: None, runner: AwsTaskRunner) -> None:
    """Legacy ``arn:aws:lambda:...:function:f``: the result is the payload itself (moto echoes the event)."""
    arn = make_function()
    assert run(runner, arn, {"body": "string body"}) == {"body": "string body"}
    assert run(runner, arn, "HelloWorld") == "HelloWorld"
    assert run(runner, arn, [1, 2.5, None]) == [1, 2.5, None]


def test_lambda_invoke_result_shape(aws: None, runner: AwsTaskRunner) -> None:
    """``lambda:invoke`` wraps the parsed payload: Payload, StatusCode, SdkHttpMetadata, SdkResponseMetadata."""
    make_function()
    result = run(runner, "arn:aws:states:::lambda:invoke", {"FunctionName": "echo", "Payload": {"body": "string body"}})
    assert list(result) == sorted(result)
    assert result["Payload"] == {"body": "string body"}
    assert result["StatusCode"] == 200
    assert_sdk_metadata(result)
    # No Payload: the function gets {} (AWS-recorded test_invoke: echo -> "Payload": {}).
    assert run(runner, "arn:aws:states:::lambda:invoke", {"FunctionName": "echo"})["Payload"] == {}


def test_lambda_invoke_exact_result_from_a_stubbed_answer(aws_env: None, runner: AwsTaskRunner) -> None:
    """Every member AWS returns, sorted, with LogType Tail (AWS-recorded test_invoke_unsupported_param)."""
    client = runner.client("lambda")
    headers = {"content-type": "application/json", "x-amz-executed-version": "$LATEST", "x-amzn-requestid": "req-1"}
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {
                "StatusCode": 200,
                "ExecutedVersion": "$LATEST",
                "LogResult": "bG9ncw==",
                "Payload": streaming('{"theAnswer": 42}'),
                "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 200, "HTTPHeaders": headers},
            },
            {"FunctionName": "f", "LogType": "Tail", "Payload": b'"hi"'},
        )
        result = run(runner, "arn:aws:states:::lambda:invoke", {"FunctionName": "f", "LogType": "Tail", "Payload": "hi"})
    assert result == {
        "ExecutedVersion": "$LATEST",
        "LogResult": "bG9ncw==",
        "Payload": {"theAnswer": 42},
        "SdkHttpMetadata": {
            "AllHttpHeaders": {k: [v] for k, v in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": "req-1"},
        "StatusCode": 200,
    }


PYTHON_RUNTIME_ERROR = (
    '{"errorMessage": "Some exception was raised.", "errorType": "Exception", "requestId": "r-1", '
    '"stackTrace": ["  File \\"/var/task/handler.py\\", line 2, in handler\\n"]}'
)


def test_lambda_function_error_for_a_function_arn_keeps_the_payload_text(aws_env: None, runner: AwsTaskRunner) -> None:
    """Error = errorType, cause = the payload as the runtime sent it (AWS-recorded test_task_lambda::test_raise_exception_catch)."""
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fails"
    with Stubber(runner.client("lambda", REGION)) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": streaming(PYTHON_RUNTIME_ERROR)})
        error = fail(runner, arn, {})
    assert (error.error, error.cause) == ("Exception", PYTHON_RUNTIME_ERROR)


def test_lambda_invoke_function_error_cause_is_compact_json(aws_env: None, runner: AwsTaskRunner) -> None:
    """``lambda:invoke`` re-serialises the payload compactly (AWS-recorded test_task_service_lambda)."""
    with Stubber(runner.client("lambda")) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": streaming(PYTHON_RUNTIME_ERROR)})
        stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": streaming('{"errorMessage": "out of memory"}')})
        error = fail(runner, "arn:aws:states:::lambda:invoke", {"FunctionName": "f", "Payload": None})
        unknown = fail(runner, "arn:aws:states:::lambda:invoke", {"FunctionName": "f"})
    assert error.error == "Exception"
    assert error.cause == (
        '{"errorMessage":"Some exception was raised.","errorType":"Exception","requestId":"r-1",'
        '"stackTrace":["  File \\"/var/task/handler.py\\", line 2, in handler\\n"]}'
    )
    assert (unknown.error, unknown.cause) == ("Lambda.Unknown", '{"errorMessage":"out of memory"}')


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ResourceNotFoundException", 404, "Lambda.ResourceNotFoundException"),
        ("TooManyRequestsException", 429, "Lambda.TooManyRequestsException"),
        ("ServiceException", 500, "Lambda.ServiceException"),
        ("AccessDeniedException", 403, "Lambda.AWSLambdaException"),  # not in Lambda's model: the SDK's base exception
    ],
)
def test_lambda_service_errors(aws_env: None, runner: AwsTaskRunner, code: str, status: int, error: str) -> None:
    """AWS-recorded test_task_service_lambda::test_no_such_function: name and SDK 1.x cause."""
    message = f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope:$LATEST"
    with Stubber(runner.client("lambda")) as stub:
        stub.add_client_error("invoke", code, message, status, response_meta={"RequestId": "abc-123"})
        failure = fail(runner, "arn:aws:states:::lambda:invoke", {"FunctionName": "nope", "Payload": None})
    assert failure.error == error
    assert failure.cause == (
        f"{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; Request ID: abc-123; Proxy: null)"
    )


def test_lambda_function_arn_is_invoked_in_its_own_region(aws_env: None, runner: AwsTaskRunner) -> None:
    arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f:prod"
    client = runner.client("lambda", "eu-west-1")
    assert client.meta.region_name == "eu-west-1"
    with Stubber(client) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "Payload": streaming("not json")}, {
            "FunctionName": arn, "InvocationType": "RequestResponse", "Payload": b'{"a":1}',
        })
        assert run(runner, arn, {"a": 1}) == "not json"


# --------------------------------------------------------------------------- SQS


def test_sqs_send_message_serialises_a_json_body(aws: None, runner: AwsTaskRunner) -> None:
    """MessageBody may be JSON: it is sent as its compact text; result as recorded (test_sqs_send_message)."""
    queue = make_queue()
    result = run(runner, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue, "MessageBody": {"Message": "hi", "n": 1}})
    body = '{"Message":"hi","n":1}'
    assert list(result) == ["MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert result["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert_sdk_metadata(result)
    (message,) = receive(queue)
    assert (message["MessageId"], message["Body"]) == (result["MessageId"], body)


def test_sqs_send_message_with_attributes(aws: None, runner: AwsTaskRunner) -> None:
    queue = make_queue()
    params = {
        "QueueUrl": queue,
        "MessageBody": "test_message_body",
        "MessageAttributes": {"my_attribute_no_1": {"DataType": "String", "StringValue": "Hello"}},
    }
    result = run(runner, "arn:aws:states:::sqs:sendMessage", params)
    assert list(result) == ["MD5OfMessageAttributes", "MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert result["MD5OfMessageBody"] == hashlib.md5(b"test_message_body").hexdigest()


def test_sqs_wait_for_task_token_makes_the_call_and_returns_its_answer(aws: None, runner: AwsTaskRunner) -> None:
    queue = make_queue()
    params = {"QueueUrl": queue, "MessageBody": {"Message": "txt", "TaskToken": "tok-1"}}
    result = run(runner, "arn:aws:states:::sqs:sendMessage.waitForTaskToken", params)
    assert set(result) == {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    (message,) = receive(queue)
    assert json.loads(message["Body"]) == {"Message": "txt", "TaskToken": "tok-1"}


def test_sqs_queue_does_not_exist(aws: None, runner: AwsTaskRunner) -> None:
    failure = fail(runner, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": make_queue() + "-gone", "MessageBody": "x"})
    assert failure.error == "SQS.QueueDoesNotExistException"
    assert re.fullmatch(
        v1_cause("The specified queue does not exist.", "AmazonSQS", 400, "AWS.SimpleQueueService.NonExistentQueue"),
        failure.cause or "",
    )


# --------------------------------------------------------------------------- SNS


def test_sns_publish_to_a_topic(aws: None, runner: AwsTaskRunner) -> None:
    """A JSON Message is sent as its text; result {MessageId, Sdk*} (AWS-recorded test_sns_publish_base)."""
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="notices")["TopicArn"]
    queue = make_queue("subscriber")
    queue_arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    result = run(runner, "arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": {"message": "hi"}, "Subject": "s"})
    assert list(result) == ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert_sdk_metadata(result)
    (message,) = receive(queue)
    assert message["Body"] == '{"message":"hi"}'


def test_sns_publish_sms(aws: None, runner: AwsTaskRunner) -> None:
    from moto.sns import sns_backends

    result = run(runner, "arn:aws:states:::sns:publish", {"PhoneNumber": "+15555550100", "Message": "Your code is 1234"})
    assert list(result) == ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    sent = sns_backends[ACCOUNT][REGION].sms_messages
    assert sent[result["MessageId"]] == ("+15555550100", "Your code is 1234")


def test_sns_topic_not_found(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_publish_base_error_topic_arn: ``SNS.NotFoundException``, Error Code NotFound."""
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:missing"
    failure = fail(runner, "arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": {"Message": "HelloWorld!"}})
    assert failure.error == "SNS.NotFoundException"
    # The message is the service's own (AWS: "Topic does not exist"; moto says "Endpoint does not exist").
    assert re.fullmatch(v1_cause("Endpoint does not exist", "AmazonSNS", 404, "NotFound"), failure.cause or "")


def test_sns_invalid_parameter_from_aws(aws_env: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_fifo_message_attribute_input_params: code InvalidParameter -> SNS.InvalidParameterException."""
    message = "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    with Stubber(runner.client("sns")) as stub:
        stub.add_client_error("publish", "InvalidParameter", message, 400, response_meta={"RequestId": "r-9"})
        failure = fail(runner, "arn:aws:states:::sns:publish", {"TopicArn": "arn:aws:sns:us-east-1:1:t.fifo", "Message": "m"})
    assert failure.error == "SNS.InvalidParameterException"
    assert failure.cause == f"{message} (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: r-9; Proxy: null)"


# --------------------------------------------------------------------------- DynamoDB


def test_dynamodb_put_get_update_delete(aws: None, runner: AwsTaskRunner) -> None:
    """Results as recorded (test_base_integrations_DYNAMODB_PUT_UPDATE_GET_ITEM): Item in DynamoDB JSON + Sdk*."""
    make_table()
    item = {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}, "count": {"N": "3"}, "raw": {"B": "aGk="}}
    put = run(runner, "arn:aws:states:::dynamodb:putItem", {"TableName": "Messages", "Item": item})
    assert list(put) == ["SdkHttpMetadata", "SdkResponseMetadata"]
    assert_sdk_metadata(put)
    got = run(runner, "arn:aws:states:::dynamodb:getItem", {"TableName": "Messages", "Key": {"id": {"S": "id1"}}})
    assert list(got) == ["Item", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert got["Item"] == item  # numbers stay strings, binary stays base64
    updated = run(runner, "arn:aws:states:::dynamodb:updateItem", {
        "TableName": "Messages",
        "Key": {"id": {"S": "id1"}},
        "UpdateExpression": "set S=:r",
        "ExpressionAttributeValues": {":r": {"S": "HelloWorldUpdated"}},
        "ReturnValues": "UPDATED_NEW",
    })
    assert updated["Attributes"] == {"S": {"S": "HelloWorldUpdated"}}
    deleted = run(runner, "arn:aws:states:::dynamodb:deleteItem", {"TableName": "Messages", "Key": {"id": {"S": "id1"}}})
    assert list(deleted) == ["SdkHttpMetadata", "SdkResponseMetadata"]
    assert "Item" not in run(runner, "arn:aws:states:::dynamodb:getItem", {"TableName": "Messages", "Key": {"id": {"S": "id1"}}})


def test_dynamodb_conditional_put_fails(aws: None, runner: AwsTaskRunner) -> None:
    make_table()
    params = {"TableName": "Messages", "Item": {"id": {"S": "m-1"}}, "ConditionExpression": "attribute_not_exists(id)"}
    run(runner, "arn:aws:states:::dynamodb:putItem", params)
    failure = fail(runner, "arn:aws:states:::dynamodb:putItem", params)
    assert failure.error == "DynamoDB.ConditionalCheckFailedException"
    assert re.fullmatch(
        v1_cause("The conditional request failed", "AmazonDynamoDBv2", 400, "ConditionalCheckFailedException"), failure.cause or ""
    )


def test_dynamodb_no_such_table(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_put_item_no_such_table (optimized)."""
    failure = fail(runner, "arn:aws:states:::dynamodb:putItem", {"TableName": "missing", "Item": {"id": {"S": "id1"}}})
    assert failure.error == "DynamoDB.ResourceNotFoundException"
    assert re.fullmatch(
        v1_cause("Requested resource not found", "AmazonDynamoDBv2", 400, "ResourceNotFoundException"), failure.cause or ""
    )


def test_dynamodb_unmodeled_error_is_the_sdk_base_exception(aws_env: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_invalid_param: ValidationException -> DynamoDB.AmazonDynamoDBException."""
    message = "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null"
    with Stubber(runner.client("dynamodb")) as stub:
        stub.add_client_error("put_item", "ValidationException", message, 400, response_meta={"RequestId": "R1"})
        failure = fail(runner, "arn:aws:states:::dynamodb:putItem", {"TableName": "t", "Item": None})
    assert failure.error == "DynamoDB.AmazonDynamoDBException"
    assert failure.cause == (
        f"{message} (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: R1; Proxy: null)"
    )


# --------------------------------------------------------------------------- EventBridge


def test_events_put_events(aws: None, runner: AwsTaskRunner) -> None:
    """Detail JSON sent as text, the machine's and execution's ARNs added to Resources; no Sdk* (AWS-recorded)."""
    events = boto3.client("events")
    queue = make_queue("bus-target")
    queue_arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["some.source"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": queue_arn}])
    entries = [{"Detail": {"Message": "HelloWorld"}, "DetailType": "detail-type", "Source": "some.source", "Resources": ["arn:x"]}]
    result = run(runner, "arn:aws:states:::events:putEvents", {"Entries": entries})
    assert list(result) == ["Entries", "FailedEntryCount"]
    assert result["FailedEntryCount"] == 0
    assert list(result["Entries"][0]) == ["EventId"]
    (message,) = receive(queue)
    event = json.loads(message["Body"])
    assert event["detail"] == {"Message": "HelloWorld"}
    assert event["resources"] == ["arn:x", SM_ARN, EXEC_ARN]
    assert entries[0]["Resources"] == ["arn:x"]  # the state's parameters are not changed


def test_events_failed_entry(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_put_events_no_source: EventBridge.FailedEntry, cause = the result's JSON."""
    entries = [
        {"Detail": {"Message": "HelloWorld1"}, "DetailType": "detail-type", "Source": "some.source"},
        {"Detail": {"Message": "HelloWorld"}, "DetailType": "detail-type"},
    ]
    failure = fail(runner, "arn:aws:states:::events:putEvents", {"Entries": entries})
    assert failure.error == "EventBridge.FailedEntry"
    cause = json.loads(failure.cause or "")
    assert cause["FailedEntryCount"] == 1
    assert cause["Entries"][1] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
    }
    assert failure.cause == json.dumps(cause, separators=(",", ":"))


# --------------------------------------------------------------------------- aws-sdk


def test_aws_sdk_s3_put_and_get_object(aws: None, runner: AwsTaskRunner) -> None:
    """Body is sent as JSON text (AWS-recorded ETags: "text data" is stored with its quotes); Body comes back as text, last."""
    run(runner, "arn:aws:states:::aws-sdk:s3:createBucket", {"Bucket": "bucket-name"})
    put = run(runner, "arn:aws:states:::aws-sdk:s3:putObject", {"Bucket": "bucket-name", "Key": "file-key", "Body": "text data"})
    assert put["ETag"] == '"2b5df3712557f503a9977a8ea893b2c9"'  # as recorded by test_s3_put_object_str
    put = run(runner, "arn:aws:states:::aws-sdk:s3:putObject", {"Bucket": "bucket-name", "Key": "file-key", "Body": {"Dict": "Value"}})
    assert put["ETag"] == '"49e31cee5aec8faf3345893addb14346"'  # test_s3_put_object_dict
    assert list(put) == sorted(put)
    got = run(runner, "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "bucket-name", "Key": "file-key"})
    assert list(got)[-1] == "Body"
    assert list(got)[:-1] == sorted(list(got)[:-1])
    assert got["Body"] == '{"Dict":"Value"}'
    assert got["ContentLength"] == 16
    assert got["Metadata"] == {}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", got["LastModified"])
    assert "ResponseMetadata" not in got


def test_aws_sdk_s3_no_such_key_and_no_such_bucket(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_s3_no_such_key / test_no_such_bucket: SDK 2.x names and cause format."""
    missing_bucket = fail(runner, "arn:aws:states:::aws-sdk:s3:listObjects", {"Bucket": "someNonexistentBucketName"})
    assert missing_bucket.error == "S3.NoSuchBucketException"
    assert re.fullmatch(
        re.escape("The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: ")
        + REQUEST_ID
        + re.escape(") (SDK Attempt Count: 1)"),
        missing_bucket.cause or "",
    )
    boto3.client("s3").create_bucket(Bucket="bucket-name")
    missing_key = fail(runner, "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "bucket-name", "Key": "no_such_key.json"})
    assert missing_key.error == "S3.NoSuchKeyException"
    assert (missing_key.cause or "").startswith("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ")


def test_aws_sdk_s3_cause_has_the_extended_request_id(aws_env: None, runner: AwsTaskRunner) -> None:
    with Stubber(runner.client("s3")) as stub:
        stub.add_client_error(
            "get_object", "NoSuchKey", "The specified key does not exist.", 404,
            response_meta={"RequestId": "TX1", "HostId": "host/2="},
        )
        failure = fail(runner, "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "b", "Key": "k"})
    assert failure.error == "S3.NoSuchKeyException"
    assert failure.cause == (
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: TX1, "
        "Extended Request ID: host/2=) (SDK Attempt Count: 1)"
    )


def test_aws_sdk_dynamodb_errors(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_dynamodb_put_item_no_such_table / test_dynamodb_invalid_param: service name DynamoDb."""
    failure = fail(runner, "arn:aws:states:::aws-sdk:dynamodb:putItem", {"TableName": "missing", "Item": {"id": {"S": "1"}}})
    assert failure.error == "DynamoDb.ResourceNotFoundException"
    assert re.fullmatch(
        re.escape("Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: ")
        + REQUEST_ID
        + re.escape(") (SDK Attempt Count: 1)"),
        failure.cause or "",
    )
    with Stubber(runner.client("dynamodb")) as stub:
        stub.add_client_error("put_item", "ValidationException", "1 validation error detected", 400, response_meta={"RequestId": "R"})
        invalid = fail(runner, "arn:aws:states:::aws-sdk:dynamodb:putItem", {"TableName": "t", "Item": None})
    assert invalid.error == "DynamoDb.DynamoDbException"
    assert invalid.cause == "1 validation error detected (Service: DynamoDb, Status Code: 400, Request ID: R) (SDK Attempt Count: 1)"


def test_aws_sdk_dynamodb_get_item(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_dynamodb_put_get_item (aws-sdk): no Sdk* metadata, {} for putItem."""
    make_table("t")
    assert run(runner, "arn:aws:states:::aws-sdk:dynamodb:putItem", {"TableName": "t", "Item": {"id": {"S": "id1"}}}) == {}
    got = run(runner, "arn:aws:states:::aws-sdk:dynamodb:getItem", {"TableName": "t", "Key": {"id": {"S": "id1"}}})
    assert got == {"Item": {"id": {"S": "id1"}}}


def test_aws_sdk_sfn_camel_case_api_in_pascal_case(aws: None, runner: AwsTaskRunner) -> None:
    """``sfn`` is Step Functions; PascalCase parameters reach camelCase members; Input JSON is serialised (test_sfn_start_execution_implicit_json_serialisation)."""
    sfn = boto3.client("stepfunctions")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    machine = sfn.create_state_machine(name="Target", definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/r")["stateMachineArn"]
    result = run(runner, "arn:aws:states:::aws-sdk:sfn:startExecution", {"StateMachineArn": machine, "Name": "child", "Input": {"key": "value"}})
    assert list(result) == ["ExecutionArn", "StartDate"]
    assert result["ExecutionArn"] == f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Target:child"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z", result["StartDate"])
    assert sfn.describe_execution(executionArn=result["ExecutionArn"])["input"] == '{"key":"value"}'
    missing = fail(runner, "arn:aws:states:::aws-sdk:sfn:describeExecution", {"ExecutionArn": result["ExecutionArn"] + "x"})
    assert missing.error == "Sfn.ExecutionDoesNotExistException"


def test_aws_sdk_secretsmanager_and_service_names(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_list_secrets; service names as Step Functions writes them."""
    assert run(runner, "arn:aws:states:::aws-sdk:secretsmanager:listSecrets", {}) == {"SecretList": []}
    assert run(runner, "arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups", {}) == {"LogGroups": []}


def test_aws_sdk_wait_for_task_token(aws: None, runner: AwsTaskRunner) -> None:
    queue = make_queue()
    result = run(runner, "arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken", {"QueueUrl": queue, "MessageBody": "t"})
    assert list(result) == ["MD5OfMessageBody", "MessageId"]


# --------------------------------------------------------------------------- states:startExecution


def test_start_execution_request_response(aws: None, runner: AwsTaskRunner) -> None:
    sfn = boto3.client("stepfunctions")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    machine = sfn.create_state_machine(name="Target", definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/r")["stateMachineArn"]
    result = run(runner, "arn:aws:states:::states:startExecution", {"StateMachineArn": machine, "Name": "c1", "Input": {"a": 1}})
    assert list(result) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    assert result["ExecutionArn"].endswith(":execution:Target:c1")
    assert isinstance(result["StartDate"], int)
    assert_sdk_metadata(result)


def test_start_execution_no_such_machine(aws: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_start_execution_no_such_arn."""
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:missing"
    failure = fail(runner, "arn:aws:states:::states:startExecution", {"StateMachineArn": arn, "Name": "TestStartTarget"})
    assert failure.error == "StepFunctions.StateMachineDoesNotExistException"
    assert re.fullmatch(
        v1_cause(f"State Machine Does Not Exist: '{arn}'", "AWSStepFunctions", 400, "StateMachineDoesNotExist"), failure.cause or ""
    )


DESCRIBED = {
    "executionArn": "arn:aws:states:us-east-1:1:execution:T:c",
    "stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:T",
    "name": "c",
    "startDate": datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc),
    "input": "{}",
    "inputDetails": {"included": True},
}


def test_start_execution_sync_waits_for_the_child(aws_env: None, runner: AwsTaskRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """``.sync`` returns DescribeExecution in PascalCase with JSON text; ``.sync:2`` parses it (AWS-recorded test_start_execution_sync*)."""
    import asl_engine.tasks.aws.executions as executions

    monkeypatch.setattr(executions, "_POLL_FIRST", 0.0)  # the stubbed child answers at once: no need to wait between polls
    client = runner.client("stepfunctions")
    started = {"executionArn": DESCRIBED["executionArn"], "startDate": DESCRIBED["startDate"]}
    done = dict(DESCRIBED, status="SUCCEEDED", stopDate=datetime(2024, 1, 2, 3, 4, 6, tzinfo=timezone.utc),
                output='{"Arg1":"argument1"}', outputDetails={"included": True})
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_response("start_execution", started, {"stateMachineArn": DESCRIBED["stateMachineArn"], "input": "{}"})
            stub.add_response("describe_execution", dict(DESCRIBED, status="RUNNING"), {"executionArn": DESCRIBED["executionArn"]})
            stub.add_response("describe_execution", done, {"executionArn": DESCRIBED["executionArn"]})
        params = {"StateMachineArn": DESCRIBED["stateMachineArn"], "Input": {}}
        sync = run(runner, "arn:aws:states:::states:startExecution.sync", params)
        sync2 = run(runner, "arn:aws:states:::states:startExecution.sync:2", params)
    assert sync == {
        "ExecutionArn": DESCRIBED["executionArn"],
        "Input": "{}",
        "InputDetails": {"Included": True},
        "Name": "c",
        "Output": '{"Arg1":"argument1"}',
        "OutputDetails": {"Included": True},
        "StartDate": 1704164645123,
        "StateMachineArn": DESCRIBED["stateMachineArn"],
        "Status": "SUCCEEDED",
        "StopDate": 1704164646000,
    }
    assert sync2 == dict(sync, Input={}, Output={"Arg1": "argument1"})


def test_start_execution_sync_child_failure(aws_env: None, runner: AwsTaskRunner) -> None:
    """AWS-recorded test_start_execution_sync_delegate_failure: States.TaskFailed, cause = the description's JSON."""
    failed = dict(DESCRIBED, status="FAILED", error="SomeFailure", cause="boom", stopDate=DESCRIBED["startDate"])
    with Stubber(runner.client("stepfunctions")) as stub:
        stub.add_response("start_execution", {"executionArn": DESCRIBED["executionArn"], "startDate": DESCRIBED["startDate"]})
        stub.add_response("describe_execution", failed)
        failure = fail(runner, "arn:aws:states:::states:startExecution.sync", {"StateMachineArn": DESCRIBED["stateMachineArn"]})
    assert failure.error == "States.TaskFailed"
    assert failure.cause == (
        '{"Cause":"boom","Error":"SomeFailure","ExecutionArn":"arn:aws:states:us-east-1:1:execution:T:c",'
        '"Input":"{}","InputDetails":{"Included":true},"Name":"c","StartDate":1704164645123,'
        '"StateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:T","Status":"FAILED","StopDate":1704164645123}'
    )


def test_start_execution_sync_abort_stops_the_child(aws_env: None, runner: AwsTaskRunner) -> None:
    from asl_engine.errors import Aborted

    cancel = threading.Event()
    cancel.set()
    with Stubber(runner.client("stepfunctions")) as stub:
        stub.add_response("start_execution", {"executionArn": DESCRIBED["executionArn"], "startDate": DESCRIBED["startDate"]})
        stub.add_response("describe_execution", dict(DESCRIBED, status="RUNNING"))
        stub.add_response("stop_execution", {"stopDate": DESCRIBED["startDate"]}, {"executionArn": DESCRIBED["executionArn"]})
        with pytest.raises(Aborted):
            run(runner, "arn:aws:states:::states:startExecution.sync", {"StateMachineArn": "arn"}, cancel=cancel)
        stub.assert_no_pending_responses()


# --------------------------------------------------------------------------- configuration and failures


def test_connection_failure_is_an_sdk_client_exception(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """No answer from the endpoint: ``<Prefix>.SdkClientException`` (retriable by the machine); per-service endpoints win."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    runner = AwsTaskRunner(AwsConfig(endpoint_url="http://127.0.0.1:2", endpoint_urls={"sqs": "http://127.0.0.1:1", "sfn": "http://127.0.0.1:3"}))
    failure = fail(runner, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "http://127.0.0.1:1/1/q", "MessageBody": "x"})
    assert failure.error == "SQS.SdkClientException"
    assert failure.cause == 'Unable to execute HTTP request: Could not connect to the endpoint URL: "http://127.0.0.1:1/"'
    assert runner.client("stepfunctions").meta.endpoint_url == "http://127.0.0.1:3"
    assert runner.client("dynamodb").meta.endpoint_url == "http://127.0.0.1:2"
    s3 = fail(runner, "arn:aws:states:::aws-sdk:s3:listBuckets", {})
    assert s3.error == "S3.SdkClientException"


def test_missing_region_is_an_engine_error(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(EngineError, match="no region"):
        run(AwsTaskRunner(AwsConfig()), "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "x"})


def test_missing_credentials_is_an_engine_error(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    runner = AwsTaskRunner(AwsConfig(endpoint_url="http://127.0.0.1:1"))
    with pytest.raises(EngineError, match="Unable to locate credentials"):
        run(runner, "arn:aws:states:::dynamodb:getItem", {"TableName": "t", "Key": {"id": {"S": "1"}}})


def test_unknown_profile_is_an_engine_error(aws_env: None) -> None:
    with pytest.raises(EngineError, match="could not be found"):
        run(AwsTaskRunner(AwsConfig(profile="nobody")), "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "x"})


def test_region_and_profile_come_from_the_config(aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text("[profile dev]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # the environment would win over the profile
    assert AwsTaskRunner(AwsConfig(profile="dev")).client("sqs").meta.region_name == "ap-south-1"
    assert AwsTaskRunner(AwsConfig(profile="dev", region="eu-north-1")).client("sqs").meta.region_name == "eu-north-1"


def test_credentials_never_appear_in_causes(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    runner = AwsTaskRunner(AwsConfig())
    message = "Signature mismatch for AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    with Stubber(runner.client("sqs")) as stub:
        stub.add_client_error("send_message", "SignatureDoesNotMatch", message, 403, response_meta={"RequestId": "R"})
        failure = fail(runner, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "x"})
    assert failure.cause == (
        "Signature mismatch for **** with **** (Service: AmazonSQS; Status Code: 403; "
        "Error Code: SignatureDoesNotMatch; Request ID: R; Proxy: null)"
    )


def test_clients_are_created_once_and_shared_by_threads(aws_env: None, runner: AwsTaskRunner) -> None:
    seen: list[Any] = []
    barrier = threading.Barrier(8)

    def get() -> None:
        barrier.wait()
        seen.append(runner.client("sqs"))

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in seen}) == 1
    assert runner.client("sqs", "eu-west-1") is not seen[0]


@pytest.mark.parametrize(
    ("resource", "parameters", "message"),
    [
        ("arn:aws:states:::ecs:runTask.sync", {}, "does not support 'arn:aws:states:::ecs:runTask.sync' yet"),
        ("arn:aws:states:::dynamodb:query", {}, "does not support 'dynamodb:query'"),
        ("arn:aws:states:::dynamodb:putItem.waitForTaskToken", {}, "does not support 'dynamodb:putItem.waitForTaskToken'"),
        ("arn:aws:states:::aws-sdk:nosuchservice:doIt", {}, "Unknown AWS SDK service 'nosuchservice'"),
        ("arn:aws:states:::aws-sdk:s3:doIt", {}, "has no action 'doIt'"),
        ("arn:aws:states:us-east-1:123456789012:activity:work", {}, "activity resources need a handler or a mock"),
    ],
)
def test_what_the_runner_refuses(aws_env: None, runner: AwsTaskRunner, resource: str, parameters: Any, message: str) -> None:
    with pytest.raises(EngineError, match=re.escape(message)):
        run(runner, resource, parameters)


def test_unknown_parameter_fails_the_state(aws_env: None, runner: AwsTaskRunner) -> None:
    failure = fail(runner, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "x", "Colour": "red"})
    assert failure.error == "States.Runtime"
    assert failure.cause == "The field 'Colour' is not supported by Step Functions for sqs:sendMessage"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("service_id", "name"),
    [
        ("DynamoDB", "DynamoDb"), ("SFN", "Sfn"), ("S3", "S3"), ("Secrets Manager", "SecretsManager"),
        ("ACM PCA", "AcmPca"), ("CloudWatch Logs", "CloudWatchLogs"), ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
        ("API Gateway", "ApiGateway"), ("EC2", "Ec2"), ("SESv2", "SesV2"),
    ],
)
def test_java_sdk_v2_service_names(service_id: str, name: str) -> None:
    assert sdk_v2_service_name(service_id) == name


def test_java_sdk_v2_exception_names() -> None:
    assert sdk_v2_exception_name("NoSuchKey", "S3") == "NoSuchKeyException"
    assert sdk_v2_exception_name("InvalidToken", "Sfn") == "InvalidTokenException"
    assert sdk_v2_exception_name("KMSAccessDeniedException", "Sns") == "KmsAccessDeniedException"
    assert sdk_v2_exception_name("InternalServerErrorFault", "X") == "InternalServerErrorException"


def test_step_functions_service_names_map_to_boto3() -> None:
    available = boto3.session.Session().get_available_services()
    assert boto_service_name("sfn", available) == "stepfunctions"
    assert boto_service_name("eventbridge", available) == "events"
    assert boto_service_name("s3", available) == "s3"
    assert boto_service_name("iotdataplane", available) == "iot-data"  # found by scanning botocore's models
    assert boto_service_name("nosuchservice", available) is None


def test_timestamp_formats() -> None:
    assert instant_text(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == "2024-01-02T03:04:05Z"
    assert instant_text(datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=timezone.utc)) == "2024-01-02T03:04:05.120Z"
    assert instant_text(datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)) == "2024-01-02T03:04:05.123456Z"
    assert epoch_millis(datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc)) == 1704164645123


# --------------------------------------------------------------------------- through a whole execution


def test_a_state_machine_catches_an_aws_error(aws: None) -> None:
    """End to end (when the engine is wired with ``run(aws=...)``): AWS's error name reaches Catch."""
    import inspect

    import asl_engine

    if "aws" not in inspect.signature(asl_engine.StateMachine.run).parameters:
        pytest.skip("StateMachine.run has no aws= yet")
    make_table()
    machine = asl_engine.load({
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "Messages", "Item": {"id": {"S.$": "$.id"}}, "ConditionExpression": "attribute_not_exists(id)"},
                "ResultPath": None,
                "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.duplicate", "Next": "Duplicate"}],
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "Messages", "Key": {"id": {"S.$": "$.id"}}},
                "ResultSelector": {"item.$": "$.Item"},
                "End": True,
            },
            "Duplicate": {"Type": "Pass", "End": True},
        },
    })
    first = machine.run({"id": "m-1"}, aws=AwsConfig())
    assert (first.status, first.output) == ("SUCCEEDED", {"item": {"id": {"S": "m-1"}}})
    second = machine.run({"id": "m-1"}, aws=AwsConfig())
    assert second.status == "SUCCEEDED"
    assert second.output["duplicate"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert "testing" not in json.dumps(second.history, default=str)  # no credential in any event
