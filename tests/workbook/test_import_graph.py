"""The workbook layer's imports run one way: no module of cin_xl/workbook reaches itself again through its
imports (those inside functions included), and the package plumbing (workbook/package) sits below the rest
of the layer, with the macros (workbook/macros) above it. Planning marks never loads openpyxl."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import cin_xl

ROOT = Path(cin_xl.__file__).parent
LAYER = "cin_xl.workbook"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in (ROOT / "workbook").rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """The modules of the workbook layer that ``path`` imports, anywhere in it (functions included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from package import module" imports that module; "from module import name" the module
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                     for alias in node.names]
        else:
            continue
        out.update(name for name in names if name in MODULES)
    return out


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of the graph as the list of its nodes (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = walk(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_imports_inside_functions():
    # annotate builds its Issues sheet with the template's builder, imported where it is used
    assert "cin_xl.workbook.template" in GRAPH["cin_xl.workbook.annotate"]


def test_no_module_of_the_workbook_layer_imports_itself_round_a_circle():
    assert _cycle(GRAPH) is None


def _floor(module: str) -> str:
    for sub in ("package", "macros"):
        if module == f"{LAYER}.{sub}" or module.startswith(f"{LAYER}.{sub}."):
            return sub
    return "workbook"


def test_the_package_plumbing_is_below_the_workbook_modules_and_the_macros_above():
    floors: dict[str, set[str]] = {}
    for module, imported in GRAPH.items():
        floors.setdefault(_floor(module), set()).update(_floor(i) for i in imported)
    for floor in floors.values():
        floor.discard("")
    floors = {floor: {i for i in imported if i != floor} for floor, imported in floors.items()}
    assert floors["package"] == set(), "workbook/package imports from the rest of the workbook layer"
    assert "macros" not in floors["workbook"], "a workbook module imports the macros"
    assert _cycle(floors) is None


@pytest.mark.parametrize("module", ["cin_xl.workbook.marks", "cin_xl.workbook.mark_styles", "cin_xl.workbook.issues",
                                    "cin_xl.workbook.package.write", "cin_xl.workbook.reader"])
def test_planning_marks_and_reading_never_load_openpyxl(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
