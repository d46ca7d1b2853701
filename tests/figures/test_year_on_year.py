"""Each key figure beside last year's (``--previous``), substantial changes flagged."""

from __future__ import annotations

from cin_xl.census.years import CensusYear
from cin_xl.reports.figures import Rate, Table, compute_figures
from cin_xl.reports.figures.year_on_year import (
    COLUMNS,
    FLAG,
    SUBSTANTIAL_COUNT_CHANGE,
    SUBSTANTIAL_RATE_CHANGE,
    compare,
)
from tests.figures.build import YEAR, Assessment, census, child, d, episode

LAST = CensusYear.parse("2025-26")


def test_thresholds_are_stated_and_applied_both_ways():
    assert (SUBSTANTIAL_COUNT_CHANGE, SUBSTANTIAL_RATE_CHANGE) == (10.0, 5.0)
    assert compare("Referrals", 100, 109) == ("Referrals", 100, 109, 9, 9.0, None)
    assert compare("Referrals", 100, 110) == ("Referrals", 100, 110, 10, 10.0, FLAG)
    assert compare("Referrals", 100, 90) == ("Referrals", 100, 90, -10, -10.0, FLAG)
    assert compare("Referrals", 0, 0) == ("Referrals", 0, 0, 0, None, None)
    assert compare("Referrals", 0, 3) == ("Referrals", 0, 3, 3, None, FLAG)  # from none to some
    # percentages: in percentage points; 3 of 4 (75%) against 7 of 10 (70%): -5 points, flagged
    assert compare("In time", Rate(3, 4), Rate(7, 10)) == ("In time (percent)", 75.0, 70.0, -5.0, None, FLAG)
    assert compare("In time", Rate(3, 4), Rate(71, 100)) == ("In time (percent)", 75.0, 71.0, -4.0, None, None)
    assert compare("In time", Rate(0, 0), Rate(1, 2)) == ("In time (percent)", None, 50.0, None, None, None)


def test_year_on_year_on_two_hand_made_returns():
    # last year: 10 children referred 1 June 2025; two assessments completed, one in 6 working days, one
    # late (2 June to 1 December 2025): 50%
    last = census(*[child(episode(d("2025-06-01"), assessments=[
        Assessment(start_date=d("2025-06-02"), authorisation_date=d("2025-06-10")),
        Assessment(start_date=d("2025-06-02"), authorisation_date=d("2025-12-01"))] if i == 0 else []))
        for i in range(10)], year=LAST)
    # this year: 11 children referred 1 June 2026, one assessment completed within 45 working days: 100%
    this = census(*[child(episode(d("2026-06-01"), assessments=[
        Assessment(start_date=d("2026-06-02"), authorisation_date=d("2026-06-10"))] if i == 0 else []))
        for i in range(11)])
    table = compute_figures(this, YEAR, [], previous=last)["year_on_year"]
    assert isinstance(table, Table) and table.columns == COLUMNS
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Referrals"] == (10, 11, 1, 10.0, FLAG)
    assert rows["Children in need at 31 March"] == (10, 11, 1, 10.0, FLAG)
    assert rows["Assessments completed"] == (2, 1, -1, -50.0, FLAG)
    assert rows["Assessments completed within 45 working days (percent)"] == (50.0, 100.0, 50.0, None, FLAG)
    assert rows["Child protection plans open at 31 March"] == (0, 0, 0, None, None)
    assert rows["Referrals with no further action"] == (0, 0, 0, None, None)
    # not compared without last year's return
    assert compute_figures(this, YEAR, [])["year_on_year"] is None
