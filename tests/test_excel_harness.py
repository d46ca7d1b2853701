"""The Excel test harness: snapshot, remote Book, replay of the recorded actions, call counts.

Also pins the remote engine behaviours our Excel code relies on (see the harness docstring), so
an xlwings upgrade that changes them shows up here.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import openpyxl
import pytest
import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from tests.excel_harness import (
    SUPPORTED_ACTIONS,
    apply_actions,
    book_json,
    book_json_from_xlsx,
    calls_per_sheet,
    close_book,
    count_calls,
    excel_parse,
    open_book,
    opened_book,
    run_excel_function,
)


@pytest.fixture
def small_xlsx(tmp_path):
    """Two sheets: text, numbers, dates, blanks, a bool, a formula; names, a table, a note."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Children"
    ws.append(["LA child ID", "Date of birth", "Count", "Flag"])
    ws.append(["C001", dt.date(2015, 3, 2), 3, True])
    ws.append(["C002", None, 2.5, False])
    ws.append(["C003", dt.datetime(2016, 7, 1, 9, 30), None, None])
    ws["D1"].comment = Comment("yes or no", "test")
    other = wb.create_sheet("Return data")
    other["B2"] = "2026-27"
    other["C4"] = 7
    other["B6"] = "=C4*2"  # no cached value: openpyxl does not calculate
    other.add_table(_table("Codes", "E2:F4"))
    for r, (code, label) in enumerate([("Code", "Label"), ("A", "Alpha"), ("B", "Beta")], 1):
        other.cell(r + 1, 5, code)
        other.cell(r + 1, 6, label)
    wb.defined_names["CensusYear"] = DefinedName("CensusYear", attr_text="'Return data'!$B$2")
    other.defined_names["LocalCount"] = DefinedName("LocalCount",
                                                    attr_text="'Return data'!$C$4")
    path = tmp_path / "small.xlsx"
    wb.save(path)
    return path


def _table(name: str, ref: str) -> Table:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    return table


def _reopen(path, data_only=False):
    return openpyxl.load_workbook(path, data_only=data_only)


# ---------------------------------------------------------------------------------------------
# The snapshot
# ---------------------------------------------------------------------------------------------


def test_snapshot_has_the_shape_the_client_sends(small_xlsx):
    snapshot = book_json_from_xlsx(small_xlsx)
    assert json.loads(json.dumps(snapshot, allow_nan=False)) == snapshot
    assert snapshot["client"] == "Office.js"
    assert snapshot["version"] == xw.__version__
    assert snapshot["book"] == {"name": "small.xlsx", "active_sheet_index": 0, "selection": "A1",
                                "calculation": "Automatic"}
    children, other = snapshot["sheets"]
    assert children["name"] == "Children"
    assert children["used_range_address"] == "A1:D4"
    assert children["values"] == [
        ["LA child ID", "Date of birth", "Count", "Flag"],
        ["C001", "2015-03-02T00:00:00.000Z", 3, True],
        ["C002", "", 2.5, False],
        ["C003", "2016-07-01T09:30:00.000Z", "", ""],
    ]
    assert isinstance(children["values"][1][2], int)  # a whole number arrives as int
    assert children["notes"] == [{"address": "D1"}]
    # values anchored at A1 even though the used range starts at B2
    assert other["used_range_address"] == "B2:F6"
    assert other["values"][1][1] == "2026-27" and other["values"][0][0] == ""
    assert other["values"][5][1] == ""  # the formula without a cached value
    assert other["tables"][0] == {
        "name": "Codes", "range_address": "E2:F4", "header_row_range_address": "E2:F2",
        "data_body_range_address": "E3:F4", "total_row_range_address": None,
        "show_headers": True, "show_totals": False, "table_style": "TableStyleMedium2",
        "show_autofilter": True, "show_table_style_first_column": False,
        "show_table_style_last_column": False, "show_table_style_row_stripes": True,
        "show_table_style_column_stripes": False, "row_count": 3, "column_count": 2,
        "columns": ["Code", "Label"],
    }
    assert {(n["name"], n["book_scope"], n["sheet_index"], n["address"], n["scope_sheet_index"])
            for n in snapshot["names"]} == {("CensusYear", True, 1, "B2", None),
                                           ("LocalCount", False, 1, "C4", 1)}


