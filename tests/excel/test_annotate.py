"""``cin-xl validate FILE.xlsx --annotate``: the same marks as the Excel button, written with openpyxl."""

from __future__ import annotations

import os
import shutil

import pytest
from openpyxl import load_workbook

from cin_xl import excel
from cin_xl.cli import main
from cin_xl.workbook import annotate as annotate_module

from tests.excel_harness import run_excel_function

from .test_excel_buttons import make_workbook, marks_and_issues, sheet_values


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path)
    return path


def test_annotate_writes_the_same_marks_as_the_excel_button(workbook, tmp_path, capsys):
    original = sheet_values(workbook)
    via_excel = tmp_path / "via-excel.xlsx"
    run_excel_function(excel.validate, workbook, via_excel)
    code = main(["validate", str(workbook), "--annotate"])
    assert code == 1 and "Marked the findings" in capsys.readouterr().out
    assert marks_and_issues(workbook) == marks_and_issues(via_excel)
    assert sheet_values(workbook) == original
    wb = load_workbook(workbook)
    assert wb["Summary"]._charts, "the Summary sheet has native charts"
    # the template's highlighting is still there, keyed on the Marks column
    rules = wb["Children"].conditional_formatting
    assert any("Marks" not in str(r.sqref) and "SEARCH" in "".join(x.formula[0] for x in r.rules) for r in rules)


def test_annotate_twice_is_the_same_as_once(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    once = marks_and_issues(workbook)
    main(["validate", str(workbook), "--annotate"])
    assert marks_and_issues(workbook) == once
    capsys.readouterr()


def test_refuses_a_workbook_open_in_excel(workbook, capsys):
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_text("x")
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "open in Excel" in capsys.readouterr().err
    assert workbook.read_bytes() == before


def test_refuses_a_read_only_workbook(workbook, capsys):
    if os.geteuid() == 0:
        pytest.skip("root can write read-only files")
    workbook.chmod(0o444)
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "cannot be written" in capsys.readouterr().err


def test_failed_save_leaves_the_workbook_whole(workbook, monkeypatch, capsys):
    before = workbook.read_bytes()

    def disk_full(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("cin_xl.xml.writer.os.replace", disk_full)  # the last step of the atomic save
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "disk full" in capsys.readouterr().err
    assert workbook.read_bytes() == before
    assert [p.name for p in workbook.parent.iterdir()] == [workbook.name]  # no temporary file left
    capsys.readouterr()


def test_annotate_refuses_xml(tmp_path, capsys):
    xml = tmp_path / "census.xml"
    shutil.copy(__file__, xml)
    assert main(["validate", str(xml), "--annotate"]) == 2
    assert "workbook" in capsys.readouterr().err


def test_lock_file_names():
    from pathlib import Path

    assert annotate_module.lock_file(Path("/nonexistent/census.xlsx")) is None


def test_annotating_a_macro_workbook_keeps_its_macros_and_buttons(tmp_path, capsys):
    import re
    import zipfile

    path = tmp_path / "census.xlsm"
    assert main(["template", "--xlsm", "--sample", "30", "-o", str(path)]) == 0
    assert main(["validate", str(path), "--annotate"]) in (0, 1)
    capsys.readouterr()
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        content_types = z.read("[Content_Types].xml").decode()
        start = z.read("xl/worksheets/sheet1.xml").decode()
    assert "xl/vbaProject.bin" in names and "macroEnabled" in content_types
    assert "<controls>" in start and len([n for n in names if n.startswith("xl/ctrlProps/")]) == 4
    wb = load_workbook(path, keep_vba=True)
    assert wb.sheetnames[:2] == ["Start", "Summary"] and wb["Start"]["A1"].value.startswith("Children in need")
    assert re.search(r"Status", str([c.value for c in wb["Start"]["A"]]))


def test_libreoffice_lock_is_seen(tmp_path):
    from pathlib import Path

    book = tmp_path / "census.xlsx"
    lock = tmp_path / ".~lock.census.xlsx#"
    lock.write_text("x")
    assert annotate_module.lock_file(Path(book)) == lock
