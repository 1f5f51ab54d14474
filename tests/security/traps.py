"""A trap for the code-route tests: what an attacker's file would try to run, and proof it did not.

``Trap`` is a folder holding a module of our own (``asl_trap_<hex>``, on
``sys.path`` and the current directory, where ``asl run`` looks for handler
modules) that leaves a marker file when imported and another when its
``run`` is called, and a shell command (``touch <folder>/shell``) for the
payloads that name ``os.system`` or ``subprocess.getoutput``. A test puts
the trap's references into a definition, a mock file, a history or a
request, drives the engine, and ``assert_untouched()``: no marker, and the
module never imported.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_MODULE = """\
import pathlib
_here = pathlib.Path(__file__).parent
(_here / "imported").write_text("imported")


def run(*args, **kwargs):
    (_here / "ran").write_text("ran")
    return {"ran": True}


system = getoutput = run
"""


@dataclass(frozen=True)
class Trap:
    folder: Path
    module: str

    @property
    def shell(self) -> str:
        """A command whose effect ``assert_untouched`` sees."""
        return f"touch {self.folder / 'shell'}"

    @property
    def references(self) -> tuple[str, ...]:
        """Ways to spell "import and call this" that a loader might honour."""
        return (
            f"{self.module}:run", f"{self.module}.run", self.module,
            "os:system", "os.system", "subprocess:getoutput", "subprocess.getoutput", "builtins:exec",
        )

    def assert_untouched(self) -> None:
        found = [name for name in ("imported", "ran", "shell") if (self.folder / name).exists()]
        assert not found, f"attacker's code ran: {found}"
        assert self.module not in sys.modules, f"{self.module} was imported"


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trap]:
    module = f"asl_trap_{uuid.uuid4().hex[:12]}"
    folder = tmp_path / "trap"
    folder.mkdir()
    (folder / f"{module}.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.chdir(folder)
    made = Trap(folder, module)
    try:
        yield made
    finally:
        sys.modules.pop(module, None)
