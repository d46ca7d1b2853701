"""The Trends sheet in the user's own workbook (issue 21, 3): ``validate X.xlsx --annotate --trends PAST...`` writes
the trends page's figures year by year, with native charts, into the workbook beside the Summary and list sheets;
replaced, never duplicated, on the next run; a user's "Trends" sheet kept; the workbook written whole or not at all."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.html import HEADLINES
from cin_xl.synthetic.years import generate_run
from cin_xl.workbook.trends_sheet import TRENDS_NAME
from cin_xl.xml.writer import write_xml

FIRST, COUNT = "2022-23", 5
LABELS = [CensusYear(CensusYear.parse(FIRST).first + i).label for i in range(COUNT)]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Five consecutive years of one authority: the last imported as the workbook, the four before given after
    --trends out of order (one file named like a formula); the trends page of the same five returns."""
    folder = tmp_path_factory.mktemp("trends-into")
    paths = []
    for label, census in zip(LABELS, generate_run(50, FIRST, COUNT, seed=7)):
        path = folder / (f"={label}.xml" if label == "2023-24" else f"{label}.xml")
        write_xml(census, CensusYear.parse(label), path)
        paths.append(path)
    book = folder / "census.xlsx"
    assert main(["import", str(paths[-1]), "-o", str(book)]) == 0
    pristine = folder / "pristine.xlsx"
    shutil.copy(book, pristine)
    past = [paths[2], paths[0], paths[3], paths[1]]
    page = folder / "trends.html"
    assert main(["report", *map(str, past), str(book), "-o", str(page)]) == 0
    assert main(["validate", str(book), "--annotate", "--trends", *map(str, past)]) in (0, 1)
    return book, past, page, pristine


def _page_rows(page) -> dict[str, list[str]]:
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    rows = {}
    for table in doc.xpath("//h2[.='Counts' or .='Timeliness']/following-sibling::table[1]"):
        assert [th.text_content() for th in table.xpath(".//thead//th")][1:] == LABELS
        for tr in table.xpath(".//tbody/tr"):
            rows[tr.xpath("./th")[0].text.strip()] = [td.text_content() for td in tr.xpath("./td")]
    return rows


def _shown(cell) -> str:
    if cell.value is None:
        return "not collected"
    if cell.number_format == "0.0%":
        return f"{cell.value * 100:.1f}%"
    assert cell.number_format == "#,##0" and isinstance(cell.value, int)
    return f"{cell.value:,}"


def _sheet_rows(ws) -> dict[str, list[str]]:
    headers = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Figure"]
    assert len(headers) == 2
    rows = {}
    for header in headers:
        assert [ws.cell(header, c).value for c in range(2, 2 + COUNT)] == LABELS  # in year order
        assert ws.cell(header, 2 + COUNT).value == "Definition"
        r = header + 1
        while ws.cell(r, 1).value:
            rows[ws.cell(r, 1).value] = [_shown(ws.cell(r, c)) for c in range(2, 2 + COUNT)]
            r += 1
    return rows


def test_the_workbooks_trends_sheet_holds_the_pages_figures_in_year_order(run):
    book, _, page, _ = run
    wb = load_workbook(book)
    names = wb.sheetnames
    assert names.count("Trends") == 1
    # beside cin-xl's other sheets: after the Summary and the list sheets, before the census sheets
    assert names.index("Summary") < names.index("Trends") < names.index("Return")
    ws = wb["Trends"]
    assert ws["A1"].value == f"Children in need census {LABELS[0]} to {LABELS[-1]}: trends"
    assert _sheet_rows(ws) == _page_rows(page)
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Returns") + 2
    returns = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(first, first + COUNT)]
    assert [y for y, _ in returns] == LABELS
    assert returns[-1][1] == "census.xlsx"


