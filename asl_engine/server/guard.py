"""Who may talk to ``asl serve``: the ``Host`` check, the cross-site check, the response headers.

A browser on this machine can be made to send requests to ``127.0.0.1``
from any web site. Two checks stop it:

* **DNS rebinding**: a site whose name resolves to ``127.0.0.1`` reads the
  console as its own origin. Its requests carry ``Host: <that name>``, so a
  request is served only when its ``Host`` names this server: ``127.0.0.1``,
  ``localhost``, ``[::1]``, the bound address, or a name the user allowed
  (``--allow-host``), each with the server's port (a name the user allowed
  with a port of its own matches that port). The ``sync-`` prefix botocore
  puts on ``StartSyncExecution``'s host (the API model's host prefix) is
  accepted on any of them. (botocore sends the endpoint URL's ``host:port``:
  ``endpoint_url=http://127.0.0.1:8083`` gives ``Host: 127.0.0.1:8083``, and
  ``sync-127.0.0.1:8083`` for ``StartSyncExecution`` unless
  ``inject_host_prefix=False``.) On a wildcard address (``0.0.0.0``, ``::``)
  without ``--allow-host`` any ``Host`` is accepted: the server is then
  reached by names it cannot know, and binding every interface is an
  explicit choice (``asl serve`` warns).
* **Cross-site requests** (CSRF): a page of another site may post a form or
  fire a ``fetch`` at a route that starts an execution. Browsers name the
  sender: ``Sec-Fetch-Site`` (``same-origin``, ``same-site``,
  ``cross-site``, ``none`` when the user typed the address) and ``Origin``.
  A request is refused when it says it comes from another site, unless it is
  a plain navigation (``GET``/``HEAD`` of a console page: reading is all it
  can do, and the answer goes to the user, not the other site). A route
  starts an execution whatever its method, so it refuses cross-site
  navigations too (``check_sender``). Programs (boto3, the aws CLI, curl)
  send neither header.

Both refusals are ``403 AccessDeniedException`` (AWS's type for a request
it will not serve), the message saying which header was refused.
``SECURITY_HEADERS`` go on every answer: the console's pages load nothing
from anywhere (no script at all, inline styles only) and cannot be framed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .protocol import ApiError

__all__ = ["SECURITY_HEADERS", "Guard", "LOOPBACK_NAMES", "is_wildcard"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})
_SYNC_PREFIX = "sync-"
_CROSS_SITE = frozenset({"cross-site", "same-site"})
"""``same-site`` too: another port of 127.0.0.1 (any local web app) is the same site."""

CROSS_SITE = "Refused: a cross-site request (from another web site) is not served"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def is_wildcard(host: str) -> bool:
    """``0.0.0.0`` or ``::``: every interface."""
    return host.strip() in _WILDCARDS


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ``::1`` or ``localhost``: only this machine can connect."""
    name = host.strip().strip("[]").lower()
    return name in ("localhost", "::1") or name.startswith("127.")


def _bracketed(host: str) -> str:
    """An IPv6 address as a ``Host`` header spells it: ``[::1]``."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class Guard:
    """The checks made of every request before it is read as an API call or a page.

    ``host``/``port``: the address bound; ``allowed_hosts``: more names
    (``NAME`` or ``NAME:PORT``) a ``Host`` header may give.
    """

    def __init__(self, host: str, port: int, allowed_hosts: Iterable[str] = ()) -> None:
        self.port = port
        extra = [name.strip().lower() for name in allowed_hosts if name.strip()]
        self.any_host = is_wildcard(host) and not extra
        names = [*LOOPBACK_NAMES, *([] if is_wildcard(host) else [_bracketed(host).lower()]), *extra]
        self._allowed = frozenset(name if _has_port(name) else f"{name}:{port}" for name in names)

    @property
    def allowed(self) -> list[str]:
        """The ``Host`` values served (sorted; empty when any is)."""
        return [] if self.any_host else sorted(self._allowed)

    def check(self, method: str, headers: Mapping[str, str]) -> None:
        """Raise the ``ApiError`` refusing a request (``headers`` with lower-case names)."""
        host = headers.get("host")
        if not self.any_host and not self._serves(host):
            shown = "no Host header" if host is None else f"Host {host[:200]!r}"
            raise ApiError(
                "AccessDeniedException",
                f"Refused: {shown} is not an address of this server (it serves {', '.join(self.allowed)}; "
                "asl serve --allow-host NAME adds one)",
                403,
            )
        navigation = method in ("GET", "HEAD") and headers.get("sec-fetch-mode", "navigate") == "navigate"
        if not navigation:
            self.check_sender(headers)

    def check_sender(self, headers: Mapping[str, str]) -> None:
        """Raise the ``ApiError`` refusing a request another web site sent, navigation or not
        (for what changes state whatever its method: a route)."""
        if self._cross_site(headers):
            raise ApiError("AccessDeniedException", CROSS_SITE, 403)

    def _serves(self, host: str | None) -> bool:
        if host is None:
            return False
        name = host.strip().lower()
        if not _has_port(name):
            name = f"{name}:80"
        if name.startswith(_SYNC_PREFIX) and name not in self._allowed:
            name = name[len(_SYNC_PREFIX):]
        return name in self._allowed

    def _cross_site(self, headers: Mapping[str, str]) -> bool:
        if headers.get("sec-fetch-site", "").strip().lower() in _CROSS_SITE:
            return True
        origin = headers.get("origin")
        # same-origin: the page that sent it was served from the address it was sent to
        return origin is not None and origin.strip().lower() != f"http://{headers.get('host', '').strip().lower()}"


def _has_port(name: str) -> bool:
    """``127.0.0.1:8083``, ``[::1]:8083`` (not ``[::1]``)."""
    tail = name.rsplit("]", 1)[-1]
    return ":" in tail
