"""The key figures page and the trends page as a browser shows them: rendered in headless Chromium (skipped where it
is absent; ``.ci/run`` installs it).

(a) The key figures of a generated messy 2026-27 return, with last year's return (year on year) and the
child-level lists; (b) the trends page over seven generated consecutive years of one authority, 2020-21 to
2026-27. For each: the DOM Chromium built has every section and COLLECT report by name and every chart with its
data points; the page asks the network for nothing; it fits a 1280-pixel window (nothing sticks out to the right,
also with the lists opened); no chart label overlaps another or is cut off at the chart's edge; the picture of the
top of the page is not blank. The measurements are taken by a small script added to a copy of the page
(``tests/chromium.py``).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from lxml import html as lxml_html

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.cli import main
from cin_xl.jobs.report import key_figures
from cin_xl.reports.figures import SECTIONS, Breakdown, Monthly
from cin_xl.reports.figures.collect import COLLECT_REPORTS
from cin_xl.reports.html import bar_chart, render_html
from cin_xl.reports.trends import series
from cin_xl.synthetic.messy import add_mistakes
from cin_xl.synthetic.years import generate_run, generate_years
from cin_xl.xml.writer import write_xml
from tests.chromium import CHROMIUM, decode_png, render, screenshot, variance
from tests.figures.build import child, episode, figures

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
LAST, THIS = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A messy 2026-27 return beside last year's: the page (with the lists) and its figures."""
    folder = tmp_path_factory.mktemp("report")
    last, this = generate_years(150, LAST, seed=4)
    add_mistakes(this, THIS, 0.3, seed=4)
    write_xml(last, LAST, folder / "cin-2025-26.xml")
    write_xml(this, THIS, folder / "cin-2026-27.xml", check=False)  # messy: some mistakes break the schema
    page = folder / "figures.html"
    assert main(["report", str(folder / "cin-2026-27.xml"), "--previous", str(folder / "cin-2025-26.xml"),
                 "--lists", str(folder / "lists"), "-o", str(page), "--quiet"]) == 0
    return page, key_figures(folder / "cin-2026-27.xml", previous=folder / "cin-2025-26.xml", lists=True)


@pytest.fixture(scope="module")
def trends(tmp_path_factory):
    """Seven consecutive years of one authority, given to ``cin-xl report`` out of order: the page and the series."""
    folder = tmp_path_factory.mktemp("trends")
    paths = []
    for label, census in zip(SUPPORTED_YEARS, generate_run(60, "2020-21", 7, seed=2)):
        year = CensusYear.parse(label)
        write_xml(census, year, folder / f"cin-{year.label}.xml")
        paths.append(folder / f"cin-{year.label}.xml")
    page = folder / "trends.html"
    shuffled = [paths[i] for i in (4, 0, 6, 2, 1, 5, 3)]
    assert main(["report", *map(str, shuffled), "-o", str(page), "--quiet"]) == 0
    return page, series([key_figures(p, check=False) for p in paths])


@pytest.fixture(scope="module")
def report_rendered(report):
    return render(report[0]) if CHROMIUM else None


@pytest.fixture(scope="module")
def trends_rendered(trends):
    return render(trends[0]) if CHROMIUM else None


def _titles(svg) -> list[str]:
    return [t.text_content() for t in svg.xpath(".//*[local-name()='title']")][1:]  # the first is the chart's


# --- (a) the key figures page -------------------------------------------------------------------------------


@needs_chromium
def test_report_has_every_section_and_collect_report_by_name(report, report_rendered):
    dom = lxml_html.fromstring(report_rendered.dom)
    assert [h.text_content() for h in dom.xpath("//section/h2")] == [
        *SECTIONS, "Child-level lists", "COLLECT's reports"]
    names = [td.text_content() for td in dom.xpath("//section[@id='collect']//td[@class='name']")]
    assert names == [r.name for r in COLLECT_REPORTS]
    # each COLLECT report links to what shows it, and every link leads to an element of the page
    ids = set(dom.xpath("//@id"))
    links = dom.xpath("//section[@id='collect']//a/@href")
    assert len(links) > len(COLLECT_REPORTS) and all(href[1:] in ids for href in links)
    # year on year and the lists are there, each list with all its rows
    assert dom.xpath("//table[@id='fig-year_on_year']//tbody/tr")
    figs = report[1]
    for key, child_list in figs.lists.items():
        assert len(dom.xpath(f"//details[@id='list-{key}']//tbody/tr")) == len(child_list.rows), key


