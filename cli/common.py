"""Helpers shared by the commands: JSON input, errors as one line."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NoReturn

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INVALID, EXIT_ENGINE = 0, 1, 2, 3, 4


def fail(message: str, code: int) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    click.echo(f"asl: {message}", err=True)
    raise SystemExit(code)


def parse_json_input(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", EXIT_USAGE)


def read_text(path: str, what: str) -> str:
    """The text of ``path``; an unreadable file is a usage error (``cannot read <what> PATH: ...``)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}", EXIT_USAGE)


def read_input_file(path: str) -> Any:
    return parse_json_input(read_text(path, "input file"), f"input file {path}")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(value: Any, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, default=_default)
