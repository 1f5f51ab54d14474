"""The public API is pinned: changing it must be a decision, not an accident."""

import inspect

import asl_engine


def test_exported_names():
    assert sorted(asl_engine.__all__) == sorted([
        "AslEngineError", "AwsConfig", "LocalAws", "LocalAwsError", "local_aws", "Clock", "JsonLinesHistory", "read_history", "DefinitionError", "Diagnostic", "EngineError", "Execution",
        "ExecutionInputError", "FolderObjectStore", "HandlerImportError", "InMemoryObjectStore", "ObjectStore", "Quotas", "RunOptions", "S3ObjectStore", "StateMachine", "SystemClock", "TaskFailure", "TaskTokenError", "CallbackSpool",
        "send_task_failure", "send_task_heartbeat", "send_task_success",
        "TaskRequest", "VirtualClock", "load", "validate", "load_mock_config", "MockConfig", "MockConfigError",
        "test_state", "TestStateError", "JsonTextError", "decode_text", "parse_json_value", "process_isolation_available",
    ])
    for name in asl_engine.__all__:
        assert getattr(asl_engine, name).__doc__, f"{name} needs a docstring"


def test_run_signature():
    params = inspect.signature(asl_engine.StateMachine.run).parameters
    assert list(params) == [
        "self", "input", "options", "handlers", "mocks", "clock", "name", "account", "region",
        "state_machine_type", "role_arn", "seed", "listeners", "quotas", "object_store",
        "state_machines", "aws", "callbacks", "inspection", "child_executions_kept", "on_child_execution",
        "isolation", "handler_memory_mb",
    ]


def test_run_keywords_are_the_run_options():
    """Every keyword of run() is a RunOptions field, with the same default: one list of options."""
    import dataclasses

    params = inspect.signature(asl_engine.StateMachine.run).parameters
    fields = {f.name: f.default for f in dataclasses.fields(asl_engine.RunOptions)}
    keywords = {name: p.default for name, p in params.items() if name not in ("self", "input", "options")}
    assert keywords == fields


def test_execution_fields():
    fields = set(asl_engine.Execution.__dataclass_fields__)
    assert {"status", "output", "error", "cause", "name", "arn", "input", "start_date", "stop_date"} <= fields
    assert isinstance(asl_engine.Execution.history, property)  # built from the events on first read


def test_history_is_built_on_first_read_and_kept():
    machine = asl_engine.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"v": 1}, "End": True}}})
    execution = machine.run({"a": 1})
    events = execution.history
    assert execution.history is events
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert events[1]["stateEnteredEventDetails"] == {"name": "P", "input": '{"a":1}', "inputDetails": {"truncated": False}}
    assert events[2]["stateExitedEventDetails"] == {
        "name": "P", "output": '{"a":1}', "outputDetails": {"truncated": False},
        "assignedVariables": {"v": "1"}, "assignedVariablesDetails": {"truncated": False},
    }
    assert [e["id"] for e in events] == [1, 2, 3, 4] and events[2]["previousEventId"] == 2


def test_errors_form_one_tree():
    for cls in (asl_engine.DefinitionError, asl_engine.EngineError, asl_engine.ExecutionInputError, asl_engine.HandlerImportError):
        assert issubclass(cls, asl_engine.AslEngineError)


def test_py_typed_is_shipped():
    from pathlib import Path

    assert (Path(asl_engine.__file__).parent / "py.typed").exists()


def test_map_runs_group_the_children_of_each_distributed_map():
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "Items", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}
    execution = asl_engine.load(definition, name="m").run([10, 20, 30])
    (arn, children), = execution.map_runs.items()
    assert ":mapRun:m/Items:" in arn
    assert [c["index"] for c in children] == [0, 1, 2] and [c["output"] for c in children] == [10, 20, 30]
    assert children[0]["history"][0]["type"] == "ExecutionStarted"
