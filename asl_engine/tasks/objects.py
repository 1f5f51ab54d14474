"""Where a distributed Map's ``ItemReader`` reads objects and its
``ResultWriter`` writes them (Amazon S3 or a stand-in).

The engine asks an ``ObjectStore`` for the objects a definition names. Offline
runs and tests use ``InMemoryObjectStore`` or ``FolderObjectStore`` (a
directory: ``s3://bucket/key`` is ``root/bucket/key``); runs against S3
(AWS, LocalStack, moto) use ``asl_engine.tasks.aws.s3_store.S3ObjectStore``.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Protocol

from ..errors import EngineError, StatesError

__all__ = [
    "FolderObjectStore", "InMemoryObjectStore", "InvalidObjectName", "NoSuchObject", "ObjectStore",
    "get_object_bytes", "iter_object_lines", "put_object_file",
]


class NoSuchObject(LookupError):
    """The bucket or key does not exist."""


class InvalidObjectName(ValueError):
    """A bucket name or key a store cannot hold (``FolderObjectStore``: one that
    would leave its root)."""


class ObjectStore(Protocol):
    """The S3 operations an ``ItemReader`` and a ``ResultWriter`` use."""

    def get_object(self, bucket: str, key: str) -> str:
        """The object's body as text (raises ``NoSuchObject``)."""
        ...

    def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        """``ListObjectsV2`` contents: ``{"Key", "Size", "ETag", "LastModified", "StorageClass"}``."""
        ...

    def put_object(self, bucket: str, key: str, body: str) -> None:
        """Create or replace the object (``PutObject``)."""
        ...


class StreamingObjectStore(ObjectStore, Protocol):
    """A store that can also stream, and read bytes: what keeps a distributed
    Map's memory flat in the item count, and what reads compressed objects
    (an S3 Inventory's ``.csv.gz``). Every method is optional (see
    :func:`iter_object_lines`, :func:`put_object_file` and
    :func:`get_object_bytes`, which fall back to the plain calls)."""

    def iter_lines(self, bucket: str, key: str) -> Iterator[str]:
        """The object's text, one line at a time, each with its ``\n`` (raises
        ``NoSuchObject`` before the first line)."""
        ...

    def put_object_file(self, bucket: str, key: str, path: str) -> None:
        """Create or replace the object with a local file's bytes (UTF-8 text)."""
        ...

    def get_object_bytes(self, bucket: str, key: str) -> bytes:
        """The object's body as it is stored, undecoded (raises ``NoSuchObject``)."""
        ...


def iter_object_lines(store: ObjectStore, bucket: str, key: str) -> Iterator[str]:
    """The object's lines (each with its ``\n``), streamed when the store can
    (``iter_lines``), else cut from ``get_object``'s body without a list of them.
    ``NoSuchObject`` is raised by the call itself, not by the first ``next``."""
    streaming = getattr(store, "iter_lines", None)
    if streaming is not None:
        lines: Iterator[str] = streaming(bucket, key)
        return lines
    return _lines(store.get_object(bucket, key))


def _lines(body: str) -> Iterator[str]:
    start = 0
    while start < len(body):
        end = body.find("\n", start)
        end = len(body) if end < 0 else end + 1
        yield body[start:end]
        start = end


def put_object_file(store: ObjectStore, bucket: str, key: str, path: str) -> None:
    """Upload the local file at ``path`` (UTF-8 text) as ``s3://bucket/key``:
    streamed when the store can (``put_object_file``), else read whole."""
    streaming = getattr(store, "put_object_file", None)
    if streaming is not None:
        streaming(bucket, key, path)
        return
    store.put_object(bucket, key, Path(path).read_text(encoding="utf-8"))


def get_object_bytes(store: ObjectStore, bucket: str, key: str) -> bytes:
    """The object's bytes, undecoded, when the store can (``get_object_bytes``),
    else ``get_object``'s text encoded as UTF-8 (a text-only store holds no
    other bytes). Raises ``NoSuchObject``."""
    raw = getattr(store, "get_object_bytes", None)
    if raw is not None:
        data: bytes = raw(bucket, key)
        return data
    return store.get_object(bucket, key).encode("utf-8")


