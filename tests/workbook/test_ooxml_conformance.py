"""Every kind of workbook cin-xl writes, held to what Excel enforces (the shared ECMA-376 checker).

The checker (``../shared/tools/ooxml-check/check.py``, beside the repository) validates each part
against the ECMA-376 schemas and Excel's own rules. A finding Excel would repair or refuse
(``repair``, ``likely``) or merely tolerate (``unlikely``) fails the test; ``info`` findings are
allowed. The test is skipped where the checker is not beside the repository.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.cli import main as cli
from cin_xl.synthetic.generate import generate
from cin_xl.xml.writer import write_xml

CHECKER = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "ooxml-check"
pytestmark = pytest.mark.skipif(not (CHECKER / "check.py").exists(), reason="ooxml-check is not beside the repository")

YEAR = "2026-27"


def findings(*paths: Path) -> dict[str, list[dict]]:
    """File name -> the checker's findings that are not merely ``info``."""
    report = paths[0].parent / "ooxml-check.json"
    subprocess.run([sys.executable, str(CHECKER / "check.py"), "-q", "--json", str(report), *map(str, paths)],
                   capture_output=True, text=True, timeout=600)
    return {Path(entry["file"]).name: [f for f in entry["findings"] if f["verdict"] != "info"]
            for entry in json.loads(report.read_text())}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    """One workbook of every kind cin-xl writes: template (.xlsx, .xlsm), import (.xlsx, .xlsm), a workbook
    annotated twice (also one made to look as Excel saved it: each with its Summary and child-level list
    sheets), rollover, the trends workbook, and a workbook annotated twice with its Trends sheet."""
    tmp = tmp_path_factory.mktemp("kinds")
    messy, last = tmp / "messy.xml", tmp / "last.xml"
    write_xml(generate(40, YEAR, seed=5, mistakes=0.85), CensusYear.parse(YEAR), messy, check=False)
    write_xml(generate(40, "2025-26", seed=5), CensusYear.parse("2025-26"), last)
    made = {name: tmp / name for name in ("template.xlsx", "template.xlsm", "imported.xlsx", "imported.xlsm",
                                          "annotated.xlsx", "rollover.xlsx", "rollover.xlsm",
                                          "excel-saved-annotated.xlsx", "trends.xlsx", "annotated-trends.xlsx")}
    cli(["template", "--year", YEAR, "-o", str(made["template.xlsx"])])
    cli(["template", "--year", YEAR, "-o", str(made["template.xlsm"])])
    cli(["import", str(messy), "-o", str(made["imported.xlsx"])])
    cli(["import", str(messy), "-o", str(made["imported.xlsm"])])
    shutil.copy(made["imported.xlsx"], made["annotated.xlsx"])
    for _ in range(2):
        cli(["validate", str(made["annotated.xlsx"]), "--annotate", "--quiet"])
    subprocess.run([sys.executable, str(CHECKER / "excelize.py"), str(made["imported.xlsx"]),
                    str(made["excel-saved-annotated.xlsx"])], check=True, capture_output=True)
    for _ in range(2):
        cli(["validate", str(made["excel-saved-annotated.xlsx"]), "--annotate", "--quiet"])
    cli(["rollover", str(last), "-o", str(made["rollover.xlsx"]), "--year", YEAR])
    cli(["rollover", str(last), "-o", str(made["rollover.xlsm"]), "--year", YEAR])
    cli(["report", str(messy), str(last), "-o", str(made["trends.xlsx"])])
    shutil.copy(made["imported.xlsx"], made["annotated-trends.xlsx"])
    for _ in range(2):  # the Trends sheet with its charts in the user's workbook, written then replaced
        cli(["validate", str(made["annotated-trends.xlsx"]), "--annotate", "--quiet", "--trends", str(last)])
    assert all(p.exists() for p in made.values())
    return list(made.values())


def test_every_kind_of_workbook_passes_the_excel_conformance_check(workbooks):
    found = findings(*workbooks)
    assert set(found) == {p.name for p in workbooks}
    assert found == {p.name: [] for p in workbooks}


def test_a_macro_enabled_rollover_has_the_buttons_and_the_same_sheets(workbooks):
    """``rollover -o NEW.xlsm`` (offered by its --help) writes the workbook with its Excel buttons."""
    import zipfile

    from openpyxl import load_workbook

    xlsx, xlsm = (next(p for p in workbooks if p.name == name) for name in ("rollover.xlsx", "rollover.xlsm"))
    with zipfile.ZipFile(xlsm) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    plain, macro = load_workbook(xlsx), load_workbook(xlsm, keep_vba=True)
    assert "xlwings.conf" in macro.sheetnames
    assert [n for n in macro.sheetnames if n != "xlwings.conf"] == plain.sheetnames
    for name in plain.sheetnames:
        if name != "Start":  # the Start sheet of the .xlsm holds the buttons
            assert [list(r) for r in macro[name].values] == [list(r) for r in plain[name].values], name


def test_the_annotated_workbooks_checked_hold_the_list_sheets_with_their_links(workbooks):
    """The child-level list sheets (issue 19, 2) are among the parts the checker holds to Excel's rules."""
    from openpyxl import load_workbook

    from cin_xl.reports.list_sheets import SHEET_NAMES

    for name in ("annotated.xlsx", "excel-saved-annotated.xlsx"):
        wb = load_workbook(next(p for p in workbooks if p.name == name))
        assert set(SHEET_NAMES.values()) <= set(wb.sheetnames), name
        days = wb[SHEET_NAMES["assessments_working_days"]]
        assert days.cell(6, 1).hyperlink is not None and days.cell(6, 1).hyperlink.location, name
        # and the Summary sheet's links to them (issue 19, review item 3)
        summary = {c.hyperlink.location for row in wb["Summary"].iter_rows() for c in row if c.hyperlink}
        assert {f"'{sheet}'!A1" for sheet in SHEET_NAMES.values()} <= summary, name


def test_the_annotated_workbook_checked_holds_the_trends_sheet_with_its_charts(workbooks):
    """The Trends sheet written into a user's workbook (issue 21, 3) is among the parts the checker holds to
    Excel's rules: one sheet, its charts, after two runs."""
    from openpyxl import load_workbook

    wb = load_workbook(next(p for p in workbooks if p.name == "annotated-trends.xlsx"))
    assert [n for n in wb.sheetnames if "trends" in n.lower()] == ["Trends"]
    assert wb["Trends"]["A1"].value == "Children in need census 2025-26 to 2026-27: trends"
    assert wb["Trends"]._charts
