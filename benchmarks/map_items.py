"""Peak memory of reading a distributed Map's JSONL items (not a timed test).

    PYTHONPATH=. python benchmarks/map_items.py [COUNT]

Measures, with tracemalloc, the peak allocated while ``read_items`` parses
COUNT JSON Lines items (default 100,000) from an in-memory object, with and
without ``MaxItems``, next to the size of the object's body. Measured
(100,000 items, a 3.6 MB body): 38 MB for all items, 0.4 MB with
``MaxItems`` 1000 (before lines were read one at a time: 47 MB both).
The body itself is still one string (``ObjectStore.get_object``).
"""

from __future__ import annotations

import sys
import tracemalloc

from asl_engine import InMemoryObjectStore
from asl_engine.model.states import ReaderConfig
from asl_engine.runtime.item_reader import read_items

GET = "arn:aws:states:::s3:getObject"


def peak(store: InMemoryObjectStore, max_items: int | None) -> tuple[int, int]:
    tracemalloc.start()
    items = read_items(GET, {"Bucket": "b", "Key": "items.jsonl"}, ReaderConfig(input_type="JSONL"), max_items, store)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(items), top


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    body = "".join(f'{{"id": {i}, "name": "item-{i}"}}\n' for i in range(count))
    store = InMemoryObjectStore({"b/items.jsonl": body})
    print(f"body: {len(body) / 1e6:.1f} MB, {count} lines")
    for max_items in (None, 1000):
        n, top = peak(store, max_items)
        print(f"MaxItems={max_items}: {n} items, peak {top / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
