"""One engine, one workload, one fresh process: ``python child.py ENGINE WORKLOAD``.

Imports the engine, loads the workload's definition, runs it once on its
input, checks the output equals the expected one, and prints one JSON line:
``{"ok", "import_s", "load_s", "run_s", "reason"}``. The parent
(benchmarks/run.py) times the whole process and reads its peak RSS.

Engines: ``asl`` (this project, run by the project's venv), ``lwe``
(local-workflow-engine) and ``moto`` (moto's Step Functions with
``execute_state_machine``), both run by the peers' venv ``.bench-venv``.
Only the standard library is imported here besides the engine.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402
from handlers import HANDLERS  # noqa: E402

Runner = Callable[[dict[str, Any], Any], Any]


class Unsupported(Exception):
    """The engine cannot run this workload (the reason is reported as "-")."""


def setup_asl(workload: dict[str, Any]) -> Callable[[], Any]:
    sys.path.insert(0, str(HERE.parent))
    import asl_engine

    machine = asl_engine.load(workload["definition"])
    handlers = {name: HANDLERS[name] for name in workload["handlers"]}

    def run() -> Any:
        execution = machine.run(workload["input"], handlers=handlers, quotas=False)
        if execution.status != "SUCCEEDED":
            raise RuntimeError(f"{execution.status}: {execution.error}: {execution.cause}")
        return execution.output

    return run


def setup_lwe(workload: dict[str, Any]) -> Callable[[], Any]:
    """local-workflow-engine's StateEngine with its messaging stubbed, as its
    own tests do (test/test_simple_state_machine.py): an event dispatcher
    that feeds each published state event back to ``notify`` (here from a
    queue, not recursively, so a 10,000-iteration loop does not overflow the
    stack), and ``task_dispatcher.execute_task`` replaced by a call to the
    local handler named by the Resource ARN (its own mechanism sends the
    Task to an AMQP queue). The output is the ``ExecutionSucceeded``
    notification's ``detail.output``."""
    import logging
    import os
    import tempfile

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from asl_workflow_engine import state_engine
    from asl_workflow_engine.state_engine import StateEngine

    # AWS's 25,000-event history quota, lifted as asl's is (quotas=False):
    # the loops record more events than a Standard execution may.
    state_engine.MAX_EXECUTION_HISTORY_LENGTH = 2**62  # type: ignore[attr-defined]

    logging.disable(logging.WARNING)  # its per-execution INFO lines are not the engine's work
    store = os.path.join(tempfile.mkdtemp(prefix="lwe-"), "ASL_store.json")
    engine = StateEngine({"state_engine": {"store_url": store, "execution_ttl": 500}})
    pending: deque[Callable[[], None]] = deque()
    outcome: dict[str, Any] = {}

    class Dispatcher:
        def __init__(self) -> None:
            self.count = 0
            engine.event_dispatcher = self

        def publish(self, event: dict[str, Any]) -> None:
            message = json.dumps(event)  # as the real dispatcher serialises it
            self.count += 1
            count = self.count
            pending.append(lambda: engine.notify(json.loads(message), count))

        def set_timeout(self, callback: Callable[[], None], delay: float) -> None:
            if delay:
                raise Unsupported("a timed delay (Wait or Retry) in the workload")
            pending.append(callback)

        def acknowledge(self, id: Any) -> None:
            pass

        def broadcast(self, subject: str, message: dict[str, Any], carrier_properties: Any = None) -> None:
            detail = message["detail"]
            if detail["status"] != "RUNNING":
                outcome.update(detail)

    def execute_task(resource_arn: str, parameters: Any, callback: Callable[[Any], None], timeout: Any, context: Any) -> None:
        callback(HANDLERS[resource_arn.rsplit(":", 1)[-1]](parameters))

    engine.task_dispatcher.execute_task = execute_task
    dispatcher = Dispatcher()
    arn = "arn:aws:states:local:123456789012:stateMachine:bench"
    definition = workload["definition"]

    def run() -> Any:
        outcome.clear()
        dispatcher.publish({"data": workload["input"], "context": {"StateMachine": {"Id": arn, "Definition": definition}}})
        while pending:
            pending.popleft()()
        if outcome.get("status") != "SUCCEEDED":
            raise RuntimeError(f"execution {outcome.get('status', 'did not end')}")
        return json.loads(outcome["output"])

    return run


def setup_moto(workload: dict[str, Any]) -> Callable[[], Any]:
    """moto's Step Functions with ``execute_state_machine`` (its ASL
    interpreter, derived from LocalStack's), in process through boto3:
    CreateStateMachine, StartExecution, DescribeExecution until it ends."""
    if workload["handlers"]:
        raise Unsupported("no local handlers: a Lambda Task invokes moto's Lambda, which needs Docker")
    import os

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ.setdefault(key, value)
    import boto3
    from moto import mock_aws

    mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
    mock.start()
    client = boto3.client("stepfunctions", region_name="us-east-1")
    arn = client.create_state_machine(
        name="bench", definition=json.dumps(workload["definition"]), roleArn="arn:aws:iam::123456789012:role/bench"
    )["stateMachineArn"]

    def run() -> Any:
        execution = client.start_execution(stateMachineArn=arn, input=json.dumps(workload["input"]))["executionArn"]
        while True:
            described = client.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                break
            time.sleep(0.001)
        if described["status"] != "SUCCEEDED":
            raise RuntimeError(f"{described['status']}: {described.get('error')}: {described.get('cause')}")
        return json.loads(described["output"])

    return run


SETUPS = {"asl": setup_asl, "lwe": setup_lwe, "moto": setup_moto}


def main() -> None:
    engine, name = sys.argv[1], sys.argv[2]
    workload = workloads.load(name)
    report: dict[str, Any] = {"ok": False, "reason": ""}
    try:
        start = time.perf_counter()
        run = SETUPS[engine](workload)  # the import happens inside: setup = import + load
        loaded = time.perf_counter()
        output = run()
        report["run_s"] = time.perf_counter() - loaded
        report["load_s"] = loaded - start
        if output == workload["expected"]:
            report["ok"] = True
        else:
            report["reason"] = "wrong output: " + json.dumps(output)[:120]
    except Unsupported as e:
        report["reason"] = str(e)
    except Exception as e:  # a peer failing is a result to report, not a crash
        report["reason"] = f"{type(e).__name__}: {e}"[:200]
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
