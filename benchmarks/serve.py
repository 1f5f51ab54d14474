"""Service benchmarks: ``asl serve`` over HTTP, measured with boto3.

Run with ``make bench-serve`` (or ``python benchmarks/serve.py [--quick]``).

The server runs in a child process on 127.0.0.1 (a free port), so the client
threads do not share its GIL; the clients are boto3 ``stepfunctions`` clients
(one per thread, no retries). For each store mode (a SQLite file in a temp
directory, then ``":memory:"``):

  * 1,000 ``StartExecution`` of a 10-state Pass chain from 4 threads:
    requests/s, p50/p99 latency;
  * the time until all 1,000 are ``SUCCEEDED`` (``--skip-waits``; polled with
    ``ListExecutions statusFilter=RUNNING``), completed executions/s, history
    events written/s; none may be lost (all 1,000 ``SUCCEEDED`` or it fails);
  * 1,000 ``DescribeExecution`` from 4 threads: p50/p99 latency.

Then, with a raw HTTP/1.1 client (``http.client``, keep-alive, unsigned
JSON bodies made beforehand), what the server itself answers without
boto3's client-side cost (about 1 ms of CPU per call, in the same 2 cores):

  * 1,000 ``StartExecution`` of the chain from 4 threads (file db): requests/s,
    p50/p99, and completed executions/s;
  * 1,000 ``DescribeExecution`` from 4 threads while 100 executions of a
    500-iteration Choice/Pass loop run (each keeps the engine busy): p50/p99.

Peer: moto's server, from the peers' venv (``.bench-venv``, made from the
package registries by ``benchmarks/peers.py`` on first use). Its
Step Functions does not run the definition (an execution stays RUNNING), so
only its StartExecution/DescribeExecution latencies are compared (asl/peer).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLE = "arn:aws:iam::123456789012:role/StepFunctionsLocalRole"
THREADS = 4
DEADLINE = 60.0  # seconds a store mode may take to finish its executions


def pass_chain(n: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"S{i}"] = {
            "Type": "Pass",
            "Parameters": {"step": i, "value.$": "$.value"},
            "ResultPath": "$.last",
            **({"Next": f"S{i + 1}"} if i < n - 1 else {"End": True}),
        }
    return {"StartAt": "S0", "States": states}


# ------------------------------------------------------------ servers
def _child(kind: str, db: str) -> None:
    """Run a server in this (child) process; print its URL; stop at EOF on stdin."""
    if kind == "asl":
        from asl_engine.server import make_server
        from asl_engine.service import Service

        service = Service(db, skip_waits=True)
        server = make_server(service, port=0).start()
        print(server.url, flush=True)
        sys.stdin.read()
        server.stop()
        service.close()
    else:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        port = _free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        print(f"http://127.0.0.1:{port}", flush=True)
        sys.stdin.read()
        moto.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Child:
    """A server in a subprocess (killed on exit, and after 120 s whatever happens)."""

    def __init__(self, kind: str, db: str = ":memory:", python: str = sys.executable) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [python, __file__, "--child", kind, "--db", db],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.close()
            raise RuntimeError(f"{kind} server did not start")
        self._timer = threading.Timer(120.0, self.proc.kill)
        self._timer.daemon = True
        self._timer.start()

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        if hasattr(self, "_timer"):
            self._timer.cancel()

    def __enter__(self) -> "Child":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, inject_host_prefix=False, max_pool_connections=THREADS),
    )


# ------------------------------------------------------------ measuring
def fan_out(url: str, n: int, call: Callable[[Any, int], Any]) -> tuple[float, list[float], list[Any]]:
    """``call(client, i)`` for i < n from THREADS threads (one client each):
    wall seconds, per-call latencies (s), results in order."""
    clients = [client(url) for _ in range(THREADS)]
    results: list[Any] = [None] * n
    latencies: list[float] = [0.0] * n

    def work(t: int) -> None:
        c = clients[t]
        for i in range(t, n, THREADS):
            start = time.perf_counter()
            results[i] = call(c, i)
            latencies[i] = time.perf_counter() - start

    for c in clients:  # warm the connections and botocore's model
        c.list_state_machines(maxResults=1)
    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    return time.perf_counter() - start, latencies, results


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def bench_asl(db: str, n: int, states: int) -> dict[str, Any]:
    with Child("asl", db) as server:
        c = client(server.url)
        arn = c.create_state_machine(name="chain", definition=json.dumps(pass_chain(states)), roleArn=ROLE)["stateMachineArn"]
        doc = json.dumps({"value": 42})
        t0 = time.perf_counter()
        wall, start_lat, starts = fan_out(
            server.url, n, lambda cl, i: cl.start_execution(stateMachineArn=arn, name=f"e{i}", input=doc)["executionArn"]
        )
        # all started: poll until none is RUNNING
        while True:
            running = c.list_executions(stateMachineArn=arn, statusFilter="RUNNING", maxResults=1)["executions"]
            if not running:
                break
            if time.perf_counter() - t0 > DEADLINE:
                raise SystemExit(f"asl ({db}): executions still RUNNING after {DEADLINE:.0f} s")
            time.sleep(0.02)
        done = time.perf_counter() - t0
        succeeded = sum(
            len(page["executions"])
            for page in c.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="SUCCEEDED")
        )
        if succeeded != n:
            raise SystemExit(f"asl ({db}): {succeeded} of {n} executions SUCCEEDED (lost some)")
        events = len(c.get_execution_history(executionArn=starts[0], maxResults=1000)["events"])
        dwall, desc_lat, described = fan_out(server.url, n, lambda cl, i: cl.describe_execution(executionArn=starts[i])["status"])
        assert all(s == "SUCCEEDED" for s in described)
    return {
        "start_rps": n / wall, "start_p50": pct(start_lat, 50), "start_p99": pct(start_lat, 99),
        "describe_rps": n / dwall, "describe_p50": pct(desc_lat, 50), "describe_p99": pct(desc_lat, 99),
        "done_s": done, "exec_per_s": n / done, "events_per_exec": events, "events_per_s": events * n / done,
        "transitions_per_s": states * n / done,
    }


class RawClient:
    """Keep-alive HTTP/1.1 connections sending prepared AWS JSON 1.0 calls (no signing)."""

    def __init__(self, url: str) -> None:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80

    def fan_out(self, bodies: list[tuple[str, bytes]]) -> tuple[float, list[float], list[Any]]:
        """Send ``(operation, body)`` pairs from THREADS threads: wall s, latencies, decoded answers."""
        import http.client

        results: list[Any] = [None] * len(bodies)
        latencies: list[float] = [0.0] * len(bodies)

        def work(t: int) -> None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            for i in range(t, len(bodies), THREADS):
                operation, body = bodies[i]
                start = time.perf_counter()
                conn.request("POST", "/", body, {"X-Amz-Target": f"AWSStepFunctions.{operation}",
                                                 "Content-Type": "application/x-amz-json-1.0"})
                answer = conn.getresponse()
                data = answer.read()
                latencies[i] = time.perf_counter() - start
                if answer.status != 200:
                    raise SystemExit(f"{operation}: HTTP {answer.status}: {data[:200]!r}")
                results[i] = json.loads(data)
            conn.close()

        start = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, range(THREADS)))
        return time.perf_counter() - start, latencies, results


def choice_loop(iterations: int) -> dict[str, Any]:
    return {"StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": iterations, "Next": "Step"}],
                  "Default": "Done"},
        "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Done": {"Type": "Succeed"}}}


def bench_raw(db: str, n: int, states: int) -> dict[str, Any]:
    with Child("asl", db) as server:
        c = client(server.url)
        raw = RawClient(server.url)
        arn = c.create_state_machine(name="chain", definition=json.dumps(pass_chain(states)), roleArn=ROLE)["stateMachineArn"]
        bodies = [("StartExecution", json.dumps({"stateMachineArn": arn, "name": f"r{i}", "input": '{"value": 42}'}).encode())
                  for i in range(n)]
        t0 = time.perf_counter()
        wall, start_lat, _ = raw.fan_out(bodies)
        while c.list_executions(stateMachineArn=arn, statusFilter="RUNNING", maxResults=1)["executions"]:
            if time.perf_counter() - t0 > DEADLINE:
                raise SystemExit(f"asl raw ({db}): executions still RUNNING after {DEADLINE:.0f} s")
            time.sleep(0.02)
        done = time.perf_counter() - t0
        busy = c.create_state_machine(name="busy", definition=json.dumps(choice_loop(500)), roleArn=ROLE)["stateMachineArn"]
        running = [c.start_execution(stateMachineArn=busy, name=f"b{i}", input='{"i": 0}')["executionArn"] for i in range(100)]
        describe = [("DescribeExecution", json.dumps({"executionArn": running[i % 100]}).encode()) for i in range(n)]
        dwall, desc_lat, described = raw.fan_out(describe)
        still = sum(1 for answer in described if answer["status"] == "RUNNING")
    return {"start_rps": n / wall, "start_p50": pct(start_lat, 50), "start_p99": pct(start_lat, 99),
            "done_s": done, "exec_per_s": n / done, "describe_rps": n / dwall,
            "describe_p50": pct(desc_lat, 50), "describe_p99": pct(desc_lat, 99), "running_seen": still / n}


def bench_moto(n: int, states: int) -> dict[str, Any] | str:
    """moto's server, run by the peers' venv (``benchmarks/peers.py`` makes it)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from peers import peer_python

    python, why = peer_python()
    if python is None:
        return f"moto[server] not installed: {why}"
    with Child("moto", python=str(python)) as server:
        c = client(server.url)
        arn = c.create_state_machine(name="chain", definition=json.dumps(pass_chain(states)), roleArn=ROLE)["stateMachineArn"]
        doc = json.dumps({"value": 42})
        wall, start_lat, starts = fan_out(
            server.url, n, lambda cl, i: cl.start_execution(stateMachineArn=arn, name=f"e{i}", input=doc)["executionArn"]
        )
        dwall, desc_lat, _ = fan_out(server.url, n, lambda cl, i: cl.describe_execution(executionArn=starts[i])["status"])
    return {
        "start_rps": n / wall, "start_p50": pct(start_lat, 50), "start_p99": pct(start_lat, 99),
        "describe_rps": n / dwall, "describe_p50": pct(desc_lat, 50), "describe_p99": pct(desc_lat, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 executions instead of 1,000 (smoke run)")
    parser.add_argument("--no-peer", action="store_true", help="skip moto's server")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", default=":memory:", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.db)
        return
    n, states = (100 if args.quick else 1000), 10
    began = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="asl-bench-") as tmp:
        results["asl, file db"] = bench_asl(str(Path(tmp) / "state.db"), n, states)
        raw = bench_raw(str(Path(tmp) / "raw.db"), n, states)
    results["asl, :memory:"] = bench_asl(":memory:", n, states)
    peer = "skipped (--no-peer)" if args.no_peer else bench_moto(n, states)
    if isinstance(peer, dict):
        results["moto server"] = peer

    ms = 1000.0
    print(f"{n:,} executions of a {states}-state Pass chain, {THREADS} client threads, server in a child process")
    print(f"{'server':15} {'start/s':>8} {'start p50':>9} {'p99 ms':>7} {'desc/s':>8} {'desc p50':>8} {'p99 ms':>7}"
          f" {'all done s':>10} {'exec/s':>7} {'events/s':>9}")
    for label, r in results.items():
        tail = (f" {r['done_s']:>10.2f} {r['exec_per_s']:>7,.0f} {r['events_per_s']:>9,.0f}" if "done_s" in r
                else f" {'(does not run the machine)':>28}")
        print(f"{label:15} {r['start_rps']:>8,.0f} {r['start_p50'] * ms:>9.2f} {r['start_p99'] * ms:>7.2f}"
              f" {r['describe_rps']:>8,.0f} {r['describe_p50'] * ms:>8.2f} {r['describe_p99'] * ms:>7.2f}" + tail)
    file_r, mem_r = results["asl, file db"], results["asl, :memory:"]
    events = file_r["events_per_exec"]
    print(f"all {n:,} SUCCEEDED in both modes ({events} history events each); "
          f"file db vs :memory: completion time {file_r['done_s'] / mem_r['done_s']:.2f}x, "
          f"SQLite file cost per event ~{(file_r['done_s'] - mem_r['done_s']) / (events * n) * 1e6:.0f} us")
    if isinstance(peer, dict):
        for label in ("asl, file db", "asl, :memory:"):
            r = results[label]
            print(f"{label} / moto: start/s {r['start_rps'] / peer['start_rps']:.2f}x, "
                  f"start p50 {r['start_p50'] / peer['start_p50']:.2f}x, "
                  f"describe/s {r['describe_rps'] / peer['describe_rps']:.2f}x, "
                  f"describe p50 {r['describe_p50'] / peer['describe_p50']:.2f}x")
    else:
        print(f"peer: {peer}")
    print(f"raw HTTP client, file db: StartExecution {raw['start_rps']:,.0f}/s (p50 {raw['start_p50'] * ms:.2f} ms, "
          f"p99 {raw['start_p99'] * ms:.2f} ms), all {n:,} done in {raw['done_s']:.2f} s = {raw['exec_per_s']:,.0f} exec/s; "
          f"DescribeExecution with 100 busy executions running: {raw['describe_rps']:,.0f}/s, "
          f"p50 {raw['describe_p50'] * ms:.2f} ms, p99 {raw['describe_p99'] * ms:.2f} ms "
          f"({raw['running_seen']:.0%} of the answers said RUNNING)")
    print(f"total {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
