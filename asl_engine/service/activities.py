"""Activities: Task states whose work is done by the user's workers.

A Task whose ``Resource`` is an activity ARN waits for a worker: the task
is queued with a fresh task token; a worker's ``GetActivityTask`` (a long
poll, up to 60 seconds as on AWS) takes it and answers with
``SendTaskSuccess`` / ``SendTaskFailure`` / ``SendTaskHeartbeat`` on that
token. ``TimeoutSeconds`` and ``HeartbeatSeconds`` are the task's limits.

Queued tasks live in memory: after a restart, a Task that was waiting for
a worker is dispatched again (a new token), as a task in flight is.
Difference from AWS: ``ActivityStarted`` is recorded when the task is
scheduled (with the worker name ``asl-local``), not when a worker takes it.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable

from ..execution.clock import SystemClock
from ..tasks.base import TaskRequest
from ..tasks.callbacks import register, wait_for_outcome
from ..tasks.isolation import in_process
from ..tasks.timeouts import TaskWatch
from .errors import ServiceError
from .paging import page
from .registry import operation
from .store import Store, epoch, moment

__all__ = ["ActivityQueues"]

_NAME = re.compile(r"[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}")


class ActivityQueues:
    """The tasks waiting for a worker, per activity ARN."""

    def __init__(self, poll_seconds: float = 60.0) -> None:
        self.poll_seconds = poll_seconds
        self._queues: dict[str, deque[tuple[str, str]]] = {}
        self._ready = threading.Condition()
        self._closed = False

    def handler(self, activity_arn: str) -> Callable[[Any, Any], Any]:
        """The local handler of an activity's Task states: queue the task, wait for its answer."""

        def run(event: Any, context: Any) -> Any:
            request: TaskRequest = context.request
            token = f"{uuid.uuid4()}-{uuid.uuid4()}"
            watch = request._watch or TaskWatch(SystemClock(), None, None)
            register(token, watch)
            with self._ready:
                self._queues.setdefault(activity_arn, deque()).append((token, json.dumps(event, separators=(",", ":"))))
                self._ready.notify_all()
            return wait_for_outcome(token, request.cancel, None)

        return in_process(run)  # it waits on this process's queues: never in a worker

    def take(self, activity_arn: str, timeout: float | None = None) -> tuple[str, str] | None:
        """The oldest task of an activity, waiting for one up to the poll time."""
        with self._ready:
            self._ready.wait_for(lambda: self._closed or bool(self._queues.get(activity_arn)),
                                 self.poll_seconds if timeout is None else timeout)
            queue = self._queues.get(activity_arn)
            return queue.popleft() if queue else None

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()


def activity_arns(store: Store) -> list[str]:
    return [row["arn"] for row in store.all("SELECT arn FROM activities")]


def _activity_row(service: Any, arn: str) -> Any:
    return service._row(arn, "activity", "activities", "ActivityDoesNotExist")


@operation("CreateActivity")
def _create_activity(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    name = request["name"]
    if not _NAME.fullmatch(name):
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
    arn = f"arn:aws:states:{service.region}:{service.account}:activity:{name}"
    now = datetime.now(timezone.utc)
    with service.store.transaction() as db:
        existing = db.execute("SELECT * FROM activities WHERE arn = ?", (arn,)).fetchone()
        if existing is not None:  # AWS: creating an existing activity returns it
            return {"activityArn": arn, "creationDate": moment(existing["created"])}
        db.execute("INSERT INTO activities VALUES (?, ?, ?)", (arn, name, epoch(now)))
        for tag in request.get("tags") or []:
            db.execute("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)", (arn, tag["key"], tag.get("value", "")))
    return {"activityArn": arn, "creationDate": now}


@operation("DescribeActivity")
def _describe_activity(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    row = _activity_row(service, request["activityArn"])
    return {"activityArn": row["arn"], "name": row["name"], "creationDate": moment(row["created"])}


@operation("DeleteActivity")
def _delete_activity(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["activityArn"]
    service._parse(arn, "activity")
    service.store.write("DELETE FROM activities WHERE arn = ?", (arn,))
    return {}


@operation("ListActivities")
def _list_activities(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    rows, token = page(request, "activities", lambda offset, limit: service.store.all(
        "SELECT * FROM activities ORDER BY name LIMIT ? OFFSET ?", (limit, offset)))
    response: dict[str, Any] = {"activities": [
        {"activityArn": r["arn"], "name": r["name"], "creationDate": moment(r["created"])} for r in rows]}
    if token is not None:
        response["nextToken"] = token
    return response


@operation("GetActivityTask")
def _get_activity_task(service: Any, request: dict[str, Any]) -> dict[str, Any]:
    arn = _activity_row(service, request["activityArn"])["arn"]
    task = service.activities.take(arn)
    if task is None:
        return {}  # AWS: no task within the poll time -> an empty answer
    token, text = task
    return {"taskToken": token, "input": text}
