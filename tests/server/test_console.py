"""The console of asl serve, seen in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.request import urlopen

import pytest

from asl_engine.service import Service

from .conftest import LAMBDA

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"n": 1}, "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": LAMBDA + "charge", "End": True},
    },
}


def _settled(service: Service, arn: str) -> None:
    service.runner.wait(arn, 10)


@pytest.fixture
def runs(server: Any, service: Service) -> dict[str, str]:
    from asl_engine import RunOptions

    def charge(event: Any) -> Any:
        if event.get("n") == 1 and charge.calls:  # type: ignore[attr-defined]
            raise RuntimeError("card declined")
        charge.calls += 1  # type: ignore[attr-defined]
        return {"charged": True}

    charge.calls = 0  # type: ignore[attr-defined]
    service.options = RunOptions(handlers={"charge": charge})
    arn = service.create_state_machine("checkout", FLOW)
    good = service.start_execution(arn, name="good")
    _settled(service, good)
    bad = service.start_execution(arn, name="bad")
    _settled(service, bad)
    return {"good": good, "bad": bad}


def test_the_pages_answer_without_a_browser(server: Any, runs: dict[str, str]) -> None:
    with urlopen(server.url + "/", timeout=5) as answer:
        home = answer.read().decode()
    assert "checkout" in home and "SUCCEEDED" in home and "FAILED" in home and "http" not in home.replace("http-equiv", "")
    with urlopen(f"{server.url}/execution?arn={quote(runs['bad'], safe='')}", timeout=5) as answer:
        page = answer.read().decode()
    assert 'data-state="Charge"' in page and "card declined" in page and "LambdaFunctionFailed" in page


def _chromium(*args: str, profile: Path) -> str:
    assert CHROMIUM is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    done = subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=60)
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs Debian's chromium where it can)")
def test_a_person_sees_the_machines_and_the_failed_state(server: Any, runs: dict[str, str], tmp_path: Path) -> None:
    home = _chromium("--dump-dom", server.url + "/", profile=tmp_path / "profile")
    assert "checkout" in home and ">good<" in home and ">bad<" in home
    assert "class=\"FAILED\">FAILED" in home and "class=\"SUCCEEDED\">SUCCEEDED" in home
    url = f"{server.url}/execution?arn={quote(runs['bad'], safe='')}"
    page = _chromium("--dump-dom", url, profile=tmp_path / "profile")
    assert 'data-state="Prepare"' in page and 'data-state="Charge"' in page
    charge = page[page.index('data-state="Charge"') - 120: page.index('data-state="Charge"')]
    assert "failed" in charge  # the failed state is marked
    shot = tmp_path / "console.png"
    _chromium(f"--screenshot={shot}", "--window-size=1100,800", url, profile=tmp_path / "profile")
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
