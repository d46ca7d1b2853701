"""The workbook reader (pure core, read_grids): tolerances, located findings, origins, links."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.validation.findings import Severity, locate
from cin_xl.validation.structural import check_return
from cin_xl.workbook import read_grids
from cin_xl.workbook.reader import READ_PROBLEM
from cin_xl.xml import to_xml_bytes
from tests.workbook.helpers import base_grids, base_return, cell, col, move_column, put

Y = CensusYear.parse("2026-27")


def xml(census, year=Y):
    return to_xml_bytes(census, year, check=False)


def structural(census, year=Y):
    """Structural findings located to cells (what validation will report)."""
    return [locate(__import__("cin_xl.validation.findings", fromlist=["Finding"]).Finding(code, Severity.ERROR, msg), node,
                   (field,)) for node, _child, code, field, msg in check_return(census, year)]


def read_problems(result, severity=None):
    return [p for p in result.problems if p.code == READ_PROBLEM and (severity is None or p.severity is severity)]


def test_base_workbook_reads_back_exactly():
    result = read_grids(base_grids(), Y)
    assert result.problems == []
    assert xml(result.census) == xml(base_return("2026-27"))
    assert result.year == Y


def test_year_comes_from_the_return_sheet():
    assert read_grids(base_grids("2025-26")).year == CensusYear.parse("2025-26")


def test_no_year_anywhere_is_unusable():
    grids = base_grids()
    grids["Return"] = [["Item", "Value"]]
    with pytest.raises(UnusableInput, match="census year"):
        read_grids(grids)


def test_not_a_census_workbook():
    with pytest.raises(UnusableInput, match="not a cin-xl census workbook"):
        read_grids({"Sheet1": [["a", "b"], [1, 2]]})


def test_given_year_that_differs_from_the_workbook_is_a_query():
    result = read_grids(base_grids("2025-26"), "2026-27")
    assert result.year == Y
    assert any("says census year 2025-26" in p.message and p.severity is Severity.QUERY for p in result.problems)


# -- what people type -----------------------------------------------------------------------------

def test_dates_as_excel_dates_iso_text_and_uk_text():
    grids = base_grids()
    ref = grids["Referrals"]
    original = [cell(ref, r, "Referral date") for r in (2, 3, 4)]
    assert all(isinstance(d, datetime) for d in original)  # openpyxl gives real dates
    put(ref, 2, "Referral date", original[0].date().isoformat())           # ISO text
    put(ref, 3, "Referral date", original[1].strftime("%d/%m/%Y"))         # UK text
    put(ref, 4, "Referral date", original[2].strftime("%-d/%-m/%Y"))
    for sheet in ("Assessments", "CIN plans", "Section 47", "Child protection plans", "Pre-proceedings"):
        g = grids[sheet]
        for r in range(2, len(g) + 1):
            v = cell(g, r, "Referral date")
            put(g, r, "Referral date", v.strftime("%d/%m/%Y"))  # the links may be typed as text too
    result = read_grids(grids, Y)
    assert result.problems == []
    assert xml(result.census) == xml(base_return("2026-27"))


def test_codes_with_spaces_lower_case_and_labels():
    grids = base_grids()
    put(grids["Referrals"], 2, "Referral source", " 2a ")
    put(grids["Referrals"], 3, "Referral source", "6 - Police")
    put(grids["Children"], 2, "Ethnicity", "WBRI - White British")
    put(grids["Children"], 2, "Disabilities", "none")
    put(grids["Child protection plans"], 2, "Initial category of abuse", "neg")
    result = read_grids(grids, Y)
    assert result.problems == []
    assert xml(result.census) == xml(base_return("2026-27"))


def test_yes_no_true_one():
    grids = base_grids()
    put(grids["Referrals"], 2, "Referral with no further action", False)    # a TRUE/FALSE cell
    put(grids["Referrals"], 3, "Referral with no further action", "no")
    put(grids["Referrals"], 4, "Referral with no further action", 1.0)      # xlwings number
    put(grids["Section 47"], 2, "ICPC not required", "FALSE")
    put(grids["Pre-proceedings"], 2, "FGDM meeting offered", "TRUE")
    put(grids["Pre-proceedings"], 2, "FGDM meeting facilitated", "1")
    result = read_grids(grids, Y)
    assert xml(result.census) == xml(base_return("2026-27"))


def test_xlwings_floats_and_shapes():
    grids = base_grids()
    put(grids["Child protection plans"], 2, "Number of previous CP plans", 0.0)
    put(grids["Pre-proceedings"], 2, "Review meetings held", 1.0)
    ret = grids["Return"]
    for row in ret:
        if row[0] == "Year":
            row[1] = 2027.0
    result = read_grids(grids, Y)
    assert xml(result.census) == xml(base_return("2026-27"))
    # a sheet of one row comes as a flat list from xlwings, a single cell as a scalar
    grids["CIN plans"] = grids["CIN plans"][0]
    grids["Looked-after"] = "LA child ID"
    result = read_grids(grids, Y)
    assert result.census.children[0].cin_details[0].cin_plans == []
    assert any("CIN plans" in str(p) for p in result.problems) is False


def test_blank_rows_between_entries():
    grids = base_grids()
    for sheet in ("Children", "Referrals", "Assessments"):
        g = grids[sheet]
        width = len(g[0])
        g.insert(2, [None] * width)
        g.insert(2, ["   "] + [None] * (width - 1))
        g.append([None] * width)
    result = read_grids(grids, Y)
    assert result.problems == []
    assert xml(result.census) == xml(base_return("2026-27"))
    # origins follow the real sheet rows
    b2 = result.census.children[1]
    assert b2.identifiers.origin.row == 5 and b2.identifiers.origin.cells["la_child_id"] == "A5"


def test_columns_moved_and_extra_columns():
    grids = base_grids()
    ch = grids["Children"]
    move_column(ch, "Ethnicity", 0)
    move_column(ch, "LA child ID", 5)
    for r in ch:
        r.insert(2, "note")
    ch[0][2] = "Social worker"
    ref = grids["Referrals"]
    move_column(ref, "Referral date", 0)
    for r in ref:
        r.append("x")
    ref[0][-1] = "My own column"
    result = read_grids(grids, Y)
    # the user's own columns are left out, said once a sheet on their headers
    assert [(p.severity, p.sheet, p.cells) for p in result.problems] == [
        (Severity.QUERY, "Children", ("C1",)), (Severity.QUERY, "Referrals", ("K1",))]
    assert "'Social worker' (C)" in result.problems[0].message and "not exported" in result.problems[0].message
    assert xml(result.census) == xml(base_return("2026-27"))
    a1 = result.census.children[0]
    assert a1.identifiers.origin.cells["la_child_id"] == "G2"
    assert a1.characteristics.origin.cells["ethnicity"] == "A2"
    assert result.sheets["Children"].ignored == {"C": "Social worker"}


def test_headers_by_xml_name_or_n_code_and_case():
    grids = base_grids()
    ref = grids["Referrals"]
    ref[0][col(ref, "Referral source")] = "ReferralSource"
    ref[0][col(ref, "Primary need")] = "N00101"
    ref[0][col(ref, "Closure date")] = "  CLOSURE   date *"
    result = read_grids(grids, Y)
    # read, with one query on the sheet saying which columns were read by another name
    assert [(p.severity, p.sheet, p.cells) for p in result.problems] == [(Severity.QUERY, "Referrals", ("C1", "D1"))]
    assert "'ReferralSource' (C) as 'Referral source'" in result.problems[0].message
    assert xml(result.census) == xml(base_return("2026-27"))


def test_a_title_row_above_the_headers():
    grids = base_grids()
    grids["Children"].insert(0, ["Children of Exampleshire"])
    result = read_grids(grids, Y)
    assert result.problems == []
    assert result.sheets["Children"].header_row == 2
    assert result.census.children[0].identifiers.origin.cells["la_child_id"] == "A3"


# -- what cannot be read --------------------------------------------------------------------------

@pytest.mark.parametrize("sheet, header, typed, code, field_name", [
    ("Referrals", "Referral date", "31/02/2026", "X-DATE", "referral_date"),
    ("Referrals", "Closure date", "soon", "X-DATE", "closure_date"),
    ("Referrals", "Referral with no further action", "maybe", "X-BOOL", "referral_nfa"),
    ("Referrals", "Referral source", "ZZ", "X-CODE", "referral_source"),
    ("Child protection plans", "Number of previous CP plans", "two", "X-NUMBER", "number_of_previous_cpp"),
    ("Children", "Ethnicity", "Martian", "X-CODE", "ethnicity"),
    ("Children", "Date of birth", "2020-02-30", "X-DATE", "person_birth_date"),
])
def test_unreadable_cells_are_kept_and_located(sheet, header, typed, code, field_name):
    grids = base_grids()
    g = grids[sheet]
    put(g, 2, header, typed)
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col(g, header)]
    if sheet == "Referrals" and header == "Referral date":
        # the rows below refer to the episode by the date typed, so they still link
        for other in ("Assessments", "CIN plans", "Section 47", "Child protection plans", "Pre-proceedings"):
            put(grids[other], 2, "Referral date", typed)
    result = read_grids(grids, Y)
    assert read_problems(result) == []
    found = [f for f in structural(result.census) if f.code == code]
    assert [(f.sheet, f.cells) for f in found] == [(sheet, (f"{letter}2",))]
    # the typed text is what the model holds, and what export would show
    assert typed.encode() in xml(result.census)


def test_unreadable_value_among_many_codes_is_located_to_its_cell():
    grids = base_grids()
    put(grids["Children"], 2, "Disabilities", "MOB, XX")
    put(grids["Assessments"], 2, "Factors identified", "3B; 99Z")
    result = read_grids(grids, Y)
    child = result.census.children[0]
    assert child.characteristics.disabilities == ["MOB", "XX"]
    assert child.characteristics.origin.cells["disabilities[1]"] == "J2"
    found = {(f.sheet, f.cells) for f in structural(result.census) if f.code == "X-CODE"}
    assert found == {("Children", ("J2",)), ("Assessments", ("F2",))}


def test_row_for_an_unknown_child_is_a_finding_at_its_key_cell():
    grids = base_grids()
    put(grids["Referrals"], 4, "LA child ID", "ZZ9")
    put(grids["Assessments"], 3, "Referral date", datetime(2020, 1, 1))
    result = read_grids(grids, Y)
    problems = read_problems(result, Severity.ERROR)
    assert [(p.sheet, p.row, p.cells, p.child) for p in problems] == [
        ("Referrals", 4, ("A4",), "ZZ9"),
        ("Assessments", 3, ("B3",), "A1"),
    ]
    assert "No child ZZ9 on the Children sheet" in problems[0].message
    assert "Child A1 has no episode with referral date 01/01/2020" in problems[1].message
    assert len(result.census.children[1].cin_details) == 0  # not silently attached elsewhere


def test_ambiguous_and_missing_keys_are_findings():
    grids = base_grids()
    put(grids["Children"], 3, "LA child ID", "A1")  # two children A1
    put(grids["CIN plans"], 2, "LA child ID", None)
    result = read_grids(grids, Y)
    problems = read_problems(result, Severity.ERROR)
    ambiguous = [p for p in problems if "more than one child A1" in p.message]
    assert [(p.sheet, p.row) for p in ambiguous] == [("Referrals", 2), ("Referrals", 3)]
    assert any("No child B2" in p.message for p in problems)
    blank = [p for p in problems if p.sheet == "CIN plans"]
    assert blank and blank[0].cells == ("A2",) and "has no LA child ID" in blank[0].message


def test_second_pre_proceedings_row_for_one_episode():
    grids = base_grids()
    pp = grids["Pre-proceedings"]
    pp.append(list(pp[1]))
    result = read_grids(grids, Y)
    problems = read_problems(result, Severity.ERROR)
    assert len(problems) == 1 and problems[0].row == 3 and "already has a Pre-proceedings row (row 2)" in \
        problems[0].message


def test_missing_columns_and_values_without_header():
    grids = base_grids()
    ref = grids["Referrals"]
    i = col(ref, "Primary need")
    for r in ref:
        del r[i]
    ch = grids["Children"]
    for r in ch:
        r.extend([None, None, None])
    ch[2][-1] = "LD"  # typed right of the table, in a column with no header
    result = read_grids(grids, Y)
    queries = read_problems(result, Severity.QUERY)
    errors = read_problems(result, Severity.ERROR)
    assert [(p.sheet, p.message) for p in errors] == [
        ("Referrals", "'Referrals' has no column 'Primary need' (PrimaryNeedCode): add it, or head the column that "
                      "holds it 'Primary need'")]
    stray = [p for p in queries if "no header" in p.message]
    assert len(stray) == 1 and stray[0].cells == ("O3",)


def test_missing_key_column_is_an_error():
    grids = base_grids()
    ass = grids["Assessments"]
    i = col(ass, "Referral date")
    for r in ass:
        del r[i]
    result = read_grids(grids, Y)
    errors = read_problems(result, Severity.ERROR)
    assert any("no column 'Referral date'" in p.message for p in errors)
    assert all(not ep.assessments for _c, ep in result.census.episodes())


def test_duplicate_header_is_reported():
    grids = base_grids()
    ch = grids["Children"]
    for r in ch:
        r.append("WIRI")
    ch[0][-1] = "Ethnicity"
    result = read_grids(grids, Y)
    dup = [p for p in result.problems if "Two columns are headed" in p.message]
    assert len(dup) == 1 and dup[0].cells == (f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[len(ch[0]) - 1]}1",)
    assert result.census.children[0].characteristics.ethnicity == "WBRI"


def test_column_of_another_year_is_reported_not_read():
    grids = base_grids()
    ch = grids["Children"]
    for r in ch:
        r.append("2")
    ch[0][-1] = "Gender"  # GenderCurrent: only up to 2023-24
    result = read_grids(grids, Y)
    assert any("'Gender' is not part of the 2026-27 census" in p.message for p in result.problems)


def test_pre_proceedings_sheet_in_an_older_year():
    grids = base_grids("2025-26")
    grids["Pre-proceedings"] = base_grids("2026-27")["Pre-proceedings"]
    result = read_grids(grids, "2025-26")
    assert any("'Pre-proceedings' sheet is not part of the 2025-26 census" in p.message for p in result.problems)


# -- many values, origins, looked-after, offsets ----------------------------------------------------

def test_review_dates_each_located_and_more_columns_accepted():
    grids = base_grids()
    cp = grids["Child protection plans"]
    reviews = base_return("2026-27").children[0].cin_details[0].child_protection_plans[0].review_dates
    assert cell(cp, 2, "Review date 1") is not None and cell(cp, 2, "Review date 3") is None
    for r in cp:
        r.append(None)
    cp[0][-1] = "Review date 9"
    cp[1][-1] = "01/03/2027"
    result = read_grids(grids, Y)
    plan = result.census.children[0].cin_details[0].child_protection_plans[0]
    assert plan.review_dates == [*reviews, date(2027, 3, 1)]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    h, i = letters[col(cp, "Review date 1")], letters[col(cp, "Review date 2")]
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[len(cp[0]) - 1]
    assert plan.origin.cells["review_dates"] == f"{h}2"
    assert [plan.origin.cells[f"review_dates[{n}]"] for n in range(3)] == [f"{h}2", f"{i}2", f"{last}2"]


def test_every_record_has_its_origin():
    result = read_grids(base_grids(), Y)
    census = result.census
    a1 = census.children[0]
    first = a1.cin_details[0]
    assert census.header.source.origin.sheet == "Return"
    assert census.header.source.origin.cells["lea"] == "B7"
    assert (a1.origin.sheet, a1.origin.row) == ("Children", 2)
    assert first.origin.cells["referral_date"] == "B2" and first.origin.sheet == "Referrals"
    assert first.assessments[0].origin.cells["start_date"] == "C2"
    assert first.section47s[0].origin.sheet == "Section 47"
    assert first.pre_proceedings.origin.cells["pp_outcome"].endswith("2")
    assert first.child_protection_plans[0].origin.row == 2
    # a blank cell still has its place, so "missing" findings land on it
    assert first.origin.cells["date_of_initial_cpc"] == "G2"


def test_looked_after_periods_are_read_with_origin():
    grids = base_grids()
    la = grids["Looked-after"]
    la.append(["A1", datetime(2026, 6, 1), "2026-08-01", "C2 - Full care order"])
    la.append([None, None, None, None])
    la.append(["B2", "01/09/2026", None, None])
    result = read_grids(grids, Y)
    periods = result.looked_after
    assert [(p.child_id, p.start_date, p.end_date) for p in periods] == [
        ("A1", date(2026, 6, 1), date(2026, 8, 1)), ("B2", date(2026, 9, 1), None)]
    assert periods[1].origin.row == 4 and periods[1].origin.cells["start_date"] == "B4"


def test_offsets_for_a_used_range_not_starting_at_a1():
    grids = base_grids()
    ch = grids["Children"]
    grids["Children"] = [r[1:] for r in ch]  # as if column A were outside the used range...
    for r, full in zip(grids["Children"], ch):
        r.insert(0, full[0])
    result = read_grids(grids, Y, offsets={"Children": (1, 3)})
    assert result.census.children[0].identifiers.origin.cells["la_child_id"] == "C2"


def test_sheet_names_are_matched_loosely_and_a_missing_sheet_is_an_error():
    grids = base_grids()
    grids["cin plans "] = grids.pop("CIN plans")
    del grids["Section 47"]
    result = read_grids(grids, Y)
    assert result.census.children[0].cin_details[0].cin_plans
    assert [(p.sheet, p.severity) for p in result.problems] == [("Section 47", Severity.ERROR)]
