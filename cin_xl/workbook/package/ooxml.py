"""The plumbing of a workbook package, in one place: namespaces, content types, relationship types, the order
of a worksheet's children, relationship part names and targets, free part names and sheet names in formulas.

Used by every writer of a package: the template's splice (:mod:`cin_xl.workbook.template`), the ``.xlsm``
writer (:mod:`cin_xl.workbook.macros.xlsm`), the package writer behind annotate
(:mod:`cin_xl.workbook.package.write`) and the package reader (:mod:`cin_xl.workbook.package.read`).
References: ECMA-376 Part 1 (SpreadsheetML) and Part 2 (Open Packaging Conventions); [MS-XLSX] for the
macro-enabled parts.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from collections.abc import Iterable

from lxml import etree

# -- namespaces ----------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"

# -- relationship types --------------------------------------------------------------------------

REL_WORKSHEET = f"{R}/worksheet"
REL_DRAWING = f"{R}/drawing"
REL_CHART = f"{R}/chart"
REL_PRINTER = f"{R}/printerSettings"
REL_VML = f"{R}/vmlDrawing"
REL_CTRL = f"{R}/ctrlProp"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
#: how the type of the relationship to the workbook part ends, in the transitional and the strict namespace
OFFICE_DOCUMENT = "/officeDocument"

# -- content types -------------------------------------------------------------------------------

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_CTRL = "application/vnd.ms-excel.controlproperties+xml"

# -- parts ---------------------------------------------------------------------------------------

#: the package's own relationships, which name the workbook part
PACKAGE_RELS = "_rels/.rels"
#: the XML declaration Excel writes at the top of a part
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

#: CT_Worksheet's children in schema order (ECMA-376 Part 1, 18.3.1.99): a new one goes in its place
WORKSHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                   "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                   "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                   "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                   "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                   "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                   "tableParts", "extLst")
#: CT_Stylesheet's children in schema order
STYLES_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst")


def parser() -> etree.XMLParser:
    """The parser for a package part: no entities, no network; huge_tree because a sheet of 20,000 children is a
    large document."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)


# -- relationships -------------------------------------------------------------------------------


def rels_name(part: str) -> str:
    """The relationships part of ``part``: ``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """The part name (no leading /) a relationship of ``source_part`` points at."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, part: str) -> str:
    """The target a relationship of ``source_part`` gives to point at ``part``."""
    return posixpath.relpath(part, posixpath.dirname(source_part))


def new_relationship_id(taken: Iterable[str | None]) -> str:
    """The first ``rIdN`` (N = 1, 2, ...) not among the Ids ``taken``."""
    ids = set(taken)
    n = 1
    while f"rId{n}" in ids:
        n += 1
    return f"rId{n}"


def relationships_xml(rels: Iterable[tuple[str, str, str]]) -> bytes:
    """A relationships part of (Id, Type, Target)."""
    root = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
    for rid, typ, target in rels:
        etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=typ, Target=target)
    return DECLARATION + b"\n" + etree.tostring(root, encoding="UTF-8")


# -- names ---------------------------------------------------------------------------------------


def free_name(taken: Iterable[str], pattern: str) -> str:
    """The first ``pattern % n`` (n = 1, 2, ...) not among the names ``taken``, compared ignoring case: part
    names are case-insensitive in a package (ECMA-376 Part 2, 9.1.1.1), as Excel's sheet code names are."""
    used = {name.lower() for name in taken}
    n = 1
    while (pattern % n).lower() in used:
        n += 1
    return pattern % n


_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF8, "utf-8-sig"))
#: Strict Open XML's main namespace (Transitional's is :data:`MAIN`)
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"


def to_utf8(data: bytes) -> bytes:
    """An XML part in UTF-8, its declaration saying so, whatever encoding XML allows it was stored in
    (ISO-8859-1, windows-1252, UTF-16 with its byte order mark, ...): the part is then read, edited and
    written back as one encoding. A part in UTF-8 (most) is returned as it is; an encoding Python does not
    know is left for the XML parser to refuse."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in (data[:1], data[1:2]):  # UTF-16 without a byte order mark
        encoding = "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
    if encoding is None:
        declared = _DECLARED.match(data)
        if declared is None or declared.group(1).lower().replace(b"-", b"").replace(b"_", b"") == b"utf8":
            return data
        encoding = declared.group(1).decode("ascii")
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return data
    text = re.sub(r"""^(<\?xml[^>]*?encoding\s*=\s*)["'][A-Za-z0-9._-]+["']""", r'\1"UTF-8"', text.lstrip("\ufeff"))
    return text.encode("utf-8")


def quote_sheet_name(name: str) -> str:
    """A sheet name as a formula or defined name refers to it: in single quotes, a quote in it doubled."""
    return "'" + name.replace("'", "''") + "'"


__all__ = ["MAIN", "R", "PKG_REL", "CT", "XML_NS", "MC", "X14", "XDR", "REL_WORKSHEET", "REL_DRAWING", "REL_CHART",
           "REL_PRINTER", "REL_VML", "REL_CTRL", "REL_VBA", "OFFICE_DOCUMENT", "CT_WORKSHEET", "CT_DRAWING",
           "CT_CHART", "CT_MACRO_MAIN", "CT_VBA", "CT_VML", "CT_CTRL", "PACKAGE_RELS", "DECLARATION",
           "WORKSHEET_ORDER", "STYLES_ORDER", "parser", "rels_name", "resolve", "relative", "new_relationship_id",
           "relationships_xml", "free_name", "quote_sheet_name", "to_utf8", "STRICT_MAIN"]
