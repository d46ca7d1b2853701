"""A child twice in last year's return (the same LA child ID, or the same UPN under two IDs).

Continuity reports it once as such (C-12, naming both records) and never says the child is missing
from this return; rollover carries the child once, so the new workbook holds no child twice.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.years import generate_years
from cin_xl.validation.continuity import check_continuity
from cin_xl.xml.writer import write_xml

LAST_YEAR, YEAR = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def pair():
    return generate_years(60, LAST_YEAR, seed=7)


def _carried(this, last, *, with_upn=False):
    """A child open at last year's reference date, in both returns."""
    ids = {c.identifiers.la_child_id for c in this.children}
    for child in last.children:
        is_open = any(e.closure_date is None for e in child.cin_details)
        if child.identifiers.la_child_id in ids and is_open and (not with_upn or child.identifiers.upn):
            return child
    raise AssertionError("no such child in the generated pair")


def _continuity(findings):
    return [f for f in findings if f.code.startswith("C-")]


def test_the_same_id_twice_is_one_c12_naming_both_lines_and_no_missing_child(pair, tmp_path):
    last, this = pair
    last = last.copy()
    twice = _carried(this, last)
    last.children.append(twice.copy())
    write_xml(last, LAST_YEAR, tmp_path / "last.xml", check=False)
    write_xml(this, YEAR, tmp_path / "this.xml", check=False)
    found = _continuity(validate_file(tmp_path / "this.xml", previous=tmp_path / "last.xml").findings)
    assert [f.code for f in found] == ["C-12"], [str(f) for f in found]
    message = found[0].message
    assert f"LA child ID {twice.identifiers.la_child_id}" in message and message.count("of last year's return") == 2
    assert found[0].child == twice.identifiers.la_child_id and found[0].line  # on this year's record


def test_the_same_upn_under_another_id_is_not_a_missing_child(pair):
    last, this = pair
    last = last.copy()
    first = _carried(this, last, with_upn=True)
    other = first.copy()
    other.identifiers.la_child_id = "ANOTHER-ID"
    last.children.append(other)
    found = check_continuity(this, last, YEAR)
    assert [(f.code, f.child) for f in found] == [("C-12", first.identifiers.la_child_id)]
    assert "UPN" in found[0].message


def test_a_child_twice_and_gone_is_missing_once(pair):
    last, this = pair
    last, this = last.copy(), this.copy()
    gone = _carried(this, last)
    last.children.append(gone.copy())
    this.children[:] = [c for c in this.children if c.identifiers.la_child_id != gone.identifiers.la_child_id]
    found = check_continuity(this, last, YEAR)
    assert sorted(f.code for f in found) == ["C-01", "C-12"]


def test_rollover_carries_a_child_twice_in_last_year_once(pair, tmp_path, capsys):
    last, this = pair
    last = last.copy()
    twice = _carried(this, last)
    last.children.append(twice.copy())
    write_xml(last, LAST_YEAR, tmp_path / "last.xml", check=False)
    out = tmp_path / "new.xlsx"
    assert main(["rollover", str(tmp_path / "last.xml"), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 repeated records of a child (merged)" in printed
    ids = [r[0] for r in load_workbook(out, read_only=True)["Children"].iter_rows(min_row=2, values_only=True)
           if r[0]]
    assert ids.count(twice.identifiers.la_child_id) == 1 and len(ids) == len(set(ids))
    single = tmp_path / "single.xml"
    write_xml(pair[0], LAST_YEAR, single)
    assert main(["rollover", str(single), "-o", str(tmp_path / "single.xlsx")]) == 0
    capsys.readouterr()
    codes = sorted(f.code for f in validate_file(out).findings)
    # the new workbook names last year's return: its repeat is reported there (C-12), nothing else differs
    assert [c for c in codes if c != "C-12"] == sorted(f.code for f in validate_file(tmp_path / "single.xlsx").findings)
    assert codes.count("C-12") <= 1
