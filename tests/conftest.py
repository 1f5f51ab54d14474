"""Shared pytest configuration and fixtures for the whole test tree.

Makes a plain checkout testable without ``pip install -e .``:

* the repository root goes on ``sys.path`` so that ``import asl_engine`` works;
* the ``cli/`` folder is importable as ``asl_cli`` (the name ``pyproject.toml``
  maps it to), unless the installed ``asl_cli`` is this checkout's ``cli/``
  (an editable install of another checkout, a git worktree's main tree,
  would otherwise test that checkout's command line).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _alias_cli_package() -> None:
    init = REPO_ROOT / "cli" / "__init__.py"
    if "asl_cli" in sys.modules or not init.exists():
        return
    installed = importlib.util.find_spec("asl_cli")
    if installed is not None and str(init.parent) in (installed.submodule_search_locations or []):
        return
    spec = importlib.util.spec_from_file_location(
        "asl_cli", init, submodule_search_locations=[str(init.parent)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["asl_cli"] = module
    spec.loader.exec_module(module)


_alias_cli_package()


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


@pytest.fixture
def start_server() -> Iterator[Callable[..., Any]]:
    """``start_server(service, **make_server_options)``: an ``asl serve`` HTTP
    server on 127.0.0.1 and a free port, stopped when the test ends."""
    from asl_engine.server import make_server

    started: list[Any] = []

    def start(service: Any, **options: Any) -> Any:
        server = make_server(service, port=0, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
