"""The package plumbing and the mark styles, each declared once and used by every writer."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.workbook.mark_styles import ERROR_MARK, QUERY_MARK, dxf_xml
from cin_xl.workbook.package.ooxml import MAIN, free_name, new_relationship_id, quote_sheet_name, rels_name, resolve
from cin_xl.workbook.template import template_bytes

YEAR = CensusYear.parse("2025-26")
M = f"{{{MAIN}}}"


def _look(dxf: etree._Element) -> tuple:
    """What a differential format shows, whoever wrote it (the alpha byte of a colour is not shown)."""

    def on(el: etree._Element | None) -> bool:
        return el is not None and el.get("val", "1") in ("1", "true")

    font, fill = dxf.find(f"{M}font"), dxf.find(f"{M}fill/{M}patternFill")
    sides = tuple((side.get("style"), side.find(f"{M}color").get("rgb")[-6:])
                  for side in dxf.find(f"{M}border"))
    return (on(font.find(f"{M}b")), on(font.find(f"{M}i")), font.find(f"{M}color").get("rgb")[-6:],
            fill.get("patternType"), fill.find(f"{M}fgColor").get("rgb")[-6:],
            fill.find(f"{M}bgColor").get("rgb")[-6:], sides)


def test_the_template_and_annotate_draw_the_marks_alike():
    with zipfile.ZipFile(io.BytesIO(template_bytes(YEAR))) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
    drawn_by_openpyxl = [_look(d) for d in styles.find(f"{M}dxfs")]
    drawn_raw = [_look(etree.fromstring(dxf_xml(style))) for style in (ERROR_MARK, QUERY_MARK)]
    assert drawn_by_openpyxl == drawn_raw
    error, query = drawn_raw
    assert error[:3] == (True, False, ERROR_MARK.text) and query[:3] == (False, True, QUERY_MARK.text)
    assert {s for s in error[-1]} == {("thin", ERROR_MARK.border)} and len(error[-1]) == 4


def test_free_names_ignore_case_as_a_package_does():
    taken = ["xl/drawings/VMLDrawing1.vml", "xl/ctrlProps/ctrlProp1.xml"]
    assert free_name(taken, "xl/drawings/vmlDrawing%d.vml") == "xl/drawings/vmlDrawing2.vml"
    assert free_name(taken, "xl/ctrlProps/ctrlProp%d.xml") == "xl/ctrlProps/ctrlProp2.xml"
    assert free_name(["sheet1", "SHEET2"], "Sheet%d") == "Sheet3"


def test_relationship_plumbing():
    assert rels_name("xl/workbook.xml") == "xl/_rels/workbook.xml.rels"
    assert rels_name("") == "_rels/.rels"
    assert resolve("xl/worksheets/sheet1.xml", "../drawings/drawing1.xml") == "xl/drawings/drawing1.xml"
    assert resolve("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    assert new_relationship_id(["rId1", "rId3"]) == "rId2"


def test_a_sheet_name_in_a_formula_is_quoted_with_its_quotes_doubled():
    assert quote_sheet_name("Children") == "'Children'"
    assert quote_sheet_name("Bob's list") == "'Bob''s list'"


def test_the_xlsm_writer_takes_a_part_name_free_whatever_its_case():
    from cin_xl.workbook.macros.xlsm import cin_xl_buttons, xlsm_bytes

    src = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_bytes(YEAR))) as zin, zipfile.ZipFile(src, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("xl/drawings/VMLDRAWING1.vml", b"<xml/>")  # a part only its case tells apart
    with zipfile.ZipFile(io.BytesIO(xlsm_bytes(src.getvalue(), {}, cin_xl_buttons()))) as z:
        names = z.namelist()
    assert len({n.lower() for n in names}) == len(names)
    assert "xl/drawings/vmlDrawing2.vml" in names
