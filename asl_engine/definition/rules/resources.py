"""Task ``Resource`` (and ``ItemReader``/``ResultWriter`` ``Resource``) ARNs.

AWS refuses a Resource that is not an ARN with "Value is not a valid resource
ARN" (SCHEMA_VALIDATION_FAILED). The ASL spec only asks for a URI, so
``foo:bar`` is spec-valid; we follow AWS. Checked here:

* the ARN shape ``arn:<partition>:<service>:<region>:<account>:<resource>``
  (partition, service and resource not empty; region and account may be);
* Lambda function ARNs: a function name of letters, digits, ``-`` and ``_``,
  and an optional version or alias qualifier (``$LATEST``, digits, or
  letters, digits, ``-``, ``_``);
* service integrations ``arn:<partition>:states:::<service>:<action>`` with
  an optional ``.sync``, ``.sync:2`` or ``.waitForTaskToken`` suffix; an
  EXPRESS state machine refuses ``.sync`` and ``.waitForTaskToken`` (AWS:
  "Express state machine does not support '.waitForTaskToken' service
  integration").

A ``${Name}`` placeholder that will be substituted, or a CloudFormation
intrinsic inside a template, is accepted as is: its value is not known yet.
"""

from __future__ import annotations

from typing import Any, Iterator

from ...model.arns import Arn

from .common import describe_type
from .model import Document, Issue, StateNode

__all__ = ["check_resources", "resource_problem"]

INVALID_RESOURCE = "INVALID_RESOURCE"
def resource_problem(value: str) -> tuple[str, str, str] | None:
    """``(code, rule, message)`` when ``value`` is not a usable resource ARN, else ``None``."""
    arn = Arn.parse(value)
    if arn is None:
        return "SCHEMA_VALIDATION_FAILED", "resources.arn", "Value is not a valid resource ARN"
    if any(ch.isspace() for ch in value):
        return "SCHEMA_VALIDATION_FAILED", "resources.arn", "Value is not a valid resource ARN (it contains whitespace)"
    if not arn.valid_function:
        return INVALID_RESOURCE, "resources.arn", (
            "Invalid Lambda function ARN: the function name may only contain letters, digits, '-' and '_', "
            "and the optional qualifier must be $LATEST, a version or an alias"
        )
    if arn.is_integration and not arn.valid_integration:
        return INVALID_RESOURCE, "resources.arn", (
            f"The resource provided {value} is not recognized. The value is not a valid resource ARN, "
            "or the resource is not available in this region."
        )
    return None


def check_resources(state: StateNode, doc: Document) -> Iterator[Issue]:
    """The resource ARNs of a Task state, or of a Map's ItemReader and ResultWriter."""
    node = state.raw
    if state.type == "Task" and "Resource" in node:
        yield from _resource(doc, node["Resource"], state.at("Resource"), task=True)
    elif state.type == "Map":
        for key in ("ItemReader", "ResultWriter"):
            holder = node.get(key)
            if isinstance(holder, dict) and "Resource" in holder:
                yield from _resource(doc, holder["Resource"], state.at(key, "Resource"), task=False)


def _resource(doc: Document, value: Any, where: str, task: bool) -> Iterator[Issue]:
    if doc.opaque(value):
        return
    if isinstance(value, dict) and len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
        yield Issue(where, "Value is not a valid resource ARN: a CloudFormation intrinsic function is only resolved inside a "
                    "template (validate the template instead)", "resources.arn")
        return
    if not isinstance(value, str):
        yield Issue(where, f"Expected value of type [STRING] for 'Resource', not {describe_type(value)}", "structure.type")
        return
    problem = resource_problem(value)
    if problem is not None:
        code, rule, message = problem
        yield Issue(where, message, rule, code=code)
        return
    if task and doc.options.state_machine_type == "EXPRESS":
        for suffix in (".waitForTaskToken", ".sync"):
            if value.startswith("arn:") and (value.endswith(suffix) or value.endswith(suffix + ":2")):
                yield Issue(where, f"Express state machine does not support '{suffix}' service integration", "resources.express")
