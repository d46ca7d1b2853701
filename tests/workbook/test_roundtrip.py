"""XML -> workbook -> XML is byte-identical, for the hand-made return and generated returns of every year."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from cin_xl.census.model import ChildProtectionPlan
from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.workbook import read_grids, read_workbook, workbook_bytes, write_workbook
from cin_xl.xml import read_xml, to_xml_bytes
from tests.workbook.helpers import base_return, grids_of


def roundtrip(census, year: CensusYear, tmp_path) -> bytes:
    original = to_xml_bytes(census, year)
    read = read_xml(original)
    assert read.problems == []
    path = tmp_path / f"r-{year.label}.xlsx"
    write_workbook(path, read.census, read.year)
    back = read_workbook(path)
    assert back.problems == []
    assert back.year == year
    again = to_xml_bytes(back.census, back.year)
    assert again == original
    return again


@pytest.mark.parametrize("label", SUPPORTED_YEARS)
def test_base_return_round_trip(label, tmp_path):
    roundtrip(base_return(label), CensusYear.parse(label), tmp_path)


@pytest.mark.parametrize("label", SUPPORTED_YEARS)
def test_generated_return_round_trip(label, tmp_path):
    generate = pytest.importorskip("cin_xl.synthetic.generate").generate
    year = CensusYear.parse(label)
    roundtrip(generate(150, year, seed=7), year, tmp_path)


def test_older_readable_year_round_trip(tmp_path):
    """Last year's (2023-24, GenderCurrent) XML is imported into a workbook of its own year and back."""
    year = CensusYear.parse("2023-24")
    census = base_return("2024-25")
    for child in census.children:
        child.identifiers.sex, child.identifiers.gender_current = None, "2" if child.la_child_id == "A1" else "0"
    census.header.collection_details.year = year.xml_year
    roundtrip(census, year, tmp_path)


def test_many_review_dates_get_more_columns(tmp_path):
    year = CensusYear.parse("2026-27")
    census = base_return("2026-27")
    plan: ChildProtectionPlan = census.children[0].cin_details[0].child_protection_plans[0]
    start = plan.start_date
    from datetime import timedelta
    plan.review_dates = [start + timedelta(days=10 * i) for i in range(1, 10)]
    grids = grids_of(workbook_bytes(census, year))
    assert "Review date 9" in grids["Child protection plans"][0]
    assert to_xml_bytes(read_grids(grids).census, year) == to_xml_bytes(census, year)


def test_formula_like_text_is_written_as_text_and_read_back(tmp_path):
    year = CensusYear.parse("2026-27")
    census = base_return("2026-27")
    ids = census.children[0].identifiers
    ids.upn = "=HYPERLINK(\"http://example.invalid\",\"x\")"
    ids.former_upn = "+441234"
    census.children[1].identifiers.upn = "-5"
    census.children[0].cin_details[1].referral_source = "@SUM(A1)"
    census.header.source.release = "=1+1"
    data = workbook_bytes(census, year)
    wb = load_workbook(io.BytesIO(data))
    cells = [wb["Children"]["B2"], wb["Children"]["C2"], wb["Children"]["B3"], wb["Referrals"]["C3"]]
    assert [c.value for c in cells] == [ids.upn, "+441234", "-5", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells)  # text, not a formula
    assert all(c.quotePrefix for c in cells)
    back = read_grids(grids_of(data))
    assert to_xml_bytes(back.census, year, check=False) == to_xml_bytes(census, year, check=False)
