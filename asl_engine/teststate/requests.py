"""TestState's request members and the checks AWS makes of them (AWS's codes and texts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from ..documents.values import JsonTextError
from ..documents.values import loads as parse_json_value
from ..errors import TestStateError

__all__ = ["Mock", "StateConfiguration", "check_request", "parse_json_text"]

_MOCKABLE = ("Task", "Map", "Parallel")
_VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")


def _invalid(message: str) -> TestStateError:
    return TestStateError("ValidationException", message)


def parse_json_text(value: Any, member: str, default: Any) -> Any:
    """A member the API sends as JSON text: text is decoded, a Python value kept."""
    if value is None:
        return default
    if not isinstance(value, str):
        return value
    try:  # the shared reader: NaN, deep nesting, lone surrogates and 5,000-digit numbers are refused too
        return parse_json_value(value, member)
    except JsonTextError:
        raise _invalid(f"Invalid {member}: the value must be valid JSON") from None


@dataclass(frozen=True, slots=True)
class StateConfiguration:
    """``stateConfiguration``: what the test pretends happened before or inside the state."""

    retrier_retry_count: int | None = None
    error_caused_by_state: str | None = None
    map_iteration_failure_count: int | None = None
    map_item_reader_data: Any = None

    @classmethod
    def parse(cls, value: Mapping[str, Any] | None) -> "StateConfiguration":
        if not value:
            return cls()
        reader = value.get("mapItemReaderData")
        return cls(
            retrier_retry_count=value.get("retrierRetryCount"),
            error_caused_by_state=value.get("errorCausedByState"),
            map_iteration_failure_count=value.get("mapIterationFailureCount"),
            map_item_reader_data=parse_json_text(reader, "mapItemReaderData", None),
        )


@dataclass(frozen=True, slots=True)
class Mock:
    """``mock``: the state's result (``result``) or failure (``error``, ``cause``)."""

    result: Any = None
    result_text: str | None = None
    error: str | None = None
    cause: str | None = None
    field_validation_mode: str = "STRICT"

    @classmethod
    def parse(cls, value: Mapping[str, Any]) -> "Mock":
        has_result = value.get("result") is not None
        error_output = value.get("errorOutput")
        if has_result and error_output is not None:
            raise _invalid("A test mock should have only one of the following fields: [result, errorOutput].")
        if not has_result and error_output is None:
            raise _invalid("A test mock should have one of the following fields: [result, errorOutput].")
        mode = value.get("fieldValidationMode") or "STRICT"
        if mode not in _VALIDATION_MODES:
            raise _invalid(f"Invalid fieldValidationMode: {mode}")
        if error_output is not None:
            return cls(error=error_output.get("error"), cause=error_output.get("cause"), field_validation_mode=mode)
        raw = value["result"]
        if isinstance(raw, str):
            try:
                result = parse_json_value(raw, "the mocked result")
            except JsonTextError:
                raise _invalid("Mocked result must be valid JSON") from None
            return cls(result=result, result_text=raw, field_validation_mode=mode)
        return cls(result=raw, result_text=json.dumps(raw), field_validation_mode=mode)

    def check_for(self, raw_state: Mapping[str, Any], config: StateConfiguration) -> None:
        """The checks of a mock against the state it stands in for."""
        state_type = raw_state.get("Type")
        if self.error is not None:
            return
        if state_type == "Parallel" or (state_type == "Map" and "ResultWriter" not in raw_state):
            if not isinstance(self.result, list):
                raise _invalid("Mocked result must be an array.")
        elif state_type == "Map" and not isinstance(self.result, dict):
            raise _invalid("Mocked result must be a JSON object.")
        failures = config.map_iteration_failure_count
        if state_type == "Map" and failures is not None and isinstance(self.result, list) and failures > len(self.result):
            raise _invalid("Map iteration failure count must be less than or equal to the number of Map iterations")

    def respond(self, request: Any) -> dict[str, Any]:
        """The mock as a response of the engine's mocks (``tasks/mocks.py``)."""
        if self.error is not None:
            return {"Throw": {"Error": self.error, "Cause": self.cause}}
        return {"Return": self.result}


def check_request(
    raw_state: Mapping[str, Any], mock: Mock | None, config: StateConfiguration, reveal_secrets: bool
) -> None:
    """The request checks AWS makes before it looks at the definition's validity."""
    state_type = raw_state.get("Type")
    if mock is not None:
        if reveal_secrets:
            raise _invalid("TestState does not support RevealSecrets when a mock is specified.")
        if state_type not in _MOCKABLE:
            raise _invalid(f"State type '{state_type}' is not supported when a mock is specified")
    elif config.map_iteration_failure_count is not None:
        raise _invalid("TestState does not support MapIterationFailureCount when a mock is not specified.")
