"""Marks are recognised by a record of what cin-xl wrote (the digest in the hidden Marks cell), not by the
shape of their text: a person's note in the Issues column is never erased, whatever words it uses, and
cin-xl's own text is recognised whatever it holds (a quoted value with a line break) (issue 18, 2 and 12)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from cin_xl.cli import main
from cin_xl.validation.findings import Finding, Severity
from cin_xl.workbook.annotate import annotate_file
from cin_xl.workbook.layout import marks_text
from cin_xl.workbook.marks import (
    MarksPlan,
    SheetMarks,
    _row_text,
    digest,
    foreign_cells,
    is_own_mark,
    marks_cell,
)
from cin_xl.workbook.reader import read_workbook
from tests.excel.test_excel_buttons import make_workbook

NOTES = ("OK no error", "NB: query raised with team on 3 May", "DOB error - mum confirmed 2019, leave",
         "8525Q is fine, checked", "LA query answered")


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=30)
    return path


def _columns(ws) -> tuple[int, int]:
    headers = [c.value for c in ws[1]]
    return headers.index("Issues") + 1, headers.index("Marks") + 1


@pytest.mark.parametrize("note", NOTES)
def test_a_note_shaped_like_a_mark_is_kept_on_a_first_run(workbook, note, capsys):
    wb = load_workbook(workbook)
    ws = wb["Children"]
    issues, _ = _columns(ws)
    ws.cell(4, issues).value = note
    wb.save(workbook)
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "did not write" in err and note[:20] in err
    assert workbook.read_bytes() == before


@pytest.mark.parametrize("note", NOTES)
def test_a_note_typed_over_cin_xls_own_text_is_kept(workbook, note, capsys):
    assert main(["validate", str(workbook), "--annotate"]) == 1
    wb = load_workbook(workbook)
    ws = wb["Children"]
    issues, _ = _columns(ws)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, issues).value)
    ws.cell(row, issues).value = note  # the Marks cell beside it still holds cin-xl's digest
    wb.save(workbook)
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert note[:20] in capsys.readouterr().err
    assert workbook.read_bytes() == before


def test_own_marks_holding_a_line_break_are_recognised_run_after_run(workbook, capsys):
    read = read_workbook(workbook)
    quoted = 'C-08 query: last year\'s return had "12 Oak Road\nFlat 2" here'
    findings = [Finding("C-08", Severity.QUERY, quoted, sheet="Children", row=3, cells=("C3",)),
                Finding("C-08", Severity.QUERY, "two\n\nblank lines and =SUM(A1)", sheet="Children", row=5)]
    for _ in range(3):
        annotate_file(workbook, read_workbook(workbook), findings)
    ws = load_workbook(workbook)["Children"]
    issues, marks = _columns(ws)
    assert "12 Oak Road\nFlat 2" in ws.cell(3, issues).value
    assert "C:Q" in ws.cell(3, marks).value
    annotate_file(workbook, read, [])  # and a clean run clears them
    ws = load_workbook(workbook)["Children"]
    assert ws.cell(3, issues).value is None and ws.cell(5, issues).value is None


def test_the_digest_is_what_tells_own_text_from_a_persons():
    text = _row_text([Finding("8525Q", Severity.QUERY, "a value\nover two lines")])
    marks = marks_cell(marks_text([("C", "query")]), text)
    assert marks == f" C:Q #{digest(text)} " and is_own_mark(marks, marks_column=True)
    assert is_own_mark(text, marks_column=False, marks=marks)
    assert is_own_mark(text.replace("\n", "\r\n"), marks_column=False, marks=marks)
    assert not is_own_mark(text + " - checked", marks_column=False, marks=marks)
    for note in NOTES:
        assert not is_own_mark(note, marks_column=False, marks=marks)
        assert not is_own_mark(note, marks_column=False, marks=None)
        assert not is_own_mark(note, marks_column=False, marks=" C:E ")
    # the Marks cell is checked too: a typed one makes the Issues cell beside it a person's
    assert not is_own_mark(text, marks_column=False, marks="keep")
    assert not is_own_mark("#zz", marks_column=True)


def test_a_workbook_annotated_before_marks_held_a_digest_is_annotated_again():
    old = "1103 error: The UPN is not valid\n8525Q query: Please check: date of birth"
    assert is_own_mark(old, marks_column=False, marks=" C:E D:Q ")
    assert is_own_mark(old, marks_column=False, marks=None)
    assert not is_own_mark("OK no error\n" + old, marks_column=False, marks=" C:E ")


def test_the_excel_buttons_use_the_same_record():
    text = "8525Q query: a quoted value\nwith a line break"
    plan = MarksPlan({"Children": SheetMarks("Children", "K", "L", 2, issues=["", "", ""], marks=["", "", ""])},
                     [], {}, [])
    column = {11: [text, "OK no error", "NB: query raised"], 12: [marks_cell(" C:Q ", text), None, " C:E "]}

    def values(sheet, col, first, n):
        return column[col][:n]

    found = foreign_cells(plan, values)
    assert [(ref, value) for _, ref, value, _ in found] == [("K3", "OK no error"), ("K4", "NB: query raised")]
