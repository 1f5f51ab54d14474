"""Definition text -> JSON document, with every syntax problem as a Diagnostic.

Accepts a ``dict`` (used as is), JSON text, or a path to a file. Duplicate
keys in an object are reported (JSON allows them; ASL does not, and AWS's
parser keeps only the last one silently, which hides mistakes).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from .diagnostics import ERROR, Diagnostic

__all__ = ["LoadedText", "read_definition"]


class LoadedText:
    """The parsed document, where it came from, and problems found while parsing."""

    __slots__ = ("document", "source", "diagnostics", "name")

    def __init__(self, document: Any, source: str | None, diagnostics: list[Diagnostic], name: str | None) -> None:
        self.document = document
        self.source = source
        self.diagnostics = diagnostics
        self.name = name


class _DuplicateKeys:
    def __init__(self) -> None:
        self.found: list[str] = []

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                self.found.append(key)
            out[key] = value
        return out


def read_definition(source: str | os.PathLike[str] | Mapping[str, Any]) -> LoadedText:
    """Read a definition from a mapping, JSON text, or a file path."""
    if isinstance(source, Mapping):
        return LoadedText(source, None, [], None)
    file: str | None = None
    name: str | None = None
    if isinstance(source, os.PathLike) or (isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
        path = Path(source)
        file = str(path)
        name = path.name.split(".")[0] or None
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return LoadedText(None, file, [Diagnostic(ERROR, "INVALID_JSON_DESCRIPTION", "", f"file not found: {file}", file=file)], name)
        except (OSError, UnicodeDecodeError) as exc:
            return LoadedText(None, file, [Diagnostic(ERROR, "INVALID_JSON_DESCRIPTION", "", f"cannot read {file}: {exc}", file=file)], name)
    else:
        text = str(source)
    dup = _DuplicateKeys()
    try:
        document = json.loads(text, object_pairs_hook=dup.hook)
    except json.JSONDecodeError as exc:
        diag = Diagnostic(ERROR, "INVALID_JSON_DESCRIPTION", "", f"Malformed JSON: {exc.msg}", exc.lineno, exc.colno, file)
        return LoadedText(None, file, [diag], name)
    diagnostics = [
        Diagnostic(ERROR, "SCHEMA_VALIDATION_FAILED", "", f"Duplicate key '{key}'", file=file) for key in dup.found
    ]
    return LoadedText(document, file, diagnostics, name)
