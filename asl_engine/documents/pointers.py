"""JSON pointers (RFC 6901): the one place that escapes and splits them.

A pointer is ``""`` for the whole document, else ``/``-separated segments in
which ``~`` is written ``~0`` and ``/`` is written ``~1``.
"""

from __future__ import annotations

__all__ = ["escape", "join", "last_segment", "parent", "pointer", "segments", "unescape"]


def escape(segment: object) -> str:
    """One segment as it is written in a pointer (``a/b`` -> ``a~1b``)."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    """The inverse of :func:`escape`."""
    return segment.replace("~1", "/").replace("~0", "~")


def pointer(*parts: object) -> str:
    """A pointer from raw segments: ``pointer("States", "a/b")`` -> ``/States/a~1b``."""
    return "".join("/" + escape(p) for p in parts)


def join(base: str, *parts: object) -> str:
    """``base`` extended by raw segments: ``join("/States/A", "Retry", 0)``."""
    return base + pointer(*parts)


def segments(ptr: str) -> list[str]:
    """The raw segments of a pointer (``""`` -> ``[]``)."""
    return [unescape(raw) for raw in ptr.split("/")[1:]]


def last_segment(ptr: str) -> str:
    """The raw last segment (``/States/a~1b`` -> ``a/b``)."""
    return unescape(ptr[ptr.rfind("/") + 1 :])


def parent(ptr: str) -> str:
    """The pointer of the enclosing value (``/States/A`` -> ``/States``)."""
    return ptr[: ptr.rfind("/")]
