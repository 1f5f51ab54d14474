"""JSONata evaluation inside the interpreter: ``$states``, EvaluationFailed, field checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..dataflow.jsonata import QUERY_EVALUATION_ERROR, UNDEFINED, Expression, result_type_error, undefined_error
from ..dataflow.jsonpath import Env, to_json
from ..dataflow.timestamps import parse_timestamp
from ..errors import StatesError
from ..history.events import History
from ..model.states import ChoiceState, MapState, State, WaitState
from ..execution.frame import Frame, locate
from ..dataflow.json_values import as_integer, render

__all__ = ["JsonataFlow"]


class JsonataFlow:
    """JSONata evaluation for the interpreter (mixed into ``Interpreter``).

    ``$states`` is ``{"input", "context"}`` plus ``"result"`` in the Output
    and Assign of Task/Map/Parallel, ``"errorOutput"`` in a Catcher's. Every
    failure records an ``EvaluationFailed`` event (AWS: "only present in state
    machines that have QueryLanguage set to JSONata") before it propagates.
    """

    history: History

    def _jsonata_eval(self, compiled: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any:
        bindings = dict(env.variables) if env.variables else {}
        bindings["states"] = states_var
        try:
            value = compiled.evaluate(bindings, field=field)
            if value is UNDEFINED:
                raise undefined_error(compiled.text, field)
            return value
        except StatesError as err:
            raise self._evaluation_failed(err, frame, field) from None

    def _evaluation_failed(self, err: StatesError, frame: Frame, field: str) -> StatesError:
        locate(err, frame)
        details = {"error": err.error, "cause": err.cause, "location": field, "state": frame.state_name}
        frame.last_event = self.history.add("EvaluationFailed", frame.last_event, details)
        return err

    def _jsonata_value(self, value: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any:
        """A field that is a literal or a ``{% %}`` expression."""
        if isinstance(value, Expression):
            return self._jsonata_eval(value, frame, env, field, states_var)
        return value

    def _type_error(self, value: Any, expression: Any, frame: Frame, field: str, expected: str) -> StatesError:
        text = expression.text if isinstance(expression, Expression) else to_json(expression)
        return self._evaluation_failed(result_type_error(text, field, expected, value), frame, field)

    def _jsonata_string(self, value: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any:
        result = self._jsonata_value(value, frame, env, field, states_var)
        if result is not None and not isinstance(result, str):
            raise self._type_error(result, value, frame, field, "string")
        return result

    def _jsonata_count(
        self, value: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any], minimum: int
    ) -> int | None:
        """TimeoutSeconds, HeartbeatSeconds, MaxConcurrency, ToleratedFailureCount."""
        result = self._jsonata_value(value, frame, env, field, states_var)
        if result is None:
            return None
        number = as_integer(result) if not isinstance(result, str) else None
        if number is None:
            raise self._type_error(result, value, frame, field, "integer")
        if number < minimum:
            raise self._evaluation_failed(
                StatesError(QUERY_EVALUATION_ERROR, f"The {field} field must be at least {minimum} but was: {number}"), frame, field
            )
        return number

    def _jsonata_percentage(self, value: Any, frame: Frame, env: Env, states_var: dict[str, Any]) -> float | None:
        field = "ToleratedFailurePercentage"
        result = self._jsonata_value(value, frame, env, field, states_var)
        if result is None:
            return None
        if isinstance(result, bool) or not isinstance(result, (int, float)):
            raise self._type_error(result, value, frame, field, "number")
        if not 0 <= result <= 100:
            raise self._evaluation_failed(StatesError(QUERY_EVALUATION_ERROR, "ToleratedFailurePercentage must be between 0 and 100."), frame, field)
        return float(result)

    def _jsonata_input(self, state: State, data: Any, env: Env, frame: Frame, field: str, states_var: dict[str, Any]) -> Any:
        """Arguments (Task, Parallel); without it the state input."""
        if state.parameters is None:
            return data
        return self._jsonata_eval(state.parameters, frame, env, field, states_var)

    def _jsonata_items(self, state: MapState, data: Any, env: Env, frame: Frame, states_var: dict[str, Any]) -> list[Any]:
        if state.items_path is None:
            if not isinstance(data, list):
                error = StatesError(QUERY_EVALUATION_ERROR, f"Map state input must be an array but was: {to_json(data)}")
                raise self._evaluation_failed(error, frame, "Items")
            return data
        items = self._jsonata_eval(state.items_path, frame, env, "Items", states_var)
        if not isinstance(items, list):
            expression = state.items_path.expressions[0] if len(state.items_path.expressions) == 1 else state.items_path.value
            raise self._type_error(items, expression, frame, "Items", "array")
        return items

    def _jsonata_finish(
        self, frame: Frame, env: Env, states_var: dict[str, Any], output: Any, assign: Any, default: Any
    ) -> Any:
        """Assign and Output, evaluated together: both see the variables as they
        were when the state was entered (AWS: "evaluated in parallel")."""
        if assign is not None:
            frame.assigned = self._jsonata_eval(assign, frame, env, "Assign", states_var)
        if output is not None:
            return self._jsonata_eval(output, frame, env, "Output", states_var)
        return default

    def _jsonata_plain(self, state: State, data: Any, env: Env, frame: Frame) -> Any:
        """Output/Assign of Pass, Wait, Succeed (default output: the input)."""
        states_var = {"input": data, "context": env.context}
        return self._jsonata_finish(frame, env, states_var, state.output, state.assign, data)

    def _jsonata_choice(self, state: ChoiceState, data: Any, env: Env, frame: Frame) -> tuple[str | None, Any]:
        states_var = {"input": data, "context": env.context}
        for rule in state.choices:
            matched = self._jsonata_value(rule.condition, frame, env, "Condition", states_var)
            if not isinstance(matched, bool):
                raise self._type_error(matched, rule.condition, frame, "Condition", "boolean")
            if matched:
                return rule.next, self._jsonata_finish(frame, env, states_var, rule.output, rule.assign, data)
        if state.default is None:
            raise StatesError("States.NoChoiceMatched", f"No Choice Rule matched and no Default was given in state '{state.name}'")
        return state.default, self._jsonata_finish(frame, env, states_var, state.output, state.assign, data)

    def _jsonata_wait_delay(self, state: WaitState, data: Any, env: Env, frame: Frame) -> float:
        states_var = {"input": data, "context": env.context}
        if state.seconds is not None:
            seconds = self._jsonata_count(state.seconds, frame, env, "Seconds", states_var, 0)
            return float(seconds or 0)
        value = self._jsonata_value(state.timestamp, frame, env, "Timestamp", states_var)
        moment = parse_timestamp(value) if isinstance(value, str) else None
        if moment is None:
            error = StatesError(
                QUERY_EVALUATION_ERROR,
                f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {render(value)}",
            )
            raise self._evaluation_failed(error, frame, "Timestamp")
        return max(0.0, (moment - self.clock_now()).total_seconds())

    def clock_now(self) -> datetime:
        raise NotImplementedError
