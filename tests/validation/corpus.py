"""The external ASL validation corpus (``shared/conformance/validation``) and how we score on it.

Where the corpus is:

* ``$ASL_VALIDATION_CORPUS`` when set (the folder holding ``index.json``);
* otherwise ``<repo>/../shared/conformance/validation``.

When it is absent, :func:`corpus_missing_reason` says why and the tests that
need it are skipped.

Scoring. Each record has a source verdict (``valid``/``invalid``) and, for
invalid files, problem tags (``bad_jsonpath``, ``no_terminal_state``...).
A file is *accepted* when the validator reports no ERROR; an invalid file is
*rejected for the right reason* when at least one ERROR's rule maps to one
of the record's tags (``RULE_TAGS``).

Known gaps (``known_gaps.json``) list every file where we differ from the
source, with the reason:

* ``"kind": "adjudicated"``: a caveated file (the index says why its verdict
  is doubtful) where we take a side, named in ``side`` (AWS's behaviour
  wins over the ASL spec and over other tools). The file is then scored
  against ``our_verdict`` (and, for a rejection, ``problems``);
* ``"kind": "gap"``: a plain miss we know of and explain.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl_engine.definition.validate import validate_source

ENV_VAR = "ASL_VALIDATION_CORPUS"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "conformance" / "validation"
KNOWN_GAPS_FILE = Path(__file__).resolve().parent / "known_gaps.json"

RULE_TAGS: dict[str, frozenset[str]] = {
    "structure.required": frozenset({"missing_required_field"}),
    "structure.unknown-field": frozenset({"unknown_field", "field_not_allowed_for_state_type"}),
    "structure.field-not-allowed": frozenset({"field_not_allowed_for_state_type", "unknown_field"}),
    "structure.field-query-language": frozenset({"jsonpath_field_in_jsonata"}),
    "structure.query-language": frozenset({"jsonpath_field_in_jsonata", "bad_value"}),
    "structure.type": frozenset({"bad_value"}),
    "structure.value": frozenset({"bad_value"}),
    "structure.variable-name": frozenset({"bad_value"}),
    "structure.exclusive": frozenset({"mutually_exclusive_fields"}),
    "transitions.missing-target": frozenset({"next_target_missing"}),
    "transitions.out-of-scope": frozenset({"next_target_missing", "transition_out_of_scope"}),
    "transitions.unreachable": frozenset({"unreachable_state"}),
    "transitions.no-terminal": frozenset({"no_terminal_state"}),
    "names.duplicate-state": frozenset({"duplicate_state_name"}),
    "names.state-name": frozenset({"state_name_too_long"}),
    "paths.jsonpath": frozenset({"bad_jsonpath"}),
    "paths.reference-path": frozenset({"bad_jsonpath"}),
    "paths.payload-template": frozenset({"bad_payload_template_path", "bad_intrinsic_function"}),
    "paths.intrinsic": frozenset({"bad_intrinsic_function", "bad_payload_template_path"}),
    "paths.duplicate-payload-field": frozenset({"duplicate_payload_field"}),
    "values.timestamp": frozenset({"bad_timestamp"}),
    "resources.arn": frozenset({"bad_arn"}),
    "resources.express": frozenset({"bad_arn"}),
    "retry-catch.type": frozenset({"bad_value", "retry_catch_rule"}),
    "retry-catch.value": frozenset({"bad_value"}),
    "retry-catch.error-equals": frozenset({"bad_value", "retry_catch_rule"}),
    "retry-catch.states-all": frozenset({"retry_catch_rule"}),
    "choice.type": frozenset({"bad_value"}),
    "choice.operators": frozenset({"mutually_exclusive_fields"}),
    "choice.rule": frozenset({"bad_value", "bad_jsonpath", "bad_timestamp"}),
    "map.label": frozenset({"bad_label"}),
    "jsonata.syntax": frozenset({"bad_jsonata"}),
    "jsonata.reference": frozenset({"bad_jsonata"}),
}
"""Which corpus problem tags each of our rules stands for."""


def corpus_dir() -> Path:
    configured = os.environ.get(ENV_VAR)
    return Path(configured).expanduser() if configured else DEFAULT_CORPUS


def corpus_missing_reason() -> str | None:
    """``None`` when the corpus is there, else a sentence saying where it was looked for."""
    folder = corpus_dir()
    if (folder / "index.json").is_file():
        return None
    origin = f"${ENV_VAR}={os.environ[ENV_VAR]}" if os.environ.get(ENV_VAR) else f"the default location; set ${ENV_VAR} to override"
    return f"ASL validation corpus not found: no index.json in {folder} ({origin})"


def load_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((corpus_dir() / "index.json").read_text(encoding="utf-8"))["records"]
    return records


def load_known_gaps() -> dict[str, dict[str, Any]]:
    data = json.loads(KNOWN_GAPS_FILE.read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in data["files"]}


def tags_of(rule: str | None) -> frozenset[str]:
    return RULE_TAGS.get(rule or "", frozenset())


@dataclass
class Outcome:
    """What happened to one corpus file."""

    file: str
    source_verdict: str
    expected: str  # the verdict we are scored against (source, or ours for an adjudicated file)
    problems: list[str]
    accepted: bool
    right_reason: bool
    error_rules: list[str] = field(default_factory=list)
    internal: list[str] = field(default_factory=list)
    adjudicated: bool = False

    @property
    def hit(self) -> bool:
        """Accepted when expected valid; rejected for the right reason when expected invalid."""
        return self.accepted if self.expected == "valid" else self.right_reason

    @property
    def raw_hit(self) -> bool:
        """The same against the source's own verdict."""
        if self.source_verdict == "valid":
            return self.accepted
        return not self.accepted and (self.right_reason or self.adjudicated)


