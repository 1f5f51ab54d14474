"""Every AWS-recorded TestState call of ``shared/conformance/teststate`` run locally.

One test per case; cases listed in ``teststate_known_gaps.json`` run as
``xfail(strict=True)`` (a listed gap that starts passing fails the suite).
Skipped with the reason when the corpus is absent (``$ASL_TESTSTATE_DIR``,
default ``<repo>/../shared/conformance/teststate``). Counts by inspection
level: ``python tests/conformance/teststate_report.py``.
"""

from __future__ import annotations

import pytest

from .teststate_corpus import load_cases, load_known_gaps, missing_reason, needs_real_service, run_case

MISSING = missing_reason()
GAPS = load_known_gaps()


def _params() -> list:
    if MISSING:
        return [pytest.param(None, id="corpus-absent", marks=pytest.mark.skip(reason=MISSING))]
    params = []
    for case in load_cases():
        marks = []
        if needs_real_service(case):
            marks.append(pytest.mark.skip(reason="AWS ran the real service and recorded no result to replay at INFO "
                                                 "(corpus README rule 6: skip the INFO variant)"))
        elif case.id in GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=f"known gap: {GAPS[case.id]}"))
        params.append(pytest.param(case, id=case.short_id, marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_case(case) -> None:
    problem = run_case(case)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


@pytest.mark.skipif(bool(MISSING), reason=MISSING or "")
def test_known_gaps_name_existing_cases() -> None:
    ids = {case.id for case in load_cases()}
    stale = sorted(set(GAPS) - ids)
    assert not stale, "teststate_known_gaps.json lists ids that are not in the corpus:\n" + "\n".join(stale)
