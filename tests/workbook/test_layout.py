"""The layout is derived from the spec: every item in force has its column, once; marks and names."""

from __future__ import annotations

import pytest

from cin_xl.census.spec import fields_of
from cin_xl.census.years import READABLE_YEARS, CensusYear
from cin_xl.workbook.layout import (
    CENSUS_YEAR_LABEL,
    LINK,
    MODULES,
    header_names,
    marks_text,
    module_in_force,
    return_rows,
    sheet_layout,
    sheet_names,
)


def items_in_force(cls, year, prefix=""):
    module_records = {m.record for m in MODULES}
    out = set()
    for f in fields_of(cls, year):
        if f.is_group:
            if not f.many and f.node not in module_records:
                out |= items_in_force(f.node, year, prefix + f.name + ".")
        else:
            out.add(prefix + f.name)
    return out


@pytest.mark.parametrize("label", READABLE_YEARS)
def test_every_item_has_one_column(label):
    year = CensusYear.parse(label)
    for module in MODULES:
        if not module_in_force(module, year):
            assert module.sheet not in sheet_names(year)
            continue
        layout = sheet_layout(module.sheet, year)
        own = {c.path for c in layout.columns if c.role != LINK}
        assert own == items_in_force(module.record, year), module.sheet
        headers = [c.header for c in layout.columns]
        assert len(headers) == len(set(headers)), module.sheet
        names = [n for c in layout.columns for n in header_names(c)]
        assert len(names) == len(set(names)), f"ambiguous header names on {module.sheet}"


def test_year_differences():
    y24, y27 = CensusYear.parse("2023-24"), CensusYear.parse("2026-27")
    assert "Gender" in [c.header for c in sheet_layout("Children", y24).columns]
    assert "Sex" in [c.header for c in sheet_layout("Children", y27).columns]
    assert "Pre-proceedings" in sheet_names(y27) and "Pre-proceedings" not in sheet_names(CensusYear.parse("2025-26"))


def test_links_and_keys():
    y = CensusYear.parse("2026-27")
    assert [c.header for c in sheet_layout("Referrals", y).columns[:2]] == ["LA child ID", "Referral date"]
    ass = sheet_layout("Assessments", y)
    assert [c.role for c in ass.columns[:2]] == [LINK, LINK]
    assert ass.issues_letter == "G" and ass.marks_letter == "H"
    cp = sheet_layout("Child protection plans", y, {"review_dates": 8})
    assert [c.header for c in cp.columns if c.index][-1] == "Review date 8"


def test_return_rows_are_the_header_items():
    rows = return_rows(CensusYear.parse("2026-27"))
    assert rows[0].label == CENSUS_YEAR_LABEL
    assert rows[-1].label == "Last year's return" and rows[-1].workbook_only and not rows[-1].in_header
    assert [r.item.xml for r in rows[1:-1]] == ["Collection", "Year", "ReferenceDate", "SourceLevel", "LEA",
                                             "SoftwareCode", "Release", "SerialNo", "DateTime"]


def test_marks_text():
    assert marks_text([("C", "error"), ("f", "query"), "C:E"]) == " C:E F:Q "
    assert marks_text([]) == ""
