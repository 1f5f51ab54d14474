"""asl against its peers, workload by workload (``make bench``; not a timed test).

    python benchmarks/peers.py [--quick] [--no-peers]

The peers are installed into a scratch venv of their own, ``.bench-venv/``
(created on first use from the package registries, reused after):
local-workflow-engine 1.0.4 and moto's Step Functions (``moto[stepfunctions]``,
which runs definitions with ``execute_state_machine``). Each engine runs
each workload of ``benchmarks/workloads/`` in a fresh process
(``child.py``), which checks the output against the expected one: an engine
that cannot run a workload, or gives a wrong output, is shown as ``-`` with
the reason. Per cell: transitions/s of the run inside the process, the
whole process's wall time (median of 3 runs, 1 for moto and with --quick)
and its peak RSS. ``ratio`` is the peer's whole-process time over asl's
(above 1: asl is faster). Start-up is timed on its own: ``python -c pass``,
``asl --help`` and ``asl run`` of a one-state machine, next to each peer's
import time. Byte-compiled files are used as a user's install has them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402

PEER_VENV = ROOT / ".bench-venv"
# moto's server too, for benchmarks/serve.py's comparison of the services.
PEER_PACKAGES = ["local-workflow-engine==1.0.4", "moto[server,stepfunctions]>=5,<6", "boto3"]
PEERS = {"lwe": "local-workflow-engine", "moto": "moto"}
TIMEOUT_S = 25.0
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def peer_python() -> tuple[Path | None, str]:
    """The peers' interpreter, creating ``.bench-venv`` when missing (or why not)."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / "packages.txt"  # what was installed: a changed list installs again
    wanted = "\n".join(PEER_PACKAGES)
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python, ""
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True, capture_output=True, timeout=120)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True,
                       capture_output=True, timeout=600, env=ENV)
        stamp.write_text(wanted, encoding="utf-8")
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"cannot install the peers ({exc.__class__.__name__}: {detail.decode(errors='replace')[-200:].strip()})"
    return python, ""


def timed(cmd: list[str]) -> tuple[float, float, str, int]:
    """One process: wall seconds, its own peak RSS (MB, from wait4), its stdout, its exit status."""
    import threading

    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT)
    killer = threading.Timer(TIMEOUT_S, process.kill)
    killer.start()
    try:
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.perf_counter() - start
    if process.returncode == -9 and wall >= TIMEOUT_S:
        return wall, 0.0, json.dumps({"ok": False, "reason": f"timed out after {TIMEOUT_S:.0f} s"}), -9
    return wall, usage.ru_maxrss / 1024, out.decode(errors="replace"), process.returncode


def run_cell(python: Path, engine: str, name: str, repeats: int) -> dict[str, Any]:
    walls: list[float] = []
    peak = 0.0
    report: dict[str, Any] = {}
    for _ in range(repeats):
        wall, rss, out, _ = timed([str(python), str(HERE / "child.py"), engine, name])
        lines = [line for line in out.splitlines() if line.startswith("{") and '"ok"' in line]
        report = json.loads(lines[-1]) if lines else {"ok": False, "reason": "no report (crashed)"}
        if not report.get("ok"):
            return report
        walls.append(wall)
        peak = max(peak, rss)
    report["wall_s"] = sorted(walls)[len(walls) // 2]
    report["peak_mb"] = peak
    return report


def median_wall(cmd: list[str], repeats: int) -> float:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT)  # byte-compile
    return sorted(timed(cmd)[0] for _ in range(repeats))[repeats // 2]


def cell_text(report: dict[str, Any], transitions: int, notes: list[str]) -> str:
    """A cell of the table; a failure's reason goes to ``notes``, printed below it."""
    if not report.get("ok"):
        reason = str(report.get("reason", "failed"))
        if reason not in notes:
            notes.append(reason)
        return f"- see note {notes.index(reason) + 1}"
    rate = transitions / report["run_s"] if report.get("run_s") else float("inf")
    return f"{rate:>9,.0f}/s {report['wall_s']:6.2f} s {report['peak_mb']:5.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per cell")
    parser.add_argument("--no-peers", action="store_true", help="asl only")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    python, why = (None, "--no-peers") if args.no_peers else peer_python()
    asl_python = Path(sys.executable)
    asl_bin = asl_python.parent / "asl"
    # asl's own command takes the definition, not the workload file: write it out once.
    definition = ROOT / ".bench-one.asl.json"
    definition.write_text(json.dumps(workloads.load(workloads.STARTUP)["definition"]), encoding="utf-8")
    print("start-up (whole process, median):")
    print(f"  python -c pass          {median_wall([str(asl_python), '-c', 'pass'], 5) * 1000:6.0f} ms")
    print(f"  asl --help              {median_wall([str(asl_bin), '--help'], 5) * 1000:6.0f} ms")
    print(f"  asl run (one Pass)      {median_wall([str(asl_bin), 'run', str(definition)], 5) * 1000:6.0f} ms")
    asl_one = run_cell(asl_python, "asl", workloads.STARTUP, 3)
    print(f"  asl_engine, one Pass    {asl_one['wall_s'] * 1000:6.0f} ms (import and load {asl_one['load_s'] * 1000:.0f} ms)")
    definition.unlink()
    if python is not None:
        for engine, label in PEERS.items():
            report = run_cell(python, engine, workloads.STARTUP, 3)
            shown = (f"{report['wall_s'] * 1000:6.0f} ms (import and load {report['load_s'] * 1000:.0f} ms)"
                     if report.get("ok") else "- " + str(report.get("reason")))
            print(f"  {label:<23} {shown}")
    else:
        print(f"  peers: not run ({why})")
    print()
    engines = ["asl", *(PEERS if python is not None else [])]
    loaded = {name: workloads.load(name) for name in workloads.NAMES}
    width = max(len(workload["title"]) for workload in loaded.values()) + 2
    print(f"{'workload':<{width}}" + "".join(f"{e:<34}" for e in engines) + "ratio (peer/asl whole process)")
    notes: list[str] = []
    for name, workload in loaded.items():
        cells: dict[str, dict[str, Any]] = {}
        for engine in engines:
            interpreter = asl_python if engine == "asl" else python
            assert interpreter is not None
            cells[engine] = run_cell(interpreter, engine, name, 1 if engine == "moto" else repeats)
        ratios = []
        for engine in engines[1:]:
            if cells[engine].get("ok") and cells["asl"].get("ok"):
                ratios.append(f"{engine} {cells[engine]['wall_s'] / cells['asl']['wall_s']:.1f}x")
        row = f"{workload['title']:<{width}}" + "".join(f"{cell_text(cells[e], workload['transitions'], notes):<34}"
                                                   for e in engines)
        print(row + ", ".join(ratios))
    for number, reason in enumerate(notes, 1):
        print(f"note {number}: {reason}")


if __name__ == "__main__":
    main()
