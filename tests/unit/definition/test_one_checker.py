"""One checker: ``validate()`` is the judge, ``load()`` only adds what the engine cannot run.

For every definition we have (the validation corpus, every recorded
execution's definition, the repository's own definitions) and for a seeded,
bounded set of mutations of them:

* ``load()`` raises ``DefinitionError`` exactly when ``validate()`` reports
  an ERROR, or when the engine cannot run a feature (``UNSUPPORTED_FEATURE``,
  none today);
* when it raises, its diagnostics are ``validate()``'s, plus only
  ``UNSUPPORTED_FEATURE`` ones;
* it never raises anything else (the builder is total over what validates);
* a sample of the machines that load run to a status (what validates but
  cannot run as written fails with an ASL error, not a Python exception).

The shared corpora (``../shared/conformance``) are skipped with a reason when
they are absent; the repository's definitions and their mutations always run.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import time
from collections import Counter, abc
from pathlib import Path
from types import UnionType
from typing import Any, Iterator, Union, get_args, get_origin, get_type_hints

import pytest

import asl_engine
from asl_engine import VirtualClock
from asl_engine.definition.fields import (
    ITEM_BATCHER, ITEM_READER, JSONATA, JSONPATH, READER_CONFIG, STATE, STATE_TYPES, Compile, Field, fields_of,
)
from asl_engine.definition.loader import read_definition
from asl_engine.definition.rules.model import resolve_language
from asl_engine.definition.templates import is_template
from asl_engine.model import states as states_module
from tests.conformance.corpus import cases_dir
from tests.conformance.corpus import corpus_missing_reason as localstack_missing
from tests.conformance.test_robustness import _mutate
from tests.validation.corpus import corpus_dir as validation_dir
from tests.validation.corpus import corpus_missing_reason as validation_missing
from tests.validation.test_aws_accepted import _unmask

REPO_ROOT = Path(__file__).resolve().parents[3]
UNSUPPORTED = "UNSUPPORTED_FEATURE"
SEED = 20260401
MUTATIONS = 4000  # per test
TIME_BUDGET = 8.0  # seconds per mutation test; a slow machine checks fewer, in the same order
RUNS = 150  # loaded mutations that are also run

# --------------------------------------------------------------------------- the definitions


def _repository_definitions() -> list[tuple[str, Any]]:
    files = sorted((REPO_ROOT / "definitions").glob("*.asl.json")) + sorted((REPO_ROOT / "tests" / "golden").glob("*.asl.json"))
    return [(str(path.relative_to(REPO_ROOT)), json.loads(path.read_text(encoding="utf-8"))) for path in files]


def _validation_definitions() -> list[tuple[str, Any]]:
    """The corpus files that parse to one definition (templates hold several: the
    API validates each of their machines, ``load`` takes one definition)."""
    folder = validation_dir()
    found = []
    for record in json.loads((folder / "index.json").read_text(encoding="utf-8"))["records"]:
        loaded = read_definition(folder / record["file"])
        if loaded.document is None or loaded.diagnostics or is_template(loaded.document):
            continue
        found.append((record["file"], loaded.document))
    return found


def _recorded_definitions() -> list[tuple[str, Any]]:
    """Every recorded execution's definition, as recorded and with the recorder's
    ``<placeholders>`` replaced (so that more of them validate)."""
    folder = cases_dir()
    assert folder is not None
    found = []
    for path in sorted(folder.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))["definition"]
        found.append((path.stem, definition))
        unmasked = _unmask(definition)
        if unmasked != definition:
            found.append((path.stem + " (unmasked)", unmasked))
    return found


# --------------------------------------------------------------------------- the agreement


def _key(diagnostic: Any) -> tuple[Any, ...]:
    return (diagnostic.severity, diagnostic.code, diagnostic.path, diagnostic.message)


def disagreement(definition: Any) -> str | None:
    """Why ``validate()`` and ``load()`` disagree on ``definition`` (``None``: they agree)."""
    verdict = asl_engine.validate(definition)
    refused = any(d.severity == "ERROR" for d in verdict)
    try:
        asl_engine.load(definition)
    except asl_engine.DefinitionError as exc:
        extra = Counter(map(_key, exc.diagnostics)) - Counter(map(_key, verdict))
        missing = Counter(map(_key, verdict)) - Counter(map(_key, exc.diagnostics))
        foreign = [d for d in extra if d[1] != UNSUPPORTED]
        if foreign or missing:
            return f"load() diagnostics differ: extra {foreign}, missing {list(missing)}"
        if not refused and not extra:
            return "load() refused a definition validate() accepted, without saying why"
        return None
    except Exception as exc:  # noqa: BLE001 - exactly what this test looks for
        return f"load() raised {type(exc).__name__}: {exc}"
    if refused:
        return f"load() accepted a definition validate() refuses: {[_key(d) for d in verdict if d.severity == 'ERROR']}"
    return None


def _check_all(named: list[tuple[str, Any]]) -> None:
    problems = [(name, why) for name, definition in named if (why := disagreement(definition)) is not None]
    assert not problems, json.dumps(problems[:10], indent=1, default=str)


def test_repository_definitions_agree() -> None:
    _check_all(_repository_definitions())


@pytest.mark.skipif(validation_missing() is not None, reason=str(validation_missing()))
def test_validation_corpus_agrees() -> None:
    named = _validation_definitions()
    assert len(named) > 200
    _check_all(named)


@pytest.mark.skipif(localstack_missing() is not None, reason=str(localstack_missing()))
def test_recorded_definitions_agree() -> None:
    named = _recorded_definitions()
    assert len(named) > 966
    _check_all(named)


# --------------------------------------------------------------------------- mutations

# Values that reach the builder's corners, by how a field compiles (most
# of them valid, so that the builder runs): placeholders the validator lets
# through, integral floats, JSONata strings, paths, templates.
_PLACEHOLDERS = ["${Placeholder}", "$.a${X}"]
VALUES_BY_KIND: dict[Compile, list[Any]] = {
    Compile.LITERAL: ["x", "arn:aws:states:::lambda:invoke", True, {"a": [1]}, None],
    Compile.NUMBER: [0, 1, 2.0, 10.0, 50.5, 100, 10**20, *_PLACEHOLDERS],
    Compile.TIMESTAMP: ["2016-03-14T01:59:00Z", "2016-03-14T01:59:00.5+02:00", *_PLACEHOLDERS],
    Compile.TEXT: ["CSV", "JSON", "JSONL", "GIVEN", "FIRST_ROW", "PIPE", 3],
    Compile.TEXTS: [["a", "b"], ["a", "a"], [], "ab"],
    Compile.PATH: ["$", "$.a", "$.a[0]", "$$.Execution.Id", "$var", None, *_PLACEHOLDERS],
    Compile.REFERENCE_PATH: ["$", "$.r", "$.a[0]", None, *_PLACEHOLDERS],
    Compile.VALUE_PATH: ["$.a", "$.a[0]", "$$.State.RetryCount", "$var", *_PLACEHOLDERS],
    Compile.VALUE_EXPRESSION: ["$.a", "States.Format('{}', $.a)", "States.UUID()", *_PLACEHOLDERS],
    Compile.PAYLOAD_TEMPLATE: [{}, {"x.$": "$.a"}, {"x": 1, "y.$": "States.Array($.a)"}, {"x.$": "${X}"}, {"n": [{"x.$": "${X}"}]}],
    Compile.JSONATA_TEMPLATE: [{}, {"x": "{% $states.input %}"}, "{% $states.input %}", [1, "{% 2 %}"], "x"],
    Compile.JSONATA_VALUE: ["{% 1 %}", "{% $states.input.a %}", "{% 'x' %}", 1, 2.0, "x", True, *_PLACEHOLDERS],
}
OTHER_VALUES: list[Any] = [None, -1, 1.5, "", "{% %}", "$.a[", [], {}, [1], {"a": 1}, "JSONPath", "JSONata"]


def _states(node: Any, language: str = JSONPATH) -> Iterator[tuple[dict[str, Any], str]]:
    """Every state object of a definition, at any depth, with its query language."""
    if isinstance(node, dict):
        language = resolve_language(node, language) if "StartAt" in node and "QueryLanguage" in node else language
        states = node.get("States")
        if isinstance(states, dict):
            for state in states.values():
                if isinstance(state, dict) and state.get("Type") in STATE_TYPES:
                    yield state, resolve_language(state, language)
        for value in node.values():
            yield from _states(value, language)
    elif isinstance(node, list):
        for value in node:
            yield from _states(value, language)


def _value(rng: random.Random, field: Field, language: str) -> Any:
    kind = field.compile_kind(language) or field.compile_kind(JSONPATH) or Compile.LITERAL
    choices = VALUES_BY_KIND.get(kind)
    return rng.choice(choices) if choices and rng.random() < 0.85 else rng.choice(OTHER_VALUES)


def _sub_object(rng: random.Random, table: tuple[Field, ...], owner: str, language: str) -> dict[str, Any]:
    fields = list(fields_of(table, owner))
    return {f.name: _value(rng, f, language) for f in rng.sample(fields, rng.randint(1, min(3, len(fields))))}


def _mutate_field(definition: Any, rng: random.Random) -> Any:
    """Set one field the state's type has (from the field table) to a value of its kind."""
    states = list(_states(definition))
    if not states:
        return definition
    state, language = rng.choice(states)
    field = rng.choice([f for f in fields_of(STATE, state["Type"]) if f.name not in ("Type", "Retry", "Catch", "Choices", "Branches")])
    if field.name == "ItemReader":
        value: Any = _sub_object(rng, ITEM_READER, "ItemReader", language)
        value["Resource"] = "arn:aws:states:::s3:getObject"
        value["ReaderConfig"] = _sub_object(rng, READER_CONFIG, "ReaderConfig", language)
    elif field.name == "ItemBatcher":
        value = _sub_object(rng, ITEM_BATCHER, "ItemBatcher", language)
    elif field.name in ("ItemProcessor", "Iterator"):
        value = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}},
                 **({"ProcessorConfig": rng.choice([{"Mode": "INLINE"}, {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}])}
                    if field.name == "ItemProcessor" else {})}
    elif field.name == "QueryLanguage":
        value = rng.choice([JSONPATH, JSONATA])
    else:
        value = _value(rng, field, language)
    state[field.name] = value
    return definition


