"""A sheet in the plain form is opened with its rows as text (``SheetPart`` in the lazy form) and the
common edits of annotate are made in that text: the result must be the one of the parsed sheet.

Each test makes the same edits to one sheet opened both ways (a comment in the part makes it be
parsed whole) and compares the rows, canonicalised, and the rest of the part.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree
from openpyxl import Workbook

from cin_xl.workbook.package.write import Formula, Package

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
SHEET = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:x14ac="{X14AC}"><dimension ref="A1:F8"/><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Head</t></is></c><c r="B1" t="inlineStr"><is><t>Other</t></is></c></row>
<row r="2" spans="1:3"><c r="A2" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &#13; caf\u00e9</t></is></c><c r="B2" s="1"><v>3</v></c></row>
<row r="3"/>
<row r="4" ht="30" customHeight="1"><c r="A4"><v>1</v></c><c r="E4" t="inlineStr"><is><t>E7 old</t></is></c></row>
<row r="5"><c r="A5"><v>2</v></c><c r="F5" t="inlineStr"><is><t>right of the marks</t></is></c></row>
<row r="6" x14ac:dyDescent="0.25"><c r="A6" t="inlineStr"><is><t xml:space="preserve"> kept </t></is></c></row>
<row r="7" ht="20" customHeight="1" spans="1:1"><c r="A7"><f>1+1</f><v>2</v></c></row>
<row r="8"></row>
</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"""


def _package(sheet_xml: str) -> Package:
    wb = Workbook()
    wb.active.title = "S"
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode("utf-8")
            dst.writestr(info, data)
    return Package("book.xlsx", out.getvalue())


def _both(edit) -> tuple[bytes, bytes, bool]:
    """The sheet part after ``edit(pkg, sheet)``, opened lazily and parsed whole."""
    out = []
    lazy = None
    for text in (SHEET, SHEET.replace("<dimension", "<!-- parsed whole --><dimension")):
        pkg = _package(text)
        sheet = pkg.sheet("S")
        if lazy is None:
            lazy = sheet.lazy
        edit(pkg, sheet)
        sheet.finish()
        out.append(pkg.read(sheet.part))
    return out[0], out[1], bool(lazy)


def _canonical(data: bytes) -> tuple[list[bytes], bytes]:
    root = etree.fromstring(data)
    data_el = root.find(f"{{{MAIN}}}sheetData")
    rows = [etree.tostring(r, method="c14n", with_tail=False, with_comments=False) for r in data_el]
    for r in list(data_el):
        data_el.remove(r)
    data_el.text = None
    return rows, etree.tostring(root, method="c14n", with_comments=False)


def _same(edit) -> None:
    lazy, whole, was_lazy = _both(edit)
    assert was_lazy, "the sheet should open in the lazy form"
    assert _canonical(lazy) == _canonical(whole)


def test_a_plain_sheet_opens_with_its_rows_as_text_and_an_unchanged_sheet_keeps_its_bytes():
    pkg = _package(SHEET)
    sheet = pkg.sheet("S")
    assert sheet.lazy
    assert sheet.rows() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sheet.value("A2") == "a & b <c> \r caf\u00e9"
    assert sheet.value("E4") == "E7 old" and sheet.value("E5") is None
    pkg.touch(sheet.part)
    assert pkg.read(sheet.part).split(b"<sheetData>")[1] == SHEET.encode().split(b"<sheetData>")[1]


def test_marks_right_of_the_cells_are_written_into_the_text_as_set_makes_them():
    def edit(pkg, sheet):
        sheet.set("E2", "1 error: a message\nand a second line", 1)  # widens spans 1:3
        sheet.set("F2", "E")
        sheet.set("E3", "x")  # a row that had no cells
        sheet.set("E6", "=SUM(A1)")  # looks like a formula: the quote prefix is added to its format
        sheet.set("E8", "  spaces  ")
        sheet.set("E1", None)  # nothing there, nothing written
        sheet.set("G7", 2.5)
        sheet.set("H7", Formula('HYPERLINK("#S!A1","Go")', "Go"))
        if sheet.lazy:  # written into the text: none of these rows was parsed
            assert {1, 2, 3, 6, 7, 8} <= set(sheet._spans)

    _same(edit)


def test_cells_already_there_are_replaced_or_removed_in_the_text():
    def edit(pkg, sheet):
        sheet.set("E4", "replaced", 1)  # a mark written before
        sheet.set("B2", "new text")  # keeps its format s="1"
        sheet.set("A2", None)  # no format: removed
        sheet.set("B2", None)  # a format: kept, blank
        sheet.set("A7", "=no longer a formula")  # the formula goes (and with it Excel's calculation chain)
        sheet.set("A1", "", 0)
        if sheet.lazy:
            assert {1, 2, 4, 7} <= set(sheet._spans)
            assert pkg.formulas_changed

    _same(edit)


def test_a_cell_left_of_others_goes_through_the_parsed_row():
    def edit(pkg, sheet):
        sheet.set("E5", "before F5")
        if sheet.lazy:
            assert 5 not in sheet._spans

    _same(edit)


