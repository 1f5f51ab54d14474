"""Mock files, histories, input files and ``local_aws.json`` are data: nothing in them is imported.

A mocked response or a recorded task result that spells a module function
comes back as that string; a pickle or a jsonpickle-style object is not JSON
(or is only an object with odd keys); a ``local_aws.json`` that names
handlers registers none.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

import asl_engine
from asl_engine.testing.replay import replay

from .test_code_routes_definitions import LAMBDA_ARN, asl, task, write
from .traps import Trap, trap  # noqa: F401  (the fixture)


def _machine(t: Trap) -> dict[str, Any]:
    return task(f"{LAMBDA_ARN}work", {"cmd": t.shell})


def _mock_config(t: Trap, response: dict[str, Any], state: str = "T", name: str = "Evil") -> dict[str, Any]:
    return {"StateMachines": {"evil": {"TestCases": {"Case": {state: name}}}},
            "MockedResponses": {name: {"0": response}}}


def _pickle_like(t: Trap) -> list[Any]:
    """What loaders of other formats would turn into objects or calls."""
    return [
        f"{t.module}:run", "os:system",
        {"py/object": f"{t.module}.Thing"}, {"py/reduce": [{"py/function": "os.system"}, {"py/tuple": [t.shell]}]},
        {"__class__": f"{t.module}.Thing", "__reduce__": ["os.system", [t.shell]]},
        {"!!python/object/apply:os.system": [t.shell]},
        pickle.dumps({"x": 1}).decode("latin-1"),
    ]


def test_a_mocked_return_naming_code_is_returned_as_data(trap: Trap) -> None:
    definition = write(trap.folder, _machine(trap))
    for value in _pickle_like(trap):
        config = write(trap.folder, _mock_config(trap, {"Return": value}), "MockConfigFile.json")
        result = asl("run", definition, "--mock-config", config, "--test-case", "Case")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == value
        trap.assert_untouched()


def test_a_mocked_throw_naming_code_is_an_error_name(trap: Trap) -> None:
    definition = write(trap.folder, _machine(trap))
    config = write(trap.folder, _mock_config(trap, {"Throw": {"Error": f"{trap.module}:run", "Cause": "os:system"}}),
                   "MockConfigFile.json")
    result = asl("run", definition, "--mock-config", config, "--test-case", "Case")
    assert result.exit_code == 1 and json.loads(result.stdout)["error"] == f"{trap.module}:run", result.output
    trap.assert_untouched()


@pytest.mark.parametrize("where", ["test case", "mocked response name", "state name"])
def test_a_mock_file_cannot_register_a_handler(trap: Trap, where: str) -> None:
    """A name in the file that is not a mocked response is refused, never imported."""
    definition = write(trap.folder, _machine(trap))
    reference = f"{trap.module}:run"
    document: dict[str, Any] = _mock_config(trap, {"Return": {}})
    if where == "test case":
        document["StateMachines"]["evil"]["TestCases"]["Case"]["T"] = reference
    elif where == "mocked response name":
        document = _mock_config(trap, {"Return": {}}, name=reference)
    else:
        document["StateMachines"]["evil"]["TestCases"]["Case"] = {reference: "Evil"}
    config = write(trap.folder, document, "MockConfigFile.json")
    result = asl("run", definition, "--mock-config", config, "--test-case", "Case")
    # Unknown mocked response: a usage error; a mocked response keyed by a
    # reference is only a name; a state named by a reference is not this state.
    expected = {"test case": 2, "mocked response name": 0, "state name": 4}[where]
    assert result.exit_code == expected, result.output
    trap.assert_untouched()


def _history(t: Trap, output: Any) -> dict[str, Any]:
    execution = asl_engine.load(_machine(t)).run({}, mocks={"T": [{"Return": {}}]})
    events = json.loads(json.dumps(execution.history, default=lambda d: d.timestamp()))
    for event in events:
        details = event.get("lambdaFunctionSucceededEventDetails")
        if details is not None:
            details["output"] = json.dumps(output)
    return {"events": events}


def test_a_recorded_result_naming_code_is_replayed_as_data(trap: Trap) -> None:
    definition = write(trap.folder, _machine(trap))
    for value in _pickle_like(trap):
        history = write(trap.folder, _history(trap, value), "history.json")
        result = asl("replay", history, "--definition", definition)
        # The recorded run ended with {} and this one with the planted value: a difference (1), nothing run.
        assert result.exit_code in (0, 1), result.output
        trap.assert_untouched()
        replayed = replay(_history(trap, value)["events"], asl_engine.load(_machine(trap)))
        assert replayed.execution.output == value
        trap.assert_untouched()


def test_a_history_object_with_python_keys_is_not_a_history(trap: Trap) -> None:
    definition = write(trap.folder, _machine(trap))
    for document in ({"py/object": f"{trap.module}.Thing"}, {"__class__": "os.system", "events": "x"},
                     {"events": [{"py/reduce": [{"py/function": f"{trap.module}.run"}]}]}):
        result = asl("replay", write(trap.folder, document, "history.json"), "--definition", definition)
        assert result.exit_code == 2 and "history" in result.stderr, result.output
        trap.assert_untouched()


def test_a_pickle_file_is_refused(trap: Trap) -> None:
    class Payload:
        def __reduce__(self) -> Any:
            return (print, ("unpickled",))

    definition = write(trap.folder, _machine(trap))
    blob = trap.folder / "history.pickle"
    blob.write_bytes(pickle.dumps(Payload()))
    for command in (["replay", str(blob), "--definition", definition], ["run", definition, "--input-file", str(blob)],
                    ["run", definition, "--mock-config", str(blob), "--test-case", "Case"], ["validate", str(blob)]):
        result = asl(*command)
        assert result.exit_code in (2, 3), (command, result.output)
        assert "unpickled" not in result.output
        trap.assert_untouched()


def test_an_input_file_with_python_tags_is_refused(trap: Trap) -> None:
    definition = write(trap.folder, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    planted = write(trap.folder, f"!!python/object/apply:os.system [{trap.shell!r}]\n", "input.yaml")
    result = asl("run", definition, "--input-file", planted)
    assert result.exit_code == 2, result.output
    trap.assert_untouched()


def test_local_aws_json_cannot_name_handlers(trap: Trap) -> None:
    pytest.importorskip("moto")
    definition = write(trap.folder, task("arn:aws:states:::lambda:invoke", {"FunctionName": "run", "Payload": {}}))
    spec = {"handlerModule": trap.module, "handlers": {"T": f"{trap.module}:run"}, "handler": f"{trap.module}:run",
            "flows": {"evil": {}}}
    (trap.folder / "local_aws.json").write_text(json.dumps(spec))
    result = asl("run", definition, "--local-aws")
    assert result.exit_code in (0, 1) and "is not imported" in result.stderr, result.output
    trap.assert_untouched()
