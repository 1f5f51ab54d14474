"""History files for replay: mutated GetExecutionHistory documents and JSON
Lines through ``asl replay`` and ``asl_engine.testing.replay``.

Acceptable: a replay report (exit 0 or 1), exit 2 with one line; for the
library, a ``Replay`` or ``ExecutionInputError``. A task whose recorded
result the mutation removed fails in the replay (a difference), never the
replay itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import asl_engine
import asl_engine.testing as asl_testing
from asl_cli.main import cli

from .mutator import Mutator
from .seeds import ROOT, SEED

LIBRARY_CASES = 200
CLI_CASES = 60


def _history() -> tuple[asl_engine.StateMachine, list[dict[str, Any]]]:
    machine = asl_engine.load(ROOT / "tests/golden/order_flow.asl.json")
    recorded = json.loads((ROOT / "tests/golden/order_flow.history.json").read_text(encoding="utf-8"))
    return machine, recorded["history"]


def test_mutated_histories_replay() -> None:
    mutator = Mutator(SEED)
    machine, events = _history()
    outcomes = {"replayed": 0, "refused": 0}
    for _ in range(LIBRARY_CASES):
        mutated = mutator.value(events, mutations=2)
        if not isinstance(mutated, list):
            outcomes["refused"] += 1  # asl replay refuses these before replaying (tested below)
            continue
        try:
            result = asl_testing.replay(mutated, machine)
        except asl_engine.ExecutionInputError as error:
            assert "\n" not in str(error).strip()
            outcomes["refused"] += 1
            continue
        assert isinstance(result.report(), str)
        outcomes["replayed"] += 1
    assert sum(outcomes.values()) == LIBRARY_CASES and min(outcomes.values()) > 0, outcomes


def test_mutated_history_files_through_asl_replay(tmp_path: Path) -> None:
    mutator = Mutator(SEED)
    _, events = _history()
    text = json.dumps({"events": events}, indent=1)
    codes: dict[int, int] = {}
    for case in range(CLI_CASES):
        path = tmp_path / "history.json"
        if case % 2:
            path.write_bytes(mutator.text(text, mutations=2))
        else:
            path.write_text(json.dumps({"events": mutator.value(events, mutations=2)}), encoding="utf-8")
        result = CliRunner().invoke(cli, ["replay", str(path), "--definition", str(ROOT / "tests/golden/order_flow.asl.json")])
        assert result.exception is None or isinstance(result.exception, SystemExit), (case, result.exception)
        assert result.exit_code in (0, 1, 2), (case, result.exit_code, result.stderr)
        if result.exit_code == 2:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        codes[result.exit_code] = codes.get(result.exit_code, 0) + 1
    assert sum(codes.values()) == CLI_CASES and codes.get(2, 0) > 0 and codes.get(1, 0) > 0, codes
