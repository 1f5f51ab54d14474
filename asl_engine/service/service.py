"""``Service``: a durable local AWS Step Functions, as a library.

Every operation takes and returns what the AWS API does (camelCase members,
``datetime`` timestamps), so ``Service.call("StartExecution", {...})`` answers
what boto3's ``start_execution(...)`` would; the HTTP server (``asl serve``)
is a thin layer over ``call``. A request that cannot be served raises
``ServiceError`` with AWS's error type and message.

Pythonic shortcuts cover the common test flow::

    service = Service(db=".asl/state.db", options=RunOptions(handlers=...))
    arn = service.create_state_machine("orders", definition)
    execution = service.start_execution(arn, {"id": 1})
    service.wait(execution)                    # until it ends (tests)
    service.describe_execution(execution)["status"]
    service.history(execution)                 # AWS GetExecutionHistory events
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from ..api import StateMachine, load
from ..api import validate as validate_definition
from ..diagnostics import Diagnostic
from ..errors import DefinitionError
from ..documents.values import JsonTextError
from ..documents.values import loads as parse_json_value
from ..execution.clock import Clock, SystemClock, VirtualClock
from ..model.arns import Arn
from ..options import DEFAULT_ACCOUNT, DEFAULT_REGION, RunOptions
from ..tasks.callbacks import TaskTokenError, send_task_failure, send_task_heartbeat, send_task_success
from ..tasks.mock_config import MockConfig
from .activities import ActivityQueues, activity_arns
from .map_runs import record_map_runs, store_child
from .teststate import __all__ as _teststate  # noqa: F401 - registers the TestState operation
from .errors import ServiceError, does_not_exist, invalid_arn, validation
from .paging import page
from .registry import OPERATIONS, operation
from .runner import Runner, StopRequest, StoreSpool
from .store import Store, epoch, moment

__all__ = ["OPERATIONS", "Service"]

_NAME = re.compile(r"[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}")
_ALIAS_NAME = re.compile(r"(?=.*[a-zA-Z_\-])[a-zA-Z0-9_\-]{1,80}")
_TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
_REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _new_revision() -> str:
    return uuid.uuid4().hex


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Service:
    """A local Step Functions service whose state lives in one SQLite file.

    ``db``: the file (``":memory:"``: nothing kept). ``options``: what every
    execution runs with (handlers, mocks, AWS access, quotas; its ``name``,
    ``clock`` and ``listeners`` are set per execution). ``mock_config``: a
    Step Functions Local ``MockConfigFile``; ``StartExecution`` on
    ``<stateMachineArn>#<TestCase>`` runs that test case's mocks, as Step
    Functions Local does. ``skip_waits``: each execution has a virtual clock.
    ``resume``: carry on the executions the store holds as running (a
    restart after a crash). ``workers``: executions in flight at once (a
    waiting one holds its worker); ``cpu_slots``: how many of them run engine
    code at once, the others waiting their turn, so that API requests are
    not starved of the GIL (``service/gate.py``).
    """

    def __init__(
        self,
        db: str = ":memory:",
        *,
        options: RunOptions | None = None,
        mock_config: MockConfig | None = None,
        skip_waits: bool = False,
        workers: int = 64,
        cpu_slots: int = 1,
        resume: bool = True,
    ) -> None:
        self.options = options or RunOptions()
        self.account = self.options.account or DEFAULT_ACCOUNT
        self.region = self.options.region or DEFAULT_REGION
        self.mock_config = mock_config
        self.store = Store(db)
        self._machines: dict[tuple[str, str], StateMachine] = {}
        self._lock = threading.RLock()
        self.activities = ActivityQueues()
        self.runner = Runner(self.store, self._machine, self._execution_options, skip_waits=skip_waits, workers=workers,
                             finished=lambda row, execution: record_map_runs(self.store, row, execution),
                             cpu_slots=cpu_slots)
        self.resumed = self.runner.resume_all() if resume else 0

    def close(self) -> None:
        """Stop; running executions stay ``RUNNING`` in the store (resumed by the next service)."""
        self.runner.close()
        self.activities.close()
        if self.options.isolation == "process":
            from ..tasks.isolation import shutdown  # local: only isolated services have workers

            shutdown()

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------ dispatch
    def call(self, operation_name: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """Serve one AWS API request; raise ``ServiceError`` as AWS would."""
        fn = OPERATIONS.get(operation_name)
        if fn is None:
            raise ServiceError("UnknownOperationException", f"The operation {operation_name} is not supported by asl serve.")
        return fn(self, dict(request))

    # ------------------------------------------------------------ shortcuts
    def create_state_machine(
        self, name: str, definition: Any, *, role_arn: str | None = None, type: str = "STANDARD"
    ) -> str:
        """Create (or find the identical) state machine; return its ARN."""
        text = definition if isinstance(definition, str) else _json_text(definition)
        response = self.call("CreateStateMachine", {
            "name": name, "definition": text, "type": type,
            "roleArn": role_arn or f"arn:aws:iam::{self.account}:role/StepFunctionsLocalRole",
        })
        return str(response["stateMachineArn"])

    def put_state_machine(self, name: str, definition: Any) -> str:
        """Create state machine ``name``, or update its definition when it exists; return its ARN."""
        arn = self.machine_arn(name)
        if self.store.one("SELECT arn FROM state_machines WHERE arn = ?", (arn,)) is None:
            return self.create_state_machine(name, definition)
        text = definition if isinstance(definition, str) else _json_text(definition)
        self.call("UpdateStateMachine", {"stateMachineArn": arn, "definition": text})
        return arn

    def executions(self, state_machine_arn: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        """Every execution (of one machine, with one status), newest first, as ListExecutions items."""
        clauses, args = [], []
        for column, value in (("machine_arn", state_machine_arn), ("status", status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        return [_item_execution(row) for row in self.store.all(f"SELECT * FROM executions{where} ORDER BY seq DESC", args)]

    def start_execution(self, state_machine_arn: str, input: Any = None, *, name: str | None = None) -> str:
        """Start an execution; return its ARN."""
        request: dict[str, Any] = {"stateMachineArn": state_machine_arn, "input": _json_text({} if input is None else input)}
        if name is not None:
            request["name"] = name
        return str(self.call("StartExecution", request)["executionArn"])

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        return self.call("DescribeExecution", {"executionArn": execution_arn})

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every event of an execution, oldest first."""
        self._execution_row(execution_arn)
        return self.store.events(execution_arn)

    def wait(self, execution_arn: str, timeout: float | None = 30.0) -> dict[str, Any]:
        """Wait until an execution is no longer running here; return its description."""
        self.runner.wait(execution_arn, timeout)
        return self.describe_execution(execution_arn)

    def redrive(self, execution_arn: str) -> datetime:
        return self.call("RedriveExecution", {"executionArn": execution_arn})["redriveDate"]  # type: ignore[no-any-return]

    def send_task_success(self, token: str, output: Any) -> None:
        self.call("SendTaskSuccess", {"taskToken": token, "output": _json_text(output)})

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        request = {"taskToken": token, **{k: v for k, v in (("error", error), ("cause", cause)) if v is not None}}
        self.call("SendTaskFailure", request)

    def send_task_heartbeat(self, token: str) -> None:
        self.call("SendTaskHeartbeat", {"taskToken": token})

    # ------------------------------------------------------------ ARNs
    def machine_arn(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    def _parse(self, arn: Any, kind: str) -> list[str]:
        """The resource parts of a Step Functions ARN of ``kind`` (``stateMachine``,
        ``execution``, ``activity``...) in this service's region; ``InvalidArn`` else."""
        parsed = Arn.parse(arn) if isinstance(arn, str) else None
        if parsed is None or parsed.service != "states":
            raise invalid_arn(str(arn))
        parts = parsed.resource.split(":")
        if parts[0] not in (kind, "express" if kind == "execution" else kind) or len(parts) < 2:
            raise ServiceError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[0]}'")
        if parsed.region != self.region:
            raise ServiceError("InvalidArn", f"Invalid Arn: 'Region not valid in this context: {parsed.region}'")
        return parts

    # ------------------------------------------------------------ machines
    def _machine(self, definition: str, machine_arn: str) -> StateMachine:
        """The loaded machine of a stored definition (loaded once per definition)."""
        name = machine_arn.split(":")[6]
        key = (definition, name)
        with self._lock:
            machine = self._machines.get(key)
        if machine is None:
            machine = load(json.loads(definition), name=name)
            with self._lock:
                self._machines[key] = machine
        return machine

    def _row(self, arn: Any, kind: str, table: str, missing: str) -> Any:
        """The stored row of an ARN of ``kind`` (InvalidArn if it is not one; ``missing`` if none)."""
        self._parse(arn, kind)
        row = self.store.one(f"SELECT * FROM {table} WHERE arn = ?", (arn,))
        if row is None:
            raise does_not_exist(missing, arn)
        return row

    def _machine_row(self, arn: str) -> Any:
        return self._row(arn, "stateMachine", "state_machines", "StateMachineDoesNotExist")

    def _check_definition(self, definition: str, machine_type: str) -> None:
        """``InvalidDefinition`` with AWS's message for every ERROR of the definition."""
        errors = [d for d in _diagnostics(definition, machine_type) if d.severity == "ERROR"]
        if not errors:
            try:
                load(definition)
            except DefinitionError as exc:
                errors = [d for d in exc.diagnostics if d.severity == "ERROR"]
        if errors:
            text = ", ".join(f"{d.code}: {d.message} at {d.path or '/'}" for d in errors)
            raise ServiceError("InvalidDefinition", f"Invalid State Machine Definition: '{text}'")

    def _check_role(self, role: Any) -> None:
        parsed = Arn.parse(role) if isinstance(role, str) else None
        if parsed is None or parsed.service != "iam":
            raise ServiceError("InvalidArn", f"Invalid Arn: '{role}'")

    def _publish(self, db: Any, row: Mapping[str, Any], description: str | None, when: datetime) -> str:
        version = int(row["next_version"])
        arn = f"{row['arn']}:{version}"
        db.execute(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (arn, row["arn"], version, row["definition"], row["role_arn"], row["type"], description, epoch(when), row["revision_id"]),
        )
        db.execute("UPDATE state_machines SET next_version = ? WHERE arn = ?", (version + 1, row["arn"]))
        return arn

    def _resolve(self, arn: str) -> tuple[Any, str | None, str | None, str, str]:
        """A machine, version or alias ARN -> (machine row, version ARN, alias ARN,
        definition, role) of what an execution started on it runs."""
        parts = self._parse(arn, "stateMachine")
        if len(parts) == 2:
            row = self._machine_row(arn)
            return row, None, None, row["definition"], row["role_arn"]
        base = ":".join(arn.split(":")[:7])
        row = self._machine_row(base)
        qualifier = parts[2]
        if qualifier.isdigit():
            version = self.store.one("SELECT * FROM versions WHERE arn = ?", (arn,))
            if version is None:
                raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
            return row, arn, None, version["definition"], version["role_arn"]
        alias = self.store.one("SELECT * FROM aliases WHERE arn = ?", (arn,))
        if alias is None:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
        routes = json.loads(alias["routing"])
        pick = _weighted([(r["stateMachineVersionArn"], r["weight"]) for r in routes])
        version = self.store.one("SELECT * FROM versions WHERE arn = ?", (pick,))
        if version is None:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{pick}'")
        return row, pick, arn, version["definition"], version["role_arn"]

    # ------------------------------------------------------------ executions
    def _execution_row(self, arn: Any) -> Any:
        return self._row(arn, "execution", "executions", "ExecutionDoesNotExist")

    def _execution_options(self, row: Any, clock: Clock) -> RunOptions:
        """What one stored execution runs with: the service's options, its own
        name, clock, type, role, mocked test case and callback spool."""
        mocks = self.options.mocks
        if row["test_case"]:
            assert self.mock_config is not None
            machine_name = row["machine_arn"].split(":")[6]
            mocks = {**(mocks or {}), **self.mock_config.mocks(machine_name, row["test_case"])}
        arn = row["arn"]
        handlers = dict(self.options.handlers or {})
        for activity in activity_arns(self.store):  # their workers poll GetActivityTask
            handlers.setdefault(activity, self.activities.handler(activity))
        return replace(
            self.options, name=row["name"], clock=clock, listeners=None, mocks=mocks, state_machine_type=row["type"],
            handlers=handlers,
            role_arn=row["role_arn"], account=self.account, region=self.region,
            callbacks=StoreSpool(self.store, arn, lambda: self._frame_state(arn)),
            # Each Map Run child is stored as it ends, none kept in memory.
            on_child_execution=lambda child: store_child(self.store, row, child), child_executions_kept=0,
        )

    def _frame_state(self, arn: str) -> str:
        row = self.store.one("SELECT progress FROM executions WHERE arn = ?", (arn,))
        progress = json.loads(row["progress"]) if row is not None and row["progress"] else {}
        return str(progress.get("state", ""))


