"""The validator: every problem of a definition, each with its code and place.

``validate_document(document, ...)`` runs every rule of
``asl_engine.definition.rules`` over a parsed document and returns the
``Diagnostic``s (errors and warnings) in document order, each with its JSON
pointer (AWS's ``location``) and, when a locator is given, ``line:column``.

``validate_source(source, ...)`` reads a mapping, JSON/YAML text or a file
first (syntax errors with line:column, duplicate keys), and validates every
state machine of a CloudFormation/SAM template, with locations in the
template (or in the SAM ``DefinitionUri`` file).

Only ERROR diagnostics make a definition invalid; WARNINGs (NO_DOLLAR,
NO_PATH, PASS_RESULT_IS_STATIC...) are advice, as in AWS's
``ValidateStateMachineDefinition``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Iterable, Mapping

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..documents.pointers import segments
from ..documents.positions import Locator
from ..documents.text import MAX_DEPTH, depth_exceeded
from .loader import read_definition
from .templates import is_template, template_machines
from .rules import DOCUMENT_RULES, SCOPE_RULES, STATE_RULES, Issue, Options, build_document
from .rules.model import document_order

__all__ = ["has_errors", "validate_document", "validate_source"]

DefinitionSource = str | os.PathLike[str] | Mapping[str, Any]


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether any diagnostic is an ERROR (warnings do not make a definition invalid)."""
    return any(d.severity == ERROR for d in diagnostics)


def validate_document(
    document: Any,
    *,
    locator: Locator | None = None,
    file: str | None = None,
    state_machine_type: str = "STANDARD",
    template: bool = False,
    substitutions: frozenset[str] | None = None,
    machine: str | None = None,
) -> list[Diagnostic]:
    """Every problem of a parsed definition (``[]`` when it is valid and clean).

    ``locator`` maps JSON pointers to line:column (from the loader);
    ``file`` and ``machine`` (a template's logical id) are copied onto each
    diagnostic. ``state_machine_type`` is ``STANDARD`` or ``EXPRESS``.
    ``template``: CloudFormation intrinsics may stand for values.
    ``substitutions``: the ``${Name}`` placeholders that will be substituted
    (``None`` accepts any placeholder).
    """
    if depth_exceeded(document):
        issue = Issue("", f"The document nests more than {MAX_DEPTH} levels deep", "syntax.depth", code="TOO_DEEPLY_NESTED")
        return _diagnostics([issue], locator, file, machine)
    options = Options(state_machine_type=state_machine_type, template=template, substitutions=substitutions)
    doc = build_document(document, options)
    issues: list[Issue] = []
    for document_rule in DOCUMENT_RULES:
        _collect(issues, document_rule, "", doc)
    for scope in doc.scopes:
        for scope_rule in SCOPE_RULES:
            _collect(issues, scope_rule, scope.pointer, scope, doc)
    for state in doc.states:
        for state_rule in STATE_RULES:
            _collect(issues, state_rule, state.pointer, state, doc)
    return _diagnostics(issues, locator, file, machine, document)


def _collect(issues: list[Issue], rule: Any, pointer: str, *args: Any) -> None:
    """Run one rule; a bug in a rule becomes a warning, never a traceback for the user."""
    try:
        issues.extend(rule(*args))
    except Exception as exc:  # noqa: BLE001 - bad input must never crash the validator
        issues.append(Issue(pointer, f"internal validator error in {getattr(rule, '__name__', rule)}: "
                            f"{type(exc).__name__}: {exc}", "internal", code="VALIDATOR_ERROR", severity=WARNING))


def _diagnostics(issues: list[Issue], locator: Locator | None, file: str | None, machine: str | None,
                 document: Any = None) -> list[Diagnostic]:
    keyed: list[tuple[tuple[int, ...], Diagnostic]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for issue in issues:
        identity = (issue.pointer, issue.at or "", issue.code, issue.message)
        if identity in seen:  # two rules may notice the same thing: say it once
            continue
        seen.add(identity)
        target = issue.at if issue.at is not None else issue.pointer
        line = column = None
        if locator is not None:
            # An object or array that is a named member is shown at its name
            # ("Get": {...} -> the "Get"), a value at the value.
            key = issue.key or _is_named_container(document, target)
            where = locator.position(target, key=key)
            if where is not None:
                line, column = where
        diagnostic = Diagnostic(issue.severity, issue.code, issue.pointer, issue.message, line, column, file,
                                rule=issue.rule, machine=machine)
        keyed.append((document_order(document, target), diagnostic))
    if locator is None:
        keyed.sort(key=lambda pair: pair[0])  # no line numbers: document order all the same
    return [d for _, d in keyed]


def _is_named_container(document: Any, pointer: str) -> bool:
    if not pointer:
        return False
    parent: Any = document
    steps = segments(pointer)
    for step in steps[:-1]:
        if isinstance(parent, dict) and step in parent:
            parent = parent[step]
        elif isinstance(parent, list) and step.isdigit() and int(step) < len(parent):
            parent = parent[int(step)]
        else:
            return False
    last = steps[-1]
    return isinstance(parent, dict) and isinstance(parent.get(last), (dict, list))


def _order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Document order: by line and column; diagnostics without a place keep their order, first."""
    located = [d for d in diagnostics if d.line is not None]
    if not located:
        return diagnostics
    unplaced = [d for d in diagnostics if d.line is None]
    return unplaced + sorted(located, key=lambda d: (d.file or "", d.line or 0, d.column or 0))


def validate_source(source: DefinitionSource, *, state_machine_type: str | None = None) -> list[Diagnostic]:
    """Read and validate a definition: a mapping, JSON/YAML text, or a file path.

    A CloudFormation/SAM template is recognised by its ``Resources``: each
    ``AWS::StepFunctions::StateMachine`` and ``AWS::Serverless::StateMachine``
    is validated (``Definition``, ``DefinitionString``, or a local SAM
    ``DefinitionUri`` file), with its ``DefinitionSubstitutions`` and its
    type (``state_machine_type`` overrides it). Never raises for bad input.
    """
    loaded = read_definition(source)
    if loaded.document is None:
        return _with_file(loaded.diagnostics, loaded.source)
    if is_template(loaded.document):
        return _validate_template(loaded, state_machine_type)
    diagnostics = loaded.diagnostics + validate_document(
        loaded.document,
        locator=loaded.locator,
        file=loaded.source,
        state_machine_type=state_machine_type or "STANDARD",
    )
    return _order(_with_file(diagnostics, loaded.source))


def _validate_template(loaded: Any, state_machine_type: str | None) -> list[Diagnostic]:
    machines = template_machines(loaded)
    if not machines:
        return [Diagnostic(WARNING, "NO_STATE_MACHINE", "/Resources",
                           "The template defines no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine",
                           file=loaded.source, rule="template")]
    diagnostics: list[Diagnostic] = list(loaded.diagnostics)
    for machine in machines:
        found = list(machine.diagnostics)
        if machine.document is not None:
            found += validate_document(
                machine.document,
                locator=machine.locator,
                file=machine.file,
                state_machine_type=state_machine_type or machine.state_machine_type,
                template=machine.template and machine.file == loaded.source,
                substitutions=machine.substitutions,
                machine=machine.name,
            )
        diagnostics += _order(found)
    return diagnostics


def _with_file(diagnostics: list[Diagnostic], file: str | None) -> list[Diagnostic]:
    if file is None:
        return diagnostics
    return [d if d.file else replace(d, file=file) for d in diagnostics]
