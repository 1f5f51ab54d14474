"""AWS Step Functions Local's ``MockConfigFile.json``: read it, validate it, run with it.

The format (AWS's "Configuration file for mocked service integrations")::

    {
      "StateMachines": {
        "LambdaSQSIntegration": {
          "TestCases": {
            "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
            "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"}
          }
        }
      },
      "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "Hello"}}}},
        "MockedLambdaRetry": {
          "0":   {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}},
          "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
          "3":   {"Return": {"StatusCode": 200, "Payload": {"body": "Hello"}}}
        },
        "MockedSQSSuccess": {"0": {"Return": {"MessageId": "m-1"}}}
      }
    }

``load_mock_config(source)`` reads such a file (a path, JSON text or a
mapping) and validates all of it before anything runs; the first problem
raises ``MockConfigError`` with its JSON pointer (and ``file:line:column``
for text). ``MockConfig.mocks(state_machine, test_case)`` gives the
``mocks=`` argument of ``StateMachine.run``: state name -> responses in
invocation order.

Behaviour, following Step Functions Local:

* Invocation keys are ``"N"`` or inclusive ranges ``"N-M"``; together they
  must cover ``0, 1, 2, ...`` with no gap and no overlap (AWS: "you must
  specify a mocked response for every invocation"). Their order in the
  file does not matter.
* Every invocation of a mocked state takes the next response: retries, loop
  passes and Map iterations all count (one counter per state per execution).
* An invocation past the last response fails the Task with
  ``States.Runtime`` (AWS: "If you do not specify a mocked response, the
  state machine execution will fail"; Step Functions Local 2.0.0 fails it
  with ``States.Runtime``). The last response is not repeated.
  ``States.Runtime`` is never retried nor caught, so the execution fails.
* A mocked response with no invocation keys (``{}``) is accepted, as Step
  Functions Local accepts it: a state using it fails on its first invocation.
* A state the test case does not name runs its handler (or AWS), as Step
  Functions Local calls the real service.

Stricter than Step Functions Local, which looks a mocked response up only
when a state needs it: the whole file is checked up front, every test
case must name defined mocked responses, and unknown fields, duplicate
keys, a ``Throw`` without string ``Error`` and ``Cause``, and a response
with both or neither of ``Return``/``Throw`` are errors, so that a typo
cannot silently change what a test exercises.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any, Mapping

from ..dataflow.json_values import a_json_type, copy_json
from ..documents.pointers import last_segment, pointer
from ..documents.positions import Locator
from ..documents.text import MAX_DEPTH, parse_json
from ..documents.values import JsonTextError, read_text

from ..errors import AslEngineError
from .mocks import MockResponses

__all__ = ["MAX_INVOCATIONS", "MockConfig", "MockConfigError", "load_mock_config"]

MAX_INVOCATIONS = 1_000_000
"""Most invocations one mocked response may cover (``"0-999999"``). Far above
what an execution can make under AWS's 25,000-event history quota; it keeps a
typo such as ``"0-99999999999"`` from building a huge list."""

_TOP_FIELDS = ("StateMachines", "MockedResponses")
_KEY_RE = re.compile(r"([0-9]+)(?:-([0-9]+))?")


class MockConfigError(AslEngineError):
    """A mock config that cannot be used: malformed, or an unknown name asked for.

    ``pointer`` is the JSON pointer of the place (``/MockedResponses/X/1-2/Throw``,
    ``""`` for the whole document), ``message`` says what is wrong, ``file``,
    ``line`` and ``column`` (1-based) locate it in a file when known.
    ``str()`` is one line: ``file:line:column: /pointer: message`` (``<mock config>``
    stands for JSON text given without a file; the pointer is left out for
    the document as a whole).
    """

    def __init__(
        self,
        pointer: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.pointer = pointer
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.format())

    def format(self) -> str:
        """The one-line text: ``file:line:column: /pointer: message`` (the parts that are known)."""
        parts = []
        if self.file is not None or self.line is not None:
            where = self.file if self.file is not None else "<mock config>"
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            parts.append(where)
        if self.pointer:
            parts.append(_printable(self.pointer))
        parts.append(self.message)
        return ": ".join(parts)


def _printable(text: str) -> str:
    """``text`` with control characters escaped, so that a message stays on one line."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        return "".join(c if ord(c) >= 0x20 and c != "\x7f" else json.dumps(c)[1:-1] for c in text)
    return text


