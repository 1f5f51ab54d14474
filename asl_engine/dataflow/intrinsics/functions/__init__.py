"""The 18 AWS intrinsic functions, one module per family (AWS's grouping).

Importing this package registers every function in ``..registry``.
"""

from __future__ import annotations

from . import array, encoding, generic, json_manipulation, math_operations, strings, unique_id

__all__ = [
    "array",
    "encoding",
    "generic",
    "json_manipulation",
    "math_operations",
    "strings",
    "unique_id",
]
