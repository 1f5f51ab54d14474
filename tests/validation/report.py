"""Print how the validator scores on the external validation corpus.

    python tests/validation/report.py [-v]

``-v`` lists every miss and every adjudicated file with our rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.validation.corpus import corpus_missing_reason, percent, score  # noqa: E402


def main() -> int:
    reason = corpus_missing_reason()
    if reason:
        print(reason)
        return 1
    result = score()
    for label, pair in (("valid accepted", result.valid), ("invalid rejected for the right reason", result.invalid)):
        print(f"{label:40} {pair[0]:4}/{pair[1]:<4} {percent(pair):6.2f}%   (caveated files scored on the side we take)")
    for label, pair in (("valid accepted (source verdicts)", result.raw_valid),
                        ("invalid rejected (source verdicts)", result.raw_invalid)):
        print(f"{label:40} {pair[0]:4}/{pair[1]:<4} {percent(pair):6.2f}%")
    if "-v" in sys.argv:
        for outcome in result.outcomes:
            if not outcome.hit or outcome.adjudicated:
                flag = "MISS" if not outcome.hit else "SIDE"
                print(f"{flag} {outcome.file} expected={outcome.expected} tags={outcome.problems} ours={outcome.error_rules}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
