"""The trends as a workbook (``cin-xl report A.xml B.xml ... -o trends.xlsx``): the Trends sheet holds the trends
page's figures year by year, as numbers with number formats, with native line charts bound to its rows."""

from __future__ import annotations

import zipfile

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.html import HEADLINES
from cin_xl.reports.trends_sheet import TRENDS_SHEET
from cin_xl.synthetic.years import generate_run
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.xml.writer import write_xml

FIRST, COUNT = "2021-22", 5
LABELS = [CensusYear(CensusYear.parse(FIRST).first + i).label for i in range(COUNT)]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Five consecutive years of one authority (each continuing the year before), given out of order, one file
    named like a formula; the trends written both as the page and as the workbook."""
    folder = tmp_path_factory.mktemp("run")
    paths = []
    for label, census in zip(LABELS, generate_run(50, FIRST, COUNT, seed=3)):
        path = folder / (f"={label}.xml" if label == "2023-24" else f"{label}.xml")
        write_xml(census, CensusYear.parse(label), path)
        paths.append(path)
    given = [paths[3], paths[0], paths[4], paths[2], paths[1]]
    page, book = folder / "trends.html", folder / "trends.xlsx"
    assert main(["report", *map(str, given), "-o", str(page)]) == 0
    assert main(["report", *map(str, given), "-o", str(book)]) == 0
    return given, page, book


def _page_rows(page) -> dict[str, list[str]]:
    """Figure name -> the page's cells, year by year, from its Counts and Timeliness tables."""
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    rows = {}
    for table in doc.xpath("//h2[.='Counts' or .='Timeliness']/following-sibling::table[1]"):
        assert [th.text_content() for th in table.xpath(".//thead//th")][1:] == LABELS
        for tr in table.xpath(".//tbody/tr"):
            name = tr.xpath("./th")[0].text.strip()
            rows[name] = [td.text_content() for td in tr.xpath("./td")]
    return rows


def _shown(cell) -> str:
    """A year's cell as the page writes it: 1,234, 45.6% or "not collected"."""
    if cell.value is None:
        return "not collected"
    if cell.number_format == "0.0%":
        return f"{cell.value * 100:.1f}%"
    assert cell.number_format == "#,##0" and isinstance(cell.value, int)
    return f"{cell.value:,}"


def test_the_sheet_holds_the_pages_figures_in_year_order(made):
    _, page, book = made
    ws = load_workbook(book)[TRENDS_SHEET]
    assert load_workbook(book).sheetnames == [TRENDS_SHEET]
    assert ws["A1"].value == f"Children in need census {LABELS[0]} to {LABELS[-1]}: trends"
    headers = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Figure"]
    assert len(headers) == 2  # counts, timeliness
    for r in headers:
        assert [ws.cell(r, c).value for c in range(2, 2 + COUNT)] == LABELS
        assert ws.cell(r, 2 + COUNT).value == "Definition"
    expected = _page_rows(page)
    sheet = {}
    for header in headers:
        r = header + 1
        while ws.cell(r, 1).value:
            sheet[ws.cell(r, 1).value] = [_shown(ws.cell(r, c)) for c in range(2, 2 + COUNT)]
            r += 1
    assert sheet == expected
    assert sheet["Children in need at 31 March"][0] != "not collected"
    # percentages are numbers shown as percentages: 0.123 as 12.3%, not the text "12.3%"
    rate = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Re-referrals within 12 months")
    assert all(isinstance(ws.cell(rate, c).value, float) and ws.cell(rate, c).number_format == "0.0%"
               for c in range(2, 2 + COUNT))
    # pre-proceedings are not collected before 2026-27: blank cells (a chart's gap), never 0
    pre = next((r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Pre-proceedings started"), None)
    assert pre is None  # not one of these five years has them: no row at all


def test_breaks_and_the_rules_note_are_on_the_sheet(made):
    _, _, book = made
    ws = load_workbook(book)[TRENDS_SHEET]
    cells = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(1, ws.max_row + 1)]
    assert ("2024-25", "Sex (item Sex) first collected in 2024-25") in cells
    assert ("2024-25", "Gender (GenderCurrent) no longer collected from 2024-25") in cells
    assert ("2022-23", "ReferralSource codes in 2022-23: 5D added") in cells
    assert (rules_not_included_note(CensusYear.parse("2021-22")), None) in cells
    assert not any(rules_not_included_note(CensusYear.parse(y)) for y in LABELS[1:])


def test_the_charts_are_bound_to_the_headline_rows(made):
    _, _, book = made
    ws = load_workbook(book)[TRENDS_SHEET]
    charts = ws._charts
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    names = {}
    for chart in charts:
        (line,) = chart.series
        row = int(line.tx.strRef.f.rsplit("A", 1)[1])
        assert line.tx.strRef.f == f"'Trends'!A{row}"
        last = chr(ord("A") + COUNT)
        assert line.val.numRef.f == f"'Trends'!$B${row}:${last}${row}"
        header = int(line.cat.strRef.f.rsplit("$", 1)[1])
        assert line.cat.strRef.f == f"'Trends'!$B${header}:${last}${header}"
        assert [ws.cell(header, c).value for c in range(2, 2 + COUNT)] == LABELS
        title = "".join(run.t for p in chart.title.tx.rich.p for run in p.r)
        assert rows[title] == row
        names[title] = row
        assert chart.display_blanks == "gap"
    from cin_xl.jobs.report import key_figures

    figures = key_figures(made[0][0], check=False)
    assert list(names) == [figures.results[k].figure.name for k in HEADLINES]


def test_no_formulas_and_a_formula_like_name_stays_text(made):
    _, _, book = made
    with zipfile.ZipFile(book) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    ws = load_workbook(book)[TRENDS_SHEET]
    named = [ws.cell(r, 2) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "2023-24"
             and ws.cell(r, 2).value and str(ws.cell(r, 2).value).endswith(".xml")]
    assert [c.value for c in named] == ["=2023-24.xml"]
    assert named[0].data_type == "s" and named[0].quotePrefix


def test_an_existing_workbook_is_kept_and_xlsm_refused(made, tmp_path, capsys):
    given, _, book = made
    before = book.read_bytes()
    assert main(["report", *map(str, given[:2]), "-o", str(book)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert book.read_bytes() == before
    assert main(["report", *map(str, given[:2]), "-o", str(tmp_path / "t.xlsm")]) == 2
    assert "name it .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "t.xlsm").exists()
