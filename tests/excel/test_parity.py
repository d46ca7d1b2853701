"""The CLI and the Excel buttons are one job behind two front ends: on the same workbooks they find the
same (code, severity, message, where) and export the same XML bytes.

The buttons run through xlwings' remote engine (tests/excel_harness.py), which reads each sheet the way
Excel hands it over (dates as dates, text as text), not from the file: the reader is fed two ways.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.writer import write_workbook
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")
#: the export header's date and time, for both front ends (the workbooks leave it blank)
AT = datetime(2027, 4, 20, 10, 0)


def _clean(path: Path) -> None:
    write_workbook(path, generate(40, YEAR, 3), YEAR, force=True)


def _messy(path: Path) -> None:
    write_workbook(path, generate(60, YEAR, 8, mistakes=0.85), YEAR, force=True)


def _errors(path: Path) -> None:
    """Rule errors that the census schema allows: exported only when allowed."""
    census = generate(50, YEAR, 2, violations=("4220", "8630", "8875"))
    census.header.source.date_time = None  # export fills it in: at AT for both
    write_workbook(path, census, YEAR, force=True)


def _hostile(path: Path) -> None:
    census = generate(30, YEAR, 5)
    census.children[0].identifiers.la_child_id = "=HYPERLINK(\"http://example.invalid\",\"x\")"  # text, not a formula
    census.header.source.date_time = None  # export fills it in from AT
    write_workbook(path, census, YEAR, force=True)
    wb = load_workbook(path)
    children = wb["Children"]
    headers = [c.value for c in children[1]]
    children.cell(3, headers.index("Date of birth") + 1).value = "next Tuesday"  # text in a date column
    children.cell(4, headers.index("Date of birth") + 1).value = date(2099, 1, 1)  # a date in the future
    assessments = wb["Assessments"]
    assessments["A2"] = "NOBODY"  # a row that belongs to no child: the reader cannot place it
    wb.save(path)


WORKBOOKS = {"clean": _clean, "messy": _messy, "errors": _errors, "hostile": _hostile}


@pytest.fixture(scope="module", params=list(WORKBOOKS))
def workbook(request, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp(request.param) / f"{request.param}.xlsx"
    WORKBOOKS[request.param](path)
    return path


def _where(findings: list[dict]) -> list[tuple]:
    return [(f["code"], f["severity"], f["message"], f["child"], f["sheet"], f["row"], tuple(f["cells"]), f["path"],
             f["line"]) for f in findings]


def test_validate_finds_the_same(workbook: Path, tmp_path: Path, capsys) -> None:
    report = tmp_path / "findings.json"
    code = main(["validate", str(workbook), "--report", str(report), "--quiet"])
    capsys.readouterr()
    by_cli = json.loads(report.read_text(encoding="utf-8"))["findings"]
    by_button = run_excel_function(excel.validate, workbook, None).value
    assert _where(by_cli) == _where([f.as_dict() for f in by_button.findings])
    assert (code == 0) == by_button.ok
    if "clean" not in workbook.name:
        assert by_cli, "the check is not vacuous"


def test_export_writes_the_same_bytes(workbook: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("cin_xl.jobs.export.now", lambda: AT)
    by_cli, by_button = tmp_path / "cli.xml", tmp_path / "button.xml"
    for allowed in (False, True):
        code = main(["export", str(workbook), "-o", str(by_cli), "--force", "--quiet"]
                    + (["--allow-errors"] if allowed else []))
        result = run_excel_function(excel.export_xml, workbook, None, by_button, allow_errors=allowed,
                                    overwrite=True).value
        err = capsys.readouterr().err
        assert (code == 0) == result.ok == by_cli.exists() == by_button.exists(), (allowed, result.message)
        if result.ok:
            assert by_cli.read_bytes() == by_button.read_bytes()
            if workbook.stem == "errors":
                assert b"<DateTime>2027-04-20T10:00:00</DateTime>" in by_cli.read_bytes()
            by_cli.unlink()
            by_button.unlink()
        elif "census schema" in result.message:  # the same breaks, located to the same cells
            assert [line.strip() for line in err.splitlines() if line.startswith("  ")] == \
                [str(f) for f in result.findings]
    if workbook.stem in ("clean", "errors"):
        assert code == 0, "exported (with errors only when allowed)"


def test_hostile_workbook_errors_refuse_both_exports_alike(tmp_path: Path, capsys) -> None:
    path = tmp_path / "hostile.xlsx"
    _hostile(path)
    assert main(["export", str(path), "-o", str(tmp_path / "cli.xml")]) == 1
    err = capsys.readouterr().err
    result = run_excel_function(excel.export_xml, path, None, tmp_path / "button.xml").value
    assert not result.ok and "errors remain" in result.message
    # the row that could not be placed is an error like any other, in both
    assert "Assessments!A2" in err and "Assessments!A2" in result.message
    assert not (tmp_path / "cli.xml").exists() and not (tmp_path / "button.xml").exists()


def test_import_fills_the_same_return(tmp_path: Path, capsys) -> None:
    """cin-xl import makes a new workbook, the Import button fills the open one: both read back alike."""
    from cin_xl.workbook.reader import read_workbook
    from cin_xl.xml import to_xml_bytes
    from tests.workbook.test_commands import FAULTY

    xml = tmp_path / "in.xml"
    xml.write_bytes(FAULTY)  # a formula-looking child ID, an impossible date, an unknown element, a bad code
    by_cli, template, by_button = tmp_path / "cli.xlsx", tmp_path / "template.xlsx", tmp_path / "button.xlsx"
    assert main(["import", str(xml), "-o", str(by_cli), "--quiet"]) == 1
    note = capsys.readouterr().out.splitlines()[1:]  # after "Wrote ...": what was not brought in, and the next step
    write_workbook(template, None, YEAR, force=True)
    result = run_excel_function(excel.import_xml, template, by_button, xml).value
    assert result.ok and note == result.message.splitlines()[1:] and "ShoeSize" in "\n".join(note)
    assert note[-1] == f"Run cin-xl validate {xml} to see every break of the census schema."
    listed = [str(p) for p in result.findings]
    cli_read, button_read = read_workbook(by_cli), read_workbook(by_button)
    assert cli_read.census == button_read.census
    assert to_xml_bytes(cli_read.census, YEAR, check=False) == to_xml_bytes(button_read.census, YEAR, check=False)
    issues = [[list(row) for row in load_workbook(path)["Issues"].iter_rows(min_row=2, values_only=True) if any(row)]
              for path in (by_cli, by_button)]
    assert issues[0] == issues[1] and len(issues[0]) == len(listed)


def test_validate_writes_the_same_list_sheets(workbook: Path, tmp_path: Path, capsys) -> None:
    """The child-level lists: the same sheets, in the same place, with the same values (the button leaves out
    annotate's links, which Excel would take a call each; its Sheet and Row columns say the same)."""
    from cin_xl.reports.list_sheets import SHEET_NAMES

    by_cli, by_button = tmp_path / "cli.xlsx", tmp_path / "button.xlsx"
    by_cli.write_bytes(workbook.read_bytes())
    main(["validate", str(by_cli), "--annotate", "--quiet"])
    capsys.readouterr()
    run_excel_function(excel.validate, workbook, by_button)
    books = [load_workbook(p) for p in (by_cli, by_button)]
    lists = list(SHEET_NAMES.values())
    for wb in books:
        at = wb.sheetnames.index("Summary")
        assert wb.sheetnames[at + 1:at + 1 + len(lists)] == lists
    for name in lists:
        cli_rows, button_rows = ([tuple(v for v in row) for row in wb[name].iter_rows(values_only=True) if any(
            v is not None for v in row)] for wb in books)
        assert cli_rows == button_rows, name
        assert cli_rows[0][0].endswith("census 2026-27")
    # the Summary sheet names the same list sheets in its COLLECT's reports block: links in annotate's file only
    blocks = []
    for wb in books:
        ws = wb["Summary"]
        first = [c.value for c in ws["A"]]
        at = first.index("The child-level lists, each on a sheet of its own") + 1
        rows = [(ws.cell(r, 1).value, ws.cell(r, 6).value) for r in range(at + 2, at + 2 + len(lists))]
        blocks.append((rows, [ws.cell(r, 6).hyperlink is not None for r in range(at + 2, at + 2 + len(lists))]))
    assert blocks[0][0] == blocks[1][0] and [sheet for _, sheet in blocks[0][0]] == lists
    assert all(blocks[0][1]) and not any(blocks[1][1])
