"""Pass counts of the TestState corpus by inspection level (INFO, DEBUG, TRACE, and rejected calls).

Usage: ``python tests/conformance/teststate_report.py [-v]`` from the repository root
(``-v`` prints each failing case and why).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conformance.teststate_corpus import load_cases, missing_reason, needs_real_service, run_case  # noqa: E402

LEVELS = ("INFO", "DEBUG", "TRACE", "REJECTED")


def main(argv: list[str]) -> int:
    reason = missing_reason()
    if reason:
        print(reason)
        return 1
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    skipped: list[str] = []
    for case in load_cases():
        total[case.level] += 1
        if needs_real_service(case):
            skipped.append(case.short_id)
            continue
        problem = run_case(case)
        if problem is None:
            passed[case.level] += 1
        elif "-v" in argv:
            print(f"FAIL {case.short_id}\n     {problem}")
    for level in LEVELS:
        print(f"{level:9} {passed[level]:4} / {total[level]:4}")
    print(f"{'total':9} {sum(passed.values()):4} / {sum(total.values()):4}")
    for short_id in skipped:
        print(f"skipped (AWS called the real service, no result recorded to replay): {short_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
