"""Real ``asl`` processes for the fault tests: a free 127.0.0.1 port, bounded waits."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROLE = "arn:aws:iam::123456789012:role/r"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def asl(*args: str, cwd: Path, **kwargs: Any) -> subprocess.Popen[str]:
    """``asl ARGS`` in a subprocess (stdout and stderr as text pipes)."""
    return subprocess.Popen([sys.executable, "-m", "asl_cli.main", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def serve(tmp: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    """``asl serve`` on ``tmp/state.db``, returned once it listens."""
    proc = asl("serve", "--db", str(tmp / "state.db"), "--port", str(port), *extra, cwd=tmp)
    assert proc.stderr is not None
    deadline = time.monotonic() + 20
    for line in proc.stderr:
        if "listening on" in line or time.monotonic() > deadline:
            break
    return proc


def until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "the condition") -> Any:
    """Poll ``predicate`` (every 50 ms) until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def client_of(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False, read_timeout=10, connect_timeout=5),
    )
