"""Invoking a Task state's resource: mocks, local handlers, and their history.

The dispatcher finds the runner for a Task (see ``tasks.base``), records the
events AWS records for that kind of resource, enforces ``TimeoutSeconds``,
and turns every outcome into a result or a ``StatesError``.

History per resource kind (AWS-recorded sequences):

* Lambda function ARN: ``LambdaFunctionScheduled > LambdaFunctionStarted >
  LambdaFunctionSucceeded | LambdaFunctionFailed | LambdaFunctionTimedOut``;
* everything else: ``TaskScheduled > TaskStarted > TaskSucceeded |
  TaskFailed | TaskTimedOut``.
"""

from __future__ import annotations

import random
import threading
from contextlib import nullcontext
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Mapping, Protocol

from ..dataflow.jsonpath import to_json
from ..dataflow.json_values import copy_json
from ..documents.values import TOO_DEEP, encoded_problem
from ..errors import Aborted, EngineError, StatesError
from ..history.events import NOT_TRUNCATED, TASK_EVENTS, History
from ..execution.clock import branch
from ..execution.ids import IdSource, UuidSource, uuid_source
from ..execution.quotas import MAX_PAYLOAD_BYTES, check_payload
from ..model.arns import function_name
from .base import LazyContext, ResourceInfo, TaskRequest, parse_resource
from .local import LocalHandler, marshal_error
from .callbacks import CallbackSpool, register, unregister, wait_for_outcome
from .timeouts import TaskWatch, timeout_error
from .mocks import MockSet, Pending

class AwsRunner(Protocol):
    """Runs a Task against AWS (``asl_engine.tasks.aws.AwsTaskRunner``)."""

    def invoke(self, info: ResourceInfo, parameters: Any, request: TaskRequest) -> Any: ...


class ChildExecution(Protocol):
    """A started local child execution (``states:startExecution``)."""

    def started_response(self) -> dict[str, Any]: ...

    def result(self, watch: TaskWatch | None, cancel: threading.Event) -> Any: ...


class ChildLauncher(Protocol):
    """Starts child executions of the local state machines the run knows."""

    def start(self, parameters: Any, pattern: str | None) -> ChildExecution | None: ...


if TYPE_CHECKING:  # pragma: no cover
    from ..dataflow.jsonpath import Env
    from ..model.states import TaskState
    from ..execution.clock import Clock
    from ..execution.frame import Frame

__all__ = ["TaskDispatcher"]


_LAMBDA_INVOKE = "invoke"