def test_snapshot_options(small_xlsx):
    snapshot = book_json_from_xlsx(small_xlsx, book_name="Census.xlsm", active_sheet="Return data",
                                   selection="C4", exclude=["Children"], extent="values")
    assert snapshot["book"]["name"] == "Census.xlsm"
    assert snapshot["book"]["active_sheet_index"] == 1
    assert snapshot["book"]["selection"] == "C4"
    assert snapshot["sheets"][0]["values"] == [[]]
    book = xw.Book(json=snapshot)
    try:
        assert book.sheets.active.name == "Return data"
        assert book.selection.address == "$C$4"
        assert book.sheets["Children"]["A1"].value is None
    finally:
        close_book(book)


def test_book_json_without_a_file():
    snapshot = book_json({"S": [["a", 1.0], [dt.date(2024, 1, 31)]], "Empty": []},
                         names={"First": "=S!$A$1"})
    assert snapshot["sheets"][0]["values"] == [["a", 1], ["2024-01-31T00:00:00.000Z", ""]]
    assert snapshot["sheets"][1]["values"] == [[""]]
    assert snapshot["sheets"][1]["used_range_address"] is None
    book = xw.Book(json=snapshot)
    try:
        assert book.sheets["S"]["A2"].value == dt.datetime(2024, 1, 31)
        assert book.names["First"].refers_to_range.value == "a"
        assert book.sheets["Empty"].used_range.address == "$A$1"
    finally:
        close_book(book)


# ---------------------------------------------------------------------------------------------
# Reading through the remote Book
# ---------------------------------------------------------------------------------------------


def test_open_book_is_a_remote_book(small_xlsx):
    book = open_book(small_xlsx)
    try:
        assert book.app.engine.name == "remote"
        assert book.name == "small.xlsx" and [s.name for s in book.sheets] == [
            "Children", "Return data"]
        assert book.json() == {"actions": []}
    finally:
        close_book(book)


def test_open_book_reads_values_dates_names_and_tables(small_xlsx):
    with opened_book(small_xlsx) as book:
        children = book.sheets["Children"]
        assert children["A1"].value == "LA child ID"
        assert children["B2"].value == dt.datetime(2015, 3, 2)
        assert isinstance(children["B4"].value, dt.datetime)
        assert children["C3"].value == 2.5 and children["C2"].value == 3
        assert children["B3"].value is None
        assert children.used_range.value == [
            ["LA child ID", "Date of birth", "Count", "Flag"],
            ["C001", dt.datetime(2015, 3, 2), 3, True],
            ["C002", None, 2.5, False],
            ["C003", dt.datetime(2016, 7, 1, 9, 30), None, None],
        ]
        assert children["D1"].note is not None and children["A1"].note is None
        other = book.sheets["Return data"]
        assert other.used_range.address == "$B$2:$F$6"
        assert book.names["CensusYear"].refers_to_range.value == "2026-27"
        assert other["CensusYear"].value == "2026-27"
        assert other["LocalCount"].value == 7
        assert other["Codes"].value == [["A", "Alpha"], ["B", "Beta"]]  # table -> data body
        assert other.tables["Codes"].header_row_range.value == ["Code", "Label"]
        assert book.sheets.active.name == "Children"


# ---------------------------------------------------------------------------------------------
# Writing and replaying
# ---------------------------------------------------------------------------------------------


