"""Annotate writes into the workbook package: everything but the marks stays as it was.

The fidelity test builds (with test code, straight on the zip) a macro-enabled workbook carrying
what openpyxl would lose: a picture and a chart, a user's VBA module, sparklines, formulas with
cached results, notes, validation, conditional formats, merged cells, defined names (one local to
a sheet) and a user's column on the Issues sheet. Annotating it twice may change only the members
the marks need, and inside a marked sheet only the mark cells.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.list_sheets import SHEET_NAMES
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.inject import inject
from cin_xl.workbook.export import prepare_for_export
from cin_xl.workbook.macros.xlsm import (
    cin_xl_buttons,
    cin_xl_module,
    xlsm_bytes,
    xlwings_dictionary_class,
    xlwings_module,
)
from cin_xl.workbook.package.write import Fingerprint, Formula, Package
from cin_xl.workbook.reader import read_workbook
from cin_xl.workbook.writer import workbook_bytes
from cin_xl.xml import to_xml_bytes

YEAR = CensusYear.parse("2025-26")
pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension")  # openpyxl's reader, not ours
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
M = f"{{{MAIN}}}"
USER_MODULE = 'Sub MyOwnMacro()\r\n    MsgBox "kept"\r\nEnd Sub\r\n'
#: CT_Worksheet's children in schema order (where a new element goes)
ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
         "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
         "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
         "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
         "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "picture",
         "oleObjects", "controls", "webPublishItems", "tableParts", "extLst")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a1c8d9"
                    "8f0000000049454e44ae426082")
DRAWING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{R}"
 xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">
<xdr:oneCellAnchor><xdr:from><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="952500" cy="952500"/>
<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Picture 1"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>
<xdr:oneCellAnchor><xdr:from><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>8</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="3000000" cy="2000000"/>
<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="3" name="Chart 2"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart r:id="rId2"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>
</xdr:wsDr>""".encode()
CHART = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><c:chart><c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numRef><c:f>Children!$E$2:$E$9</c:f></c:numRef></c:val></c:ser><c:axId val="1"/><c:axId val="2"/></c:barChart><c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:crossAx val="2"/></c:catAx><c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:crossAx val="1"/></c:valAx></c:plotArea></c:chart></c:chartSpace>"""
SPARKLINES = (
    f'<extLst xmlns="{MAIN}"><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:sparklineGroups '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup displayEmptyCellsAs="gap">'
    '<x14:colorSeries rgb="FF376092"/><x14:sparklines><x14:sparkline><xm:f>Children!E2:E9</xm:f><xm:sqref>O2</xm:sqref>'
    '</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>')


# ---------------------------------------------------------------------------------------------
# Building the workbook, straight on the zip
# ---------------------------------------------------------------------------------------------


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> part name."""
    book = etree.fromstring(parts["xl/workbook.xml"])
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target").lstrip("/") for r in rels}
    targets = {k: v if v.startswith("xl/") else "xl/" + v for k, v in targets.items()}
    return {s.get("name"): targets[s.get(f"{{{R}}}id")] for s in book.iter(f"{M}sheet")}


def place(root, el) -> None:
    name = etree.QName(el).localname
    later = ORDER[ORDER.index(name) + 1:]
    for child in root:
        if etree.QName(child).localname in later:
            child.addprevious(el)
            return
    root.append(el)


def cell_at(root, ref: str):
    return next((c for c in root.iter(f"{M}c") if c.get("r") == ref), None)


def header_column(root, header: str) -> str:
    row = root.find(f"{M}sheetData/{M}row")
    for c in row:
        if "".join(c.itertext()) == header:
            return "".join(ch for ch in c.get("r") if ch.isalpha())
    raise KeyError(header)


def put_cell(root, ref: str, xml: str) -> None:
    """Append a cell (given as XML) at the end of its row, creating the row after the others."""
    number = int("".join(ch for ch in ref if ch.isdigit()))
    data = root.find(f"{M}sheetData")
    row = next((r for r in data if r.get("r") == str(number)), None)
    if row is None:
        row = etree.SubElement(data, f"{M}row", r=str(number))
    row.append(etree.fromstring(f'<c xmlns="{MAIN}" r="{ref}" {xml}</c>'))


