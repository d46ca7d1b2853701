"""The Summary sheet as LibreOffice prints it (skipped where LibreOffice or poppler-utils are absent).

A generated 2026-27 return with a few mistakes, imported into a workbook and validated against last year's return
with ``--annotate``, as a user would; its Summary sheet alone printed to PDF: every section, every COLLECT report
by its number and name, and every chart (its axis titles drawn on the page) is there, on the pages the sheet's own
page breaks make.
"""

from __future__ import annotations

import contextlib
import io

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.report import key_figures
from cin_xl.reports.figures.collect import COLLECT_REPORTS
from cin_xl.reports.summary_sheet import SUMMARY_SHEET, summary_layout
from cin_xl.synthetic.messy import add_mistakes
from cin_xl.synthetic.years import generate_years
from cin_xl.xml.writer import write_xml
from tests.libreoffice import PDFTOPPM, PDFTOTEXT, SOFFICE, only_sheet, pages_showing, pdf_pages, to_pdf

LAST, THIS = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None or PDFTOPPM is None,
                    reason="LibreOffice or poppler-utils is not installed")
def test_summary_sheet_prints_every_section_report_and_chart(tmp_path):
    last, this = generate_years(80, LAST, seed=6)
    add_mistakes(this, THIS, 0.05, seed=6)
    write_xml(last, LAST, tmp_path / "last.xml")
    write_xml(this, THIS, tmp_path / "this.xml", check=False)
    book = tmp_path / "cin-2026-27.xlsx"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["import", str(tmp_path / "this.xml"), "-o", str(book), "--quiet"]) in (0, 1)
        assert main(["validate", str(book), "--annotate", "--previous", str(tmp_path / "last.xml"), "--quiet"]) == 1
    pdf = to_pdf(only_sheet(book, SUMMARY_SHEET, tmp_path / "summary.xlsx"), tmp_path)
    pages = pdf_pages(pdf)
    text = "\n".join(pages)
    # the figures the sheet shows: last year's beside them, as --previous gives it (as cin-xl report --previous)
    layout = summary_layout(key_figures(book, previous=tmp_path / "last.xml"))
    assert pages[0].lstrip().startswith("Children in need census 2026-27: key figures")
    sections = [layout.rows[r - 1][0] for r in layout.section_rows]
    assert "COLLECT's reports" in sections
    for heading in sections:
        assert heading in text, heading
    for report in COLLECT_REPORTS:
        assert f"{report.number}. {report.name}" in text, report.name
    # every chart drawn: its axis titles, which no cell holds, are printed
    cells = "\n".join(str(v) for row in layout.rows for v in row if v is not None)
    for chart in layout.charts:
        axes = [t for t in (chart.x_title, chart.y_title) if t and t not in cells]
        assert axes and all(t in text for t in axes), chart.title
        assert "Measure" not in (chart.x_title, chart.y_title)  # an axis says what it is, or has no title
        # no chart runs over a page break: the title at its top is seen on the page of the axis title at its foot
        title_pages = pages_showing(pdf, chart.title, tmp_path)
        if chart.title not in cells:
            assert len(title_pages) == 1, (chart.title, title_pages)
        foot = _foot(chart)
        if foot and foot not in cells and [_foot(c) for c in layout.charts].count(foot) == 1:
            foot_pages = pages_showing(pdf, foot, tmp_path)
            assert foot_pages and foot_pages <= title_pages, (chart.title, foot_pages, title_pages)
    # only the Summary sheet was printed (no census sheet's headings), a page at least for each section
    assert "LA child ID" not in text and len(pages) >= len(sections)


def _foot(chart) -> str:
    """The axis title at the foot of a chart: the values' on a bar chart (bars run across), else the categories'."""
    return chart.y_title if chart.kind == "bar" else chart.x_title
