"""A rollover workbook that guides (issue 17, item 2).

On a generated pair of years, ``cin-xl rollover`` then validation (the CLI, ``--annotate`` twice, and the
Validate button through the remote-engine harness) keeps a ``FILL-IN`` mark on each cell to fill until it
is filled, and puts no finding on a carried date that is right (the start date of an assessment under
way or of an enquiry awaiting its conference): the rule findings that arise only because the cell is
blank (8736, 8670Q, 8740, 8675Q) are said as what to do, on the cell to fill. The workbook says what was
carried (Start sheet), names last year's return (Return sheet), names the child on every Issues row and
sizes its rows so that no text prints over the next one.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from cin_xl.census.model import Assessment, CensusReturn, Child, CINDetails, Origin, Section47
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.rollover import FILL_IN, carry_forward
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.years import generate_years
from cin_xl.validation import validate
from cin_xl.validation.fill_in import fill_in, to_fill
from cin_xl.validation.findings import Severity
from cin_xl.workbook.layout import CARRIED_MARK, ISSUES_COLUMNS, MODULES, norm_header
from cin_xl.workbook.marks import is_own_mark, row_height
from cin_xl.xml.writer import write_xml

LAST_YEAR, YEAR = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")
#: the findings the DfE rules make on a carried record whose cell to fill is still blank
BLANK_CAUSED = {"8736", "8670Q", "8740", "8675Q"}
MODULE_SHEETS = {m.sheet for m in MODULES}


@pytest.fixture(scope="module")
def pair():
    return generate_years(150, LAST_YEAR, seed=4)


@pytest.fixture(scope="module")
def rolled(pair, tmp_path_factory):
    folder = tmp_path_factory.mktemp("guides")
    last = folder / "last.xml"
    write_xml(pair[0], LAST_YEAR, last)
    out = folder / "new.xlsx"
    assert main(["rollover", str(last), "-o", str(out)]) == 0
    return last, out


@pytest.fixture
def book(rolled, tmp_path):
    """A copy of the rollover workbook, beside a copy of last year's return (as the Return sheet names it)."""
    shutil.copy(rolled[0], tmp_path / rolled[0].name)
    path = tmp_path / "new.xlsx"
    shutil.copy(rolled[1], path)
    return path


def _headers(ws) -> dict[str, str]:
    return {norm_header(c.value): c.column_letter for c in ws[1] if c.value}


def _cells_to_fill(path) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> the record's start date cell, of every carried record with a cell to fill."""
    wb = load_workbook(path, read_only=False)
    out = {}
    for sheet, column, start_column in (
            ("Assessments", "Assessment authorisation date", "Assessment start date"),
            ("Section 47", "Date of initial child protection conference", "Section 47 start date")):
        ws = wb[sheet]
        cols = _headers(ws)
        fill, start, marks = cols[norm_header(column)], cols[norm_header(start_column)], cols["marks"]
        for r in range(2, ws.max_row + 1):
            if ws[f"A{r}"].value and ws[f"{fill}{r}"].value is None:
                assert CARRIED_MARK in str(ws[f"{marks}{r}"].value or "").split(), (sheet, r)
                out[(sheet, f"{fill}{r}")] = f"{start}{r}"
    return out


def _check_guided(findings, to_fill_cells: dict[tuple[str, str], str]) -> None:
    fill_ins = {(f.sheet, f.cells[0]) for f in findings if f.code == FILL_IN}
    assert fill_ins == set(to_fill_cells), "a FILL-IN mark on each cell to fill, and only there"
    starts = {(sheet, start) for (sheet, _), start in to_fill_cells.items()}
    on_start = [str(f) for f in findings if f.sheet and any((f.sheet, c) in starts for c in f.cells)]
    assert on_start == [], "no finding on a carried start date that is right"
    assert [str(f) for f in findings if f.code in BLANK_CAUSED] == []