@needs_chromium
def test_report_charts_draw_every_data_point(report, report_rendered):
    figs = report[1]
    dom = lxml_html.fromstring(report_rendered.dom)
    charts = {svg.xpath("./*[local-name()='title']")[0].text_content(): svg for svg in dom.xpath("//svg")}
    assert len(charts) == 6
    # the monthly lines: a point a month for each figure, each titled with its value
    monthly = charts["Referrals and assessments by month"]
    expected = [f"{figs.results[k].figure.name}: {v:,}" for k in
                ("monthly_referrals", "monthly_assessments_started", "monthly_assessments_completed")
                for v in figs.value_as(k, Monthly).values]
    assert [t for t in _titles(monthly) if ": " in t] == expected
    # the working days bands: a bar each
    days = figs.value_as("assessment_working_days", Breakdown)
    bars = charts["Assessments completed in the year by working days taken"]
    assert [t for t in _titles(bars)] == [f"{r.label}: {r.count:,}" for r in days.rows]
    # year on year: last year's and this year's bar for each percentage
    yoy = charts["Percentages year on year"]
    assert len(yoy.xpath(".//*[local-name()='rect']/*[local-name()='title']")) >= 2 * 5
    # laid out: every chart drew its marks, and no label overlaps another or is cut off
    probe = report_rendered.probe
    assert len(probe["charts"]) == 6
    for chart in probe["charts"]:
        assert chart["marks"] >= 9 and chart["width"] > 500, chart
        assert chart["overlaps"] == [] and chart["cut"] == [], chart


@needs_chromium
def test_report_asks_the_network_for_nothing(report, report_rendered):
    assert report_rendered.requests == []
    dom = lxml_html.fromstring(report_rendered.dom)
    fetched = dom.xpath("//@src | //link/@href | //object/@data | //*[local-name()='image']/@href")
    assert fetched == []
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", report_rendered.dom)


@needs_chromium
def test_the_network_check_sees_what_a_page_fetches(tmp_path):
    page = tmp_path / "fetches.html"
    page.write_text('<!DOCTYPE html><html><body><p>x</p><img src="http://127.0.0.1:9/a.png"></body></html>')
    assert render(page).requests == ["http://127.0.0.1:9/a.png"]


@needs_chromium
def test_report_fits_a_1280_pixel_window(report_rendered):
    """Nothing sticks out to the right, the lists opened too (a table of plans by initial and latest category with
    a column per code found, wrong codes included, once did: its headings did not wrap)."""
    probe = report_rendered.probe
    assert probe["wide"] == [] and probe["scrollWidth"] <= probe["clientWidth"] == 1280
    assert "NEGLECT" in report_rendered.dom  # the messy return's wrong category code, a column of that table


@needs_chromium
def test_report_picture_is_the_page(report, tmp_path):
    image = decode_png(screenshot(report[0], tmp_path / "top.png", width=1280, height=700, scale=0.5).read_bytes())
    assert (image.width, image.height) == (640, 350)
    assert variance(image) > 1000
    assert image.grey(5, 5) < 40  # the black header
    assert image.grey(5, image.height - 5) > 230  # the white page


def test_lists_show_row_and_line_numbers_as_they_are(report):
    """An XML line or a row is a number to look up, not a quantity: no thousands separator, right-aligned."""
    dom = lxml_html.fromstring(report[0].read_text(encoding="utf-8"))
    table = dom.xpath("//details[@id='list-assessments_working_days']//table")[0]
    columns = [th.text_content() for th in table.xpath(".//th")]
    line = columns.index("XML line")
    assert table.xpath(".//th")[line].get("class") == "num"
    lines = [tr.xpath("./td")[line].text_content() for tr in table.xpath(".//tbody/tr")]
    assert max(map(int, lines)) >= 1000 and all(re.fullmatch(r"\d+", v) for v in lines)


def test_one_unreadable_date_is_it():
    page = render_html(figures(child(episode("soon"))))
    assert "1 date could not be read; every figure above treats it as absent." in page


# --- (b) the trends page --------------------------------------------------------------------------------------


