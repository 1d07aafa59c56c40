"""The use-case modules form no circle and never use one another's private names (issue 11).

Every import counts, those inside functions too: a circle hidden in a function body is still a
circle. Read from the source with `ast`, so nothing is imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grassroots_tui.services as services

ROOT = Path(services.__file__).parent
PREFIX = "grassroots_tui.services."


def _imports() -> dict[str, list[tuple[str, str]]]:
    """module -> [(imported service module, name)] for every `from grassroots_tui.services.X import name`."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(ROOT.glob("*.py")):
        if path.name == "__init__.py":
            continue
        found = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
                found += [(node.module.removeprefix(PREFIX), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "grassroots_tui.services":
                found += [(alias.name, "*") for alias in node.names]
        out[path.stem] = found
    return out


def test_no_service_uses_a_private_name_of_another() -> None:
    private = [f"{m} imports {target}.{name}" for m, found in _imports().items() for target, name in found
               if name.startswith("_") and target != m]
    assert private == []


def test_the_services_import_one_another_without_a_circle() -> None:
    graph = {m: {t for t, _n in found if t != m} for m, found in _imports().items()}
    assert set().union(*graph.values()) <= set(graph), "an import names a module that does not exist"
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle = path[path.index(n):] + [n]
                raise AssertionError("circle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    # The transition path is at the bottom: it imports no use case.
    assert graph["transitions"] <= {"meeting_rows", "workspace"}
