"""After a full run of ``asl serve --auth sigv4``, the secrets are nowhere it writes, logs or answers.

A real ``asl serve`` process (127.0.0.1, a free port, ``--log-requests``)
gets its keys from a file and from the environment (never its command
line, which ``ps`` shows), serves executions that succeed and fail, a
TestState call, refused requests of every kind and the console's pages;
then every byte of its database, its log and its answers is searched for
the secrets.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import botocore.exceptions

from .conftest import KEY_ID, ROLE, SECRET, api, client_of, raw

ENV_KEY, ENV_SECRET = "AKIDFROMENV", "env-Secret-9xQ2mV7pLw"
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it failed"}}}
PASSING = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Served:
    """``asl serve`` in a process; its stderr collected line by line."""

    def __init__(self, tmp: Path, port: int) -> None:
        keyfile = tmp / "keys.txt"
        keyfile.write_text(f"# test keys\n{KEY_ID}:{SECRET}\n")
        env = dict(os.environ, ASL_SERVE_ACCESS_KEYS=f"{ENV_KEY}:{ENV_SECRET}")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "asl_cli.main", "serve", "--db", str(tmp / "state.db"), "--port", str(port),
             "--auth", "sigv4", "--access-key-file", str(keyfile), "--log-requests", "--skip-waits"],
            cwd=tmp, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        self.lines: list[bytes] = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        assert self._ready.wait(20), b"".join(self.lines)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if b"console" in line:
                self._ready.set()
        self._ready.set()

    def stop(self) -> bytes:
        self.proc.send_signal(signal.SIGTERM)
        stdout, _ = self.proc.communicate(timeout=20)
        self._reader.join(10)
        return stdout + b"".join(self.lines)


def test_no_secret_is_kept_logged_or_answered(tmp_path: Path) -> None:
    port = _free_port()
    served = _Served(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    answers: list[bytes] = []
    try:
        with open(f"/proc/{served.proc.pid}/cmdline", "rb") as cmdline:
            assert SECRET.encode() not in cmdline.read()
        sfn = client_of(url)
        sfn.meta.events.register("after-call.*", lambda http_response, **_: answers.append(http_response.content))
        passing = sfn.create_state_machine(name="passing", definition=json.dumps(PASSING), roleArn=ROLE)["stateMachineArn"]
        failing = sfn.create_state_machine(name="failing", definition=json.dumps(FAILING), roleArn=ROLE)["stateMachineArn"]
        runs = [sfn.start_execution(stateMachineArn=arn, input=json.dumps({"n": 1}))["executionArn"] for arn in (passing, failing)]
        deadline = time.monotonic() + 10
        while {sfn.describe_execution(executionArn=arn)["status"] for arn in runs} & {"RUNNING"} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [sfn.describe_execution(executionArn=arn)["status"] for arn in runs] == ["SUCCEEDED", "FAILED"]
        for arn in runs:
            sfn.get_execution_history(executionArn=arn)
        sfn.test_state(definition=json.dumps({"Type": "Pass", "End": True}), input="{}", inspectionLevel="TRACE", revealSecrets=True)
        env_client = client_of(url, ENV_KEY, ENV_SECRET)
        env_client.meta.events.register("after-call.*", lambda http_response, **_: answers.append(http_response.content))
        env_client.list_state_machines()
        refused = [
            lambda: sfn.describe_execution(executionArn=passing.replace(":stateMachine:", ":execution:") + ":nope"),
            lambda: sfn.test_state(definition='{"Type": "Pass", "End": true}', mock={"result": "{}"}, revealSecrets=True),
            lambda: sfn.start_execution(stateMachineArn=passing, input="{not json"),
        ]
        for key_id, secret in ((KEY_ID, "wrong"), ("AKIDNOBODY", SECRET), (ENV_KEY, SECRET)):
            bad = client_of(url, key_id, secret)
            bad.meta.events.register("after-call.*", lambda http_response, **_: answers.append(http_response.content))
            refused.append(bad.list_state_machines)
        for call in refused:
            try:
                call()
            except botocore.exceptions.ClientError:
                pass
            else:
                raise AssertionError("a refused call was served")
        answers.append(json.dumps(api(url, "ListStateMachines")[1]).encode())
        notice = next(line for line in served.lines if b"console-token=" in line).decode()
        status, _, headers = raw(url, "GET", "/?console-token=" + notice.rsplit("console-token=", 1)[1].strip())
        assert status == 303
        cookie = {"Cookie": headers["set-cookie"].split(";")[0]}
        for path in ("/", *(f"/execution?arn={quote(arn, safe='')}" for arn in runs)):
            status, page, _ = raw(url, "GET", path, cookie)
            assert status == 200
            answers.append(page.encode())
    finally:
        logged = served.stop()
    assert b"POST / HTTP/1.1" in logged and b"console-token=***" in logged  # the access log was on
    kept = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file() and path.name != "keys.txt")
    assert b"passing" in kept and b"Custom.Error" in kept  # the database holds the run
    everything = kept + logged + b"".join(answers)
    assert len(answers) > 15
    for secret in (SECRET, ENV_SECRET):
        for form in (secret.encode(), secret.encode("utf-16-le"), quote(secret).encode()):
            assert form not in everything, f"a secret was found: {secret!r}"
