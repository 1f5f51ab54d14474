"""JSONata evaluation inside the interpreter: ``$states``, EvaluationFailed, field checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..dataflow.json_values import render
from ..dataflow.jsonata import UNDEFINED, Expression, result_type_error, undefined_error
from ..dataflow.jsonpath import Env, to_json
from ..dataflow.timestamps import parse_timestamp
from ..errors import QUERY_EVALUATION_ERROR, StatesError
from ..execution.frame import Frame, locate
from ..history.events import History
from ..model.states import ChoiceState, MapState, State, WaitState

__all__ = ["JsonataFlow"]


class JsonataFlow:
    """JSONata evaluation for the interpreter (mixed into ``Interpreter``).

    ``$states`` is ``{"input", "context"}`` plus ``"result"`` in the Output
    and Assign of Task/Map/Parallel, ``"errorOutput"`` in a Catcher's. Every
    failure records an ``EvaluationFailed`` event (AWS: "only present in state
    machines that have QueryLanguage set to JSONata") before it propagates.
    """

    history: History

    def jsonata_eval(self, compiled: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any:
        """Evaluate a compiled expression or template; a failure is recorded and raised."""
        bindings = dict(env.variables) if env.variables else {}
        bindings["states"] = states_var
        try:
            value = compiled.evaluate(bindings, field=field)
            if value is UNDEFINED:
                raise undefined_error(compiled.text, field)
            return value
        except StatesError as err:
            raise self.jsonata_failure(err, frame, field) from None

    def jsonata_failure(self, err: StatesError, frame: Frame, field: str) -> StatesError:
        """Record ``EvaluationFailed`` for ``err`` (located in the state) and return it."""
        locate(err, frame)
        details = {"error": err.error, "cause": err.cause, "location": field, "state": frame.state_name}
        frame.last_event = self.history.add("EvaluationFailed", frame.last_event, details)
        return err

    def jsonata_value(self, value: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any:
        """A field that is a literal or a ``{% %}`` expression."""
        if isinstance(value, Expression):
            return self.jsonata_eval(value, frame, env, field, states_var)
        return value

    def jsonata_type_error(self, value: Any, expression: Any, frame: Frame, field: str, expected: str) -> StatesError:
        """The recorded failure of an expression whose value is not of the ``expected`` type."""
        text = expression.text if isinstance(expression, Expression) else to_json(expression)
        return self.jsonata_failure(result_type_error(text, field, expected, value), frame, field)

    def _jsonata_string(self, value: Any, frame: Frame, env: Env, field: str, states_var: dict[str, Any]) -> Any:
        result = self.jsonata_value(value, frame, env, field, states_var)
        if result is not None and not isinstance(result, str):
            raise self.jsonata_type_error(result, value, frame, field, "string")
        return result

    def _jsonata_input(self, state: State, data: Any, env: Env, frame: Frame, field: str, states_var: dict[str, Any]) -> Any:
        """Arguments (Task, Parallel); without it the state input."""
        if state.parameters is None:
            return data
        return self.jsonata_eval(state.parameters, frame, env, field, states_var)

    def _jsonata_items(self, state: MapState, data: Any, env: Env, frame: Frame, states_var: dict[str, Any]) -> list[Any]:
        if state.items_path is None:
            if not isinstance(data, list):
                error = StatesError(QUERY_EVALUATION_ERROR, f"Map state input must be an array but was: {to_json(data)}")
                raise self.jsonata_failure(error, frame, "Items")
            return data
        items = self.jsonata_eval(state.items_path, frame, env, "Items", states_var)
        if not isinstance(items, list):
            expression = state.items_path.expressions[0] if len(state.items_path.expressions) == 1 else state.items_path.value
            raise self.jsonata_type_error(items, expression, frame, "Items", "array")
        return items

    def _jsonata_finish(
        self, frame: Frame, env: Env, states_var: dict[str, Any], output: Any, assign: Any, default: Any
    ) -> Any:
        """Assign and Output, evaluated together: both see the variables as they
        were when the state was entered (AWS: "evaluated in parallel")."""
        if assign is not None:
            frame.assigned = self.jsonata_eval(assign, frame, env, "Assign", states_var)
        if output is not None:
            return self.jsonata_eval(output, frame, env, "Output", states_var)
        return default

    def _jsonata_plain(self, state: State, data: Any, env: Env, frame: Frame) -> Any:
        """Output/Assign of Pass, Wait, Succeed (default output: the input)."""
        states_var = _states_input(data, env, state.output, state.assign)
        return self._jsonata_finish(frame, env, states_var, state.output, state.assign, data)

    def _jsonata_choice(self, state: ChoiceState, data: Any, env: Env, frame: Frame) -> tuple[str | None, Any]:
        states_var = _states_input(data, env, state.output, state.assign,
                                   *(part for rule in state.choices for part in (rule.condition, rule.output, rule.assign)))
        for rule in state.choices:
            matched = self.jsonata_value(rule.condition, frame, env, "Condition", states_var)
            if not isinstance(matched, bool):
                raise self.jsonata_type_error(matched, rule.condition, frame, "Condition", "boolean")
            if matched:
                return rule.next, self._jsonata_finish(frame, env, states_var, rule.output, rule.assign, data)
        if state.default is None:
            raise StatesError("States.NoChoiceMatched", f"No Choice Rule matched and no Default was given in state '{state.name}'")
        return state.default, self._jsonata_finish(frame, env, states_var, state.output, state.assign, data)

    def _jsonata_timestamp_delay(self, state: WaitState, data: Any, env: Env, frame: Frame) -> float:
        states_var = {"input": data, "context": env.context}
        value = self.jsonata_value(state.timestamp, frame, env, "Timestamp", states_var)
        moment = parse_timestamp(value) if isinstance(value, str) else None
        if moment is None:
            error = StatesError(
                QUERY_EVALUATION_ERROR,
                f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {render(value)}",
            )
            raise self.jsonata_failure(error, frame, "Timestamp")
        return max(0.0, (moment - self.clock_now()).total_seconds())

    def clock_now(self) -> datetime:
        raise NotImplementedError


def _states_input(data: Any, env: Env, *fields: Any) -> dict[str, Any]:
    """``$states`` of a state whose JSONata ``fields`` see only its input: the
    context object is built only when one of them may read it."""
    if any(getattr(field, "reads_context", False) for field in fields):
        return {"input": data, "context": env.context}
    return {"input": data}
