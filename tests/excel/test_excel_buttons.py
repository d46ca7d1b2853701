"""The Excel buttons, driven through xlwings' remote engine on the real template filled with data.

Each test opens a workbook as ``xw.Book(json=...)`` (tests/excel_harness.py), runs a function of
cin_xl.excel, replays the recorded actions onto a copy with openpyxl and looks at the result.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.reports.list_sheets import SHEET_NAMES
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.inject import inject
from cin_xl.workbook.layout import ISSUES
from cin_xl.workbook.reader import read_workbook
from cin_xl.workbook.writer import write_workbook
from cin_xl.xml import read_xml, to_xml_bytes
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")
VIOLATIONS = ("1103", "4220", "8630", "8525Q", "8875")


def make_workbook(path: Path, n: int = 150, violations=VIOLATIONS, seed: int = 1) -> list:
    census = generate(n, YEAR, seed)
    import random

    injected = inject(census, YEAR, list(violations), random.Random(5)) if violations else []
    write_workbook(path, census, YEAR, force=True)
    return injected


def sheet_values(path: Path, *, skip_marks: bool = True) -> dict[str, list[tuple]]:
    """Every value the user could have typed: module sheets less the Issues/Marks columns, Return, Looked-after."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in ("Start", ISSUES, "Summary", "Lists", *SHEET_NAMES.values()):  # cin-xl's own sheets
            continue
        headers = [c.value for c in ws[1]]
        keep = [i for i, h in enumerate(headers) if not (skip_marks and h in ("Issues", "Marks"))]
        out[ws.title] = [tuple(row[i] for i in keep if i < len(row))
                         for row in ws.iter_rows(values_only=True)]
    return out


