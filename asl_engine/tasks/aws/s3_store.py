"""``S3ObjectStore``: a distributed Map's ``ItemReader`` and ``ResultWriter`` on
Amazon S3 (or LocalStack, a moto server, moto in-process).

::

    from asl_engine.tasks.aws import AwsConfig
    from asl_engine.tasks.aws.s3_store import S3ObjectStore
    machine.run(input, object_store=S3ObjectStore(AwsConfig(endpoint_url="http://localhost:4566")))

The client is the AWS runner's (``clients.Clients``: created on first use,
so making a store imports nothing from boto3), and every call goes through
``calls.call``, so failures read as the aws-sdk integrations' do:

* a missing bucket or key of a read is ``NoSuchObject`` (the ``ObjectStore``
  contract; the ItemReader turns it into ``States.ItemReaderFailed``);
* anything else S3 or the network answers is a ``StatesError`` named in the
  SDK 2.x style (``S3.AccessDeniedException``, ``S3.S3Exception``,
  ``S3.SdkClientException``), with credentials blanked out of the cause;
* missing credentials or region are an ``EngineError`` (the run is misconfigured).

Bodies are UTF-8 text: ``get_object`` and ``iter_lines`` decode with U+FFFD
for bytes that are not UTF-8 (the reader's parse then fails on them, not the
engine); ``get_object_bytes`` returns the bytes as stored.
"""

from __future__ import annotations

import codecs
from typing import Any, Iterable, Iterator

from ...errors import StatesError
from ..objects import NoSuchObject
from .calls import call
from .clients import AwsConfig, Clients
from .errors import sdk_v2_style, translate
from .naming import sdk_v2_exception_name
from .shapes import instant_text

__all__ = ["S3ObjectStore"]

_STYLE = sdk_v2_style("S3")
_MISSING = frozenset(f"S3.{sdk_v2_exception_name(shape, 'S3')}" for shape in ("NoSuchKey", "NoSuchBucket"))
"""The translated errors that mean "no such object": ``NoSuchObject`` instead."""

_READS = frozenset({"GetObject", "ListObjectsV2"})

_CHUNK = 64 * 1024


class S3ObjectStore:
    """An ``ObjectStore`` (with the streaming methods) on S3, through boto3.

    ``config`` says where and as whom (default: boto3's own resolution);
    ``client`` is an S3 client to use instead of creating one (a test's, or
    one with a ``Stubber``). ``chunk_size`` is how many bytes ``iter_lines``
    reads at a time. The store is thread-safe, as boto3 clients are.
    """

    def __init__(self, config: AwsConfig | None = None, client: Any = None, *, chunk_size: int = _CHUNK) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self._clients = Clients(config or AwsConfig())
        self._client = client
        self._chunk_size = chunk_size

    @property
    def client(self) -> Any:
        """The S3 client (created on the first call, which imports boto3)."""
        return self._client if self._client is not None else self._clients.get("s3")

    def _call(self, operation: str, bucket: str, key: str | None = None, **arguments: Any) -> dict[str, Any]:
        """One S3 call on ``bucket`` (and ``key``); see the module docstring for its errors.

        Only reads turn a missing bucket or key into ``NoSuchObject``: a write
        to a missing bucket stays the ``StatesError`` S3 answered
        (``S3.NoSuchBucketException``), which fails the state, not the engine.
        """
        if key is not None:
            arguments["Key"] = key
        try:
            return call(self._clients, self.client, operation, {"Bucket": bucket, **arguments}, _STYLE)
        except StatesError as exc:
            if exc.error in _MISSING and operation in _READS:
                raise NoSuchObject(f"s3://{bucket}" + (f"/{key}" if key is not None else "")) from None
            raise

    def _read(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """A response body's chunks, with read failures (timeouts, cut connections) translated."""
        iterator = iter(chunks)
        while True:
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - botocore's read errors become ASL errors
                translated = translate(exc, _STYLE, self._clients.redact)
                if translated is None:
                    raise
                raise translated from None
            yield chunk

    def _body(self, bucket: str, key: str) -> Iterator[bytes]:
        """The object's bytes in chunks; ``NoSuchObject`` is raised here, before any chunk."""
        body = self._call("GetObject", bucket, key)["Body"]
        return self._read(body.iter_chunks(self._chunk_size))

    def get_object_bytes(self, bucket: str, key: str) -> bytes:
        """``GetObject``: the body's bytes as stored."""
        return b"".join(self._body(bucket, key))

    def get_object(self, bucket: str, key: str) -> str:
        """``GetObject``: the body as UTF-8 text."""
        return self.get_object_bytes(bucket, key).decode("utf-8", errors="replace")

    def iter_lines(self, bucket: str, key: str) -> Iterator[str]:
        """``GetObject``, streamed: one line at a time, each with its ``\\n``
        (the last may have none); a character whose bytes straddle two chunks
        is decoded whole. ``NoSuchObject`` is raised by this call."""
        return _decoded_lines(self._body(bucket, key))

    def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        """``ListObjectsV2``, every page: ``{"Key", "Size", "ETag", "LastModified",
        "StorageClass"}`` in key order, ``LastModified`` as ``2024-01-31T12:00:00Z``."""
        found: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"Prefix": prefix} if prefix else {}
        while True:
            page = self._call("ListObjectsV2", bucket, **arguments)
            found.extend(_entry(entry) for entry in page.get("Contents") or [])
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return found
            arguments["ContinuationToken"] = token

    def put_object(self, bucket: str, key: str, body: str) -> None:
        """``PutObject`` of the text, UTF-8 encoded."""
        self._call("PutObject", bucket, key, Body=body.encode("utf-8"))

    def put_object_file(self, bucket: str, key: str, path: str) -> None:
        """``PutObject`` of a local file, streamed from the file (one request:
        up to S3's 5 GB object limit for a single PUT)."""
        with open(path, "rb") as handle:
            self._call("PutObject", bucket, key, Body=handle)


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One ``ListObjectsV2`` content, as the other stores list it."""
    modified = entry.get("LastModified")
    return {
        "Key": entry.get("Key"),
        "Size": entry.get("Size"),
        "ETag": entry.get("ETag"),
        "LastModified": instant_text(modified) if modified is not None else None,
        "StorageClass": entry.get("StorageClass", "STANDARD"),
    }


def _decoded_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 text of ``chunks`` cut into lines that keep their ``\\n``."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    for chunk in chunks:
        pending += decoder.decode(chunk)
        if "\n" in pending:
            *complete, pending = pending.split("\n")
            for line in complete:
                yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending
