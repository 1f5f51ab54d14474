"""Distributed Map: a Map Run whose iterations are child executions.

AWS-recorded shape in the parent history::

    MapStateEntered > MapStateStarted > MapRunStarted > MapRunSucceeded
    > MapStateSucceeded > MapStateExited

(``MapRunFailed`` then ``MapStateFailed`` when the run fails). The child
executions keep their own histories, as on AWS, so none of their events
appear in the parent's. Children cannot read the parent's variables (AWS:
"Distributed Map iterations cannot read outer variables"). Any failed child
counts against the tolerated failures, whose default is 0: a run fails with
``States.ExceedToleratedFailureThreshold`` unless the failures are
tolerated.

With a ``ResultWriter`` the children's results are shaped by its
``WriterConfig`` and, with a ``Resource``, written to the run's object store,
the state's result then being where they are (``runtime/result_writer.py``).

The Map Run asks its host (the interpreter running the Map state, through
the ``MapRunHost`` protocol) for what it cannot do itself: evaluating
JSONata, resolving numeric fields, fanning out, and running a child
execution on the run's shared services.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Protocol

from ..dataflow.jsonpath import Env, to_json
from ..errors import Aborted, StatesError
from ..execution.frame import Frame
from ..history.events import History
from ..model.states import MapState, Program
from .item_reader import batch_items, read_items
from .result_writer import child_record, shape_results, write_results
from .services import ExecutionInfo, ExecutionServices, iso_time

__all__ = ["MapRun", "MapRunHost"]


class _ChildOutcome(Protocol):
    status: str
    output: Any
    error: str | None
    cause: str | None
    stop: Any
    history: History


class MapRunHost(Protocol):
    """What a Map Run needs from the interpreter of its parent execution."""

    services: ExecutionServices
    info: ExecutionInfo
    history: History

    def jsonata_eval(self, compiled: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any: ...

    def number(
        self, name: str, value: Any, data: Any, env: Env, frame: Frame,
        states_var: dict[str, Any] | None = None, location: str | None = None,
    ) -> Any: ...

    def fan_out(self, jobs: list[Any], max_concurrency: int | None, frame: Frame, blocking: bool, tolerance: Any) -> list[Any]: ...

    def item_input(self, state: MapState, index: int, item: Any, source: Any, env: Env, frame: Frame) -> Any: ...

    def run_child_execution(self, program: Program, info: ExecutionInfo, input_json: str, cancel: threading.Event) -> _ChildOutcome: ...


class MapRun:
    """The Map Run of one distributed Map state, run by ``host``."""

    def __init__(self, host: MapRunHost) -> None:
        self.host = host
        # Each child's (record, output) by item index, for the ResultWriter.
        self.records: dict[int, tuple[dict[str, Any], Any]] = {}

    def run(
        self,
        state: MapState,
        items: list[Any] | None,
        source: Any,
        env: Env,
        frame: Frame,
        states_var: dict[str, Any],
        max_concurrency: int | None,
        tolerated: tuple[int | None, float | None],
    ) -> Any:
        """Start the Map Run, read and batch the items, run the children; the
        result is the children's (or, with a ResultWriter, what it says)."""
        map_run_arn = self._map_run_arn(state)
        history = self.host.history
        frame.last_event = history.add("MapRunStarted", frame.last_event, {"mapRunArn": map_run_arn})
        try:
            if items is None:
                items = self._read_items(state, source, env, frame, states_var)
            if state.item_batcher is not None:
                items = self._batch(state, items, source, env, frame, states_var)
            count, percentage = tolerated
            # A distributed Map tolerates no failed child unless told otherwise.
            tolerance = (count if count is not None or percentage is not None else 0, percentage, len(items))
            jobs = [self._child_job(state, map_run_arn, index, item, source, env) for index, item in enumerate(items)]
            results: Any = self.host.fan_out(jobs, max_concurrency, frame, state.blocking, tolerance)
            if state.result_writer is not None:
                results = self._write(state, map_run_arn, source, env, frame, states_var)
        except StatesError as err:
            details = {k: v for k, v in (("error", err.error), ("cause", err.cause)) if v is not None}
            frame.last_event = history.add("MapRunFailed", len(history), details)
            err.branch_failed = True  # the Map state records MapStateFailed
            raise
        frame.last_event = history.add("MapRunSucceeded", len(history))
        return results

    def _map_run_arn(self, state: MapState) -> str:
        label = state.label or state.name
        run_id = self.host.services.new_uuid()
        return self.host.info.machine_arn.replace(":stateMachine:", ":mapRun:", 1) + f"/{label}:{run_id}"

    def _arguments(self, state: MapState, template: Any, field: str, source: Any, env: Env, frame: Frame,
                   states_var: dict[str, Any]) -> Any:
        """An ItemReader's or ResultWriter's Parameters (JSONPath) or Arguments (JSONata)."""
        if template is None:
            return {}
        if state.jsonata:
            return self.host.jsonata_eval(template, frame, env, f"{field}/Arguments", states_var)
        return template.evaluate(source, env)

    # ------------------------------------------------------------- reading
    def _read_items(
        self, state: MapState, source: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> list[Any]:
        reader = state.item_reader
        assert reader is not None
        host = self.host
        arguments = self._arguments(state, reader.arguments, "ItemReader", source, env, frame, states_var)
        max_items = host.number("MaxItems", reader.max_items, source, env, frame, states_var, "ItemReader/ReaderConfig/MaxItems")
        return read_items(reader.resource, arguments, reader.config, max_items, host.services.object_store)

    def _batch(
        self, state: MapState, items: list[Any], source: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> list[Any]:
        batcher = state.item_batcher
        assert batcher is not None
        host = self.host
        max_items = host.number("MaxItemsPerBatch", batcher.max_items, source, env, frame, states_var, "ItemBatcher/MaxItemsPerBatch")
        max_bytes = host.number("MaxInputBytesPerBatch", batcher.max_bytes, source, env, frame, states_var,
                                "ItemBatcher/MaxInputBytesPerBatch")
        if batcher.batch_input is None:
            batch_input = None
        elif state.jsonata:
            batch_input = host.jsonata_eval(batcher.batch_input, frame, env, "ItemBatcher/BatchInput", states_var)
        else:
            batch_input = batcher.batch_input.evaluate(source, env)
        return batch_items(items, max_items, max_bytes, batch_input)

    # ------------------------------------------------------------- writing
    def _write(
        self, state: MapState, map_run_arn: str, source: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> Any:
        writer = state.result_writer
        assert writer is not None
        # A child restored from a snapshot as done has no record here: it is left out.
        records = [self.records[index] for index in sorted(self.records)]
        if writer.resource is None:
            return shape_results(writer, records)
        arguments = self._arguments(state, writer.arguments, "ResultWriter", source, env, frame, states_var)
        return write_results(writer, arguments, map_run_arn, records, self.host.services.object_store)

    # ------------------------------------------------------------ children
    def _child_job(
        self, state: MapState, map_run_arn: str, index: int, item: Any, source: Any, env: Env
    ) -> Callable[[Frame], Any]:
        processor = state.processor
        assert processor is not None
        host = self.host

        def job(slot: Frame) -> Any:
            item_input = host.item_input(state, index, item, source, env, slot)
            info = self._child_info(map_run_arn, item_input)
            start = host.services.clock.now()
            # A child execution has a scope of its own: it cannot read the
            # parent's variables (run_execution gives it a fresh frame).
            outcome = host.run_child_execution(processor, info, to_json(item_input), slot.cancel)
            if state.result_writer is not None:
                self.records[index] = (child_record(
                    arn=info.arn, name=info.name, machine_arn=info.machine_arn, item_input=item_input,
                    status=outcome.status, output=outcome.output, error=outcome.error, cause=outcome.cause,
                    start=iso_time(start), stop=iso_time(outcome.stop),
                ), outcome.output)
            record: dict[str, Any] = {
                "mapRunArn": map_run_arn,
                "index": index,
                "executionArn": info.arn,
                "input": item_input,
                "status": outcome.status,
            }
            succeeded = outcome.status == "SUCCEEDED"
            record.update({"output": outcome.output} if succeeded else {"error": outcome.error, "cause": outcome.cause})
            record["history"] = outcome.history.events()
            host.services.child_executions.append(record)
            if succeeded:
                return outcome.output
            if outcome.status == "ABORTED":
                raise Aborted()
            raise StatesError(outcome.error, outcome.cause)

        return job

    def _child_info(self, map_run_arn: str, item_input: Any) -> ExecutionInfo:
        """Who one child execution is: named by a UUID under the Map Run's path."""
        parent = self.host.info
        name = self.host.services.new_uuid()
        prefix, _, run = map_run_arn.partition(":mapRun:")
        run_path = run.rsplit(":", 1)[0]
        # AWS-recorded: a child's $$.Execution.StartTime and RoleArn are the parent's.
        return ExecutionInfo(
            arn=f"{prefix}:execution:{run_path}:{name}",
            name=name,
            machine_arn=parent.machine_arn,
            machine_name=parent.machine_name,
            role_arn=parent.role_arn,
            start=parent.start,
            input=item_input,
            redrive_count=0,
        )
