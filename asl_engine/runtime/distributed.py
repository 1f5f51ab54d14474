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
from typing import Any, Callable, Iterator, Protocol

from ..dataflow.jsonpath import Env, to_json
from ..errors import Aborted, StatesError
from ..execution.frame import Frame
from ..history.events import History
from ..model.states import MapState, Program
from .fanout import Tally
from .item_reader import iter_batches, iter_items
from .result_writer import ResultSpool, child_record, shape_results
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

    def fan_out_stream(
        self, jobs: Iterator[tuple[int, Callable[[Frame], Any]]], max_concurrency: int | None, frame: Frame,
        blocking: bool, tally: Tally, deliver: Callable[[int, Any], None], skipped: Callable[[int], None],
    ) -> int: ...

    def item_input(self, state: MapState, index: int, item: Any, source: Any, env: Env, frame: Frame) -> Any: ...

    def run_child_execution(self, program: Program, info: ExecutionInfo, input_json: str, cancel: threading.Event) -> _ChildOutcome: ...


class MapRun:
    """The Map Run of one distributed Map state, run by ``host``.

    Items stream from the reader through the batcher to the children, at
    most twice the concurrency ahead: with a ``ResultWriter`` ``Resource``
    the results are spooled to files as the children end
    (``ResultSpool``), so a run's memory does not grow with its item count.
    Without one, the result is the children's outputs in item order (AWS
    then bounds it at 256 KiB).
    """

    def __init__(self, host: MapRunHost) -> None:
        self.host = host
        # A child's (record, output) from its end to its delivery (ResultWriter only).
        self._stash: dict[int, tuple[dict[str, Any], Any]] = {}
        # Each child's (record, output) by item index, for a WriterConfig preview.
        self.records: dict[int, tuple[dict[str, Any], Any]] = {}
        # Items taken from the reader and not ended yet: a skipped one is PENDING.
        self._taken: dict[int, Any] = {}

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
        writer = state.result_writer
        spool = ResultSpool(writer) if writer is not None and writer.resource is not None else None
        try:
            results = self._run(state, map_run_arn, items, source, env, frame, states_var, max_concurrency, tolerated, spool)
        except StatesError as err:
            details = {k: v for k, v in (("error", err.error), ("cause", err.cause)) if v is not None}
            frame.last_event = history.add("MapRunFailed", len(history), details)
            err.branch_failed = True  # the Map state records MapStateFailed
            raise
        finally:
            if spool is not None:
                spool.close()
        frame.last_event = history.add("MapRunSucceeded", len(history))
        return results

    def _run(
        self, state: MapState, map_run_arn: str, items: list[Any] | None, source: Any, env: Env, frame: Frame,
        states_var: dict[str, Any], max_concurrency: int | None, tolerated: tuple[int | None, float | None],
        spool: ResultSpool | None,
    ) -> Any:
        stream: Iterator[Any] = iter(items) if items is not None else self._read_items(state, source, env, frame, states_var)
        if state.item_batcher is not None:
            stream = self._batch(state, stream, source, env, frame, states_var)
        numbered = enumerate(stream)
        count, percentage = tolerated
        # A distributed Map tolerates no failed child unless told otherwise.
        tally = Tally((count if count is not None or percentage is not None else 0, percentage, None))
        outputs: dict[int, Any] = {}
        # Only result files list the items in flight when a run fails (PENDING).
        taken = self._taken if spool is not None else None

        def jobs() -> Iterator[tuple[int, Callable[[Frame], Any]]]:
            for index, item in numbered:
                if taken is not None:
                    taken[index] = item
                yield index, self._child_job(state, map_run_arn, index, item, source, env)

        def deliver(index: int, value: Any) -> None:
            if taken is not None:
                taken.pop(index, None)
            if state.result_writer is None:
                outputs[index] = value
                return
            # A child restored as done (from a snapshot) left no record: what is known of it.
            stashed = self._stash.pop(index, None)
            record, output = stashed if stashed is not None else (_restored_record(value), value)
            if spool is not None:
                spool.add(index, record, output)
            else:
                self.records[index] = (record, output)

        def skipped(index: int) -> None:
            if spool is not None and taken is not None:
                spool.pending(index, taken.pop(index, None))

        try:
            total = self.host.fan_out_stream(jobs(), max_concurrency, frame, state.blocking, tally, deliver, skipped)
        except StatesError:
            if spool is not None:  # AWS writes the results of a failed Map Run too
                self._pending_rest(numbered, spool)
                self._write(state, map_run_arn, source, env, frame, states_var, spool)
            raise
        if spool is not None:
            return self._write(state, map_run_arn, source, env, frame, states_var, spool)
        if state.result_writer is not None:
            return shape_results(state.result_writer, [self.records[index] for index in sorted(self.records)])
        return [outputs[index] for index in range(total)]

    def _pending_rest(self, numbered: Iterator[tuple[int, Any]], spool: ResultSpool) -> None:
        """The child whose failure failed the run (it ended, undelivered), then
        the items taken but never ended and those never read: PENDING."""
        for index in sorted(self._taken):
            item = self._taken.pop(index)
            stashed = self._stash.pop(index, None)
            if stashed is not None:
                spool.add(index, *stashed)
            else:
                spool.pending(index, item)
        try:
            for index, item in numbered:
                spool.pending(index, item)
        except StatesError:
            pass  # the reader itself failed: what it could read is listed

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
    ) -> Iterator[Any]:
        reader = state.item_reader
        assert reader is not None
        host = self.host
        arguments = self._arguments(state, reader.arguments, "ItemReader", source, env, frame, states_var)
        max_items = host.number("MaxItems", reader.max_items, source, env, frame, states_var, "ItemReader/ReaderConfig/MaxItems")
        return iter_items(reader.resource, arguments, reader.config, max_items, host.services.object_store)

    def _batch(
        self, state: MapState, items: Iterator[Any], source: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> Iterator[Any]:
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
        return iter_batches(items, max_items, max_bytes, batch_input)

    # ------------------------------------------------------------- writing
    def _write(
        self, state: MapState, map_run_arn: str, source: Any, env: Env, frame: Frame, states_var: dict[str, Any],
        spool: ResultSpool,
    ) -> Any:
        writer = state.result_writer
        assert writer is not None
        arguments = self._arguments(state, writer.arguments, "ResultWriter", source, env, frame, states_var)
        return spool.write(arguments, map_run_arn, self.host.services.object_store)

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
                self._stash[index] = (child_record(
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
            children = host.services.child_executions
            if children.keeps_more():  # else only counted: no history built
                record["history"] = outcome.history.events()
            children.append(record)
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


def _restored_record(output: Any) -> dict[str, Any]:
    """The record of a child that ended before the snapshot its run was
    restored from: only its output is kept (guessed as SUCCEEDED)."""
    return {"Output": to_json(output), "OutputDetails": {"Included": True}, "Status": "SUCCEEDED"}