def test_rollover_marks_the_cells_to_fill_and_remembers_the_rows_carried(pair, rolled):
    cells = _cells_to_fill(rolled[1])
    carried = carry_forward(pair[0], LAST_YEAR, YEAR)
    assert len(cells) == len(carried.to_fill) > 0
    wb = load_workbook(rolled[1], read_only=True)
    issues = [dict(zip(ISSUES_COLUMNS, r)) for r in wb["Issues"].iter_rows(min_row=2, values_only=True)]
    listed = {(i["Sheet"], i["Cell"]) for i in issues if i["Code"] == FILL_IN}
    assert listed == set(cells)
    assessment = next(i for i in issues if i["Code"] == FILL_IN and i["Sheet"] == "Assessments")
    assert assessment["Message"].startswith("Fill in the authorisation date of this assessment, carried from last year")
    assert "8736" in assessment["Message"] and assessment["Severity"] == "error"  # still refused at export


def test_cli_validation_keeps_the_marks_and_puts_nothing_on_correct_dates(book):
    cells = _cells_to_fill(book)
    _check_guided(validate_file(book).findings, cells)
    for _ in range(2):  # the marks written by validation are read back by the next one
        assert main(["validate", str(book), "--annotate"]) == 1  # the blanks still break 8736 and 8740
        assert _cells_to_fill(book) == cells
        _check_guided(validate_file(book).findings, cells)
    assert main(["export", str(book), "-o", str(book.with_suffix(".xml"))]) == 1


def test_without_the_step_the_rules_would_point_at_the_start_dates(book):
    """What the step changes: the same return validated without knowing which rows were carried."""
    from cin_xl.jobs.load import load

    loaded = load(book)
    assert loaded.workbook is not None and loaded.workbook.carried
    plain = validate(loaded.census, loaded.year)
    assert {f.code for f in plain} >= BLANK_CAUSED


def test_a_mark_stays_until_its_cell_is_filled(book):
    cells = _cells_to_fill(book)
    (sheet, cell), _start = next((k, v) for k, v in cells.items() if k[0] == "Assessments")
    wb = load_workbook(book)
    ws = wb[sheet]
    ws[cell] = datetime(YEAR.first, 4, 20)
    ws[f"{_headers(ws)[norm_header('Factors identified')]}{ws[cell].row}"] = "3B"
    wb.save(book)
    assert main(["validate", str(book), "--annotate"]) == 1
    found = validate_file(book).findings
    fill_ins = {(f.sheet, f.cells[0]) for f in found if f.code == FILL_IN}
    assert fill_ins == set(cells) - {(sheet, cell)}
    assert not [f for f in found if f.sheet == sheet and f.row == ws[cell].row]
    # the row is still known as carried: blank the date again and its mark comes back
    wb = load_workbook(book)
    ws = wb[sheet]
    assert CARRIED_MARK in str(ws[f"{_headers(ws)['marks']}{ws[cell].row}"].value).split()
    ws[cell] = None
    wb.save(book)
    _check_guided(validate_file(book).findings, cells)


def test_validate_and_clear_buttons_keep_the_marks(book, tmp_path):
    from cin_xl import excel
    from tests.excel_harness import run_excel_function

    cells = _cells_to_fill(book)
    validated = tmp_path / "validated.xlsx"
    result = run_excel_function(excel.validate, book, validated)
    _check_guided(result.value.findings, cells)
    assert _cells_to_fill(validated) == cells
    issues = [dict(zip(ISSUES_COLUMNS, r)) for r in load_workbook(validated, read_only=True)["Issues"].iter_rows(
        min_row=2, values_only=True)]
    assert {(i["Sheet"], i["Cell"]) for i in issues if i["Code"] == FILL_IN} == set(cells)
    cleared = tmp_path / "cleared.xlsx"
    run_excel_function(excel.clear, validated, cleared)
    assert _cells_to_fill(cleared) == cells  # Clear removes the findings, not what the rows are
    again = run_excel_function(excel.validate, cleared, tmp_path / "again.xlsx")
    _check_guided(again.value.findings, cells)


def test_start_sheet_says_what_was_carried_and_how_many_cells_to_fill(pair, rolled):
    carried = carry_forward(pair[0], LAST_YEAR, YEAR)
    wb = load_workbook(rolled[1], read_only=True)
    rows = {r[0]: (*r, None)[1] for r in wb["Start"].iter_rows(values_only=True) if r and r[0]}
    assert "From last year" in rows
    assert "last.xml" in rows["Started from"] and "31/03/2026" in rows["Started from"]
    assert f"{carried.carried['children']:,} children" in rows["Carried"]
    assert f"{carried.carried['assessments under way']:,} assessments under way" in rows["Carried"]
    assert rows["To fill in"].startswith(f"{len(carried.to_fill):,} cells to fill in")
    assert rows["Status"] != "Not yet validated"  # the workbook was checked as it was made
    assert isinstance(rows["Errors"], int) and isinstance(rows["Last checked"], datetime)


