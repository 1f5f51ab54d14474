"""HTTP/1.1 for the AWS JSON 1.0 protocol, on the standard library's threaded server.

``POST /`` (also at botocore's ``sync-`` host of ``StartSyncExecution``) is an API call: the ``X-Amz-Target`` header and the
body go through ``Protocol.parse``, then ``call(operation, request, headers)``
answers, and ``Protocol.encode`` writes its dict as a 200 with
``Content-Type: application/x-amz-json-1.0``. An ``ApiError`` raised on the way
is answered with its status and body; any other exception from ``call`` is a
500 ``InternalFailure`` whose body says nothing of it (the traceback goes to
``log``, or to stderr without one) and the server goes on serving.

Every other method or path is offered to ``routes(method, path, body,
headers)`` (the console's pages); when it has no answer (``None``) the request
is a 404 ``UnknownOperationException``. ``headers`` is a dict with lower-case
names; ``path`` is the request target as sent, query string included.

Every answer, errors included, carries ``x-amzn-RequestId`` (a fresh UUID) and
a JSON error body shaped like AWS's, ``{"__type": ..., "message": ...}``. The
HTTP-level refusals take their ``__type`` from the status's reason phrase:

* a ``Content-Length`` above ``max_body``: 413 ``RequestEntityTooLarge``, sent
  before the body is read; the body is then read and dropped in small pieces
  (never held) so the client sees the answer, and the connection is closed;
* a POST without ``Content-Length`` (a chunked body is not supported; botocore
  always sends the length): 411 ``LengthRequired``;
* both ``Content-Length`` and ``Transfer-Encoding`` (RFC 9112 lets a server
  refuse what may be request smuggling): 400 ``BadRequest``, closed;
* a malformed request line or header (``asl_engine.server.head``), an
  unknown method: 400 ``BadRequest``, 431, 501 ``NotImplemented``, 505...,
  and the connection is closed.

Before either, every request passes ``Guard.check`` (``asl_engine.server.guard``):
a ``Host`` header that does not name this server, or a cross-site request
from a browser, is a 403 ``AccessDeniedException``. Then ``admit(method,
path, headers, body, api)``, when set (``--auth sigv4``), may refuse it with
an ``ApiError``. Every answer carries ``SECURITY_HEADERS`` (CSP, ``nosniff``,
no framing, no referrer) unless the route's answer names them itself.

Connections are kept alive (HTTP/1.1), one thread each; ``stop`` ends them.
The standard library's access log is silent unless ``log`` is given; it
never holds a console token (``console-token=***``).
"""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .auth import redact
from .guard import SECURITY_HEADERS, Guard
from .head import HeadError, read_fields, request_line
from .protocol import ApiError, Protocol

__all__ = ["Admit", "Call", "Routes", "Server"]

Call = Callable[[str, dict[str, Any], Mapping[str, str]], dict[str, Any]]
"""``call(operation, request, headers) -> response``: the service behind the API."""

Routes = Callable[[str, str, bytes, Mapping[str, str]], tuple[int, dict[str, str], bytes] | None]
"""``routes(method, path, body, headers) -> (status, headers, body)``, or None for no such route."""

Admit = Callable[[str, str, Mapping[str, str], bytes, bool], None]
"""``admit(method, path, headers, body, api)``: raise ``ApiError`` to refuse a request (``api``: it is ``POST /``)."""

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
INTERNAL_FAILURE = "The request processing has failed because of an unknown error, exception or failure."
"""AWS's description of ``InternalFailure``."""

_JSON = {"Content-Type": JSON_CONTENT_TYPE}
_OWN_HEADERS = frozenset({"content-length", "x-amzn-requestid", "connection", "server", "date"})
"""The headers the server writes itself, whatever a route's answer says."""
_POLL_SECONDS = 0.05
"""How often the accept loop looks for ``stop``: the most ``stop`` waits for it."""
_DRAIN_SECONDS = 5.0
_DRAIN_LIMIT = 64 * 1_048_576
"""A refused body is read and dropped up to this size, for this long; then the connection is cut."""


def _length(declared: str) -> int | None:
    """A ``Content-Length`` value as a number; None unless it is RFC 9110's
    1*DIGIT (``int()`` would also take "+5", "5_0", " 5" or a Unicode digit,
    and ``str.isdigit`` passes "²", which ``int()`` then refuses)."""
    return int(declared) if declared.isascii() and declared.isdigit() else None