def test_the_charts_are_native_and_read_the_workbooks_trends_sheet(run):
    book = run[0]
    ws = load_workbook(book)["Trends"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    last = chr(ord("A") + COUNT)
    titles = []
    for chart in ws._charts:
        (line,) = chart.series
        title = "".join(run.t for p in chart.title.tx.rich.p for run in p.r)
        row = rows[title]
        assert line.val.numRef.f == f"'Trends'!$B${row}:${last}${row}"
        titles.append(title)
    assert len(titles) == len(HEADLINES)


def test_nothing_is_a_formula_and_a_formula_like_name_stays_text(run):
    book = run[0]
    wb = load_workbook(book)
    ws = wb["Trends"]
    named = [ws.cell(r, 2) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "2023-24"
             and str(ws.cell(r, 2).value or "").endswith(".xml")]
    assert [c.value for c in named] == ["=2023-24.xml"]
    assert named[0].data_type == "s"
    assert not any(isinstance(c.value, str) and c.data_type == "f" for row in ws.iter_rows() for c in row)


def _trends_parts(book) -> tuple[int, int]:
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
    return sum(n.startswith("xl/charts/chart") for n in names), sum(n.startswith("xl/worksheets/sheet") for n in names)


def test_a_second_run_replaces_the_sheet_in_its_place(run, tmp_path):
    book, past, _, _ = run
    again = tmp_path / "again.xlsx"
    shutil.copy(book, again)
    before_names, before_parts = load_workbook(again).sheetnames, _trends_parts(again)
    assert main(["validate", str(again), "--annotate", "--trends", *map(str, past[:2])]) in (0, 1)
    wb = load_workbook(again)
    assert wb.sheetnames == before_names
    assert wb["Trends"]["A1"].value == f"Children in need census {LABELS[0]} to {LABELS[-1]}: trends"
    assert [wb["Trends"].cell(r, 1).value for r in range(1, wb["Trends"].max_row + 1)].count("Figure") == 2
    assert _trends_parts(again) == before_parts  # the old sheet's charts went with it
    assert sum(1 for d in wb.defined_names if d == TRENDS_NAME) == 1


def test_a_users_trends_sheet_is_kept(run, tmp_path, capsys):
    _, past, _, pristine = run
    book = tmp_path / "mine.xlsx"
    wb = load_workbook(pristine)
    wb.create_sheet("TRENDS")["A1"] = "my own trends"
    wb.save(book)
    for _ in range(2):
        assert main(["validate", str(book), "--annotate", "--trends", str(past[0])]) == 0
        # cin-xl's sheet is never read as a census sheet ("cin-xl Trends" looks like "Children")
        assert "is not a census sheet" not in capsys.readouterr().out
    wb = load_workbook(book)
    assert wb["TRENDS"]["A1"].value == "my own trends"
    assert sorted(n for n in wb.sheetnames if "trends" in n.lower()) == ["TRENDS", "cin-xl Trends"]
    ws = wb["cin-xl Trends"]
    assert ws["A1"].value.startswith("Children in need census")
    for chart in ws._charts:  # the charts read cin-xl's sheet, not the user's
        assert chart.series[0].val.numRef.f.startswith("'cin-xl Trends'!")


def test_the_workbook_given_as_a_past_return_is_refused_and_nothing_changes(run, tmp_path, capsys):
    _, past, _, pristine = run
    book = tmp_path / "census.xlsx"
    shutil.copy(pristine, book)
    before = book.read_bytes()
    assert main(["validate", str(book), "--annotate", "--trends", str(past[0]), str(book)]) == 2
    assert "is the workbook being marked" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_two_returns_of_one_year_are_refused_and_nothing_changes(run, tmp_path, capsys):
    _, past, _, pristine = run
    book = tmp_path / "census.xlsx"
    shutil.copy(pristine, book)
    twin = tmp_path / "twin.xml"
    shutil.copy(past[0], twin)
    before = book.read_bytes()
    assert main(["validate", str(book), "--annotate", "--trends", str(past[0]), str(twin)]) == 2
    assert "give one return a year" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_trends_without_annotate_is_refused(run, capsys):
    book, past, _, _ = run
    before = book.read_bytes()
    assert main(["validate", str(book), "--trends", str(past[0])]) == 2
    assert "give --annotate too" in capsys.readouterr().err
    assert book.read_bytes() == before


@pytest.mark.parametrize("where", ["right of the table", "among the charts"])
def test_a_users_value_on_cinxls_trends_sheet_stops_the_run(run, tmp_path, capsys, where):
    book, past, _, _ = run
    mine = tmp_path / "noted.xlsx"
    wb = load_workbook(book)
    ws = wb["Trends"]
    if where == "right of the table":
        ref = f"{chr(ord('A') + COUNT + 2)}10"
    else:
        charts = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Charts of the headline figures")
        ref = f"C{charts + 3}"
    ws[ref] = "checked by JB"
    wb.save(mine)
    before = mine.read_bytes()
    assert main(["validate", str(mine), "--annotate", "--trends", *map(str, past)]) == 2
    err = capsys.readouterr().err
    assert "'Trends' sheet holds 'checked by JB' in " + ref in err and "Nothing was changed" in err
    assert mine.read_bytes() == before