def _q(name: str) -> str:
    """A name quoted for a message (JSON string syntax: one line, quotes escaped)."""
    return json.dumps(name, ensure_ascii=False)


def _names(names: list[str]) -> str:
    return ", ".join(_q(n) for n in names) if names else "none"


class _Checker:
    """Raises the first problem of a document as a located ``MockConfigError``."""

    def __init__(self, file: str | None, locator: Locator | None) -> None:
        self.file = file
        self.locator = locator

    def error(self, ptr: str, message: str, key: bool = False) -> MockConfigError:
        where = self.locator.position(ptr, key) if self.locator is not None else None
        line, column = where if where is not None else (None, None)
        return MockConfigError(ptr, message, self.file, line, column)

    def obj(self, value: Any, ptr: str, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(ptr, f"{what} must be an object, got {a_json_type(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.error(ptr, f"{what} has a key that is not a string: {key!r}")
        return value

    def fields(self, value: Mapping[str, Any], ptr: str, what: str, allowed: tuple[str, ...]) -> None:
        """Unknown fields are errors; every allowed field is required."""
        for key in value:
            if key not in allowed:
                expected = " and ".join(allowed) if len(allowed) > 1 else f"only {allowed[0]}"
                raise self.error(_join(ptr, key), f"unknown field in {what} (it has {expected})", key=True)
        for key in allowed:
            if key not in value:
                raise self.error(ptr, f"{what} needs the field {_q(key)}")

    def json_value(self, value: Any, ptr: str, depth: int = 0) -> Any:
        """A copy of ``value`` as plain JSON (dicts, lists, scalars); an error for anything else."""
        if depth > MAX_DEPTH:
            raise self.error(ptr, f"the value nests more than {MAX_DEPTH} levels deep")
        if value is None or isinstance(value, (str, bool, int)):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.error(ptr, f"{value!r} is not a JSON number")
            return value
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise self.error(ptr, f"an object key must be a string, got {key!r}")
                out[key] = self.json_value(item, _join(ptr, key), depth + 1)
            return out
        if isinstance(value, (list, tuple)):
            return [self.json_value(item, f"{ptr}/{i}", depth + 1) for i, item in enumerate(value)]
        raise self.error(ptr, f"{a_json_type(value)} is not a JSON value")


def _join(ptr: str, key: str) -> str:
    """``ptr`` extended by one member name (RFC 6901 escaping)."""
    return ptr + pointer(key)


def _invocations(key: str) -> tuple[int, int] | None:
    match = _KEY_RE.fullmatch(key)
    if match is None:
        return None
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) is not None else start
    return start, end


class MockConfig:
    """A validated MockConfigFile: test cases by state machine, responses by name.

    Build it with ``load_mock_config``. Immutable; ``mocks()`` returns fresh
    objects on every call, so a run cannot change the config.
    """

    def __init__(
        self,
        cases: dict[str, dict[str, dict[str, str]]],
        responses: dict[str, list[tuple[int, int, dict[str, Any]]]],
        file: str | None = None,
        locator: Locator | None = None,
    ) -> None:
        self._cases = cases
        self._responses = responses
        self.file = file
        """The file the config was read from (``None`` for text or a mapping)."""
        self._locator = locator

    def __repr__(self) -> str:
        return f"<MockConfig {self.file or ''} state machines: {_names(self.state_machines)}>"

    @property
    def state_machines(self) -> list[str]:
        """The state machine names of ``StateMachines``, in file order."""
        return list(self._cases)

    def test_cases(self, state_machine: str) -> list[str]:
        """The test case names of ``state_machine``, in file order.

        Raises ``MockConfigError`` (listing the state machines there are)
        when the file has no such state machine.
        """
        return list(self._machine(state_machine))

    def mocks(self, state_machine: str, test_case: str) -> dict[str, list[dict[str, Any]]]:
        """The ``mocks=`` argument of ``StateMachine.run`` for one test case.

        State name -> its responses in invocation order (ranges expanded),
        each ``{"Return": value}`` or ``{"Throw": {"Error": e, "Cause": c}}``.
        Each list is a ``MockResponses``: an invocation past its end fails
        the Task with ``States.Runtime``. Raises ``MockConfigError``
        (listing what there is) for an unknown state machine or test case.
        """
        cases = self._machine(state_machine)
        if test_case not in cases:
            raise self._error(
                pointer("StateMachines", state_machine, "TestCases"),
                f"test case {_q(test_case)} is not defined for state machine {_q(state_machine)}"
                f" (it has {_names(list(cases))})",
            )
        out: dict[str, list[dict[str, Any]]] = {}
        for state_name, response_name in cases[test_case].items():
            expanded = MockResponses(origin=response_name)
            for start, end, response in self._responses[response_name]:
                shared = copy_json(response)  # one copy per key; documents are never mutated in a run
                expanded.extend([shared] * (end - start + 1))
            out[state_name] = expanded
        return out

    def _machine(self, state_machine: str) -> dict[str, dict[str, str]]:
        if state_machine not in self._cases:
            raise self._error(
                "/StateMachines",
                f"state machine {_q(state_machine)} is not in the mock config (it has {_names(self.state_machines)})",
            )
        return self._cases[state_machine]

    def _error(self, ptr: str, message: str) -> MockConfigError:
        return _Checker(self.file, self._locator).error(ptr, message)


def load_mock_config(source: str | os.PathLike[str] | Mapping[str, Any]) -> MockConfig:
    """Read and validate a Step Functions Local ``MockConfigFile.json``.

    ``source`` is a path (``str`` or ``os.PathLike``), JSON text (a ``str``
    starting with ``{``), or a mapping already parsed. The whole file is
    checked before this returns; the first problem raises ``MockConfigError``
    naming its place (JSON pointer, and ``file:line:column`` for text) and
    what is wrong. Never raises anything else for bad input.
    """
    file: str | None = None
    locator: Locator | None = None
    document: Any = source  # a mapping (or, wrongly, another value: reported as not an object)
    if isinstance(source, (str, os.PathLike)):
        is_text = isinstance(source, str) and (not source.strip() or source.lstrip().startswith(("{", "[")))
        text = source if is_text and isinstance(source, str) else None
        if text is None:
            file = os.fspath(source)
            try:
                text = read_text(file, "the mock config")  # the shared reader's words
            except JsonTextError as exc:
                raise MockConfigError("", str(exc), file) from None
        if not text.strip():
            raise MockConfigError("", "the mock config is empty: expected a JSON object with StateMachines and MockedResponses", file, 1, 1)
        document, diagnostics, locator = parse_json(text, file)
        if diagnostics:
            first = diagnostics[0]
            message = first.message
            if first.rule in ("syntax.duplicate-key", "names.duplicate-state"):
                key = last_segment(first.path)
                message = f"duplicate key {_q(key)}: the keys of an object must be unique"
            raise MockConfigError(first.path, message, file, first.line, first.column)
    return _build(document, _Checker(file, locator), file, locator)


def _build(document: Any, check: _Checker, file: str | None, locator: Locator | None) -> MockConfig:
    root = check.obj(document, "", "the mock config")
    check.fields(root, "", "the mock config", _TOP_FIELDS)
    machines = check.obj(root["StateMachines"], "/StateMachines", "StateMachines")
    mocked = check.obj(root["MockedResponses"], "/MockedResponses", "MockedResponses")

    cases: dict[str, dict[str, dict[str, str]]] = {}
    for machine_name, machine in machines.items():
        mptr = pointer("StateMachines", machine_name)
        what = f"state machine {_q(machine_name)}"
        check.fields(check.obj(machine, mptr, what), mptr, what, ("TestCases",))
        tptr = mptr + "/TestCases"
        test_cases = check.obj(machine["TestCases"], tptr, f"the TestCases of {what}")
        cases[machine_name] = {}
        for case_name, case in test_cases.items():
            cptr = _join(tptr, case_name)
            states = check.obj(case, cptr, f"test case {_q(case_name)}")
            mapping: dict[str, str] = {}
            for state_name, response_name in states.items():
                sptr = _join(cptr, state_name)
                if not isinstance(response_name, str):
                    raise check.error(sptr, f"the mocked response of state {_q(state_name)} must be a string"
                                            f" (a name in MockedResponses), got {a_json_type(response_name)}")
                if response_name not in mocked:
                    raise check.error(sptr, f"mocked response {_q(response_name)} is not defined in MockedResponses"
                                            f" (it has {_names(list(mocked))})")
                mapping[state_name] = response_name
            cases[machine_name][case_name] = mapping

    responses: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for response_name, invocations in mocked.items():
        rptr = pointer("MockedResponses", response_name)
        entries = check.obj(invocations, rptr, f"mocked response {_q(response_name)}")
        ranges: list[tuple[int, int, str, dict[str, Any]]] = []
        for key, response in entries.items():
            kptr = _join(rptr, key)
            span = _invocations(key)
            if span is None:
                raise check.error(kptr, f"invocation key {_q(key)} must be a number like \"0\" or an inclusive"
                                        " range like \"1-2\"", key=True)
            if span[0] > span[1]:
                raise check.error(kptr, f"invocation range {_q(key)} starts after it ends", key=True)
            ranges.append((span[0], span[1], key, _response(response, kptr, check)))
        ranges.sort(key=lambda r: r[0])
        expected = 0
        previous: str | None = None
        for start, end, key, _ in ranges:
            kptr = _join(rptr, key)
            if start < expected:
                last = min(end, expected - 1)
                overlap = f"{start}" if start == last else f"{start}-{last}"
                raise check.error(kptr, f"invocation key {_q(key)} overlaps {_q(previous or '')}: invocation"
                                        f"{'s' if '-' in overlap else ''} {overlap} would have two responses", key=True)
            if start > expected:
                missing = f"{expected}" if start == expected + 1 else f"{expected}-{start - 1}"
                raise check.error(kptr, f"no response for invocation{'s' if '-' in missing else ''} {missing}:"
                                        " invocation keys must cover 0, 1, 2, ... with no gap", key=True)
            expected = end + 1
            previous = key
            if expected > MAX_INVOCATIONS:
                raise check.error(kptr, f"invocation key {_q(key)} goes past invocation {MAX_INVOCATIONS - 1},"
                                        f" the most a mocked response may cover", key=True)
        responses[response_name] = [(start, end, response) for start, end, _, response in ranges]
    return MockConfig(cases, responses, file, locator)


def _response(value: Any, ptr: str, check: _Checker) -> dict[str, Any]:
    """One invocation's response, normalised to ``{"Return": v}`` or ``{"Throw": {"Error", "Cause"}}``."""
    response = check.obj(value, ptr, "a mocked response")
    for key in response:
        if key not in ("Return", "Throw"):
            raise check.error(_join(ptr, key), "unknown field in a mocked response (it has Return or Throw)", key=True)
    if len(response) != 1:
        raise check.error(ptr, "a mocked response has exactly one of Return or Throw"
                               + (", not both" if response else ", got neither"))
    if "Return" in response:
        return {"Return": check.json_value(response["Return"], ptr + "/Return")}
    tptr = ptr + "/Throw"
    throw = check.obj(response["Throw"], tptr, "Throw")
    check.fields(throw, tptr, "Throw", ("Error", "Cause"))
    for field in ("Error", "Cause"):
        if not isinstance(throw[field], str):
            raise check.error(f"{tptr}/{field}", f"{field} must be a string, got {a_json_type(throw[field])}")
    return {"Throw": {"Error": throw["Error"], "Cause": throw["Cause"]}}
