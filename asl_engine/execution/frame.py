"""Where a program stands: the progress of one running ``States`` block, as data.

A ``Frame`` is the interpreter's whole progress in one program (the
machine, a Parallel branch, a Map iteration): the state it is in and that
state's input, its ``StateEntered`` event, its variables, the retry
counters of the state, the frames of the Map iterations or Parallel
branches it waits for (with the results of those already done), and the
task token it waits on. Nothing of it lives only on the Python stack, so
``snapshot()`` can write an execution's progress down as JSON at any state
boundary and ``Frame.restore`` can bring it back (the durable service
checkpoints and resumes executions this way).

Two members are not progress and are never written: ``cancel`` (the signal
that stops the program) and ``assigned`` (the assignments of the state
running now, applied when it exits).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from ..dataflow.jsonpath import to_json
from ..errors import QUERY_EVALUATION_ERROR, STATES_RUNTIME, StatesError
from .variables import Scope

__all__ = ["Frame", "ResultSink", "SavedResults", "locate"]

SNAPSHOT_VERSION = 1

ResultSink = Callable[[str, int, Any], None]
"""Takes (results scope, index, output) of a finished branch, to store it once."""
SavedResults = Callable[[str], dict[int, Any]]
"""The stored outputs of a results scope's finished branches (index -> output)."""


