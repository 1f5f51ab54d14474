"""What the rules look at: the raw document, cut into scopes and states once.

A rule never walks the document itself to find states: the walker
(``build_document``) lists every *scope* (the top level, each Parallel
branch, each Map ``ItemProcessor``/``Iterator``) and every *state* with its
JSON pointer, its type and its effective query language. Rules then read the
raw JSON values (``state.node``), which may be of any type: a rule must check
before it trusts.

A rule yields ``Issue``s: where (``pointer``, AWS's ``location``), what
(``message``, ``code``, ``severity``) and which check (``rule``). The walker
turns them into ``Diagnostic``s with line:column.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ...model.records import record
from ...diagnostics import ERROR
from ...documents.pointers import join, segments
from ..fields import JSONATA, JSONPATH, STATE_TYPES
from ..loader import PLACEHOLDER_RE

__all__ = [
    "DocumentRule",
    "Document",
    "Issue",
    "JSONATA",
    "JSONPATH",
    "Options",
    "SCHEMA",
    "Scope",
    "ScopeRule",
    "StateNode",
    "STATE_TYPES",
    "StateRule",
    "build_document",
]

SCHEMA = "SCHEMA_VALIDATION_FAILED"


@record
class Issue:
    """One problem found by a rule.

    ``pointer`` is the JSON pointer AWS would report as ``location``; ``at``
    (default: ``pointer``) is where line:column should point, and ``key``
    asks for the member's name rather than its value (``"Foo": ...`` for an
    unsupported field ``Foo``).
    """

    pointer: str
    message: str
    rule: str
    code: str = SCHEMA
    severity: str = ERROR
    at: str | None = None
    key: bool = False


@record
class Options:
    """How to read the document.

    ``state_machine_type``: ``STANDARD`` or ``EXPRESS`` (Express machines
    refuse ``.sync`` and ``.waitForTaskToken`` integrations).
    ``template``: the definition sits in a CloudFormation/SAM template, so a
    CloudFormation intrinsic (``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``) may
    stand for any value.
    ``substitutions``: the placeholders ``${Name}`` that will be replaced
    (``DefinitionSubstitutions``); ``None`` (a standalone file, e.g. a SAM
    ``DefinitionUri`` file) accepts every placeholder.
    """

    state_machine_type: str = "STANDARD"
    template: bool = False
    substitutions: frozenset[str] | None = None


@dataclass(slots=True, eq=False)
class Scope:
    """A (sub-)state machine: an object with ``StartAt`` and ``States``."""

    node: dict[str, Any]
    pointer: str
    parent: "StateNode | None"
    kind: str  # "top", "branch", "processor"
    distributed: bool = False
    states: dict[str, "StateNode"] = field(default_factory=dict)

    @property
    def states_pointer(self) -> str:
        return self.pointer + "/States"


@dataclass(slots=True, eq=False)
class StateNode:
    """One entry of a ``States`` object; ``node`` is its raw value (any JSON)."""

    name: str
    node: Any
    pointer: str
    scope: Scope
    type: str | None  # one of STATE_TYPES, else None
    query_language: str  # effective: JSONPath or JSONata

    @property
    def raw(self) -> dict[str, Any]:
        """The state's object ({} when the state is not an object)."""
        return self.node if isinstance(self.node, dict) else {}

    @property
    def jsonata(self) -> bool:
        return self.query_language == JSONATA

    def at(self, *parts: object) -> str:
        """The pointer of a member of this state: ``state.at("Retry", 0)``."""
        return join(self.pointer, *parts)


class Document:
    """The whole definition as the rules see it."""

    __slots__ = ("root", "options", "query_language", "scopes", "states")

    def __init__(self, root: Any, options: Options) -> None:
        self.root = root
        self.options = options
        self.query_language = resolve_language(root, JSONPATH)
        self.scopes: list[Scope] = []
        self.states: list[StateNode] = []

    def order(self, pointer: str) -> tuple[int, ...]:
        """Where ``pointer`` is in document order (the index of each step in its parent)."""
        return document_order(self.root, pointer)

    def opaque(self, value: Any) -> bool:
        """Whether ``value`` stands for something only known at deploy time.

        A string with a ``${Name}`` placeholder that will be substituted, or
        (in a template) a CloudFormation intrinsic function object. Rules
        that check a value's format skip opaque values.
        """
        if isinstance(value, str):
            if "${" not in value:
                return False
            subs = self.options.substitutions
            return any(subs is None or m.group(0)[2:-1] in subs for m in PLACEHOLDER_RE.finditer(value))
        if isinstance(value, dict) and self.options.template and len(value) == 1:
            name = str(next(iter(value)))
            return name == "Ref" or name.startswith("Fn::")
        return False


def document_order(document: Any, pointer: str) -> tuple[int, ...]:
    """Where ``pointer`` is in document order: the index of each step in its parent
    (a missing member sorts after its existing siblings)."""
    order: list[int] = []
    node = document
    for step in segments(pointer):
        if isinstance(node, dict) and step in node:
            order.append(list(node).index(step))
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            order.append(int(step))
            node = node[int(step)]
        else:
            order.append(1 << 30)
            break
    return tuple(order)


def resolve_language(owner: Any, inherited: str) -> str:
    """The query language of a state (or of the machine): inherited when
    ``QueryLanguage`` is absent; JSONPath only when it is exactly "JSONPath",
    JSONata for any other value (what AWS does, besides reporting the value)."""
    if not isinstance(owner, dict) or "QueryLanguage" not in owner:
        return inherited
    return JSONPATH if owner["QueryLanguage"] == JSONPATH else JSONATA


def _processor_is_distributed(processor: Any) -> bool:
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    return isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"


def build_document(root: Any, options: Options) -> Document:
    """List every scope and state of ``root`` (iteratively: depth is bounded by the loader)."""
    doc = Document(root, options)
    if not isinstance(root, dict):
        return doc
    pending: deque[tuple[dict[str, Any], str, StateNode | None, str, bool]] = deque([(root, "", None, "top", False)])
    while pending:
        node, ptr, parent, kind, distributed = pending.popleft()
        scope = Scope(node, ptr, parent, kind, distributed)
        doc.scopes.append(scope)
        states = node.get("States")
        if not isinstance(states, dict):
            continue
        for name, raw in states.items():
            sp = join(ptr, "States", name)
            state_type = raw.get("Type") if isinstance(raw, dict) else None
            if state_type not in STATE_TYPES:
                state_type = None
            language = resolve_language(raw, doc.query_language)
            state = StateNode(name, raw, sp, scope, state_type, language)
            scope.states[name] = state
            doc.states.append(state)
            if state_type == "Parallel":
                branches = raw.get("Branches")
                if isinstance(branches, list):
                    for i, branch in enumerate(branches):
                        if isinstance(branch, dict):
                            pending.append((branch, f"{sp}/Branches/{i}", state, "branch", False))
            elif state_type == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    processor = raw.get(key)
                    if isinstance(processor, dict):
                        pending.append((processor, f"{sp}/{key}", state, "processor",
                                        key == "ItemProcessor" and _processor_is_distributed(processor)))
    return doc


DocumentRule = Callable[[Document], Iterator[Issue]]
ScopeRule = Callable[[Scope, Document], Iterator[Issue]]
StateRule = Callable[[StateNode, Document], Iterator[Issue]]
