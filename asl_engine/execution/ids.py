"""Ids from the run's source of randomness, so that a seeded run is repeatable."""

from __future__ import annotations

import random
import uuid
from typing import Callable

__all__ = ["IdSource", "uuid_source"]

IdSource = Callable[[], str]
"""Makes a new version-4 UUID string each call."""


def uuid_source(rng: random.Random) -> IdSource:
    """Version-4 UUIDs drawn from ``rng`` (execution names, task tokens, Map Run
    ids, Lambda request ids): the same seed gives the same ids in the same order."""

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))  # one C call: atomic under the GIL

    return new_id
