"""Helpers shared by the commands: JSON input, errors as one line."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NoReturn

import click

import asl_engine

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INVALID, EXIT_ENGINE = 0, 1, 2, 3, 4


def fail(message: str, code: int) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    click.echo(f"asl: {message}", err=True)
    raise SystemExit(code)


def parse_json_input(text: str, origin: str) -> Any:
    """A JSON value the user gave (``asl_engine.documents.values``: one reader, one set of errors)."""
    try:
        return asl_engine.parse_json_value(text, origin)
    except asl_engine.JsonTextError as exc:
        fail(str(exc), EXIT_USAGE)


def read_text(path: str, what: str) -> str:
    """The UTF-8 text of ``path``; an unreadable or non-UTF-8 file is a usage error."""
    try:
        with open(path, "rb") as fh:
            return asl_engine.decode_text(fh.read(), f"{what} {path}")
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}", EXIT_USAGE)
    except asl_engine.JsonTextError as exc:
        fail(str(exc), EXIT_USAGE)


def read_input_file(path: str) -> Any:
    return parse_json_input(read_text(path, "input file"), f"input file {path}")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(value: Any, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, default=_default)
