"""The child-level lists as sheets of a marked workbook (issue 19, 2): written by ``validate --annotate`` after
the Summary sheet, each row naming the child and linking (a hyperlink element, never a formula) to the record's
row; agreeing with the rates; replaced, never duplicated, on the next run; a user's sheet of the same name kept."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from cin_xl.cli import main
from cin_xl.jobs.report import key_figures
from cin_xl.reports.figures.lists import LISTS
from cin_xl.reports.list_sheets import NO_ID, SHEET_NAMES
from cin_xl.workbook.layout import MODULES
from cin_xl.workbook.list_sheets import FIRST_ROW, HEADER_ROW, MAX_LINKS, list_sheet_names
from cin_xl.workbook.reader import is_needed_sheet
from tests.excel.test_excel_buttons import make_workbook

ORDER = [SHEET_NAMES[spec.key] for spec in LISTS]


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    path = tmp_path_factory.mktemp("lists") / "census.xlsx"
    make_workbook(path, n=160, seed=4)
    assert main(["validate", str(path), "--annotate", "--quiet"]) in (0, 1)
    return path


def _table(ws) -> tuple[list[str], list[tuple]]:
    header = [c.value for c in ws[HEADER_ROW] if c.value is not None]
    rows = [r[:len(header)] for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True) if any(r)]
    return header, rows


def test_every_list_has_a_short_sheet_name_the_reader_never_loads():
    assert set(SHEET_NAMES) == {spec.key for spec in LISTS}
    for name in SHEET_NAMES.values():
        for candidate in list_sheet_names(type("S", (), {"name": name})()):  # type: ignore[arg-type]
            assert len(candidate) <= 31, candidate
            # not taken for a renamed census sheet: never read, never a query on the next validation
            assert not is_needed_sheet(candidate) and not is_needed_sheet(candidate.upper()), candidate
    assert not {n.casefold() for n in SHEET_NAMES.values()} & {m.sheet.casefold() for m in MODULES}


def test_the_lists_are_sheets_after_the_summary_with_title_header_and_rows(annotated):
    wb = load_workbook(annotated)
    names = wb.sheetnames
    at = names.index("Summary")
    assert names[at + 1:at + 1 + len(ORDER)] == ORDER
    for spec in LISTS:
        ws = wb[SHEET_NAMES[spec.key]]
        assert ws["A1"].value == f"{spec.name}: children in need census 2026-27"
        assert ws["A2"].value == spec.definition
        assert ws.freeze_panes == f"A{FIRST_ROW}"  # title and header stay in view
        header, rows = _table(ws)
        assert header[:3] == ["LA child ID", "Sheet", "Row"] and "XML line" not in header
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # printed at the top of every page
        if not rows:
            assert ws.cell(FIRST_ROW, 1).value == "None in this return."
        for column, width in ws.column_dimensions.items():
            assert 10 <= width.width <= 45, (ws.title, column)


def test_each_row_links_to_the_row_of_its_record(annotated):
    wb = load_workbook(annotated)
    checked = 0
    for name in ORDER:
        ws = wb[name]
        for r in range(FIRST_ROW, ws.max_row + 1):
            cell = ws.cell(r, 1)
            if cell.value is None or cell.value == "None in this return.":
                continue
            sheet, row = ws.cell(r, 2).value, ws.cell(r, 3).value
            assert cell.hyperlink is not None and cell.hyperlink.location == f"'{sheet}'!A{row}", (name, r)
            assert cell.hyperlink.target is None  # in the workbook, not a web address
            assert wb[sheet].cell(row, 1).value == cell.value  # the child's own row
            checked += 1
    assert checked > 50
    with zipfile.ZipFile(annotated) as z:
        parts = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        lists = [z.read(n) for n in parts if b": children in need census" in z.read(n)[:4000]]
    assert len(lists) == len(ORDER)
    for data in lists:  # links are elements of the sheet, nothing is a formula
        assert b"<f>" not in data and b"<f " not in data and b"HYPERLINK" not in data
        assert b"<hyperlink " in data or b"None in this return." in data


def test_dates_are_dates_and_the_lists_agree_with_the_rates(annotated):
    wb = load_workbook(annotated)
    figures = key_figures(annotated, check=False)
    header, rows = _table(wb[SHEET_NAMES["assessments_working_days"]])
    rate = figures["assessments_within_45_days"]
    within = header.index("Within 45 working days")
    assert rate.denominator > 20 and len(rows) == rate.denominator
    assert sum(r[within] == "Yes" for r in rows) == rate.numerator
    start = header.index("Start date")
    assert all(isinstance(r[start], datetime) for r in rows)
    assert wb[SHEET_NAMES["assessments_working_days"]].cell(FIRST_ROW, start + 1).number_format == "dd/mm/yyyy"
    header, rows = _table(wb[SHEET_NAMES["icpc_working_days"]])
    kind, within = header.index("Kind"), header.index("Within 15 working days")
    for label, key in (("Section 47", "conferences_within_15_days"), ("Transfer-in", "transfer_in_icpc_within_15_days")):
        counted = [r for r in rows if r[kind] == label]
        assert len(counted) == figures[key].denominator
        assert sum(r[within] == "Yes" for r in counted) == figures[key].numerator
    reviews = figures["cp_reviews_on_time"]
    assert len(_table(wb[SHEET_NAMES["cp_reviews_out_of_timescale"]])[1]) == reviews.denominator - reviews.numerator


def test_validating_again_replaces_the_lists(annotated, tmp_path):
    path = tmp_path / "again.xlsx"
    path.write_bytes(annotated.read_bytes())
    wb = load_workbook(path)
    before = _table(wb[ORDER[0]])
    children = wb["Children"]
    # a fixed date moves an assessment out of the list: the sheet follows, nothing is added beside it
    assessments = wb["Assessments"]
    head = [c.value for c in assessments[1]]
    col = head.index("Assessment authorisation date") + 1
    row = next(r for r in range(2, assessments.max_row + 1) if assessments.cell(r, col).value is not None)
    assessments.cell(row, col).value = None
    assert children.max_row > 1
    wb.save(path)
    assert main(["validate", str(path), "--annotate", "--quiet"]) in (0, 1)
    wb = load_workbook(path)
    assert [n for n in wb.sheetnames if n in ORDER or n.startswith("cin-xl ")] == ORDER
    after = _table(wb[ORDER[0]])
    assert len(after[1]) == len(before[1]) - 1
    assert all(r[2] != row for r in after[1])


def test_a_users_sheet_of_the_same_name_is_kept_and_a_renamed_list_followed(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=40, seed=2)
    wb = load_workbook(path)
    mine = wb.create_sheet("DAYS TO ASSESS")  # the same name to Excel, ignoring case
    mine["A1"], mine["A2"] = "Our own tally", "=1+1"
    wb.save(path)
    for _ in range(2):
        assert main(["validate", str(path), "--annotate", "--quiet"]) in (0, 1)
    wb = load_workbook(path)
    assert wb["DAYS TO ASSESS"]["A1"].value == "Our own tally" and wb["DAYS TO ASSESS"]["A2"].value == "=1+1"
    ours = wb["cin-xl Days to assess"]
    assert ours["A1"].value.startswith("Assessments working days list: ")
    assert wb.defined_names["_cinxl_List_assessments_working_days"].attr_text == "'cin-xl Days to assess'!$A$1"
    assert _summary_links(wb)["Assessments working days list"] == ("cin-xl Days to assess",
                                                                    "'cin-xl Days to assess'!A1")
    # renamed in Excel: the hidden name follows it, and the next run writes there again
    ours.title = "Assessments I check"
    wb.defined_names["_cinxl_List_assessments_working_days"].attr_text = "'Assessments I check'!$A$1"
    wb.save(path)
    assert main(["validate", str(path), "--annotate", "--quiet"]) in (0, 1)
    names = load_workbook(path).sheetnames
    assert "Assessments I check" in names and "cin-xl Days to assess" not in names
    assert sum(n.casefold() == "days to assess" for n in names) == 1
    assert _summary_links(load_workbook(path))["Assessments working days list"] == ("Assessments I check",
                                                                                   "'Assessments I check'!A1")


def _summary_links(wb) -> dict[str, tuple[str, str | None]]:
    """The Summary sheet's COLLECT's reports block: list name -> (the sheet it names, where its link goes)."""
    ws = wb["Summary"]
    first = [c.value for c in ws["A"]]
    at = first.index("The child-level lists, each on a sheet of its own")
    assert ws.cell(at + 2, 1).value == "List" and ws.cell(at + 2, 6).value == "Sheet"
    out = {}
    for r in range(at + 3, ws.max_row + 1):
        if ws.cell(r, 1).value is None:
            break
        cell = ws.cell(r, 6)
        assert cell.hyperlink is None or cell.hyperlink.target is None  # in the workbook, not a web address
        out[ws.cell(r, 1).value] = (cell.value, cell.hyperlink.location if cell.hyperlink else None)
    return out


def test_the_summary_names_each_list_sheet_and_links_to_it(annotated):
    # issue 19, review item 3: COLLECT's reports on the Summary sheet name the list sheets, each a link to its sheet
    wb = load_workbook(annotated)
    links = _summary_links(wb)
    assert list(links) == [spec.name for spec in LISTS]
    for spec in LISTS:
        sheet, location = links[spec.name]
        assert sheet == SHEET_NAMES[spec.key] and sheet in wb.sheetnames
        assert location == f"'{sheet}'!A1"
    reports = {c.value: wb["Summary"].cell(c.row, 6).value for c in wb["Summary"]["A"] if isinstance(c.value, str)}
    assert "list: Assessments working days list (the 'Days to assess' sheet)" in reports[
        "1. Assessments working days list"]


def test_hostile_child_ids_stay_text_in_the_lists(tmp_path):
    from cin_xl.census.years import CensusYear
    from cin_xl.synthetic.generate import generate
    from cin_xl.workbook.writer import write_workbook

    year = CensusYear.parse("2026-27")
    census = generate(40, year, 3)
    payloads = ['=HYPERLINK("http://example.invalid","x")', "+1", "-2", "@SUM(A1)", "\uff1d1+1"]
    with_assessments = [c for c in census.children if any(
        a.authorisation_date for e in c.cin_details for a in e.assessments)]
    for child, payload in zip(with_assessments, payloads):
        child.identifiers.la_child_id = payload
    path = tmp_path / "hostile.xlsx"
    write_workbook(path, census, year)
    assert main(["validate", str(path), "--annotate", "--quiet"]) in (0, 1)
    ws = load_workbook(path)[SHEET_NAMES["assessments_working_days"]]
    ids = {ws.cell(r, 1).value: ws.cell(r, 1) for r in range(FIRST_ROW, ws.max_row + 1)}
    for payload in payloads:
        cell = ids[payload]
        assert cell.data_type == "s" and cell.quotePrefix, payload  # text, kept text when edited
        assert cell.hyperlink is not None


def test_a_record_without_a_child_id_is_still_named_and_linked():
    from cin_xl.reports.figures.lists import ChildList
    from cin_xl.reports.list_sheets import list_sheet

    listed = ChildList("assessments_working_days", "Assessments working days list", "What it is.",
                       ("LA child ID", "Sheet", "Row", "XML line", "Reviews"),
                       ((None, "Assessments", 7, None, "2026-05-01 2026-08-01"),))
    sheet = list_sheet(listed, "2026-27", {"Assessments": "ASSESSMENTS"})
    assert sheet.rows == ((NO_ID, "ASSESSMENTS", 7, "01/05/2026, 01/08/2026"),)
    assert sheet.links == (("ASSESSMENTS", 7),)  # the sheet as the workbook names it


def test_links_stop_at_excels_limit_a_sheet():
    from cin_xl.workbook.list_sheets import ListSheet, sheet_xml

    n = MAX_LINKS + 5
    sheet = ListSheet("k", "Days to assess", "A list", "2026-27", "What it is.", f"{n} rows.", ("LA child ID", "Sheet",
                      "Row"), tuple((f"C{i}", "Assessments", i + 2) for i in range(n)),
                      tuple(("Assessments", i + 2) for i in range(n)))
    data = sheet_xml(sheet, ["0"] * 11)
    assert data.count(b"<hyperlink ") == MAX_LINKS
    assert re.search(rb'<dimension ref="A1:C(\d+)"/>', data).group(1) == str(FIRST_ROW + n - 1).encode()


def test_a_note_typed_beside_a_list_stops_the_run_and_nothing_is_lost(annotated, tmp_path, capsys):
    path = tmp_path / "noted.xlsx"
    path.write_bytes(annotated.read_bytes())
    wb = load_workbook(path)
    ws = wb[ORDER[0]]
    column = ws.max_column + 1
    ws.cell(FIRST_ROW + 1, column).value = "checked with the team"
    wb.save(path)
    before = path.read_bytes()
    assert main(["validate", str(path), "--annotate", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"'{ORDER[0]}' sheet holds 'checked with the team'" in err and "Nothing was changed" in err
    assert path.read_bytes() == before


def test_the_button_over_annotates_lists_leaves_no_stale_row_or_link(annotated, tmp_path):
    """Validate in Excel after --annotate: the list's old cells are cleared (values and links) before the new
    block, so a shorter list leaves nothing of the longer one below it."""
    from cin_xl import excel
    from tests.excel_harness import run_excel_function

    path = tmp_path / "shorter.xlsx"
    path.write_bytes(annotated.read_bytes())
    wb = load_workbook(path)
    assessments = wb["Assessments"]
    head = [c.value for c in assessments[1]]
    col = head.index("Assessment authorisation date") + 1
    for r in range(2, assessments.max_row + 1):  # the assessments' authorisation dates gone: an empty list
        assessments.cell(r, col).value = None
    wb.save(path)
    out = tmp_path / "button.xlsx"
    run = run_excel_function(excel.validate, path, out)
    clears = [a for a in run.actions if a["func"] == "rangeClear"]
    assert len(clears) == len(ORDER)
    ws = load_workbook(out)[ORDER[0]]
    assert ws.cell(FIRST_ROW, 1).value == "None in this return."
    assert all(ws.cell(r, c).value is None for r in range(FIRST_ROW + 1, ws.max_row + 1) for c in range(1, 8))


def test_a_note_put_on_a_list_sheet_stops_the_run(annotated, tmp_path, capsys):
    from openpyxl.comments import Comment

    path = tmp_path / "commented.xlsx"
    path.write_bytes(annotated.read_bytes())
    wb = load_workbook(path)
    wb[ORDER[1]]["A1"].comment = Comment("ask Sam", "Sam")
    wb.save(path)
    before = path.read_bytes()
    assert main(["validate", str(path), "--annotate", "--quiet"]) == 2
    assert f"The '{ORDER[1]}' sheet holds a picture, shape or note" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_dates_follow_the_workbooks_date_system():
    from datetime import date

    from cin_xl.workbook.list_sheets import ListSheet, sheet_xml

    sheet = ListSheet("k", "Days to assess", "A list", "2026-27", "What it is.", "1 row.",
                      ("LA child ID", "Sheet", "Row", "Start date"), (("C1", "Assessments", 2, date(2026, 5, 1)),),
                      (("Assessments", 2),))
    formats = [str(i) for i in range(11)]
    assert b"<v>46143</v>" in sheet_xml(sheet, formats)  # 1 May 2026, 1900 date system
    assert b"<v>44681</v>" in sheet_xml(sheet, formats, date1904=True)
