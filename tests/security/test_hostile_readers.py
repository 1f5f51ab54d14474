"""Every reader of user text meets every known bad input and gives one clear error.

The bad inputs (issue 14's list): an array nested 20,000 deep, bytes that
are not UTF-8, a 5,000-digit number, a lone surrogate, NaN and Infinity;
and one the fuzzers found: ``1e999``, a number no double holds.
The readers: execution inputs (file, text, ``run()``), JSON Lines and
GetExecutionHistory files, mock configs, definitions, ``local_aws.json``,
TestState members, the server's bodies and its ``input``/``output`` members,
``States.StringToJson``. Each must refuse with its own kind of error (a
``JsonTextError``, a diagnostic, an AWS error type, exit 2 and one line),
never with a traceback or an exception of another kind.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import CliRunner

import asl_engine
from asl_cli.main import cli
from asl_engine.embedded_aws import load_spec
from asl_engine.server import make_server
from asl_engine.service import Service

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

BAD: dict[str, bytes] = {
    "deep": ("[" * 20_000 + "]" * 20_000).encode(),
    "not-utf8": b'{"a": "\xff\xfe"}',
    "digits": ('{"a": ' + "1" * 5000 + "}").encode(),
    "surrogate": b'{"a": "\\ud800"}',
    "nan": b'{"a": NaN}',
    "infinity": b'{"a": [-Infinity]}',
    "overflow": b'{"a": 1e999}',  # Python reads it as inf, which prints as the invalid Infinity
}
TEXT_CASES = sorted(set(BAD) - {"not-utf8"})  # a reader of text (not of bytes) never sees undecodable bytes


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# -- the library's readers: (bad bytes, tmp_path) -> the error it raised -----------------------------


def _values(data: bytes, tmp_path: Path) -> None:
    asl_engine.parse_json_value(asl_engine.decode_text(data, "the text"), "the text")


def _json_lines(data: bytes, tmp_path: Path) -> None:
    # The bad line is not the last one (a torn last line is skipped by design).
    asl_engine.read_history(_write(tmp_path, "h.jsonl", data + b'\n{"type": "ExecutionStarted"}\n'))


def _mock_config(data: bytes, tmp_path: Path) -> None:
    asl_engine.load_mock_config(_write(tmp_path, "MockConfigFile.json", data))


def _local_aws(data: bytes, tmp_path: Path) -> None:
    _write(tmp_path, "local_aws.json", data)
    load_spec(_write(tmp_path, "m.asl.json", json.dumps(PASS).encode()))


LIBRARY: dict[str, tuple[Callable[[bytes, Path], None], type[Exception]]] = {
    "documents.values": (_values, asl_engine.JsonTextError),
    "read_history": (_json_lines, asl_engine.JsonTextError),
    "load_mock_config": (_mock_config, asl_engine.MockConfigError),
    "local_aws.json": (_local_aws, asl_engine.LocalAwsError),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("reader", sorted(LIBRARY))
def test_a_library_reader_refuses_with_its_own_error(reader: str, case: str, tmp_path: Path) -> None:
    function, error = LIBRARY[reader]
    with pytest.raises(error) as caught:
        function(BAD[case], tmp_path)
    assert "\n" not in str(caught.value).strip()


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_definition_file_is_a_diagnostic(case: str, tmp_path: Path) -> None:
    diagnostics = asl_engine.validate(_write(tmp_path, "bad.asl.json", BAD[case]))
    assert [d.severity for d in diagnostics] == ["ERROR"]
    assert diagnostics[0].code in ("INVALID_JSON_DESCRIPTION", "TOO_DEEPLY_NESTED")


@pytest.mark.parametrize("case", TEXT_CASES)
def test_a_test_state_input_is_a_validation_error(case: str) -> None:
    with pytest.raises(asl_engine.TestStateError) as caught:
        asl_engine.test_state(json.dumps(PASS), state_name="P", input=BAD[case].decode())
    assert caught.value.code == "ValidationException"


@pytest.mark.parametrize("case", TEXT_CASES)
def test_states_string_to_json_is_an_asl_error(case: str) -> None:
    machine = asl_engine.load({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}, "End": True}}})
    execution = machine.run({"s": BAD[case].decode()}, clock=asl_engine.VirtualClock())
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_run_refuses_an_input_nested_20000_deep() -> None:
    deep: Any = []
    for _ in range(20_000):
        deep = [deep]
    with pytest.raises(asl_engine.ExecutionInputError, match="nests arrays or objects too deeply"):
        asl_engine.load(PASS).run(deep, clock=asl_engine.VirtualClock())


@pytest.mark.parametrize("value", [float("nan"), {"a": [float("inf")]}, "\ud800"], ids=["nan", "infinity", "surrogate"])
def test_run_refuses_an_input_that_is_not_json(value: Any) -> None:
    with pytest.raises(asl_engine.ExecutionInputError, match="execution input holds"):
        asl_engine.load(PASS).run(value, clock=asl_engine.VirtualClock())


# -- the command line: exit 2 (3 for a definition) and one line -----------------------------------------


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


COMMANDS: dict[str, tuple[Callable[[str, str], list[str]], set[int]]] = {
    "run --input-file": (lambda bad, good: ["run", good, "--input-file", bad], {2}),
    "run --mock-config": (lambda bad, good: ["run", good, "--mock-config", bad, "--test-case", "T"], {2}),
    "replay": (lambda bad, good: ["replay", bad, "--definition", good], {2}),
    "graph --execution": (lambda bad, good: ["graph", good, "--execution", bad], {2}),
    "test-state": (lambda bad, good: ["test-state", bad, "--state", "P"], {2, 3}),
    "validate": (lambda bad, good: ["validate", bad], {3}),
    "run (definition)": (lambda bad, good: ["run", bad], {3}),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_reading_a_bad_file_exits_cleanly(command: str, case: str, tmp_path: Path) -> None:
    arguments, exit_codes = COMMANDS[command]  # 2: a usage error; 3: the definition is invalid
    good = _write(tmp_path, "good.asl.json", json.dumps(PASS).encode())
    code, stderr = _cli(*arguments(_write(tmp_path, "bad.json", BAD[case]), good))
    assert code in exit_codes, stderr
    assert "Traceback" not in stderr
    if code == 2:
        assert len(stderr.strip().splitlines()) == 1, stderr


# -- the server: AWS-shaped errors, and it keeps serving ---------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with Service(str(tmp_path_factory.mktemp("hostile") / "state.db"), skip_waits=True) as service:
        running = make_server(service, port=0).start()
        try:
            yield running
        finally:
            running.stop()


def _post(server: Any, operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
    host, port = server.url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port.rstrip("/")), timeout=10)
    try:
        connection.request("POST", "/", body, {"X-Amz-Target": f"AWSStepFunctions.{operation}",
                                               "Content-Type": "application/x-amz-json-1.0"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_request_body_is_a_serialization_exception(server: Any, case: str) -> None:
    status, answer = _post(server, "ListStateMachines", BAD[case])
    assert (status, answer["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize("case", TEXT_CASES)
def test_an_execution_input_and_a_task_output_are_aws_errors(server: Any, case: str) -> None:
    _post(server, "CreateStateMachine", json.dumps({
        "name": "hostile", "definition": json.dumps(PASS), "roleArn": "arn:aws:iam::123456789012:role/r"}).encode())
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:hostile"
    status, answer = _post(server, "StartExecution", json.dumps({"stateMachineArn": arn, "input": BAD[case].decode()}).encode())
    assert (status, answer["__type"]) == (400, "InvalidExecutionInput")
    status, answer = _post(server, "SendTaskSuccess", json.dumps({"taskToken": "t", "output": BAD[case].decode()}).encode())
    assert (status, answer["__type"]) == (400, "InvalidOutput")
    status, _ = _post(server, "ListStateMachines", b"{}")
    assert status == 200


def test_an_execution_input_over_256_kib_is_a_validation_exception(server: Any) -> None:
    _post(server, "CreateStateMachine", json.dumps({
        "name": "hostile", "definition": json.dumps(PASS), "roleArn": "arn:aws:iam::123456789012:role/r"}).encode())
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:hostile"
    big = json.dumps({"big": "x" * 256 * 1024})
    status, answer = _post(server, "StartExecution", json.dumps({"stateMachineArn": arn, "input": big}).encode())
    assert (status, answer["__type"]) == (400, "ValidationException")
    assert "Member must have size less than or equal to 262144 bytes in UTF-8 encoding" in answer["message"]
