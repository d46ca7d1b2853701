"""Where the injectors and the key figures live: a newcomer finds each in one step."""

from __future__ import annotations

import ast
from pathlib import Path

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.synthetic.inject import INJECTORS
from cin_xl.validation.registry import implementation

ROOT = Path(__file__).resolve().parents[2] / "cin_xl"


def _rule_module(code: str) -> str | None:
    for label in SUPPORTED_YEARS:
        found = implementation(code, CensusYear.parse(label))
        if found is not None:
            return found.func.__module__.rsplit(".", 1)[-1]
    return None


def test_each_injector_is_in_the_module_named_as_its_rules():
    misplaced = {code: (func.__module__, _rule_module(code)) for code, func in INJECTORS.items()
                 if func.__module__.rsplit(".", 1)[-1] != _rule_module(code)}
    assert not misplaced, misplaced


def test_the_key_figures_and_the_synthetic_data_call_no_job():
    """Arrows downhill: the reports are handed what they show, and no job is imported, even inside a function."""
    calls = []
    for folder in ("reports", "synthetic/inject"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                calls += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith("cin_xl.jobs")]
    assert calls == []
