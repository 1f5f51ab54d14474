"""Where a distributed Map's ``ItemReader`` reads objects (Amazon S3 or a stand-in).

The engine asks an ``ObjectStore`` for the objects a definition names. Offline
runs and tests use ``InMemoryObjectStore``; the boto3-backed store for real S3
comes with the AWS integrations (issue #5).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Mapping, Protocol

__all__ = ["InMemoryObjectStore", "NoSuchObject", "ObjectStore"]


class NoSuchObject(LookupError):
    """The bucket or key does not exist."""


class ObjectStore(Protocol):
    """The S3 operations an ``ItemReader`` uses."""

    def get_object(self, bucket: str, key: str) -> str:
        """The object's body as text (raises ``NoSuchObject``)."""
        ...

    def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        """``ListObjectsV2`` contents: ``{"Key", "Size", "ETag", "LastModified", "StorageClass"}``."""
        ...


class InMemoryObjectStore:
    """Objects held in memory: ``{"bucket/key": body}`` or ``{("bucket", "key"): body}``."""

    def __init__(self, objects: Mapping[Any, str | bytes] | None = None) -> None:
        self._objects: dict[tuple[str, str], str] = {}
        for name, body in (objects or {}).items():
            bucket, key = name if isinstance(name, tuple) else str(name).split("/", 1)
            self.put(bucket, key, body)

    def put(self, bucket: str, key: str, body: str | bytes) -> None:
        self._objects[(bucket, key)] = body.decode("utf-8") if isinstance(body, bytes) else body

    def get_object(self, bucket: str, key: str) -> str:
        try:
            return self._objects[(bucket, key)]
        except KeyError:
            raise NoSuchObject(f"s3://{bucket}/{key}") from None

    def list_objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        moment = datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat()
        return [
            {
                "Key": key,
                "Size": len(body.encode("utf-8")),
                "ETag": '"' + hashlib.md5(body.encode("utf-8")).hexdigest() + '"',  # noqa: S324 - an ETag, not security
                "LastModified": moment,
                "StorageClass": "STANDARD",
            }
            for (b, key), body in sorted(self._objects.items())
            if b == bucket and key.startswith(prefix)
        ]
