"""JSONPath as AWS (Jayway) evaluates it."""

import pytest

from asl_engine.dataflow.jsonpath import Env, PathError, PathNotFound, compile_path, compile_reference_path, set_path

DOC = {"a": {"b": [10, 20, 30]}, "items": [{"n": 1}, {"n": 2}, {"n": 3}], "k y": 5}


@pytest.mark.parametrize(
    "path, expected",
    [
        ("$", DOC),
        ("$.a.b[0]", 10),
        ("$.a.b[-1]", 30),
        ("$['k y']", 5),
        ("$.items[*].n", [1, 2, 3]),
        ("$.items[0:2]", [{"n": 1}, {"n": 2}]),
        ("$.a.b[0,2]", [10, 30]),
        ("$.items[?(@.n > 1)].n", [2, 3]),
        ("$..n", [1, 2, 3]),
    ],
)
def test_get(path, expected):
    assert compile_path(path).get(DOC) == expected


def test_missing_leaf_uses_jayway_no_results_text():
    with pytest.raises(PathNotFound) as info:
        compile_path("$.NoSuchInputPath").get({})
    assert info.value.message == "No results for path: $['NoSuchInputPath']"


def test_missing_inner_step_uses_jayway_missing_property_text():
    with pytest.raises(PathNotFound) as info:
        compile_path("$.no.such.result.path").get({})
    assert info.value.message == "Missing property in path $['no']"


def test_indefinite_path_with_no_match_is_empty_list():
    assert compile_path("$.items[:1]").get({}) == []


def test_context_and_variable_roots():
    env = Env({"Execution": {"Id": "arn"}}, {"total": {"sum": 3}})
    assert compile_path("$$.Execution.Id").get({}, env) == "arn"
    assert compile_path("$total.sum").get({}, env) == 3


def test_exists():
    assert compile_path("$.a.b").exists(DOC)
    assert not compile_path("$.a.c").exists(DOC)


def test_invalid_paths_are_rejected_at_compile_time():
    for text in ("a.b", "$.a[", "$.a[x]"):
        with pytest.raises(PathError):
            compile_path(text)


def test_reference_path_rejects_indefinite_and_context_paths():
    for text in ("$.a[*]", "$$.Execution", "$.a..b"):
        with pytest.raises(PathError):
            compile_reference_path(text)


def test_set_path_creates_objects_and_never_mutates_the_input():
    doc = {"a": {"x": 1}}
    out = set_path(doc, compile_reference_path("$.a.b.c"), 5)
    assert out == {"a": {"x": 1, "b": {"c": 5}}}
    assert doc == {"a": {"x": 1}}
