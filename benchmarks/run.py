"""Engine benchmarks: state transitions per second and peak memory.

Run with ``make bench`` (or ``python benchmarks/run.py [--quick]``).

Workloads (issue #2):
  a) a chain of 1,000 Pass states with Parameters and ResultPath;
  a') the same chain written in JSONata (one Output expression per state);
  b) a Choice/Pass loop of 10,000 iterations;
  c) an inline Map over 10,000 items of 3 Pass states (and 2,500 / 5,000 to
     show that memory grows linearly with the item count);
  d) a chain of 1,000 Task states calling a local Python handler.

Each rate is also checked against the engine targets (history on, full):
250k transitions/s for (a) and (b), 150k for (c), 100k for (d).

Numbers depend on the machine, so each workload is also reported as a ratio
against a baseline measured in the same run: plain Python doing the same
data work (dict building, path reads, one ``json.dumps`` per transition, as
the history needs) with no engine. The ratio is what to compare over time.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asl_engine  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402
from handlers import HANDLERS  # noqa: E402

# The engine targets (transitions/s, history on) by row prefix. The JSONata
# chain's is ten times the ~6,000/s it ran at when the targets were set.
TARGETS = {"a)": 250_000, "a')": 60_000, "b)": 250_000, "c)": 150_000, "d)": 100_000}


def pass_chain(n: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"S{i}"] = {
            "Type": "Pass",
            "Parameters": {"step": i, "value.$": "$.value", "source.$": "$.meta.source"},
            "ResultPath": "$.last",
            **({"Next": f"S{i + 1}"} if i < n - 1 else {"End": True}),
        }
    return {"StartAt": "S0", "States": states}


def jsonata_chain(n: int) -> dict[str, Any]:
    """Workload (a) written in JSONata: the same data flow, one Output per state."""
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"S{i}"] = {
            "Type": "Pass",
            "Output": (
                "{% $merge([$states.input, {'last': {'step': " + str(i) + ", "
                "'value': $states.input.value, 'source': $states.input.meta.source}}]) %}"
            ),
            **({"Next": f"S{i + 1}"} if i < n - 1 else {"End": True}),
        }
    return {"QueryLanguage": "JSONata", "StartAt": "S0", "States": states}


def choice_loop(iterations: int) -> dict[str, Any]:
    definition: dict[str, Any] = workloads.choice_loop(iterations)["definition"]
    return definition


def map_of_passes() -> dict[str, Any]:
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "B"},
                        "B": {"Type": "Pass", "ResultPath": "$.b", "Result": True, "Next": "C"},
                        "C": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }


def baseline_chain(n: int, doc: dict[str, Any]) -> int:
    """Plain Python doing the data work of workload (a), with no engine."""
    data = doc
    for i in range(n):
        json.dumps(data, separators=(",", ":"))
        result = {"step": i, "value": data["value"], "source": data["meta"]["source"]}
        data = dict(data)
        data["last"] = result
        json.dumps(data, separators=(",", ":"))
    return n


def transitions(execution: asl_engine.Execution) -> int:
    return sum(1 for e in execution.history if e["type"].endswith("StateEntered"))


def measure(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, result


def timed(fn: Callable[[], Any], repeats: int = 1) -> tuple[float, Any]:
    """The best wall time of ``repeats`` runs (the machine is shared: the
    minimum is the least noisy estimate), and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (smoke run)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    rows = []

    chain = asl_engine.load(pass_chain(1000))
    doc = {"value": 42, "meta": {"source": "bench"}}
    chain.run(doc)  # warm up
    # A run of the chain takes a few milliseconds: the best of many is the
    # steady figure on a shared machine (9 runs varied by a tenth).
    base_t, base_n = timed(lambda: baseline_chain(1000, doc), 50)
    best, _ = timed(lambda: chain.run(doc), 50)
    n = transitions(chain.run(doc))
    _, peak, _ = measure(lambda: chain.run(doc))
    rows.append(("a) 1,000 Pass chain", n, best, peak, best / base_t))
    chain_rate = n / best

    jchain = asl_engine.load(jsonata_chain(1000))
    jchain.run(doc)  # warm up
    jbest, _ = timed(lambda: jchain.run(doc), 20)
    jn = transitions(jchain.run(doc))
    _, jpeak, _ = measure(lambda: jchain.run(doc))
    rows.append(("a') 1,000 Pass chain, JSONata", jn, jbest, jpeak, jbest / base_t))

    iters = 10_000 // scale
    loop = asl_engine.load(choice_loop(iters))
    elapsed, peak, ex = measure(lambda: loop.run({"i": 0}, quotas=False))
    elapsed, ex = timed(lambda: loop.run({"i": 0}, quotas=False), 3)
    n = transitions(ex)
    rows.append((f"b) Choice/Pass loop x{iters:,}", n, elapsed, peak, (elapsed / n) / (base_t / base_n)))

    mapping = asl_engine.load(map_of_passes())
    for items in (2_500 // scale, 5_000 // scale, 10_000 // scale):
        doc_items = {"items": [{"n": i} for i in range(items)]}
        elapsed, ex = timed(lambda: mapping.run(doc_items, quotas=False), 3)
        _, peak, _ = measure(lambda: mapping.run(doc_items, quotas=False))
        n = transitions(ex)
        rows.append((f"c) Map of {items:,} items x 3 Pass", n, elapsed, peak, (elapsed / n) / (base_t / base_n)))

    tasks = workloads.task_chain(1000 // scale)
    task_machine = asl_engine.load(tasks["definition"])
    task_handlers = {name: HANDLERS[name] for name in tasks["handlers"]}
    run_tasks = lambda: task_machine.run(tasks["input"], handlers=task_handlers)  # noqa: E731
    run_tasks()  # warm up
    elapsed, ex = timed(run_tasks, 50)
    _, peak, _ = measure(run_tasks)
    n = transitions(ex)
    rows.append((f"d) {tasks['title']}", n, elapsed, peak, (elapsed / n) / (base_t / base_n)))

    print(f"baseline (plain Python, same data work): {base_n / base_t:,.0f} transitions/s")
    print(f"{'workload':36} {'transitions':>11} {'seconds':>8} {'trans/s':>10} {'peak MiB':>9} {'x baseline':>10}")
    for label, n, secs, peak, ratio in rows:
        print(f"{label:36} {n:>11,} {secs:>8.3f} {n / secs:>10,.0f} {peak / 2**20:>9.1f} {ratio:>10.2f}")
    print(f"JSONata chain vs JSONPath chain: {(jn / jbest) / chain_rate:.2f}x the transitions per second")
    for label, n, secs, _, _ in rows:
        target = next((t for prefix, t in TARGETS.items() if label.startswith(prefix)), None)
        if target is not None and (label[0] != "c" or "10,000" in label or args.quick):
            verdict = "met" if n / secs >= target else "NOT met"
            print(f"target {target:,}/s for {label.split(' ', 1)[1]}: {verdict} ({n / secs:,.0f}/s)")
    maps = [r for r in rows if r[0].startswith("c)")]
    if len(maps) == 3:
        per_item = [r[3] / max(1, r[1]) for r in maps]
        print("Map peak memory per transition (should stay flat if growth is linear): " + ", ".join(f"{p:,.0f} B" for p in per_item))


if __name__ == "__main__":
    main()
