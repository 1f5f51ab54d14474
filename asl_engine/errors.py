"""The one exception tree of ``asl_engine``.

::

    AslEngineError                  base of everything this package raises
     +-- DefinitionError            the definition is invalid; carries every Diagnostic
     +-- ExecutionInputError        the execution input is not acceptable (not JSON, too large)
     +-- TestStateError             a TestState request AWS would reject (code, message)
     +-- EngineError                a fault of the engine or its environment (a bug, a
     |                              misconfigured handler): CLI exit code 4
     +-- HandlerImportError         ``module:function`` named by the user cannot be imported

    TaskFailure                     raised by a user's handler to fail a Task with an exact
                                    ASL ``Error`` and ``Cause`` (not an AslEngineError: it is
                                    data that flows through Retry/Catch)
    StatesError                     internal: an ASL runtime error (``States.Runtime``, ...) on
                                    its way to Retry/Catch; never escapes ``StateMachine.run``
    Aborted, TimedOut               internal signals: a branch was cancelled, the execution ran
                                    past its ``TimeoutSeconds``

A failed *execution* is not an exception: ``StateMachine.run`` returns an
``Execution`` whose ``status`` is ``"FAILED"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .diagnostics import Diagnostic

STATES_RUNTIME = "States.Runtime"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
"""The error of a JSONata expression that fails (AWS's name)."""


class AslEngineError(Exception):
    """Base class of every exception ``asl_engine`` raises on purpose."""


class DefinitionError(AslEngineError):
    """The state machine definition cannot be loaded.

    ``diagnostics`` holds every problem found, not only the first.
    """

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        lines = [d.format() for d in self.diagnostics]
        super().__init__("invalid state machine definition:\n" + "\n".join(lines))


class TestStateError(AslEngineError):
    """A TestState request AWS would reject: ``code`` is AWS's error code
    (``ValidationException``, ``InvalidDefinition``), ``message`` its text."""

    __test__ = False  # not a pytest test class

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class ExecutionInputError(AslEngineError):
    """The execution input is not valid JSON or not acceptable as an input."""


class EngineError(AslEngineError):
    """A fault of the engine or of its configuration, not of the state machine."""


class HandlerImportError(EngineError):
    """A ``module:function`` handler reference could not be imported."""


class TaskFailure(Exception):
    """Raise from a task handler to fail the Task with this exact ASL error and cause.

    Any other exception raised by a handler is reported the way AWS Lambda
    reports an unhandled exception: error = the exception's class name,
    cause = ``{"errorMessage", "errorType", "requestId", "stackTrace"}`` JSON.
    """

    def __init__(self, error: str, cause: str | None = None) -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else error)


class StatesError(Exception):
    """An ASL runtime error (``Error``/``Cause``) raised inside the interpreter.

    ``event`` optionally names the history event family that reports it
    (e.g. ``"TimedOut"`` for a timeout). Internal; callers see it as data.
    """

    def __init__(
        self,
        error: str | None,
        cause: str | None = None,
        *,
        timed_out: bool = False,
        located: bool = False,
        heartbeat: bool = False,
    ) -> None:
        self.error = error
        self.cause = cause
        self.timed_out = timed_out
        # True once the cause carries the "An error occurred while executing
        # the state ..." prefix, so that enclosing states do not add theirs.
        self.located = located
        # True when the error comes out of a Map iteration or Parallel branch.
        self.branch_failed = False
        # A States.Timeout caused by a missed heartbeat: "States.HeartbeatTimeout"
        # in ErrorEquals matches it (AWS reports the error as States.Timeout).
        self.heartbeat = heartbeat
        super().__init__(f"{error}: {cause}")

    def to_output(self) -> dict[str, Any]:
        """The Error Output that a Catcher passes on (``{"Error", "Cause"}``).

        A failure reported with neither error nor cause (``SendTaskFailure``
        with no fields) gives ``{"Error": null, "Cause": null}`` (AWS-recorded).
        """
        out: dict[str, Any] = {"Error": self.error}
        if self.cause is not None or self.error is None:
            out["Cause"] = self.cause
        return out


class Aborted(Exception):
    """The branch was cancelled because a sibling failed (or the run was stopped)."""


class TimedOut(Exception):
    """The execution ran past the machine's ``TimeoutSeconds``."""