def evaluate(record: dict[str, Any], gaps: dict[str, dict[str, Any]]) -> Outcome:
    diagnostics = validate_source(corpus_dir() / record["file"])
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    gap = gaps.get(record["file"])
    adjudicated = gap is not None and gap.get("kind") == "adjudicated"
    expected = gap["our_verdict"] if adjudicated and gap else record["verdict"]
    problems = list(gap.get("problems", record["problems"])) if adjudicated and gap else list(record["problems"])
    wanted = set(problems)
    right = bool(errors) and any(tags_of(d.rule) & wanted for d in errors)
    return Outcome(
        file=record["file"],
        source_verdict=record["verdict"],
        expected=expected,
        problems=problems,
        accepted=not errors,
        right_reason=right,
        error_rules=sorted({d.rule or d.code for d in errors}),
        internal=[d.message for d in diagnostics if d.code == "VALIDATOR_ERROR"],
        adjudicated=adjudicated,
    )


@dataclass
class Score:
    outcomes: list[Outcome]

    def _rate(self, verdict: str, attr: str, expected: bool = True) -> tuple[int, int]:
        chosen = [o for o in self.outcomes if (o.expected if expected else o.source_verdict) == verdict]
        return sum(1 for o in chosen if getattr(o, attr)), len(chosen)

    @property
    def valid(self) -> tuple[int, int]:
        return self._rate("valid", "hit")

    @property
    def invalid(self) -> tuple[int, int]:
        return self._rate("invalid", "hit")

    @property
    def raw_valid(self) -> tuple[int, int]:
        return self._rate("valid", "raw_hit", expected=False)

    @property
    def raw_invalid(self) -> tuple[int, int]:
        return self._rate("invalid", "raw_hit", expected=False)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.hit]


def score() -> Score:
    gaps = load_known_gaps()
    return Score([evaluate(record, gaps) for record in load_records()])


def percent(pair: tuple[int, int]) -> float:
    hits, total = pair
    return 100.0 * hits / total if total else 100.0
