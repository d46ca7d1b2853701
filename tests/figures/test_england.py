"""England's published figures beside the return's own (cin_xl/reports/england.json): the file holds together, and
the HTML report and the Summary sheet show England's figure with its year and source, another year's named as such."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from importlib.resources import files

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.reports.england import COMPARED, NO_FIGURE, england_figure, england_figures, not_found
from cin_xl.reports.figures import FIGURES, Rate
from cin_xl.reports.figures.timeliness import ASSESSMENT_BANDS
from cin_xl.reports.html import render_html
from cin_xl.reports.summary_sheet import summary_grid
from tests.figures.build import Assessment, Section47, child, d, episode, figures, plan

WHEN = datetime(2025, 4, 20, 10, 30)
EES = "https://explore-education-statistics.service.gov.uk/"


def test_every_entry_names_its_year_data_set_and_page():
    keys = {f.key for f in FIGURES}
    raw = json.loads(files("cin_xl.reports").joinpath("england.json").read_text(encoding="utf-8"))
    assert raw["figures"], "no England figures"
    for item in raw["figures"]:
        for field in ("figure", "year", "reporting_year", "numerator", "denominator", "dataset", "publication", "url",
                      "read_from", "definition"):
            assert item.get(field) not in (None, ""), (item["figure"], field)
        assert item["figure"] in keys and item["figure"] in COMPARED
        # reporting year YYYY is the year ending 31 March YYYY: census year YYYY-1 to YYYY
        assert CensusYear.parse(item["year"]).first == item["reporting_year"] - 1
        assert item["url"].startswith(EES)
    years = [(f.figure, f.year) for f in england_figures()]
    assert len(years) == len(set(years)), "a figure given twice for one year"
    # a figure without a readable source is listed as left out, and has no numbers
    assert set(not_found()) == {"cp_second_or_subsequent"}
    assert not [f for f in england_figures() if f.figure in not_found()]


@pytest.mark.parametrize("e", england_figures(), ids=lambda e: f"{e.figure}-{e.year}")
def test_numbers_hold_together(e):
    assert 0 < e.numerator <= e.denominator
    if e.published_percent is not None:
        # the published percentage is the counts' as they were before England's were rounded to the nearest 10
        # (2,710 of 62,300 is 4.35%, published as 4.4%), rounded to the published decimals
        low = 100 * (e.numerator - 5) / (e.denominator + 5)
        high = 100 * (e.numerator + 5) / (e.denominator - 5)
        half = 0.5 * 10 ** -e.percent_decimals
        assert low - half <= e.published_percent <= high + half, (low, e.published_percent, high)
    if e.bands:
        total = sum(e.bands.values())
        published = e.total if e.total is not None else e.denominator
        # each band and the total are rounded to the nearest 10
        rounding = 5 * (len(e.bands) + 1)
        if e.unbanded_in_total:  # some counted in the total are in no band
            assert published - total >= -rounding and (published - total) / published < 0.01, (total, published)
        else:
            assert abs(total - published) <= rounding, (total, published)
        if e.bands_within:
            assert e.numerator == sum(e.bands[b] for b in e.bands_within)
            assert e.denominator in (total, published)


def test_assessment_bands_are_ours():
    e = england_figure("assessments_within_45_days", "2024-25").england
    assert list(e.bands) == [code for code, *_ in ASSESSMENT_BANDS]
    assert list(e.bands_within) == [code for code, _, _, high in ASSESSMENT_BANDS if high is not None and high <= 45]
    # the example in issue 19: 555,820 of 648,830 assessments within 45 working days
    assert (e.numerator, e.denominator, e.percent_text) == (555820, 648830, "85.7%")
    assert e.label == "England 2024-25: 85.7%"


def test_the_years_england_figure_else_the_latest_named():
    same = england_figure("re_referrals", "2023-24")
    assert same.same_year and same.text == "England 2023-24: 22%"
    later = england_figure("re_referrals", "2026-27")
    assert not later.same_year
    assert later.text == "England 2024-25: 22.6% (the latest published; there is no England figure for 2026-27 yet)"
    earlier = england_figure("assessments_within_45_days", "2022-23")
    assert earlier.text == "England 2024-25: 85.7% (a later year; cin-xl has no England figure for 2022-23)"
    assert england_figure("cp_second_or_subsequent", "2024-25") is None


def _kids():
    """Two assessments (one within 45 working days, one not), a conference 10 working days after its enquiry, a
    plan ending after two years and a half: census year 2024-25."""
    return [child(episode(d("2024-05-01"), assessments=[
                Assessment(start_date=d("2024-05-01"), authorisation_date=d("2024-05-15")),  # 10 working days
                Assessment(start_date=d("2024-06-03"), authorisation_date=d("2024-09-02"))],  # 65 working days
                section47s=[Section47(start_date=d("2024-07-01"), date_of_initial_cpc=d("2024-07-15"))],
                cp_plans=[plan(d("2022-06-01"), end=d("2024-12-02"))]))]


def test_html_shows_england_beside_with_year_and_source():
    f = figures(*_kids(), year="2024-25")
    assert f.value_as("assessments_within_45_days", Rate) == Rate(1, 2)
    page = render_html(f, generated=WHEN)
    section = page[page.index('<h3 id="england">'):]
    row = section[section.index('id="england-assessments_within_45_days"'):]
    row = row[:row.index("</tr>")]
    assert "50.0%" in row and "England 2024-25: 85.7%" in row and "555,820 of 648,830" in row
    assert escape("C2 Completed assessments by duration of assessment and local authority") in row
    assert "3fb5a93d-1eb3-4f3a-bdd0-5caea4556ce6" in row and "DfE definition:" in row
    assert "no England figure for" not in section  # the return's own year: no note
    for key in ("re_referrals", "conferences_within_15_days", "cp_ended_two_years"):
        assert f'id="england-{key}"' in section
    assert "England 2024-25: 4.4%" in section and "England 2024-25: 81.4%" in section
    # the bands beside England's
    bands = section[section.index('id="england-assessment-bands"'):]
    assert "11,680" in bands and "1.8%" in bands and "27,500" in bands
    # a figure with no England source says so
    sub = section[section.index('id="england-cp_second_or_subsequent"'):]
    assert escape(NO_FIGURE) in sub[:sub.index("</tr>")]
    # the headline card too
    assert "England 2024-25: 22.6%" in page[:page.index('<section id="counts">')]
    # and COLLECT's key indicators link to it
    collect = page[page.index('<section id="collect">'):]
    key_indicators = collect[collect.index("Key indicators"):]
    assert '<a href="#england">England beside this return</a>' in key_indicators[:key_indicators.index("</tr>")]


def test_html_names_another_years_figure():
    page = render_html(figures(*_kids(), year="2025-26"), generated=WHEN)
    section = page[page.index('<h3 id="england">'):]
    row = section[section.index('id="england-assessments_within_45_days"'):]
    row = row[:row.index("</tr>")]
    assert "England 2024-25: 85.7%" in row
    assert "the latest published; there is no England figure for 2025-26 yet" in row
    assert "England 2025-26" not in page


def test_summary_sheet_shows_england_with_year_and_source():
    grid = summary_grid(figures(*_kids(), year="2024-25"), generated=WHEN)
    start = next(i for i, row in enumerate(grid) if row[0] == "England beside this return")
    rows = {row[0]: row for row in grid[start + 2:start + 7]}
    assessments = rows["Assessments completed within 45 working days"]
    assert assessments[1:5] == [555820, 648830, 85.7, "50.0%"]
    assert assessments[5].startswith("England 2024-25: 85.7%. DfE definition:")
    assert "C2 Completed assessments by duration" in assessments[5] and EES in assessments[5]
    assert rows["Child protection plans started that were a second or subsequent plan"][5] == NO_FIGURE
    bands = next(i for i, row in enumerate(grid) if str(row[0]).startswith("Assessments by working days taken, beside"))
    assert grid[bands][0] == "Assessments by working days taken, beside England 2024-25"
    same_day = grid[bands + 2]
    assert same_day[:5] == ["Same day", 11680, None, 1.8, "0.0%"]


def test_summary_sheet_names_another_years_figure():
    grid = summary_grid(figures(*_kids(), year="2023-24"), generated=WHEN)
    texts = {row[0]: row[5] for row in grid if isinstance(row[5], str)}
    assert texts["Re-referrals within 12 months"].startswith("England 2023-24: 22%. ")  # the year's own
    assert texts["Assessments completed within 45 working days"].startswith(
        "England 2024-25: 85.7% (a later year; cin-xl has no England figure for 2023-24). ")
