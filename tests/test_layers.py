"""Arrows downhill: no import circle in cin_xl, and the XML and validate paths never load openpyxl.

The import graph is read from the source with ``ast``: every ``import`` and ``from ... import``, at
module level and inside functions (those run too, only later), less the ones under
``if TYPE_CHECKING:`` (never run). Importing ``a.b.c`` runs ``a/b/__init__.py`` first, so it is an
arrow to the package ``a.b`` as well, unless the importer is inside ``a.b`` already.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cin_xl"

#: imports left out on purpose: the registry loads the modules (plug-ins) that register their checks into it
PLUGIN_LOADS = {("cin_xl.validation.registry", f"cin_xl.validation.{name}")
                for name in ("rules", "codes", "continuity", "local")}

#: arrows known to close a circle, left out of the graph until they are removed (none now: keep it so)
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, package: str) -> set[str]:
    """The modules named by the imports of ``tree`` (a module of ``package``), run-time ones only."""
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative (ruff forbids them, but read them right all the same)
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base
                                                                                                  else []))
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)  # kept only where it is a module
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        arrows: set[str] = set()
        for target in _imports(ast.parse(path.read_text(encoding="utf-8")), package):
            if target not in known:
                continue
            parts = target.split(".")
            for i in range(1, len(parts) + 1):  # the packages on the way are run first
                step = ".".join(parts[:i])
                if step in known and step != name and not name.startswith(step + ".") and step != "cin_xl":
                    arrows.add(step)
        graph[name] = {t for t in arrows if (name, t) not in PLUGIN_LOADS}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_graph_is_read_right() -> None:
    graph = import_graph()
    assert "cin_xl.jobs.validate" in graph["cin_xl.cli.commands.validate"]  # a function-level import
    assert "cin_xl.validation.rules" not in graph["cin_xl.validation.registry"]  # the plug-in load
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circle() -> None:
    graph = import_graph()
    for a, b in KNOWN:
        graph.get(a, set()).discard(b)
    assert circles(graph) == []


def test_known_circles_are_still_there() -> None:
    """A known pair that no longer closes a circle is to be deleted from KNOWN (so it cannot hide a new one)."""
    graph = import_graph()
    gone = [(a, b) for a, b in KNOWN if b not in graph.get(a, set())]
    assert gone == []


@pytest.mark.parametrize(("module", "forbidden"), [
    ("cin_xl.workbook.annotate", "cin_xl.reports"),
    ("cin_xl.validation.continuity", "cin_xl.jobs"),
    ("cin_xl.jobs", "cin_xl.cli"),
    ("cin_xl.jobs", "cin_xl.excel"),
])
def test_arrows_point_downhill(module: str, forbidden: str) -> None:
    graph = import_graph()
    wrong = {(m, t) for m, targets in graph.items() if m == module or m.startswith(module + ".")
             for t in targets if t == forbidden or t.startswith(forbidden + ".")}
    assert wrong == set()


def test_jobs_know_no_front_end() -> None:
    """No printing, no argparse, no xlwings in the jobs."""
    for path in (PACKAGE / "jobs").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _imports(tree, "cin_xl.jobs")
        assert not {n.split(".")[0] for n in names} & {"argparse", "xlwings"}, path
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert "print" not in calls, path


XML_PATH = """
import json, sys
import cin_xl.xml
from cin_xl.xml import read_xml, to_xml_bytes
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.generate import generate
from cin_xl.census.years import CensusYear
year = CensusYear.parse("2026-27")
path = sys.argv[1]
open(path, "wb").write(to_xml_bytes(generate(20, year, 1, violations=("4220",)), year, check=False))
read_xml(path)
report = validate_file(path)
print(json.dumps({"findings": len(report.findings), "openpyxl": sorted(m for m in sys.modules if m.startswith("openpyxl"))}))
"""


def test_xml_and_validate_never_load_openpyxl(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", XML_PATH, str(tmp_path / "census.xml")], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["findings"] > 0 and result["openpyxl"] == []
