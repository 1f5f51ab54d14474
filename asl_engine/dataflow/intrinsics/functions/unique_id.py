"""States.UUID: a version 4 UUID."""

from __future__ import annotations

import uuid
from typing import Any, Sequence

from ..registry import STRING, CallContext, register


@register("States.UUID", (), returns=STRING, longest=38)
def states_uuid(args: Sequence[Any], ctx: CallContext) -> Any:
    """A random version-4 UUID in lower-case canonical form.

    With an injected random source the UUID is drawn from it (reproducible
    tests); otherwise ``uuid.uuid4()``.
    """
    if ctx.rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
