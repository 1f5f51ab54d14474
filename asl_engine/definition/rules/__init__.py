"""The validator's rules: one module per family of checks, each rule a generator.

A rule reads the raw document through the model built once by
``model.build_document`` and yields ``Issue``s; it never raises for bad
input and never stops at the first problem (model: python-jsonschema's
error generators). ``asl_engine.definition.validate`` runs every rule
registered here and turns the issues into ``Diagnostic``s with line:column.

Families:

* ``structure``: fields each object may/must/must not have, types, ranges,
  query-language-specific fields, ``Next``/``End``, Pass/Task/Wait/Fail/Choice
  values;
* ``transitions``: targets in scope, reachability, terminal states, names;
* ``paths``: JSONPath paths, reference paths, payload templates, intrinsic
  calls (and the NO_DOLLAR / NO_PATH / PASS_RESULT_IS_STATIC warnings);
* ``choice``: Choice Rules;
* ``retry_catch``: Retriers and Catchers;
* ``map_parallel``: Parallel branches, Map fields and processors, labels;
* ``resources``: Resource ARNs;
* ``jsonata``: ``{% %}`` expressions of JSONata states.
"""

from __future__ import annotations

from . import choice, jsonata, map_parallel, paths, resources, retry_catch, structure, transitions
from .model import Document, DocumentRule, Issue, Options, Scope, ScopeRule, StateNode, StateRule, build_document

__all__ = [
    "DOCUMENT_RULES",
    "Document",
    "Issue",
    "Options",
    "SCOPE_RULES",
    "STATE_RULES",
    "Scope",
    "StateNode",
    "build_document",
]

DOCUMENT_RULES: tuple[DocumentRule, ...] = (
    structure.check_root,
    transitions.check_names,
    map_parallel.check_labels,
)
"""Rules that look at the whole document once."""

SCOPE_RULES: tuple[ScopeRule, ...] = (
    map_parallel.check_sub_machine,
    transitions.check_scope_graph,
)
"""Rules run on every (sub-)state machine: the top level, branches, processors."""

STATE_RULES: tuple[StateRule, ...] = (
    structure.check_state,
    structure.check_state_values,
    choice.check_choice_rules,
    map_parallel.check_parallel,
    map_parallel.check_map,
    retry_catch.check_retry_catch,
    resources.check_resources,
    paths.check_paths,
    jsonata.check_jsonata,
)
"""Rules run on every state. Type-specific rules return at once for other types;
every rule but ``check_state`` skips a state whose ``Type`` is not valid."""
