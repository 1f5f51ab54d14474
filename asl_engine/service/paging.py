"""``maxResults`` / ``nextToken`` paging of every List call, as AWS pages.

``maxResults`` 0 (or absent) means AWS's default page of 100, at most 1000.
A token is opaque to clients: here the base64 of the offset it continues
from and the request it belongs to; any other string is ``InvalidToken``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Callable, Sequence, TypeVar

from .errors import ServiceError

__all__ = ["DEFAULT_PAGE", "page", "page_size", "read_token"]

DEFAULT_PAGE = 100
MAX_PAGE = 1000

T = TypeVar("T")


def page_size(request: dict[str, Any]) -> int:
    size = request.get("maxResults") or 0
    return DEFAULT_PAGE if size <= 0 else min(int(size), MAX_PAGE)


def read_token(request: dict[str, Any], scope: str) -> int:
    """The offset a request's ``nextToken`` continues from (0 without one)."""
    token = request.get("nextToken")
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        if data.get("s") != scope or not isinstance(data.get("o"), int) or data["o"] < 0:
            raise ValueError
        return int(data["o"])
    except (ValueError, UnicodeEncodeError, binascii.Error, AttributeError):
        raise ServiceError("InvalidToken", f"Invalid Token: '{token}'") from None


def _token(scope: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"s": scope, "o": offset}).encode()).decode("ascii")


def page(
    request: dict[str, Any], scope: str, fetch: Callable[[int, int], Sequence[T]]
) -> tuple[list[T], str | None]:
    """One page: ``fetch(offset, limit)`` returns up to ``limit`` items from
    ``offset``; return them and the token of the next page (``None`` at the end).
    ``scope`` ties a token to the listing it came from."""
    offset = read_token(request, scope)
    size = page_size(request)
    items = list(fetch(offset, size + 1))
    more = len(items) > size
    return items[:size], _token(scope, offset + size) if more else None
