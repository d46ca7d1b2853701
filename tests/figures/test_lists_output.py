"""The child-level lists written out: CSV (one file, or a folder), the HTML report's sections, the Summary
sheet's COLLECT and year-on-year blocks, and ``cin-xl report -o lists.csv`` / ``--lists DIR`` / ``--previous``."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.child_lists import list_csv, lists_csv
from cin_xl.reports.figures import compute_figures
from cin_xl.reports.figures.collect import COLLECT_REPORTS
from cin_xl.reports.figures.lists import LISTS, WHO
from cin_xl.reports.html import render_html
from cin_xl.reports.summary_sheet import summary_grid, summary_layout
from cin_xl.synthetic.generate import generate
from cin_xl.xml import to_xml_bytes
from tests.figures.build import YEAR, Assessment, census, child, d, episode

WHEN = datetime(2027, 4, 20, 10, 30)


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _hostile_return():
    kid = child(episode(d("2026-05-01"), assessments=[
        Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-07-07")),
        Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-07-08"))]))
    kid.identifiers.la_child_id = '=HYPERLINK("http://x","y")'
    return compute_figures(census(kid), YEAR, [], lists=True)


def test_list_csv_is_formula_safe_and_quoted():
    result = _hostile_return()
    data = list_csv(result.lists["assessments_working_days"])
    assert b'"\'=HYPERLINK(""http://x"",""y"")"' in data  # a leading quote, every field quoted
    rows = _rows(data)
    assert rows[0] == [*WHO, "Start date", "Authorisation date", "Working days", "Within 45 working days"]
    assert rows[1] == ['\'=HYPERLINK("http://x","y")', "", "", "", "2026-05-01", "2026-07-07", "45", "Yes"]
    assert rows[2][-2:] == ["46", "No"]


def test_all_lists_in_one_csv():
    result = _hostile_return()
    rows = _rows(lists_csv(result))
    header = rows[0]
    assert header[:5] == ["List", *WHO]
    assert len(header) == len(set(header))
    assert [r[0] for r in rows[1:]] == ["Assessments working days list"] * 2
    within = header.index("Within 45 working days")
    assert [r[within] for r in rows[1:]] == ["Yes", "No"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_html_shows_the_lists_and_the_collect_reports_by_name():
    result = _hostile_return()
    page = render_html(result, generated=WHEN, list_files={"assessments_working_days": "lists/a.csv"})
    for report in COLLECT_REPORTS:
        assert report.name in page.replace("&#x27;", "'"), report.name
    assert '<details id="list-assessments_working_days">' in page
    # each figure names the COLLECT report it is held against, beside its definition
    assert "In COLLECT: 2. Assessments working days summary; 9. Key indicators" in page
    assert "In COLLECT: 1. Assessments working days list" in page
    assert '<a href="lists/a.csv">' in page
    assert "=HYPERLINK(&quot;http://x&quot;" in page  # escaped, never a link
    # every link in the COLLECT table goes to a figure or list in the page
    anchors = set(re.findall(r'id="([^"]+)"', page))
    for target in re.findall(r'href="#([^"]+)"', page):
        assert target in anchors, target


def test_html_without_lists_says_how_to_get_them():
    page = render_html(compute_figures(census(child(episode(d("2026-05-01")))), YEAR, []), generated=WHEN)
    assert "--lists DIR" in page and "<details" not in page


def test_summary_sheet_names_collect_reports_and_shows_year_on_year():
    last_year = CensusYear.parse("2025-26")
    last = census(child(episode(d("2025-06-01"))), year=last_year)
    this = census(child(episode(d("2026-06-01"))), child(episode(d("2026-07-01"))))
    grid = summary_grid(compute_figures(this, YEAR, [], previous=last), generated=WHEN)
    first = [row[0] for row in grid]
    assert "COLLECT's reports" in first and "Key figures year on year" in first
    for report in COLLECT_REPORTS:
        assert f"{report.number}. {report.name}" in first
    referrals = next(row for row in grid[first.index("Key figures year on year"):] if row[0] == "Referrals")
    assert referrals == ["Referrals", 1, 2, 1, 100.0, "Check"]
    # the percentages in a table of their own, with a chart of last year's bars beside this year's
    result = compute_figures(this, YEAR, [], previous=last)
    layout = summary_layout(result, generated=WHEN)
    chart = next(c for c in layout.charts if c.key == "year_on_year")
    col, first_row, last_row = chart.categories
    names = [layout.rows[r - 1][0] for r in range(first_row, last_row + 1)]
    assert names and all(name.endswith(" (percent)") for name in names)
    assert layout.rows[chart.values[2] - 1][1:3] == ["2025-26", "2026-27"]
    assert "Re-referrals within 12 months (percent)" in names
    page = render_html(result, generated=WHEN)
    assert 'aria-labelledby="yoy-t yoy-d"' in page and ">Percentages year on year<" in page
    flat = [cell for row in grid for cell in row]
    assert "" not in flat  # an empty text would be a cell Excel repairs (inline string without text)
    assert "Plans open at 31 March by initial and latest category of abuse" in first
    assert "Assessments completed in the year by working days taken" in first
    # without last year's return there is no year-on-year block
    grid = summary_grid(compute_figures(this, YEAR, []), generated=WHEN)
    assert "Key figures year on year" not in [row[0] for row in grid]


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    this, last = folder / "census.xml", folder / "last.xml"
    this.write_bytes(to_xml_bytes(generate(120, YEAR, 5), YEAR))
    before = CensusYear.parse("2025-26")
    last.write_bytes(to_xml_bytes(generate(100, before, 6), before))
    return this, last


def test_cli_lists_csv(capsys, returns, tmp_path):
    out = tmp_path / "lists.csv"
    assert main(["report", str(returns[0]), "-o", str(out), "--no-checks"]) == 0
    rows = _rows(out.read_bytes())
    assert rows[0][0] == "List" and len(rows) > 10
    assert {r[0] for r in rows[1:]} <= {s.name for s in LISTS}
    assert "Child-level lists: " + str(out) in capsys.readouterr().out
    assert main(["report", str(returns[0]), "-o", str(out), "--no-checks"]) == 2  # exists: --force
    assert "already exists" in capsys.readouterr().err


def test_cli_lists_folder_previous_and_html_links(capsys, returns, tmp_path):
    page, folder = tmp_path / "report.html", tmp_path / "lists"
    assert main(["report", str(returns[0]), "-o", str(page), "--lists", str(folder), "--previous",
                 str(returns[1])]) == 0
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == len(LISTS) and all(name.endswith(".csv") for name in written)
    text = page.read_text(encoding="utf-8")
    assert 'href="lists/assessments-working-days.csv"' in text
    assert 'id="fig-year_on_year"' in text
    assert "5 CSV files in" in capsys.readouterr().out
    # the lists' files are outputs like any other: not replaced without --force
    page.unlink()
    assert main(["report", str(returns[0]), "-o", str(page), "--lists", str(folder)]) == 2
    assert "already exists" in capsys.readouterr().err and not page.exists()
    assert main(["report", str(returns[0]), "-o", str(page), "--lists", str(returns[1])]) == 2
    assert "--lists takes a folder" in capsys.readouterr().err


def test_cli_lists_name_the_workbook_sheet_and_row(returns, tmp_path):
    book, out = tmp_path / "book.xlsx", tmp_path / "lists.csv"
    assert main(["import", str(returns[0]), "-o", str(book)]) == 0
    assert main(["report", str(book), "-o", str(out), "--no-checks"]) == 0
    rows = _rows(out.read_bytes())
    header = rows[0]
    sheet, row, line = header.index("Sheet"), header.index("Row"), header.index("XML line")
    assessments = [r for r in rows[1:] if r[0] == "Assessments working days list"]
    assert assessments and all(r[sheet] == "Assessments" and int(r[row]) > 1 and r[line] == ""
                               for r in assessments)


def test_annotated_summary_sheet_shows_year_on_year_with_the_return_the_workbook_names(returns, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "book.xlsx"
    assert main(["import", str(returns[0]), "-o", str(book)]) == 0
    assert main(["validate", str(book), "--annotate"]) in (0, 1)
    first = [r[0] for r in load_workbook(book, read_only=True)["Summary"].iter_rows(values_only=True)]
    assert "COLLECT's reports" in first and "Key figures year on year" not in first
    wb = load_workbook(book)
    row = next(r for r in wb["Return"].iter_rows(min_row=2) if r[0].value == "Last year's return")
    row[1].value = returns[1].name  # relative: taken from the workbook's folder
    (tmp_path / returns[1].name).write_bytes(returns[1].read_bytes())
    wb.save(book)
    assert main(["validate", str(book), "--annotate"]) in (0, 1)
    grid = list(load_workbook(book, read_only=True)["Summary"].iter_rows(values_only=True))
    first = [r[0] for r in grid]
    assert "Key figures year on year" in first
    referrals = next(r for r in grid[first.index("Key figures year on year"):] if r[0] == "Referrals")
    assert isinstance(referrals[1], int) and isinstance(referrals[2], int)


def test_annotated_summary_sheet_shows_year_on_year_against_previous_given_on_the_command_line(returns, tmp_path):
    # --previous reaches the Summary sheet's figures as the Return sheet's "Last year's return" does: each key
    # figure beside last year's, the change, and the substantial changes flagged (issue 19, review item 1)
    from openpyxl import load_workbook

    from cin_xl.jobs.report import key_figures
    from cin_xl.reports.figures.year_on_year import FLAG

    book = tmp_path / "book.xlsx"
    assert main(["import", str(returns[0]), "-o", str(book)]) == 0
    assert main(["validate", str(book), "--annotate", "--previous", str(returns[1])]) in (0, 1)
    grid = list(load_workbook(book, read_only=True)["Summary"].iter_rows(values_only=True))
    first = [r[0] for r in grid]
    assert "Key figures year on year" in first
    block = grid[first.index("Key figures year on year"):]
    # the same figures as cin-xl report --previous works out for the HTML page
    expected = key_figures(book, previous=returns[1])["year_on_year"]
    assert expected is not None
    referrals = next(r for r in block if r[0] == "Referrals")
    assert list(referrals) == list(next(row for row in expected.rows if row[0] == "Referrals"))
    flagged = [row for row in expected.rows if row[-1] == FLAG]
    assert flagged  # 120 children this year against 100 last year: a substantial change
    assert any(r[0] == flagged[0][0] and r[5] == FLAG for r in block)