@dataclass(slots=True, eq=False)
class Frame:
    """The progress of one program. See the module docstring."""

    cancel: threading.Event
    last_event: int
    scope: Scope = field(default_factory=Scope)
    map_index: int | None = None
    assigned: dict[str, Any] | None = None
    state_name: str = ""  # the state running now, its input and its StateEntered event id
    state_input: Any = None
    entered: int = 0
    in_parallel_branch: bool = False
    # Retry counters of the state running now: attempts per Retrier, and in all.
    retry_counts: list[int] = field(default_factory=list)
    retry_count: int = 0
    # Map iterations / Parallel branches in flight (index -> frame) and done (index -> output).
    children: dict[int, "Frame"] = field(default_factory=dict)
    results: dict[int, Any] = field(default_factory=dict)
    # The task token a .waitForTaskToken task of this program waits for.
    token: str | None = None
    # When the state running now was entered (a resumed Wait waits only what is left).
    entered_at: datetime | None = None
    # The program reached its end: ``state_input`` holds its output. ``closed``:
    # the event that closes it in its parent (MapIterationSucceeded) is recorded too.
    ended: bool = False
    closed: bool = False
    # Where this frame sits in its execution ("" for the root, "<parent scope>/<index>").
    key: str = ""
    # Results not yet handed to a sink (see ``snapshot``).
    unsaved: dict[int, Any] = field(default_factory=dict)
    # ``state_input`` as JSON, when the interpreter has it (``snapshot_json`` reuses it).
    input_json: str | None = None
    # A value the running state made and its JSON, already checked against the
    # payload quota (a task's result): the state's output, when it is that value.
    known_json: tuple[Any, str] | None = None

    @property
    def results_scope(self) -> str:
        """Names the branches of one visit (and attempt) of the state running now."""
        return f"{self.key}@{self.entered}.{self.retry_count}"

    @property
    def started(self) -> bool:
        """Whether this program has made progress (a restored frame carries it on)."""
        return bool(self.state_name) or self.ended

    def enter(
        self, name: str, data: Any, entered: int, resumed: bool = False, at: datetime | None = None, text: str | None = None
    ) -> None:
        """The program moved to state ``name`` with input ``data`` (``text``: its
        JSON, when known): a new state's progress (``resumed``: the same state
        again, after a restore, keeping it)."""
        self.state_name, self.state_input, self.entered = name, data, entered
        self.input_json = text
        self.last_event = entered
        self.entered_at = at
        self.assigned = None
        if resumed:
            if self.results:  # a new visit (a redrive): its results go under the new scope
                self.unsaved = dict(self.results)
            return
        if self.retry_counts or self.retry_count or self.children or self.results or self.token is not None:
            self._clear()  # tested here: most states leave nothing to clear (the hot path)

    def exited(self, next_name: str | None, output: Any, event_id: int, text: str | None = None) -> None:
        """The state running now exited (event ``event_id``): the program stands
        before ``next_name`` with ``output`` (JSON ``text``) as its input, or has ended with it."""
        self.state_name, self.state_input, self.entered = next_name or "", output, 0
        self.input_json = text
        self.last_event = event_id
        self.entered_at = None
        self.ended = next_name is None
        if self.retry_counts or self.retry_count or self.children or self.results or self.token is not None:
            self._clear()

    def started_by(self, event_id: int) -> None:
        """``ExecutionStarted`` (event ``event_id``) opened the program."""
        self.last_event = event_id

    def close(self, output: Any, event_id: int) -> None:
        """The event that closes this program in its parent is recorded (``event_id``)."""
        self.state_input, self.ended, self.closed = output, True, True
        self.input_json = None
        self.last_event = event_id

    def _clear(self) -> None:
        if self.retry_counts or self.retry_count:
            self.retry_counts, self.retry_count = [], 0
        if self.children or self.results:
            self.restart_children()
        self.token = None

    def restart_children(self) -> None:
        """Forget the branches of the state running now (a new attempt runs them all)."""
        if self.children or self.results:
            self.children, self.results, self.unsaved = {}, {}, {}

    def child(self, index: int, cancel: threading.Event, scope: Scope) -> "Frame":
        """The frame of Map iteration / Parallel branch ``index``, registered as in flight."""
        frame = Frame(cancel, self.last_event, scope, key=f"{self.results_scope}/{index}")
        self.children[index] = frame
        return frame

    def finished(self, index: int, output: Any) -> None:
        """Child ``index`` ended with ``output``: it is done, no longer in flight."""
        self.results[index] = output
        self.unsaved[index] = output
        self.children.pop(index, None)

    # ------------------------------------------------------------ snapshots
    def snapshot(self, sink: ResultSink | None = None, *, children: bool = True) -> dict[str, Any]:
        """This frame's progress (and its children's) as JSON-compatible data.

        With a ``sink``, the outputs of finished branches are handed to it once
        each (the store keeps them in a table of their own) and left out of the
        snapshot, so that its size follows the branches in flight, not the
        items of a Map: a store that writes it with every event stays linear.
        """
        out: dict[str, Any] = {
            "version": SNAPSHOT_VERSION,
            "state": self.state_name,
            "input": self.state_input,
            "enteredEventId": self.entered,
            "lastEventId": self.last_event,
            "variables": dict(self.scope.values),
        }
        if self.map_index is not None:
            out["mapIndex"] = self.map_index
        if self.in_parallel_branch:
            out["parallelBranch"] = True
        if self.retry_count:
            out["retry"] = {"counts": list(self.retry_counts), "total": self.retry_count}
        running = dict(self.children) if children else {}  # copies: branches may finish meanwhile
        if running:
            out["running"] = {str(i): child.snapshot(sink) for i, child in sorted(running.items())}
        if self.key:
            out["key"] = self.key
        if sink is not None:
            out["resultsScope"] = self.results_scope  # where a sink keeps this visit's results
        if sink is None:
            results = dict(self.results)
            if results:
                out["done"] = {str(i): value for i, value in sorted(results.items())}
        elif self.unsaved:
            scope = self.results_scope
            unsaved, self.unsaved = self.unsaved, {}
            for index, value in unsaved.items():
                sink(scope, index, value)
        if self.token is not None:
            out["taskToken"] = self.token
        if self.entered_at is not None:
            out["enteredTime"] = self.entered_at.isoformat()
        if self.ended:
            out["ended"] = True
        if self.closed:
            out["closed"] = True
        return out

    def snapshot_json(self, sink: ResultSink | None = None) -> str:
        """``snapshot(sink)`` as JSON text, reusing the JSON of each frame's input
        that the interpreter already made (a Map's input is written as it came,
        not serialised again with every event)."""
        children = dict(self.children)
        own = self.snapshot(sink, children=False)
        own.pop("input", None)
        text = to_json(own)  # the shared compact encoder (json.dumps with options makes one per call)
        parts = [text[:-1], ',"input":', self.input_json if self.input_json is not None else to_json(self.state_input)]
        if children:
            parts.append(',"running":{')
            parts.append(",".join(f'"{i}":{child.snapshot_json(sink)}' for i, child in sorted(children.items())))
            parts.append("}")
        parts.append("}")
        return "".join(parts)

    @classmethod
    def restore(
        cls, data: dict[str, Any], cancel: threading.Event, parent: Scope | None = None, saved: SavedResults | None = None
    ) -> "Frame":
        """The frame a ``snapshot()`` describes (children in flight included), under
        ``parent``'s scope; ``saved`` gives the outputs a sink stored."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported frame snapshot version: {data.get('version')!r}")
        scope = Scope(parent)
        scope.values.update(data.get("variables") or {})
        retry = data.get("retry") or {}
        frame = cls(
            cancel,
            int(data.get("lastEventId", 0)),
            scope,
            map_index=data.get("mapIndex"),
            state_name=str(data.get("state", "")),
            state_input=data.get("input"),
            entered=int(data.get("enteredEventId", 0)),
            in_parallel_branch=bool(data.get("parallelBranch", False)),
            retry_counts=[int(n) for n in retry.get("counts", [])],
            retry_count=int(retry.get("total", 0)),
            token=data.get("taskToken"),
            entered_at=datetime.fromisoformat(data["enteredTime"]) if data.get("enteredTime") else None,
            ended=bool(data.get("ended", False)),
            closed=bool(data.get("closed", False)),
            key=str(data.get("key", "")),
        )
        for key, child in (data.get("running") or {}).items():
            frame.children[int(key)] = cls.restore(child, cancel, scope, saved)
        if saved is not None:
            frame.results.update(saved(str(data.get("resultsScope") or frame.results_scope)))
        for key, value in (data.get("done") or {}).items():
            frame.results[int(key)] = value
        return frame


def locate(err: StatesError, frame: Frame) -> None:
    """Prefix AWS's "An error occurred while executing the state ..." to the
    causes AWS prefixes (States.Runtime, States.QueryEvaluationError), once."""
    if err.located or err.error not in _LOCATED_ERRORS:
        return
    err.cause = (
        f"An error occurred while executing the state '{frame.state_name}' "
        f"(entered at the event id #{frame.entered}). {err.cause}"
    )
    err.located = True


_LOCATED_ERRORS = frozenset({STATES_RUNTIME, QUERY_EVALUATION_ERROR})