def mutations(named: list[tuple[str, Any]], seed: int, count: int) -> Iterator[tuple[str, Any]]:
    """``count`` mutated definitions, the same ones for the same seed: the
    robustness test's random edits and field-aware ones (from the field table)."""
    rng = random.Random(seed)
    seeds = [(name, d) for name, d in named if isinstance(d, dict) and d]
    for i in range(count):
        name, definition = rng.choice(seeds)
        mutated = _mutate(definition, rng) if rng.random() < 0.4 else copy.deepcopy(definition)
        for _ in range(rng.randint(1, 3)):
            mutated = _mutate_field(mutated, rng)
        yield f"{name} #{i}", mutated


def _state_names(definition: Any) -> list[str]:
    names: list[str] = []
    stack = [definition]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("States"), dict):
                names.extend(item["States"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return names


def _run(machine: Any, definition: Any) -> str | None:
    """Run a loaded machine with every Task mocked; why it crashed, or ``None``."""
    mocks = {name: (lambda request: {"Return": {"a": [1, 2]}}) for name in _state_names(definition)}
    try:
        machine.run({"a": [1, 2]}, clock=VirtualClock(), mocks=mocks)
    except (asl_engine.EngineError, asl_engine.ExecutionInputError) as exc:
        return f"run: {exc}" if "internal" in str(exc) else None
    except Exception as exc:  # noqa: BLE001
        return f"run raised {type(exc).__name__}: {exc}"
    return None


def _check_mutations(named: list[tuple[str, Any]], seed: int) -> tuple[int, int]:
    started = time.monotonic()
    problems: list[tuple[str, str, Any]] = []
    checked = runs = 0
    for name, definition in mutations(named, seed, MUTATIONS):
        if time.monotonic() - started > TIME_BUDGET:
            break
        checked += 1
        why = disagreement(definition)
        if why is None and runs < RUNS:
            try:
                machine = asl_engine.load(definition)
            except asl_engine.DefinitionError:
                machine = None
            if machine is not None:
                runs += 1
                why = _run(machine, definition)
        if why is not None:
            problems.append((name, why, definition))
    assert not problems, json.dumps(problems[:5], indent=1, default=str)
    assert checked >= 500, f"only {checked} mutations checked in {TIME_BUDGET} s"
    return checked, runs


def test_mutations_of_the_repository_definitions_agree() -> None:
    _check_mutations(_repository_definitions(), SEED)


@pytest.mark.skipif(validation_missing() is not None or localstack_missing() is not None,
                    reason=str(validation_missing() or localstack_missing()))
def test_mutations_of_the_corpora_agree() -> None:
    checked, runs = _check_mutations(_validation_definitions() + _recorded_definitions(), SEED + 1)
    assert runs > 50


# --------------------------------------------------------------------------- what validates but cannot run

PASS = {"Type": "Pass", "End": True}


def _run_one(definition: dict[str, Any], data: Any = None) -> Any:
    assert not [d for d in asl_engine.validate(definition) if d.severity == "ERROR"]
    return asl_engine.load(definition).run(data if data is not None else {"a": [1]}, clock=VirtualClock())


@pytest.mark.parametrize("state,field", [
    ({"Type": "Wait", "Seconds": "${Delay}", "End": True}, "Seconds"),
    ({"Type": "Wait", "Timestamp": "${When}", "End": True}, "Timestamp"),
    ({"Type": "Wait", "SecondsPath": "${Delay}", "End": True}, "SecondsPath"),
    ({"Type": "Pass", "InputPath": "${Path}", "End": True}, "InputPath"),
    ({"Type": "Pass", "ResultPath": "${Path}", "End": True}, "ResultPath"),
    ({"Type": "Pass", "Parameters": {"n": {"x.$": "${X}"}}, "End": True}, "Parameters/n/x.$"),
    ({"Type": "Fail", "ErrorPath": "${E}"}, "ErrorPath"),
    ({"Type": "Map", "MaxConcurrency": "${M}", "ItemsPath": "$.a", "ItemProcessor": {"StartAt": "P", "States": {"P": PASS}}, "End": True},
     "MaxConcurrency"),
])
def test_an_unsubstituted_placeholder_fails_at_run_time(state: dict[str, Any], field: str) -> None:
    execution = _run_one({"StartAt": "S", "States": {"S": state}})
    assert execution.error == "States.Runtime"
    assert f"The field '{field}' holds '" in (execution.cause or "")


@pytest.mark.parametrize("state,field", [
    ({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "TimeoutSeconds": "${T}", "End": True},
     "TimeoutSeconds"),
    ({"Type": "Wait", "Seconds": "${T}", "End": True}, "Seconds"),
    ({"Type": "Map", "MaxConcurrency": "${T}", "ItemProcessor": {"StartAt": "P", "States": {"P": PASS}}, "End": True},
     "MaxConcurrency"),
])
def test_an_unsubstituted_placeholder_in_a_jsonata_number_fails_at_run_time(state: dict[str, Any], field: str) -> None:
    # A JSONata number is an expression or a literal: a string is a placeholder
    # the validator let through, and fails like the JSONPath ones.
    execution = _run_one({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state}}, [1])
    assert (execution.error, execution.cause) == (
        "States.Runtime",
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        f"The field '{field}' holds '${{T}}', a placeholder that was not substituted",
    )


@pytest.mark.parametrize("query_language", ["JSONPath", "JSONata"])
@pytest.mark.parametrize("field", ["ItemReader", "ItemBatcher"])
def test_distributed_fields_on_an_inline_map_fail_at_run_time(field: str, query_language: str) -> None:
    arguments = "Parameters" if query_language == "JSONPath" else "Arguments"
    value = ({"Resource": "arn:aws:states:::s3:getObject", arguments: {"Bucket": "b", "Key": "k"}} if field == "ItemReader"
             else {"MaxItemsPerBatch": 2})
    definition = {"QueryLanguage": query_language, "StartAt": "M", "States": {"M": {
        "Type": "Map", field: value, "ItemProcessor": {"StartAt": "P", "States": {"P": PASS}}, "End": True}}}
    execution = _run_one(definition, [1, 2])
    assert execution.error == "States.Runtime"
    assert (execution.cause or "").endswith(f"The field '{field}' is only supported by a Map state whose ProcessorConfig Mode is DISTRIBUTED")


def test_a_jsonpath_state_in_a_distributed_processor_of_a_jsonata_machine_runs() -> None:
    # The validator accepts it (the processor's states run as child executions);
    # the builder used to refuse it.
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                 "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "Parameters": {"v.$": "$"}, "End": True}}}
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}}
    assert _run_one(definition, [1, 2]).output == [{"v": 1}, {"v": 2}]


