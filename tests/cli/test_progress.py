"""The Map progress bar: drawn on a terminal only, at most ten times a second."""

from __future__ import annotations

import io
from typing import Any

import asl_engine
from asl_cli.progress import MapProgress

MAP = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
       "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_ends_its_line() -> None:
    stream = _Terminal()
    ticks = iter(float(i) for i in range(100_000))
    progress = MapProgress(stream, now=lambda: next(ticks), interval=50.0)
    execution = asl_engine.load(MAP).run({"items": list(range(200))}, listeners=[progress])
    progress.close()
    assert execution.succeeded
    frames = stream.getvalue().split("\r")[1:]
    assert frames[-1].startswith("[" + "#" * 30 + "] 200/200 items  ") and frames[-1].endswith("/s\n")
    assert len(frames) < 20  # redrawn by time, not per item


def test_no_bar_when_stderr_is_not_a_terminal_or_the_map_is_small() -> None:
    assert MapProgress.for_terminal(io.StringIO()) is None
    stream = _Terminal()
    progress = MapProgress.for_terminal(stream)
    assert progress is not None
    asl_engine.load(MAP).run({"items": list(range(10))}, listeners=[progress])
    progress.close()
    assert stream.getvalue() == ""


def test_asl_run_prints_nothing_extra_when_stderr_is_captured(write: Any) -> None:
    from click.testing import CliRunner

    from asl_cli.main import cli

    result = CliRunner().invoke(cli, ["run", write("m.asl.json", MAP), "--input", '{"items": [1, 2, 3]}'])
    assert result.exit_code == 0 and "items" not in result.stderr and "[" in result.stdout
