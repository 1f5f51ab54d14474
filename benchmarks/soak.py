"""Soak: ``asl serve`` under a steady mix of requests for N minutes.

Run with ``make bench-soak`` (or ``python benchmarks/soak.py [--minutes 1]``).

The server runs in a child process on 127.0.0.1 (a free port) with a
temporary ``--db``. Three state machines are registered: a 5-state Pass chain,
a ``.waitForTaskToken`` Lambda task (its handler only takes the token) and a
2-second Wait. Client threads (boto3, one client each, no retries) then loop,
bounded by ``--minutes`` and ``--max-requests``, over: StartExecution (of the
three), DescribeExecution, GetExecutionHistory (a callback execution's, to
read its token from ``TaskScheduled``), SendTaskSuccess with that token, and
StopExecution of a waiting execution. At the end every callback still open is
answered and the executions are let finish.

Reported: requests/s, p50/p99 latency per operation, errors (by operation and
error code), executions finished, and the server's RSS (``VmRSS`` of
``/proc/<pid>/status``) at the start and the end, with its growth per 1,000
finished executions beside the database's (the stored data): memory must not
grow with finished executions beyond what the store keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsLocalRole"

CHAIN = {"StartAt": "S0", "States": {
    f"S{i}": {"Type": "Pass", "Parameters": {"step": i, "value.$": "$.value"}, **({"Next": f"S{i + 1}"} if i < 4 else {"End": True})}
    for i in range(5)}}
CALLBACK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
    "TimeoutSeconds": 600, "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}
HANDLER = "def ask(event):\n    return {'StatusCode': 202}  # the client answers the token it reads in the history\n"

# Operations a client thread picks from, with their weights.
MIX = (("start_chain", 3), ("start_callback", 2), ("start_wait", 1), ("describe", 4), ("history", 2),
       ("send_task_success", 2), ("stop", 1))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    """The resident set size of process ``pid`` in KiB (``VmRSS``; 0 if unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _db_kib(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) // 1024


def _client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=30, connect_timeout=5))


def _serve(workdir: Path, port: int) -> subprocess.Popen[str]:
    (workdir / "soak_handlers.py").write_text(HANDLER)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "asl_cli.main", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", str(workdir / "state.db"), "--handler", "ask=soak_handlers:ask"],
        cwd=workdir, env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    for line in proc.stderr:
        if "listening on" in line:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("soak: asl serve did not start")
    # Keep reading stderr so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr or ()], daemon=True).start()
    return proc