def rich_workbook(path: Path) -> None:
    census = generate(40, YEAR, seed=4)
    inject(census, YEAR, ["4220", "8630", "8525Q"], random.Random(2))
    parts = read_zip(workbook_bytes(census, YEAR))
    sheets = sheet_parts(parts)
    children_part = sheets["Children"]
    children = etree.fromstring(parts[children_part])
    # a formula with its cached result: the date of birth of the second child
    dob = header_column(children, "Date of birth")
    cell = cell_at(children, f"{dob}3")
    serial = int(float(cell.find(f"{M}v").text))
    day = datetime(1899, 12, 30).toordinal() + serial
    d = datetime.fromordinal(day)
    cell.insert(0, etree.fromstring(f'<f xmlns="{MAIN}">DATE({d.year},{d.month},{d.day})</f>'))
    # merged cells, a picture and a chart (one drawing), sparklines
    place(children, etree.fromstring(f'<mergeCells xmlns="{MAIN}" count="1"><mergeCell ref="P2:Q3"/></mergeCells>'))
    drawing = etree.Element(f"{M}drawing", nsmap={"r": R})
    drawing.set(f"{{{R}}}id", "rIdPic")
    place(children, drawing)
    ext = children.find(f"{M}extLst")
    sparks = etree.fromstring(SPARKLINES)
    if ext is None:
        place(children, sparks)
    else:
        ext.append(sparks[0])
    parts[children_part] = etree.tostring(children, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels_part = children_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rels = etree.fromstring(parts[rels_part])
    etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
                     Id="rIdPic", Type=f"{R}/drawing", Target="/xl/drawings/drawing1.xml")
    parts[rels_part] = etree.tostring(rels)
    parts["xl/drawings/drawing1.xml"] = DRAWING
    parts["xl/drawings/_rels/drawing1.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="../media/image1.png"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart" '
        b'Target="../charts/chart1.xml"/></Relationships>')
    parts["xl/media/image1.png"] = PNG
    parts["xl/charts/chart1.xml"] = CHART
    types = etree.fromstring(parts["[Content_Types].xml"])
    ct = "http://schemas.openxmlformats.org/package/2006/content-types"
    etree.SubElement(types, f"{{{ct}}}Default", Extension="png", ContentType="image/png")
    etree.SubElement(types, f"{{{ct}}}Override", PartName="/xl/drawings/drawing1.xml",
                     ContentType="application/vnd.openxmlformats-officedocument.drawing+xml")
    etree.SubElement(types, f"{{{ct}}}Override", PartName="/xl/charts/chart1.xml",
                     ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml")
    parts["[Content_Types].xml"] = etree.tostring(types)
    # a user's column on the Issues sheet
    issues_part = sheets["Issues"]
    issues = etree.fromstring(parts[issues_part])
    put_cell(issues, "H1", 't="inlineStr"><is><t>My notes</t></is>')
    put_cell(issues, "H2", 't="inlineStr"><is><t>ask the team about this</t></is>')
    put_cell(issues, "H5", '><v>42</v>')
    parts[issues_part] = etree.tostring(issues)
    # defined names: the user's own, and one local to the Children sheet (its index moves with a new sheet)
    book = etree.fromstring(parts["xl/workbook.xml"])
    names = book.find(f"{M}definedNames")
    index = [s.get("name") for s in book.iter(f"{M}sheet")].index("Children")
    etree.SubElement(names, f"{M}definedName", name="MyOwnName").text = "'Children'!$A$2"
    etree.SubElement(names, f"{M}definedName", name="_xlnm.Print_Area",
                     localSheetId=str(index)).text = "'Children'!$A$1:$J$41"
    parts["xl/workbook.xml"] = etree.tostring(book)
    # the macro-enabled workbook, as template --xlsm makes it, with a module of the user's
    dictionary = xlwings_dictionary_class()
    xlsm = xlsm_bytes(write_zip(parts), {"xlwings": xlwings_module(), "CinXl": cin_xl_module(),
                                         "MyMacros": USER_MODULE}, cin_xl_buttons(),
                      classes={"Dictionary": dictionary} if dictionary is not None else {})
    path.write_bytes(xlsm)


# ---------------------------------------------------------------------------------------------
# Comparing packages
# ---------------------------------------------------------------------------------------------


def members(path: Path) -> dict[str, bytes]:
    return read_zip(path.read_bytes())


def c14n(el) -> bytes:
    return etree.tostring(el, method="c14n")


def cells(root) -> dict[str, bytes]:
    return {c.get("r"): c14n(c) for c in root.iter(f"{M}c")}


def column(ref: str) -> str:
    return "".join(ch for ch in ref if ch.isalpha())


def export_bytes(path: Path) -> bytes:
    read = read_workbook(path)
    census = prepare_for_export(read.census, YEAR, now=datetime(2026, 4, 2, 10, 0))
    return to_xml_bytes(census, YEAR, check=False)


@pytest.fixture
def rich(tmp_path):
    path = tmp_path / "census.xlsm"
    rich_workbook(path)
    return path


def test_annotating_twice_changes_only_the_marks(rich, capsys):
    before = members(rich)
    sheets = sheet_parts(before)
    export_before = export_bytes(rich)
    assert main(["validate", str(rich), "--annotate"]) == 1
    once = members(rich)
    assert main(["validate", str(rich), "--annotate"]) == 1
    twice = members(rich)
    capsys.readouterr()

    after_sheets = sheet_parts(once)
    summary_part = after_sheets["Summary"]
    marked = {sheets[name] for name in ("Return", "Children", "Referrals", "Assessments", "CIN plans",
                                        "Section 47", "Child protection plans", "Looked-after")
              if name in sheets}
    allowed = marked | {sheets["Issues"], sheets["Start"], "xl/styles.xml", "xl/workbook.xml",
                        "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    new = set(once) - set(before)
    assert not set(before) - set(once), "no member is lost"
    lists = {after_sheets[name] for name in SHEET_NAMES.values()}  # a sheet a child-level list, nothing beside
    assert {n for n in new if not n.startswith(("xl/drawings/", "xl/charts/"))} == {
        summary_part, summary_part.replace("worksheets/", "worksheets/_rels/") + ".rels", *lists}
    changed = {n for n in before if before[n] != once[n]}
    assert changed <= allowed, sorted(changed - allowed)
    for kept in ("xl/vbaProject.bin", "xl/drawings/drawing1.xml", "xl/media/image1.png", "xl/charts/chart1.xml",
                 "xl/drawings/vmlDrawing1.vml", "xl/comments/comment1.xml", "xl/ctrlProps/ctrlProp1.xml"):
        assert once[kept] == before[kept], kept

    # inside the marked sheets: only the Issues and Marks cells differ; every other element is as it was
    for part in marked:
        old, new_root = etree.fromstring(before[part]), etree.fromstring(once[part])
        header = {("".join(c.itertext())): column(c.get("r")) for c in old.find(f"{M}sheetData/{M}row")}
        mark_columns = {header.get("Issues"), header.get("Marks")} - {None}
        old_cells, new_cells = cells(old), cells(new_root)
        for ref in set(old_cells) | set(new_cells):
            if column(ref) not in mark_columns:
                assert old_cells.get(ref) == new_cells.get(ref), (part, ref)
        for a, b in zip(old, new_root):
            assert etree.QName(a).localname == etree.QName(b).localname
            if etree.QName(a).localname not in ("sheetData", "dimension", "cols"):
                assert c14n(a) == c14n(b), (part, etree.QName(a).localname)
        assert len(old) == len(new_root)
    children = etree.fromstring(once[sheets["Children"]])
    assert children.find(f"{M}extLst") is not None and b"sparkline" in c14n(children.find(f"{M}extLst"))
    dob = header_column(children, "Date of birth")
    assert cell_at(children, f"{dob}3").find(f"{M}f").text.startswith("DATE(")

    # the user's column on the Issues sheet, the local defined name follows its sheet
    issues = etree.fromstring(once[sheets["Issues"]])
    assert "".join(cell_at(issues, "H2").itertext()) == "ask the team about this"
    assert cell_at(issues, "H5").find(f"{M}v").text == "42"
    book = etree.fromstring(once["xl/workbook.xml"])
    order = [s.get("name") for s in book.iter(f"{M}sheet")]
    assert order[:2] == ["Start", "Summary"]
    local = next(d for d in book.iter(f"{M}definedName") if d.get("name") == "_xlnm.Print_Area")
    assert order[int(local.get("localSheetId"))] == "Children"
    old_book = etree.fromstring(before["xl/workbook.xml"])
    old_order = [s.get("name") for s in old_book.iter(f"{M}sheet")]

    def names_of(root, sheet_order) -> dict:
        """name -> text; a name local to a sheet keyed by (name, that sheet)."""
        return {(d.get("name") if d.get("localSheetId") is None else (
            d.get("name"), sheet_order[int(d.get("localSheetId"))])): d.text for d in root.iter(f"{M}definedName")}

    old_names, new_names = names_of(old_book, old_order), names_of(book, order)
    # names more: the hidden records of which sheets are cin-xl's Summary and lists (a user's sheet of the same
    # name is kept), each list's header printed on every page; the Issues sheet's filter range follows its
    # autoFilter
    filtered = etree.fromstring(once[sheets["Issues"]]).find(f"{M}autoFilter").get("ref")
    lists = {f"_cinxl_List_{key}": f"'{name}'!$A$1" for key, name in SHEET_NAMES.items()}
    titles = {("_xlnm.Print_Titles", name): f"'{name}'!$5:$5" for name in SHEET_NAMES.values()}
    database = ("_xlnm._FilterDatabase", "Issues")
    assert {k: v for k, v in new_names.items() if k != database} == {
        **{k: v for k, v in old_names.items() if k != database}, "_cinxl_Summary": "'Summary'!$A$1",
        **lists, **titles}
    first, last = filtered.split(":")
    assert new_names[database] == (
        f"'Issues'!${first.rstrip('0123456789')}${first.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}:"
        f"${last.rstrip('0123456789')}${last.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}")
    assert new_names["MyOwnName"] == "'Children'!$A$2"

    # a second run: the marked sheets are the same again (the Summary's time of day may differ)
    for part in marked:
        assert c14n(etree.fromstring(once[part])) == c14n(etree.fromstring(twice[part])), part
    summary_members = {summary_part, summary_part.replace("worksheets/", "worksheets/_rels/") + ".rels"}
    summary_members |= {n for n in set(once) | set(twice) if n.startswith(("xl/drawings/", "xl/charts/"))
                        and n not in before}
    assert {n for n in once if once[n] != twice.get(n)} <= allowed | summary_members
    assert {n for n in twice if n not in once} <= summary_members
    assert len([n for n in twice if n.startswith("xl/charts/")]) == len([n for n in once if n.startswith("xl/charts/")])

    # the export reads the same return as before
    assert export_bytes(rich) == export_before


def test_the_users_vba_module_is_in_the_kept_project(rich, capsys):
    import olefile

    project = members(rich)["xl/vbaProject.bin"]
    assert olefile.OleFileIO(io.BytesIO(project)).exists("VBA/MyMacros")
    main(["validate", str(rich), "--annotate"])
    capsys.readouterr()
    assert members(rich)["xl/vbaProject.bin"] == project


# ---------------------------------------------------------------------------------------------
# The writer on its own
# ---------------------------------------------------------------------------------------------

SHEET = (f'<worksheet xmlns="{MAIN}"><dimension ref="A1:C3"/><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1"><v>3</v></c></row>'
         '<row r="3" spans="1:2"><c><v>1</v></c><c><v>2</v></c></row>'
         '<row r="5"><c r="B5"><f>A1&amp;"x"</f><v>ax</v></c></row>'
         '</sheetData><extLst><ext uri="{user}"><keep xmlns="urn:user"/></ext></extLst></worksheet>')


def tiny_package(path: Path, *, calc_chain: bool = False) -> None:
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + ('<Override PartName="/xl/calcChain.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
               if calc_chain else '') + '</Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{MAIN}" xmlns:r="{R}"><sheets>'
                            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{R}/styles" Target="styles.xml"/>'
            + (f'<Relationship Id="rId3" Type="{R}/calcChain" Target="calcChain.xml"/>' if calc_chain else '')
            + '</Relationships>'),
        "xl/styles.xml": (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/>'
                          '</fills><borders count="1"><border/></borders><cellXfs count="2">'
                          '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                          '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
                          '<alignment wrapText="1" vertical="top"/></xf></cellXfs></styleSheet>'),
        "xl/worksheets/sheet1.xml": SHEET,
        "xl/media/other.bin": "\x00\x01 user bytes",
    }
    if calc_chain:
        parts["xl/calcChain.xml"] = f'<calcChain xmlns="{MAIN}"><c r="B5" i="1"/></calcChain>'
    path.write_bytes(write_zip({k: v.encode() for k, v in parts.items()}))


