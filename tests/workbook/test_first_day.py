"""A new user's first day: the blank template validates cleanly, marks are readable everywhere
(the Return sheet too), sheets print sensibly, and the dropdowns invent nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook

from cin_xl.census.spec import CODE_SETS
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.excel import validate as excel_validate
from cin_xl.jobs.validate import validate_file
from cin_xl.reports.findings import grouped
from cin_xl.validation.findings import Finding, Severity, plural, totals_text
from cin_xl.workbook.layout import ISSUES_WIDTH, RETURN, return_row_number
from cin_xl.workbook.marks import row_height
from cin_xl.workbook.template import build_workbook
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")


@pytest.fixture
def blank(tmp_path):
    path = tmp_path / "t.xlsx"
    assert main(["template", "--year", YEAR.label, "-o", str(path)]) == 0
    return path


def test_blank_template_finds_only_what_the_user_has_yet_to_type(blank):
    report = validate_file(blank)
    errors = sorted((f.code, f.message) for f in report.findings if f.severity is Severity.ERROR)
    assert errors == [("X-MISSING", "LA code (LEA) is missing"), ("X-MISSING", "The return has no children")]
    # the rest are queries about the return as a whole
    assert all(f.severity is Severity.QUERY and f.sheet is None for f in report.findings
               if f.severity is not Severity.ERROR)
    assert not any("DateTime" in f.message or "Software" in f.message or "Release" in f.message
                   for f in report.findings)


def test_items_export_fills_in_are_still_required_in_census_xml(tmp_path):
    """In census XML nothing fills them in: a file without <DateTime> is still wrong."""
    from cin_xl.census.model import Source
    from cin_xl.validation.structural import check_node

    missing = {name for _, name, _ in check_node(Source(lea="201"), YEAR)}
    assert {"date_time", "software_code", "release"} <= missing


def test_export_fills_in_what_the_workbook_leaves_blank(blank, tmp_path):
    from cin_xl.workbook.export import prepare_for_export
    from cin_xl.workbook.reader import read_workbook

    census = read_workbook(blank).census
    census.header.source.software_code = census.header.source.release = None
    now = datetime(2027, 5, 3, 10, 15, 30, 99)
    prepare_for_export(census, YEAR, now=now)
    source = census.header.source
    assert source.date_time == now.replace(microsecond=0)
    assert source.software_code == "cin-xl" and source.release


def test_summary_groups_findings_under_their_own_code_and_message(blank, capsys):
    assert main(["validate", str(blank)]) == 1
    out = capsys.readouterr().out
    assert "2 errors, 3 queries" in out and "(s)" not in out and "(ies)" not in out
    block = out.split("X-MISSING error x2: ")[1].split("\n\n")[0]
    heading, *lines = block.splitlines()
    assert heading == "A required data item is missing"  # not the first finding's message
    assert "    Children: The return has no children" in lines
    assert "    Return!B7: LA code (LEA) is missing" in lines


def test_grouping_keeps_a_shared_message_as_heading():
    same = [Finding("1103", Severity.ERROR, "Assessment before referral", sheet="Assessments", row=r)
            for r in (2, 3)]
    other = [Finding("X-CODE", Severity.ERROR, "Sex (Sex, N00783): 'Q' is not a valid code"),
             Finding("X-CODE", Severity.ERROR, "Ethnicity (Ethnicity, N00177): 'ZZ' is not a valid code")]
    groups = {code: (heading, len(group)) for code, _, heading, group in grouped(same + other)}
    assert groups["1103"] == ("Assessment before referral", 2)
    assert groups["X-CODE"][0] == "A value is not in the item's code set for the census year"


def test_plurals():
    assert [plural(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert plural(1, "query") == "1 query" and plural(21107, "query") == "21,107 queries"
    assert plural(1, "child") == "1 child" and plural(2, "child") == "2 children"
    assert totals_text(1, 1, " and ") == "1 error and 1 query"


def _return_marks(path):
    ws = load_workbook(path)[RETURN]
    head = [c.value for c in ws[1]]
    issues, marks = head.index("Issues") + 1, head.index("Marks") + 1
    row = return_row_number(YEAR, "source.lea")
    return ws, ws.cell(row, issues), ws.cell(row, marks)


def test_return_sheet_findings_are_marked_there_by_annotate(blank):
    assert main(["validate", str(blank), "--annotate"]) == 1
    ws, issue, mark = _return_marks(blank)
    assert issue.value == "X-MISSING error: LA code (LEA) is missing"
    assert mark.value.split()[0] == "B:E"  # colours the value cell
    assert ws.column_dimensions[mark.column_letter].hidden
    # the template's conditional formats colour the cells the Marks column names
    formulas = [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula
                if str(cf.sqref).startswith("A2:")]
    assert any(f"${mark.column_letter}2" in f for f in formulas)
    # the Start sheet counts the same findings
    start = load_workbook(blank)["Start"]
    values = [c.value for row in start.iter_rows() for c in row if c.value is not None]
    assert "2 errors to fix before export" in values


def test_return_sheet_findings_are_marked_there_by_the_excel_button(blank, tmp_path):
    out = tmp_path / "after.xlsx"
    result = run_excel_function(excel_validate, blank, out)
    assert result.value.errors == 2
    assert "2 errors and 3 queries found" in result.value.message
    _, issue, mark = _return_marks(out)
    assert issue.value == "X-MISSING error: LA code (LEA) is missing" and mark.value.split()[0] == "B:E"
    assert issue.alignment.wrap_text


def test_issues_cells_wrap_one_finding_per_line_and_rows_fit(tmp_path):
    """A row with several findings: one line each, a wrapping cell, a row tall enough for them."""
    from tests.excel.test_excel_buttons import make_workbook

    path = tmp_path / "w.xlsx"
    make_workbook(path, n=40, violations=("1103", "4220", "8630", "8525Q", "8875"))
    assert main(["validate", str(path), "--annotate"]) == 1
    report = validate_file(path)
    wb = load_workbook(path)
    checked = 0
    for ws in wb.worksheets:
        head = [c.value for c in ws[1]]
        if "Issues" not in head:
            continue
        col = head.index("Issues") + 1
        assert ws.column_dimensions[ws.cell(1, col).column_letter].width >= ISSUES_WIDTH
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row, col)
            if not cell.value:
                continue
            lines = cell.value.split("\n")
            mine = {(f.code, f.message) for f in report.findings if f.sheet == ws.title and
                    (f.row == row or (not f.row and f.cells and f.cells[0][1:].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                                      == str(row)))}
            assert len(lines) == len(mine)  # one line per distinct finding
            assert all(" error: " in line or " query: " in line for line in lines)
            assert cell.alignment.wrap_text
            assert ws.row_dimensions[row].height >= 15 * len(lines)
            checked += 1
    assert checked >= 5


def test_row_height_counts_wrapped_lines():
    assert row_height("") is None
    one = row_height("1103 error: short")
    two = row_height("a: x\nb: y")
    long = row_height("x" * (ISSUES_WIDTH * 3))
    assert one < two and two <= long
    assert row_height("x\n" * 100) == 409.0  # Excel's tallest row


def test_last_checked_reads_dd_mm_yyyy(blank):
    main(["validate", str(blank), "--annotate"])
    start = load_workbook(blank)["Start"]
    label = next(c for row in start.iter_rows() for c in row if c.value == "Last checked")
    when = start.cell(label.row, label.column + 1)
    assert isinstance(when.value, datetime) and when.number_format.startswith("dd/mm/yyyy")


def test_print_setup_of_every_sheet():
    from io import BytesIO

    wb = load_workbook(BytesIO(build_workbook(YEAR)))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        if ws.title == "Start":
            assert ws.page_setup.fitToHeight == 1  # the Start sheet on one page
        else:
            assert ws.page_setup.fitToHeight == 0, ws.title  # as many pages down as it takes
            assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every page


def test_lists_sheet_hidden_protected_and_readable():
    from io import BytesIO

    wb = load_workbook(BytesIO(build_workbook(YEAR)))
    ws = wb["Lists"]
    assert ws.sheet_state == "hidden" and ws.protection.sheet
    headings = [c.value for c in ws[1]]
    assert "Category of abuse" in headings and "Referral source" in headings
    assert not any(h in headings for h in ("CategoryOfAbuse", "ReferralSource", "PPOutcome", "UPNunknown"))
    assert all(" " in h or h[0].isupper() for h in headings)


def test_pre_proceedings_outcome_shows_the_codes_and_points_to_the_specification():
    from io import BytesIO

    assert [c.label for c in CODE_SETS["PPOutcome"].for_year(YEAR)] == ["", "", ""]
    wb = load_workbook(BytesIO(build_workbook(YEAR)))
    lists = wb["Lists"]
    col = [c.value for c in lists[1]].index("Pre-proceedings outcome") + 1
    assert [lists.cell(r, col).value for r in range(2, 6)] == ["A", "B", "C", None]
    ws = wb["Pre-proceedings"]
    head = [c.value for c in ws[1]]
    letter = ws.cell(1, head.index("Pre-proceedings outcome") + 1).column_letter
    prompts = [dv.prompt for dv in ws.data_validations.dataValidation if f"{letter}2" in str(dv.sqref)]
    assert prompts and "CS131" in prompts[0] and "specification" in prompts[0]
    everything = "\n".join(str(c.value) for s in wb.worksheets for row in s.iter_rows() for c in row if c.value)
    assert "Outcome A" not in everything
