"""Error matching and retry back-off: ASL error names are data, matched here only.

AWS documentation (error handling):

* ``States.ALL`` "matches any known error name"; ``States.Runtime`` is
  neither retriable nor catchable at all (AWS-recorded: a Catcher naming
  ``States.Runtime`` does not catch it). AWS's docs say ``States.ALL`` does
  not catch ``States.DataLimitExceeded``, but AWS recordings show a Task's
  ``States.DataLimitExceeded`` caught by ``States.ALL``: we follow the
  recordings;
* ``States.TaskFailed`` "matches any known error name except for
  ``States.Timeout``".
"""

from __future__ import annotations

import random
from typing import Sequence

from ..model.states import Retrier

__all__ = ["backoff_delay", "error_matches", "is_recoverable"]

_UNRECOVERABLE = frozenset({"States.Runtime"})
_NOT_IN_ALL = frozenset({"States.Runtime"})


def is_recoverable(error: str | None) -> bool:
    """Whether any Retrier or Catcher may see this error at all."""
    return error not in _UNRECOVERABLE


def error_matches(error_equals: Sequence[str], error: str | None, heartbeat: bool = False) -> bool:
    """Whether a Retrier's or Catcher's ``ErrorEquals`` matches ``error``.

    ``heartbeat`` marks a ``States.Timeout`` caused by a missed heartbeat,
    which ``States.HeartbeatTimeout`` also matches (AWS: "only available
    inside the Catch and Retry fields"). A failure with no error name
    (``SendTaskFailure`` without one) is matched by the wildcards only.
    """
    if error in _UNRECOVERABLE:
        return False
    for name in error_equals:
        if name == error or (heartbeat and name == "States.HeartbeatTimeout"):
            return True
        if name == "States.ALL":
            return error not in _NOT_IN_ALL
        if name == "States.TaskFailed" and error != "States.Timeout" and error not in _NOT_IN_ALL:
            return True
    return False


def backoff_delay(retrier: Retrier, attempt: int, rng: random.Random) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based) of ``retrier``.

    ``IntervalSeconds * BackoffRate ** attempt``, capped by ``MaxDelaySeconds``;
    with ``JitterStrategy: FULL`` a uniform draw in ``[0, delay]``.
    """
    delay = retrier.interval_seconds * (retrier.backoff_rate**attempt)
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter == "FULL":
        delay = rng.uniform(0, delay)
    return float(delay)
