"""The continuity section of the key figures: last year's open cases and how this return carries them."""

from __future__ import annotations

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.report import key_figures as figures_for_file
from cin_xl.reports.figures import compute_figures
from cin_xl.reports.html import render_html
from cin_xl.synthetic.years import generate_years
from cin_xl.validation.continuity import check_continuity
from cin_xl.xml.writer import write_xml

LAST, THIS = CensusYear.parse("2024-25"), CensusYear.parse("2025-26")


def _pair():
    return generate_years(80, LAST, seed=9)


def test_open_children_of_last_year_and_how_many_carry_on():
    last, this = _pair()
    ref = LAST.reference_date
    open_ids = {c.identifiers.la_child_id for c in last.children
                if any(e.closure_date is None or e.closure_date > ref for e in c.cin_details)}
    figures = compute_figures(this, THIS, [], previous=last)
    assert figures["open_last_year"] == len(open_ids) > 0
    assert (figures["open_last_year_present"].numerator, figures["open_last_year_present"].denominator) == \
        (len(open_ids), len(open_ids))
    assert figures["continuity_by_check"].rows == ()
    # one carried child dropped: one fewer present, one C-01 query in the table
    gone = next(c for c in this.children if c.identifiers.la_child_id in open_ids)
    this.children.remove(gone)
    findings = check_continuity(this, last, THIS)
    figures = compute_figures(this, THIS, findings, previous=last)
    assert figures["open_last_year_present"].numerator == len(open_ids) - 1
    assert [row[:2] for row in figures["continuity_by_check"].rows] == [("C-01", 1)]
    assert "C-01" in render_html(figures)


def test_without_last_year_the_section_says_how_to_compare():
    last, this = _pair()
    figures = compute_figures(this, THIS, [])
    assert figures["open_last_year"] is None and figures["continuity_by_check"] is None and not figures.compared
    assert "--previous LAST.xml" in render_html(figures)


def test_report_command_with_previous(tmp_path, capsys):
    last, this = _pair()
    write_xml(last, LAST, tmp_path / "last.xml")
    write_xml(this, THIS, tmp_path / "this.xml")
    out = tmp_path / "figures.html"
    assert main(["report", str(tmp_path / "this.xml"), "--previous", str(tmp_path / "last.xml"), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Continuity with last year" in page and "No continuity queries" in page
    figures = figures_for_file(tmp_path / "this.xml", previous=tmp_path / "last.xml")
    assert figures.compared and figures["open_last_year_present"].percent == 100