def test_writes_replay_onto_the_workbook(small_xlsx, tmp_path):
    out = tmp_path / "out.xlsx"
    with opened_book(small_xlsx) as book:
        children = book.sheets["Children"]
        children["B3"].value = dt.date(2014, 12, 25)
        children.range("A6:C7").value = [["C005", dt.datetime(2020, 1, 2, 3, 4, 5), 1.25],
                                         [None, "x", 42]]
        children["C3"].color = (255, 0, 0)
        children["A1:D1"].font.bold = True
        children["A1:D1"].font.color = "#0000ff"
        children["C2:C7"].number_format = "0.00"
        children["A2"].add_hyperlink("https://www.gov.uk/", "DfE")
        children["D4"].clear_contents()
        children.freeze_panes.freeze_at("1:1")
        children["E2"].add_note("check this")
        children["B2:B9"].data_validation.set_date("greater_than", dt.date(2000, 1, 1))
        children["D2:D9"].data_validation.set_list(["TRUE", "FALSE"])
        children["A2:D9"].conditional_formats.add_custom('=$D2="x"', fill_color="#ffff00",
                                                         font_bold=True)
        children["A1"].column_width = 80
        children["E:E"].columns.hidden = True
        issues = book.sheets.add("Issues", after=book.sheets[-1])
        issues["A1"].value = [["Code", "Cell"], ["CIN8500", "Children!B3"]]
        issues["B2"].add_hyperlink("#'Children'!B3", "Children!B3")
        issues["A1:B1"].borders.line_style = "continuous"
        book.sheets["Return data"].name = "Return"
        book.names.add("IssueCount", "=Issues!$A$2")
        book.sheets["Children"].activate()
        actions = book.json()["actions"]

    apply_actions(small_xlsx, actions, out)
    wb = _reopen(out)
    assert wb.sheetnames == ["Children", "Return", "Issues"]
    assert wb.active.title == "Children"
    ws = wb["Children"]
    assert [[c.value for c in row] for row in ws["A2:D7"]] == [
        ["DfE", dt.datetime(2015, 3, 2), 3, True],  # the hyperlink's text replaced C001
        ["C002", dt.datetime(2014, 12, 25), 2.5, False],
        ["C003", dt.datetime(2016, 7, 1, 9, 30), None, None],
        [None, None, None, None],
        ["C005", dt.datetime(2020, 1, 2, 3, 4, 5), 1.25, None],
        [None, "x", 42, None],
    ]
    assert ws["C3"].fill.fill_type == "solid" and ws["C3"].fill.fgColor.rgb == "FFFF0000"
    assert ws["B3"].fill.fill_type is None
    assert all(ws.cell(1, c).font.b for c in range(1, 5)) and not ws["E1"].font.b
    assert ws["A1"].font.color.rgb == "FF0000FF"
    assert ws["C5"].number_format == "0.00" and ws["C1"].number_format == "General"
    assert ws["A2"].hyperlink.target == "https://www.gov.uk/" and ws["A2"].value == "DfE"
    assert ws.freeze_panes == "A2"
    assert ws["E2"].comment.text == "check this"
    rules = {str(v.sqref): (v.type, v.operator, v.formula1) for v in
             ws.data_validations.dataValidation}
    assert rules == {"B2:B9": ("date", "greaterThan", "DATE(2000,1,1)"),
                     "D2:D9": ("list", None, '"TRUE,FALSE"')}
    (formatting,) = list(ws.conditional_formatting)
    assert str(formatting.sqref) == "A2:D9"
    assert formatting.rules[0].formula == ['$D2="x"'] and formatting.rules[0].dxf.font.b
    assert ws.column_dimensions["A"].width == pytest.approx((80 / 0.75 - 5) / 7, abs=0.01)
    assert ws.column_dimensions["E"].hidden
    issues = wb["Issues"]
    assert [[c.value for c in row] for row in issues["A1:B2"]] == [
        ["Code", "Cell"], ["CIN8500", "Children!B3"]]
    assert issues["B2"].hyperlink.location == "'Children'!B3"
    assert issues["A1"].border.top.style == "thin" and issues["B1"].border.left.style == "thin"
    assert issues["A1"].border.right.style == "thin"  # inside vertical
    assert wb.defined_names["CensusYear"].attr_text == "Return!$B$2"  # followed the rename
    assert wb.defined_names["IssueCount"].attr_text == "Issues!$A$2"
    assert wb["Return"].defined_names["LocalCount"].attr_text == "Return!$C$4"


