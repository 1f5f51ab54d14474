"""Seeded ids are exactly the version-4 UUIDs the standard library makes of the same bits."""

import random
import uuid

from asl_engine.execution.ids import uuid_source, uuid_text


def test_the_same_uuids_as_the_standard_library() -> None:
    ours, theirs = uuid_source(random.Random(7)), random.Random(7)
    for _ in range(1000):
        assert ours() == str(uuid.UUID(int=theirs.getrandbits(128), version=4))


def test_bits_are_the_next_uuid_drawn() -> None:
    eager, lazy = uuid_source(random.Random(7)), uuid_source(random.Random(7))
    for _ in range(100):
        assert uuid_text(lazy.bits()) == eager()
