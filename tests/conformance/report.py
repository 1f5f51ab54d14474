#!/usr/bin/env python3
"""Per-folder conformance report: run every corpus case against ``asl_engine``.

Usage::

    python tests/conformance/report.py              # summary + unexpected failures
    python tests/conformance/report.py --gaps       # also list the known gaps still failing
    python tests/conformance/report.py -k scenarios # only ids containing "scenarios"
    python tests/conformance/report.py --show ID    # full failure message of matching case(s)
    python tests/conformance/report.py --suggest-gaps  # JSON entries for known_gaps.json

For each corpus folder (the id's path after ``/v2/``) it prints passed /
failed / total, where "failed" counts every case that does not pass and
"gaps" how many of those are listed in ``known_gaps.json``. Then it lists:

* unexpected failures (not in ``known_gaps.json``) with a one-line reason;
* known gaps that pass now (remove them from ``known_gaps.json``; the pytest
  suite fails on them because they run as strict xfail).

Exit status: 0 when there is no unexpected failure and no passing gap, else 1;
2 when the corpus or the engine is unavailable.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

_TESTS_DIR = Path(__file__).resolve().parents[1]
if str(_TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(_TESTS_DIR))

from conformance.corpus import (  # noqa: E402
    corpus_missing_reason,
    feature_gap_reason,
    load_cases,
    load_known_gaps,
)
from conformance.runner import engine_unavailable_reason, run_case  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="keyword", action="append", default=[],
                        help="only cases whose id contains this text (repeatable: any)")
    parser.add_argument("--gaps", action="store_true", help="also list known gaps that still fail")
    parser.add_argument("--show", action="append", default=[], metavar="TEXT",
                        help="print the full failure message of cases whose id contains TEXT")
    parser.add_argument("--suggest-gaps", action="store_true",
                        help="print known_gaps.json entries for the unexpected failures")
    parser.add_argument("--slowest", type=int, default=5, help="list the N slowest cases (default 5)")
    parser.add_argument("--timeout", type=float, default=None, help="per-case wall-clock limit in seconds")
    args = parser.parse_args(argv)

    missing = corpus_missing_reason()
    if missing:
        print(f"SKIP: {missing}")
        return 2
    unavailable = engine_unavailable_reason()
    if unavailable:
        print(f"SKIP: {unavailable}")
        return 2

    gaps = load_known_gaps()
    cases = load_cases()
    if args.keyword:
        cases = [c for c in cases if any(k in c.id or k in c.short_id for k in args.keyword)]

    started = time.perf_counter()
    results = [run_case(case, timeout=args.timeout) for case in cases]
    elapsed = time.perf_counter() - started

    per_folder: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for result in results:
        counts = per_folder[result.case.folder]
        counts["total"] += 1
        counts["passed" if result.passed else "failed"] += 1
        if result.case.id in gaps:
            counts["gap_failed" if not result.passed else "gap_passed"] += 1

    width = max([len(f) for f in per_folder] + [6])
    print(f"{'folder':<{width}}  {'passed':>6}  {'failed':>6}  {'total':>5}  {'gaps':>4}  unexpected")
    totals: collections.Counter[str] = collections.Counter()
    for folder in sorted(per_folder):
        c = per_folder[folder]
        totals.update(c)
        surprises = c["failed"] - c["gap_failed"]
        print(f"{folder:<{width}}  {c['passed']:>6}  {c['failed']:>6}  {c['total']:>5}  {c['gap_failed']:>4}  "
              f"{surprises if surprises else ''}")
    unexpected_total = totals["failed"] - totals["gap_failed"]
    print(f"{'TOTAL':<{width}}  {totals['passed']:>6}  {totals['failed']:>6}  {totals['total']:>5}  "
          f"{totals['gap_failed']:>4}  {unexpected_total if unexpected_total else ''}")
    print(f"({len(results)} cases in {elapsed:.1f}s; 'gaps' = failing cases listed in known_gaps.json)")

    unexpected = [r for r in results if not r.passed and r.case.id not in gaps]
    fixed = [r for r in results if r.passed and r.case.id in gaps]
    if unexpected:
        print(f"\nUnexpected failures ({len(unexpected)}):")
        for r in unexpected:
            print(f"  {r.case.id}\n      {r.reason[:300]}")
    if fixed:
        print(f"\nKnown gaps that PASS now ({len(fixed)}) - remove them from known_gaps.json:")
        for r in fixed:
            print(f"  {r.case.id}")
    if args.gaps:
        still = [r for r in results if not r.passed and r.case.id in gaps]
        print(f"\nKnown gaps still failing ({len(still)}):")
        for r in still:
            print(f"  {r.case.id}\n      gap: {gaps[r.case.id]}\n      now: {r.reason[:240]}")
    if args.slowest and results:
        print(f"\nSlowest {min(args.slowest, len(results))} cases:")
        for r in sorted(results, key=lambda r: r.seconds, reverse=True)[: args.slowest]:
            print(f"  {r.seconds * 1000:8.1f} ms  {r.case.short_id}")
    for text in args.show:
        for r in results:
            if text in r.case.id or text in r.case.short_id:
                print("\n" + "=" * 100)
                print(r.report() if not r.passed else f"{r.case.id}: passed")
    if args.suggest_gaps and unexpected:
        entries = [
            {"id": r.case.id, "reason": feature_gap_reason(r.case.features) or f"engine: {r.reason[:200]}"}
            for r in unexpected
        ]
        print("\nSuggested known_gaps.json entries:")
        print(json.dumps(entries, indent=1, ensure_ascii=False))
    return 1 if unexpected or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
