"""The package's layers: no import cycles, and imports only downwards.

`engine` and `kb` (content) know nothing of `daily`, `discordbot` or `console` (front ends and
scheduling), and `daily` knows nothing of `discordbot`. Imports under `if TYPE_CHECKING:` are
annotations, not dependencies, and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bot"
FORBIDDEN = {
    "bot.engine": ("bot.daily", "bot.discordbot", "bot.console", "bot.cli"),
    "bot.kb": ("bot.engine", "bot.daily", "bot.discordbot", "bot.console", "bot.cli"),
    "bot.daily": ("bot.discordbot", "bot.console"),
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """The package's modules a module imports at run time, anywhere in it (functions too)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("bot"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in modules}


def _graph() -> dict[str, set[str]]:
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {m: _imports(ast.parse(p.read_text(encoding="utf-8")), modules) - {m} for m, p in paths.items()}


GRAPH = _graph()


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, if it has any."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_between_modules():
    # a package's __init__ importing its own modules is how a package exposes them, not a cycle
    graph = {m: {n for n in deps if not (m == _package(n) and PACKAGE.joinpath(*m.split(".")[1:]).is_dir())}
             for m, deps in GRAPH.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = {}
    for m, deps in GRAPH.items():
        packages.setdefault(_package(m), set()).update(_package(n) for n in deps if _package(n) != _package(m))
    assert _cycle(packages) is None, " -> ".join(_cycle(packages) or [])


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_content_layers_import_no_front_end(layer: str):
    wrong = sorted(f"{m} imports {n}" for m, deps in GRAPH.items() if m == layer or m.startswith(layer + ".")
                   for n in deps if n.startswith(FORBIDDEN[layer]))
    assert not wrong, wrong


def test_the_checks_see_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
