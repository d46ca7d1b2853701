"""A sheet of the user's named like one cin-xl writes is kept (issue 18, 1 and 6): their "Summary" (text, a
formula, a chart) stays as it is and cin-xl's Summary goes beside it under a free name; names free ignoring
case, as Excel needs ("SUMMARY", "ISSUES")."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference

from cin_xl.cli import main
from cin_xl.workbook.annotate import SUMMARY_NAME
from tests.excel.test_excel_buttons import make_workbook


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=30)
    return path


def _user_sheet(path, name: str, chart: bool = False) -> None:
    wb = load_workbook(path)
    ws = wb.create_sheet(name)
    ws["A1"], ws["A2"], ws["B2"], ws["B3"] = "Our team's own summary", "Total", 3, 4
    ws["B4"] = "=SUM(B2:B3)"
    if chart:
        bar = BarChart()
        bar.add_data(Reference(ws, min_col=2, min_row=2, max_row=3))
        ws.add_chart(bar, "D2")
    wb.save(path)


def _names(path) -> list[str]:
    return load_workbook(path).sheetnames


@pytest.mark.parametrize("name", ["Summary", "SUMMARY", "summary"])
def test_a_users_summary_sheet_is_kept_and_ours_goes_beside_it(workbook, name, capsys):
    _user_sheet(workbook, name, chart=True)
    for _ in range(2):  # and the second run finds its own Summary again, under its own name
        assert main(["validate", str(workbook), "--annotate"]) == 1
        assert "Traceback" not in capsys.readouterr().err
    names = _names(workbook)
    folded = [n.casefold() for n in names]
    assert len(folded) == len(set(folded)), names
    assert name in names and "cin-xl Summary" in names
    wb = load_workbook(workbook)
    user = wb[name]
    assert (user["A1"].value, user["B2"].value, user["B4"].value) == ("Our team's own summary", 3, "=SUM(B2:B3)")
    assert len(user._charts) == 1
    ours = wb["cin-xl Summary"]
    assert ours["A1"].value.endswith("key figures") and ours._charts
    # the charts of cin-xl's Summary read its own cells, not the user's sheet
    with zipfile.ZipFile(workbook) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any("'cin-xl Summary'!" in c for c in charts)
    assert not any(f"'{name}'!$" in c and "key" in c for c in charts)
    assert wb.defined_names[SUMMARY_NAME].attr_text == "'cin-xl Summary'!$A$1"


def test_our_summary_renamed_by_the_user_is_still_ours(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    wb = load_workbook(workbook)
    wb["Summary"].title = "Key figures"
    wb.defined_names[SUMMARY_NAME].attr_text = "'Key figures'!$A$1"  # as Excel follows a rename
    wb.save(workbook)
    main(["validate", str(workbook), "--annotate"])
    capsys.readouterr()
    assert "Summary" not in _names(workbook) and "Key figures" in _names(workbook)


def test_our_summary_typed_over_by_the_user_is_kept(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    wb = load_workbook(workbook)
    wb["Summary"]["A1"] = "my notes for the meeting"
    wb.save(workbook)
    main(["validate", str(workbook), "--annotate"])
    capsys.readouterr()
    wb = load_workbook(workbook)
    assert wb["Summary"]["A1"].value == "my notes for the meeting" and "cin-xl Summary" in wb.sheetnames


def test_an_issues_sheet_named_in_other_case_is_not_doubled(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    wb = load_workbook(workbook)
    wb["Issues"].title = "renaming"  # openpyxl takes a name only unused ignoring case
    wb["renaming"].title = "ISSUES"
    wb.save(workbook)
    assert main(["validate", str(workbook), "--annotate"]) == 1
    names = _names(workbook)
    assert "ISSUES" in names and "Issues" not in names


def test_a_users_issues_sheet_in_other_case_stops_the_run(workbook, capsys):
    wb = load_workbook(workbook)
    del wb["Issues"]
    wb.create_sheet("ISSUES")["A1"] = "things to ask the team"
    wb.save(workbook)
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    err = capsys.readouterr().err
    assert "'ISSUES'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert workbook.read_bytes() == before


def test_the_validate_button_keeps_a_users_summary_sheet_too(workbook, tmp_path):
    from cin_xl.excel import validate as excel_validate
    from tests.excel_harness import run_excel_function

    _user_sheet(workbook, "Summary")
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    run_excel_function(excel_validate, workbook, once)
    run_excel_function(excel_validate, once, twice)
    wb = load_workbook(twice)
    assert wb["Summary"]["A1"].value == "Our team's own summary" and wb["Summary"]["B4"].value == "=SUM(B2:B3)"
    assert wb["cin-xl Summary"]["A1"].value.endswith("key figures")
    assert len([n for n in wb.sheetnames if "summary" in n.casefold()]) == 2


def test_the_validate_button_uses_an_issues_sheet_named_in_other_case(workbook, tmp_path):
    from cin_xl.excel import validate as excel_validate
    from tests.excel_harness import run_excel_function

    wb = load_workbook(workbook)
    wb["Issues"].title = "renaming"
    wb["renaming"].title = "ISSUES"
    wb.save(workbook)
    out = tmp_path / "out.xlsx"
    run_excel_function(excel_validate, workbook, out)
    wb = load_workbook(out)
    assert "ISSUES" in wb.sheetnames and "Issues" not in wb.sheetnames
    assert wb["ISSUES"]["A2"].value  # the findings are listed there
