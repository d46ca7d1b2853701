"""A column the user adds on the Issues sheet stays with the finding it was written beside (matched by code,
sheet and cell), or the run stops saying which note lost its finding (issue 18, 4)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from cin_xl.cli import main
from tests.excel.test_excel_buttons import make_workbook


@pytest.fixture
def annotated(tmp_path, capsys):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=30)
    assert main(["validate", str(path), "--annotate"]) == 1
    wb = load_workbook(path)
    ws = wb["Issues"]
    ws["H1"] = "Our notes"
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 8).value = f"note on {ws.cell(r, 1).value} at {ws.cell(r, 5).value}!{ws.cell(r, 6).value}"
    wb.save(path)
    capsys.readouterr()
    return path


def _notes(path) -> dict[str, str]:
    ws = load_workbook(path)["Issues"]
    return {f"{ws.cell(r, 1).value} at {ws.cell(r, 5).value}!{ws.cell(r, 6).value}": ws.cell(r, 8).value
            for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value or ws.cell(r, 8).value}


def _ethnicity_column(ws) -> int:
    return [c.value for c in ws[1]].index("Ethnicity") + 1


def test_notes_move_with_their_findings_when_a_finding_appears_above(annotated, capsys):
    before = _notes(annotated)
    wb = load_workbook(annotated)
    ws = wb["Children"]
    ws.cell(2, _ethnicity_column(ws)).value = "ZZZZ"  # a new finding on the first row
    wb.save(annotated)
    assert main(["validate", str(annotated), "--annotate"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    after = _notes(annotated)
    new = [where for where in after if where not in before]
    assert len(new) == 1 and new[0].startswith("4220 at Children!") and after[new[0]] is None
    for where, note in before.items():
        assert after[where] == note == f"note on {where}"


def test_a_note_whose_finding_is_fixed_stops_the_run_and_is_kept(annotated, capsys):
    wb = load_workbook(annotated)
    issues = wb["Issues"]
    row = next(r for r in range(2, issues.max_row + 1) if issues.cell(r, 1).value == "4220")
    cell = issues.cell(row, 6).value
    wb["Children"][cell] = "WBRI"  # fixed
    wb.save(annotated)
    before = annotated.read_bytes()
    assert main(["validate", str(annotated), "--annotate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"row {row}" in err[0] and "note on 4220" in err[0] and "no longer finds" in err[0]
    assert annotated.read_bytes() == before


def test_notes_stay_when_nothing_changed(annotated, capsys):
    before = _notes(annotated)
    assert main(["validate", str(annotated), "--annotate"]) == 1
    assert _notes(annotated) == before
