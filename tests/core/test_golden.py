"""Results are the same as before the speed work: findings, XML bytes and workbook values on fixed files.

The expected results were written by ``tests/golden/cases.py`` with the code as it was before the
speed work; see that module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.validation.catalogue import rules_included
from tests.golden.cases import HERE, cases, results


@pytest.mark.parametrize("case", cases())
def test_same_results_as_before(case: str, tmp_path: Path) -> None:
    xml_path = HERE / f"{case}.xml"
    expected = json.loads((HERE / f"{case}.json").read_text(encoding="utf-8"))
    got, exported = results(xml_path, tmp_path)
    assert got.pop("xml_rewritten").encode("utf-8") == xml_path.read_bytes()
    got = json.loads(json.dumps(got, ensure_ascii=False))  # tuples as lists, as stored
    for part in ("xml_findings", "workbook_findings", "workbook"):
        assert got.get(part) == expected.get(part), part
    export_file = HERE / f"{case}.export.xml"
    if exported is not None:
        assert exported == (export_file if export_file.exists() else xml_path).read_bytes()
    if "messy" in case and "xml_findings" in expected and rules_included(CensusYear.parse(case[:7])):
        assert len(expected["xml_findings"]) > 50  # the check is not vacuous (mistakes are made per DfE rule)


def test_json_report_holds_the_findings(tmp_path: Path) -> None:
    from cin_xl.jobs.validate import validate_file

    report = validate_file(HERE / "2026-27-messy.xml")
    out = tmp_path / "out.json"
    report.write(out)
    written = json.loads(out.read_text(encoding="utf-8"))
    expected = json.loads((HERE / "2026-27-messy.json").read_text(encoding="utf-8"))["xml_findings"]
    assert written["findings"] == expected and written["summary"] == report.summary


def test_json_report_is_the_same_without_orjson(tmp_path: Path, monkeypatch) -> None:
    import sys

    from cin_xl.jobs.validate import validate_file

    report = validate_file(HERE / "2026-27-messy.xml")
    fast = json.loads(report.to_json())
    monkeypatch.setitem(sys.modules, "orjson", None)  # as on a Python without it: import fails
    assert json.loads(report.to_json()) == fast and fast["findings"]
