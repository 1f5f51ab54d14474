"""The import contract: layers point one way, and no module imports itself in a circle.

Every ``import`` of the package counts, including the ones inside functions
and under ``TYPE_CHECKING``: an import moved into a function still couples
the two modules, it only hides the cycle from the interpreter.

Layers, top to bottom (a module may import its own component and any lower
layer; components of one layer are independent of each other)::

    asl_cli                                  the command line: public API only
    asl_engine.server | asl_engine.testing   HTTP over the service | the pytest plugin and coverage
    asl_engine.service | asl_engine.graph    the durable service | pictures of machines and runs
      | asl_engine.deploy                    | templates and deployments to AWS
    asl_engine (public API: api, options, local_aws)
    asl_engine.teststate                     TestState: one state run in isolation
    asl_engine.runtime                       the interpreter
    asl_engine.definition | asl_engine.tasks text -> model | task runners
    asl_engine.execution | asl_engine.history  clock, quotas, frames | events
    asl_engine.dataflow                      paths, templates, intrinsics, JSONata
    asl_engine.model | asl_engine.documents  the frozen model | reading user text
    asl_engine.errors, asl_engine.diagnostics

Third-party boundaries (architecture rule 8): only the AWS runner and the
embedded AWS and the deployer import boto3/botocore (and the server botocore's service
model, the wire contract it checks requests against), only the embedded AWS imports moto, only
the JSONata adapter imports the JSONata library.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"asl_engine": ROOT / "asl_engine", "asl_cli": ROOT / "cli"}

LAYERS: tuple[tuple[str, ...], ...] = (
    ("asl_cli",),
    ("asl_engine.server", "asl_engine.testing"),
    ("asl_engine.service", "asl_engine.graph", "asl_engine.deploy"),
    ("asl_engine", "asl_engine.api", "asl_engine.options", "asl_engine.embedded_aws"),
    ("asl_engine.teststate",),
    ("asl_engine.runtime",),
    ("asl_engine.definition", "asl_engine.tasks"),
    ("asl_engine.execution", "asl_engine.history"),
    ("asl_engine.dataflow",),
    ("asl_engine.model", "asl_engine.documents"),
    ("asl_engine.errors", "asl_engine.diagnostics"),
)
"""Components by layer, top first."""

PUBLIC_API = ("asl_engine", "asl_engine.api", "asl_engine.options", "asl_engine.embedded_aws")
"""The modules one component of the top layer: they may import each other."""

PUBLIC_PACKAGES = (
    "asl_engine.service", "asl_engine.server", "asl_engine.graph", "asl_engine.testing", "asl_engine.deploy",
)
"""Packages the command line may import besides ``asl_engine``: the service, its server, the graphs, deployments."""

SAME_LAYER_ALLOWED = {("asl_engine.errors", "asl_engine.diagnostics")}
"""(importer, imported) pairs of one layer that may meet: DefinitionError carries Diagnostics."""

THIRD_PARTY = {
    "boto3": ("asl_engine.tasks.aws", "asl_engine.embedded_aws", "asl_engine.deploy"),
    "botocore": ("asl_engine.tasks.aws", "asl_engine.embedded_aws", "asl_engine.server", "asl_engine.deploy"),
    "moto": ("asl_engine.embedded_aws",),
    "jsonata": ("asl_engine.dataflow.jsonata_engine",),
}
"""Which components may import a third-party library that has a boundary."""


def _module_name(package: str, base: Path, path: Path) -> str:
    rel = path.relative_to(base).with_suffix("")
    parts = [package, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=1)
def _modules() -> dict[str, Path]:
    found = {}
    for package, base in PACKAGES.items():
        for path in sorted(base.rglob("*.py")):
            found[_module_name(package, base, path)] = path
    return found


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


@lru_cache(maxsize=1)
def _imports() -> dict[str, set[str]]:
    """Every module -> the modules it imports (the package's, and third-party top names)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = _resolve(module, path.name == "__init__.py", node)
                targets.add(base)
                for alias in node.names:  # "from . import x" imports the module x
                    if f"{base}.{alias.name}" in modules:
                        targets.add(f"{base}.{alias.name}")
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[module] = {t for t in targets if t and t != module}
    return graph


def _component(module: str) -> tuple[int, str] | None:
    """``(layer index, component)`` of a package module (the longest prefix that names it)."""
    best: tuple[int, str] | None = None
    for index, layer in enumerate(LAYERS):
        for component in layer:
            if module == component or (component != "asl_engine" and module.startswith(component + ".")):
                if best is None or len(component) > len(best[1]):
                    best = (index, component)
    return best


def _own(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in _modules() if _component(m) is None]
    assert not unplaced, f"modules outside every layer (add them to LAYERS): {unplaced}"


def test_layers_point_one_way() -> None:
    problems = []
    for importer, targets in sorted(_imports().items()):
        where = _component(importer)
        assert where is not None
        for target in sorted(t for t in targets if _own(t)):
            there = _component(target)
            if there is None or there[1] == where[1]:
                continue
            if where[1] in PUBLIC_API and there[1] in PUBLIC_API:
                continue
            if (where[1], there[1]) in SAME_LAYER_ALLOWED:
                continue
            if there[0] <= where[0]:
                direction = "up" if there[0] < where[0] else "sideways"
                problems.append(f"{importer} imports {target} ({direction}: {where[1]} -> {there[1]})")
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_the_command_line_uses_only_the_public_api() -> None:
    problems = [
        f"{importer} imports {target}"
        for importer, targets in sorted(_imports().items())
        if importer.startswith("asl_cli")
        for target in sorted(targets)
        if target.startswith("asl_engine.") and target not in PUBLIC_PACKAGES
    ]
    assert not problems, "asl_cli must import only `asl_engine` and its public packages:\n" + "\n".join(problems)


@pytest.mark.parametrize("library", sorted(THIRD_PARTY))
def test_third_party_boundaries(library: str) -> None:
    allowed = THIRD_PARTY[library]
    problems = [
        f"{importer} imports {target}"
        for importer, targets in sorted(_imports().items())
        for target in sorted(targets)
        if target.split(".")[0] == library
        and not any(importer == a or importer.startswith(a + ".") for a in allowed)
    ]
    assert not problems, f"only {allowed} may import {library}:\n" + "\n".join(problems)


def test_no_import_cycles() -> None:
    graph = {m: {t for t in targets if t in _imports()} for m, targets in _imports().items()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c + [c[0]]) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_sees_a_back_arrow(tmp_path: Path) -> None:
    """The contract is not vacuous: a planted back-arrow and cycle are found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    layer_of = {component: index for index, layer in enumerate(LAYERS) for component in layer}
    assert _component("asl_engine.model.states") == (layer_of["asl_engine.model"], "asl_engine.model")
    assert _component("asl_engine") == (layer_of["asl_engine"], "asl_engine")
    assert _component("asl_engine.runtime.interpreter")[0] < _component("asl_engine.tasks.dispatch")[0]  # type: ignore[index]