def test_row_heights_set_changed_and_removed_in_the_text():
    def edit(pkg, sheet):
        sheet.set_row_height(2, 45)
        sheet.set_row_height(4, 30)  # unchanged
        sheet.set_row_height(7, 60)
        sheet.set_row_height(6, None)  # had none
        sheet.set_row_height(4, None)
        sheet.set_row_height(3, 15.75)
        assert sheet.row_attribute(7, "ht") == "60" and sheet.row_attribute(7, "customHeight") == "1"
        assert sheet.row_attribute(4, "ht") is None and sheet.row_attribute(99, "ht") is None
        if sheet.lazy:
            assert {2, 3, 4, 6, 7} <= set(sheet._spans)

    _same(edit)


def test_rows_appended_removed_and_the_last_filled_row():
    def edit(pkg, sheet):
        sheet.append_rows([(10, [(1, "new", None), (2, 4, None), (3, "=1", None)]), (11, [(1, None, None)]),
                           (12, [(2, "x", 1)])])
        sheet.remove_empty_rows([3, 8, 9])
        assert sheet.filled_rows() == [1, 2, 4, 5, 6, 7, 10, 12]

    _same(edit)


def test_the_last_filled_row_read_from_the_bytes_is_the_one_parsing_finds():
    for text in (SHEET, SHEET.replace('<row r="8"></row>', '<row r="8"><c r="B8"/></row><row r="9" ht="3"/>'),
                 SHEET.replace("<sheetData>", "<sheetData>\n<row r=\"20\"/>").replace('<row r="1">', '<row r="21">')):
        plain = _package(text).last_filled_row("S")
        parsed = _package(text.replace("<dimension", "<!-- c --><dimension")).last_filled_row("S")
        assert plain == parsed


def test_a_sheet_not_in_the_plain_form_is_parsed_whole():
    for text in (SHEET.replace('<row r="3"/>', "<row r='3'/>"),  # quoted otherwise
                 SHEET.replace('<c r="A5">', "<c>"),  # a cell without its reference
                 SHEET.replace('<c r="A5">', '<c r="$A$5">'),  # a reference not in the usual form
                 SHEET.replace('<row r="5">', '<row r="1">'),  # rows out of order
                 SHEET.replace("caf\u00e9", "<![CDATA[x]]>")):
        pkg = _package(text)
        assert not pkg.sheet("S").lazy


def test_values_formats_and_formulas_read_from_the_text_are_those_of_the_parsed_row():
    text = SHEET.replace('<row r="8"></row>', '<row r="8"><c r="A8" s="2" t="inlineStr"><is><t>x &amp; &lt;y&gt; &quot;'
                         '</t></is></c><c r="B8" t="s"><v>0</v></c><c r="C8" t="inlineStr"><v>odd</v></c>'
                         '<c r="D8" t="inlineStr"><is><t>&#65;</t></is></c><c r="E8" t="s"><v>99</v></c></row>')
    lazy, whole = _package(text), _package(text.replace("<dimension", "<!-- c --><dimension"))
    lazy_sheet, whole_sheet = lazy.sheet("S"), whole.sheet("S")
    assert lazy_sheet.lazy and not whole_sheet.lazy
    for row in range(1, 10):
        for col in range(1, 8):
            ref = f"{'ABCDEFG'[col - 1]}{row}"
            assert lazy_sheet.value_at(row, col) == whole_sheet.value_at(row, col), ref
            assert lazy_sheet.style_of(ref) == whole_sheet.style_of(ref), ref
            assert lazy_sheet.has_formula(row, col) == whole_sheet.has_formula(row, col), ref
    assert 8 in lazy_sheet._spans  # read without parsing the row


def test_issues_rows_written_before_are_written_anew_in_the_text():
    def edit(pkg, sheet):
        assert sheet.rewrite_cells(1, [(1, "code", 0), (2, None, 0), (3, Formula('HYPERLINK("#S!A1","Go")', "Go"), 0)])
        assert not sheet.rewrite_cells(5, [(1, 1, 0), (2, 2, 0)])  # F5 is not one of the columns
        assert sheet.rewrite_cells(7, [(1, "=text now", 1), (2, "x", 0)])
        assert pkg.formulas_changed

    pkg = _package(SHEET)
    assert pkg.sheet("S").lazy
    edit(pkg, pkg.sheet("S"))
    expected = _package(SHEET.replace("<dimension", "<!-- c --><dimension"))
    sheet = expected.sheet("S")
    for row, cells in ((1, [(1, "code", 0), (2, None, 0), (3, Formula('HYPERLINK("#S!A1","Go")', "Go"), 0)]),
                       (7, [(1, "=text now", 1), (2, "x", 0)])):
        for col, value, style in cells:
            sheet.set(f"{'ABC'[col - 1]}{row}", value, style)
    sheet.finish()
    pkg.sheet("S").finish()
    assert _canonical(pkg.read(pkg.sheet("S").part)) == _canonical(expected.read(sheet.part))
