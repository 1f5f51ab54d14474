"""The service's SQLite file fails: read-only, disk full, locked by another
connection. Each gives AWS's ``ServiceUnavailable`` (503) with a message that
names the file and the problem; nothing committed is lost, and an execution
whose next event could not be stored stays RUNNING at its last stored event,
which the next service on the file resumes (checked against the history)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from asl_engine import RunOptions
from asl_engine.server import make_server
from asl_engine.service import Service, ServiceError
from asl_engine.service import store as store_module
from asl_engine.service.store import StoreFault

from .helpers import client_of, until

CHAIN = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "Next": "B"}, "B": {"Type": "Pass", "End": True}}}
ASK = {"StartAt": "First", "States": {
    "First": {"Type": "Pass", "Result": {"n": 1}, "Next": "Ask"},
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "Next": "Last"},
    "Last": {"Type": "Pass", "End": True}}}
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "COMMIT", "BEGIN")


class _FullDisk:
    """A connection whose writes fail as SQLite's do on a full disk, once ``full`` is set."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self._real = real
        self.full = False

    def _check(self, sql: str) -> None:
        if self.full and sql.lstrip().upper().startswith(_WRITES):
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, args: Any = ()) -> Any:
        self._check(sql)
        return self._real.execute(sql, args)

    def executemany(self, sql: str, rows: Any) -> Any:
        self._check(sql)
        return self._real.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _Asker:
    """The handler of the callback task: keeps each token it is given."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.called = threading.Event()

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.tokens.append(event["token"])
        self.called.set()
        return {}


def _service(db: Path, asker: _Asker, resume: bool = True) -> Service:
    return Service(str(db), options=RunOptions(handlers={"ask": asker}), resume=resume)


def _types(service: Service, arn: str) -> list[str]:
    return [e["type"] for e in service.history(arn)]


def _submitted(service: Service, asker: _Asker, arn: str) -> None:
    """Wait until the callback task's ``TaskSubmitted`` is stored."""
    assert asker.called.wait(10)
    until(lambda: "TaskSubmitted" in _types(service, arn), what="TaskSubmitted")


def _refused(fn: Any, *args: Any) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        fn(*args)
    assert info.value.type == "ServiceUnavailable" and info.value.status == 503
    return info.value


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


def _stalled_then_resumed(db: Path, service: Service, asker: _Asker, arn: str) -> None:
    """The execution stopped at TaskSubmitted (RUNNING); a new service on the
    healed file resumes it, dispatches the task again with the same token, and
    the history carries on without a gap or a repeat."""
    service.runner.wait(arn, 10)
    assert service.describe_execution(arn)["status"] == "RUNNING"
    stored = _types(service, arn)
    assert stored[-1] == "TaskSubmitted"
    service.close()
    again = _Asker()
    with _service(db, again) as healed:
        assert again.called.wait(10)
        assert again.tokens == asker.tokens[:1]  # the same token: the task waits again
        healed.send_task_success(again.tokens[0], {"answer": 42})
        assert healed.wait(arn, 10)["status"] == "SUCCEEDED"
        events = healed.history(arn)
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert [e["type"] for e in events][: len(stored)] == stored
        # The task in flight is dispatched again (at-least-once), in the same state.
        assert [e["type"] for e in events][len(stored):] == [
            "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_a_full_disk_refuses_new_work_and_loses_no_stored_event(db: Path) -> None:
    asker = _Asker()
    service = _service(db, asker)
    disk = _FullDisk(service.store._db)
    service.store._db = disk  # type: ignore[assignment]
    machine = service.create_state_machine("ask", ASK)
    done = service.create_state_machine("chain", CHAIN)
    finished = service.start_execution(done, {})
    assert service.wait(finished)["status"] == "SUCCEEDED"
    arn = service.start_execution(machine, {})
    _submitted(service, asker, arn)
    disk.full = True
    error = _refused(service.start_execution, done, {})
    assert str(error) == f"ServiceUnavailable: The local store {db} cannot be used: the disk is full"
    assert service.describe_execution(finished)["status"] == "SUCCEEDED"  # reads still work
    service.send_task_success(asker.tokens[0], {"answer": 42})  # delivered; its TaskSucceeded cannot be stored
    _stalled_then_resumed(db, service, asker, arn)


def test_a_read_only_file_is_named_at_open_and_while_running(db: Path) -> None:
    asker = _Asker()
    service = _service(db, asker)
    machine = service.create_state_machine("ask", ASK)
    arn = service.start_execution(machine, {})
    _submitted(service, asker, arn)
    # The file turns read-only under the running service (root ignores file
    # modes, so SQLite's own read-only mode stands in for chmod).
    writable = service.store._db
    service.store._db = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
    service.store._db.row_factory = sqlite3.Row
    error = _refused(service.create_state_machine, "other", CHAIN)
    assert error.message == f"The local store {db} cannot be used: the file is read-only"
    service.send_task_success(asker.tokens[0], {"answer": 42})
    _stalled_then_resumed(db, service, asker, arn)
    writable.close()


def test_a_file_that_is_not_a_database_is_named_at_open(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(b"not a database, but a file someone put here" * 100)
    with pytest.raises(StoreFault) as info:
        Service(str(db))
    assert str(info.value) == f"ServiceUnavailable: The local store {db} cannot be used: the file is not an SQLite database"


def test_a_database_locked_by_another_connection(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    asker = _Asker()
    service = _service(db, asker)
    machine = service.create_state_machine("ask", ASK)
    arn = service.start_execution(machine, {})
    _submitted(service, asker, arn)
    other = sqlite3.connect(str(db), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        error = _refused(service.create_state_machine, "other", CHAIN)
        assert error.message == f"The local store {db} cannot be used: another process holds a lock on it (waited 0.2 s)"
        service.send_task_success(asker.tokens[0], {"answer": 42})
        service.runner.wait(arn, 10)
    finally:
        other.execute("ROLLBACK")
        other.close()
    _stalled_then_resumed(db, service, asker, arn)


def test_the_server_answers_a_store_fault_as_aws_does(db: Path) -> None:
    from botocore.exceptions import ClientError

    service = _service(db, _Asker())
    disk = _FullDisk(service.store._db)
    service.store._db = disk  # type: ignore[assignment]
    server = make_server(service, host="127.0.0.1", port=0).start()
    try:
        sfn = client_of(server.url)
        disk.full = True
        with pytest.raises(ClientError) as info:
            sfn.create_state_machine(name="chain", definition=json.dumps(CHAIN), roleArn="arn:aws:iam::123456789012:role/r")
        error = info.value.response["Error"]
        assert (error["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("ServiceUnavailable", 503)
        assert error["Message"] == f"The local store {db} cannot be used: the disk is full"
        assert sfn.list_state_machines()["stateMachines"] == []  # and it goes on serving
    finally:
        server.stop()
        service.close()


def test_a_token_is_known_before_its_task_is_called(db: Path) -> None:
    # A worker that answers as soon as it has the token (here: from inside the
    # handler, through the service) finds the task: the token is stored first.
    answers: list[str] = []

    def ask(event: dict[str, Any]) -> dict[str, Any]:
        try:
            service.send_task_success(event["token"], {"answer": 1})
            answers.append("accepted")
        except ServiceError as exc:
            answers.append(exc.type)
        return {}

    service = Service(str(db), options=RunOptions(handlers={"ask": ask}), skip_waits=True)
    with service:
        arn = service.start_execution(service.create_state_machine("ask", ASK), {})
        assert service.wait(arn, 10)["status"] == "SUCCEEDED"
    assert answers == ["accepted"]
