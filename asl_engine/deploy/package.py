"""A local handler as a Lambda deployment package, and the Tasks it serves.

``package("workers", "process")`` zips the module's file (``workers.py``,
found as ``import workers`` would find it) with ``requirements.txt``: the
top-level names it imports that are not in the standard library, one a line
(a manifest to install from, not the packages themselves). Pure: no AWS calls.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import sys
import zipfile
from dataclasses import dataclass
from typing import Any, Mapping

from ..dataflow.json_values import copy_json
from ..errors import EngineError
from ..model.arns import function_name, integration
from .policy import tasks

__all__ = ["HandlerPackage", "package", "rewrite"]

_EPOCH = (1980, 1, 1, 0, 0, 0)
"""Zip entries' time: the same module gives the same bytes (and Lambda's CodeSha256)."""


@dataclass(frozen=True)
class HandlerPackage:
    """A zip of one module: ``handler`` is Lambda's ``module.function``."""

    module: str
    handler: str
    zip_bytes: bytes
    requirements: tuple[str, ...]


def package(module: str, function: str) -> HandlerPackage:
    """The Lambda package of ``module:function`` (see the module's doc)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise EngineError(f"cannot find handler module {module!r}: {exc}") from None
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith(".py") or spec is None or spec.submodule_search_locations:
        raise EngineError(f"handler module {module!r} must be one .py file (found {origin or 'nothing'})")
    with open(origin, encoding="utf-8") as fh:
        source = fh.read()
    tree = ast.parse(source, origin)
    if not any(isinstance(n, ast.FunctionDef) and n.name == function for n in tree.body):
        raise EngineError(f"handler module {module!r} has no function {function!r}")
    requirements = tuple(sorted(_third_party(tree, module)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in ((module.rsplit(".", 1)[-1] + ".py", source), ("requirements.txt", "".join(f"{r}\n" for r in requirements))):
            info = zipfile.ZipInfo(name, _EPOCH)
            info.external_attr = 0o644 << 16
            archive.writestr(info, text, zipfile.ZIP_DEFLATED)
    return HandlerPackage(module, f"{module.rsplit('.', 1)[-1]}.{function}", buffer.getvalue(), requirements)


def _third_party(tree: ast.Module, module: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != module.split(".")[0] and n != "__future__"}


def rewrite(definition: Mapping[str, Any], key: str, arn: str) -> tuple[dict[str, Any], int]:
    """``definition`` with the Tasks ``key`` names (a state name or path, a ``Resource``,
    a function name) calling ``arn``; and how many Tasks that is.

    A ``lambda:invoke`` Task gets ``arn`` as its ``FunctionName``; any other its ``Resource``.
    """
    copy: dict[str, Any] = copy_json(dict(definition))
    count = 0
    for path, state in tasks(copy):
        resource = state.get("Resource")
        params = state.get("Parameters") if isinstance(state.get("Parameters"), dict) else state.get("Arguments")
        invoke = isinstance(resource, str) and (found := integration(resource)) is not None \
            and (found.service, found.action) == ("lambda", "invoke")
        target = params.get("FunctionName") if invoke and isinstance(params, dict) else resource
        names = {path, path.rsplit("/", 1)[-1]}
        if isinstance(target, str):
            names |= {target, function_name(target)}
        if key not in names:
            continue
        assert isinstance(state, dict)
        if invoke and isinstance(params, dict):
            params["FunctionName"] = arn
        else:
            state["Resource"] = arn
        count += 1
    return copy, count