def _diagnostics(definition: str, machine_type: str) -> list[Diagnostic]:
    """The validator's diagnostics of definition *text* (never a file path:
    the API takes JSON text only, so anything else is invalid JSON)."""
    if not definition.lstrip().startswith(("{", "[")):
        return [Diagnostic("ERROR", "INVALID_JSON_DESCRIPTION", "/", "Definition must be a valid JSON object")]
    return validate_definition(definition, state_machine_type=machine_type)


def _weighted(choices: list[tuple[str, int]]) -> str:
    import random

    total = sum(weight for _, weight in choices)
    point = random.uniform(0, total)
    for arn, weight in choices:
        point -= weight
        if point <= 0:
            return arn
    return choices[-1][0]


# ====================================================================== operations
def _item_machine(row: Any) -> dict[str, Any]:
    return {"stateMachineArn": row["arn"], "name": row["name"], "type": row["type"], "creationDate": moment(row["created"])}


@operation("CreateStateMachine")
def _create_state_machine(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    name, definition, role = request["name"], request["definition"], request["roleArn"]
    machine_type = request.get("type") or "STANDARD"
    if not _NAME.fullmatch(name):
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
    service._check_role(role)
    service._check_definition(definition, machine_type)
    arn = service.machine_arn(name)
    now = _now()
    with service.store.transaction() as db:
        existing = db.execute("SELECT * FROM state_machines WHERE arn = ?", (arn,)).fetchone()
        if existing is not None:
            if (existing["definition"], existing["role_arn"], existing["type"]) != (definition, role, machine_type):
                raise ServiceError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": moment(existing["created"])}
        db.execute(
            "INSERT INTO state_machines (arn, name, type, definition, role_arn, created, revision_id, description, logging, tracing)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (arn, name, machine_type, definition, role, epoch(now), _new_revision(), request.get("versionDescription"),
             _json_text(request.get("loggingConfiguration") or {"level": "OFF", "includeExecutionData": False}),
             _json_text(request.get("tracingConfiguration") or {"enabled": False})),
        )
        for tag in request.get("tags") or []:
            db.execute("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)", (arn, tag["key"], tag.get("value", "")))
        response: dict[str, Any] = {"stateMachineArn": arn, "creationDate": now}
        if request.get("publish"):
            row = db.execute("SELECT * FROM state_machines WHERE arn = ?", (arn,)).fetchone()
            response["stateMachineVersionArn"] = service._publish(db, row, request.get("versionDescription"), now)
    return response


