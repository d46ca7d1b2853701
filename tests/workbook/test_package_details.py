"""Package details the conformance check found (issue 17, 6): what annotate changes, it changes everywhere the
package says it (the autoFilter's hidden name, the shared strings' count); rows no taller than Excel allows."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from cin_xl.cli import main
from cin_xl.reports.summary_sheet import MAX_ROW_HEIGHT, SummaryLayout
from tests.excel.test_excel_buttons import make_workbook

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=30)
    return path


def _part(path, name) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def _sheet_part(path, sheet: str) -> str:
    book = _part(path, "xl/workbook.xml")
    rels = {r.get("Id"): r.get("Target") for r in _part(path, "xl/_rels/workbook.xml.rels")}
    rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
               for s in book.iter(f"{M}sheet") if s.get("name") == sheet)
    return "xl/" + rels[rid].lstrip("/").removeprefix("xl/")


def test_the_filter_name_follows_the_issues_sheets_autofilter(workbook, capsys):
    wb = load_workbook(workbook)
    wb["Issues"].auto_filter.ref = "A1:G2"  # as Excel saves a filtered sheet: the range and its hidden name
    wb.save(workbook)
    book = _part(workbook, "xl/workbook.xml")
    assert any(d.get("name") == "_xlnm._FilterDatabase" for d in book.iter(f"{M}definedName"))
    assert main(["validate", str(workbook), "--annotate"]) == 1
    capsys.readouterr()
    ref = _part(workbook, _sheet_part(workbook, "Issues")).find(f"{M}autoFilter").get("ref")
    assert ref != "A1:G2"
    book = _part(workbook, "xl/workbook.xml")
    index = [s.get("name") for s in book.iter(f"{M}sheet")].index("Issues")
    name = next(d for d in book.iter(f"{M}definedName")
                if d.get("name") == "_xlnm._FilterDatabase" and d.get("localSheetId") == str(index))
    assert name.text == "'Issues'!$" + "$".join(re.findall(r"[A-Z]+|\d+", ref)[:2]) + ":$" + "$".join(
        re.findall(r"[A-Z]+|\d+", ref)[2:])


def _to_shared_strings(path) -> None:
    """Make every text cell a shared string, as Excel saves a workbook (``count``: the cells referring)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    strings: dict[str, int] = {}
    refs = 0
    for name in [n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]:
        root = etree.fromstring(parts[name])
        for c in root.iter(f"{M}c"):
            if c.get("t") == "inlineStr":
                text = "".join(c.find(f"{M}is").itertext())
                c.remove(c.find(f"{M}is"))
                c.set("t", "s")
                etree.SubElement(c, f"{M}v").text = str(strings.setdefault(text, len(strings)))
                refs += 1
        parts[name] = etree.tostring(root)
    sst = etree.Element(f"{M}sst", count=str(refs), uniqueCount=str(len(strings)), nsmap={None: M[1:-1]})
    for text in strings:
        etree.SubElement(etree.SubElement(sst, f"{M}si"), f"{M}t").text = text
    parts["xl/sharedStrings.xml"] = etree.tostring(sst)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _shared_refs(path) -> tuple[int, int]:
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        refs = sum(len(re.findall(rb'<c [^>]*t="s"', z.read(n))) for n in sheets)
        return int(etree.fromstring(z.read("xl/sharedStrings.xml")).get("count")), refs


def test_the_shared_strings_count_is_the_cells_referring_to_them(workbook, capsys):
    assert main(["validate", str(workbook), "--annotate"]) == 1
    _to_shared_strings(workbook)  # the old marks, and the Issues sheet, are shared strings now
    count, refs = _shared_refs(workbook)
    assert count == refs
    assert main(["validate", str(workbook), "--annotate"]) == 1
    capsys.readouterr()
    count, refs = _shared_refs(workbook)
    assert count == refs


def test_summary_rows_are_never_taller_than_excel_allows():
    layout = SummaryLayout(rows=[["x" * 40_000, None, None, None, None, "y" * 40_000]])
    layout.fit_rows()
    assert layout.row_heights[1] == MAX_ROW_HEIGHT <= 409.5


def test_the_last_run_is_written_in_the_workbooks_own_date_system(workbook, capsys):
    from datetime import datetime

    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = load_workbook(workbook)
    wb.epoch = CALENDAR_MAC_1904  # a workbook counting days from 1904 (made on an old Mac)
    wb.save(workbook)
    before = datetime.now().replace(microsecond=0)
    assert main(["validate", str(workbook), "--annotate"]) == 1
    capsys.readouterr()
    wb = load_workbook(workbook)
    assert wb.epoch == CALENDAR_MAC_1904
    sheet, ref = next(iter(wb.defined_names["SummaryLastRun"].destinations))
    written = wb[sheet][ref.replace("$", "")].value
    assert isinstance(written, datetime) and abs((written - before).total_seconds()) < 120, written


