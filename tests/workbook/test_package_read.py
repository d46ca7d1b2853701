"""The package reader (cin_xl/workbook/package/read.py): the values openpyxl gave, from the parts themselves.

Each workbook is read twice, by the plain-form scan and by the XML parser (``fast=False``), and
both must give the same values.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.workbook.cells import FormulaWithoutValue
from cin_xl.workbook.package.read import PackageReader, from_serial, is_date_format, is_elapsed_format
from cin_xl.workbook.writer import workbook_bytes
from tests.workbook.helpers import base_return
from tests.workbook.packages import MAIN, package, sheet_xml


def both(tmp_path, data: bytes, name: str = "w.xlsx", *, scanned: bool = True) -> dict[str, list[dict[int, object]]]:
    """Values of every sheet, by the scan and by the XML parser; they must agree.

    ``scanned``: whether the scan reads the sheets (else they are outside its plain form)."""
    path = tmp_path / name
    path.write_bytes(data)
    with PackageReader(path) as p:
        fast = {k: [dict(r) for r in v] for k, v in p.sheet_values().items()}
        assert set(p.scanned) == (set(fast) if scanned else set())
    with PackageReader(path, fast=False) as p:
        slow = {k: [dict(r) for r in v] for k, v in p.sheet_values().items()}
    assert fast == slow
    return fast


def openpyxl_values(data: bytes) -> dict[str, list[dict[int, object]]]:
    """What openpyxl (read-only, cached values) gives, as sparse rows; blank text counts as no value."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()
        rows = [{j: v for j, v in enumerate(r) if v is not None and v != ""} for r in ws.iter_rows(values_only=True)]
        while rows and not rows[-1]:
            rows.pop()
        out[ws.title] = rows
    wb.close()
    return out


@pytest.mark.parametrize("label", SUPPORTED_YEARS)
def test_census_workbooks_read_as_openpyxl_read_them(label, tmp_path):
    data = workbook_bytes(base_return(label), CensusYear.parse(label))
    assert both(tmp_path, data) == openpyxl_values(data)


