"""The durable local Step Functions service (``asl serve`` and the library).

``Service`` keeps state machines, executions and their histories in SQLite
and runs executions on a bounded pool; ``Service.call(operation, request)``
answers AWS API requests as AWS does. See ``asl_engine.service.service``.
"""

from .errors import ServiceError
from .service import OPERATIONS, Service
from .store import Store

__all__ = ["OPERATIONS", "Service", "ServiceError", "Store"]
