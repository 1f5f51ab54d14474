"""Locate and load the AWS-recorded conformance corpus (``shared/conformance/localstack``).

The corpus lives outside the repository. Where to find it:

* ``$ASL_CONFORMANCE_DIR`` when set: the ``localstack`` directory or its
  ``cases`` directory (both are accepted);
* otherwise ``<repo>/../shared/conformance/localstack``.

When it is absent, :func:`corpus_missing_reason` says why, and the tests that
need it are skipped (the project's own tests must pass without ``../shared``).
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

__all__ = [
    "ENV_VAR",
    "Case",
    "KNOWN_GAPS_FILE",
    "REPO_ROOT",
    "cases_below",
    "cases_dir",
    "corpus_missing_reason",
    "feature_gap_reason",
    "load_cases",
    "load_known_gaps",
]

ENV_VAR = "ASL_CONFORMANCE_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "conformance" / "localstack"
KNOWN_GAPS_FILE = Path(__file__).resolve().parent / "known_gaps.json"
ID_MARKER = "/v2/"


def _candidate() -> tuple[Path, str]:
    """The directory to look at and where that choice came from."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser(), f"${ENV_VAR}={configured}"
    return DEFAULT_CORPUS, f"the default location; set ${ENV_VAR} to override"


def cases_dir() -> Path | None:
    """The corpus's ``cases`` directory, or ``None`` when it cannot be found."""
    base, _ = _candidate()
    return cases_below(base)


def cases_below(base: Path) -> Path | None:
    """``base/cases`` or ``base`` itself, whichever holds the ``*.json`` cases (``None``: neither)."""
    for candidate in (base / "cases", base):
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    return None


def corpus_missing_reason() -> str | None:
    """``None`` when the corpus is available, else a sentence saying why not."""
    if cases_dir() is not None:
        return None
    base, origin = _candidate()
    if not base.exists():
        return f"conformance corpus not found: {base} does not exist ({origin})"
    return f"conformance corpus not found: no case *.json in {base} or {base / 'cases'} ({origin})"


@dataclass(frozen=True)
class Case:
    """One recorded execution (see the corpus README for the field meanings)."""

    file: Path
    raw: dict[str, Any]

    # -- identity ---------------------------------------------------------
    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def relative_id(self) -> str:
        """The id after ``/v2/``: ``choice_operators/test_numeric.py::TestNumerics::test_x``."""
        case_id = self.id
        return case_id.split(ID_MARKER, 1)[1] if ID_MARKER in case_id else case_id

    @property
    def folder(self) -> str:
        """The corpus folder: the path part after ``/v2/`` (``choice_operators``, ``scenarios``...).

        Cases from test files directly under ``v2/`` use the file name
        (``test_sfn_api.py``).
        """
        path = self.relative_id.split("::", 1)[0]
        return path.split("/", 1)[0] if "/" in path else path

    @property
    def short_id(self) -> str:
        """A short unique id for pytest: ``<folder>/<module>.<test>[param]#<key>`` (no class, no ``::``)."""
        path, _, rest = self.relative_id.partition("::")
        if path.endswith(".py"):
            path = path[:-3]
        test = rest.split("::")[-1] if rest else ""
        return f"{path}.{test}" if test else path

    # -- content ----------------------------------------------------------
    @property
    def definition(self) -> dict[str, Any]:
        return self.raw["definition"]

    @property
    def input(self) -> Any:
        return self.raw.get("input")

    @property
    def expected(self) -> dict[str, Any]:
        return self.raw["expected"]

    @property
    def features(self) -> list[str]:
        return list(self.raw.get("features") or [])

    @property
    def recording(self) -> str:
        return self.raw.get("recording", "")

    @property
    def state_machine_type(self) -> str:
        return self.raw.get("state_machine_type") or "STANDARD"

    @property
    def task_results(self) -> dict[str, list[dict[str, Any]]]:
        return self.raw.get("task_results") or {}

    @property
    def tasks_without_recorded_result(self) -> list[str]:
        return list(self.raw.get("tasks_without_recorded_result") or [])

    @property
    def history(self) -> list[dict[str, Any]] | None:
        return self.raw.get("history")

    @property
    def placeholders(self) -> dict[str, list[str]]:
        return self.raw.get("placeholders") or {}

    @property
    def notes(self) -> list[str]:
        return list(self.raw.get("notes") or [])

    @property
    def has_parsed_object_task_cause(self) -> bool:
        """A replayed task cause was ``parsed-object``: its JSON text formatting is ours."""
        return any(
            entry.get("cause_text") == "parsed-object"
            for entries in self.task_results.values()
            for entry in entries
        )