def test_integral_floats_are_integers() -> None:
    # The validator accepts 2.0 where an integer is expected (AWS reads numbers
    # as Jackson does); the model holds an int.
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2.0, "Next": "T"},
                                             "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 10.0,
                                                   "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2.0}], "End": True}}}
    machine = asl_engine.load(definition)
    states = machine.model.program.states
    assert states["W"].seconds == 2 and type(states["W"].seconds) is int
    assert type(states["T"].timeout_seconds) is int and type(states["T"].retriers[0].max_attempts) is int


# --------------------------------------------------------------------------- every check the builder used to make

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"
S3_READER = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}}
DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
SCHEMA, TARGET, END = "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET", "MISSING_END_STATE"


def one(state: Any, **top: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": state}, **top}


def task(**fields: Any) -> dict[str, Any]:
    return one({"Type": "Task", "Resource": LAMBDA, "End": True, **fields})


def a_map(processor: Any = None, **fields: Any) -> dict[str, Any]:
    body = processor if processor is not None else {"StartAt": "P", "States": {"P": PASS}}
    return one({"Type": "Map", "ItemProcessor": body, "End": True, **fields})


def choice(*rules: Any, **top: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": list(rules), "Default": "E"}, "E": {"Type": "Succeed"}}, **top}


def retrier(**fields: Any) -> dict[str, Any]:
    return task(Retry=[{"ErrorEquals": ["States.ALL"], **fields}])


JSONATA_TOP = {"QueryLanguage": "JSONata"}

REMOVED_CHECKS: list[tuple[str, Any, tuple[str, str] | None]] = [
    # (what the builder said, a definition it refused, the validator's (code, pointer); None: accepted now)
    ("Definition must be a valid JSON object", [], (SCHEMA, "")),
    ("QueryLanguage must be 'JSONPath' or 'JSONata' (machine)", one(PASS, QueryLanguage="X"), (SCHEMA, "/QueryLanguage")),
    ("TimeoutSeconds must be a positive integer (machine)", one(PASS, TimeoutSeconds=0), (SCHEMA, "/TimeoutSeconds")),
    ("must be an object with StartAt and States", one({"Type": "Parallel", "Branches": [1], "End": True}), (SCHEMA, "/States/S/Branches/0")),
    ("These fields are required: [States, StartAt]", {}, (SCHEMA, "")),
    ("States must be a non-empty object", {"StartAt": "S", "States": {}}, (SCHEMA, "/States")),
    ("Missing 'StartAt' target", {"StartAt": "X", "States": {"S": PASS}}, (TARGET, "/StartAt")),
    ("State name exceeds 80 characters", {"StartAt": "x" * 81, "States": {"x" * 81: PASS}}, ("INVALID_STATE_NAME", "/States/" + "x" * 81)),
    ("Missing 'Next' target", one({"Type": "Pass", "Next": "X"}), (TARGET, "/States/S/Next")),
    ("No terminal state found", one({"Type": "Pass", "Next": "S"}), (END, "")),
    ("InputPath must be a string or null", one({**PASS, "InputPath": 1}), (SCHEMA, "/States/S/InputPath")),
    ("The value for the field 'InputPath' must be a valid JSONPath", one({**PASS, "InputPath": "a"}), (SCHEMA, "/States/S/InputPath")),
    ("payload template: '.$' value not a path", one({**PASS, "Parameters": {"x.$": 1}}), (SCHEMA, "/States/S/Parameters")),
    ("The fields TimeoutSeconds and TimeoutSecondsPath are mutually exclusive", task(TimeoutSeconds=1, TimeoutSecondsPath="$.t"),
     (SCHEMA, "/States/S/TimeoutSeconds")),
    ("TimeoutSecondsPath must be a valid reference path", task(TimeoutSecondsPath="t"), (SCHEMA, "/States/S/TimeoutSecondsPath")),
    ("TimeoutSeconds must be a positive integer", task(TimeoutSeconds=0), (SCHEMA, "/States/S/TimeoutSeconds")),
    ("TimeoutSeconds must be a positive integer (an integral float)", task(TimeoutSeconds=10.0), None),
    ("MaxItems must be an integer", a_map({"StartAt": "P", "States": {"P": PASS}, "ProcessorConfig": DISTRIBUTED},
                                          ItemReader={**S3_READER, "ReaderConfig": {"MaxItems": "x"}}), (SCHEMA, "/States/S/ItemReader/ReaderConfig/MaxItems")),
    ("A state must be a JSON object", one(1), (SCHEMA, "/States/S")),
    ("Unknown state type", one({"Type": "X"}), (SCHEMA, "/States/S/Type")),
    ("These fields are required: [Type]", one({"End": True}), (SCHEMA, "/States/S")),
    ("QueryLanguage must be 'JSONPath' or 'JSONata' (state)", one({**PASS, "QueryLanguage": "X"}), (SCHEMA, "/States/S/QueryLanguage")),
    ("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", one({**PASS, "QueryLanguage": "JSONPath"}, **JSONATA_TOP),
     (SCHEMA, "/States/S")),
    ("'QueryLanguage' can not be 'JSONPath' ... (in a distributed processor)",
     a_map({"StartAt": "P", "States": {"P": {**PASS, "QueryLanguage": "JSONPath"}}, "ProcessorConfig": DISTRIBUTED}, **JSONATA_TOP), None),
    ("Field 'X' is not supported for state type Pass in JSONPath", one({**PASS, "Resource": LAMBDA}), (SCHEMA, "/States/S")),
    ("Field 'X' is not supported for state type Pass in JSONata", one({**PASS, "Parameters": {}}, **JSONATA_TOP), (SCHEMA, "/States/S")),
    ("The fields Next and End are mutually exclusive", {"StartAt": "S", "States": {"S": {**PASS, "Next": "E"}, "E": PASS}}, (SCHEMA, "/States/S")),
    ("Either Next or End: true is required", one({"Type": "Pass"}), (SCHEMA, "/States/S")),
    ("Next must be a string", one({"Type": "Pass", "Next": 1}), (SCHEMA, "/States/S/Next")),
    ("The fields ItemSelector and Parameters are mutually exclusive", a_map(ItemSelector={}, Parameters={}), (SCHEMA, "/States/S/ItemSelector")),
    ("Assign must be a JSON object", one({**PASS, "Assign": [1]}), (SCHEMA, "/States/S/Assign")),
    ("Assign must be a JSON object (a JSONata string)", one({**PASS, "Assign": "{% {} %}"}, **JSONATA_TOP), (SCHEMA, "/States/S/Assign")),
    ("Invalid variable name", one({**PASS, "Assign": {"a b": 1}}), (SCHEMA, "/States/S/Assign")),
    ("The variable name 'states' is reserved", one({**PASS, "Assign": {"states": 1}}), (SCHEMA, "/States/S/Assign")),
    ("Invalid JSONata expression (template)", one({**PASS, "Output": "{% ( %}"}, **JSONATA_TOP), ("INVALID_JSONATA_EXPRESSION", "/States/S/Output")),
    ("Invalid JSONata expression (value)", task(TimeoutSeconds="{% ( %}", **{"Arguments": {}}) | JSONATA_TOP,
     ("INVALID_JSONATA_EXPRESSION", "/States/S/TimeoutSeconds")),
    ("Seconds must be a non-negative integer or a JSONata expression", one({"Type": "Wait", "Seconds": -1, "End": True}, **JSONATA_TOP),
     (SCHEMA, "/States/S/Seconds")),
    ("These fields are required: [Resource]", one({"Type": "Task", "End": True}), (SCHEMA, "/States/S")),
    ("Resource must be a non-empty string", one({"Type": "Task", "Resource": "", "End": True}), (SCHEMA, "/States/S/Resource")),
    ("HeartbeatSeconds must be smaller than TimeoutSeconds", task(TimeoutSeconds=5, HeartbeatSeconds=5), (SCHEMA, "/States/S/HeartbeatSeconds")),
    ("These fields are required: [Choices]", one({"Type": "Choice", "Default": "S"}), (SCHEMA, "/States/S")),
    ("Choices must be a non-empty array", one({"Type": "Choice", "Choices": [], "Default": "S"}), (SCHEMA, "/States/S/Choices")),
    ("A Choice Rule must be an object", choice(1), (SCHEMA, "/States/S/Choices/0")),
    ("These fields are required: [Next] (Choice Rule)", choice({"Variable": "$.a", "IsPresent": True}), (SCHEMA, "/States/S/Choices/0")),
    ("compile_rule's ChoiceRuleError", choice({"Variable": "$.a", "NumericEquals": "x", "Next": "E"}), (SCHEMA, "/States/S/Choices/0")),
    ("Default must be a string", one({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "S"}], "Default": 1}),
     (SCHEMA, "/States/S/Default")),
    ("Field 'X' is not supported in a JSONata Choice Rule", choice({"Condition": True, "Next": "E", "Variable": "$.a"}, **JSONATA_TOP),
     (SCHEMA, "/States/S/Choices/0")),
    ("These fields are required: [Condition]", choice({"Next": "E"}, **JSONATA_TOP), (SCHEMA, "/States/S/Choices/0")),
    ("A Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath", one({"Type": "Wait", "End": True}), (SCHEMA, "/States/S")),
    ("Seconds must be a non-negative integer", one({"Type": "Wait", "Seconds": -1, "End": True}), (SCHEMA, "/States/S/Seconds")),
    ("Timestamp must be an ISO-8601 extended offset date-time string", one({"Type": "Wait", "Timestamp": "x", "End": True}),
     (SCHEMA, "/States/S/Timestamp")),
    ("SecondsPath must be a valid JSONPath", one({"Type": "Wait", "SecondsPath": "x", "End": True}), (SCHEMA, "/States/S/SecondsPath")),
    ("The fields Error and ErrorPath are mutually exclusive", one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}), (SCHEMA, "/States/S/Error")),
    ("ErrorPath must be a string", one({"Type": "Fail", "ErrorPath": 1}), (SCHEMA, "/States/S/ErrorPath")),
    ("ErrorPath must be a valid JSONPath or intrinsic function", one({"Type": "Fail", "ErrorPath": "States.Nope()"}), (SCHEMA, "/States/S/ErrorPath")),
    ("Error must be a string", one({"Type": "Fail", "Error": 1}), (SCHEMA, "/States/S/Error")),
    ("These fields are required: [Branches]", one({"Type": "Parallel", "End": True}), (SCHEMA, "/States/S")),
    ("Branches must be a non-empty array", one({"Type": "Parallel", "Branches": [], "End": True}), (SCHEMA, "/States/S/Branches")),
    ("The fields Iterator and ItemProcessor are mutually exclusive", a_map(Iterator={"StartAt": "Q", "States": {"Q": PASS}}),
     (SCHEMA, "/States/S/ItemProcessor")),
    ("These fields are required: [ItemProcessor]", one({"Type": "Map", "End": True}), (SCHEMA, "/States/S")),
    ("The field 'ItemReader' is only supported by a Map state whose ProcessorConfig Mode is DISTRIBUTED", a_map(ItemReader=S3_READER), None),
    ("The field 'ItemBatcher' is only supported by a Map state whose ProcessorConfig Mode is DISTRIBUTED", a_map(ItemBatcher={"MaxItemsPerBatch": 2}), None),
    ("Label must be at most 40 characters without whitespace or special characters", a_map(Label="a b"), ("INVALID_LABEL_NAME", "/States/S/Label")),
    ("ItemReader must be an object with a Resource", a_map(ItemReader={"Parameters": {}}), (SCHEMA, "/States/S/ItemReader")),
    ("ReaderConfig must be an object", a_map(ItemReader={**S3_READER, "ReaderConfig": 1}), (SCHEMA, "/States/S/ItemReader/ReaderConfig")),
    ("ItemBatcher must be an object", a_map(ItemBatcher=1), (SCHEMA, "/States/S/ItemBatcher")),
    ("ErrorEquals must be a non-empty array of strings", task(Retry=[{"ErrorEquals": []}]), (SCHEMA, "/States/S/Retry/0/ErrorEquals")),
    ("States.ALL must appear alone in ErrorEquals", task(Retry=[{"ErrorEquals": ["States.ALL", "E"]}]), (SCHEMA, "/States/S/Retry/0/ErrorEquals")),
    ("States.ALL must be in the last Retry entry", task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}]),
     (SCHEMA, "/States/S/Retry/0/ErrorEquals")),
    ("Retry must be an array", task(Retry={}), (SCHEMA, "/States/S/Retry")),
    ("A Retrier must be an object", task(Retry=[1]), (SCHEMA, "/States/S/Retry/0")),
    ("IntervalSeconds must be a positive integer", retrier(IntervalSeconds=0), (SCHEMA, "/States/S/Retry/0/IntervalSeconds")),
    ("MaxAttempts must be a non-negative integer", retrier(MaxAttempts=-1), (SCHEMA, "/States/S/Retry/0/MaxAttempts")),
    ("BackoffRate must be a number greater than or equal to 1.0", retrier(BackoffRate=0.5), (SCHEMA, "/States/S/Retry/0/BackoffRate")),
    ("MaxDelaySeconds must be an integer between 1 and 31622400", retrier(MaxDelaySeconds=0), (SCHEMA, "/States/S/Retry/0/MaxDelaySeconds")),
    ("JitterStrategy must be FULL or NONE", retrier(JitterStrategy="X"), (SCHEMA, "/States/S/Retry/0/JitterStrategy")),
    ("These fields are required: [Next] (Catcher)", task(Catch=[{"ErrorEquals": ["States.ALL"]}]), (SCHEMA, "/States/S/Catch/0")),
    ("Field 'X' is not supported in a JSONata Catcher", task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "S", "ResultPath": "$.e"}]) | JSONATA_TOP,
     (SCHEMA, "/States/S/Catch/0")),
    ("(a placeholder where a path is expected)", one({**PASS, "InputPath": "${Path}"}), None),
]