def test_values_of_every_kind_as_openpyxl_reads_them(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Kinds"
    ws.append(["text", "  spaced  ", "12345", "007", "=not a formula", "line\nbreak", "tab\there", "£ & < > \" '"])
    ws.append([1, -3, 2.5, 1e-9, 12345678901234, 0.1 + 0.2, True, False])
    ws.append([datetime(2024, 2, 29), datetime(2026, 3, 31, 23, 59, 59), datetime(1900, 1, 1), datetime(1900, 3, 1),
               time(13, 30), 45000])
    ws["E3"].data_type = "s"  # "=not a formula" stays text
    ws.cell(2, 1).number_format = "0.00"
    ws.cell(3, 6).number_format = "d mmm yyyy"
    ws["A5"] = "_x000D_ kept"
    ws["XFD7"] = "far"
    wb.create_sheet("Empty")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    got = both(tmp_path, data)
    # openpyxl writes and reads "_x000D_" as it stands; Excel shows it as the character it escapes (CR), and
    # writes a typed "_x000D_" as "_x005F_x000D_": the reader reads what Excel shows
    assert got["Kinds"][4] == {0: "\r kept"}
    expected = openpyxl_values(data)
    expected["Kinds"][4] = {0: "\r kept"}
    assert got == expected
    assert got["Kinds"][2][5] == datetime(2023, 3, 15)
    assert got["Kinds"][6] == {16383: "far"}
    assert got["Empty"] == []


def test_sheet_order_names_and_only_the_sheets_asked_for(tmp_path):
    data = package({"Zeta": sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>z</t></is></c></row>'),
                    "Alpha & Co": sheet_xml('<row r="2"><c r="B2"><v>2</v></c></row>')})
    path = tmp_path / "w.xlsx"
    path.write_bytes(data)
    with PackageReader(path) as p:
        assert [n for n, _ in p.sheets] == ["Zeta", "Alpha & Co"]
        assert p.sheet_values(lambda n: n.startswith("Alpha")) == {"Alpha & Co": [{}, {1: 2}]}


def test_dates_by_style_and_the_1904_system(tmp_path):
    cells = ('<row r="1"><c r="A1" s="1"><v>45382</v></c><c r="B1" s="2"><v>45382.75</v></c>'
             '<c r="C1" s="3"><v>0.5</v></c><c r="D1" s="4"><v>1.25</v></c><c r="E1" s="5"><v>3</v></c>'
             '<c r="F1" s="6"><v>60</v></c><c r="G1" s="6"><v>61</v></c><c r="H1"><v>45382</v></c>'
             '<c r="I1" s="1"><v>99999999</v></c><c r="J1" t="d"><v>2026-04-01T10:00:00</v></c></row>')
    got = both(tmp_path, package({"S": sheet_xml(cells)}))["S"][0]
    assert got == {0: datetime(2024, 3, 31), 1: datetime(2024, 3, 31, 18), 2: time(12), 3: timedelta(hours=30),
                   4: 3, 5: datetime(1900, 2, 28), 6: datetime(1900, 3, 1), 7: 45382, 8: 99999999,
                   9: datetime(2026, 4, 1, 10)}
    got1904 = both(tmp_path, package({"S": sheet_xml(cells)}, date1904=True), "b.xlsx")["S"][0]
    assert got1904[0] == datetime(2028, 4, 1)


def test_text_as_the_xml_parser_gives_it(tmp_path):
    strings = ["plain", "a &amp; b &lt;c&gt; &#233;&#x20AC;", "_x000D_cr and _x005F_x000D_ literal",
               "<si><r><t>rich </t></r><r><rPr><b/><color rgb=\"FFFF0000\"/></rPr><t>text</t></r>"
               "<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>", "<si><t xml:space=\"preserve\">  kept  </t></si>"]
    cells = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
             '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>x &amp;&#10;y\r\nz</t></is></c>'
             '<c r="B2" t="inlineStr"><is><r><t>two </t></r><r><t>runs</t></r></is></c>'
             '<c r="C2" t="str"><v>text result</v></c><c r="D2" t="e"><v>#N/A</v></c>'
             '<c r="E2" t="b"><v>1</v></c><c r="F2" t="b"><v>0</v></c>'
             '<c r="G2" t="inlineStr"><is><t></t></is></c><c r="H2" s="0" t="s"><v>0</v></c></row>')
    got = both(tmp_path, package({"S": sheet_xml(cells)}, strings=strings))["S"]
    assert got[0] == {0: "plain", 1: "a & b <c> é€", 2: "\rcr and _x000D_ literal", 3: "rich text", 4: "  kept  "}
    assert got[1] == {0: "x &\ny\nz", 1: "two runs", 2: "text result", 3: "#N/A", 4: True, 5: False, 7: "plain"}


def test_formulas_give_their_saved_result_or_say_there_is_none(tmp_path):
    cells = ('<row r="1"><c r="A1" s="1"><f>DATE(2019,5,4)</f><v>43589</v></c>'
             '<c r="B1"><f>DATE(2019,5,4)</f></c><c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
             '<c r="D1" t="str"><f>""</f><v></v></c><c r="E1"><f t="shared" ref="E1:E2" si="0">1+1</f><v>2</v></c>'
             '</row><row r="2"><c r="E2"><f t="shared" si="0"/></c></row>')
    got = both(tmp_path, package({"S": sheet_xml(cells)}))["S"]
    assert got[0] == {0: datetime(2019, 5, 4), 1: FormulaWithoutValue("DATE(2019,5,4)"), 2: "ab", 4: 2}
    assert got[1] == {4: FormulaWithoutValue("")}


@pytest.mark.parametrize("cells", [
    '<row r="1"><!-- a comment --><c r="A1"><v>1</v></c></row>',  # comments
    '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>',  # CDATA
    '<row r="1"><c t="inlineStr"><is><t>no ref</t></is></c><c><v>2</v></c></row>',  # cells without r
    '<row><c r="A1"><v>1</v></c></row><row><c><v>3</v></c></row>',  # rows without r
    '<row r="1"><c t="s" r="A1" s="0"><v>0</v></c><c r="B1" cm="1"><v>5</v></c></row>',  # other attributes
    '<row r="1"><c\nr="A1"><v>1</v></c><c r = "B1"><v>2</v></c></row>',  # line breaks and spaces
    "<row r='1'><c r='A1' t='s'><v>0</v></c></row>",  # single quotes
])
def test_sheets_outside_the_plain_form_read_the_same(cells, tmp_path):
    got = both(tmp_path, package({"S": sheet_xml(cells)}, strings=["zero"]), scanned=False)["S"]
    assert got and all(isinstance(r, dict) for r in got)


