"""AWS quotas that shape behaviour (payload size)."""

from __future__ import annotations

from ..errors import StatesError

__all__ = ["MAX_PAYLOAD_BYTES", "check_payload"]

MAX_PAYLOAD_BYTES = 256 * 1024  # input/output of a task, state or execution (UTF-8)


def check_payload(text: str, who: str, limit: int | None) -> None:
    """Fail with ``States.DataLimitExceeded`` when ``text`` is over ``limit`` bytes.

    The cause is AWS's text (AWS-recorded): "The state/task '<who>' returned a
    result with a size exceeding the maximum number of bytes service limit."
    ``who`` is the state name for a state's output, the resource for a task result.
    """
    # A str of n characters holds at least n and at most 4n UTF-8 bytes:
    # only encode when the cheap bound cannot decide.
    if limit is None or len(text) * 4 <= limit:
        return
    if len(text) > limit or len(text.encode("utf-8")) > limit:
        raise StatesError(
            "States.DataLimitExceeded",
            f"The state/task '{who}' returned a result with a size exceeding the maximum number of bytes service limit.",
        )
