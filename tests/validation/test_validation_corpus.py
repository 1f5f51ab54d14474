"""The validator measured on the external validation corpus.

Asserts that at least 98% of the valid definitions are accepted and at least
98% of the invalid ones are rejected for the right reason (see
``corpus.py`` for how a reason is matched and how caveated files are
scored), and that every difference from the sources is listed, with its
reason, in ``known_gaps.json`` (and nothing listed there has been fixed
silently). ``python tests/validation/report.py -v`` prints the figures.
"""

from __future__ import annotations

import json

import pytest

from tests.validation.corpus import (
    KNOWN_GAPS_FILE,
    corpus_missing_reason,
    load_known_gaps,
    load_records,
    percent,
    score,
)

pytestmark = pytest.mark.skipif(corpus_missing_reason() is not None, reason=corpus_missing_reason() or "")

THRESHOLD = 98.0


@pytest.fixture(scope="module")
def result():
    return score()


def test_valid_definitions_are_accepted(result):
    hits, total = result.valid
    assert total > 0
    assert percent(result.valid) >= THRESHOLD, f"only {hits}/{total} valid definitions accepted"


def test_invalid_definitions_are_rejected_for_the_right_reason(result):
    hits, total = result.invalid
    assert total > 0
    assert percent(result.invalid) >= THRESHOLD, f"only {hits}/{total} invalid definitions rejected for the right reason"


def test_every_miss_is_a_listed_gap(result):
    gaps = load_known_gaps()
    unlisted = [(o.file, o.expected, o.problems, o.error_rules) for o in result.misses if gaps.get(o.file, {}).get("kind") != "gap"]
    assert not unlisted, "misses not listed in known_gaps.json (fix them or list them with a reason): " + json.dumps(unlisted, indent=1)


def test_listed_gaps_are_still_misses(result):
    by_file = {o.file: o for o in result.outcomes}
    fixed = [name for name, gap in load_known_gaps().items() if gap["kind"] == "gap" and by_file[name].hit]
    assert not fixed, f"these files now pass: remove them from {KNOWN_GAPS_FILE.name}: {fixed}"


def test_adjudications_concern_caveated_files_and_hold():
    records = {r["file"]: r for r in load_records()}
    gaps = load_known_gaps()
    for name, gap in gaps.items():
        assert name in records, f"{name} is not in the corpus"
        assert gap["kind"] in ("adjudicated", "gap") and gap["reason"] and gap.get("side")
        if gap["kind"] == "adjudicated":
            assert records[name]["caveats"], f"{name}: only a caveated file may be adjudicated"
            assert gap["our_verdict"] != records[name]["verdict"]
    assert json.loads(KNOWN_GAPS_FILE.read_text())["caveats"], "say which side we take for each kind of caveat"


def test_no_rule_crashes_on_the_corpus(result):
    crashed = [(o.file, o.internal) for o in result.outcomes if o.internal]
    assert not crashed
