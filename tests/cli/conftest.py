"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest


@pytest.fixture
def write(tmp_path) -> Callable[[str, Any], str]:
    """Write a file (JSON for non-strings) under tmp_path; return its path."""

    def _write(name: str, content: Any) -> str:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
        return str(path)

    return _write


@pytest.fixture
def files(write: Callable[[str, Any], str]) -> Callable[[str, Any], str]:
    return write