def test_cells_go_in_their_place_and_nothing_else_moves(tmp_path):
    path = tmp_path / "t.xlsx"
    tiny_package(path)
    pkg = Package(path)
    sheet = pkg.sheet("Data")
    assert sheet.value("A1") == "a" and sheet.value("B3") == 2 and sheet.value("B5") == "ax"
    sheet.set("B1", "=1+1")  # text, never a formula
    sheet.set("D3", 7.5)
    sheet.set("A2", "x\x01y", pkg.styles.derive(0, wrap=True, vertical="top"))
    sheet.set("C1", None)
    pkg.commit()
    root = etree.fromstring(members(path)["xl/worksheets/sheet1.xml"])
    rows = root.find(f"{M}sheetData")
    assert [r.get("r") for r in rows] == ["1", "2", "3", "5"]
    assert [c.get("r") for c in rows[0]] == ["A1", "B1"]
    assert [c.get("r") for c in rows[2]] == ["A3", "B3", "D3"] and rows[2].get("spans") == "1:4"
    b1 = cell_at(root, "B1")
    assert b1.get("t") == "inlineStr" and b1.find(f"{M}f") is None and "".join(b1.itertext()) == "=1+1"
    assert "".join(cell_at(root, "A2").itertext()) == "x_x0001_y"
    assert cell_at(root, "A2").get("s") == "1", "the existing wrap format is reused, not added again"
    assert root.find(f"{M}dimension").get("ref") == "A1:D3"
    assert c14n(root.find(f"{M}extLst")) == c14n(etree.fromstring(SHEET).find(f"{M}extLst"))
    assert cell_at(root, "B5").find(f"{M}f").text == 'A1&"x"'
    assert members(path)["xl/media/other.bin"] == b"\x00\x01 user bytes"