def _rewrite(path, name: str, change) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _cell_formats(path) -> int:
    with zipfile.ZipFile(path) as z:
        return len(etree.fromstring(z.read("xl/styles.xml")).find(f"{M}cellXfs"))


@pytest.mark.parametrize("declarations", [False, True])
def test_annotating_again_adds_no_cell_format(workbook, declarations, capsys):
    if declarations:  # as Excel saves styles.xml: namespaces declared on the root that copied formats lack
        _rewrite(workbook, "xl/styles.xml", lambda data: data.replace(b"<styleSheet ", (
            b'<styleSheet xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '), 1))
    counts = []
    for _ in range(3):
        assert main(["validate", str(workbook), "--annotate"]) == 1
        counts.append(_cell_formats(workbook))
    capsys.readouterr()
    assert counts[1] == counts[2] == counts[0]


def test_a_workbook_at_excels_cell_format_limit_is_refused_whole(workbook, capsys):
    import time

    def fill(data: bytes) -> bytes:
        root = etree.fromstring(data)
        xfs = root.find(f"{M}cellXfs")
        for n in range(len(xfs), 63_995):
            xf = etree.SubElement(xfs, f"{M}xf", numFmtId=str(n % 50), fontId="0", fillId="0", borderId="0",
                                  xfId="0")
            etree.SubElement(xf, f"{M}alignment", indent=str(n // 50 % 251), textRotation=str(n // 12_550))
        xfs.set("count", str(len(xfs)))
        return etree.tostring(root)

    _rewrite(workbook, "xl/styles.xml", fill)
    before = workbook.read_bytes()
    start = time.monotonic()
    code = main(["validate", str(workbook), "--annotate"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and time.monotonic() - start < 60
    if code == 2:
        assert "cell formats" in err and len(err.strip().splitlines()) == 1 and workbook.read_bytes() == before
    else:
        assert _cell_formats(workbook) <= 64_000


@pytest.mark.parametrize("last", ["XFD", "XFC"])
def test_no_mark_column_past_excels_last(workbook, last, capsys):
    wb = load_workbook(workbook)
    ws = wb["Children"]
    headers = [c.value for c in ws[1]]
    ws.delete_cols(headers.index("Issues") + 1, 2)  # the user removed the Issues and Marks columns
    ws[f"{last}1"], ws[f"{last}2"] = "Team", "North"  # and uses a column at Excel's end
    wb.save(workbook)
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "XFD" in err and len(err.strip().splitlines()) == 1
    assert workbook.read_bytes() == before


def test_an_imported_macro_workbook_has_the_buttons_settings_sheet(tmp_path, capsys):
    from cin_xl.census.years import CensusYear
    from cin_xl.synthetic.generate import generate
    from cin_xl.workbook.layout import XLWINGS_CONF_SHEET
    from cin_xl.xml.writer import write_xml

    xml, out, template = tmp_path / "r.xml", tmp_path / "imported.xlsm", tmp_path / "template.xlsm"
    write_xml(generate(10, "2026-27", seed=1), CensusYear.parse("2026-27"), xml)
    assert main(["import", str(xml), "-o", str(out)]) == 0
    assert main(["template", "--year", "2026-27", "-o", str(template)]) == 0
    capsys.readouterr()
    imported, made = load_workbook(out), load_workbook(template)
    assert XLWINGS_CONF_SHEET in imported.sheetnames
    assert [r for r in imported[XLWINGS_CONF_SHEET].values] == [r for r in made[XLWINGS_CONF_SHEET].values]


def test_a_part_that_ends_early_is_damaged_with_a_reason():
    import zlib

    from cin_xl.errors import UnusableInput
    from cin_xl.workbook.package.limits import BoundedPart, _Budget

    class Ends:
        def __init__(self, exc):
            self.exc = exc

        def read(self, n):
            raise self.exc

    for exc in (EOFError(), zlib.error(), zipfile.BadZipFile("Bad CRC-32 for file 'xl/styles.xml'")):
        with pytest.raises(UnusableInput) as raised:
            BoundedPart(Ends(exc), "xl/worksheets/sheet3.xml", 100, _Budget("census.xlsx")).read()
        message = str(raised.value)
        assert "damaged ()" not in message and "sheet3.xml is damaged (" in message, message


def test_no_issues_row_past_excels_last_row(workbook, monkeypatch, capsys):
    from cin_xl.workbook import annotate

    monkeypatch.setattr(annotate, "MAX_ROW", 4)  # as if the findings outnumbered Excel's 1,048,576 rows
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    err = capsys.readouterr().err
    assert "findings, more than the Issues sheet's 3 rows" in err and "Traceback" not in err
    assert workbook.read_bytes() == before