def _status_type(status: int) -> str:
    """``RequestEntityTooLarge`` for 413: the reason phrase as an AWS error type."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "HttpError"
    return phrase.replace(" ", "").replace("-", "")


class Server:
    """The HTTP server of ``asl serve``: binds at once, serves from ``start`` or ``serve_forever``.

    ``port=0`` picks a free port (read it from ``url``). One ``Protocol`` is
    built unless given; ``max_body`` bounds a request body in bytes; ``log``
    receives the access log and the tracebacks of failed calls.
    ``allowed_hosts`` are more names a ``Host`` header may give (see
    ``Guard``); ``admit`` may be set before ``start``; ``notices`` are lines
    for whoever starts the server to print (``make_server`` fills them). Use
    it as a context manager to start and stop it.
    """

    def __init__(
        self,
        call: Call,
        *,
        host: str = "127.0.0.1",
        port: int = 8083,
        routes: Routes | None = None,
        max_body: int = 1_048_576,
        protocol: Protocol | None = None,
        log: Callable[[str], None] | None = None,
        allowed_hosts: Sequence[str] = (),
        admit: Admit | None = None,
    ) -> None:
        self._call = call
        self._routes = routes
        self._max_body = max_body
        self._protocol = protocol if protocol is not None else Protocol()
        self._log = log
        self._httpd = _HTTPServer((host, port), self)
        self.guard = Guard(host, self.port, allowed_hosts)
        self.admit = admit
        self.notices: list[str] = []
        self._thread: threading.Thread | None = None
        self._serving = False
        self._closed = False

    @property
    def port(self) -> int:
        """The port bound (the free one picked for ``port=0``)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the endpoint URL to give boto3."""
        host, port = self._httpd.server_address[:2]
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        host = str(host)
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def start(self) -> Server:
        """Serve on a background (daemon) thread; return self."""
        if self._thread is None:
            self._serving = True
            self._thread = threading.Thread(target=self.serve_forever, name=f"asl-server {self.url}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop`` (from another thread) or an exception."""
        self._serving = True
        self._httpd.serve_forever(poll_interval=_POLL_SECONDS)

    def stop(self) -> None:
        """Stop accepting, end the open connections, close the socket, join the threads."""
        if self._closed:
            return
        self._closed = True
        if self._serving:
            self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()  # joins the connection threads
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _report(self, context: str) -> None:
        """Log the exception being handled, with its traceback."""
        text = f"{context}\n{traceback.format_exc()}".rstrip("\n")
        if self._log is not None:
            self._log(text)
        else:
            print(text, file=sys.stderr)


