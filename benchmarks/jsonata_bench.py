"""JSONata speed (issue 13): single evaluations and the JSONata Pass chain.

Run with ``python benchmarks/jsonata_bench.py``. Each figure is the median of
3 timings; the "x library" column is the ratio against the library's own
evaluator (``Expression._evaluate_library``, what every evaluation cost before
the fast evaluator), measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import asl_engine  # noqa: E402
from asl_engine.dataflow.jsonata_engine import DEFAULT_BUDGET_SECONDS, Expression, compile_expression  # noqa: E402
from run import jsonata_chain  # noqa: E402

CONDITION = "{% $states.input.value >= 20 and $states.input.value < 30 %}"
OBJECT = "{% {'total': $sum($states.input.items.price), 'count': $count($states.input.items), 'name': $uppercase($states.input.name)} %}"
BINDINGS: dict[str, Any] = {
    "states": {"input": {"value": 25, "name": "order", "items": [{"price": 3}, {"price": 4.5}, {"price": 1}]}, "context": {}}
}


def median_us(fn: Callable[[], Any], n: int) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(times)


def main() -> None:
    print(f"{'case':<34}{'fast':>12}{'library':>12}{'x library':>11}")
    for label, text in (("condition (µs/eval)", CONDITION), ("object (µs/eval)", OBJECT)):
        expression = compile_expression(text)
        assert expression.evaluate(BINDINGS, field="Output") == expression._evaluate_library(BINDINGS, "Output", 1.0)
        fast = median_us(lambda: expression.evaluate(BINDINGS, field="Output"), 20000)
        library = median_us(lambda: expression._evaluate_library(BINDINGS, "Output", DEFAULT_BUDGET_SECONDS), 2000)
        print(f"{label:<34}{fast:>12.1f}{library:>12.1f}{library / fast:>10.1f}x")
    chain = asl_engine.load(jsonata_chain(1000))
    doc = {"value": 42, "meta": {"source": "bench"}}
    chain.run(doc)
    fast_s = median_us(lambda: chain.run(doc), 1) / 1e6
    fast_evaluate = Expression.evaluate
    Expression.evaluate = lambda self, bindings, *, field, budget_seconds=DEFAULT_BUDGET_SECONDS: (  # type: ignore[method-assign]
        self._evaluate_library(bindings, field, budget_seconds)
    )
    try:
        library_s = median_us(lambda: chain.run(doc), 1) / 1e6
    finally:
        Expression.evaluate = fast_evaluate  # type: ignore[method-assign]
    print(
        f"{'1,000 Pass chain (transitions/s)':<34}{1000 / fast_s:>12,.0f}{1000 / library_s:>12,.0f}"
        f"{library_s / fast_s:>10.1f}x"
    )


if __name__ == "__main__":
    main()
