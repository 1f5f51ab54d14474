"""Encoding and hashing intrinsics: States.Base64Encode, Base64Decode, Hash.

AWS limits the input of each to 10,000 characters (counted as Java does,
in UTF-16 code units); longer input fails with ``Invalid arguments``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Sequence

from ..errors import invalid_arguments
from ..javacompat import b64encode_text, jackson_json, lenient_b64decode, utf16_len
from ..registry import ANY, STRING, CallContext, register

INPUT_LIMIT = 10_000
"""AWS: "The input string ... must be 10,000 characters or less" (Base64/Hash)."""

HASH_ALGORITHMS: dict[str, Callable[[bytes], "hashlib._Hash"]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
"""The algorithm names AWS accepts, spelled exactly (``sha-256``/``SHA256`` fail)."""


@register("States.Base64Encode", (STRING,), returns=STRING)
def states_base64_encode(args: Sequence[Any], ctx: CallContext) -> Any:
    """Standard Base64 (padded) of the UTF-8 bytes of the string."""
    text: str = args[0]
    if utf16_len(text) > INPUT_LIMIT:
        raise invalid_arguments("States.Base64Encode")
    return b64encode_text(text)


@register("States.Base64Decode", (STRING,), returns=STRING)
def states_base64_decode(args: Sequence[Any], ctx: CallContext) -> Any:
    """Decode Base64 into text (UTF-8; invalid bytes become U+FFFD).

    Decoding is lenient like AWS's: characters outside the alphabet are
    skipped and missing padding is tolerated.
    """
    text: str = args[0]
    if utf16_len(text) > INPUT_LIMIT:
        raise invalid_arguments("States.Base64Decode")
    return lenient_b64decode(text).decode("utf-8", "replace")


@register("States.Hash", (ANY, STRING), returns=STRING, longest=130)  # a quoted SHA-512 hex digest
def states_hash(args: Sequence[Any], ctx: CallContext) -> Any:
    """Lower-case hex digest of the data with MD5, SHA-1, SHA-256, SHA-384 or SHA-512.

    Non-string data is hashed as its JSON text (AWS hashes numbers and
    objects instead of rejecting them).
    """
    data, algorithm = args
    text = data if isinstance(data, str) else jackson_json(data)
    hasher = HASH_ALGORITHMS.get(algorithm)
    if hasher is None or utf16_len(text) > INPUT_LIMIT:
        raise invalid_arguments("States.Hash")
    return hasher(text.encode("utf-8", "surrogatepass")).hexdigest()