def test_sheet_positions_follow_earlier_actions(tmp_path):
    """``sheet_position`` is the position when the action runs: after a sheet is inserted in
    front, the same sheet has a new position, and the replay must follow."""
    path = tmp_path / "three.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb.create_sheet("B")
    wb.create_sheet("C")
    wb.save(path)
    with opened_book(path) as book:
        book.sheets["B"]["A1"].value = "before"
        book.sheets.add("First", before=book.sheets["A"])
        book.sheets["B"]["A2"].value = "after"
        book.sheets["C"].delete()
        book.sheets["B"].name = "Bee"
        book.sheets["Bee"]["A3"].value = "renamed"
        actions = book.json()["actions"]
    positions = [(a["func"], a["sheet_position"]) for a in actions]
    assert positions == [("setValues", 1), ("addSheet", None), ("setValues", 2),
                         ("sheetDelete", 3), ("setSheetName", 2), ("setValues", 2)]
    out = apply_actions(path, actions, tmp_path / "out.xlsx")
    wb = _reopen(out)
    assert wb.sheetnames == ["First", "A", "Bee"]
    assert [c.value for c in wb["Bee"]["A"]] == ["before", "after", "renamed"]
    assert wb["A"]["A1"].value is None and wb["First"]["A1"].value is None
    assert calls_per_sheet(actions, ["A", "B", "C"]) == {"B": 4, "First": 1, "C": 1}
    assert calls_per_sheet(actions) == {1: 1, 0: 1, 2: 3, 3: 1}  # positions as recorded


def test_cell_coordinates_are_zero_based_in_actions(tmp_path):
    path = tmp_path / "one.xlsx"
    openpyxl.Workbook().save(path)
    with opened_book(path) as book:
        sheet = book.sheets[0]
        sheet["C5"].value = "c5"
        sheet.range((10, 2), (11, 4)).value = [[1, 2, 3], [4, 5, 6]]
        sheet["AA1000"].color = "#00ff00"
        actions = book.json()["actions"]
    assert [(a["start_row"], a["start_column"], a["row_count"], a["column_count"])
            for a in actions] == [(4, 2, 1, 1), (9, 1, 2, 3), (999, 26, 1, 1)]
    ws = _reopen(apply_actions(path, actions, tmp_path / "out.xlsx")).active
    assert ws["C5"].value == "c5"
    assert [[c.value for c in row] for row in ws["B10:D11"]] == [[1, 2, 3], [4, 5, 6]]
    assert ws["AA1000"].fill.fgColor.rgb == "FF00FF00"
    assert ws["B9"].value is None and ws["E11"].value is None


def test_more_formats_and_structure(small_xlsx, tmp_path):
    with opened_book(small_xlsx) as book:
        sheet = book.sheets["Children"]
        sheet["A1:D1"].wrap_text = True
        sheet["A1:D1"].horizontal_alignment = "center"
        sheet["A2:A3"].row_height = 30
        sheet["A1:B1"].merge()
        sheet["C2:C4"].set_colors([[(255, 0, 0)], [...], [None]])
        sheet["B2:B4"].clear()
        sheet["A2:A4"].name = "IDs"
        sheet["A2:D4"].sort(keys=3, ascending=False)
        copy = book.sheets["Return data"]
        copy.visible = False
        copy.show_gridlines = False
        copy.page_setup.print_area = "$B$2:$C$4"
        copy["E2:F4"].data_validation.delete()
        actions = book.json()["actions"]
    wb = _reopen(apply_actions(small_xlsx, actions, tmp_path / "out.xlsx"))
    ws = wb["Children"]
    assert ws["A1"].alignment.wrap_text and ws["D1"].alignment.horizontal == "center"
    assert ws.row_dimensions[2].height == 30 and ws.row_dimensions[3].height == 30
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B1"]
    # sorted by Count, descending, blanks last; the fill moved with its row
    assert [[c.value for c in row] for row in ws["A2:D4"]] == [
        ["C001", None, 3, True], ["C002", None, 2.5, False], ["C003", None, None, None]]
    assert ws["C2"].fill.fgColor.rgb == "FFFF0000"
    assert wb.defined_names["IDs"].attr_text == "Children!$A$2:$A$4"
    other = wb["Return data"]
    assert other.sheet_state == "hidden" and other.sheet_view.showGridLines is False
    assert other.print_area == "'Return data'!$B$2:$C$4"