@pytest.mark.parametrize("check,definition,verdict", REMOVED_CHECKS, ids=[c[0][:60] for c in REMOVED_CHECKS])
def test_every_removed_builder_check_is_the_validators(check: str, definition: Any, verdict: tuple[str, str] | None) -> None:
    found = [(d.code, d.path) for d in asl_engine.validate(definition) if d.severity == "ERROR"]
    if verdict is None:
        assert found == []
        asl_engine.load(definition)
    else:
        assert verdict in found, found
    assert disagreement(definition) is None


# --------------------------------------------------------------------------- the built model has the model's types


def _conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` has type ``hint`` (unions, tuples, protocols by their members)."""
    origin = get_origin(hint)
    if hint is Any:
        return True
    if origin in (Union, UnionType):
        return any(_conforms(value, arg) for arg in get_args(hint))
    if hint is type(None):
        return value is None
    if origin is tuple:
        item = get_args(hint)[0]
        return isinstance(value, tuple) and all(_conforms(v, item) for v in value)
    if origin is not None:  # Mapping[...], Callable[...]
        return isinstance(value, origin) if isinstance(origin, type) and origin is not abc.Callable else callable(value)
    if getattr(hint, "_is_protocol", False):
        # (looked up on the type: a stand-in's members raise when used)
        return all(hasattr(type(value), m) or m in getattr(value, "__dict__", {}) for m in vars(hint) if not m.startswith("_"))
    if hint in (int, float):
        return isinstance(value, (int, float) if hint is float else int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _model_objects(root: Any) -> Iterator[Any]:
    """Every model record reachable from ``root`` (states, programs, rules, specs...)."""
    stack = [root]
    while stack:
        item = stack.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            yield item
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "raw")
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, abc.Mapping):
            stack.extend(item.values())


def _type_problems(machine: Any) -> list[str]:
    problems = []
    for record in _model_objects(machine.model):
        hints = get_type_hints(type(record), vars(states_module))
        for f in dataclasses.fields(record):
            value = getattr(record, f.name)
            if f.name != "raw" and not _conforms(value, hints[f.name]):
                problems.append(f"{type(record).__name__}.{f.name} = {value!r} is not {hints[f.name]}")
    return problems


def test_built_models_have_the_model_types() -> None:
    named = _repository_definitions()
    if validation_missing() is None and localstack_missing() is None:
        named += _validation_definitions() + _recorded_definitions()
    problems: list[tuple[str, list[str]]] = []
    built = 0
    for name, definition in named + list(mutations(named, SEED + 2, 1500)):
        try:
            machine = asl_engine.load(definition)
        except asl_engine.DefinitionError:
            continue
        built += 1
        if found := _type_problems(machine):
            problems.append((name, found))
    assert built > 100
    assert not problems, json.dumps(problems[:5], indent=1)


def test_a_validator_gap_is_an_engine_fault_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    # Should the builder ever meet a validated value it cannot compile, load()
    # raises EngineError naming the state (a bug of ours, exit 4), and the
    # agreement tests above report it as a disagreement.
    from asl_engine.definition import builder

    def broken(value: Any, name: str) -> Any:
        raise KeyError(name)

    monkeypatch.setitem(builder._COMPILERS, Compile.LITERAL, broken)
    definition = one({**PASS, "Result": 1})
    with pytest.raises(asl_engine.EngineError, match="cannot build /States/S"):
        asl_engine.load(definition)
    assert disagreement(definition) is not None