def _iter_state_lists(definition: dict[str, Any]) -> Iterator[tuple[dict[str, Any], bool]]:
    """Yield every ``States`` mapping with whether it is nested in a Map/Parallel."""
    stack: list[tuple[dict[str, Any], bool]] = [(definition, False)]
    while stack:
        machine, nested = stack.pop()
        states = machine.get("States")
        if not isinstance(states, dict):
            continue
        yield states, nested
        for state in states.values():
            if not isinstance(state, dict):
                continue
            for branch in state.get("Branches") or []:
                if isinstance(branch, dict):
                    stack.append((branch, True))
            for key in ("Iterator", "ItemProcessor"):
                sub = state.get(key)
                if isinstance(sub, dict):
                    stack.append((sub, True))


def state_types(definition: dict[str, Any]) -> set[str]:
    """Every ``Type`` used anywhere in the definition (nested machines included)."""
    return {
        state.get("Type")
        for states, _ in _iter_state_lists(definition)
        for state in states.values()
        if isinstance(state, dict)
    }


def nested_state_names(definition: dict[str, Any]) -> set[str]:
    """Names of states that run inside a Map iteration or a Parallel branch."""
    return {name for states, nested in _iter_state_lists(definition) if nested for name in states}


# ----------------------------------------------------------------- loading
@functools.lru_cache(maxsize=4)
def _load_cases_from(directory: str) -> tuple[Case, ...]:
    cases = []
    for file in sorted(Path(directory).glob("*.json")):
        with file.open(encoding="utf-8") as handle:
            cases.append(Case(file=file, raw=json.load(handle)))
    return tuple(cases)


def load_cases() -> list[Case]:
    """Every case of the corpus, sorted by file name (empty when absent)."""
    directory = cases_dir()
    if directory is None:
        return []
    return list(_load_cases_from(str(directory)))


def load_known_gaps(path: Path = KNOWN_GAPS_FILE) -> dict[str, str]:
    """``{case id: reason}`` from ``known_gaps.json``."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        entries = json.load(handle)
    gaps: dict[str, str] = {}
    for entry in entries:
        if entry["id"] in gaps:
            raise ValueError(f"{path}: case listed twice: {entry['id']}")
        gaps[entry["id"]] = entry["reason"]
    return gaps


# ------------------------------------------------------ out-of-scope features
LAMBDA_FEATURES = frozenset({"service:lambda", "service:lambda(function-arn)"})


def feature_gap_reason(features: list[str]) -> str | None:
    """Why a case needs a feature that is out of scope for now (``None`` if it does not).

    #5: service integrations other than Lambda, callbacks (``.waitForTaskToken``,
    ``.sync``), activities. (JSONata, variables and distributed Map are supported.)
    """
    feats = set(features)
    issue5 = []
    services = sorted(f for f in feats if f.startswith("service:") and f not in LAMBDA_FEATURES)
    activities = [s for s in services if s == "service:activity"]
    services = [s for s in services if s != "service:activity"]
    if services:
        issue5.append("service integration(s) " + ", ".join(s.split(":", 1)[1] for s in services))
    if activities:
        issue5.append("activities")
    if "waitForTaskToken" in feats:
        issue5.append("callback tasks (.waitForTaskToken)")
    if "task:submitted(callback/sync)" in feats and "waitForTaskToken" not in feats:
        issue5.append("callback/.sync tasks (TaskSubmitted)")
    parts = []
    if issue5:
        parts.append(", ".join(issue5) + " (#5)")
    if not parts:
        return None
    return "needs " + "; ".join(parts)