def test_formulas_copies_rules_names_and_sheet_moves(tmp_path):
    path = tmp_path / "more.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in range(1, 7):
        ws.append([f"k{r % 3}", r, f"text {r}"])
    wb.create_sheet("Second")
    wb.save(path)
    with opened_book(path) as book:
        data, second = book.sheets["Data"], book.sheets["Second"]
        data["D1:D6"].formula = "=B1*2"  # one formula, relative references follow each row
        data["A1:C2"].copy(second["C3"])
        second["A10"].copy_from(data["A1:B2"], "values", False, True)  # transposed
        data["C1:C6"].replace_all("text", "TXT")
        data["A1:C6"].conditional_formats.add_cell_value("greater_than", 2, fill_color="#ff0000")
        data["B1:B3"].conditional_formats.clear()
        data["B1:B9"].data_validation.set_whole_number("between", 1, 9)
        book.names.add("Keys", "=Data!$A$1:$A$6")
        book.names["Keys"].refers_to = "=Data!$A$1:$A$3"
        data.names.add("LocalN", "=Data!$B$1")
        book.names.add("Gone", "=Data!$C$1")
        book.names["Gone"].delete()
        data["B2"].select()
        data.freeze_panes.freeze_at("A1")
        data["A1:C6"].remove_duplicates(columns=1)
        table = data.tables.add(data["A1:C6"], name="Keys_T")
        table.name = "KeysTable"
        table.show_table_style_first_column = True
        second.move(before=data)
        book.app.calculation = "manual"
        actions = book.json()["actions"]
    wb = _reopen(apply_actions(path, actions, tmp_path / "out.xlsx"))
    assert wb.sheetnames == ["Second", "Data"] and wb.calculation.calcMode == "manual"
    data, second = wb["Data"], wb["Second"]
    assert [data[f"D{r}"].value for r in (1, 6)] == ["=B1*2", "=B6*2"]
    assert [[c.value for c in row] for row in data["A1:C6"]] == [  # table headers are text
        ["k1", "1", "TXT 1"], ["k2", 2, "TXT 2"], ["k0", 3, "TXT 3"]] + [[None] * 3] * 3
    assert [[c.value for c in row] for row in second["C3:E4"]] == [
        ["k1", 1, "text 1"], ["k2", 2, "text 2"]]
    assert [[c.value for c in row] for row in second["A10:B11"]] == [["k1", "k2"], [1, 2]]
    (formatting,) = list(data.conditional_formatting)
    assert str(formatting.sqref) == "A1:A3 A4:C6 C1:C3"
    assert (formatting.rules[0].operator, formatting.rules[0].formula) == ("greaterThan", ["2"])
    (rule,) = data.data_validations.dataValidation
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == ("whole", "between",
                                                                         "1", "9")
    assert {k: v.attr_text for k, v in wb.defined_names.items()} == {"Keys": "Data!$A$1:$A$3"}
    assert data.defined_names["LocalN"].attr_text == "Data!$B$1"
    assert data.freeze_panes == "B2" and data.sheet_view.selection[-1].sqref == "B2"
    (table,) = data.tables.values()
    assert (table.displayName, table.ref, table.tableStyleInfo.showFirstColumn) == (
        "KeysTable", "A1:C6", True)