def test_return_sheet_names_last_years_return_and_continuity_uses_it(book):
    wb = load_workbook(book, read_only=True)
    named = {r[0]: r[1] for r in wb["Return"].iter_rows(values_only=True)}
    assert named["Last year's return"] == "last.xml"  # beside the workbook: they can move together
    found = validate_file(book).findings
    assert [str(f) for f in found if f.code.startswith("C-") or f.sheet == "Return"] == []


def test_last_years_return_elsewhere_is_named_by_its_full_path(rolled, tmp_path):
    out = tmp_path / "elsewhere" / "new.xlsx"
    out.parent.mkdir()
    assert main(["rollover", str(rolled[0]), "-o", str(out)]) == 0
    named = {r[0]: r[1] for r in load_workbook(out, read_only=True)["Return"].iter_rows(values_only=True)}
    assert named["Last year's return"] == str(rolled[0].resolve())


def test_every_issues_row_names_its_child(rolled, book):
    assert main(["validate", str(book), "--annotate"]) == 1
    for path in (rolled[1], book):
        rows = [dict(zip(ISSUES_COLUMNS, r)) for r in load_workbook(path, read_only=True)["Issues"].iter_rows(
            min_row=2, values_only=True)]
        on_sheets = [r for r in rows if r.get("Sheet") in MODULE_SHEETS]
        assert on_sheets and all(r["Child"] for r in on_sheets), [r for r in on_sheets if not r["Child"]]


