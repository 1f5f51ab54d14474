"""The AWS-recorded conformance corpus replayed *through the server*, with boto3.

Each case of ``shared/conformance/localstack`` (see ``tests/conformance``) is
created with ``CreateStateMachine`` (its recorded type), started with
``StartExecution`` (its recorded input), polled with ``DescribeExecution``
until it is no longer ``RUNNING``, and its history read page by page with the
``GetExecutionHistory`` paginator. The result is judged by the very code that
judges a direct engine run (``runner.compare_execution``: status, output,
error, cause, history). The mocks are the case's recorded task results
(``runner.build_mocks``), given to the service as its ``options`` before each
start (the service reads ``service.options`` when an execution starts), with
account 111111111111 and virtual waits.

A definition the service refuses (``InvalidDefinition``) although the engine
runs it counts as a mismatch. The test asserts that the server gives AWS's
result for (nearly) as many cases as the engine run directly does, so that a
regression of the server path (encoding, events, status) shows.
Run with ``-s`` for the numbers and the first mismatches.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from asl_engine import RunOptions
from asl_engine.server import make_server
from asl_engine.service import Service

from conformance.corpus import Case, corpus_missing_reason, load_cases
from conformance.runner import (
    ACCOUNT,
    CaseResult,
    Problem,
    build_mocks,
    compare_execution,
    definition_for_engine,
    object_store_for,
    run_case,
)
from .conftest import client_of

MISSING = corpus_missing_reason()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=MISSING or "")

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsLocalRole"
#: Wall-clock seconds one execution may stay RUNNING before it counts as hanging.
CASE_TIMEOUT = 3.0
#: The server must match at least this share of what the engine matches directly.
MARGIN = 0.95
SHOW = 25


def _skip_reason(case: Case) -> str | None:
    """Why the server path cannot give this case what the direct run gets."""
    return None  # mocks and object_store go in RunOptions; nothing needs skipping yet


@pytest.fixture(scope="module")
def replay_server() -> Iterator[tuple[Service, Any]]:
    service = Service(":memory:", options=RunOptions(account=ACCOUNT), skip_waits=True)
    server = make_server(service, port=0).start()
    try:
        yield service, client_of(server.url)
    finally:
        server.stop()
        service.close()


def _wait(service: Service, sfn: Any, arn: str) -> dict[str, Any]:
    service.runner.wait(arn, CASE_TIMEOUT)
    described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
    return described


def replay(service: Service, sfn: Any, case: Case, index: int) -> CaseResult:
    """Run *case* through the server and judge it as ``runner.run_case`` does."""
    result = CaseResult(case)
    started = time.perf_counter()
    service.options = RunOptions(
        account=ACCOUNT, mocks=build_mocks(case, result.harness_log), object_store=object_store_for(case))
    try:
        try:
            machine = sfn.create_state_machine(
                name=f"case{index}", definition=json.dumps(definition_for_engine(case.definition)),
                roleArn=ROLE, type=case.state_machine_type)["stateMachineArn"]
        except ClientError as exc:
            error = exc.response["Error"]
            result.problems.append(Problem(
                "definition", f"CreateStateMachine refused: {error.get('Code')}: {str(error.get('Message'))[:200]}"))
            return result
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(copy.deepcopy(case.input)))["executionArn"]
        described = _wait(service, sfn, arn)
        if described["status"] == "RUNNING":
            sfn.stop_execution(executionArn=arn)
            result.problems.append(Problem("engine", f"still RUNNING after {CASE_TIMEOUT} s"))
            return result
        pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        events = [event for page in pages for event in page["events"]]
        output = described.get("output")
        execution = SimpleNamespace(
            status=described["status"],
            output=json.loads(output) if output is not None else None,
            error=described.get("error"),
            cause=described.get("cause"),
            history=events,
        )
        result.execution = execution
        compare_execution(case, execution, result)
    except Exception as exc:  # noqa: BLE001 - a server crash is a finding
        result.problems.append(Problem("harness", f"{type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        result.seconds = time.perf_counter() - started
    return result


def test_conformance_replay_through_server(replay_server: tuple[Service, Any]) -> None:
    service, sfn = replay_server
    cases = load_cases()
    started = time.perf_counter()
    skipped: Counter[str] = Counter()
    judged: list[tuple[CaseResult, bool]] = []  # (through the server, direct engine run passed)
    for index, case in enumerate(cases):
        reason = _skip_reason(case)
        if reason:
            skipped[reason] += 1
            continue
        judged.append((replay(service, sfn, case, index), run_case(case).passed))
    seconds = time.perf_counter() - started

    total = len(judged)
    matched = sum(r.passed for r, _ in judged)
    engine_matched = sum(direct for _, direct in judged)
    server_only = [r for r, direct in judged if direct and not r.passed]
    kinds = Counter(p.what for r in server_only for p in r.problems[:1])
    lines = [
        f"conformance replay through the server: {matched}/{total} matched AWS "
        f"(direct engine: {engine_matched}/{total}); skipped {sum(skipped.values())}; {seconds:.1f} s",
    ]
    lines += [f"  skipped {n}: {reason}" for reason, n in skipped.items()]
    if server_only:
        lines.append(f"  failing through the server only: {len(server_only)} ({dict(kinds)}); first {SHOW}:")
        lines += [f"    {r.case.short_id}: {r.reason[:300]}" for r in server_only[:SHOW]]
    report = "\n".join(lines)
    print("\n" + report)
    assert matched >= MARGIN * engine_matched, report
