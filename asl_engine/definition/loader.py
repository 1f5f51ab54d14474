"""Definition text -> document, with every syntax problem as a Diagnostic and a
``Locator`` that turns a JSON pointer back into ``line:column``.

Inputs (``read_definition``):

* a ``Mapping`` (used as is; no positions);
* JSON text, or a path to a ``.json`` file (``.asl.json``, ...);
* YAML text or a ``.yaml``/``.yml`` file (ASL written in YAML, or an AWS
  CloudFormation / SAM template, whose ``!Ref``/``!GetAtt``/``!Sub``... short
  tags become their long ``{"Ref": ...}``/``{"Fn::...": ...}`` form).

Parsing and positions are ``asl_engine.documents``'; the state machines of a
CloudFormation/SAM template are found by ``templates``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..diagnostics import Diagnostic
from ..documents.positions import Locator
from ..documents.text import INVALID_JSON, parse_json, parse_yaml, syntax_error
from ..documents.values import JsonTextError, read_text

__all__ = ["LoadedText", "PLACEHOLDER_RE", "read_definition"]

PLACEHOLDER_RE = re.compile(r"\$\{[^{}\s]+\}")
"""A DefinitionSubstitutions placeholder, ``${Name}`` (CloudFormation, SAM, CDK)."""


@dataclass
class LoadedText:
    """The parsed document, where it came from, and problems found while parsing.

    ``document`` is ``None`` when the text could not be parsed. ``locator``
    maps JSON pointers to positions (``None`` for a mapping given in code).
    ``format`` is ``"json"``, ``"yaml"`` or ``"mapping"``.
    """

    document: Any
    source: str | None
    diagnostics: list[Diagnostic]
    name: str | None
    locator: Locator | None = None
    format: str = "json"


def read_definition(source: str | os.PathLike[str] | Mapping[str, Any]) -> LoadedText:
    """Read a definition from a mapping, JSON/YAML text, or a file path.

    Never raises for bad input: an unreadable file or malformed text becomes
    a diagnostic and ``document`` is ``None``.
    """
    if isinstance(source, Mapping):
        return LoadedText(source, None, [], None, None, "mapping")
    file: str | None = None
    name: str | None = None
    is_yaml = False
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        file = str(path)
        name = path.name.split(".")[0] or None
        is_yaml = path.suffix.lower() in (".yaml", ".yml")
        try:
            text = read_text(file, file)  # the shared reader: its words for unreadable and non-UTF-8 files
        except JsonTextError as exc:
            message = str(exc) if os.path.lexists(file) else f"file not found: {file}"  # os.path never raises
            return LoadedText(None, file, [syntax_error(INVALID_JSON, message, file)], name)
        if not is_yaml and path.suffix.lower() != ".json" and not text.lstrip().startswith(("{", "[")) and text.strip():
            is_yaml = True  # e.g. "template" with no extension, written in YAML
    else:
        text = str(source)
        is_yaml = bool(text.strip()) and not text.lstrip().startswith(("{", "["))
    if is_yaml:
        document, diagnostics, locator = parse_yaml(text, file)
        return LoadedText(document, file, diagnostics, name, locator, "yaml")
    document, diagnostics, json_locator = parse_json(text, file)
    return LoadedText(document, file, diagnostics, name, json_locator, "json")


def _looks_like_path(text: str) -> bool:
    stripped = text.lstrip()
    if not stripped or stripped.startswith(("{", "[")):
        return False
    return "\n" not in text and len(text) < 4096