def marks_and_issues(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        headers = [c.value for c in ws[1]]
        if "Marks" in headers:
            i, m = headers.index("Issues"), headers.index("Marks")
            out[ws.title] = [(r[i], r[m]) for r in ws.iter_rows(min_row=2, values_only=True)
                             if r[i] or r[m]]
    out[ISSUES] = [tuple(r) for r in wb[ISSUES].iter_rows(min_row=2, values_only=True) if any(r)]
    return out


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("excel")
    source = folder / "census.xlsx"
    injected = make_workbook(source)
    result = run_excel_function(excel.validate, source, folder / "validated.xlsx")
    return source, folder / "validated.xlsx", result, injected


def test_validate_marks_every_finding_on_its_cell(validated):
    _, out, result, injected = validated
    findings = result.value.findings
    assert {i.code for i in injected} <= {f.code for f in findings}
    wb = load_workbook(out)
    for f in findings:
        if not f.sheet or not f.cells:
            continue
        ws = wb[f.sheet]
        headers = [c.value for c in ws[1]]
        marks = ws.cell(row=f.row, column=headers.index("Marks") + 1).value
        issues = ws.cell(row=f.row, column=headers.index("Issues") + 1).value
        sev = "E" if str(f.severity) == "error" else "Q"
        for cell in f.cells:
            column = "".join(ch for ch in cell if ch.isalpha())
            assert f" {column}:" in marks, (f, marks)
        assert f.code in issues
        if sev == "E":
            assert any(f" {''.join(ch for ch in c if ch.isalpha())}:E " in marks for c in f.cells)
    # each injected violation is on its child's row
    for inj in injected:
        assert any(f.code == inj.code and f.child == inj.child and f.sheet for f in findings), inj


def test_validate_fills_issues_sheet_and_summary(validated):
    _, out, result, _ = validated
    wb = load_workbook(out)
    rows = [r for r in wb[ISSUES].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(rows) == len(result.value.findings)
    linked = [r for r in rows if r[4]]
    assert all(str(r[6]).startswith("=HYPERLINK(\"#") and r[5].split(",")[0] in r[6] for r in linked)
    names = wb.defined_names
    def named(name):
        sheet, ref = next(iter(names[name].destinations))
        return wb[sheet][ref.replace("$", "")].value
    assert named("SummaryErrors") == result.value.errors > 0
    assert named("SummaryQueries") == result.value.queries
    assert "error" in named("SummaryStatus")
    summary = wb["Summary"]
    assert "key figures" in str(summary["A1"].value)


def test_validate_never_changes_what_the_user_typed(validated):
    source, out, _, _ = validated
    assert sheet_values(out) == sheet_values(source)


def test_validate_twice_equals_validate_once(validated, tmp_path):
    _, out, result, _ = validated
    again = run_excel_function(excel.validate, out, tmp_path / "twice.xlsx")
    assert marks_and_issues(tmp_path / "twice.xlsx") == marks_and_issues(out)
    assert [str(f) for f in again.value.findings] == [str(f) for f in result.value.findings]


def test_fixed_mistake_loses_its_mark(validated, tmp_path):
    _, out, result, injected = validated
    ethnicity = next(f for f in result.value.findings if f.code == "4220")
    wb = load_workbook(out)
    wb[ethnicity.sheet][ethnicity.cells[0]] = "WBRI"
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    run_excel_function(excel.validate, fixed, tmp_path / "fixed-validated.xlsx")
    after = load_workbook(tmp_path / "fixed-validated.xlsx")
    ws = after[ethnicity.sheet]
    headers = [c.value for c in ws[1]]
    assert ws.cell(row=ethnicity.row, column=headers.index("Marks") + 1).value in (None, "")
    assert not any(r[0] == "4220" for r in after[ISSUES].iter_rows(min_row=2, values_only=True))


def test_clear_removes_every_mark(validated, tmp_path):
    source, out, _, _ = validated
    run_excel_function(excel.clear, out, tmp_path / "cleared.xlsx")
    cleared = marks_and_issues(tmp_path / "cleared.xlsx")
    assert all(rows == [] for rows in cleared.values())
    assert sheet_values(tmp_path / "cleared.xlsx") == sheet_values(source)


def test_calls_to_excel_do_not_grow_with_rows_or_findings(tmp_path):
    small, big = tmp_path / "small.xlsx", tmp_path / "big.xlsx"
    make_workbook(small, n=60, violations=("4220",))
    make_workbook(big, n=600, violations=VIOLATIONS, seed=2)
    calls_small = run_excel_function(excel.validate, small).calls_per_sheet
    calls_big = run_excel_function(excel.validate, big).calls_per_sheet
    assert calls_small == calls_big
    # a handful per sheet: the Issues+Marks block, its wrapping and row heights; for Start the
    # summary box (four cells and the date format of "Last checked"); a list sheet added, its block,
    # its columns fitted and its header frozen
    assert max(calls_big.values()) <= 5
    lists = set(SHEET_NAMES.values())
    assert lists <= set(calls_big)
    assert all(n <= (4 if sheet in lists else 3) for sheet, n in calls_big.items() if sheet != "Start")


def test_export_refuses_while_errors_remain_then_writes(validated, tmp_path):
    source, _, _, _ = validated
    target = tmp_path / "census.xml"
    refused = run_excel_function(excel.export_xml, source, None, target).value
    assert not refused.ok and not target.exists()
    assert refused.errors > 1 and f"{refused.errors} errors remain," in refused.message and "!" in refused.message  # Sheet!Cell
    forced = run_excel_function(excel.export_xml, source, None, target, allow_errors=True).value
    assert forced.ok and target.exists()


def test_export_of_clean_workbook_matches_the_return(tmp_path):
    path = tmp_path / "clean.xlsx"
    census = generate(80, YEAR, 4)
    write_workbook(path, census, YEAR)
    result = run_excel_function(excel.export_xml, path, None).value
    assert result.ok and result.path == excel.default_export_path(type("B", (), {"fullname": "clean.xlsx"}), YEAR)
    written = read_xml(result.path)
    assert written.census == census
    assert to_xml_bytes(written.census, YEAR) == to_xml_bytes(census, YEAR)
    result.path.unlink()


def test_import_fills_an_empty_template(tmp_path):
    empty = tmp_path / "template.xlsx"
    write_workbook(empty, None, YEAR)
    census = generate(40, YEAR, 6)
    census.children[0].identifiers.la_child_id = "=1+1"  # would be a formula if written as it is
    census.children[1].identifiers.la_child_id = "007"  # would become the number 7
    xml = tmp_path / "in.xml"
    xml.write_bytes(to_xml_bytes(census, YEAR, check=False))
    out = tmp_path / "imported.xlsx"
    result = run_excel_function(excel.import_xml, empty, out, xml)
    assert result.value.ok
    back = read_workbook(out)
    assert back.census == census
    assert to_xml_bytes(back.census, YEAR, check=False) == xml.read_bytes()
    wb = load_workbook(out)
    assert wb["Children"]["A2"].data_type == "s" and wb["Children"]["A2"].value == "=1+1"
    assert wb["Children"]["A3"].value == "007"
    # calls per sheet do not depend on the number of rows
    bigger = tmp_path / "in-big.xml"
    bigger.write_bytes(to_xml_bytes(generate(400, YEAR, 7), YEAR))
    again = run_excel_function(excel.import_xml, empty, None, bigger)
    assert again.calls_per_sheet == result.calls_per_sheet


def test_import_asks_before_overwriting(validated, tmp_path):
    source, _, _, _ = validated
    xml = tmp_path / "other.xml"
    xml.write_bytes(to_xml_bytes(generate(20, YEAR, 9), YEAR))
    declined = run_excel_function(excel.import_xml, source, None, xml, confirm=lambda q: False)
    assert not declined.value.ok and "kept" in declined.value.message
    assert declined.calls.get("setValues", 0) == 0
    accepted = run_excel_function(excel.import_xml, source, tmp_path / "replaced.xlsx", xml, confirm=lambda q: True)
    assert accepted.value.ok
    assert len(read_workbook(tmp_path / "replaced.xlsx").census.children) == 20


def test_import_refuses_another_years_xml(validated, tmp_path):
    source, _, _, _ = validated
    other = CensusYear.parse("2025-26")
    xml = tmp_path / "old.xml"
    xml.write_bytes(to_xml_bytes(generate(5, other, 1), other))
    result = run_excel_function(excel.import_xml, source, None, xml, overwrite=True)
    assert not result.value.ok and "2025-26" in result.value.message
    assert result.calls.get("setValues", 0) == 0


def test_buttons_show_unusable_input_as_a_message(monkeypatch, tmp_path):
    """A workbook whose census year cannot be told: the button says so instead of a traceback."""
    from cin_xl.errors import UnusableInput

    told = []

    def unusable(book):
        raise UnusableInput("cannot tell the census year of the workbook")

    monkeypatch.setattr(excel, "_caller", lambda: "book")
    monkeypatch.setattr(excel, "_tell", lambda book, message, title="": told.append(message))
    monkeypatch.setattr(excel, "validate", lambda book, show=False: unusable(book))
    excel.validate_caller()
    assert told == ["Nothing was changed: cannot tell the census year of the workbook"]


def _children_sheet(path):
    """(workbook, its Children sheet, the Issues column, the Marks column) of a workbook to edit."""
    wb = load_workbook(path)
    ws = wb["Children"]
    headers = [c.value for c in ws[1]]
    return wb, ws, headers.index("Issues") + 1, headers.index("Marks") + 1


def _both_refuse(path, cell, text):
    """Validate and Clear each refuse ``path``, sending nothing to Excel, naming ``cell`` and its ``text``."""
    for job in (excel.validate, excel.clear):
        result = run_excel_function(job, path)
        assert not result.value.ok and result.actions == []
        assert f"'Children'!{cell} holds '{text}'" in result.value.message


def test_validate_and_clear_never_write_over_a_persons_text_in_the_issues_column(validated, tmp_path):
    _, marked, _, _ = validated
    wb, ws, issues, _ = _children_sheet(marked)
    ws.cell(9, issues).value = "phoned the school, waiting"  # a person's note where validation writes
    ws.cell(10, issues).value = "4220 error: Ethnicity is missing or invalid (see Ethnicity table)"  # one of ours
    noted = tmp_path / "noted.xlsx"
    wb.save(noted)
    for job in (excel.validate, excel.clear):
        result = run_excel_function(job, noted, tmp_path / "out.xlsx")
        assert not result.value.ok
        assert f"'Children'!{ws.cell(9, issues).coordinate}" in result.value.message
        assert "did not write" in result.value.message
        # refused before writing anything: no value was sent to Excel
        assert result.actions == [], result.actions
    ws.cell(9, issues).value = None  # without the note, our own old marks are simply replaced
    wb.save(noted)
    assert run_excel_function(excel.clear, noted, tmp_path / "cleared.xlsx").value.ok


def test_validate_and_clear_see_a_persons_text_far_below_the_header(validated, tmp_path):
    # Clear reads a sheet's first rows for its layout, then the whole Issues and Marks columns
    _, marked, _, _ = validated
    wb, ws, _, marks = _children_sheet(marked)
    ws.cell(140, marks).value = "checked by JB"
    noted = tmp_path / "noted.xlsx"
    wb.save(noted)
    _both_refuse(noted, ws.cell(140, marks).coordinate, "checked by JB")


def test_clear_finds_the_mark_columns_under_a_title_row(validated, tmp_path):
    _, marked, _, _ = validated
    wb, ws, issues, marks = _children_sheet(marked)
    assert any(ws.cell(r, issues).value for r in range(2, ws.max_row + 1))  # validation marked some rows
    ws.insert_rows(1, 2)
    ws["A1"] = "Children in need: our return"
    titled = tmp_path / "titled.xlsx"
    wb.save(titled)
    result = run_excel_function(excel.clear, titled, tmp_path / "cleared.xlsx")
    assert result.value.ok
    after = load_workbook(tmp_path / "cleared.xlsx")["Children"]
    assert after.cell(3, issues).value == "Issues" and after.cell(3, marks).value == "Marks"
    assert not any(after.cell(r, c).value for r in range(4, after.max_row + 1) for c in (issues, marks))
    assert after["A1"].value == "Children in need: our return"
    assert [[c.value for c in row[:issues - 1]] for row in after.iter_rows(min_row=4)] == \
           [[c.value for c in row[:issues - 1]] for row in ws.iter_rows(min_row=4)]


def test_marks_go_to_a_moved_marks_column_and_clear_leaves_the_columns_between(validated, tmp_path):
    source, _, _, _ = validated
    wb, ws, issues, marks = _children_sheet(source)
    assert marks == issues + 1
    ws.move_range(f"{ws.cell(1, marks).coordinate}:{ws.cell(ws.max_row, marks).coordinate}", cols=2)
    ws.cell(1, marks).value = "Notes"  # a person's column between Issues and Marks
    ws.cell(30, marks).value = "ring back"
    moved = tmp_path / "moved.xlsx"
    wb.save(moved)
    validated_ = run_excel_function(excel.validate, moved, tmp_path / "validated.xlsx")
    assert validated_.value.errors
    after = load_workbook(tmp_path / "validated.xlsx")["Children"]
    rows = range(2, after.max_row + 1)
    assert any(after.cell(r, issues).value for r in rows) and any(after.cell(r, marks + 2).value for r in rows)
    assert [after.cell(r, marks).value for r in rows] == [ws.cell(r, marks).value for r in rows]
    cleared = run_excel_function(excel.clear, tmp_path / "validated.xlsx", tmp_path / "cleared.xlsx")
    assert cleared.value.ok
    after = load_workbook(tmp_path / "cleared.xlsx")["Children"]
    assert not any(after.cell(r, c).value for r in rows for c in (issues, marks + 2))
    assert after.cell(30, marks).value == "ring back"


def test_validate_puts_back_removed_mark_columns_unless_a_person_wrote_there(validated, tmp_path):
    source, _, _, _ = validated
    wb, ws, issues, _ = _children_sheet(source)
    ws.delete_cols(issues, 2)
    bare = tmp_path / "bare.xlsx"
    wb.save(bare)
    result = run_excel_function(excel.validate, bare, tmp_path / "validated.xlsx")
    after = load_workbook(tmp_path / "validated.xlsx")["Children"]
    last = max(c.column for c in ws[1] if c.value is not None)
    assert [after.cell(1, last + 1).value, after.cell(1, last + 2).value] == ["Issues", "Marks"]
    assert result.value.errors and any(after.cell(r, last + 2).value for r in range(2, after.max_row + 1))
    ws.cell(20, last + 1).value = "left school"  # no header: where the Issues column would go back
    wb.save(bare)
    _both_refuse(bare, ws.cell(20, last + 1).coordinate, "left school")


def test_the_refusal_names_the_first_foreign_cell_row_by_row(validated, tmp_path):
    _, marked, _, _ = validated
    wb, ws, issues, marks = _children_sheet(marked)
    ws.cell(30, issues).value = "see the file"
    ws.cell(12, marks).value = "urgent"
    ws.cell(12, issues).value = "asked the GP"
    noted = tmp_path / "noted.xlsx"
    wb.save(noted)
    for job in (excel.validate, excel.clear):
        message = run_excel_function(job, noted).value.message
        assert message.startswith(f"'Children'!{ws.cell(12, issues).coordinate} holds 'asked the GP'")
        assert message.endswith("(2 other cells too)")


@pytest.mark.parametrize("label,said", [("2021-22", True), ("2022-23", False)])
def test_validate_button_says_when_the_years_dfe_rules_are_not_included(label, said, tmp_path):
    year = CensusYear.parse(label)
    source = tmp_path / "census.xlsx"
    write_workbook(source, generate(20, year, 3), year)
    result = run_excel_function(excel.validate, source, tmp_path / "validated.xlsx")
    assert result.value.errors == 0  # a small return may draw a return-level query (2887Q) where rules run
    assert (f"The DfE validation rules of {label} are not included" in result.value.message) is said