@needs_chromium
def test_trends_over_seven_years_chart_every_year(trends, trends_rendered):
    rows = trends[1]
    dom = lxml_html.fromstring(trends_rendered.dom)
    assert [th.text_content() for th in dom.xpath("//table[1]/thead//th")][1:] == list(SUPPORTED_YEARS)
    svgs = {svg.get("aria-label"): svg for svg in dom.xpath("//svg")}
    assert sorted(svgs) == sorted(f"{s.name}, year by year" for s in rows)
    for s in rows:
        svg = svgs[f"{s.name}, year by year"]
        points = [(float(c.get("cy")), c.text_content()) for c in svg.xpath(".//*[local-name()='circle']")]
        known = [(label, v) for label, v in zip(SUPPORTED_YEARS, s.values) if v is not None]
        assert [t for _, t in points] == [f"{label}: {v:.1f}%" if s.percent else f"{label}: {v:,}"
                                          for label, v in known], s.key
        # a larger value is drawn higher up
        for (y1, _), (y2, _), (_, v1), (_, v2) in zip(points, points[1:], known, known[1:]):
            assert (y1 > y2) == (v1 < v2) or v1 == v2, s.key
        ticks = [t.text_content() for t in svg.xpath(".//*[local-name()='text']") if re.fullmatch(r"\d\d-\d\d", t.text)]
        assert ticks == [label[2:] for label in SUPPORTED_YEARS]
    # a series that breaks: CIN plans not collected in 2020-21, pre-proceedings only from 2026-27
    cin = next(s for s in rows if s.key == "cin_plans_started")
    assert cin.values[0] is None and None not in cin.values[1:]
    probe = trends_rendered.probe
    for chart in probe["charts"]:
        assert chart["overlaps"] == [] and chart["cut"] == [], chart


@needs_chromium
def test_trends_page_fits_and_fetches_nothing(trends, trends_rendered, tmp_path):
    assert trends_rendered.requests == []
    probe = trends_rendered.probe
    assert probe["wide"] == [] and probe["scrollWidth"] <= probe["clientWidth"] == 1280
    image = decode_png(screenshot(trends[0], tmp_path / "trends.png", width=1280, height=800, scale=0.5).read_bytes())
    assert variance(image) > 300
    assert "Children in need census 2020-21 to 2026-27: trends" in trends_rendered.dom


def test_generated_years_continue_one_another(tmp_path):
    """Each year of a generated run carries the open cases of the one before with new children of its own: no year
    has an error, and continuity against the year before finds nothing (a return-level query such as 2887Q, on the
    share of disability codes, may fire on so small a return)."""
    from cin_xl.jobs.validate import validate_file

    run = list(zip(SUPPORTED_YEARS[:4], generate_run(30, "2020-21", 4, seed=1)))
    ids = [{c.identifiers.la_child_id for c in census.children} for _, census in run]
    for before, after in zip(ids, ids[1:]):
        assert before & after and after - before
    previous = None
    for label, census in run:
        path = tmp_path / f"{label}.xml"
        write_xml(census, CensusYear.parse(label), path)
        findings = validate_file(path, previous=previous).findings
        assert [f for f in findings if f.severity.value == "error" or f.code.startswith("C-")] == [], label
        previous = path


def test_a_long_bar_label_wraps_rather_than_being_cut():
    long = "6C Physical disability or illness: concern about another person in the household"
    svg = bar_chart("Factors", [(long, 3), ("3B Domestic abuse", 4)], x_label="Assessments", label_width=430)
    lines = re.findall(r'text-anchor="end"[^>]*>([^<]+)<', svg)
    assert lines == ["6C Physical disability or illness: concern about another person", "in the household",
                     "3B Domestic abuse"]
    assert "…" not in svg
    longer = bar_chart("F", [(long * 3, 1)], x_label="A", label_width=430)
    assert len(re.findall(r'text-anchor="end"', longer)) == 2 and "…" in longer  # two lines at most


def test_collect_index_points_to_this_page():
    page = render_html(figures(child(episode(date(2026, 5, 1)))))
    intro = re.search(r'<section id="collect"><h2>[^<]*</h2><p>(.*?)</p>', page).group(1)
    assert "of this page" in intro and "below" not in intro  # it is the last section: its links lead up
