"""TestState: run one state of a definition in isolation, as AWS's TestState API does.

``test_state(definition, ...)`` takes the API's parameters (Python names)
and returns its response: ``status`` (``SUCCEEDED``, ``FAILED``,
``RETRIABLE``, ``CAUGHT_ERROR``), ``output`` (JSON text), ``error``,
``cause``, ``nextState`` and, at ``DEBUG``/``TRACE``, ``inspectionData``
(each value JSON text, as the API gives it). A request AWS rejects raises
``TestStateError`` with AWS's error code and message.

The state runs on the engine's interpreter, once: its Retriers and
Catchers are judged here (a matching Retrier with attempts left is
``RETRIABLE``, as TestState does not retry), and the data-flow steps are
seen through the interpreter's inspection hook
(``asl_engine.runtime.inspection``).
"""

from .core import test_state

__all__ = ["test_state"]