def _bytes(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode("utf-8")


def _listing(objects: Iterable[tuple[str, str | bytes]]) -> list[dict[str, Any]]:
    """``ListObjectsV2`` contents of ``(key, body)`` pairs, in key order (a fixed
    ``LastModified``: the engine's runs are reproducible)."""
    import hashlib  # local: only listings need it

    moment = datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat()
    return [
        {
            "Key": key,
            "Size": len(_bytes(body)),
            "ETag": '"' + hashlib.md5(_bytes(body)).hexdigest() + '"',  # noqa: S324 - an ETag, not security
            "LastModified": moment,
            "StorageClass": "STANDARD",
        }
        for key, body in sorted(objects)
    ]


class InMemoryObjectStore:
    """Objects held in memory: ``{"bucket/key": body}`` or ``{("bucket", "key"): body}``.

    A body is text; ``bytes`` that are UTF-8 are kept as their text, other
    bytes (a gzip file) as they are: ``get_object_bytes`` returns them, and
    ``get_object`` decodes them with U+FFFD for what is not UTF-8.
    """

    def __init__(self, objects: Mapping[Any, str | bytes] | None = None) -> None:
        self._objects: dict[tuple[str, str], str | bytes] = {}
        for name, body in (objects or {}).items():
            bucket, key = name if isinstance(name, tuple) else str(name).split("/", 1)
            self.put(bucket, key, body)

    def put(self, bucket: str, key: str, body: str | bytes) -> None:
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                pass  # binary: kept as bytes
        self._objects[(bucket, key)] = body

    def _body(self, bucket: str, key: str) -> str | bytes:
        try:
            return self._objects[(bucket, key)]
        except KeyError:
            raise NoSuchObject(f"s3://{bucket}/{key}") from None

    def get_object(self, bucket: str, key: str) -> str:
        body = self._body(bucket, key)
        return body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body

    def get_object_bytes(self, bucket: str, key: str) -> bytes:
        return _bytes(self._body(bucket, key))

    def put_object(self, bucket: str, key: str, body: str) -> None:
        self.put(bucket, key, body)

    def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        return _listing((key, body) for (b, key), body in self._objects.items() if b == bucket and key.startswith(prefix))


# A bucket is one directory: S3's characters (lower case, digits, ".", "-")
# plus upper case and "_" for local names; never "." or "..".
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")


class FolderObjectStore:
    """Objects as files: ``s3://bucket/key`` is ``root/bucket/key``.

    Names are checked before any file is touched (``InvalidObjectName``): a
    bucket is one plain directory name, and a key is a relative ``/``-path
    whose segments are neither empty, ``.`` nor ``..`` and hold no ``\\``
    or NUL, so nothing resolves outside ``root`` (symbolic links that lead
    out of it are refused too).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _bucket(self, bucket: str) -> Path:
        if not _BUCKET.fullmatch(bucket) or bucket.strip(".") == "":
            raise InvalidObjectName(f"not a bucket name this store can hold: {bucket!r}")
        return self.root / bucket

    def _path(self, bucket: str, key: str) -> Path:
        segments = key.split("/")
        if not key or "\\" in key or "\0" in key or any(s in ("", ".", "..") for s in segments):
            raise InvalidObjectName(f"not an object key this store can hold: {key!r}")
        path = self._bucket(bucket).joinpath(*segments)
        if not path.resolve().is_relative_to(self.root):
            raise InvalidObjectName(f"the key leads outside the store: {key!r}")
        return path

    def _existing(self, bucket: str, key: str) -> Path:
        path = self._path(bucket, key)
        if not path.is_file():
            raise NoSuchObject(f"s3://{bucket}/{key}")
        return path

    def get_object(self, bucket: str, key: str) -> str:
        return self._existing(bucket, key).read_text(encoding="utf-8")

    def get_object_bytes(self, bucket: str, key: str) -> bytes:
        return self._existing(bucket, key).read_bytes()

    def put_object(self, bucket: str, key: str, body: str) -> None:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")

    def iter_lines(self, bucket: str, key: str) -> Iterator[str]:
        return _file_lines(self._existing(bucket, key))

    def put_object_file(self, bucket: str, key: str, path: str) -> None:
        import shutil  # local: only result files need it

        target = self._path(bucket, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)

    def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        base = self._bucket(bucket)
        if not base.is_dir():
            raise NoSuchObject(f"s3://{bucket}")
        return _listing(
            (key, path.read_bytes())  # bytes: a listing holds binary objects too
            for path in base.rglob("*")
            if path.is_file() and (key := path.relative_to(base).as_posix()).startswith(prefix)
        )


def _file_lines(path: Path) -> Iterator[str]:
    # newline="" keeps each line's own ending, as the in-memory split does.
    with path.open(encoding="utf-8", newline="") as handle:
        yield from handle


def s3_target(store: "ObjectStore | None", arguments: Any, what: str, error: str, doing: str) -> tuple["ObjectStore", str]:
    """The store and bucket of an ItemReader's or ResultWriter's S3 call.

    No store configured is an ``EngineError`` (the run is misconfigured; ``doing``
    says what the Map wanted); parameters without a ``Bucket`` fail the state
    with ``error`` (AWS's ``States.ItemReaderFailed`` / ``States.ResultWriterFailed``).
    """
    if store is None:
        raise EngineError(
            f"a distributed Map {doing} S3 but no object store is configured: "
            "pass object_store=InMemoryObjectStore() to run() (asl run --items-dir DIR)"
        )
    if not isinstance(arguments, dict) or not isinstance(arguments.get("Bucket"), str):
        raise StatesError(error, f"The {what} parameters must name a Bucket.")
    return store, str(arguments["Bucket"])
