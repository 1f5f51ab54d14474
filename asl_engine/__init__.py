"""asl_engine: run Amazon States Language state machines locally, as AWS does.

Quick use::

    import asl_engine
    machine = asl_engine.load("definitions/hello.asl.json")
    execution = machine.run({"name": "world"}, handlers={"Greet": greet})
    execution.status, execution.output, execution.history
"""

from .api import Execution, StateMachine, load, validate
from .options import RunOptions
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
from .local_aws import LocalAws, LocalAwsError, local_aws
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