class TaskDispatcher:
    """Runs Task invocations for one execution."""

    def __init__(
        self,
        *,
        handlers: Mapping[str, LocalHandler],
        mocks: MockSet,
        clock: "Clock",
        region: str,
        max_payload_bytes: int | None = MAX_PAYLOAD_BYTES,
        aws: "AwsRunner | None" = None,
        children: "ChildLauncher | None" = None,
        callbacks: CallbackSpool | None = None,
        new_id: IdSource | None = None,
        isolation: str = "thread",
        handler_memory_mb: int | None = None,
    ) -> None:
        self._handlers = handlers
        self._mocks = mocks
        self._mocked = len(mocks) > 0  # read per task: most runs mock nothing
        self._clock = clock
        # What a wait whose end the clock cannot see (a handler or AWS call, a
        # callback's answer) runs inside: the clock's ``blocking()`` when it has
        # one (the service's GatedClock lets another execution run meanwhile).
        self._blocking: Callable[[], ContextManager[Any]] | None = getattr(clock, "blocking", None)
        self._region = region
        self._max_payload = max_payload_bytes
        self._aws = aws
        self._children = children
        self._callbacks = callbacks
        # Where ids come from (the run's seeded randomness): Lambda request ids here.
        self.new_id: IdSource = new_id or uuid_source(random.Random())
        # A request id drawn now but made text when read (``TaskRequest.request_id``).
        self._id_bits = self.new_id.bits if isinstance(self.new_id, UuidSource) else None
        self._resources: dict[str, ResourceInfo] = {}
        # "process": handlers run in worker processes (``tasks.isolation``), with this memory limit.
        self._isolated = isolation == "process"
        self._memory_mb = handler_memory_mb
        if self._isolated:
            from .isolation import register  # local: only isolated runs import it

            register(handlers.values())

    @property
    def children(self) -> "ChildLauncher | None":
        """The launcher of local child executions (``states:startExecution``), if any."""
        return self._children

    def _info(self, resource: str) -> ResourceInfo:
        info = self._resources.get(resource)
        if info is None:
            info = self._resources[resource] = parse_resource(resource)
        return info

    def _find_handler(self, state: "TaskState", info: ResourceInfo, params: Any) -> tuple[LocalHandler | None, bool]:
        """The handler for this invocation, and whether it gets the ``Payload`` only."""
        handlers = self._handlers
        handler = handlers.get(state.name) or handlers.get(state.resource)
        if handler is not None:
            return handler, False
        if info.kind == "lambda-function" and info.function_name and info.function_name in handlers:
            return handlers[info.function_name], False
        if info.kind == "service" and info.resource_type == "lambda" and isinstance(params, dict):
            function = params.get("FunctionName")
            if isinstance(function, str):
                for key in (function, function_name(function)):
                    if key in handlers:
                        return handlers[key], True
        return None, False

    def invoke(
        self,
        state: "TaskState",
        params: Any,
        env: "Env",
        frame: "Frame",
        retry_count: int,
        timeout: int | None,
        heartbeat: int | None,
        history: History,
    ) -> Any:
        """Run one attempt of ``state``'s task with ``params``, recording its
        events in ``history`` (the execution's); return the result or raise."""
        info = self._info(state.resource)
        if info.kind == "activity" and not self._has_runner(state, info, params):
            # Locally an activity exists when a worker (handler or mock) is
            # registered for it; AWS fails before scheduling (AWS-recorded).
            raise StatesError("States.Runtime", f"The activity {state.resource} does not exist.")
        family, base = self._scheduled(state, info, params, timeout, heartbeat, frame, history)
        events = TASK_EVENTS[family]
        # In field order (positional: a tenth of the keywords' cost): state_name,
        # resource, parameters, context, attempt, map_index, timeout_seconds,
        # heartbeat_seconds, cancel, request_id, _watch, _id_bits.
        id_bits = self._id_bits
        request = TaskRequest(
            state.name, state.resource, params, LazyContext(lambda: env.context), retry_count, frame.map_index,
            timeout, heartbeat, frame.cancel, self.new_id() if id_bits is None else None,
            TaskWatch(self._clock, timeout, heartbeat) if timeout is not None or heartbeat is not None else None,
            None if id_bits is None else id_bits(),
        )
        try:
            result = self._run(state, info, request, frame, base, history)
            output = _marshal(result)
            check_payload(output, state.resource, self._max_payload)
        except StatesError as err:
            kind = "TimedOut" if err.timed_out or err.error == "States.Timeout" else "Failed"
            failure = dict(base)
            if err.error is not None:
                failure["error"] = err.error
            if err.cause is not None:
                failure["cause"] = err.cause
            frame.last_event = history.add(events[kind], frame.last_event, failure)
            raise
        # The state's exit follows at once (``more``): a durable store commits
        # the result with it, so a task whose result is stored never runs again.
        frame.last_event = history.add(
            events["Succeeded"], frame.last_event, dict(base, output=output, outputDetails=NOT_TRUNCATED), more=True
        )
        frame.known_json = (result, output)  # the state's output, when it is the result (the interpreter's loop)
        return result

    def _has_runner(self, state: "TaskState", info: ResourceInfo, params: Any) -> bool:
        return state.name in self._mocks or self._find_handler(state, info, params)[0] is not None or self._aws is not None

    def _scheduled(
        self, state: "TaskState", info: ResourceInfo, params: Any, timeout: int | None, heartbeat: int | None, frame: "Frame",
        history: History,
    ) -> tuple[str, dict[str, Any]]:
        """Record the events that open a task, by resource kind (AWS-recorded):

        * Lambda function ARN: ``LambdaFunctionScheduled > LambdaFunctionStarted``;
        * activity: ``ActivityScheduled > ActivityStarted``;
        * anything else: ``TaskScheduled > TaskStarted``, then ``TaskSubmitted``
          for ``.waitForTaskToken`` and ``.sync`` (the call was made; the task
          now waits for its token or job).

        Return the event family (a key of ``TASK_EVENTS``) and the details
        that every closing event repeats.
        """
        # The state's input as it was given (no Parameters): its JSON is known.
        text = frame.input_json if params is frame.state_input and frame.input_json is not None else to_json(params)
        limits: dict[str, Any] = {}
        if timeout is not None:
            limits["timeoutInSeconds"] = timeout
        kind = info.kind
        if heartbeat is not None and kind != "lambda-function":  # a Lambda task has no heartbeat
            limits["heartbeatInSeconds"] = heartbeat
        if kind == "lambda-function" or kind == "activity":
            family = "LambdaFunction" if kind == "lambda-function" else "Activity"
            details: dict[str, Any] = {"resource": state.resource, "input": text, "inputDetails": NOT_TRUNCATED}
            if limits:
                details.update(limits)
            frame.last_event = history.add(TASK_EVENTS[family]["Scheduled"], frame.last_event, details, more=True)
            started = {"workerName": "asl-local"} if kind == "activity" else None
            frame.last_event = history.add(TASK_EVENTS[family]["Started"], frame.last_event, started)
            return family, {}
        base = {"resourceType": info.resource_type, "resource": info.resource}
        details = dict(base, region=self._region, parameters=text, **limits)
        frame.last_event = history.add("TaskScheduled", frame.last_event, details, more=True)  # Started follows
        frame.last_event = history.add("TaskStarted", frame.last_event, dict(base))
        return "Task", base

    def _submitted(self, base: dict[str, Any], response: Any, frame: "Frame", history: History) -> None:
        """``TaskSubmitted``: the call of a ``.waitForTaskToken``/``.sync`` task
        was made; ``response`` is what the service answered."""
        if base:
            details = dict(base, output=to_json(response), outputDetails=NOT_TRUNCATED)
            frame.last_event = history.add("TaskSubmitted", frame.last_event, details)

    def _run(
        self, state: "TaskState", info: ResourceInfo, request: TaskRequest, frame: "Frame", base: dict[str, Any], history: History
    ) -> Any:
        """The task's result: from its mock, its handler, a local child
        execution, or AWS; for ``.waitForTaskToken``, the outcome sent for its token."""
        if self._mocked and request.state_name in self._mocks:
            # A mock gives the task's final outcome (a callback's answer, a
            # job's end); the call that submitted it is taken as made.
            if info.pattern is not None:
                self._submitted(base, {}, frame, history)
            try:
                return self._mocks.respond(request)
            except Pending:
                return self._pend(request._watch, frame)
        if self._children is not None and info.resource_type == "states" and info.resource.startswith("startExecution"):
            child = self._children.start(request.parameters, info.pattern)
            if child is not None:
                self._submitted(base, child.started_response(), frame, history)
                return child.result(request._watch, frame.cancel)
        token = request.task_token if info.pattern == "waitForTaskToken" else None
        if token is not None:
            # An answer sent during the call itself is kept; the token's limits
            # count from the task's start, on the execution's clock.
            register(token, request._watch or TaskWatch(self._clock, None, None))
            if self._callbacks is not None:
                self._callbacks.announce(token)  # before anyone can see it: answers may come at once
        try:
            if self._blocking is None:
                response = self._call(state, info, request)
            else:
                with self._blocking():
                    response = self._call(state, info, request)
        except BaseException:
            if token is not None:
                unregister(token)
                if self._callbacks is not None:
                    self._callbacks.retract(token)
            raise
        if info.pattern is None:
            return response
        self._submitted(base, response, frame, history)
        if token is None:
            return response  # a .sync handler returns when the job is done
        import logging  # local: only callback tasks log, and logging costs every start 4 ms

        logging.getLogger("asl_engine").info(
            "Task state '%s' waits for its task token %s (answer with: asl send-task-success --task-token %s --task-output JSON)",
            state.name, token, token,
        )
        with self._blocking() if self._blocking is not None else nullcontext():
            outcome = wait_for_outcome(token, frame.cancel, self._callbacks)
        if frame.cancel.is_set():
            raise Aborted()
        return outcome

    def _call(self, state: "TaskState", info: ResourceInfo, request: TaskRequest) -> Any:
        """Call the task's handler, or AWS when none is registered and AWS is enabled.

        ``TimeoutSeconds``/``HeartbeatSeconds`` bound the call, except for a
        callback task, whose limits apply to the wait for its token.
        """
        handler, payload_only = self._find_handler(state, info, request.parameters)
        call: Callable[[], Any]
        if handler is not None and self._isolated:
            from . import isolation  # local: only isolated runs import it (and multiprocessing)

            if isolation.isolates(handler):
                watch = None if info.pattern == "waitForTaskToken" else request._watch
                result = isolation.pool(self._memory_mb).call(handler, _event(request, payload_only), request, self._clock, watch)
                return _lambda_invoke_result(result) if payload_only else result
        if handler is not None:
            call = partial(handler, _event(request, payload_only), request)
        elif self._aws is not None:
            call = partial(self._aws.invoke, info, request.parameters, request)
        else:
            raise EngineError(
                f"Task state '{state.name}' has no handler or mock for resource '{state.resource}': "
                f"register one with handlers={{'{state.name}': fn}} or --handler {state.name}=module:function"
                + ("" if info.kind == "other" else ", or enable AWS calls (run(aws=AwsConfig()) / asl run --aws)")
            )
        if request._watch is None or info.pattern == "waitForTaskToken":
            result = call()
        else:
            result = self._with_timeout(call, request._watch, state.name)
        if payload_only:
            return _lambda_invoke_result(result)
        return result

    def _pend(self, watch: TaskWatch | None, frame: "Frame") -> Any:
        """A task that never completes: it times out at its first limit (on the clock), unless aborted."""
        limit = watch.next_limit() if watch is not None else None
        if limit is None:
            frame.cancel.wait()
            raise Aborted()
        if self._clock.sleep(max(0.0, (limit[0] - self._clock.now()).total_seconds()), frame.cancel):
            raise timeout_error(limit[1])
        raise Aborted()

    def _with_timeout(self, call: Callable[[], Any], watch: TaskWatch, state_name: str) -> Any:
        """Run a handler (or an AWS call) under ``TimeoutSeconds`` / ``HeartbeatSeconds``.

        It runs on a thread of its own, in a branch of the clock that starts
        now, so that the time it spends on the clock is its own; it resets the
        heartbeat limit with ``request.heartbeat()``. The limits are judged on
        the clock's time (``tasks.timeouts``); a timed-out handler cannot be
        stopped and finishes in the background, its result unused.
        """
        clock = self._clock
        done = threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            with branch(clock, watch.start) as span:
                try:
                    box["result"] = call()
                except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
                    box["error"] = exc
            box["end"] = span.end  # the handler's own time when it returned
            done.set()
            watch.wake.set()

        threading.Thread(target=target, name=f"asl-task-{state_name}", daemon=True).start()
        watch.wait(done)
        end = box["end"]
        expiry = watch.first_expiry(end)
        # The caller's time moves on to where the handler's ended, or to when it
        # timed out (a virtual clock keeps the two apart; real time is already past).
        moment = end if expiry is None else expiry[0]
        clock.sleep(max(0.0, (moment - clock.now()).total_seconds()))
        if expiry is not None:
            raise timeout_error(expiry[1])
        if "error" in box:
            raise box["error"]
        return box["result"]


def _event(request: TaskRequest, payload_only: bool) -> Any:
    """The handler's event: a copy of the parameters (of their ``Payload`` for ``lambda:invoke``)."""
    event = copy_json(request.parameters)
    if payload_only:
        return event.get("Payload") if isinstance(event, dict) else None
    return event


def _marshal(result: Any) -> str:
    """The JSON of a task result; a value JSON cannot hold fails as Lambda's runtime does."""
    try:
        text = to_json(result)
    except (TypeError, ValueError) as exc:
        raise marshal_error(exc) from None
    except RecursionError:
        raise marshal_error(f"the result {TOO_DEEP}") from None
    problem = encoded_problem(text)  # NaN/Infinity or a lone surrogate: never printed as invalid JSON
    if problem is not None:
        raise marshal_error(f"the result {problem}")
    return text


def _lambda_invoke_result(payload: Any) -> dict[str, Any]:
    """What ``arn:aws:states:::lambda:invoke`` returns around a function's result."""
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {"HttpHeaders": {}, "HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": ""},
        "StatusCode": 200,
    }

