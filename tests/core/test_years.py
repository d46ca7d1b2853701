from datetime import date

import pytest

from cin_xl.census.years import CensusYear, UnknownYear, default_year, in_force, supported


def test_parse_and_dates():
    year = CensusYear.parse("2026-27")
    assert (year.start, year.reference_date, year.xml_year) == (date(2026, 4, 1), date(2027, 3, 31), 2027)
    assert CensusYear.from_xml_year("2027") == year
    assert year.within(date(2027, 3, 31)) and not year.within(date(2027, 4, 1))


@pytest.mark.parametrize("label", ["2026-28", "2026", "26-27", "", "2026/27"])
def test_bad_labels_are_refused(label):
    with pytest.raises(UnknownYear):
        CensusYear.parse(label)


def test_default_year_is_the_one_containing_today_clamped_to_supported():
    assert default_year(date(2026, 11, 25)).label == "2026-27"
    assert default_year(date(2026, 3, 31)).label == "2025-26"
    assert default_year(date(2030, 1, 1)).label == "2026-27"
    assert default_year(date(2010, 1, 1)).label == "2020-21"


def test_in_force_ranges():
    y = CensusYear.parse("2024-25")
    assert in_force(y, "2024-25", None) and not in_force(y, "2026-27", None) and not in_force(y, None, "2023-24")


def test_supported_years():
    assert [supported(y).label for y in ("2020-21", "2023-24", "2026-27")] == ["2020-21", "2023-24", "2026-27"]
    assert supported("2023-24", readable=True).label == "2023-24"
    for label in ("2019-20", "2027-28"):
        with pytest.raises(UnknownYear):
            supported(label, readable=True)