@operation("DescribeStateMachine")
def _describe_state_machine(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["stateMachineArn"]
    parts = service._parse(arn, "stateMachine")
    if len(parts) > 2 and parts[2].isdigit():
        version = service.store.one("SELECT * FROM versions WHERE arn = ?", (arn,))
        if version is None:
            raise does_not_exist("StateMachineDoesNotExist", arn)
        row = service._machine_row(version["machine_arn"])
        definition, role, machine_type = version["definition"], version["role_arn"], version["type"]
        created, revision, description = version["created"], version["revision_id"], version["description"]
    else:
        row = service._machine_row(arn)
        definition, role, machine_type = row["definition"], row["role_arn"], row["type"]
        created, revision, description = row["created"], row["revision_id"], row["description"]
    response = {
        "stateMachineArn": arn, "name": row["name"], "status": "ACTIVE", "definition": definition,
        "roleArn": role, "type": machine_type, "creationDate": moment(created),
        "loggingConfiguration": json.loads(row["logging"]), "tracingConfiguration": json.loads(row["tracing"]),
        "revisionId": revision,
    }
    if description:
        response["description"] = description
    return response


@operation("ListStateMachines")
def _list_state_machines(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    rows, token = page(request, "machines", lambda offset, limit: service.store.all(
        "SELECT * FROM state_machines ORDER BY name LIMIT ? OFFSET ?", (limit, offset)))
    return _paged({"stateMachines": [_item_machine(r) for r in rows]}, token)


def _paged(response: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        response["nextToken"] = token
    return response


@operation("UpdateStateMachine")
def _update_state_machine(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["stateMachineArn"]
    row = service._machine_row(arn)
    changes = {k: request[k] for k in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration") if k in request}
    if "definition" not in changes and "roleArn" not in changes and not changes:
        raise ServiceError("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, "
                           "the EncryptionConfiguration or the TracingConfiguration must be specified")
    if "roleArn" in changes:
        service._check_role(changes["roleArn"])
    if "definition" in changes:
        service._check_definition(changes["definition"], row["type"])
    now = _now()
    with service.store.transaction() as db:
        db.execute(
            "UPDATE state_machines SET definition = ?, role_arn = ?, logging = ?, tracing = ?, updated = ?, revision_id = ? WHERE arn = ?",
            (changes.get("definition", row["definition"]), changes.get("roleArn", row["role_arn"]),
             _json_text(changes["loggingConfiguration"]) if "loggingConfiguration" in changes else row["logging"],
             _json_text(changes["tracingConfiguration"]) if "tracingConfiguration" in changes else row["tracing"],
             epoch(now), _new_revision(), arn),
        )
        updated = db.execute("SELECT * FROM state_machines WHERE arn = ?", (arn,)).fetchone()
        response: dict[str, Any] = {"updateDate": now, "revisionId": updated["revision_id"]}
        if request.get("publish"):
            response["stateMachineVersionArn"] = service._publish(db, updated, request.get("versionDescription"), now)
    return response


@operation("DeleteStateMachine")
def _delete_state_machine(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["stateMachineArn"]
    parts = service._parse(arn, "stateMachine")
    if len(parts) > 2:
        raise ServiceError("ValidationException", "Use DeleteStateMachineVersion or DeleteStateMachineAlias to delete a version or an alias")
    with service.store.transaction() as db:  # AWS: deleting a machine that does not exist succeeds
        db.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))
        db.execute("DELETE FROM versions WHERE machine_arn = ?", (arn,))
        db.execute("DELETE FROM aliases WHERE machine_arn = ?", (arn,))
        db.execute("DELETE FROM tags WHERE resource_arn = ?", (arn,))
    return {}


@operation("PublishStateMachineVersion")
def _publish_version(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._machine_row(request["stateMachineArn"])
    if request.get("revisionId") and request["revisionId"] != row["revision_id"]:
        raise ServiceError("ConflictException", f"Failed to publish the State Machine version for revision {request['revisionId']}. "
                           f"The current State Machine revision is {row['revision_id']}.")
    latest = service.store.one("SELECT * FROM versions WHERE machine_arn = ? ORDER BY version DESC LIMIT 1", (row["arn"],))
    if latest is not None and latest["revision_id"] == row["revision_id"]:
        return {"creationDate": moment(latest["created"]), "stateMachineVersionArn": latest["arn"]}
    now = _now()
    with service.store.transaction() as db:
        arn = service._publish(db, row, request.get("description"), now)
    return {"creationDate": now, "stateMachineVersionArn": arn}


@operation("ListStateMachineVersions")
def _list_versions(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._machine_row(request["stateMachineArn"])
    rows, token = page(request, "versions:" + row["arn"], lambda offset, limit: service.store.all(
        "SELECT * FROM versions WHERE machine_arn = ? ORDER BY version DESC LIMIT ? OFFSET ?", (row["arn"], limit, offset)))
    items = [{"stateMachineVersionArn": r["arn"], "creationDate": moment(r["created"])} for r in rows]
    return _paged({"stateMachineVersions": items}, token)


@operation("DeleteStateMachineVersion")
def _delete_version(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["stateMachineVersionArn"]
    service._parse(arn, "stateMachine")
    for alias in service.store.all("SELECT * FROM aliases"):
        if any(r["stateMachineVersionArn"] == arn for r in json.loads(alias["routing"])):
            raise ServiceError("ConflictException", f"Version to be deleted must not be referenced by an alias. "
                               f"Current list of aliases referencing this version: [{alias['name']}]")
    service.store.write("DELETE FROM versions WHERE arn = ?", (arn,))
    return {}


def _check_routing(service: Service, machine_arn: str | None, routes: Any) -> str:
    """An alias's routing: one or two versions of one machine, weights summing to 100."""
    if not isinstance(routes, list) or not 1 <= len(routes) <= 2 or sum(r.get("weight", 0) for r in routes) != 100:
        raise validation("Routing configuration must contain one or two versions whose weights sum to 100.")
    machines = set()
    for route in routes:
        version = service.store.one("SELECT * FROM versions WHERE arn = ?", (route["stateMachineVersionArn"],))
        if version is None:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{route['stateMachineVersionArn']}'")
        machines.add(version["machine_arn"])
    if len(machines) != 1 or (machine_arn is not None and machines != {machine_arn}):
        raise validation("Routing configuration must reference versions of the same state machine.")
    return str(machines.pop())


@operation("CreateStateMachineAlias")
def _create_alias(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    name, routes = request["name"], request["routingConfiguration"]
    if not _ALIAS_NAME.fullmatch(name):
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
    machine_arn = _check_routing(service, None, routes)
    arn = f"{machine_arn}:{name}"
    now = _now()
    with service.store.transaction() as db:
        existing = db.execute("SELECT * FROM aliases WHERE arn = ?", (arn,)).fetchone()
        if existing is not None:
            if json.loads(existing["routing"]) == routes and existing["description"] == request.get("description"):
                return {"stateMachineAliasArn": arn, "creationDate": moment(existing["created"])}
            raise ServiceError("ConflictException", f"Alias already exists: '{arn}'")
        db.execute("INSERT INTO aliases VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (arn, machine_arn, name, request.get("description"), _json_text(routes), epoch(now), epoch(now)))
    return {"stateMachineAliasArn": arn, "creationDate": now}


def _alias_row(service: Service, arn: str) -> Any:
    service._parse(arn, "stateMachine")
    row = service.store.one("SELECT * FROM aliases WHERE arn = ?", (arn,))
    if row is None:
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
    return row


@operation("DescribeStateMachineAlias")
def _describe_alias(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = _alias_row(service, request["stateMachineAliasArn"])
    response = {"stateMachineAliasArn": row["arn"], "name": row["name"], "routingConfiguration": json.loads(row["routing"]),
                "creationDate": moment(row["created"]), "updateDate": moment(row["updated"])}
    if row["description"]:
        response["description"] = row["description"]
    return response


@operation("UpdateStateMachineAlias")
def _update_alias(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = _alias_row(service, request["stateMachineAliasArn"])
    routes = request.get("routingConfiguration")
    if routes is not None:
        _check_routing(service, row["machine_arn"], routes)
    now = _now()
    service.store.write("UPDATE aliases SET routing = ?, description = ?, updated = ? WHERE arn = ?",
                        (_json_text(routes) if routes is not None else row["routing"],
                         request.get("description", row["description"]), epoch(now), row["arn"]))
    return {"updateDate": now}


@operation("DeleteStateMachineAlias")
def _delete_alias(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = _alias_row(service, request["stateMachineAliasArn"])
    service.store.write("DELETE FROM aliases WHERE arn = ?", (row["arn"],))
    return {}


@operation("ListStateMachineAliases")
def _list_aliases(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._machine_row(request["stateMachineArn"])
    rows, token = page(request, "aliases:" + row["arn"], lambda offset, limit: service.store.all(
        "SELECT * FROM aliases WHERE machine_arn = ? ORDER BY name LIMIT ? OFFSET ?", (row["arn"], limit, offset)))
    items = [{"stateMachineAliasArn": r["arn"], "creationDate": moment(r["created"])} for r in rows]
    return _paged({"stateMachineAliases": items}, token)


# ------------------------------------------------------------------ executions
def _input_text(request: dict[str, Any]) -> tuple[str, Any]:
    text = request.get("input")
    if text is None:
        return "{}", {}
    try:  # the shared reader: deep nesting, NaN, lone surrogates and 5,000-digit numbers too
        return text, parse_json_value(text, "the input")
    except JsonTextError as exc:
        raise ServiceError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from None


def _split_test_case(service: Service, arn: str) -> tuple[str, str | None]:
    """``<stateMachineArn>#<TestCase>`` (Step Functions Local's mocked test case)."""
    if "#" not in arn:
        return arn, None
    base, _, test_case = arn.partition("#")
    config = service.mock_config
    name = base.split(":")[6] if base.count(":") >= 6 else ""
    if config is None or name not in config.state_machines or test_case not in config.test_cases(name):
        raise validation(f"Test case '{test_case}' of state machine '{name}' is not in the mock config file.")
    return base, test_case


@operation("StartExecution")
def _start_execution(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    target, test_case = _split_test_case(service, request["stateMachineArn"])
    row, version_arn, alias_arn, definition, role = service._resolve(target)
    text, _ = _input_text(request)
    name = request.get("name") or str(uuid.uuid4())
    if not _NAME.fullmatch(name):
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
    machine_name = row["name"]
    express = row["type"] == "EXPRESS"
    if express:
        arn = f"arn:aws:states:{service.region}:{service.account}:express:{machine_name}:{name}:{uuid.uuid4()}"
    else:
        arn = f"arn:aws:states:{service.region}:{service.account}:execution:{machine_name}:{name}"
    now = _now()
    with service.store.transaction() as db:
        existing = db.execute("SELECT * FROM executions WHERE arn = ?", (arn,)).fetchone()
        if existing is not None:
            # AWS: the same name and input while the first runs is the same start.
            if existing["status"] == "RUNNING" and existing["input"] == text:
                return {"executionArn": arn, "startDate": moment(existing["start"])}
            raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        db.execute(
            "INSERT INTO executions (arn, machine_arn, version_arn, alias_arn, name, type, status, input, start,"
            " test_case, definition, role_arn, revision_id, trace_header)"
            " VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?)",
            (arn, row["arn"], version_arn, alias_arn, name, row["type"], text, epoch(now), test_case, definition, role,
             row["revision_id"], request.get("traceHeader")),
        )
    service.runner.submit(arn)
    return {"executionArn": arn, "startDate": now}


@operation("StartSyncExecution")
def _start_sync_execution(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    target, test_case = _split_test_case(service, request["stateMachineArn"])
    row, version_arn, alias_arn, definition, role = service._resolve(target)
    if row["type"] != "EXPRESS":
        raise ServiceError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
    text, value = _input_text(request)
    name = request.get("name") or str(uuid.uuid4())
    arn = f"arn:aws:states:{service.region}:{service.account}:express:{row['name']}:{name}:{uuid.uuid4()}"
    fake_row = {"arn": arn, "name": name, "machine_arn": row["arn"], "type": "EXPRESS", "role_arn": role, "test_case": test_case,
                "start": epoch(_now())}
    clock: Clock = VirtualClock() if service.runner.skip_waits else SystemClock()
    options = service._execution_options(fake_row, clock)
    started = time.perf_counter()
    execution = service._machine(definition, row["arn"]).run(value, options=replace(options, callbacks=None))
    billed = max(100, int((time.perf_counter() - started) * 1000 + 99) // 100 * 100)
    response: dict[str, Any] = {
        "executionArn": arn, "stateMachineArn": row["arn"], "name": name,
        "startDate": execution.start_date, "stopDate": execution.stop_date, "status": execution.status,
        "input": text, "inputDetails": {"included": True},
        "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": billed},
    }
    if execution.succeeded:
        response["output"] = _json_text(execution.output)
        response["outputDetails"] = {"included": True}
    else:
        response.update({k: v for k, v in (("error", execution.error), ("cause", execution.cause)) if v is not None})
    if request.get("traceHeader"):
        response["traceHeader"] = request["traceHeader"]
    return response


def _redrive_status(row: Any) -> tuple[str, str | None]:
    if row["type"] == "EXPRESS":
        return "NOT_REDRIVABLE", "Execution is EXPRESS and cannot be redriven"
    if row["status"] == "RUNNING":
        return "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"
    if row["status"] == "SUCCEEDED":
        return "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"
    return "REDRIVABLE", None


@operation("DescribeExecution")
def _describe_execution(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._execution_row(request["executionArn"])
    response: dict[str, Any] = {
        "executionArn": row["arn"], "stateMachineArn": row["machine_arn"], "name": row["name"], "status": row["status"],
        "startDate": moment(row["start"]), "input": row["input"], "inputDetails": {"included": True},
    }
    if row["stop"] is not None:
        response["stopDate"] = moment(row["stop"])
    if row["status"] == "SUCCEEDED":
        response["output"] = row["output"]
        response["outputDetails"] = {"included": True}
    for key in ("error", "cause"):
        if row[key] is not None:
            response[key] = row[key]
    for key, column in (("stateMachineVersionArn", "version_arn"), ("stateMachineAliasArn", "alias_arn"),
                        ("traceHeader", "trace_header"), ("mapRunArn", "map_run_arn")):
        if row[column]:
            response[key] = row[column]
    if row["type"] == "STANDARD":
        response["redriveCount"] = row["redrive_count"]
        status, reason = _redrive_status(row)
        response["redriveStatus"] = status
        if reason:
            response["redriveStatusReason"] = reason
        if row["redrive_date"] is not None:
            response["redriveDate"] = moment(row["redrive_date"])
    return response


@operation("DescribeStateMachineForExecution")
def _describe_machine_for_execution(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._execution_row(request["executionArn"])
    machine = service.store.one("SELECT * FROM state_machines WHERE arn = ?", (row["machine_arn"],))
    response: dict[str, Any] = {
        "stateMachineArn": row["machine_arn"], "name": row["machine_arn"].split(":")[6], "definition": row["definition"],
        "roleArn": row["role_arn"], "updateDate": moment(machine["updated"] or machine["created"]) if machine else moment(row["start"]),
        "revisionId": row["revision_id"],
    }
    if machine is not None:
        response["loggingConfiguration"] = json.loads(machine["logging"])
        response["tracingConfiguration"] = json.loads(machine["tracing"])
    return response


def _item_execution(row: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": row["arn"], "stateMachineArn": row["machine_arn"], "name": row["name"],
        "status": row["status"], "startDate": moment(row["start"]),
    }
    if row["stop"] is not None:
        item["stopDate"] = moment(row["stop"])
    for key, column in (("stateMachineVersionArn", "version_arn"), ("stateMachineAliasArn", "alias_arn")):
        if row[column]:
            item[key] = row[column]
    if row["type"] == "STANDARD":
        item["redriveCount"] = row["redrive_count"]
        if row["redrive_date"] is not None:
            item["redriveDate"] = moment(row["redrive_date"])
    return item


@operation("ListExecutions")
def _list_executions(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = request.get("stateMachineArn")
    if request.get("mapRunArn"):
        return _map_run_executions(service, request)
    if arn is None:
        raise validation("Must provide a StateMachine ARN or MapRun ARN")
    parts = service._parse(arn, "stateMachine")
    column = "machine_arn"
    if len(parts) > 2:
        column = "version_arn" if parts[2].isdigit() else "alias_arn"
    else:
        service._machine_row(arn)
    where, args = f"{column} = ?", [arn]
    if request.get("statusFilter"):
        where += " AND status = ?"
        args.append(request["statusFilter"])
    if request.get("redriveFilter"):
        where += " AND redrive_count > 0" if request["redriveFilter"] == "REDRIVEN" else " AND redrive_count = 0"
    scope = f"executions:{arn}:{request.get('statusFilter')}:{request.get('redriveFilter')}"
    rows, token = page(request, scope, lambda offset, limit: service.store.all(
        f"SELECT * FROM executions WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?", (*args, limit, offset)))
    return _paged({"executions": [_item_execution(r) for r in rows]}, token)


def _map_run_executions(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    """ListExecutions of a Map Run: its child executions, newest first."""
    arn = request["mapRunArn"]
    service._parse(arn, "mapRun")
    where, args = "map_run_arn = ?", [arn]
    if request.get("statusFilter"):
        where += " AND status = ?"
        args.append(request["statusFilter"])
    rows, token = page(request, f"maprun:{arn}:{request.get('statusFilter')}", lambda offset, limit: service.store.all(
        f"SELECT * FROM executions WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?", (*args, limit, offset)))
    return _paged({"executions": [_item_execution(r) for r in rows]}, token)


@operation("StopExecution")
def _stop_execution(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._execution_row(request["executionArn"])
    if row["status"] == "RUNNING":
        if not service.runner.stop(row["arn"], request.get("error"), request.get("cause")):
            details = {k: request[k] for k in ("error", "cause") if request.get(k) is not None}
            service.store.close_execution(row["arn"], "ExecutionAborted", details)
        row = service._execution_row(request["executionArn"])
    stop = row["stop"]
    return {"stopDate": moment(stop) if stop is not None else _now()}


_DATA_MEMBERS = ("input", "output")


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """An event as ``includeExecutionData=false`` shows it: no inputs or outputs."""
    out = dict(event)
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if k not in _DATA_MEMBERS and k not in ("inputDetails", "outputDetails")}
    return out


@operation("GetExecutionHistory")
def _get_execution_history(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._execution_row(request["executionArn"])
    reverse = bool(request.get("reverseOrder"))
    scope = f"history:{row['arn']}:{reverse}"
    total = row["events"]

    def fetch(offset: int, limit: int) -> list[dict[str, Any]]:
        if reverse:
            return service.store.events(row["arn"], total - offset + 1 if offset else 0, limit, reverse=True)
        return service.store.events(row["arn"], offset, limit)

    events, token = page(request, scope, fetch)
    if request.get("includeExecutionData") is False:
        events = [_without_data(e) for e in events]
    return _paged({"events": events}, token)


# ------------------------------------------------------------------ callbacks
def _token_owner(service: Service, token: str) -> Any:
    row = service.store.one("SELECT * FROM tokens WHERE token = ?", (token,))
    if row is None:
        raise ServiceError("TaskDoesNotExist", "Task Does Not Exist")
    execution = service.store.one("SELECT status FROM executions WHERE arn = ?", (row["execution_arn"],))
    if execution is None or execution["status"] != "RUNNING":
        raise ServiceError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
    return row


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_TOKEN = re.compile(f"{_UUID}(?:-{_UUID})?")
"""The tokens this service hands out: a UUID (callbacks), two (activity tasks)."""


def _answer(service: Service, token: str, local: Callable[[], None], message: dict[str, Any]) -> dict[str, Any]:
    """Deliver an answer to the task waiting here, or keep it for the task being resumed.
    A string that cannot be a token of this service is ``InvalidToken``, as AWS
    answers a malformed token; a well-formed unknown one ``TaskDoesNotExist``."""
    if not _TOKEN.fullmatch(token):
        raise ServiceError("InvalidToken", "Invalid Token: 'Invalid token'")
    try:
        local()
        return {}
    except TaskTokenError:
        pass
    owner = _token_owner(service, token)
    if not service.runner.running(owner["execution_arn"]):
        raise ServiceError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
    # Known, its execution runs, and its task waits again shortly (resuming): keep it.
    StoreSpool(service.store, owner["execution_arn"], lambda: "").send(token, message)
    return {}


@operation("SendTaskSuccess")
def _send_task_success(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    token = request["taskToken"]
    try:
        output = parse_json_value(request["output"], "the output")
    except JsonTextError as exc:
        raise ServiceError("InvalidOutput", f"Invalid Output: '{exc}'") from None
    return _answer(service, token, lambda: send_task_success(token, output), {"kind": "success", "output": output})


@operation("SendTaskFailure")
def _send_task_failure(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    token, error, cause = request["taskToken"], request.get("error"), request.get("cause")
    return _answer(service, token, lambda: send_task_failure(token, error, cause),
                   {"kind": "failure", "error": error, "cause": cause})


@operation("SendTaskHeartbeat")
def _send_task_heartbeat(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    token = request["taskToken"]
    return _answer(service, token, lambda: send_task_heartbeat(token), {"kind": "heartbeat"})


# ------------------------------------------------------------------ redrive
@operation("RedriveExecution")
def _redrive_execution(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = service._execution_row(request["executionArn"])
    status, reason = _redrive_status(row)
    if status != "REDRIVABLE":
        raise ServiceError("ExecutionNotRedrivable", f"Execution with arn '{row['arn']}' cannot be redriven: {reason}")
    progress = json.loads(row["progress"]) if row["progress"] else None
    if progress is None:
        raise ServiceError("ExecutionNotRedrivable", f"Execution with arn '{row['arn']}' cannot be redriven: no failed state was recorded")
    now = _now()
    count = row["redrive_count"] + 1
    event = {"timestamp": now, "type": "ExecutionRedriven", "id": row["events"] + 1, "previousEventId": row["events"],
             "executionRedrivenEventDetails": {"redriveCount": count}}
    redriven = _for_redrive(progress, row["events"] + 1)
    with service.store.transaction() as db:
        db.execute("UPDATE executions SET status = 'RUNNING', stop = NULL, output = NULL, error = NULL, cause = NULL,"
                   " redrive_count = ?, redrive_date = ? WHERE arn = ?", (count, epoch(now), row["arn"]))
    service.store.record_event(row["arn"], event, redriven)
    service.runner.submit(row["arn"])
    return {"redriveDate": now}


def _for_redrive(progress: dict[str, Any], event_id: int) -> dict[str, Any]:
    """The progress a redrive resumes from: each unfinished program enters its
    state again (a new StateEntered), its retry counters reset (AWS resets them);
    finished branches and iterations keep their results."""
    out = dict(progress)
    out["enteredEventId"] = 0
    out["lastEventId"] = event_id
    out.pop("retry", None)
    out.pop("taskToken", None)
    out.pop("enteredTime", None)
    if "running" in out:
        out["running"] = {k: _for_redrive(v, event_id) for k, v in out["running"].items()}
    return out


# ------------------------------------------------------------------ validation, tags, unsupported lookups
@operation("ValidateStateMachineDefinition")
def _validate(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    diagnostics = _diagnostics(request["definition"], request.get("type") or "STANDARD")
    if request.get("severity", "ERROR") == "ERROR":
        shown = [d for d in diagnostics if d.severity == "ERROR"]
    else:
        shown = diagnostics
    limit = request.get("maxResults") or 100
    items = [{"severity": d.severity, "code": d.code, "message": d.message, "location": d.path or "/"} for d in shown[:limit]]
    result = "FAIL" if any(d.severity == "ERROR" for d in diagnostics) else "OK"
    return {"result": result, "diagnostics": items, "truncated": len(shown) > limit}


def _tagged(service: Service, arn: Any) -> str:
    parsed = Arn.parse(arn) if isinstance(arn, str) else None
    if parsed is None or parsed.service != "states":
        raise invalid_arn(str(arn))
    table = "activities" if parsed.resource.startswith("activity:") else "state_machines"
    if service.store.one(f"SELECT arn FROM {table} WHERE arn = ?", (arn,)) is None:
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
    return str(arn)


@operation("TagResource")
def _tag(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = _tagged(service, request["resourceArn"])
    for index, tag in enumerate(request["tags"], 1):
        if tag.get("key") is None:  # the model leaves it optional; a tag without a key cannot be stored
            raise ServiceError("ValidationException", "1 validation error detected: Value null at "
                               f"'tags.{index}.member.key' failed to satisfy constraint: Member must not be null")
    with service.store.transaction() as db:
        for tag in request["tags"]:
            db.execute("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)", (arn, tag["key"], tag.get("value", "")))
    return {}


@operation("UntagResource")
def _untag(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = _tagged(service, request["resourceArn"])
    with service.store.transaction() as db:
        for key in request["tagKeys"]:
            db.execute("DELETE FROM tags WHERE resource_arn = ? AND key = ?", (arn, key))
    return {}


@operation("ListTagsForResource")
def _list_tags(service: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = _tagged(service, request["resourceArn"])
    rows = service.store.all("SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY key", (arn,))
    return {"tags": [{"key": r["key"], "value": r["value"]} for r in rows]}

