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
StateMachineArn, Status, StopDate``.

Guessed (marked so in docs/language.md): the member order of the manifest
and of a record; a failed record's ``Error``/``Cause`` in place of
``Output``/``OutputDetails``; the RedriveStatus texts; one
``<STATUS>_0.json`` file per non-empty status (AWS splits files at 5 GB) and
the ``.jsonl`` extension for JSONL; JSONL shaping only the files, not a
preview's result; a Prefix's trailing ``/`` not doubled.
"""

from __future__ import annotations

from typing import Any

from ..dataflow.jsonpath import to_json
from ..errors import StatesError
from ..model.states import ResultWriterSpec
from ..tasks.objects import InvalidObjectName, ObjectStore, s3_target

__all__ = ["WRITER_FAILED", "child_record", "shape_results", "write_results"]

WRITER_FAILED = "States.ResultWriterFailed"
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


def write_results(
    writer: ResultWriterSpec, arguments: Any, map_run_arn: str,
    records: list[tuple[dict[str, Any], Any]], store: ObjectStore | None,
) -> dict[str, Any]:
    """Write ``manifest.json`` and the result files under
    ``<Prefix>/<MapRunId>/``; return the state's result."""
    store, bucket = s3_target(store, arguments, "ResultWriter", WRITER_FAILED, "writes its results to")
    prefix = arguments.get("Prefix", "")
    if not isinstance(prefix, str):
        raise StatesError(WRITER_FAILED, "The ResultWriter Prefix must be a string.")
    folder = "/".join(part for part in (prefix.rstrip("/"), map_run_arn.rsplit(":", 1)[-1]) if part)
    transformation = _transformation(writer)
    extension = "jsonl" if writer.output_type == "JSONL" else "json"
    files: dict[str, list[dict[str, Any]]] = {status: [] for status in _STATUSES}
    try:
        for status in _STATUSES:
            values = [v for record, output in records if _category(record) == status for v in _shape(record, output, transformation)]
            if not values:
                continue
            if writer.output_type == "JSONL":
                body = "".join(to_json(v) + "\n" for v in values)
            else:
                body = to_json(values)
            key = f"{folder}/{status}_0.{extension}"
            store.put_object(bucket, key, body)
            files[status].append({"Key": key, "Size": len(body.encode("utf-8"))})
        manifest_key = f"{folder}/manifest.json"
        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
        store.put_object(bucket, manifest_key, to_json(manifest))
    except InvalidObjectName as exc:
        raise StatesError(WRITER_FAILED, str(exc)) from None
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def _category(record: dict[str, Any]) -> str:
    """The result file a record goes to: SUCCEEDED, PENDING (never started) or
    FAILED (failed, timed out or aborted)."""
    status = record["Status"]
    return status if status in ("SUCCEEDED", "PENDING") else "FAILED"
