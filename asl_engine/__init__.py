"""asl_engine: run Amazon States Language state machines locally, as AWS does.

Quick use::

    import asl_engine
    machine = asl_engine.load("definitions/hello.asl.json")
    execution = machine.run({"name": "world"}, handlers={"Greet": greet})
    execution.status, execution.output, execution.history
"""

from typing import TYPE_CHECKING, Any

# Every public name, by the module that defines it: imported on first use
# (PEP 562), so ``import asl_engine`` costs nothing and a command pulls in only
# what it touches (``asl --help`` imports no engine module at all).
_EXPORTS = {
    "JsonTextError": ".documents.values",
    "decode_text": ".documents.values",
    "parse_json_value": ".documents.values",
    "Execution": ".api",
    "StateMachine": ".api",
    "load": ".api",
    "validate": ".api",
    "Diagnostic": ".diagnostics",
    "AslEngineError": ".errors",
    "DefinitionError": ".errors",
    "EngineError": ".errors",
    "ExecutionInputError": ".errors",
    "HandlerImportError": ".errors",
    "TaskFailure": ".errors",
    "TestStateError": ".errors",
    "Clock": ".execution.clock",
    "SystemClock": ".execution.clock",
    "VirtualClock": ".execution.clock",
    "Quotas": ".execution.quotas",
    "JsonLinesHistory": ".history.stores",
    "read_history": ".history.stores",
    "LocalAws": ".embedded_aws",
    "LocalAwsError": ".embedded_aws",
    "local_aws": ".embedded_aws",
    "RunOptions": ".options",
    "process_isolation_available": ".options",
    "AwsConfig": ".tasks.aws",
    "S3ObjectStore": ".tasks.aws.s3_store",
    "TaskRequest": ".tasks.base",
    "CallbackSpool": ".tasks.callbacks",
    "TaskTokenError": ".tasks.callbacks",
    "send_task_failure": ".tasks.callbacks",
    "send_task_heartbeat": ".tasks.callbacks",
    "send_task_success": ".tasks.callbacks",
    "MockConfig": ".tasks.mock_config",
    "MockConfigError": ".tasks.mock_config",
    "load_mock_config": ".tasks.mock_config",
    "FolderObjectStore": ".tasks.objects",
    "InMemoryObjectStore": ".tasks.objects",
    "ObjectStore": ".tasks.objects",
    "test_state": ".teststate",
}

if TYPE_CHECKING:  # what type checkers and IDEs see
    from .documents.values import JsonTextError
    from .documents.values import decode as decode_text
    from .documents.values import loads as parse_json_value
    from .api import Execution, StateMachine, load, validate
    from .options import RunOptions, process_isolation_available
    from .diagnostics import Diagnostic
    from .errors import (
        AslEngineError,
        DefinitionError,
        EngineError,
        ExecutionInputError,
        HandlerImportError,
        TaskFailure,
        TestStateError,
    )
    from .history.stores import JsonLinesHistory, read_history
    from .embedded_aws import LocalAws, LocalAwsError, local_aws
    from .execution.clock import Clock, SystemClock, VirtualClock
    from .execution.quotas import Quotas
    from .tasks.aws import AwsConfig
    from .tasks.aws.s3_store import S3ObjectStore
    from .tasks.base import TaskRequest
    from .tasks.callbacks import CallbackSpool, TaskTokenError, send_task_failure, send_task_heartbeat, send_task_success
    from .tasks.objects import FolderObjectStore, InMemoryObjectStore, ObjectStore
    from .tasks.mock_config import MockConfig, MockConfigError, load_mock_config
    from .teststate import test_state

__all__ = [
    "JsonTextError",
    "decode_text",
    "parse_json_value",
    "AslEngineError",
    "AwsConfig",
    "Clock",
    "DefinitionError",
    "Diagnostic",
    "EngineError",
    "Execution",
    "ExecutionInputError",
    "FolderObjectStore",
    "HandlerImportError",
    "InMemoryObjectStore",
    "JsonLinesHistory",
    "LocalAws",
    "LocalAwsError",
    "local_aws",
    "read_history",
    "ObjectStore",
    "Quotas",
    "RunOptions",
    "process_isolation_available",
    "S3ObjectStore",
    "StateMachine",
    "SystemClock",
    "TaskFailure",
    "TaskTokenError",
    "TestStateError",
    "CallbackSpool",
    "send_task_failure",
    "send_task_heartbeat",
    "send_task_success",
    "TaskRequest",
    "VirtualClock",
    "load",
    "load_mock_config",
    "MockConfigError",
    "MockConfig",
    "test_state",
    "validate",
]

__version__ = "0.1.0"


# Public names that their module spells otherwise.
_RENAMED = {"decode_text": "decode", "parse_json_value": "loads"}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'asl_engine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