class Soak:
    """The shared state of the client threads: what they started, what they measured."""

    def __init__(self, url: str, machines: dict[str, str], deadline: float, max_requests: int, seed: int) -> None:
        self.url, self.machines, self.deadline, self.max_requests = url, machines, deadline, max_requests
        self.lock = threading.Lock()
        self.requests = 0
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.started: list[str] = []  # every execution, for DescribeExecution
        self.callbacks: list[str] = []  # callback executions not yet answered
        self.waiting: list[str] = []  # Wait executions, for StopExecution
        self.seed = seed

    def _take(self) -> bool:
        with self.lock:
            if self.requests >= self.max_requests or time.monotonic() >= self.deadline:
                return False
            self.requests += 1
            return True

    def timed(self, operation: str, call: Any, **request: Any) -> Any:
        began = time.perf_counter()
        try:
            return call(**request)
        except Exception as exc:  # noqa: BLE001 - a soak counts every failure, by name
            code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
            with self.lock:
                self.errors[f"{operation}: {code}"] += 1
            return None
        finally:
            with self.lock:
                self.latency[operation].append(time.perf_counter() - began)

    def run_client(self, index: int) -> None:
        sfn = _client(self.url)
        rng = random.Random(self.seed + index)
        names, weights = zip(*MIX)
        while self._take():
            getattr(self, "_" + rng.choices(names, weights)[0])(sfn, rng)

    # ------------------------------------------------------------ operations
    def _start(self, sfn: Any, machine: str, into: list[str] | None) -> None:
        answer = self.timed("StartExecution", sfn.start_execution, stateMachineArn=self.machines[machine],
                            input=json.dumps({"value": 1}))
        if answer is not None:
            with self.lock:
                self.started.append(answer["executionArn"])
                if into is not None:
                    into.append(answer["executionArn"])

    def _start_chain(self, sfn: Any, rng: random.Random) -> None:
        self._start(sfn, "chain", None)

    def _start_callback(self, sfn: Any, rng: random.Random) -> None:
        self._start(sfn, "callback", self.callbacks)

    def _start_wait(self, sfn: Any, rng: random.Random) -> None:
        self._start(sfn, "wait", self.waiting)

    def _describe(self, sfn: Any, rng: random.Random) -> None:
        with self.lock:
            arn = rng.choice(self.started) if self.started else None
        if arn is not None:
            self.timed("DescribeExecution", sfn.describe_execution, executionArn=arn)

    def _history(self, sfn: Any, rng: random.Random) -> None:
        with self.lock:
            arn = rng.choice(self.started[-200:]) if self.started else None
        if arn is not None:
            self.timed("GetExecutionHistory", sfn.get_execution_history, executionArn=arn, maxResults=100)

    def _send_task_success(self, sfn: Any, rng: random.Random) -> None:
        with self.lock:
            arn = self.callbacks.pop(0) if self.callbacks else None
        if arn is not None and not self.answer(sfn, arn):
            with self.lock:
                self.callbacks.append(arn)  # its task has not asked yet: later

    def answer(self, sfn: Any, arn: str) -> bool:
        """Read the token from ``arn``'s history and answer it; False if it has none yet."""
        page = self.timed("GetExecutionHistory", sfn.get_execution_history, executionArn=arn, maxResults=20)
        for event in (page or {}).get("events", []):
            if event["type"] == "TaskScheduled" and any(e["type"] == "TaskSubmitted" for e in page["events"]):
                token = json.loads(event["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
                self.timed("SendTaskSuccess", sfn.send_task_success, taskToken=token, output='{"ok": true}')
                return True
        return False

    def _stop(self, sfn: Any, rng: random.Random) -> None:
        with self.lock:
            arn = self.waiting.pop() if self.waiting else None
        if arn is not None:
            self.timed("StopExecution", sfn.stop_execution, executionArn=arn, cause="soak")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _finished(sfn: Any, machines: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for arn in machines.values():
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for item in page["executions"]:
                counts[item["status"]] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="How long the mix runs (default 1).")
    parser.add_argument("--threads", type=int, default=4, help="Client threads (default 4).")
    parser.add_argument("--max-requests", type=int, default=200_000, help="A bound on the requests (default 200,000).")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="asl-soak-") as tmp:
        workdir = Path(tmp)
        port = _free_port()
        server = _serve(workdir, port)
        try:
            url = f"http://127.0.0.1:{port}"
            sfn = _client(url)
            machines = {name: sfn.create_state_machine(name=name, definition=json.dumps(body), roleArn=ROLE)["stateMachineArn"]
                        for name, body in (("chain", CHAIN), ("callback", CALLBACK), ("wait", WAIT))}
            rss_start, db_start = rss_kib(server.pid), _db_kib(workdir / "state.db")
            soak = Soak(url, machines, time.monotonic() + args.minutes * 60, args.max_requests, args.seed)
            began = time.monotonic()
            threads = [threading.Thread(target=soak.run_client, args=(i,)) for i in range(args.threads)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            # Answer every callback still open, then let the Waits end (bounded).
            for arn in list(soak.callbacks):
                for _ in range(50):
                    if soak.answer(sfn, arn):
                        break
                    time.sleep(0.1)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _finished(sfn, machines).get("RUNNING", 0):
                time.sleep(0.5)
            counts = _finished(sfn, machines)
            rss_end, db_end = rss_kib(server.pid), _db_kib(workdir / "state.db")
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)

    done = sum(n for status, n in counts.items() if status != "RUNNING")
    print(f"asl serve soak: {args.minutes:g} min, {args.threads} client threads, {soak.requests} requests "
          f"in {elapsed:.1f} s = {soak.requests / elapsed:.0f} requests/s")
    print(f"{'operation':<22}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for operation, values in sorted(soak.latency.items()):
        print(f"{operation:<22}{len(values):>8}{_percentile(values, 0.5) * 1000:>10.1f}{_percentile(values, 0.99) * 1000:>10.1f}")
    print(f"errors: {sum(soak.errors.values())}" + "".join(f"\n  {name}: {n}" for name, n in sorted(soak.errors.items())))
    print("executions: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    per_k = 1000 / done if done else 0.0
    print(f"server RSS: {rss_start / 1024:.1f} MiB at start, {rss_end / 1024:.1f} MiB at end; "
          f"growth {(rss_end - rss_start) * per_k / 1024:.2f} MiB per 1,000 finished executions "
          f"(stored data: {(db_end - db_start) * per_k / 1024:.2f} MiB per 1,000 in the database)")
    if soak.errors or counts.get("RUNNING"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
