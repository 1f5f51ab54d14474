"""Diagnostics: one problem in a definition, with its code and place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Diagnostic", "ERROR", "WARNING"]

ERROR = "ERROR"
WARNING = "WARNING"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in a definition.

    ``code`` reuses AWS's ``ValidateStateMachineDefinition`` codes
    (``SCHEMA_VALIDATION_FAILED``, ``INVALID_JSON_DESCRIPTION``,
    ``MISSING_TRANSITION_TARGET``, ...). ``path`` is a JSON pointer into the
    definition (``/States/A/Next``); ``line``/``column`` are 1-based when known.
    """

    severity: str
    code: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    file: str | None = None
    rule: str | None = None
    """Which check found it (``structure.unknown-field``, ``transitions.missing-target``...):
    a stable id for tools (SARIF ``ruleId``), finer than ``code``."""
    machine: str | None = None
    """The logical id of the state machine when the file is a CloudFormation/SAM template."""

    def format(self) -> str:
        """Compiler-style text: ``file:line:column: ERROR CODE /path: message``."""
        where = self.file or "<definition>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        path = self.path or "/"
        if self.machine is not None:
            path += f" [{self.machine}]"  # which state machine of a template
        return f"{where}: {self.severity} {self.code} {path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """AWS's diagnostic shape (severity, code, message, location) plus line/column."""
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "location": self.path or "/",
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        if self.file is not None:
            out["file"] = self.file
        if self.machine is not None:
            out["machine"] = self.machine
        if self.rule is not None:
            out["rule"] = self.rule
        return out