def test_rows_appended_in_bulk_are_the_rows_set_cell_by_cell(tmp_path):
    """The Issues sheet's rows are written as text and parsed in one go: the XML must be what set() makes."""
    path = tmp_path / "t.xlsx"
    tiny_package(path)
    values = ["a & b < c > d", " padded ", "two\nlines", "cr\rin it", "=SUM(A1)", "_x0041_ typed", "ctl\x01",
              Formula('HYPERLINK("#Data!A1","Go")', "Go to cell"), Formula("1+1"), True, False, 3, 2.5,
              datetime(2025, 4, 1, 12), None, "", "é ✓"]
    rows = [(10 + i, [(3, value, 1), (1, value, None), (2, "x", 0)]) for i, value in enumerate(values)]
    rows.append((40, [(1, None, 0), (2, "", None)]))  # nothing to write: no row

    def sheet_bytes(fill) -> bytes:
        pkg = Package(path)
        fill(pkg.sheet("Data"))
        pkg.sheet("Data").finish()
        return etree.tostring(pkg.sheet("Data").root)

    def one_by_one(sheet):
        for row, cells in rows:
            for col, value, style in cells:
                sheet.set(f"{'ABC'[col - 1]}{row}", value, style)

    bulk = sheet_bytes(lambda sheet: sheet.append_rows(rows))
    assert bulk == sheet_bytes(one_by_one)
    assert bulk == sheet_bytes(lambda sheet: [sheet.add_row(row, cells) for row, cells in rows])
    assert b'r="40"' not in bulk


