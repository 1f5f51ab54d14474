"""CloudFormation and SAM templates: find every state machine definition in them.

``template_machines`` returns each ``AWS::StepFunctions::StateMachine`` and
``AWS::Serverless::StateMachine`` definition (a ``Definition`` object, a
``DefinitionString`` text or ``Fn::Sub``/``Fn::Join``, or a local SAM
``DefinitionUri`` file) with its ``DefinitionSubstitutions`` keys, its type,
and a locator into the template (or the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..documents.pointers import pointer
from ..documents.positions import FixedLocator, JsonLocator, Locator, PrefixLocator
from ..documents.text import SCHEMA, parse_json
from .loader import PLACEHOLDER_RE, LoadedText, read_definition

__all__ = ["EmbeddedMachine", "is_template", "template_machines"]


_SFN_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")


def is_template(document: Any) -> bool:
    """Whether ``document`` is a CloudFormation/SAM template rather than ASL."""
    if not isinstance(document, dict) or "States" in document or "StartAt" in document:
        return False
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return False
    return "AWSTemplateFormatVersion" in document or "Transform" in document or any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in resources.values()
    )


@dataclass
class EmbeddedMachine:
    """One state machine definition found in a template.

    ``document`` is ``None`` when it could not be read (see ``diagnostics``).
    ``substitutions`` are the ``DefinitionSubstitutions`` keys (placeholders
    ``${Name}`` that CloudFormation will replace); other placeholders stay
    literal text. ``template`` says that CloudFormation intrinsic functions
    (``{"Ref": ...}``) may stand for values.
    """

    name: str
    document: Any
    locator: Locator | None
    file: str | None
    substitutions: frozenset[str]
    state_machine_type: str = "STANDARD"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    template: bool = True
    pointer: str = ""


def template_machines(loaded: LoadedText) -> list[EmbeddedMachine]:
    """Every state machine definition of a template (see ``EmbeddedMachine``)."""
    document = loaded.document
    machines: list[EmbeddedMachine] = []
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        return machines
    base_dir = Path(loaded.source).parent if loaded.source else Path(".")
    for logical_id, resource in document["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") not in _SFN_TYPES:
            continue
        props = resource.get("Properties")
        props = props if isinstance(props, dict) else {}
        at = pointer("Resources", logical_id, "Properties")
        subs = props.get("DefinitionSubstitutions")
        keys = frozenset(subs) if isinstance(subs, dict) else frozenset()
        sm_type = props.get("StateMachineType", props.get("Type", "STANDARD"))
        sm_type = sm_type if sm_type in ("STANDARD", "EXPRESS") else "STANDARD"
        machine = _machine_of(loaded, logical_id, props, at, keys, base_dir)
        machine.state_machine_type = sm_type
        machines.append(machine)
    return machines


def _machine_of(
    loaded: LoadedText, logical_id: str, props: dict[str, Any], at: str, keys: frozenset[str], base_dir: Path
) -> EmbeddedMachine:
    outer = loaded.locator
    where = outer.position(at) if outer is not None else None

    def located(ptr: str, message: str, code: str = SCHEMA, severity: str = ERROR) -> Diagnostic:
        pos = outer.position(ptr, key=True) if outer is not None else None
        return Diagnostic(severity, code, ptr, message, pos[0] if pos else None, pos[1] if pos else None,
                          loaded.source, rule="template", machine=logical_id)

    if "Definition" in props:
        return EmbeddedMachine(logical_id, props["Definition"],
                               PrefixLocator(outer, at + "/Definition") if outer is not None else None,
                               loaded.source, keys, pointer=at + "/Definition")
    if "DefinitionString" in props:
        text, quoted_keys, exact = _definition_text(props["DefinitionString"])
        ptr = at + "/DefinitionString"
        if text is None:
            return EmbeddedMachine(logical_id, None, None, loaded.source, keys,
                                   diagnostics=[located(ptr, "DefinitionString must be a string, Fn::Sub or Fn::Join")])
        # Substitutions happen on the text before AWS parses it, so a placeholder
        # may stand anywhere (even for a number): replace each by a stand-in.
        text = _stand_ins(text)
        inner = _inner_locator(loaded, ptr, text, exact)
        document, diagnostics, _ = parse_json(text, loaded.source, inner if isinstance(inner, JsonLocator) else None)
        if not isinstance(inner, JsonLocator):
            diagnostics = [_relocate(d, inner) for d in diagnostics]
        diagnostics = [_tag_machine(d, logical_id) for d in diagnostics]
        return EmbeddedMachine(logical_id, document, inner, loaded.source, keys | quoted_keys, diagnostics=diagnostics,
                               pointer=ptr)
    uri = props.get("DefinitionUri")
    if isinstance(uri, str) and not uri.startswith("s3://"):
        path = base_dir / uri
        inner_loaded = read_definition(path)
        diagnostics = [_tag_machine(d, logical_id) for d in inner_loaded.diagnostics]
        return EmbeddedMachine(logical_id, inner_loaded.document, inner_loaded.locator, str(path), keys,
                               diagnostics=diagnostics)
    if "DefinitionS3Location" in props or "DefinitionUri" in props:
        return EmbeddedMachine(logical_id, None, None, loaded.source, keys, diagnostics=[
            located(at, "The definition is stored in S3 (DefinitionS3Location/DefinitionUri): not validated",
                    code="DEFINITION_NOT_LOCAL", severity=WARNING)])
    return EmbeddedMachine(logical_id, None, None, loaded.source, keys, diagnostics=[
        located(at, "These fields are required: [Definition | DefinitionString | DefinitionS3Location]")])


def _tag_machine(diagnostic: Diagnostic, logical_id: str) -> Diagnostic:
    return replace(diagnostic, machine=logical_id)


def _relocate(diagnostic: Diagnostic, locator: Locator | None) -> Diagnostic:
    pos = locator.position("") if locator is not None else None
    return replace(diagnostic, line=pos[0] if pos else None, column=pos[1] if pos else None)


def _definition_text(value: Any) -> tuple[str | None, frozenset[str], bool]:
    """The JSON text of a DefinitionString: ``(text, Fn::Sub variable names, is plain text)``.

    ``Fn::Sub`` text keeps its ``${...}`` placeholders (all of them will be
    replaced: template parameters, resources, attributes, the variables map);
    ``Fn::Join`` parts that are intrinsic calls become placeholders.
    """
    if isinstance(value, str):
        return value, frozenset(), True
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Fn::Sub":
            if isinstance(arg, str):
                return arg, frozenset(_placeholder_names(arg)), True
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return arg[0], frozenset(_placeholder_names(arg[0])), True
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list):
            parts = []
            names = []
            for i, part in enumerate(arg[1]):
                if isinstance(part, str):
                    parts.append(part)
                else:
                    names.append(f"cfn_part_{i}")
                    parts.append("${cfn_part_%d}" % i)
            return arg[0].join(parts), frozenset(names), False
    return None, frozenset(), False


def _placeholder_names(text: str) -> Iterator[str]:
    for m in PLACEHOLDER_RE.finditer(text):
        yield m.group(0)[2:-1]


_STRING_OR_PLACEHOLDER = re.compile(r'"(?:[^"\\]|\\.)*"|\$\{[^{}\s]+\}', re.S)


def _stand_ins(text: str) -> str:
    """Make a DefinitionString parseable before substitution: a placeholder
    outside a JSON string (``"Seconds": ${Delay}``) becomes the number 1."""
    if "${" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        token = m.group(0)
        return token if token.startswith('"') else "1" + " " * (len(token) - 1)

    return _STRING_OR_PLACEHOLDER.sub(repl, text)


def _inner_locator(loaded: LoadedText, ptr: str, text: str, exact: bool) -> Locator | None:
    """Where JSON text embedded in a template lands in the template file.

    A YAML block scalar (``DefinitionString: |``) keeps the text's lines:
    positions map exactly (line offset, uniform indent). Anything else (a
    quoted JSON string, Fn::Join) points at the DefinitionString itself.
    """
    outer = loaded.locator
    if outer is None:
        return None
    start = outer.position(ptr)
    value_pos = start
    if exact and loaded.format == "yaml" and start is not None and loaded.source:
        raw = _raw_lines(loaded.source)
        if raw is not None and 0 < start[0] <= len(raw):
            line_text = raw[start[0] - 1]
            tail = line_text[start[1] - 1 :].lstrip()
            if tail.startswith("!Sub"):
                tail = tail[4:].lstrip()
            # A literal block scalar keeps the lines as written; a folded one (">")
            # joins them, so its positions cannot be mapped line by line.
            if tail.startswith("|"):
                # The content starts on the next line; its indent is that line's indent.
                first = start[0]
                indent = 0
                for j in range(first, len(raw)):
                    if raw[j].strip():
                        indent = len(raw[j]) - len(raw[j].lstrip(" "))
                        break
                return JsonLocator(text, line_base=first, column_base=indent, uniform_indent=True)
    if value_pos is None:
        return None
    return FixedLocator(value_pos)


def _raw_lines(file: str) -> list[str] | None:
    try:
        return Path(file).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None

