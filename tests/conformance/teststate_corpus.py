"""The AWS-recorded TestState corpus (``shared/conformance/teststate``): load, run, compare.

Where it is: ``$ASL_TESTSTATE_DIR`` (the ``teststate`` directory or its
``cases``), else ``<repo>/../shared/conformance/teststate``. Comparison
follows the corpus README: the exception code (and message) of a rejected
call; else status, error, cause, nextState, output, then every
``inspectionData`` key at DEBUG/TRACE, with the case's placeholders as
wildcards (``matching.Matcher``).
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .corpus import cases_below
from .matching import Matcher, tokens_for_case

__all__ = ["ENV_VAR", "KNOWN_GAPS_FILE", "TestStateCase", "load_cases", "load_known_gaps", "missing_reason",
           "needs_real_service", "run_case"]

ENV_VAR = "ASL_TESTSTATE_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "conformance" / "teststate"
KNOWN_GAPS_FILE = Path(__file__).resolve().parent / "teststate_known_gaps.json"


def _base() -> Path:
    configured = os.environ.get(ENV_VAR)
    return Path(configured).expanduser() if configured else DEFAULT_DIR


def cases_dir() -> Path | None:
    return cases_below(_base())


def missing_reason() -> str | None:
    """``None`` when the corpus is there, else why the suite is skipped."""
    if cases_dir() is not None:
        return None
    return f"TestState corpus not found at {_base()} (set ${ENV_VAR} to its directory)"


@dataclass(frozen=True)
class TestStateCase:
    __test__ = False

    id: str
    data: dict[str, Any]

    @property
    def request(self) -> dict[str, Any]:
        return self.data["request"]

    @property
    def level(self) -> str:
        """INFO, DEBUG or TRACE; ``REJECTED`` for a call AWS refused."""
        if self.data.get("expected_exception"):
            return "REJECTED"
        return self.request.get("inspectionLevel", "INFO")

    @property
    def short_id(self) -> str:
        return self.id.split("/test_state/", 1)[-1]


@functools.lru_cache(maxsize=1)
def load_cases() -> tuple[TestStateCase, ...]:
    folder = cases_dir()
    if folder is None:
        return ()
    cases = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append(TestStateCase(data["id"], data))
    return tuple(cases)


def load_known_gaps() -> dict[str, str]:
    """Case id -> why it does not pass yet."""
    entries = json.loads(KNOWN_GAPS_FILE.read_text(encoding="utf-8"))
    return {entry["id"]: entry["reason"] for entry in entries}


def replayed_result(case: TestStateCase) -> tuple[bool, Any]:
    """A Task recorded without a mock called the real service: ``(True, result)``
    when the recording has the service's result to replay (DEBUG/TRACE)."""
    request = case.request
    if "mock" in request or case.data["state_under_test"]["type"] != "Task":
        return False, None
    data = (case.data.get("response") or {}).get("inspectionData") or {}
    return "result" in data, data.get("result")


def needs_real_service(case: TestStateCase) -> bool:
    """An unmocked Task whose recording has no result to replay (INFO): AWS called the real service."""
    request = case.request
    replayable, _ = replayed_result(case)
    return (not case.data.get("expected_exception") and "mock" not in request
            and case.data["state_under_test"]["type"] == "Task" and not replayable)


def _state_name(request: dict[str, Any]) -> str:
    document = json.loads(request["definition"])
    if isinstance(document.get("States"), dict):
        return str(request.get("stateName") or document["StartAt"])
    return "StateName"


def _concrete(case: TestStateCase) -> dict[str, Any]:
    """The request with its synthetic ``<name>`` tokens (values of the test's fixtures,
    not AWS's) written as plain names, so that an ARN holding one stays valid."""
    request = dict(case.request)
    tokens = [t for t in (case.data.get("placeholders") or {}).get("request", []) if t.startswith("<") and t.endswith(">")]
    for key in ("definition", "input"):
        if isinstance(request.get(key), str):
            for token in tokens:
                request[key] = request[key].replace(token, re.sub(r"[^A-Za-z0-9_-]", "_", token[1:-1]))
    return request


def call(case: TestStateCase) -> Any:
    """The local TestState call of ``case``: its response, or the ``TestStateError`` raised."""
    from asl_engine import TestStateError, test_state

    request = _concrete(case)
    replayable, result = replayed_result(case)
    handlers = {_state_name(request): lambda event: result} if replayable else None
    try:
        return test_state(
            request["definition"],
            state_name=request.get("stateName"),
            input=request.get("input"),
            inspection_level=request.get("inspectionLevel", "INFO"),
            reveal_secrets=request.get("revealSecrets", False),
            variables=request.get("variables"),
            context=request.get("context"),
            mock=request.get("mock"),
            state_configuration=request.get("stateConfiguration"),
            role_arn=request.get("roleArn"),
            handlers=handlers,
        )
    except TestStateError as exc:
        return exc


def _decode(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def run_case(case: TestStateCase) -> str | None:
    """``None`` when the local call matches the recording, else what differs."""
    from asl_engine import TestStateError

    actual = call(case)
    expected_exc = case.data.get("expected_exception")
    if expected_exc:
        if not isinstance(actual, TestStateError):
            return f"expected {expected_exc['code']}: {expected_exc['message']!r}, got a response {actual}"
        if actual.code != expected_exc["code"]:
            return f"expected error code {expected_exc['code']}, got {actual.code}: {actual.message}"
        if actual.message != expected_exc["message"] and expected_exc["code"] != "InvalidDefinition":
            return f"message: expected {expected_exc['message']!r}, got {actual.message!r}"
        return None
    if isinstance(actual, TestStateError):
        return f"expected a response, got {actual.code}: {actual.message}"
    expected = case.data["response"]
    matcher = Matcher(tokens_for_case(case.data.get("placeholders")))
    for key in ("status", "error", "cause", "nextState"):
        if expected.get(key) != actual.get(key):
            exp, act = expected.get(key), actual.get(key)
            if not (isinstance(exp, str) and isinstance(act, str) and matcher.string_matches(exp, act)):
                return f"{key}: expected {exp!r}, got {act!r}"
    if ("output" in expected) != ("output" in actual):
        return f"output: expected {'present' if 'output' in expected else 'absent'}, got {actual.get('output')!r}"
    if "output" in expected:
        mismatch = matcher.match(expected["output"], _decode(actual["output"]), "output")
        if mismatch is not None:
            return str(mismatch)
    exp_data = expected.get("inspectionData")
    act_data = actual.get("inspectionData")
    if (exp_data is None) != (act_data is None):
        return f"inspectionData: expected {exp_data!r}, got {act_data!r}"
    if exp_data is not None:
        if set(exp_data) != set(act_data):
            return f"inspectionData keys: expected {sorted(exp_data)}, got {sorted(act_data)}"
        for key, value in exp_data.items():
            got = act_data[key] if key in ("errorDetails",) or not isinstance(act_data[key], str) else _decode(act_data[key])
            mismatch = matcher.match(value, got, f"inspectionData.{key}")
            if mismatch is not None:
                return str(mismatch)
    return None
