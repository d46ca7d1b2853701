"""A census year to the next: the generated pair, rollover of year Y, continuity of year Y+1 against Y.

The workbook that rollover writes is filled in as a person would (the cells it marks FILL-IN), then
validated against last year's XML; then one thing is broken at a time and exactly the expected
continuity finding must appear on the expected cell.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from cin_xl.census.open_cases import is_carried
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.rollover import FILL_IN, carry_forward
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.years import generate_years
from cin_xl.validation import validate
from cin_xl.validation.continuity import CONTINUITY_CHECKS, check_continuity
from cin_xl.validation.findings import Severity
from cin_xl.workbook.layout import norm_header
from cin_xl.xml.writer import write_xml

LAST_YEAR, YEAR = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")
D = timedelta(days=1)


@pytest.fixture(scope="module")
def pair():
    return generate_years(150, LAST_YEAR, seed=4)


@pytest.fixture(scope="module")
def last_xml(pair, tmp_path_factory):
    path = tmp_path_factory.mktemp("pair") / "last.xml"
    write_xml(pair[0], LAST_YEAR, path)
    return path


def _continuity(findings):
    return [f for f in findings if f.code.startswith("C-")]


def test_generated_pair_is_valid_and_continuous(pair):
    last, this = pair
    assert [f for f in validate(this, YEAR) if f.severity is Severity.ERROR] == []
    assert check_continuity(this, last, YEAR) == []
    ids = {c.identifiers.la_child_id for c in this.children}
    open_last = {c.identifiers.la_child_id for c in last.children if any(e.closure_date is None
                                                                         for e in c.cin_details)}
    assert open_last and open_last <= ids  # every child open at 31 March 2026 carries on
    assert ids - {c.identifiers.la_child_id for c in last.children}  # and new children came in


@pytest.mark.parametrize("year", ["2024-25", "2026-27"])
def test_referrals_spread_over_the_year(year):
    """No month of the year holds less than half or more than twice the average of referrals."""
    this = generate(1500, year, seed=1)
    months = {}
    for _child, episode in this.episodes():
        if CensusYear.parse(year).within(episode.referral_date):
            months[episode.referral_date.month] = months.get(episode.referral_date.month, 0) + 1
    average = sum(months.values()) / 12
    assert len(months) == 12
    assert all(average / 2 <= n <= average * 2 for n in months.values()), months


def _sheet_rows(ws):
    headers = {norm_header(c.value): c.column_letter for c in ws[1] if c.value}
    return headers


def _fill_in(path, year: CensusYear):
    """Fill the cells rollover marked, as a person would: the Issues sheet lists each one."""
    wb = load_workbook(path)
    issues = wb["Issues"]
    head = [c.value for c in issues[1]]
    filled = 0
    for row in issues.iter_rows(min_row=2, values_only=True):
        entry = dict(zip(head, row))
        if entry["Code"] != FILL_IN:
            continue
        ws = wb[entry["Sheet"]]
        cols = _sheet_rows(ws)
        cell = ws[entry["Cell"]]
        r = cell.row
        if entry["Sheet"] == "Assessments":
            cell.value = datetime.combine(year.start + 10 * D, datetime.min.time())
            ws[f"{cols[norm_header('Factors identified')]}{r}"] = "3B"
        elif entry["Sheet"] == "Section 47":
            ws[f"{cols[norm_header('ICPC not required')]}{r}"] = "Yes"
        else:  # a new required item: Sex in 2024-25 (U for an unborn child)
            cell.value = "F" if ws[f"{cols[norm_header('Date of birth')]}{r}"].value else "U"
        filled += 1
    # the date and time of the file is filled in by export (not part of this test)
    ret = wb["Return"]
    for row in ret.iter_rows(min_row=2):
        if norm_header(row[0].value) == norm_header("Date and time of the file"):
            row[1].value = datetime(year.xml_year, 4, 2, 9, 0)
    wb.save(path)
    return filled


@pytest.fixture(scope="module")
def rolled(last_xml, tmp_path_factory):
    out = tmp_path_factory.mktemp("roll") / "new.xlsx"
    assert main(["rollover", str(last_xml), "-o", str(out)]) == 0
    filled = _fill_in(out, YEAR)
    return out, filled


def test_rollover_carries_open_cases_and_marks_what_to_fill_in(pair, rolled, capsys):
    path, filled = rolled
    carried = carry_forward(pair[0], LAST_YEAR, YEAR)
    assert filled == len(carried.to_fill) > 0
    ids = [c.identifiers.la_child_id for c in carried.census.children]
    wb = load_workbook(path, read_only=True)
    children = [r[0] for r in wb["Children"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert children == ids
    for child in carried.census.children:
        assert child.cin_details and all(e.closure_date is None or e.cin_plans or e.child_protection_plans
                                         for e in child.cin_details)


def test_rolled_over_workbook_validates_and_continues_last_year(rolled, last_xml):
    report = validate_file(rolled[0], previous=last_xml)
    assert [str(f) for f in report.findings if f.severity is Severity.ERROR] == []
    assert _continuity(report.findings) == []
    assert report.exit_code == 0


def _copy(rolled, tmp_path):
    path = tmp_path / "this.xlsx"
    shutil.copy(rolled[0], path)
    return path


def _row_of(ws, child_id):
    return next(c.row for c in ws["A"] if c.value == child_id)


def test_missing_child_is_reported_on_the_children_sheet(rolled, last_xml, pair, tmp_path):
    path = _copy(rolled, tmp_path)
    wb = load_workbook(path)
    child_id = wb["Children"]["A2"].value
    for ws in wb.worksheets:
        if ws.title in ("Return", "Start", "Lists", "Issues", "Summary"):
            continue
        for row in sorted((c.row for c in ws["A"] if c.value == child_id), reverse=True):
            ws.delete_rows(row)
    wb.save(path)
    found = _continuity(validate_file(path, previous=last_xml).findings)
    assert [(f.code, f.sheet, f.row, f.child) for f in found] == [("C-01", "Children", None, child_id)]
    assert child_id in found[0].message and "line" in found[0].message
    assert found[0].severity is Severity.QUERY


def test_changed_birth_date_is_reported_on_its_cell(rolled, last_xml, tmp_path):
    path = _copy(rolled, tmp_path)
    wb = load_workbook(path)
    ws = wb["Children"]
    cols = _sheet_rows(ws)
    letter = cols[norm_header("Date of birth")]
    row = next(r for r in range(2, ws.max_row + 1) if ws[f"{letter}{r}"].value)
    ws[f"{letter}{row}"] = ws[f"{letter}{row}"].value - D
    wb.save(path)
    found = _continuity(validate_file(path, previous=last_xml).findings)
    assert [(f.code, f.sheet, f.cells) for f in found] == [("C-06", "Children", (f"{letter}{row}",))]


def test_reopened_episode_is_reported_on_its_closure_date(rolled, last_xml, pair, tmp_path):
    last = pair[0]
    path = _copy(rolled, tmp_path)
    wb = load_workbook(path)
    ws = wb["Referrals"]
    cols = _sheet_rows(ws)
    carried_ids = {r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    child, episode = next((c, e) for c in last.children if c.identifiers.la_child_id in carried_ids
                          for e in c.cin_details if e.closure_date is not None and not e.referral_nfa)
    row = ws.max_row + 1
    values = {"LA child ID": child.identifiers.la_child_id, "Referral date": episode.referral_date,
              "Referral source": episode.referral_source, "Referral with no further action": "No"}
    for header, value in values.items():
        ws[f"{cols[norm_header(header)]}{row}"] = value
    wb.save(path)
    found = _continuity(validate_file(path, previous=last_xml).findings)
    closure = cols[norm_header("Closure date")]
    assert [(f.code, f.sheet, f.cells) for f in found] == [("C-10", "Referrals", (f"{closure}{row}",))]


def test_each_continuity_check_is_catalogued_with_its_condition():
    assert sorted(CONTINUITY_CHECKS) == [f"C-{n:02d}" for n in range(1, 13)]
    for check in CONTINUITY_CHECKS.values():
        assert check.severity is Severity.QUERY and check.message and check.condition


def test_identity_changes_and_a_new_id_found_by_upn(pair):
    last, this = pair
    this = this.copy()
    by_id = {c.identifiers.la_child_id: c for c in this.children}
    with_upn = [c for c in last.children if c.identifiers.upn and c.identifiers.la_child_id in by_id]
    moved, changed = by_id[with_upn[0].identifiers.la_child_id], by_id[with_upn[1].identifiers.la_child_id]
    moved.identifiers.la_child_id = "NEWID1"
    changed.identifiers.sex = "F" if changed.identifiers.sex == "M" else "M"
    found = sorted((f.code, f.child) for f in check_continuity(this, last, YEAR))
    assert found == sorted([("C-09", "NEWID1"), ("C-07", changed.identifiers.la_child_id)])


def test_referral_and_plan_start_changes(pair):
    last, this = pair
    this = this.copy()
    with_plan = next(c for c in this.children
                     if c.cin_details and c.cin_details[0].child_protection_plans + c.cin_details[0].cin_plans
                     and c.cin_details[0].referral_date < YEAR.start)
    episode = with_plan.cin_details[0]
    episode.referral_date -= D
    plan = (episode.cin_plans or episode.child_protection_plans)[0]
    plan.start_date -= D
    found = sorted(f.code for f in check_continuity(this, last, YEAR))
    assert found == ["C-03", "C-05"]


def test_rollover_refuses_a_return_not_of_the_year_before(last_xml, tmp_path, capsys):
    assert main(["rollover", str(last_xml), "-o", str(tmp_path / "x.xlsx"), "--year", "2025-26"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "2024-25" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_rollover_from_2023_24_carries_gender_into_sex_by_meaning(tmp_path, capsys):
    old = CensusYear.parse("2023-24")
    census = generate(60, old, seed=6)  # 2023-24 records GenderCurrent (1, 2, 0), not Sex
    genders = {c.identifiers.la_child_id: c.identifiers.gender_current for c in census.children}
    assert set(genders.values()) <= {"1", "2", "0"} and all(c.identifiers.sex is None for c in census.children)
    indeterminate = next(c for c in census.children if c.identifiers.gender_current in ("1", "2")
                         and any(is_carried(e, old.reference_date) for e in c.cin_details))
    indeterminate.identifiers.gender_current = "9"  # no counterpart in Sex
    last = tmp_path / "2023-24.xml"
    write_xml(census, old, last)
    out = tmp_path / "2024-25.xlsx"
    assert main(["rollover", str(last), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Retired in 2024-25, dropped: Gender" in printed and "New in 2024-25, to fill in: Sex" in printed
    wb = load_workbook(out, read_only=True)
    rows = list(wb["Children"].iter_rows(values_only=True))
    head = [norm_header(h) for h in rows[0]]
    sexes = {r[0]: r[head.index(norm_header("Sex"))] for r in rows[1:] if r[0]}
    wb.close()
    assert sexes and all(sexes[i] == {"1": "M", "2": "F", "0": "U"}[genders[i]] for i in sexes
                         if i != indeterminate.identifiers.la_child_id)
    assert sexes[indeterminate.identifiers.la_child_id] is None  # 9: left to fill in, and marked
    _fill_in(out, CensusYear.parse("2024-25"))  # a person fills in each cell marked FILL-IN: F for that child
    wb = load_workbook(out, read_only=True)
    assert [r[head.index(norm_header("Sex"))] for r in wb["Children"].iter_rows(values_only=True)
            if r[0] == indeterminate.identifiers.la_child_id] == ["F"]
    wb.close()
    report = validate_file(out, previous=last)
    assert [str(f) for f in report.findings if f.severity is Severity.ERROR] == []
    [gap] = _continuity(report.findings)  # gender 9 last year, F now: no counterpart, said so
    assert gap.code == "C-07" and gap.child == indeterminate.identifiers.la_child_id
    assert "gender 9 (indeterminate)" in gap.message and "no counterpart in Sex" in gap.message


def test_continuity_compares_gender_and_sex_by_meaning():
    last_year, year = CensusYear.parse("2023-24"), CensusYear.parse("2024-25")
    last, this = generate_years(40, last_year, seed=3)
    assert check_continuity(this, last, year) == []  # 1 and M, 2 and F, 0 and U are the same
    by_id = {c.identifiers.la_child_id: c for c in last.children}
    child = next(c for c in this.children if c.identifiers.la_child_id in by_id
                 and c.identifiers.sex in ("M", "F"))
    child.identifiers.sex = "F" if child.identifiers.sex == "M" else "M"
    [gap] = check_continuity(this, last, year)
    was = by_id[child.identifiers.la_child_id].identifiers.gender_current
    assert gap.code == "C-07" and f"last year gender {was} (" in gap.message and "counterpart" not in gap.message


def test_continuity_compares_gender_with_gender_between_two_gendercurrent_years():
    last_year, year = CensusYear.parse("2022-23"), CensusYear.parse("2023-24")
    last, this = generate_years(40, last_year, seed=5)
    assert all(c.identifiers.sex is None for c in this.children)
    assert check_continuity(this, last, year) == []
    by_id = {c.identifiers.la_child_id for c in last.children}
    child = next(c for c in this.children if c.identifiers.la_child_id in by_id
                 and c.identifiers.gender_current in ("1", "2"))
    child.identifiers.gender_current = "9"
    assert [f.code for f in check_continuity(this, last, year)] == ["C-07"]


def test_validate_previous_in_reports(rolled, last_xml, tmp_path, capsys):
    path = _copy(rolled, tmp_path)
    wb = load_workbook(path)
    wb["Children"]["A2"].value = "SOMEONEELSE"  # the same UPN: the child is found, with a new ID
    wb.save(path)
    report = tmp_path / "out.csv"
    code = main(["validate", str(path), "--previous", str(last_xml), "--report", str(report), "--annotate"])
    assert code in (0, 1)
    text = report.read_text(encoding="utf-8-sig")
    assert "C-09" in text and "SOMEONEELSE" in text
    issues = [r for r in load_workbook(path, read_only=True)["Issues"].iter_rows(values_only=True) if r[0] == "C-09"]
    assert issues
    assert main(["validate", str(path), "--previous", str(path)]) == 2


def _name_last_year(path, last_xml):
    wb = load_workbook(path)
    ret = wb["Return"]
    row = next(r for r in ret.iter_rows(min_row=2) if r[0].value == "Last year's return")
    row[1].value = str(last_xml)
    wb.save(path)
    return row[1].coordinate


def test_excel_validate_checks_continuity_with_the_return_the_workbook_names(rolled, last_xml, tmp_path):
    from cin_xl import excel
    from tests.excel_harness import run_excel_function

    path = _copy(rolled, tmp_path)
    wb = load_workbook(path)
    ws = wb["Children"]
    letter = _sheet_rows(ws)[norm_header("Date of birth")]
    row = next(r for r in range(2, ws.max_row + 1) if ws[f"{letter}{r}"].value)
    ws[f"{letter}{row}"] = ws[f"{letter}{row}"].value - D
    wb.save(path)
    _name_last_year(path, last_xml)
    result = run_excel_function(excel.validate, path, tmp_path / "validated.xlsx")
    found = _continuity(result.value.findings)
    assert [(f.code, f.sheet, f.cells) for f in found] == [("C-06", "Children", (f"{letter}{row}",))]
    marked = load_workbook(tmp_path / "validated.xlsx")
    issues = [r for r in marked["Issues"].iter_rows(values_only=True) if r[0] == "C-06"]
    assert len(issues) == 1
    # the CLI reads the same setting
    assert _continuity(validate_file(path).findings) == found


def test_a_named_return_that_cannot_be_used_is_one_finding_on_its_cell(rolled, tmp_path):
    path = _copy(rolled, tmp_path)
    cell = _name_last_year(path, tmp_path / "nowhere.xml")
    report = validate_file(path)
    named = [f for f in report.findings if f.sheet == "Return" and "Last year's return" in f.message]
    assert [(f.severity, f.cells) for f in named] == [(Severity.QUERY, (cell,))]
    assert _continuity(report.findings) == []


def test_continuity_on_census_xml_and_in_the_rules_listing(pair, tmp_path, capsys):
    import json

    last, this = pair
    this = this.copy()
    open_ids = {c.identifiers.la_child_id for c in last.children if any(e.closure_date is None
                                                                        for e in c.cin_details)}
    gone = next(c for c in this.children if c.identifiers.la_child_id in open_ids)
    this.children.remove(gone)
    write_xml(last, LAST_YEAR, tmp_path / "last.xml")
    write_xml(this, YEAR, tmp_path / "this.xml", check=False)
    found = _continuity(validate_file(tmp_path / "this.xml", previous=tmp_path / "last.xml").findings)
    assert [(f.code, f.path, f.child) for f in found] == [("C-01", "/Message/Children", gone.la_child_id)]
    assert main(["rules", "--year", "2026-27", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["continuity"]
    assert [c["code"] for c in listed] == sorted(CONTINUITY_CHECKS) and all(c["condition"] for c in listed)


def test_demo_shows_a_new_census_year(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "-n", "60"]) == 0
    out = capsys.readouterr().out
    step = out[out.index("5. A new census year"):]
    assert "C-01" in step and "C-06" in step and step.count("(query)") == 2
    wb = load_workbook(tmp_path / "new-year-2026-27.xlsx", read_only=True)
    assert sum(1 for r in wb["Children"].iter_rows(min_row=2, values_only=True) if r[0]) > 0
    assert (tmp_path / "last-year-2025-26.xml").exists()


def _carried_child(this, last, *, with_plan=False, with_upn=False, closed_before=False):
    """A child of this year carried from last year, with what the case needs."""
    last_by_id = {c.identifiers.la_child_id: c for c in last.children}
    for child in this.children:
        before = last_by_id.get(child.identifiers.la_child_id)
        if before is None or not child.cin_details or child.cin_details[0].referral_date >= YEAR.start:
            continue
        episode = child.cin_details[0]
        if with_plan and not (episode.cin_plans or episode.child_protection_plans):
            continue
        if with_upn and not child.identifiers.upn:
            continue
        if closed_before and not any(e.closure_date for e in before.cin_details):
            continue
        return child, before
    raise AssertionError("no such child in the generated pair")


def _episode_missing(this, last):
    child, _ = _carried_child(this, last)
    child.cin_details[0].referral_date = YEAR.start + 5 * D  # now referred this year: not the same episode
    return "C-02", child.identifiers, "la_child_id"


def _plan_missing(this, last):
    child, _ = _carried_child(this, last, with_plan=True)
    episode = child.cin_details[0]
    episode.cin_plans.clear()
    episode.child_protection_plans.clear()
    return "C-04", episode, "referral_date"


def _upn_changed(this, last):
    from cin_xl.census.upn import make_upn

    child, _ = _carried_child(this, last, with_upn=True)
    child.identifiers.upn = make_upn("873", 99_999_999)
    return "C-08", child.identifiers, "upn"


def _closure_changed(this, last):
    child, before = _carried_child(this, last, closed_before=True)
    closed = next(e for e in before.cin_details if e.closure_date).copy()
    closed.closure_date -= D
    child.cin_details.insert(0, closed)
    return "C-11", closed, "closure_date"


@pytest.mark.parametrize("change", [_episode_missing, _plan_missing, _upn_changed, _closure_changed])
def test_each_break_gives_its_one_finding_on_its_record(pair, tmp_path, change):
    last, this = pair
    this = this.copy()
    code, node, field_name = change(this, last)
    write_xml(last, LAST_YEAR, tmp_path / "last.xml")
    write_xml(this, YEAR, tmp_path / "this.xml", check=False)
    found = _continuity(validate_file(tmp_path / "this.xml", previous=tmp_path / "last.xml").findings)
    assert [f.code for f in found] == [code]
    # located on the element of the record at fault (read back from this year's XML)
    assert found[0].path and found[0].line
    in_memory = check_continuity(this, last, YEAR)
    assert [(f.code, f.fields) for f in in_memory] == [(code, (field_name,))]


def test_an_unreadable_closure_date_is_carried_as_typed(pair):
    last = pair[0].copy()
    child = next(c for c in last.children if c.cin_details[-1].closure_date is not None
                 and not c.cin_details[-1].referral_nfa)
    child.cin_details[-1].closure_date = "soon"
    carried = carry_forward(last, LAST_YEAR, YEAR).census
    again = next(c for c in carried.children if c.la_child_id == child.la_child_id)
    assert again.cin_details[-1].closure_date == "soon"
