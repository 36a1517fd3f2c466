"""The layers stay one-way: Textual never loads below the UI; the domain loads no SQL; the
import contracts hold; and no module reaches itself through its imports."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return {name.split(".")[0] for name in out.split()}


@pytest.mark.parametrize(
    "module",
    ["frontdesk.domain.availability", "frontdesk.services.scheduling",
     "frontdesk.services.directory", "frontdesk.db.queries"],
)
def test_core_does_not_load_textual(module: str) -> None:
    loaded = loaded_after_import(module)
    assert "textual" not in loaded
    assert "rich" not in loaded


def test_domain_loads_no_sql() -> None:
    loaded = loaded_after_import("frontdesk.domain.availability")
    assert not {"sqlalchemy", "sqlmodel", "alembic", "psycopg"} & loaded


ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(contracts['contracts'])} kept, 0 broken" in result.stdout


def import_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's
    strongly connected components; imports inside functions and for type checking count)."""
    modules = sorted(m for m in graph.modules if m.startswith(package))
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m)
                       if i.startswith(package)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_about() -> None:
    assert import_cycles(grimp.build_graph("frontdesk"), "frontdesk") == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert import_cycles(graph, "pkg") == [["pkg.a", "pkg.b", "pkg.c"]]
