"""The engine's modules stay small and import each other one way.

Every import between files of ``armory/checklist/`` counts, including those inside a function and those
under ``TYPE_CHECKING``: a circle there means two concerns that cannot be read apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import armory.checklist

ENGINE = Path(armory.checklist.__file__).parent
PACKAGE = "armory.checklist"

#: The most lines a module of the engine may have (STYLE: no module over ~400 lines without a reason).
MAX_LINES = 400


def _engine_imports(path: Path) -> set[str]:
    """The modules of the engine that ``path`` imports anywhere in its text."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE + "."):
            imported.add(node.module.removeprefix(PACKAGE + ".").split(".")[0])
        elif isinstance(node, ast.Import):
            imported |= {alias.name.removeprefix(PACKAGE + ".").split(".")[0] for alias in node.names
                         if alias.name.startswith(PACKAGE + ".")}
    return imported - {path.stem}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    circles = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph.get(module, ())):
            if imported in path:
                circles.append([*path[path.index(imported):], imported])
            elif imported not in done:
                visit(imported, [*path, imported])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    return circles


def test_no_import_circles_inside_the_engine():
    graph = {path.stem: _engine_imports(path) for path in ENGINE.glob("*.py")}
    assert _circles(graph) == []


def test_a_circle_is_found():
    assert _circles({"session": {"handoff"}, "handoff": {"session"}}) == [["handoff", "session", "handoff"]]


def test_no_engine_module_is_too_long():
    lines = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in ENGINE.glob("*.py")}
    assert {name: n for name, n in lines.items() if n > MAX_LINES} == {}
