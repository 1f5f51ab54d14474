"""Who is let in under ``asl serve --auth sigv4``: signed API calls and routes, and the console's browser.

* ``POST /`` (the API) must be signed for the ``states`` service, as AWS
  wants; a route (``POST /messages``) for ``execute-api``, as API Gateway's
  IAM authorization wants (``asl_engine.server.sigv4``).
* The console's pages cannot be signed by a browser. The server makes a
  random console token at start and prints the URL that carries it once
  (``/?console-token=...``). Opening it sets a cookie holding the token
  (``HttpOnly``, ``SameSite=Strict``: no script reads it, no other site's
  request carries it) and redirects to the page without it; pages are then
  served to requests carrying the cookie. A ``GET`` with neither gets the
  signature's refusal (``MissingAuthenticationTokenException``).

Tokens and cookies are compared in constant time; the token appears in no
answer body, and the access log (``--log-requests``) shows ``console-token=***``.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from .protocol import ApiError
from .sigv4 import SigV4

__all__ = ["Access", "redact"]

TOKEN_PARAMETER = "console-token"
_REDACT = re.compile(rf"({TOKEN_PARAMETER}=)[^&\s\"]*")

Answer = tuple[int, dict[str, str], bytes]


def redact(line: str) -> str:
    """``line`` with any console token replaced by ``***`` (for the access log)."""
    return _REDACT.sub(r"\1***", line)


class Access:
    """The checks of ``--auth sigv4``; ``token`` is the console's (random unless given)."""

    def __init__(self, sigv4: SigV4, port: int, token: str | None = None) -> None:
        self._sigv4 = sigv4
        self.token = token or secrets.token_urlsafe(24)
        self._cookie = f"asl-console-{port}"

    def __repr__(self) -> str:  # never the token
        return f"Access({self._sigv4!r})"

    def console_url(self, base: str) -> str:
        """The URL that lets a browser in (print it once)."""
        return f"{base}/?{TOKEN_PARAMETER}={self.token}"

    def check(self, method: str, target: str, headers: Mapping[str, str], body: bytes, api: bool) -> None:
        """Raise the ``ApiError`` refusing a request that is neither signed nor the console's browser."""
        if not api and method in ("GET", "HEAD") and (self._has_cookie(headers) or self._token_in(target)):
            return
        self._sigv4.check(method, target, headers, body, "states" if api else "execute-api")

    def login(self, method: str, target: str) -> Answer | None:
        """The answer to the console URL: the cookie, and a redirect to the page without the token."""
        if method not in ("GET", "HEAD") or not self._token_in(target):
            return None
        parts = urlsplit(target)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != TOKEN_PARAMETER])
        location = parts.path + (f"?{query}" if query else "")
        cookie = f"{self._cookie}={self.token}; HttpOnly; SameSite=Strict; Path=/"
        return 303, {"Location": location, "Set-Cookie": cookie, "Cache-Control": "no-store"}, b""

    def _token_in(self, target: str) -> bool:
        given = dict(parse_qsl(urlsplit(target).query)).get(TOKEN_PARAMETER)
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def _has_cookie(self, headers: Mapping[str, str]) -> bool:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except CookieError:
            return False
        morsel = jar.get(self._cookie)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.token.encode())
