"""A distributed Map's ``ResultWriter``: the child executions' results,
shaped by ``WriterConfig`` and written to S3 (the run's ``ObjectStore``).

What AWS documents (docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):

* ``Transformation`` ``NONE`` "returns the output of the child workflow
  executions unchanged, in addition to the workflow metadata. Default when
  exporting the child workflow execution results to Amazon S3 and
  WriterConfig is not specified"; ``COMPACT`` "returns the output of the
  child workflow executions. Default when ResultWriter is not specified";
  ``FLATTEN`` returns the outputs and, "If a child workflow execution
  returns an array", flattens it "before returning the result to the state
  output or writing the result to an Amazon S3 object". "If a child workflow
  execution fails, Step Functions returns its execution result unchanged",
  as with ``NONE``.
* ``OutputType`` ``JSON`` "formats the results as a JSON array", ``JSONL``
  "as JSON Lines".
* ``WriterConfig`` alone previews the formatted output "without saving the
  results to Amazon S3": the shaped results are the state's result.

Recorded on AWS (a state's output and code reading manifests, seen in public
repositories): the state output with an export is ``{"MapRunArn": ...,
"ResultWriterDetails": {"Bucket": ..., "Key": "<Prefix>/<MapRunId>/manifest.json"}}``
(the MapRunId being the UUID that ends the Map Run's ARN); the manifest is
``{"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED", "PENDING",
"SUCCEEDED"}}``, each a list of ``{"Key", "Size"}``; a NONE record holds
``ExecutionArn, Input, InputDetails, Name, Output, OutputDetails,
RedriveCount, RedriveStatus, RedriveStatusReason, StartDate,
StateMachineArn, Status, StopDate``. The files are written when the Map Run
fails too (what ``PENDING`` is for: the items that never started).

Guessed (marked so in docs/language.md): the member order of the manifest
and of a record; a failed record's ``Error``/``Cause`` in place of
``Output``/``OutputDetails``; the RedriveStatus texts; one
``<STATUS>_<n>.json`` file numbering from 0 per non-empty status, split at 5 GB, and
the ``.jsonl`` extension for JSONL; a PENDING record's members; JSONL shaping only the files, not a
preview's result; a Prefix's trailing ``/`` not doubled.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from typing import Any

from ..dataflow.jsonpath import to_json
from ..errors import StatesError
from ..model.states import ResultWriterSpec
from ..tasks.objects import InvalidObjectName, ObjectStore, put_object_file, s3_target

__all__ = ["FILE_LIMIT", "WRITER_FAILED", "ResultSpool", "child_record", "shape_results"]

WRITER_FAILED = "States.ResultWriterFailed"
# AWS splits a Map Run's result files at 5 GB (the results go on in a new file).
FILE_LIMIT = 5 * 1024**3
_STATUSES = ("FAILED", "PENDING", "SUCCEEDED")
# Guessed: the redrive fields of a child execution's record.
_REDRIVE = {
    "SUCCEEDED": ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"),
    "FAILED": ("REDRIVABLE_BY_MAP_RUN", "Execution can be redriven by the Map Run"),
}


def child_record(
    *, arn: str, name: str, machine_arn: str, item_input: Any, status: str, output: Any,
    error: str | None, cause: str | None, start: str, stop: str,
) -> dict[str, Any]:
    """A child execution's record as the ``NONE`` transformation writes it."""
    record: dict[str, Any] = {
        "ExecutionArn": arn,
        "Input": to_json(item_input),
        "InputDetails": {"Included": True},
        "Name": name,
    }
    if status == "SUCCEEDED":
        record.update(Output=to_json(output), OutputDetails={"Included": True})
    else:
        record.update({k: v for k, v in (("Error", error), ("Cause", cause)) if v is not None})
    redrive, reason = _REDRIVE.get(status, ("NOT_REDRIVABLE", f"Execution is {status} and cannot be redriven"))
    record.update(
        RedriveCount=0, RedriveStatus=redrive, RedriveStatusReason=reason, StartDate=start,
        StateMachineArn=machine_arn, Status=status, StopDate=stop,
    )
    return record


def _transformation(writer: ResultWriterSpec) -> str:
    return writer.transformation or ("NONE" if writer.resource is not None else "COMPACT")


def _shape(record: dict[str, Any], outcome: Any, transformation: str) -> list[Any]:
    """One record as ``transformation`` shapes it (a list: FLATTEN may yield many)."""
    if transformation == "NONE" or record["Status"] != "SUCCEEDED":
        return [record]
    if transformation == "FLATTEN" and isinstance(outcome, list):
        return list(outcome)
    return [outcome]


def shape_results(writer: ResultWriterSpec, records: list[tuple[dict[str, Any], Any]]) -> list[Any]:
    """The results as ``WriterConfig`` shapes them: ``records`` are
    ``(record, output)`` pairs in item order."""
    transformation = _transformation(writer)
    return [value for record, output in records for value in _shape(record, output, transformation)]


