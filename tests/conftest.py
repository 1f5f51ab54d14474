"""Shared pytest configuration for the whole test tree.

Makes the repository root importable so that ``import asl_engine`` works
when the package is not installed (plain ``pytest`` from a checkout).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