def test_a_stale_calculation_chain_goes_with_the_formula(tmp_path):
    path = tmp_path / "t.xlsx"
    tiny_package(path, calc_chain=True)
    pkg = Package(path)
    pkg.sheet("Data").set("B5", "no longer a formula")
    pkg.commit()
    after = members(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"] and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]


def test_a_refused_commit_leaves_no_file_behind(tmp_path):
    from cin_xl.errors import UnusableInput

    path = tmp_path / "t.xlsx"
    tiny_package(path)
    before = path.read_bytes()
    pkg = Package(path)
    pkg.sheet("Data").set("A1", "changed")

    def lock_appeared():
        raise UnusableInput("open in Excel")

    with pytest.raises(UnusableInput):
        pkg.commit(before_replace=lock_appeared)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
    os.utime(path, ns=(0, 10**9))
    pkg = Package(tmp_path / "t.xlsx")
    expect = pkg.fingerprint
    os.utime(path, ns=(0, 2 * 10**9))
    with pytest.raises(UnusableInput, match="changed by another program"):
        pkg.commit(expect=expect)
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
    assert Fingerprint.of(path).sha256 == expect.sha256


def test_formula_cells_the_tool_writes_keep_their_result(tmp_path):
    path = tmp_path / "t.xlsx"
    tiny_package(path)
    pkg = Package(path)
    pkg.sheet("Data").set("E1", Formula('HYPERLINK("#Data!A1","Go")', "Go"))
    pkg.commit()
    c = cell_at(etree.fromstring(members(path)["xl/worksheets/sheet1.xml"]), "E1")
    assert c.get("t") == "str" and c.find(f"{M}f").text.startswith("HYPERLINK(") and c.find(f"{M}v").text == "Go"


def test_a_replaced_sheet_keeps_its_code_name_and_loses_only_its_own_parts(tmp_path):
    path = tmp_path / "t.xlsx"
    tiny_package(path)
    parts = members(path)
    parts["xl/worksheets/sheet1.xml"] = SHEET.replace("<dimension", '<sheetPr codeName="Sheet7"/><dimension').encode()
    path.write_bytes(write_zip(parts))
    pkg = Package(path)
    pkg.replace_sheet("Data", f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode())
    pkg.commit()
    after = members(path)
    root = etree.fromstring(after["xl/worksheets/sheet1.xml"])
    assert root.find(f"{M}sheetPr").get("codeName") == "Sheet7" and not len(root.find(f"{M}sheetData"))
    assert after["xl/media/other.bin"] == parts["xl/media/other.bin"]


def test_the_trends_sheet_changes_nothing_else_of_the_users_workbook(rich, tmp_path, capsys):
    """``--annotate --trends``: the user's macros, pictures, charts, notes and controls stay byte for byte, no
    member is lost, and what is new is cin-xl's sheets and their charts (issue 21, item 3)."""
    from cin_xl.xml.writer import write_xml

    past = []
    for back in (2, 1):
        year = CensusYear(YEAR.first - back)
        path = tmp_path / f"past-{year.label}.xml"
        write_xml(generate(20, year, seed=back), year, path, check=False)
        past.append(str(path))
    before = members(rich)
    assert main(["validate", str(rich), "--annotate", "--trends", *past]) == 1
    after = members(rich)
    capsys.readouterr()
    assert not set(before) - set(after), "no member is lost"
    for kept in ("xl/vbaProject.bin", "xl/drawings/drawing1.xml", "xl/media/image1.png", "xl/charts/chart1.xml",
                 "xl/drawings/vmlDrawing1.vml", "xl/comments/comment1.xml", "xl/ctrlProps/ctrlProp1.xml"):
        assert after[kept] == before[kept], kept
    after_sheets = sheet_parts(after)
    assert "Trends" in after_sheets
    new_sheets = {part for name, part in after_sheets.items() if part not in before}
    assert new_sheets == {after_sheets[name] for name in ("Summary", "Trends", *SHEET_NAMES.values())}