# ---------------------------------------------------------------------------------------------
# How Excel takes written text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cell_format", "stored"), [
    ("007", "General", 7),
    ("12345678901234567", "General", 12345678901234600),
    ("'007", "General", "007"),
    ("007", "@", "007"),
    ("1,234.5", "General", 1234.5),
    ("TRUE", "General", True),
    ("2024-01-31", "General", dt.datetime(2024, 1, 31)),
    ("2024-01-31 12:30:00", "General", dt.datetime(2024, 1, 31, 12, 30)),
    ("31/01/2024", "General", dt.datetime(2024, 1, 31)),
    ("2024-02-30", "General", "2024-02-30"),
    ("=A1*2", "General", "=A1*2"),
    ("C0010000001", "General", "C0010000001"),
    ("", "General", None),
])
def test_excel_parse(text, cell_format, stored):
    assert excel_parse(text, cell_format)[0] == stored


def test_replay_parses_text_like_excel(tmp_path):
    path = tmp_path / "text.xlsx"
    wb = openpyxl.Workbook()
    wb.active["B1"].number_format = "@"
    wb.save(path)
    with opened_book(path) as book:
        book.sheets[0]["A1:A4"].value = [["007"], ["'007"], ["=1+1"], ["2024-01-31"]]
        book.sheets[0]["B1:B2"].value = [["007"], ["=1+1"]]
        book.sheets[0]["B2"].number_format = "@"  # too late: B2 is already a formula
        actions = book.json()["actions"]
    ws = _reopen(apply_actions(path, actions, tmp_path / "out.xlsx")).active
    assert [ws[f"A{r}"].value for r in range(1, 5)] == [7, "007", "=1+1",
                                                      dt.datetime(2024, 1, 31)]
    assert ws["A2"].quotePrefix and ws["A3"].data_type == "f"
    assert ws["A4"].number_format == "yyyy-mm-dd"
    assert ws["B1"].value == "007" and ws["B1"].data_type == "s"
    ws = _reopen(apply_actions(path, actions, tmp_path / "raw.xlsx", excel_coercion=False)).active
    assert ws["A1"].value == "007" and ws["A4"].value == "2024-01-31"


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


def test_unsupported_actions_are_named(small_xlsx, tmp_path):
    with opened_book(small_xlsx) as book:
        book.sheets[0]["A1:A2"].autofill(book.sheets[0]["A1:A9"], "fill_series")
        actions = book.json()["actions"]
    with pytest.raises(NotImplementedError, match="rangeAutofill"):
        apply_actions(small_xlsx, actions, tmp_path / "out.xlsx")
    with pytest.raises(NotImplementedError, match="addPicture"):
        apply_actions(small_xlsx, [{"func": "addPicture", "args": ["", 0, 0, 0, 0]}],
                      tmp_path / "out.xlsx")
    assert {"setValues", "setRangeColor", "addHyperlink", "addSheet", "namesAdd"} <= (
        SUPPORTED_ACTIONS)


def test_values_the_client_could_not_receive_fail(small_xlsx, tmp_path):
    with opened_book(small_xlsx) as book:
        book.sheets[0]["A1"].value = Decimal("1.5")  # the engine passes it through as is
        actions = book.json()["actions"]
    with pytest.raises(TypeError, match="Decimal"):
        apply_actions(small_xlsx, actions, tmp_path / "out.xlsx")


# ---------------------------------------------------------------------------------------------
# Counting calls
# ---------------------------------------------------------------------------------------------


def _mark_issues(book: xw.Book) -> int:
    """A stand-in for validation: one Issues column per sheet, one block write per sheet."""
    for sheet in book.sheets:
        rows = sheet.used_range.value
        if not rows or not isinstance(rows[0], list):
            continue
        issues = [["Issues"]] + [["bad" if row[0] is None else None] for row in rows[1:]]
        target = sheet.range((1, len(rows[0]) + 1)).resize(len(issues), 1)
        target.value = issues
        target.color = "#fff2cc"
    return len(book.sheets)


def _rows_xlsx(path, n_rows: int, n_cols: int = 8, referrals: int | None = None):
    """Children with ``n_rows`` rows, Referrals with ``referrals`` (default the same)."""
    wb = openpyxl.Workbook(write_only=True)
    for name, rows in (("Children", n_rows), ("Referrals", n_rows if referrals is None
                                                          else referrals)):
        ws = wb.create_sheet(name)
        ws.append([f"H{c}" for c in range(n_cols)])
        for r in range(rows):
            ws.append([None if r % 97 == 0 else f"C{r:06d}", dt.date(2020, 1, 1 + r % 28)]
                      + [r * c for c in range(n_cols - 2)])
    wb.save(path)
    return path