def test_prefixed_namespace_reads_the_same(tmp_path):
    xml = sheet_xml('<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1"><x:v>7</x:v></x:c></x:row>',
                    root=f'<x:worksheet xmlns:x="{MAIN}">', close="</x:worksheet>").replace(
        "<sheetData>", "<x:sheetData>").replace("</sheetData>", "</x:sheetData>")
    assert both(tmp_path, package({"S": xml}, strings=["zero"]), scanned=False)["S"] == [{0: "zero", 2: 7}]


def test_cost_follows_the_cells_present(tmp_path):
    cells = '<row r="1"><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>' \
            '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    rows = both(tmp_path, package({"S": sheet_xml(cells)}))["S"]
    assert len(rows) == 1_048_576 and rows[0] == {16383: "far"} and rows[-1] == {0: 1}
    assert sum(len(r) for r in rows) == 2


@pytest.mark.parametrize("cells, words", [
    ('<row r="1048577"><c r="A1048577"><v>1</v></c></row>', "beyond Excel's 1,048,576 rows"),
    ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "not a cell of Excel's columns"),
    ('<row r="1"><c r="A1" t="s"><v>9</v></c></row>', "shared text"),
    ('<row r="1"><c r="A1"><v>1</v></c>', "not well-formed"),
])
def test_broken_sheets_are_refused_in_one_line(cells, words, tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(package({"S": sheet_xml(cells).replace("</sheetData></worksheet>", "</sheetData></worksheet>"
                                                            if "</row>" in cells[-6:] else "")}))
    for fast in (True, False):
        with PackageReader(path, fast=fast) as p, pytest.raises(UnusableInput) as err:
            p.sheet_values()
        assert words in str(err.value) and "\n" not in str(err.value)


def test_date_formats():
    for code in ("dd/mm/yyyy", "d mmm yyyy", "yyyy-mm-dd hh:mm:ss", "h:mm AM/PM", "[h]:mm", "[$-809]dd mmmm yyyy",
                 "[Red]dd/mm/yy", "mm:ss.0"):
        assert is_date_format(code), code
    for code in ("General", "0.00", "#,##0", '0.0" days"', "0\\d", "[Red]0.00", "@", '"Year "0', "0.00E+00",
                 "_(* #,##0_)", "[$£-809]#,##0.00", "#,##0;[Red]-#,##0;\"-\"", "0;dd/mm/yyyy"):
        assert not is_date_format(code), code
    assert is_elapsed_format("[h]:mm:ss") and is_elapsed_format("[mm]:ss") and not is_elapsed_format("hh:mm")


def test_serial_numbers():
    assert from_serial(1) == datetime(1900, 1, 1)
    assert from_serial(59) == datetime(1900, 2, 28)
    assert from_serial(61) == datetime(1900, 3, 1)
    assert from_serial(45382.5) == datetime(2024, 3, 31, 12)
    assert from_serial(0) == time(0) and from_serial(0.25) == time(6)
    assert from_serial(0, date1904=True) == time(0) and from_serial(1, date1904=True) == datetime(1904, 1, 2)
    assert from_serial(1.5, elapsed=True) == timedelta(days=1, hours=12)
    assert from_serial(45382.999999999) == datetime(2024, 4, 1)  # rounded to the millisecond


def test_indented_cells_are_scanned_and_cell_references_win(tmp_path):
    cells = ('<row r="1">\n  <c r="A1" t="s">\n    <v>0</v>\n  </c>\n  <c r="B1" t="inlineStr">\n    <is><t>b</t></is>'
             '\n  </c>\n  <c r="C1">\n  </c>\n</row>\n<row r="2"><c r="A3"><v>3</v></c></row>')
    got = both(tmp_path, package({"S": sheet_xml(cells)}, strings=["zero"]))["S"]
    assert got == [{0: "zero", 1: "b"}, {}, {0: 3}]


@pytest.mark.parametrize("doctype", ['<!DOCTYPE worksheet [<!ENTITY e "hidden">]>',
                                     '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;'
                                     '&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'])
def test_a_dtd_is_refused(doctype, tmp_path):
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>x&e;</t></is></c></row>').replace(
        "\n<worksheet", f"\n{doctype}<worksheet")
    path = tmp_path / "w.xlsx"
    path.write_bytes(package({"S": xml}))
    for fast in (True, False):
        with PackageReader(path, fast=fast) as p, pytest.raises(UnusableInput) as err:
            p.sheet_values()
        assert "DTD" in str(err.value) or "not well-formed" in str(err.value)
