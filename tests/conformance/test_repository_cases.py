"""The repository's own conformance cases (``tests/conformance/cases/``).

Each bug fix that a data case can express lands here, in the shared corpus's
case format (see ``README.md``), beside the AWS-recorded corpus: the case
keeps the fix from coming undone. These run everywhere, ``../shared`` or not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .corpus import Case
from .runner import run_case

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = [Case(file=path, raw=json.loads(path.read_text(encoding="utf-8"))) for path in sorted(CASES_DIR.glob("*.json"))]


def test_there_are_repository_cases() -> None:
    assert CASES, f"no case in {CASES_DIR}"


@pytest.mark.parametrize("case", CASES, ids=[case.file.stem for case in CASES])
def test_repository_case(case: Case) -> None:
    assert case.id == f"asl/{case.file.stem}", "a repository case's id is asl/<file name>"
    result = run_case(case)
    if not result.passed:
        pytest.fail(result.report(), pytrace=False)