def test_calls_per_sheet_do_not_grow_with_rows(tmp_path):
    small = run_excel_function(_mark_issues, _rows_xlsx(tmp_path / "s.xlsx", 10))
    large = run_excel_function(_mark_issues, _rows_xlsx(tmp_path / "l.xlsx", 3000))
    assert small.value == 2
    assert small.calls == large.calls == {"setValues": 2, "setRangeColor": 2}
    assert small.calls_per_sheet == large.calls_per_sheet == {"Children": 2, "Referrals": 2}
    assert calls_per_sheet(large.actions, large.sheet_names, by_func=True)["Children"] == {
        "setValues": 1, "setRangeColor": 1}
    assert count_calls(large.actions)["setValues"] == 2


def test_run_excel_function_replays(tmp_path):
    path = _rows_xlsx(tmp_path / "in.xlsx", 100)
    result = run_excel_function(_mark_issues, path, tmp_path / "out.xlsx")
    ws = _reopen(result.out_path)["Children"]
    assert ws["I1"].value == "Issues" and ws["I2"].value == "bad" and ws["I3"].value is None
    assert ws["I2"].fill.fgColor.rgb == "FFFFF2CC"


def test_twenty_thousand_rows(tmp_path):
    path = _rows_xlsx(tmp_path / "big.xlsx", 20_000, referrals=50)
    snapshot = book_json_from_xlsx(path)  # its speed is measured by benchmarks/bench_excel.py, not asserted
    assert snapshot["sheets"][0]["used_range_address"] == "A1:H20001"
    book = xw.Book(json=snapshot)
    try:
        values = book.sheets["Children"].used_range.value
        assert len(values) == 20_001 and values[2][1] == dt.datetime(2020, 1, 2)
        assert _mark_issues(book) == 2
        assert calls_per_sheet(book.json(), snapshot) == {"Children": 2, "Referrals": 2}
    finally:
        close_book(book)


# ---------------------------------------------------------------------------------------------
# Remote engine behaviours our Excel code must respect (pinned)
# ---------------------------------------------------------------------------------------------


def test_engine_writes_do_not_update_what_the_book_reads():
    book = xw.Book(json=book_json({"S": [["old"]]}))
    try:
        book.sheets[0]["A1"].value = "new"
        assert book.sheets[0]["A1"].value == "old"
    finally:
        close_book(book)


def test_engine_adds_a_sheet_before_another_one_position_too_early():
    book = xw.Book(json=book_json({"A": [["a"]], "B": [["b"]], "C": [["c"]]}))
    try:
        book.sheets.add("New", before=book.sheets["C"])
        assert [s.name for s in book.sheets] == ["A", "New", "B", "C"]
        book.sheets.add("Last", after=book.sheets["C"])
        assert [s.name for s in book.sheets][-1] == "Last"
    finally:
        close_book(book)


def test_engine_chunks_writes_above_100000_cells():
    book = xw.Book(json=book_json({"S": [[""]]}))
    try:
        block = [[1] * 10 for _ in range(20_000)]
        book.sheets[0]["A1"].value = block
        assert count_calls(book)["setValues"] == 2  # 10,000 rows per action
        book.sheets[0]["A1"].options(chunksize=None).value = block
        assert count_calls(book)["setValues"] == 3
    finally:
        close_book(book)


def test_engine_cannot_read_formats_synchronously():
    book = xw.Book(json=book_json({"S": [["x"]]}))
    try:
        for read in (lambda r: r.color, lambda r: r.formula, lambda r: r.number_format,
                     lambda r: r.font.bold):
            with pytest.raises(NotImplementedError):
                read(book.sheets[0]["A1"])
    finally:
        close_book(book)
