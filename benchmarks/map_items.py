"""Items/s and peak memory of a distributed Map over a JSON Lines object (not a timed test).

    PYTHONPATH=. python benchmarks/map_items.py [COUNT ...]

Each COUNT (default 10,000, 100,000 and 1,000,000) runs in a fresh process:
a distributed Map reads COUNT items from a JSONL file in a
``FolderObjectStore``, each child execution runs one Pass state, and a
``ResultWriter`` writes the results (COMPACT, JSONL) back to the folder, as
``asl run --items-dir`` does. Reported: items per second, the peak RSS of the
process, and the same RSS less a baseline process that loads the same
definition and runs it over one item (what the item count adds). Flat memory
means the last column does not grow with COUNT.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

DEFINITION = {
    "StartAt": "M",
    "States": {"M": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "items", "Key": "items.jsonl"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "Parameters": {"id.$": "$.id", "ok": True}, "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "run"},
                         "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}},
        "End": True,
    }},
}


def child(count: int, folder: str) -> None:
    """Run the Map over ``count`` items in this process; print one JSON line."""
    import asl_engine

    os.makedirs(os.path.join(folder, "items"), exist_ok=True)
    with open(os.path.join(folder, "items", "items.jsonl"), "w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(f'{{"id": {i}, "name": "item-{i}"}}\n')
    machine = asl_engine.load(DEFINITION)
    start = time.perf_counter()
    execution = machine.run({}, object_store=asl_engine.FolderObjectStore(folder), quotas=False)
    elapsed = time.perf_counter() - start
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"count": count, "seconds": elapsed, "peak_mb": peak_kb / 1024}))


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, __file__, "--child", str(count), folder],
                             check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), sys.argv[3])
        return
    counts = [int(arg) for arg in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    base = measure(1)["peak_mb"]
    print(f"baseline (1 item): peak RSS {base:.1f} MB")
    print(f"{'items':>10} {'items/s':>10} {'seconds':>9} {'peak RSS':>10} {'over baseline':>14}")
    for count in counts:
        r = measure(count)
        print(f"{count:>10,} {count / r['seconds']:>10,.0f} {r['seconds']:>9.1f} {r['peak_mb']:>8.1f} MB {r['peak_mb'] - base:>11.1f} MB")


if __name__ == "__main__":
    main()
