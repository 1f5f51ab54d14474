"""AWS quotas that shape behaviour, and the switch that lifts them.

AWS service quotas (Standard workflows): 256 KiB (UTF-8) of input/output per
task, state or execution; 25,000 events in an execution history; variables of
at most 256 KiB each, 256 KiB per ``Assign``, 10 MiB per execution.
``Quotas.none()`` lifts them all for local experiments (``--no-quotas``).
"""

from __future__ import annotations

from ..errors import StatesError
from ..model.records import record

__all__ = ["AWS_QUOTAS", "MAX_PAYLOAD_BYTES", "Quotas", "check_payload"]

MAX_PAYLOAD_BYTES = 256 * 1024


@record
class Quotas:
    """Limits enforced during a run; ``None`` lifts one."""

    payload_bytes: int | None = MAX_PAYLOAD_BYTES
    history_events: int | None = 25_000
    variable_bytes: int | None = 256 * 1024
    assign_bytes: int | None = 256 * 1024
    variables_total_bytes: int | None = 10 * 1024 * 1024

    @classmethod
    def none(cls) -> "Quotas":
        """No limits at all."""
        return cls(None, None, None, None, None)


AWS_QUOTAS = Quotas()


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8, without encoding when it is plain ASCII-sized."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


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
    if len(text) > limit or utf8_size(text) > limit:
        raise StatesError(
            "States.DataLimitExceeded",
            f"The state/task '{who}' returned a result with a size exceeding the maximum number of bytes service limit.",
        )
