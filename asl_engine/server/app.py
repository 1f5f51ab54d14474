"""``asl serve``'s application: the HTTP server over a ``Service``, plus routes.

The server translates only: an AWS JSON 1.0 request becomes
``service.call(operation, body)``, a ``ServiceError`` becomes AWS's error
answer. Routes (API-Gateway-style, declared in ``local_aws.json`` under
``"routes"``) turn a plain HTTP request into a ``StartExecution``, as API
Gateway's Step Functions integration does: ``POST /messages`` with a JSON
body starts the route's state machine with that body as input and answers
``{"executionArn", "startDate"}``. Any other ``GET`` may be a page of the
console (``asl_engine.server.console``).

``make_server`` also decides who is let in: the ``Host`` and cross-site
checks of ``asl_engine.server.guard`` always, and with ``access_keys`` the
signatures and console token of ``asl_engine.server.auth``. Its
``server.notices`` say what to tell the user at start: a warning when the
address is reachable from other machines, the console's URL under
``--auth sigv4``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from ..documents.values import read_file
from ..embedded_aws import LocalAwsError, load_spec
from ..service import Service, ServiceError
from .auth import Access
from .console import console_page
from .guard import is_loopback, is_wildcard
from .http import Server
from .sigv4 import SigV4
from .protocol import ApiError

__all__ = ["MAX_BODY", "Route", "make_server", "read_routes"]

MAX_BODY = 8 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    """``method path`` starts ``state_machine`` (a name or ARN) with the request body."""

    method: str
    path: str
    state_machine: str


def read_routes(source: Mapping[str, Any] | str) -> list[Route]:
    """The ``"routes"`` of a ``local_aws.json`` document (or of the file, or of
    the one in a folder); ValueError (OSError) when malformed (unreadable)."""
    if isinstance(source, str):
        path = Path(source)
        if path.is_dir():
            try:
                source = load_spec(path)
            except LocalAwsError as exc:
                raise ValueError(str(exc)) from None
        else:
            source = read_file(str(path), f"the routes file {path}")
    if not isinstance(source, dict):
        raise ValueError("a routes file must hold a JSON object")
    spec = source
    routes = []
    for index, item in enumerate(spec.get("routes") or []):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("method", "path", "stateMachine")):
            raise ValueError(f"routes[{index}] must be an object with string method, path and stateMachine")
        routes.append(Route(item["method"].upper(), item["path"], item["stateMachine"]))
    return routes


def _json_answer(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body, default=_default).encode()


def _default(value: Any) -> Any:
    if hasattr(value, "timestamp"):
        return value.timestamp()
    raise TypeError(type(value).__name__)


def exposure_warning(host: str, any_host: bool) -> str | None:
    """What to say when ``host`` is not this machine only."""
    if is_loopback(host):
        return None
    reach = "every interface" if is_wildcard(host) else host
    hosts = " and any Host header is accepted" if any_host else ""
    return (f"warning: listening on {reach}: other machines can reach this server{hosts}; "
            "anyone who can connect can start executions unless --auth sigv4 is given")


def make_server(
    service: Service, *, host: str = "127.0.0.1", port: int = 8083, routes: Sequence[Route] = (), log: Any = None,
    allowed_hosts: Sequence[str] = (), access_keys: Mapping[str, str] | None = None,
    now: Callable[[], datetime] | None = None,
) -> Server:
    """The HTTP server of ``service`` (not started: call ``start()`` or ``serve_forever()``).

    ``allowed_hosts``: more ``Host`` names served (``--allow-host``);
    ``access_keys`` (id -> secret): requests must be signed with one
    (``--auth sigv4``); ``now``: the time signatures are checked against.
    """

    def call(operation: str, body: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        try:
            return service.call(operation, body)
        except ServiceError as err:
            raise ApiError(err.type, err.message, err.status) from None

    table = {(route.method, route.path): route for route in routes}
    access: Access | None = None

    def route(method: str, path: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        found = table.get((method, path.split("?", 1)[0]))
        if found is None:
            login = access.login(method, path) if access is not None else None
            return login if login is not None else console_page(service, method, path)
        try:
            server.guard.check_sender(headers)  # a link or a GET form of another site must not start it either
        except ApiError as refused:
            return _json_answer(refused.status, {"__type": refused.type, "message": refused.message})
        target = found.state_machine if found.state_machine.startswith("arn:") else service.machine_arn(found.state_machine)
        try:
            text = body.decode("utf-8") if body else "{}"
            json.loads(text)
        except ValueError:
            return _json_answer(400, {"message": "The request body must be JSON"})
        try:
            return _json_answer(200, service.call("StartExecution", {"stateMachineArn": target, "input": text}))
        except ServiceError as err:
            return _json_answer(400, {"__type": err.type, "message": err.message})

    # 8 MiB: a largest definition (1 MiB) JSON-escaped in a request fits; a 10 MB body is refused unread.
    # (AWS's own quota is 1 MB per request, headers included: a local service may be more generous.)
    server = Server(call, host=host, port=port, routes=route, log=log, max_body=MAX_BODY, allowed_hosts=allowed_hosts)
    warning = exposure_warning(host, server.guard.any_host)
    if warning is not None:
        server.notices.append(warning)
    if access_keys is not None:
        access = Access(SigV4(access_keys, now), server.port)
        server.admit = access.check
        server.notices.append(f"console (this URL lets a browser in; keep it to yourself): {access.console_url(server.url)}")
    return server