class _HTTPServer(ThreadingHTTPServer):
    """The standard library's server, tracking its connections so that ``stop`` can end them."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: Server) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__((address[0].strip("[]"), address[1]), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind also asks the resolver for the host's FQDN; a local server needs none
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every open connection: their threads see the end of the stream and finish."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client went away mid-answer
        self.app._report(f"error serving {client_address}")


class _Handler(BaseHTTPRequestHandler):
    """One connection: requests one after the other (keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "asl"
    disable_nagle_algorithm = True  # an answer is one write; the 100 Continue before it is another
    server: _HTTPServer
    _refused_continue = False
    _date: tuple[int, str] = (0, "")  # the Date header of the current second (shared: a tuple is swapped whole)

    def do_POST(self) -> None:
        self._dispatch()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_POST

    def _dispatch(self) -> None:
        app = self.server.app
        request_id = str(uuid.uuid4())
        body = self._read_body(app._max_body, request_id)
        if body is None:
            return
        headers = self.fields
        api = self.command == "POST" and self.path.partition("?")[0] == "/"
        try:
            app.guard.check(self.command, headers)
            if app.admit is not None:
                app.admit(self.command, self.path, headers, body, api)
        except ApiError as refused:
            self._send(refused.status, _JSON, refused.body(), request_id)
            return
        if api:
            self._api(app, body, headers, request_id)
        else:
            self._route(app, body, headers, request_id)

    raw_requestline: bytes  # set by handle_one_request
    fields: dict[str, str] = {}
    """The request's header fields, by lower-case name (``head.read_fields``)."""

    def parse_request(self) -> bool:
        """Read the request line and headers (``asl_engine.server.head``, not
        ``http.server``'s email parser); answer a refusal and return False, or
        decide keep-alive and ``Expect: 100-continue`` as ``http.server`` does."""
        self.command = None  # type: ignore[assignment]  # send_error's "no request yet"
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        if not self.requestline.strip():
            return False  # a stray empty line: nothing to answer
        try:
            line = request_line(self.raw_requestline)
            self.request_version = line.version
            self.command, self.path = line.method, line.target
            self.fields = fields = read_fields(self.rfile.readline)
        except HeadError as refused:
            self.send_error(refused.status, refused.message)
            return False
        connection = {word.strip().lower() for word in fields.get("connection", "").split(",")}
        self.close_connection = "close" in connection or (line.minor == 0 and "keep-alive" not in connection)
        if fields.get("expect", "").lower() == "100-continue" and line.minor >= 1:
            return self.handle_expect_100()
        return True

    def _read_body(self, limit: int, request_id: str) -> bytes | None:
        """The request body, or None once a refusal was answered."""
        declared = self.fields.get("content-length")
        encoded = "transfer-encoding" in self.fields
        chunked = "chunked" in self.fields.get("transfer-encoding", "").lower()
        if encoded and declared is not None:
            # RFC 9112 6.3: the two together may be a smuggling attempt; refuse, and close.
            self._error(400, "A request must not have both Content-Length and Transfer-Encoding", request_id, close=True)
            return None
        if declared is None:
            if chunked or self.command == "POST":
                self._error(411, "A request body needs a Content-Length header", request_id, close=chunked)
                return None
            return b""
        length = _length(declared)
        if length is None:
            self._error(400, f"Invalid Content-Length {declared!r}", request_id, close=True)
            return None
        if length > limit:
            message = f"The request body of {length} bytes is larger than the limit of {limit} bytes"
            self._error(413, message, request_id, close=True)
            self._drain(length)
            return None
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away
            self.close_connection = True
            return None
        return body

    def _drain(self, length: int) -> None:
        """Read and drop a refused body, so that closing does not reset the connection before the
        client has read the answer; a client that sends it slowly is cut off."""
        if self._refused_continue:
            return  # it was told not to send it
        self.connection.settimeout(_DRAIN_SECONDS)
        left = min(length, _DRAIN_LIMIT)
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 65_536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def handle_expect_100(self) -> bool:
        length = _length(self.fields.get("content-length", ""))
        if length is not None and length > self.server.app._max_body:
            self._refused_continue = True  # answer 413 instead of "100 Continue"
            return True
        return super().handle_expect_100()

    def _api(self, app: Server, body: bytes, headers: dict[str, str], request_id: str) -> None:
        protocol = app._protocol
        operation = "(unparsed)"
        try:
            operation, request = protocol.parse(headers.get("x-amz-target"), body)
            payload = protocol.encode(operation, app._call(operation, request, headers))
        except ApiError as error:
            self._send(error.status, _JSON, error.body(), request_id)
            return
        except Exception:
            app._report(f"{request_id} {operation} failed")
            self._internal_failure(request_id)
            return
        self._send(200, _JSON, payload, request_id)

    def _route(self, app: Server, body: bytes, headers: dict[str, str], request_id: str) -> None:
        answer = None
        if app._routes is not None:
            try:
                answer = app._routes(self.command, self.path, body, headers)
            except Exception:
                app._report(f"{request_id} {self.command} {self.path} failed")
                self._internal_failure(request_id)
                return
        if answer is None:
            message = f"No operation or page at {self.command} {self.path}"
            self._send(404, _JSON, ApiError("UnknownOperationException", message, 404).body(), request_id)
            return
        status, extra, content = answer
        self._send(status, extra, content, request_id)

    def _internal_failure(self, request_id: str) -> None:
        self._send(500, _JSON, ApiError("InternalFailure", INTERNAL_FAILURE, 500).body(), request_id)

    def _error(self, status: int, message: str, request_id: str, *, close: bool = False) -> None:
        """An HTTP-level refusal, its ``__type`` named after the status."""
        self._send(status, _JSON, ApiError(_status_type(status), message, status).body(), request_id, close=close)

    def _send(
        self, status: int, headers: Mapping[str, str], body: bytes, request_id: str, *, close: bool = False
    ) -> None:
        """Write one answer in one piece (status line, headers, body)."""
        self.log_request(status)
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        head = [f"{self.protocol_version} {status} {phrase}", f"Server: {self.version_string()}", f"Date: {self.date_time_string()}"]
        given = {name.lower() for name in headers}
        head += [f"{name}: {value}" for name, value in headers.items() if name.lower() not in _OWN_HEADERS]
        head += [f"{name}: {value}" for name, value in SECURITY_HEADERS.items() if name.lower() not in given]
        head += [f"x-amzn-RequestId: {request_id}", f"Content-Length: {len(body)}"]
        if close:
            head.append("Connection: close")
            self.close_connection = True
        answer = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(answer + body if body and self.command != "HEAD" else answer)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's refusals (malformed request, unknown method) as AWS-shaped JSON."""
        self.log_error("code %d, message %s", code, message)
        if self.request_version == "HTTP/0.9":  # a request line too broken to say: answer in HTTP/1.1
            self.request_version = self.protocol_version
        self._error(int(code), message or HTTPStatus(code).phrase, str(uuid.uuid4()), close=True)

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header's text, made once a second (``email.utils.formatdate`` per answer cost ~10 us)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        second = int(time.time())
        cached = _Handler._date
        if cached[0] != second:
            cached = _Handler._date = (second, super().date_time_string(second))
        return cached[1]

    def log_message(self, format: str, *args: Any) -> None:
        log = self.server.app._log
        if log is not None:
            log(redact(f"{self.address_string()} {format % args}"))
