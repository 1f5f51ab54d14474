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
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..dataflow.jsonpath import Env, PathNotFound, to_json
from ..errors import StatesError
from ..history.events import History
from ..model.states import MapState
from ..execution.frame import Frame
from .item_reader import READER_FAILED, batch_items, read_items
from ..dataflow.json_values import as_integer
from ..execution.variables import Scope

if TYPE_CHECKING:  # pragma: no cover
    from .interpreter import Interpreter

__all__ = ["MapRun"]


class MapRun:
    """The Map Run of one distributed Map state, run by ``interp``."""

    def __init__(self, interp: "Interpreter") -> None:
        self.interp = interp

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
    ) -> list[Any]:
        """Start the Map Run, read and batch the items, run the children."""
        map_run_arn = self._map_run_arn(state)
        history = self.interp.history
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
            results = self.interp._fan_out(jobs, max_concurrency, frame, state.blocking, tolerance)
        except StatesError as err:
            details = {k: v for k, v in (("error", err.error), ("cause", err.cause)) if v is not None}
            frame.last_event = history.add("MapRunFailed", len(history), details)
            err.branch_failed = True  # the Map state records MapStateFailed
            raise
        frame.last_event = history.add("MapRunSucceeded", len(history))
        return results

    def _map_run_arn(self, state: MapState) -> str:
        machine_arn = str(self.interp._machine_ctx["Id"])
        label = state.label or state.name
        return machine_arn.replace(":stateMachine:", ":mapRun:", 1) + f"/{label}:{uuid.UUID(int=self.interp._rng.getrandbits(128), version=4)}"

    # ------------------------------------------------------------- reading
    def _read_items(
        self, state: MapState, source: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> list[Any]:
        reader = state.item_reader
        assert reader is not None
        if state.jsonata:
            arguments = self.interp._jsonata_eval(reader.arguments, frame, env, "ItemReader/Arguments", states_var) if reader.arguments is not None else {}
            max_items = self.interp._jsonata_value(reader.max_items, frame, env, "ItemReader/ReaderConfig/MaxItems", states_var)
        else:
            arguments = reader.arguments.evaluate(source, env) if reader.arguments is not None else {}
            max_items = self._resolve_limit(reader.max_items, source, env, "MaxItems")
        number = as_integer(max_items) if max_items is not None else None
        if max_items is not None and (number is None or number < 0):
            raise StatesError(READER_FAILED, "field MaxItems must be positive")
        return read_items(reader.resource, arguments, reader.config, number, self.interp._object_store)

    def _batch(
        self, state: MapState, items: list[Any], source: Any, env: Env, frame: Frame, states_var: dict[str, Any]
    ) -> list[Any]:
        batcher = state.item_batcher
        assert batcher is not None
        if state.jsonata:
            max_items = self.interp._jsonata_value(batcher.max_items, frame, env, "ItemBatcher/MaxItemsPerBatch", states_var)
            max_bytes = self.interp._jsonata_value(batcher.max_bytes, frame, env, "ItemBatcher/MaxInputBytesPerBatch", states_var)
            batch_input = (
                self.interp._jsonata_eval(batcher.batch_input, frame, env, "ItemBatcher/BatchInput", states_var)
                if batcher.batch_input is not None
                else None
            )
        else:
            max_items = self._resolve_limit(batcher.max_items, source, env, "MaxItemsPerBatch")
            max_bytes = self._resolve_limit(batcher.max_bytes, source, env, "MaxInputBytesPerBatch")
            batch_input = batcher.batch_input.evaluate(source, env) if batcher.batch_input is not None else None
        return batch_items(
            items,
            as_integer(max_items) if max_items is not None else None,
            as_integer(max_bytes) if max_bytes is not None else None,
            batch_input,
        )

    @staticmethod
    def _resolve_limit(value: Any, source: Any, env: Env, field: str) -> Any:
        """A literal limit, or the value its ``...Path`` selects."""
        if value is None or isinstance(value, int):
            return value
        try:
            return value.get(source, env)
        except PathNotFound as exc:
            raise StatesError("States.Runtime", f"Invalid path '{value.text}' : {exc.message}") from None

    # ------------------------------------------------------------ children
    def _child_job(
        self, state: MapState, map_run_arn: str, index: int, item: Any, source: Any, env: Env
    ) -> Callable[[Frame], Any]:
        processor = state.processor
        assert processor is not None

        def job(slot: Frame) -> Any:
            if state.parameters is not None:
                item_env = Env(dict(env.context, Map={"Item": {"Index": index, "Value": item}}), env.variables, env.rng)
                if state.jsonata:
                    states_var = {"input": source, "context": item_env.context}
                    item_input = self.interp._jsonata_eval(state.parameters, slot, item_env, "ItemSelector", states_var)
                else:
                    item_input = state.parameters.evaluate(source, item_env)
            else:
                item_input = item
            child = self._child_interpreter(map_run_arn, item_input)
            started = child.history.add("ExecutionStarted", 0, {"input": to_json(item_input), "inputDetails": {"truncated": False}})
            # A child execution has a scope of its own: it cannot read the
            # parent's variables.
            child_frame = Frame(slot.cancel, started, Scope(), map_index=index)
            record: dict[str, Any] = {
                "mapRunArn": map_run_arn,
                "index": index,
                "executionArn": child.execution_arn,
                "input": item_input,
            }
            try:
                output = child.run_program(processor, item_input, child_frame)
            except StatesError as err:
                details = {k: v for k, v in (("error", err.error), ("cause", err.cause)) if v is not None}
                child.history.add("ExecutionFailed", len(child.history), details)
                record.update(status="FAILED", error=err.error, cause=err.cause, history=child.history.events())
                self.interp.child_executions.append(record)
                raise
            child.history.add("ExecutionSucceeded", child_frame.last_event, {"output": to_json(output), "outputDetails": {"truncated": False}})
            record.update(status="SUCCEEDED", output=output, history=child.history.events())
            self.interp.child_executions.append(record)
            return output

        return job

    def _child_interpreter(self, map_run_arn: str, item_input: Any) -> "Interpreter":
        """An interpreter for one child execution, with a history of its own."""
        from .interpreter import Interpreter

        name = str(uuid.UUID(int=self.interp._rng.getrandbits(128), version=4))
        prefix, _, run = map_run_arn.partition(":mapRun:")
        run_path = run.rsplit(":", 1)[0]
        execution_context: Mapping[str, Any] = {
            "Id": f"{prefix}:execution:{run_path}:{name}",
            "Input": item_input,
            "StartTime": self.interp._execution_ctx.get("StartTime"),
            "Name": name,
            "RoleArn": self.interp._execution_ctx.get("RoleArn"),
            "RedriveCount": 0,
        }
        history = History(self.interp.clock.now, None, self.interp._quotas.history_events)
        return Interpreter(
            history=history,
            clock=self.interp.clock,
            dispatcher=self.interp.dispatcher.with_history(history),
            execution_context=execution_context,
            state_machine_context=self.interp._machine_ctx,
            deadline=None,
            rng=self.interp._rng,
            quotas=self.interp._quotas,
            object_store=self.interp._object_store,
            child_executions=self.interp.child_executions,
        )

