"""The HTML report, the Summary sheet and ``cin-xl report``."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.figures import FIGURES, SECTIONS, Rate
from cin_xl.reports.html import bar_chart, line_chart, percent_chart, render_html
from cin_xl.reports.summary_sheet import SUMMARY_SHEET, WIDTH, summary_grid, summary_layout, write_summary_sheet
from cin_xl.synthetic.generate import generate
from cin_xl.validation.findings import Finding, Severity
from cin_xl.xml import to_xml_bytes
from tests.figures.build import Assessment, child, d, episode, figures, plan

YEAR = CensusYear.parse("2026-27")
WHEN = datetime(2027, 4, 20, 10, 30)


@pytest.fixture(scope="module")
def small():
    kids = [child(episode(d("2026-05-01"), source="6", assessments=[
                Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-06-01"), factors=["3B", "4B"])],
                cp_plans=[plan(d("2026-10-01"), reviews=[d("2026-12-01")])])),
            child(episode(d("2026-07-01"), closure=d("2026-07-01"), nfa=True), sex="M")]
    return figures(*kids, findings=[Finding("8870Q", Severity.QUERY, "weekend & <target>",
                                            path="/Message/Children/Child[1]/CINdetails[1]/Section47[1]")])


def test_every_figure_is_tested():
    here = Path(__file__).parent
    text = "".join(p.read_text() for p in here.glob("test_*.py"))
    untested = [f.key for f in FIGURES if f'"{f.key}"' not in text]
    assert not untested, untested


def test_every_figure_has_a_name_section_and_definition():
    keys = [f.key for f in FIGURES]
    assert len(keys) == len(set(keys))
    for f in FIGURES:
        assert f.name and f.section in SECTIONS and len(f.definition) > 20, f.key
        assert bool(f.numerator) == bool(f.denominator), f.key


def test_html_is_standalone_and_shows_every_definition(small):
    page = render_html(small, generated=WHEN)
    for section in SECTIONS:
        assert f"<h2>{escape(section)}</h2>" in page
    assert page.count("<svg") == 5  # timeliness, assessments by working days, two monthly charts, factors
    assert "<script" not in page.lower() and "<link" not in page.lower() and "<img" not in page.lower()
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # nothing fetched
    for result in small:
        assert escape(result.figure.definition) in page, result.figure.key
    assert "weekend &amp; &lt;target&gt;" in page  # messages are escaped
    assert "20 April 2027" in page


def test_charts_have_titles_axis_labels_and_okabe_ito_colours():
    svg = line_chart("Referrals by month", ["Apr", "May"], [("Referrals", [3, 5], "#0072B2", False)],
                     x_label="Month", y_label="Number")
    assert "<title" in svg and ">Referrals by month<" in svg and ">Month<" in svg and ">Number<" in svg
    assert "#0072B2" in svg
    bars = bar_chart("Factors", [("3B Domestic abuse", 4)], x_label="Assessments")
    assert ">Factors<" in bars and ">Assessments<" in bars and ">4<" in bars
    pct = percent_chart("Timeliness", [("On time", Rate(3, 4)), ("None yet", Rate(0, 0))])
    assert "75.0%" in pct and "3 of 4" in pct and "no cases in the year" in pct


def test_summary_grid_is_rectangular_and_laid_out(small):
    layout = summary_layout(small, generated=WHEN)
    grid = summary_grid(small, generated=WHEN)
    assert grid == layout.rows and all(len(row) == WIDTH for row in grid)
    rows = {row[0]: row for row in grid if isinstance(row[0], str)}
    assert grid[0][0] == "Children in need census 2026-27: key figures"
    assert rows["Referrals"][1] == 2
    assert rows["Referrals with no further action"][1] == 1
    on_time = rows["Child protection plans reviewed within timescales"]
    # plan started 1 Oct 2026: first review due 1 Jan 2027, held 1 Dec 2026; next due 1 Jun 2027: on time
    assert on_time[1:4] == [1, 1, 100.0]
    assert on_time[5].startswith("Of the child protection plans open at 31 March")
    factors = grid.index(next(r for r in grid if r[0] == "Factors identified at the end of assessment"))
    assert grid[factors + 1][:4] == ["Category", "Number", None, "Percent"]
    assert grid[factors + 2][:2] == ["3B Domestic abuse: concern about parent(s) or carer(s)", 1]
    assert {c.key for c in layout.charts} == {"timeliness", "assessment_days", "monthly1", "monthly2", "factors"}
    for chart in layout.charts:
        _, first, last = chart.categories
        assert first <= last <= len(grid) and chart.values[2] < chart.values[3]


def test_summary_sheet_written_and_reopened(small, tmp_path):
    wb = Workbook()
    wb.active.title = "Start"
    wb.create_sheet("Children")
    write_summary_sheet(wb, small, generated=WHEN)
    write_summary_sheet(wb, small, generated=WHEN)  # replaced, not added twice
    assert wb.sheetnames == ["Start", SUMMARY_SHEET, "Children"]
    path = tmp_path / "book.xlsx"
    wb.save(path)
    ws = load_workbook(path)[SUMMARY_SHEET]
    grid = summary_grid(small, generated=WHEN)
    for r, row in enumerate(grid, start=1):
        for c, expected in enumerate(row, start=1):
            assert ws.cell(r, c).value == expected, (r, c)
    charts = ws._charts
    assert len(charts) == 5
    refs = [s.val.numRef.f for chart in charts for s in chart.series]
    assert all(ref.startswith(f"'{SUMMARY_SHEET}'!$") or ref.startswith(f"{SUMMARY_SHEET}!$") for ref in refs)
    # timeliness, assessments by working days, referrals and assessments, plans, factors
    assert len(refs) == 1 + 1 + 3 + 4 + 1


def test_summary_sheet_when_not_checked():
    result = figures(child(episode(d("2026-05-01"))))
    grid = summary_grid(result, generated=WHEN)
    assert grid[[r[0] for r in grid].index("Errors")][:5] == ["Errors", "not checked", None, None, None]


@pytest.fixture(scope="module")
def generated_xml(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "census.xml"
    path.write_bytes(to_xml_bytes(generate(40, YEAR, 3, violations=["1103"]), YEAR))
    return path


def test_cli_report_on_generated_xml(capsys, generated_xml, tmp_path):
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(generated_xml), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Key figures before submission" in page and "<svg" in page
    for heading in ("Counts", "Timeliness", "Month by month", "Breakdowns", "Data quality"):
        assert f"<h2>{heading}</h2>" in page
    assert "1103" in page  # the injected error is in the data-quality section
    printed = capsys.readouterr().out
    assert "40 children" in printed and str(out) in printed


def test_cli_report_default_output_and_no_checks(capsys, generated_xml):
    assert main(["report", str(generated_xml), "--no-checks"]) == 0
    out = generated_xml.with_name("census-figures.html")
    assert "The return was not checked" in out.read_text(encoding="utf-8")


def test_cli_report_missing_file(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "nothing.xml"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
    assert not out.exists()


def _banner(page: str) -> str:
    match = re.search(r'<p class="(warning|ok)" id="status">(.*?)</p>', page, re.S)
    assert match, "no status banner"
    # before the contents and the headline figures: the first thing read
    assert page.index('id="status"') < page.index('class="contents"')
    return match.group(1) + ": " + re.sub(r"<[^>]+>", "", match.group(2))


def test_report_warns_at_the_top_with_the_counts():
    kid = child(episode(d("2026-05-01")))
    errors = [Finding("1103", Severity.ERROR, "m", path="/x") for _ in range(3)]
    query = [Finding("8870Q", Severity.QUERY, "q", path="/y")]
    page = render_html(figures(kid, findings=errors + query), generated=WHEN)
    assert _banner(page).startswith("warning: This return still has 3 errors and 1 query.")
    page = render_html(figures(kid, findings=query * 2), generated=WHEN)
    assert _banner(page).startswith("warning: This return has no errors but still has 2 queries")
    assert _banner(render_html(figures(kid, findings=[]), generated=WHEN)).startswith("ok: No errors or queries")
    assert "not checked" in _banner(render_html(figures(kid), generated=WHEN))
