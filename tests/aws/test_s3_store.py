"""``S3ObjectStore``: a distributed Map's objects on S3 (moto in process; botocore's
``Stubber`` for what moto cannot answer: a second ListObjectsV2 page without
1000 objects, an unmodeled error)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("moto")

import boto3  # noqa: E402
from botocore.stub import Stubber  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import asl_engine  # noqa: E402
from asl_engine import AwsConfig, S3ObjectStore  # noqa: E402
from asl_engine.errors import StatesError  # noqa: E402
from asl_engine.tasks.objects import NoSuchObject, iter_object_lines  # noqa: E402

from .test_integrations import aws, aws_env  # noqa: E402,F401 - the moto fixtures

BUCKET = "items-bucket"
# "€" is 3 bytes and "𝄞" 4: with 5-byte chunks both are cut by chunk boundaries.
TEXT = '{"n":"€uro"}\n{"n":"𝄞 clef"}\n\n{"n":"end"}'


@pytest.fixture
def s3(aws: None) -> Iterator[Any]:
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    yield client


def test_put_get_and_iter_lines_cut_multi_byte_characters_across_chunks(s3: Any) -> None:
    store = S3ObjectStore(chunk_size=5)
    store.put_object(BUCKET, "in/items.jsonl", TEXT)
    assert s3.get_object(Bucket=BUCKET, Key="in/items.jsonl")["Body"].read() == TEXT.encode("utf-8")
    assert store.get_object(BUCKET, "in/items.jsonl") == TEXT
    assert store.get_object_bytes(BUCKET, "in/items.jsonl") == TEXT.encode("utf-8")
    lines = list(store.iter_lines(BUCKET, "in/items.jsonl"))
    assert lines == ['{"n":"€uro"}\n', '{"n":"𝄞 clef"}\n', "\n", '{"n":"end"}']
    assert list(iter_object_lines(store, BUCKET, "in/items.jsonl")) == lines  # the engine's route
    store.put_object(BUCKET, "empty", "")
    assert list(store.iter_lines(BUCKET, "empty")) == []


def test_undecodable_bytes_become_replacement_characters(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="bin", Body=b"ok\n\xff\xfe\n")
    store = S3ObjectStore(chunk_size=1)
    assert list(store.iter_lines(BUCKET, "bin")) == ["ok\n", "\ufffd\ufffd\n"]
    assert store.get_object_bytes(BUCKET, "bin") == b"ok\n\xff\xfe\n"


def test_missing_keys_and_buckets_are_no_such_object_before_any_line(s3: Any) -> None:
    store = S3ObjectStore()
    with pytest.raises(NoSuchObject, match=f"s3://{BUCKET}/nope"):
        store.get_object(BUCKET, "nope")
    with pytest.raises(NoSuchObject):
        store.iter_lines(BUCKET, "nope")  # the call raises, not the first next()
    with pytest.raises(NoSuchObject):
        store.get_object_bytes("no-such-bucket", "k")
    with pytest.raises(NoSuchObject, match="s3://no-such-bucket$"):
        store.list_objects("no-such-bucket")


def test_a_write_to_a_missing_bucket_is_the_error_s3_answered(s3: Any) -> None:
    with pytest.raises(StatesError) as caught:
        S3ObjectStore().put_object("no-such-bucket", "k", "x")
    assert caught.value.error == "S3.NoSuchBucketException"
    assert "Service: S3, Status Code: 404" in str(caught.value.cause)


def test_list_objects_has_the_store_shape_and_honours_the_prefix(s3: Any) -> None:
    store = S3ObjectStore()
    store.put_object(BUCKET, "data/b.json", "[2]")
    store.put_object(BUCKET, "data/a.json", "[1]")
    store.put_object(BUCKET, "other.json", "[]")
    listed = store.list_objects(BUCKET, "data/")
    assert [o["Key"] for o in listed] == ["data/a.json", "data/b.json"]
    assert set(listed[0]) == {"Key", "Size", "ETag", "LastModified", "StorageClass"}
    assert listed[0]["Size"] == 3
    assert listed[0]["ETag"] == '"' + hashlib.md5(b"[1]").hexdigest() + '"'  # noqa: S324
    assert listed[0]["StorageClass"] == "STANDARD"
    datetime.strptime(listed[0]["LastModified"], "%Y-%m-%dT%H:%M:%SZ")
    assert len(store.list_objects(BUCKET)) == 3


def test_list_objects_follows_every_page(aws_env: None) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    moment = datetime(2024, 5, 1, 12, 0, 0, 120000, tzinfo=timezone.utc)
    entry = {"Size": 1, "ETag": '"e"', "LastModified": moment, "StorageClass": "STANDARD"}
    with Stubber(client) as stub:
        stub.add_response("list_objects_v2", {"Contents": [{"Key": "a", **entry}], "IsTruncated": True,
                                              "NextContinuationToken": "t1"}, {"Bucket": BUCKET, "Prefix": "p"})
        stub.add_response("list_objects_v2", {"Contents": [{"Key": "b", **entry}], "IsTruncated": False},
                          {"Bucket": BUCKET, "Prefix": "p", "ContinuationToken": "t1"})
        listed = S3ObjectStore(client=client).list_objects(BUCKET, "p")
    assert [o["Key"] for o in listed] == ["a", "b"]
    assert listed[0]["LastModified"] == "2024-05-01T12:00:00.120Z"


def test_other_s3_errors_are_aws_sdk_style_states_errors(aws_env: None) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
        with pytest.raises(StatesError) as caught:
            S3ObjectStore(client=client).get_object(BUCKET, "k")
    # AccessDenied: S3.AccessDeniedException where botocore models it, else S3.S3Exception (as for aws-sdk:s3).
    assert caught.value.error in ("S3.AccessDeniedException", "S3.S3Exception")
    assert str(caught.value.cause).startswith("Access Denied (Service: S3, Status Code: 403")


def test_put_object_file_uploads_the_file(s3: Any, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text('[{"n":"€"}]', encoding="utf-8")
    store = S3ObjectStore()
    store.put_object_file(BUCKET, "out/results.json", str(path))
    assert store.get_object(BUCKET, "out/results.json") == '[{"n":"€"}]'


# --------------------------------------------------------------------------- a distributed Map on moto's S3

DEFINITION = {
    "StartAt": "Each",
    "States": {"Each": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": BUCKET, "Key": "in/items.jsonl"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": BUCKET, "Prefix": "out"}},
        "End": True,
    }},
}


def assert_results_on_s3(s3: Any, output: dict[str, Any]) -> None:
    manifest_key = output["ResultWriterDetails"]["Key"]
    assert output["ResultWriterDetails"]["Bucket"] == BUCKET
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="out/")["Contents"]}
    prefix = manifest_key.rsplit("/", 1)[0]
    assert keys == {manifest_key, f"{prefix}/SUCCEEDED_0.json"}
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=manifest_key)["Body"].read())
    assert manifest["DestinationBucket"] == BUCKET
    records = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{prefix}/SUCCEEDED_0.json")["Body"].read())
    assert sorted(json.loads(r["Output"])["n"] for r in records) == ["end", "€uro", "𝄞 clef"]


def test_a_distributed_map_reads_items_from_and_writes_results_to_s3(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="in/items.jsonl", Body=TEXT.replace("\n\n", "\n").encode("utf-8"))
    execution = asl_engine.load(DEFINITION).run({}, object_store=S3ObjectStore(AwsConfig(), chunk_size=7))
    assert execution.status == "SUCCEEDED", execution.cause
    assert_results_on_s3(s3, execution.output)


def test_a_missing_items_object_fails_the_reader(s3: Any) -> None:
    execution = asl_engine.load(DEFINITION).run({}, object_store=S3ObjectStore())
    assert execution.status == "FAILED"
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause == f"The specified key does not exist. (Bucket: {BUCKET}, Key: in/items.jsonl)"


def test_asl_run_with_aws_uses_s3_for_the_map(s3: Any, tmp_path: Path) -> None:
    from asl_cli.main import cli

    s3.put_object(Bucket=BUCKET, Key="in/items.jsonl", Body=TEXT.replace("\n\n", "\n").encode("utf-8"))
    path = tmp_path / "map.asl.json"
    path.write_text(json.dumps(DEFINITION))
    result = CliRunner().invoke(cli, ["run", str(path), "--aws", "--region", "us-east-1"])
    assert result.exit_code == 0, result.stderr
    assert_results_on_s3(s3, json.loads(result.stdout))


def test_items_dir_still_wins_over_s3_with_aws(s3: Any, tmp_path: Path) -> None:
    from asl_cli.main import cli

    (tmp_path / BUCKET / "in").mkdir(parents=True)
    (tmp_path / BUCKET / "in" / "items.jsonl").write_text('{"n":"local"}\n', encoding="utf-8")
    path = tmp_path / "map.asl.json"
    path.write_text(json.dumps(DEFINITION))
    result = CliRunner().invoke(cli, ["run", str(path), "--aws", "--region", "us-east-1", "--items-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="out/")
    assert list((tmp_path / BUCKET / "out").rglob("SUCCEEDED_0.json"))


def test_creating_the_store_does_not_import_boto3() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from asl_engine import S3ObjectStore, AwsConfig; S3ObjectStore(AwsConfig(region='us-east-1'));"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')]; assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
