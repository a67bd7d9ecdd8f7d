"""The shape of the code: packages import only downwards, views import neither each other nor the app factory.

The layers, bottom first: ``gis`` ← ``planner`` ← ``ledger`` ← ``webmap`` (a package may import
the ones before it, never one after it). Imports inside functions count too: a lazy import is
still a dependency. ``python -m tests.test_architecture`` prints the graph between the packages.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("gis", "planner", "ledger", "webmap")
VIEWS = "webmap.views"
FACTORY = "webmap.web"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> set[str]:
    """Every module (or module.name) that ``path`` imports, relative imports resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from . import map` imports a module
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports (names that are modules of ours, not functions)."""
    files = {_module_name(p): p for layer in LAYERS for p in (REPO / layer).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        graph[module] = {name for name in _imported(path) if name in files and name != module}
    return graph


def _is_view(module: str) -> bool:
    return module.startswith(VIEWS + ".")  # webmap.views itself holds the helpers views share


def test_no_view_imports_another_view_or_the_factory():
    wrong = sorted((module, target) for module, targets in import_graph().items() if _is_view(module)
                   for target in targets if _is_view(target) or target == FACTORY)
    assert wrong == []


def test_packages_import_only_the_layers_below_them():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = sorted((module, target) for module, targets in import_graph().items() for target in targets
                    if rank[target.split(".")[0]] > rank[module.split(".")[0]])
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_the_webmap_modules_and_views():
    """The factory imports the views.

    So a view (or a helper they share) that imported the factory would close a circle.
    """
    web = {m: {t for t in ts if t.startswith("webmap.")} for m, ts in import_graph().items() if m.startswith("webmap.")}
    assert _cycles(web) == []


def test_the_checks_see_a_wrong_import(monkeypatch):
    """The graph really resolves relative imports: a view importing the factory and another view is caught."""
    graph = import_graph()
    assert {"webmap.views.map", "webmap.views.api",
            "webmap.context"} <= graph["webmap.web"]  # lazy and relative imports
    graph["webmap.views.map"] = graph["webmap.views.map"] | {"webmap.web", "webmap.views.plan"}
    monkeypatch.setattr(sys.modules[__name__], "import_graph", lambda: graph)
    with pytest.raises(AssertionError):
        test_no_view_imports_another_view_or_the_factory()
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def package_graph() -> dict[str, set[str]]:
    """Top package → the top packages it imports."""
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        edges[module.split(".")[0]].update(t.split(".")[0] for t in targets if t.split(".")[0] != module.split(".")[0])
    return edges


if __name__ == "__main__":  # python -m tests.test_architecture: the graph between the packages
    for layer in LAYERS:
        print(f"{layer} imports {', '.join(sorted(package_graph().get(layer, ()))) or 'nothing of ours'}")