class _Part:
    """One result file being written: a temporary file and its size in bytes."""

    def __init__(self, status: str, number: int, jsonl: bool) -> None:
        self.status, self.number, self.jsonl = status, number, jsonl
        self.handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".part", delete=False)  # noqa: SIM115
        self.size = 0 if jsonl else 1
        self.count = 0
        if not jsonl:
            self.handle.write("[")

    def add(self, text: str, size: int) -> None:
        if self.jsonl:
            self.handle.write(text)
            self.handle.write("\n")
            self.size += size + 1
        else:
            if self.count:
                self.handle.write(",")
                self.size += 1
            self.handle.write(text)
            self.size += size
        self.count += 1

    def close(self) -> None:
        if not self.handle.closed:
            if not self.jsonl:
                self.handle.write("]")
                self.size += 1
            self.handle.close()


class ResultSpool:
    """The results of a Map Run with a ``ResultWriter`` ``Resource``, spooled to
    temporary files as the children end, then uploaded (:meth:`write`).

    Children end in any order; their records are written in item order (a
    reorder window holds the ones that ended early), shaped by the
    ``WriterConfig`` as they go, so memory follows the children in flight,
    not the item count. A result file is split before it would pass
    ``file_limit`` bytes (AWS's 5 GB): ``SUCCEEDED_0.json``,
    ``SUCCEEDED_1.json``... Thread-safe.
    """

    def __init__(self, writer: ResultWriterSpec, file_limit: int = FILE_LIMIT) -> None:
        self.transformation = _transformation(writer)
        self.jsonl = writer.output_type == "JSONL"
        self.file_limit = file_limit
        self._lock = threading.Lock()
        self._next = 0
        self._waiting: dict[int, tuple[str, list[str]]] = {}
        self._parts: dict[str, list[_Part]] = {status: [] for status in _STATUSES}

    def add(self, index: int, record: dict[str, Any], output: Any) -> None:
        """Child ``index`` ended: its record (see :func:`child_record`) and output."""
        texts = [to_json(value) for value in _shape(record, output, self.transformation)]
        self._put(index, _category(record), texts)

    def pending(self, index: int, item_input: Any) -> None:
        """Item ``index`` never started (the Map Run failed first)."""
        # Guessed: a PENDING record holds the input and the status only.
        record = {"Input": to_json(item_input), "InputDetails": {"Included": True}, "Status": "PENDING"}
        self._put(index, "PENDING", [to_json(record)])

    def _put(self, index: int, category: str, texts: list[str]) -> None:
        with self._lock:
            self._waiting[index] = (category, texts)
            while self._next in self._waiting:
                self._emit(*self._waiting.pop(self._next))
                self._next += 1

    def _emit(self, category: str, texts: list[str]) -> None:
        parts = self._parts[category]
        for text in texts:
            size = len(text.encode("utf-8"))
            part = parts[-1] if parts else None
            if part is None or (part.count and part.size + size + 2 > self.file_limit):
                if part is not None:
                    part.close()
                part = _Part(category, len(parts), self.jsonl)
                parts.append(part)
            part.add(text, size)

    def write(self, arguments: Any, map_run_arn: str, store: ObjectStore | None) -> dict[str, Any]:
        """Upload ``manifest.json`` and the result files under
        ``<Prefix>/<MapRunId>/``; return the state's result."""
        try:
            store, bucket = s3_target(store, arguments, "ResultWriter", WRITER_FAILED, "writes its results to")
            prefix = arguments.get("Prefix", "")
            if not isinstance(prefix, str):
                raise StatesError(WRITER_FAILED, "The ResultWriter Prefix must be a string.")
            with self._lock:  # anything still waiting (an index that never came) goes in order
                for index in sorted(self._waiting):
                    self._emit(*self._waiting.pop(index))
            folder = "/".join(part for part in (prefix.rstrip("/"), map_run_arn.rsplit(":", 1)[-1]) if part)
            extension = "jsonl" if self.jsonl else "json"
            files: dict[str, list[dict[str, Any]]] = {status: [] for status in _STATUSES}
            try:
                for status in _STATUSES:
                    for part in self._parts[status]:
                        part.close()
                        key = f"{folder}/{status}_{part.number}.{extension}"
                        put_object_file(store, bucket, key, part.handle.name)
                        files[status].append({"Key": key, "Size": part.size})
                manifest_key = f"{folder}/manifest.json"
                manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
                store.put_object(bucket, manifest_key, to_json(manifest))
            except InvalidObjectName as exc:
                raise StatesError(WRITER_FAILED, str(exc)) from None
            return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}
        finally:
            self.close()

    def close(self) -> None:
        """Remove the temporary files (idempotent)."""
        for parts in self._parts.values():
            for part in parts:
                part.close()
                with contextlib.suppress(OSError):
                    os.unlink(part.handle.name)
            parts.clear()


def _category(record: dict[str, Any]) -> str:
    """The result file a record goes to: SUCCEEDED, PENDING (never started) or
    FAILED (failed, timed out or aborted)."""
    status = record["Status"]
    return status if status in ("SUCCEEDED", "PENDING") else "FAILED"
