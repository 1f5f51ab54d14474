"""Which JSONata expressions may read ``$states.context`` (the interpreter builds
the context object only for those): the check must never say no wrongly."""

import pytest

import asl_engine
from asl_engine.dataflow.jsonata_text import reads_context


@pytest.mark.parametrize("text", [
    "{% $states.context.Execution.Id %}",
    "{% $states.'context' %}",
    "{% $keys($states) %}",
    "{% $string($states) %}",
    "{% ($s := $states; $s.input) %}",
    "{% $lookup($states, 'con' & 'text') %}",
    "{% $states.$keys() %}",
    "{% $states %}",
])
def test_may_read_the_context(text: str) -> None:
    assert reads_context(text)


@pytest.mark.parametrize("text", [
    "{% $states.input.value %}",
    "{% $merge([$states.input, {'a': $states.result.x}]) %}",
    "{% $states . input %}",
    "{% $states.errorOutput.Error %}",
])
def test_reads_only_the_data(text: str) -> None:
    assert not reads_context(text)


def test_a_pass_state_reads_the_context_when_it_asks_for_it() -> None:
    machine = asl_engine.load({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": "{% [$states.input.a, $keys($states)] %}", "Next": "Q"},
        "Q": {"Type": "Pass", "Output": "{% $states.context.State.Name %}", "End": True}}})
    first = machine.run({"a": 1}).history[2]["stateExitedEventDetails"]["output"]
    assert first == '[1,"input","context"]'  # JSONata flattens the array into the constructor
    assert machine.run({"a": 1}).output == "Q"
