"""Every AWS-recorded case of ``shared/conformance/localstack`` run against the engine.

One test per case (id: ``<folder>/<test module>.<test>[param]#<snapshot key>``).
Cases listed in ``known_gaps.json`` run as ``xfail(strict=True)``: a listed
gap that starts passing fails the suite, so remove it from the list.

Skipped, with the reason, when the corpus is absent (see ``corpus.py``:
``$ASL_CONFORMANCE_DIR`` or ``<repo>/../shared/conformance/localstack``) or
while ``asl_engine.load`` does not exist yet.

Per-folder summary without pytest: ``python tests/conformance/report.py``.
"""

from __future__ import annotations

import pytest

from .corpus import corpus_missing_reason, load_cases, load_known_gaps
from .runner import engine_unavailable_reason, run_case

MISSING = corpus_missing_reason()
CASES = load_cases()
GAPS = load_known_gaps()


def _params() -> list:
    if MISSING:
        return [pytest.param(None, id="corpus-absent", marks=pytest.mark.skip(reason=MISSING))]
    params = []
    for case in CASES:
        marks = []
        if case.id in GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=f"known gap: {GAPS[case.id]}"))
        params.append(pytest.param(case, id=case.short_id, marks=marks))
    return params


@pytest.fixture(scope="module")
def engine_ready() -> None:
    reason = engine_unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("case", _params())
def test_case(case, engine_ready) -> None:
    result = run_case(case)
    if not result.passed:
        pytest.fail(result.report(), pytrace=False)


@pytest.mark.skipif(bool(MISSING), reason=MISSING or "")
def test_known_gaps_name_existing_cases() -> None:
    ids = {case.id for case in CASES}
    stale = sorted(set(GAPS) - ids)
    assert not stale, "known_gaps.json lists ids that are not in the corpus:\n" + "\n".join(stale)