def _lines(text: str, width: float) -> int:
    per = max(1, int(width * 1.1))
    return sum(max(1, -(-len(line) // per)) for line in text.split("\n"))


@pytest.mark.parametrize("annotated", [False, True], ids=["rollover", "validate --annotate"])
def test_rows_are_sized_so_no_text_prints_over_the_next(rolled, book, annotated):
    if annotated:  # the Issues sheet's rows as another writer left them: no heights
        wb = load_workbook(book)
        for r in range(2, wb["Issues"].max_row + 1):
            wb["Issues"].row_dimensions[r].height = None
        wb.save(book)
        assert main(["validate", str(book), "--annotate"]) == 1
    wb = load_workbook(book if annotated else rolled[1])
    ws = wb["Issues"]
    width = ws.column_dimensions["C"].width
    checked = 0
    for r in range(2, ws.max_row + 1):
        text = ws[f"C{r}"].value
        if text and _lines(text, width) > 1:
            assert ws.row_dimensions[r].height >= 15 * _lines(text, width), (r, text)
            checked += 1
    for sheet in ("Assessments", "Section 47", "Children"):
        ws = wb[sheet]
        issues = _headers(ws)["issues"]
        width = ws.column_dimensions[issues].width
        for r in range(2, ws.max_row + 1):
            text = ws[f"{issues}{r}"].value
            if text and _lines(text, width) > 1:
                assert ws.row_dimensions[r].height >= row_height(text, width), (sheet, r)
                checked += 1
    assert checked > 10


def test_the_carried_token_is_ours():
    assert is_own_mark(" carried ", marks_column=True)
    assert is_own_mark(" E:E C:Q carried ", marks_column=True)
    assert not is_own_mark(" carried over by Sam ", marks_column=True)


# ---------------------------------------------------------------------------------------------
# The step after the rules, on a small return
# ---------------------------------------------------------------------------------------------


def _one_child(referral: date, start: date) -> tuple[CensusReturn, Assessment, Section47]:
    from cin_xl.synthetic.generate import generate

    census = generate(1, YEAR, seed=3)
    child: Child = census.children[0]
    episode: CINDetails = child.cin_details[0]
    episode.referral_date, episode.closure_date, episode.reason_for_closure = referral, None, None
    assessment = Assessment(start_date=start, authorisation_date=None, factors=[])
    enquiry = Section47(start_date=start, date_of_initial_cpc=None, icpc_not_required=False)
    # placed on their rows, as the workbook reader places them
    assessment.at(Origin(sheet="Assessments", row=2, cells={"start_date": "C2", "authorisation_date": "E2"}))
    enquiry.at(Origin(sheet="Section 47", row=2, cells={"start_date": "C2", "date_of_initial_cpc": "E2"}))
    episode.assessments, episode.section47s = [assessment], [enquiry]
    episode.cin_plans, episode.child_protection_plans = [], []
    return census, assessment, enquiry


def _run(census):
    return validate(census, YEAR)


def test_findings_caused_by_a_blank_become_what_to_do_and_others_stay():
    census, assessment, enquiry = _one_child(date(2026, 1, 10), date(2026, 2, 2))
    before = _run(census)
    assert {"8736", "8740"} <= {f.code for f in before}
    after = fill_in(census, YEAR, [assessment, enquiry], before, _run)
    codes = sorted(f.code for f in after if f.code in BLANK_CAUSED | {FILL_IN})
    assert codes == [FILL_IN, FILL_IN]
    fills = [f for f in after if f.code == FILL_IN]
    assert {(f.sheet, f.cells) for f in fills} == {("Assessments", ("E2",)), ("Section 47", ("E2",))}
    assert all(f.severity is Severity.ERROR and f.child == census.children[0].la_child_id for f in fills)
    # a finding the blank does not cause stays as it is: 1103 (assessment started before its referral)
    assessment.start_date = date(2025, 12, 1)
    enquiry.start_date = date(2025, 12, 1)
    before = _run(census)
    assert "1103" in {f.code for f in before}
    after = fill_in(census, YEAR, [assessment, enquiry], before, _run)
    assert "1103" in {f.code for f in after}
    # filled in: nothing to say, and the findings are left exactly as the rules made them
    assessment.authorisation_date, assessment.factors = date(2026, 4, 20), ["3B"]
    enquiry.icpc_not_required = True
    before = _run(census)
    assert fill_in(census, YEAR, [assessment, enquiry], before, _run) == before


def test_the_stand_ins_never_stay_in_the_return():
    """The second run of the rules sees stand-in values; every value is put back, also when a run fails."""
    census, assessment, enquiry = _one_child(date(2026, 1, 10), date(2026, 2, 2))
    fill_in(census, YEAR, [assessment, enquiry], _run(census), _run)
    assert (assessment.authorisation_date, enquiry.date_of_initial_cpc) == (None, None)
    calls = []

    def failing(c):
        calls.append(c)
        if len(calls) == 2:
            raise RuntimeError("stopped")
        return _run(c)

    with pytest.raises(RuntimeError):
        fill_in(census, YEAR, [assessment, enquiry], _run(census), failing)
    assert (assessment.authorisation_date, enquiry.date_of_initial_cpc) == (None, None)


def test_to_fill_says_what_to_do_for_each_kind(pair):
    carried = carry_forward(pair[0], LAST_YEAR, YEAR)
    items = [item for record in carried.records for item in to_fill(record, YEAR)]
    assert {type(i.node).__name__ for i in items} == {"Assessment", "Section47"}
    assert [(id(i.node), i.name, i.message) for i in items] == [(id(n), f, m) for n, f, m in carried.to_fill]
    assert all("carried from last year" in i.message and "31/03/2026" in i.message for i in items)


def test_a_new_required_item_is_a_cell_to_fill_on_carried_rows(tmp_path):
    from cin_xl.synthetic.generate import generate

    old = CensusYear.parse("2023-24")
    census = generate(20, old, seed=6)
    for child in census.children:  # 2023-24 recorded gender, not sex; "9" (indeterminate) has no counterpart in Sex
        child.identifiers.gender_current = "9"
        child.identifiers.sex = None
    last = tmp_path / "2023-24.xml"
    write_xml(census, old, last)
    out = tmp_path / "2024-25.xlsx"
    assert main(["rollover", str(last), "-o", str(out)]) == 0
    found = validate_file(out).findings
    sex = [f for f in found if f.code == FILL_IN and f.sheet == "Children"]
    assert sex and all("Sex, new in the 2024-25 census" in f.message for f in sex)
    assert not [f for f in found if f.code == "X-MISSING" and f.sheet == "Children"]  # said once, as what to do
    assert all(f.severity is Severity.ERROR for f in sex)  # a required item: export waits for it
