"""The workbook's shape is checked strictly: a census sheet or column missing (or renamed) stops export with
the closest known name; headers people commonly write, and the census's XML names, are read with a query; the
user's own columns are left out, said once a sheet."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.validation.findings import Severity
from cin_xl.workbook import read_grids
from cin_xl.workbook.reader import READ_PROBLEM, is_needed_sheet
from cin_xl.xml import to_xml_bytes
from tests.workbook.helpers import base_grids, base_return, col

Y = CensusYear.parse("2026-27")


def rename_header(grids, sheet, old, new):
    grid = grids[sheet]
    grid[0][col(grid, old)] = new


def births(result):
    return [c.identifiers.person_birth_date for c in result.census.children]


@pytest.mark.parametrize("header", ["DOB", "PersonBirthDate", "dob *"])
def test_a_common_header_or_the_xml_name_is_read_as_its_column_with_a_query(header):
    expected = births(read_grids(base_grids(), Y))
    grids = base_grids()
    rename_header(grids, "Children", "Date of birth", header)
    result = read_grids(grids, Y)
    assert births(result) == expected and any(isinstance(d, date) for d in expected)
    [query] = result.problems
    assert (query.code, query.severity, query.sheet, query.cells) == (READ_PROBLEM, Severity.QUERY, "Children", ("E1",))
    assert f"'{header}' (E) as 'Date of birth'" in query.message


def test_a_common_header_is_read_only_on_the_sheet_that_has_the_item():
    grids = base_grids()
    rename_header(grids, "CIN plans", "CIN plan start date", "Plan start date")
    rename_header(grids, "Child protection plans", "CP plan start date", "Plan start date")
    result = read_grids(grids, Y)
    assert to_xml_bytes(result.census, Y, check=False) == to_xml_bytes(base_return("2026-27"), Y, check=False)
    assert {p.sheet for p in result.problems} == {"CIN plans", "Child protection plans"}
    assert all(p.severity is Severity.QUERY for p in result.problems)


def test_a_column_renamed_to_an_unknown_name_is_an_error_naming_the_likely_rename():
    grids = base_grids()
    rename_header(grids, "Children", "Date of birth", "Birth date (child)")
    result = read_grids(grids, Y)
    [error] = [p for p in result.problems if p.severity is Severity.ERROR]
    assert error.sheet == "Children" and error.cells == ("E1",)
    assert "no column 'Date of birth'" in error.message
    assert "'Birth date (child)' (column E) looks like 'Date of birth'" in error.message
    # and not said a second time as a column of the user's own
    assert len(result.problems) == 1


def test_one_column_gone_and_one_unknown_holding_values_is_taken_as_the_rename():
    grids = base_grids()
    rename_header(grids, "Referrals", "Referral source", "Where from")
    result = read_grids(grids, Y)
    [error] = result.problems
    assert error.severity is Severity.ERROR and error.cells == ("C1",)
    assert "'Where from' (column C) looks like 'Referral source'" in error.message


def test_own_columns_with_every_known_column_present_are_said_once_a_sheet():
    grids = base_grids()
    for row_number, row in enumerate(grids["Children"]):
        row += [None, None, "Team" if row_number == 0 else "North", "Notes" if row_number == 0 else "call back"]
    result = read_grids(grids, Y)
    assert to_xml_bytes(result.census, Y, check=False) == to_xml_bytes(base_return("2026-27"), Y, check=False)
    [note] = result.problems
    assert note.severity is Severity.QUERY and note.sheet == "Children" and note.row == 1
    assert "'Team' (O), 'Notes' (P)" in note.message and "not exported" in note.message


def test_a_missing_sheet_is_an_error_naming_the_sheet_that_looks_like_it():
    grids = base_grids()
    grids["CIN Plan"] = grids.pop("CIN plans")
    result = read_grids(grids, Y)
    [error] = result.problems
    assert (error.severity, error.sheet) == (Severity.ERROR, "CIN plans")
    assert "the sheet 'CIN Plan' looks like it; rename it 'CIN plans'" in error.message


def test_a_copy_of_a_census_sheet_beside_it_is_a_query():
    grids = base_grids()
    grids["CIN plans (old)"] = [list(r) for r in grids["CIN plans"]]
    result = read_grids(grids, Y)
    [query] = result.problems
    assert query.severity is Severity.QUERY and "'CIN plans (old)' is not a census sheet" in query.message


def test_sheets_the_year_does_not_have_and_the_looked_after_sheet_may_be_missing():
    grids = base_grids("2025-26")
    assert "Pre-proceedings" not in grids
    grids.pop("Looked-after", None)
    assert read_grids(grids).problems == []


def test_sheets_like_a_census_sheet_are_loaded_the_others_not():
    assert is_needed_sheet("CIN Plan") and is_needed_sheet("PreProceedings") and is_needed_sheet("Children")
    assert not any(is_needed_sheet(n) for n in ("Start", "Lists", "Issues", "Summary", "Team list", "xlwings.conf"))


# -- cin-xl export ------------------------------------------------------------------------------------------------

@pytest.fixture
def book(tmp_path):
    src, path = tmp_path / "in.xml", tmp_path / "book.xlsx"
    original = to_xml_bytes(base_return("2026-27"), Y)
    src.write_bytes(original)
    assert main(["import", str(src), "-o", str(path)]) == 0
    return path, original


def export(path, capsys):
    capsys.readouterr()
    out = path.with_suffix(".xml")
    code = main(["export", str(path), "-o", str(out)])
    return code, capsys.readouterr().err, out


def test_export_refuses_a_renamed_column_naming_the_closest_known_name(book, capsys):
    path, _ = book
    wb = load_workbook(path)
    wb["Children"]["E1"] = "Birth date (child)"
    wb.save(path)
    code, err, out = export(path, capsys)
    assert code == 1 and not out.exists()
    assert "'Birth date (child)' (column E) looks like 'Date of birth'" in err


@pytest.mark.parametrize("sheet, renamed", [("CIN plans", "CIN Plan"), ("Pre-proceedings", "PreProceedings")])
def test_export_refuses_a_renamed_sheet_naming_the_closest_known_name(book, capsys, sheet, renamed):
    path, _ = book
    wb = load_workbook(path)
    wb[sheet].title = renamed
    wb.save(path)
    code, err, out = export(path, capsys)
    assert code == 1 and not out.exists()
    assert f"the sheet '{renamed}' looks like it; rename it '{sheet}'" in err


def test_export_with_a_dob_header_reads_the_dates(book, capsys):
    path, original = book
    wb = load_workbook(path)
    wb["Children"]["E1"] = "DOB"
    wb.save(path)
    code, err, out = export(path, capsys)
    assert code == 0 and out.read_bytes() == original
    assert "'DOB' (E) as 'Date of birth'" in err


def test_export_with_a_team_column_gives_the_same_xml(book, capsys):
    path, original = book
    wb = load_workbook(path)
    sheet = wb["Children"]
    sheet.insert_cols(3)
    sheet["C1"] = "Team"
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 3, "North")
    wb.save(path)
    code, err, out = export(path, capsys)
    assert code == 0 and out.read_bytes() == original
    assert err.count("'Team'") == 1


@pytest.mark.parametrize("edit, named", [
    (lambda wb: setattr(wb["CIN plans"], "title", "CIN Plan"), "the sheet 'CIN Plan' looks like it"),
    (lambda wb: wb["Children"].__setitem__("E1", "Birth date (child)"), "'Birth date (child)' (column E) looks like"),
])
def test_the_export_button_refuses_a_renamed_sheet_or_column_too(book, tmp_path, edit, named):
    from cin_xl import excel
    from tests.excel_harness import run_excel_function

    path, _ = book
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    target = tmp_path / "button.xml"
    result = run_excel_function(excel.export_xml, path, None, target).value
    assert not result.ok and not target.exists()
    assert any(named in f.message and f.severity is Severity.ERROR for f in result.findings)


def test_another_years_column_is_not_taken_for_this_years():
    """"Gender" is 2023-24's column (GenderCurrent codes), not this year's Sex: said as such, Sex missing."""
    grids = base_grids()
    rename_header(grids, "Children", "Sex", "Gender")
    result = read_grids(grids, Y)
    assert sorted((p.severity.value, p.message.split(":")[0]) for p in result.problems) == [
        ("error", "'Children' has no column 'Sex' (Sex)"),
        ("query", "Column 'Gender' is not part of the 2026-27 census; its values were not read")]


def test_a_missing_key_column_or_sheet_is_said_once_not_on_every_row_below_it():
    grids = base_grids()
    rename_header(grids, "Referrals", "Referral date", "Date referred")
    result = read_grids(grids, Y)
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert errors[0].sheet == "Referrals" and "'Date referred' (column B) looks like 'Referral date'" in errors[0].message
    below = errors[1:]
    assert {p.sheet for p in below} == {"Assessments", "CIN plans", "Section 47", "Child protection plans",
                                        "Pre-proceedings"} and len(below) == 5
    assert all(p.message.endswith("not read: 'Referrals' has no column 'Referral date'") for p in below)
    assert all(not episode.assessments for _child, episode in result.census.episodes())

    grids = base_grids()
    del grids["Referrals"]
    errors = [p for p in read_grids(grids, Y).problems if p.severity is Severity.ERROR]
    assert len(errors) == 6 and errors[0].message.startswith("The workbook has no 'Referrals' sheet")
