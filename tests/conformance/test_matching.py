"""Unit tests of the placeholder-aware comparer and the case helpers (no corpus needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import corpus
from .corpus import Case, feature_gap_reason, nested_state_names, state_types
from .matching import Matcher, tokens_for_case
from .runner import (
    ReplayMock,
    emulate_parallel_normaliser,
    build_mocks,
    compare_history_multiset,
    compare_history_sequence,
    simplify_event,
    task_response,
)


def m(*tokens: str, parse: bool = False) -> Matcher:
    return Matcher(tokens, parse_json_strings=parse)


# ------------------------------------------------------------- plain values
@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, 1, -2.5, "", "text", [], {}, [1, "a", None], {"a": {"b": [1, 2]}}],
)
def test_equal_values_match(value):
    assert m().match(value, json.loads(json.dumps(value))) is None


def test_dict_key_order_is_ignored():
    assert m().match({"a": 1, "b": 2}, {"b": 2, "a": 1}) is None


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (True, 1),
        (1, True),
        (0, False),
        (None, "null"),
        (1, "1"),
        ("1", 1),
        ([1, 2], [2, 1]),
        ([1], [1, 1]),
        ({"a": 1}, {"a": 1, "b": 2}),
        ({"a": 1, "b": 2}, {"a": 1}),
        ({}, []),
        (1, 1.0),
        (0.0, 0),
    ],
)
def test_different_values_do_not_match(expected, actual):
    assert m().match(expected, actual) is not None


def test_int_float_mismatch_explains_json_form():
    found = m().match({"x": 1.0}, {"x": 1})
    assert found is not None
    assert found.path == "$.x"
    assert "wrong JSON form" in found.message


# ------------------------------------------------------------- placeholders
def test_angle_token_is_wildcard_inside_string():
    expected = "arn:<partition>:lambda:<region>:111111111111:function:<lambda_function_name>"
    actual = "arn:aws:lambda:us-east-1:111111111111:function:my-fn"
    assert m().match(expected, actual) is None  # <...> tokens need not be listed


def test_wildcard_does_not_swallow_literal_text():
    expected = "arn:<partition>:lambda:<region>:111111111111:function:x"
    assert m().match(expected, "arn:aws:lambda:us-east-1:222222222222:function:x") is not None
    assert m().match(expected, "arn:aws:lambda:us-east-1:111111111111:function:y") is not None


def test_whole_token_matches_any_json_value():
    matcher = m("RandomNumberGenerated")
    assert matcher.match({"n": "RandomNumberGenerated"}, {"n": 42}) is None
    assert matcher.match({"n": "<json-input:1>"}, {"n": {"deep": [1]}}) is None
    assert matcher.match("<uuid:1>", None) is None


def test_listed_literal_token_is_wildcard_inside_string():
    matcher = m("bucket-name")
    assert matcher.match("s3://bucket-name/key", "s3://my-real-bucket/key") is None
    assert matcher.match("s3://bucket-name/key", "s3://my-real-bucket/other") is not None


def test_unlisted_literal_word_is_not_a_wildcard():
    assert m().match("bucket-name", "other") is not None


def test_date_and_timestamp_are_whole_value_wildcards():
    matcher = m()
    assert matcher.match({"StartDate": "date"}, {"StartDate": "2024-01-01T00:00:00.000Z"}) is None
    assert matcher.match({"ts": "timestamp"}, {"ts": 1700000000}) is None
    # not listed: only the whole value is a wildcard, not the word inside a string
    assert matcher.match("update", "upXYZ") is not None


def test_account_token_when_listed():
    assert m("111111111111").match("acct 111111111111", "acct 123456789012") is None
    assert m().match("acct 111111111111", "acct 123456789012") is not None


def test_longest_token_wins():
    matcher = m("<uuid:1>", "<uuid:10>")
    assert matcher.match("id=<uuid:10>;", "id=abc;") is None


def test_regex_metacharacters_are_literal():
    matcher = m()
    assert matcher.match("a.b*c (<uuid:1>) [x]", "a.b*c (zzz) [x]") is None
    assert matcher.match("a.b*c (<uuid:1>) [x]", "aXb*c (zzz) [x]") is not None


def test_wildcard_spans_newlines():
    assert m().match("start <uuid:1> end", "start line1\nline2 end") is None


def test_tokens_for_case_collects_every_list():
    tokens = tokens_for_case({"output": ["<uuid:1>", "date"], "task_results": ["bucket-name"]})
    assert tokens == {"<uuid:1>", "date", "bucket-name"}
    assert tokens_for_case(None) == set()


def test_placeholder_inside_json_text_string():
    expected = '{"errorMessage": "boom", "requestId": "<uuid:4>"}'
    actual = '{"errorMessage": "boom", "requestId": "8f1c-42"}'
    assert m().match({"Cause": expected}, {"Cause": actual}) is None


def test_key_with_placeholder_pairs_with_leftover_key():
    assert m().match({"<uuid:1>": 1, "a": 2}, {"a": 2, "f00": 1}) is None
    assert m().match({"<uuid:1>": 1, "a": 2}, {"a": 2, "f00": 3}) is not None


# ---------------------------------------------------------------- JSON text
def test_cause_object_is_compared_parsed():
    expected = {"errorMessage": "Some exception", "requestId": "<uuid:1>", "stackTrace": ["x"]}
    text = '{"errorMessage":"Some exception","requestId":"abc","stackTrace":["x"]}'
    assert m().match_cause(expected, text) is None
    assert m().match_cause(expected, json.dumps(dict(expected, errorMessage="other"))) is not None


def test_cause_object_against_non_json_text():
    found = m().match_cause({"a": 1}, "not json")
    assert found is not None and "not valid JSON" in found.message
    found = m().match_cause({"a": 1}, None)
    assert found is not None


def test_cause_string_is_compared_as_string():
    assert m().match_cause("plain cause", "plain cause") is None
    assert m().match_cause("plain cause", "other") is not None


def test_json_strings_parsed_only_when_enabled():
    expected = '{"a": 1, "b": "<uuid:1>"}'
    actual = '{"b":"x","a":1}'
    assert m().match(expected, actual) is not None
    assert m(parse=True).match(expected, actual) is None
    assert m(parse=True).match(expected, '{"b":"x","a":2}') is not None
    # non-JSON strings still compare as strings
    assert m(parse=True).match("{not json", "{not json") is None
    assert m(parse=True).match("{not json", "{other") is not None


# ------------------------------------------------------------- diff quality
def test_mismatch_names_path_expected_and_actual():
    expected = {"result": {"items": [1, {"name": "a"}]}}
    actual = {"result": {"items": [1, {"name": "b"}]}}
    found = m().match(expected, actual)
    assert found is not None
    assert found.path == "$.result.items[1].name"
    text = str(found)
    assert '"a"' in text and '"b"' in text and "$.result.items[1].name" in text
    assert "first difference at character 0" in text


def test_missing_and_extra_keys_are_listed():
    found = m().match({"a": 1, "b": 2}, {"a": 1, "c": 3})
    assert found is not None
    assert '"b"' in found.message and '"c"' in found.message
    assert found.path == "$"


def test_path_quotes_unusual_keys():
    found = m().match({"Result.$": {"x y": 1}}, {"Result.$": {"x y": 2}})
    assert found is not None and found.path == '$["Result.$"]["x y"]'


def test_array_length_message():
    found = m().match([1, 2, 3], [1, 2])
    assert found is not None and "expected 3 items, got 2" in found.message
    found = m().match([1, 2], [1, 3, 4])
    assert found is not None and found.path == "$[1]" and "3 items" in str(found)


def test_type_mismatch_message():
    found = m().match({"a": [1]}, {"a": {"0": 1}})
    assert found is not None and "expected an array, got object" in found.message


def test_one_line_has_no_newline():
    found = m().match({"a": "x\ny"}, {"a": "x\nz"})
    assert found is not None and "\n" not in found.one_line()


# ------------------------------------------------------------------ history
def test_simplify_event_shapes():
    assert simplify_event({"type": "ExecutionStarted", "executionStartedEventDetails": {}}) == {
        "type": "ExecutionStarted"
    }
    assert simplify_event({"type": "PassStateEntered", "stateEnteredEventDetails": {"name": "P"}}) == {
        "type": "PassStateEntered", "name": "P",
    }
    assert simplify_event({"type": "MapStateExited", "stateExitedEventDetails": {"name": "M"}}) == {
        "type": "MapStateExited", "name": "M",
    }
    assert simplify_event(
        {"type": "MapIterationStarted", "mapIterationStartedEventDetails": {"name": "M", "index": 2}}
    ) == {"type": "MapIterationStarted", "name": "M", "index": 2}


def test_history_sequence_diff():
    exp = [{"type": "ExecutionStarted"}, {"type": "PassStateEntered", "name": "A"}, {"type": "ExecutionSucceeded"}]
    assert compare_history_sequence(exp, list(exp)) is None
    act = [{"type": "ExecutionStarted"}, {"type": "PassStateEntered", "name": "B"}, {"type": "ExecutionSucceeded"}]
    one_line, details = compare_history_sequence(exp, act)
    assert "event 2" in one_line and "'A'" in one_line and "'B'" in one_line
    assert "-PassStateEntered 'A'" in details and "+PassStateEntered 'B'" in details
    one_line, _ = compare_history_sequence(exp, exp[:2])
    assert "<end of history>" in one_line


def test_history_multiset_ignores_order():
    exp = [{"type": "MapIterationStarted", "name": "M", "index": 0}, {"type": "MapIterationStarted", "name": "M", "index": 1}]
    assert compare_history_multiset(exp, list(reversed(exp))) is None
    one_line, _ = compare_history_multiset(exp, exp[:1])
    assert "missing [MapIterationStarted 'M' #1]" in one_line


# ---------------------------------------------------------------- mocks etc
def _case(**raw) -> Case:
    base = {
        "id": "tests/aws/services/stepfunctions/v2/scenarios/test_x.py::TestX::test_y[p]#k",
        "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        "expected": {"status": "SUCCEEDED", "output": {}},
        "task_results": {},
        "placeholders": {},
        "history": None,
    }
    base.update(raw)
    return Case(file=Path("x.json"), raw=base)


def test_case_ids():
    case = _case()
    assert case.folder == "scenarios"
    assert case.short_id == "scenarios/test_x.test_y[p]#k"
    top = _case(id="tests/aws/services/stepfunctions/v2/test_sfn_api.py::TestSnfApi::test_start_execution#r")
    assert top.folder == "test_sfn_api.py"
    assert top.short_id == "test_sfn_api.test_start_execution#r"


def test_task_response_shapes():
    assert task_response({"event": "TaskSucceeded", "output": {"a": 1}}) == {"Return": {"a": 1}}
    assert task_response({"event": "LambdaFunctionSucceeded", "output": None}) == {"Return": None}
    assert task_response({"event": "TaskFailed", "error": "E", "cause": "c"}) == {"Throw": {"Error": "E", "Cause": "c"}}
    assert task_response({"event": "TaskFailed", "error": "E"}) == {"Throw": {"Error": "E"}}
    parsed = task_response({"event": "TaskFailed", "error": "E", "cause": {"k": 1}, "cause_text": "parsed-object"})
    assert json.loads(parsed["Throw"]["Cause"]) == {"k": 1}
    for event in ("TaskTimedOut", "LambdaFunctionTimedOut", "ActivityTimedOut"):
        assert task_response({"event": event, "error": "States.Timeout"}) == {"Throw": {"Error": "States.Timeout"}}


class _Request:
    def __init__(self, parameters=None, map_index=None):
        self.state_name = "T"
        self.resource = "r"
        self.parameters = parameters
        self.map_index = map_index
        self.attempt = 0


def test_replay_mock_picks_by_parameters_then_order():
    entries = [
        {"event": "TaskSucceeded", "output": 1, "parameters": {"x": 1}},
        {"event": "TaskSucceeded", "output": 2, "parameters": {"x": 2, "id": "<uuid:1>"}},
        {"event": "TaskSucceeded", "output": 3},
    ]
    log: list[str] = []
    mock = ReplayMock("T", entries, m(), False, log)
    assert mock(_Request({"x": 2, "id": "zz"})) == {"Return": 2}
    assert mock(_Request({"x": 9})) == {"Return": 3}  # entry without parameters matches anything
    assert mock(_Request({"x": 1})) == {"Return": 1}
    result = mock(_Request({"x": 1}))
    assert result["Throw"]["Error"] == "Conformance.NoRecordedResult"
    assert log and "called more often than recorded" in log[-1]


def test_replay_mock_picks_by_map_index_and_pends():
    entries = [
        {"event": "TaskSucceeded", "output": "i0", "map_iteration_index": 0},
        {"event": "TaskSucceeded", "output": "i1", "map_iteration_index": 1},
    ]
    mock = ReplayMock("T", entries, m(), True, [])
    assert mock(_Request(map_index=1)) == {"Return": "i1"}
    assert mock(_Request(map_index=0)) == {"Return": "i0"}
    assert mock(_Request(map_index=2)) == {"Pending": True}


def test_build_mocks_lists_and_callables():
    definition = {
        "StartAt": "Seq",
        "States": {
            "Seq": {"Type": "Task", "Resource": "r", "Next": "P"},
            "P": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "InBranch", "States": {"InBranch": {"Type": "Task", "Resource": "r", "End": True}}},
                {"StartAt": "Stuck", "States": {"Stuck": {"Type": "Task", "Resource": "r", "End": True}}},
            ]},
        },
    }
    case = _case(
        definition=definition,
        task_results={
            "Seq": [{"event": "TaskFailed", "error": "E"}, {"event": "TaskSucceeded", "output": {"ok": 1}}],
            "InBranch": [{"event": "TaskSucceeded", "output": 5}],
        },
        tasks_without_recorded_result=["Stuck"],
    )
    assert nested_state_names(definition) == {"InBranch", "Stuck"}
    assert state_types(definition) == {"Task", "Parallel"}
    mocks = build_mocks(case)
    assert mocks["Seq"] == [{"Throw": {"Error": "E"}}, {"Return": {"ok": 1}}]
    assert isinstance(mocks["InBranch"], ReplayMock)
    assert mocks["Stuck"] == [{"Pending": True}]


def test_feature_gap_reasons():
    assert feature_gap_reason(["state:Pass", "service:lambda", "service:lambda(function-arn)"]) is None
    assert feature_gap_reason(["query:JSONata", "variables", "Map:distributed"]) is None
    reason = feature_gap_reason(["service:sqs", "waitForTaskToken"])
    assert "sqs" in reason and ".waitForTaskToken" in reason and "#5" in reason
    assert "activities" in feature_gap_reason(["service:activity"])


def test_corpus_dir_env_accepts_both_forms(tmp_path, monkeypatch):
    cases = tmp_path / "localstack" / "cases"
    cases.mkdir(parents=True)
    (cases / "a.json").write_text("{}")
    monkeypatch.setenv(corpus.ENV_VAR, str(tmp_path / "localstack"))
    assert corpus.cases_dir() == cases
    monkeypatch.setenv(corpus.ENV_VAR, str(cases))
    assert corpus.cases_dir() == cases
    assert corpus.corpus_missing_reason() is None
    monkeypatch.setenv(corpus.ENV_VAR, str(tmp_path / "nowhere"))
    assert corpus.cases_dir() is None
    reason = corpus.corpus_missing_reason()
    assert "does not exist" in reason and corpus.ENV_VAR in reason


def test_known_gaps_file_is_well_formed():
    raw = json.loads(corpus.KNOWN_GAPS_FILE.read_text(encoding="utf-8"))
    assert isinstance(raw, list)
    for entry in raw:
        assert set(entry) == {"id", "reason"}, entry
        assert entry["reason"].strip(), entry
    corpus.load_known_gaps()  # no duplicates


def test_pattern_failure_explains_missing_literal():
    expected = '{"errorMessage": "Some exception", "requestId": "<uuid:4>", "x": 1}'
    actual = '{"errorMessage": "Other exception", "requestId": "abc", "x": 1}'
    found = m().match(expected, actual)
    assert found is not None
    text = str(found)
    assert "at character 18: expected literal 'Some exception" in text
    found = m().match("a-<uuid:1>-tail", "a-x-other")
    assert "literal '-tail' not found" in str(found)
    found = m().match("<uuid:1>:x", "q:xyz")
    assert found is not None


def test_json_text_formatting_difference_is_named():
    found = m().match('{"a": 1, "b": 2}', '{"a":1,"b":2}')
    assert found is not None
    assert "only the text formatting differs" in str(found)
    found = m().match('{"a": 1, "b": "<uuid:1>"}', '{"a":2,"b":"x"}')
    assert "as parsed JSON: at $.a" in str(found)


def _events(*texts: str) -> list[dict]:
    out = []
    for text in texts:
        kind, _, name = text.partition(" ")
        out.append({"type": kind, "name": name} if name else {"type": kind})
    return out


def test_parallel_normaliser_emulation_drops_what_the_snapshot_tool_dropped():
    # Nested Parallel as AWS emits it; the recorded history (after LocalStack's
    # SfnNoneRecursiveParallelTransformer) lacks both ParallelStateSucceeded
    # events and the inner ParallelStateExited.
    engine = _events(
        "ExecutionStarted", "ParallelStateEntered L1", "ParallelStateStarted",
        "ParallelStateEntered L2", "ParallelStateStarted", "PassStateEntered B", "PassStateExited B",
        "ParallelStateSucceeded", "ParallelStateExited L2", "ParallelStateSucceeded",
        "ParallelStateExited L1", "ExecutionSucceeded",
    )
    recorded = _events(
        "ExecutionStarted", "ParallelStateEntered L1", "ParallelStateStarted",
        "ParallelStateEntered L2", "ParallelStateStarted", "PassStateEntered B", "PassStateExited B",
        "ParallelStateExited L1", "ExecutionSucceeded",
    )
    assert compare_history_multiset(recorded, emulate_parallel_normaliser(engine)) is None
    # a flat Parallel loses only its ParallelStateSucceeded
    flat = _events("ParallelStateStarted", "PassStateEntered A", "PassStateExited A",
                   "ParallelStateSucceeded", "ParallelStateExited P", "ExecutionSucceeded")
    assert [e["type"] for e in emulate_parallel_normaliser(flat)] == [
        "ParallelStateStarted", "PassStateEntered", "PassStateExited", "ParallelStateExited", "ExecutionSucceeded"
    ]
    # a failed Parallel (single closing event) keeps everything
    failed = _events("ParallelStateStarted", "FailStateEntered F", "ParallelStateFailed", "ExecutionFailed")
    assert emulate_parallel_normaliser(failed) == failed
