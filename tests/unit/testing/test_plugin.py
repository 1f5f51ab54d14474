"""The pytest plugin, run in a pytest of its own (pytester): the ``asl``
fixture, ``--asl-coverage`` reports and ``--asl-cov-fail-under``."""

from __future__ import annotations

import json
from typing import Any

TESTS = '''
CHOICE = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Yes"}], "Default": "No"},
    "Yes": {"Type": "Succeed"}, "No": {"Type": "Fail", "Error": "Nope"}}}

def test_yes(asl):
    from asl_engine.testing import assert_succeeded
    assert_succeeded(asl.run(asl.load(CHOICE, name="gate"), {"go": True}))
'''


def test_the_fixture_and_a_terminal_report(pytester: Any) -> None:
    pytester.makepyfile(test_machine=TESTS)
    result = pytester.runpytest("--asl-coverage")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["asl coverage", "gate*1*", "gate: states not covered: No", "gate: transitions not covered: C -> No"])


def test_json_report_and_fail_under(pytester: Any) -> None:
    pytester.makepyfile(test_machine=TESTS)
    result = pytester.runpytest("--asl-coverage=json", "--asl-cov-fail-under=90")
    report = json.loads((pytester.path / "asl-coverage.json").read_text())
    assert report["machines"]["gate"]["states"] == {"total": 3, "covered": 2, "missing": ["No"]}
    assert report["total"] < 90
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*below --asl-cov-fail-under 90*"])
