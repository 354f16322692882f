"""The architecture as a test: core never imports Qt or the app, each layer of core and each package
of the app imports only what its contract allows (pyproject.toml, drawn in docs/architecture.md), no
two modules import each other, and modules and functions stay small enough to read."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

from tests.helpers.paths import REPO_ROOT

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
LONG_BY_NATURE = {"core/formats/bvh.py"}
"""The BVH reader: one grammar, kept in one file."""


def _sources() -> dict[str, str]:
    return {
        path.relative_to(REPO_ROOT).as_posix(): path.read_text()
        for package in ("core", "app")
        for path in (REPO_ROOT / package).rglob("*.py")
    }


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
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


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_two_modules_import_each_other_even_for_type_checking():
    graph = grimp.build_graph("core", "app", exclude_type_checking_imports=False, cache_dir=None)
    assert _cycles(graph) == []


def test_no_module_is_longer_than_400_lines_but_the_bvh_reader():
    sizes = {name: len(text.splitlines()) for name, text in _sources().items()}
    assert {n: s for n, s in sizes.items() if s > MAX_MODULE_LINES and n not in LONG_BY_NATURE} == {}
    assert sizes["app/shell/main_window.py"] <= 350


def test_no_function_is_longer_than_80_lines():
    long = {
        f"{name}:{node.lineno} {node.name}": node.end_lineno - node.lineno + 1
        for name, text in _sources().items()
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}
