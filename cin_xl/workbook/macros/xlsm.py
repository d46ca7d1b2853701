"""The macro-enabled workbook (.xlsm): the template plus a VBA project and buttons that run it.

:func:`xlsm_bytes` rewrites an .xlsx package (ECMA-376 Part 2, Open Packaging Conventions):

- adds ``xl/vbaProject.bin`` (:mod:`.vba`), related to the workbook with the ``vbaProject``
  relationship, and makes the workbook part ``macroEnabled.main+xml``;
- gives the workbook and every sheet a ``codeName`` and a matching document module, as Excel
  does;
- puts form-control buttons on one sheet, the way Excel writes them: a VML drawing whose shapes
  carry ``x:ClientData ObjectType="Button"`` with the macro in ``x:FmlaMacro`` (the part every
  Excel version reads), plus, for Excel 2010 and later, a ``controls`` element (inside
  ``mc:AlternateContent``) with one ``control`` per button pointing at a control properties part
  (``xl/ctrlProps/ctrlPropN.xml``, [MS-XLSX] 2.1.1 / 2.4.34).

:func:`macro_workbook` is what ``cin-xl template --xlsm`` writes: the xlwings VBA module and, when
the installed xlwings ships it, its ``Dictionary`` class module (both read from the installed
xlwings package; the xlwings module needs the class on macOS), our ``CinXl`` module and four
buttons on the Start sheet.
"""

from __future__ import annotations

import importlib.util
import io
import os
import posixpath
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from cin_xl.workbook.layout import START, XLWINGS_CONF_SHEET
from cin_xl.workbook.macros.vba import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Module,
    class_module,
    document_module,
    standard_module,
    vba_project,
)
from cin_xl.workbook.package.columns import split_ref
from cin_xl.workbook.package.ooxml import (
    CT,
    CT_CTRL,
    CT_MACRO_MAIN,
    CT_VBA,
    CT_VML,
    DECLARATION,
    MAIN,
    MC,
    OFFICE_DOCUMENT,
    PACKAGE_RELS,
    PKG_REL,
    REL_CTRL,
    REL_VBA,
    REL_VML,
    WORKSHEET_ORDER,
    X14,
    XDR,
    R,
    free_name,
    new_relationship_id,
    relative,
    rels_name,
    resolve,
)

if TYPE_CHECKING:
    from cin_xl.census.model import CensusReturn
    from cin_xl.census.years import CensusYear

#: CT_Workbook's children that come before workbookPr
_BEFORE_WORKBOOKPR = {"fileVersion", "fileSharing"}

#: our macros: each runs one function of :mod:`cin_xl.excel` through xlwings' RunPython
CIN_XL_MACROS = {"CinXlValidate": "validate_caller", "CinXlExport": "export_caller",
                 "CinXlImport": "import_caller", "CinXlClear": "clear_caller"}


def cin_xl_module() -> str:
    """Source of the ``CinXl`` VBA module."""
    subs = [f'Sub {name}()\r\n    RunPython "import cin_xl.excel; cin_xl.excel.{func}()"\r\nEnd Sub\r\n'
            for name, func in CIN_XL_MACROS.items()]
    head = ("' cin-xl: the buttons on the Start sheet run these macros. Each calls Python through\r\n"
            "' xlwings (RunPython, in the xlwings module), which runs cin_xl.excel on this workbook.\r\n"
            "Option Explicit\r\n")
    return head + "\r\n" + "\r\n".join(subs)


def _xlwings_dir() -> Path:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise RuntimeError("the xlwings package is not installed: it provides the VBA module the macros use")
    return Path(spec.origin).parent


def xlwings_module() -> str:
    """The xlwings VBA module (``xlwings.bas``) of the installed xlwings package."""
    path = _xlwings_dir() / "xlwings.bas"
    if not path.exists():
        raise RuntimeError(f"{path} is missing: this xlwings package does not ship its VBA module")
    return path.read_bytes().decode("cp1252")


def xlwings_dictionary_class() -> str | None:
    """The ``Dictionary`` class module (``addin/Dictionary.cls``, as a .cls file has it) of the
    installed xlwings package, or None if it has none. On macOS, where there is no
    ``Scripting.Dictionary``, the xlwings module uses this class instead."""
    path = _xlwings_dir() / "addin" / "Dictionary.cls"
    return path.read_bytes().decode("cp1252") if path.exists() else None


@dataclass(frozen=True)
class Button:
    """A form-control button running ``macro``: its top-left corner ``dx``, ``dy`` pixels into
    ``cell``, ``width`` x ``height`` pixels."""

    label: str
    macro: str
    cell: str
    width: int = 130
    height: int = 30
    dx: int = 0
    dy: int = 0
    #: printed with the sheet (Excel's own default for a new button is not to print it)
    printed: bool = True


def cin_xl_buttons() -> list[Button]:
    """The buttons of the Start sheet: a column right of the steps text (Start!B is 95
    characters wide and column C is empty), from the first step down."""
    labels = {"CinXlValidate": "Validate", "CinXlExport": "Export XML", "CinXlImport": "Import XML",
              "CinXlClear": "Clear marks"}
    return [Button(label, macro, "C5", dx=24, dy=2 + 38 * i) for i, (macro, label) in enumerate(labels.items())]


# ---------------------------------------------------------------------------------------------
# Sheet geometry: where a button's corners fall, in cells and pixels
# ---------------------------------------------------------------------------------------------


def _split_cell(cell: str) -> tuple[int, int]:
    """(column, row), 0-based, of "C5"."""
    row, col = split_ref(cell)
    if row < 1:
        raise ValueError(f"{cell!r} is not a cell like C5")
    return col - 1, row - 1


class _Geometry:
    """Column widths and row heights of a sheet in pixels (at 96 dpi, for the Calibri 11
    default font, whose digit is 7 pixels wide: ECMA-376 Part 1, 18.3.1.13)."""

    def __init__(self, sheet: etree._Element):
        fmt = sheet.find(f"{{{MAIN}}}sheetFormatPr")
        default_height = float(fmt.get("defaultRowHeight", 15)) if fmt is not None else 15.0
        # 18.3.1.81: without defaultColWidth, columns are baseColWidth digits plus 5 pixels of
        # padding and gridline, rounded up to a multiple of 8 pixels (64 for the usual 8)
        base = float(fmt.get("baseColWidth", 8)) if fmt is not None else 8
        self.default_col = -(-int(base * 7 + 5) // 8) * 8
        if fmt is not None and fmt.get("defaultColWidth"):
            self.default_col = self._col_px(float(fmt.get("defaultColWidth")))
        self.default_row = round(default_height * 4 / 3)
        self.cols: dict[int, int] = {}
        for col in sheet.iterfind(f"{{{MAIN}}}cols/{{{MAIN}}}col"):
            if col.get("width"):
                for i in range(int(col.get("min")) - 1, int(col.get("max"))):
                    self.cols[i] = 0 if col.get("hidden") in ("1", "true") else self._col_px(float(col.get("width")))
        self.rows: dict[int, int] = {}
        for row in sheet.iterfind(f"{{{MAIN}}}sheetData/{{{MAIN}}}row"):
            if row.get("ht") and row.get("r"):
                self.rows[int(row.get("r")) - 1] = round(float(row.get("ht")) * 4 / 3)

    @staticmethod
    def _col_px(width: float) -> int:
        return int(((256 * width + int(128 / 7)) / 256) * 7)

    def col(self, i: int) -> int:
        return self.cols.get(i, self.default_col)

    def row(self, i: int) -> int:
        return self.rows.get(i, self.default_row)

    @staticmethod
    def _advance(size, index: int, offset: int) -> tuple[int, int]:
        while size(index) == 0 or offset >= size(index):  # hidden (0 wide) or passed: next one
            offset -= size(index)
            index += 1
        return index, offset

    def anchor(self, b: Button) -> tuple[int, int, int, int, int, int, int, int]:
        """Button corners as (col, x, row, y) of the top left then the bottom right, x and y in
        pixels from the top-left corner of the cell."""
        c0, r0 = _split_cell(b.cell)
        c1, x1 = self._advance(self.col, c0, b.dx)
        r1, y1 = self._advance(self.row, r0, b.dy)
        c2, x2 = self._advance(self.col, c1, x1 + b.width)
        r2, y2 = self._advance(self.row, r1, y1 + b.height)
        return c1, x1, r1, y1, c2, x2, r2, y2

    def left_top(self, col: int, x: int, row: int, y: int) -> tuple[int, int]:
        return sum(self.col(i) for i in range(col)) + x, sum(self.row(i) for i in range(row)) + y


# ---------------------------------------------------------------------------------------------
# The parts
# ---------------------------------------------------------------------------------------------


def _vml(buttons: list[Button], geometry: _Geometry, shape_ids: list[int], block: int) -> bytes:
    """The VML drawing of the buttons (ECMA-376 Part 4, VML; [MS-OI29500] for x:ClientData)."""
    shapes = []
    for z, (b, sid) in enumerate(zip(buttons, shape_ids), start=1):
        a = geometry.anchor(b)
        left, top = geometry.left_top(*a[:4])
        style = (f"position:absolute;margin-left:{left * 0.75:g}pt;margin-top:{top * 0.75:g}pt;"
                 f"width:{b.width * 0.75:g}pt;height:{b.height * 0.75:g}pt;z-index:{z};mso-wrap-style:tight")
        shapes.append(f"""\
 <v:shape id="_x0000_s{sid}" type="#_x0000_t201" style="{style}" o:button="t"
  fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">
  <v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>
  <o:lock v:ext="edit" rotation="t"/>
  <v:textbox style="mso-direction-alt:auto" o:singleclick="f">
   <div style="text-align:center"><font face="Calibri" size="220" color="#000000">{escape(b.label)}</font></div>
  </v:textbox>
  <x:ClientData ObjectType="Button">
   <x:Anchor>{", ".join(map(str, a))}</x:Anchor>
   <x:PrintObject>{"True" if b.printed else "False"}</x:PrintObject>
   <x:AutoFill>False</x:AutoFill>
   <x:FmlaMacro>{escape(_macro_ref(b.macro))}</x:FmlaMacro>
   <x:TextHAlign>Center</x:TextHAlign>
   <x:TextVAlign>Center</x:TextVAlign>
  </x:ClientData>
 </v:shape>
""")
    return (f"""\
<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>
 <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">
  <v:stroke joinstyle="miter"/>
  <v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>
  <o:lock v:ext="edit" shapetype="t"/>
 </v:shapetype>
""" + "".join(shapes) + "</xml>\n").encode()


def _macro_ref(macro: str) -> str:
    """A macro of this workbook as Excel refers to it from a control: ``[0]!Name``."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?", macro):
        raise ValueError(f"{macro!r} is not a macro name")
    return f"[0]!{macro}"


_CTRL_PROP = DECLARATION + f'\n<formControlPr xmlns="{X14}" objectType="Button" lockText="1"/>\n'.encode()


def _controls(buttons: list[Button], geometry: _Geometry, shape_ids: list[int], rel_ids: list[str]) -> etree._Element:
    """The sheet's ``controls``, wrapped in ``mc:AlternateContent`` as Excel writes it (the
    ``controlPr`` child is an Office 2010 addition, so it sits in a Choice that requires x14)."""
    items = []
    for i, (b, sid, rid) in enumerate(zip(buttons, shape_ids, rel_ids), start=1):
        c1, x1, r1, y1, c2, x2, r2, y2 = geometry.anchor(b)

        def corner(col: int, x: int, row: int, y: int) -> str:  # offsets in EMU: 9525 a pixel
            return (f"<xdr:col>{col}</xdr:col><xdr:colOff>{x * 9525}</xdr:colOff>"
                    f"<xdr:row>{row}</xdr:row><xdr:rowOff>{y * 9525}</xdr:rowOff>")

        printed = "" if b.printed else ' print="0"'
        items.append(f"""\
<mc:AlternateContent><mc:Choice Requires="x14">
<control shapeId="{sid}" r:id="{rid}" name="Button {i}">
<controlPr defaultSize="0"{printed} autoFill="0" autoPict="0" macro={quoteattr(_macro_ref(b.macro))}>
<anchor moveWithCells="1"><from>{corner(c1, x1, r1, y1)}</from><to>{corner(c2, x2, r2, y2)}</to></anchor>
</controlPr></control></mc:Choice></mc:AlternateContent>""")
    xml = (f'<mc:AlternateContent xmlns="{MAIN}" xmlns:mc="{MC}" xmlns:x14="{X14}" xmlns:xdr="{XDR}" '
           f'xmlns:r="{R}"><mc:Choice Requires="x14"><controls>' + "".join(items)
           + "</controls></mc:Choice></mc:AlternateContent>")
    return etree.fromstring(xml)


def _insert(parent: etree._Element, element: etree._Element, name: str) -> None:
    """Insert ``element`` (playing the part of the ``name`` child) in schema order."""
    rank = WORKSHEET_ORDER.index(name)
    for i, child in enumerate(parent):
        local = etree.QName(child).localname
        if local == "AlternateContent":  # the controls wrapper: ranks as controls
            local = "controls"
        if local in WORKSHEET_ORDER and WORKSHEET_ORDER.index(local) > rank:
            parent.insert(i, element)
            return
    parent.append(element)


# ---------------------------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------------------------


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def _dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _new_rel(rels: etree._Element, rtype: str, target: str) -> str:
    rid = new_relationship_id(r.get("Id") for r in rels)
    etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=rid, Type=rtype, Target=target)
    return rid


def xlsm_bytes(xlsx: bytes, modules: dict[str, str], buttons: list[Button], *, sheet: str = START,
               classes: dict[str, str] | None = None) -> bytes:
    """The .xlsm package of the .xlsx package ``xlsx``, with the standard modules ``modules``
    (name -> source as a .bas file has it), the class modules ``classes`` (name -> source as a
    .cls file has it) and ``buttons`` on ``sheet``."""
    classes = classes or {}
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin:
        order = [i.filename for i in zin.infolist()]
        parts = {name: zin.read(name) for name in order}

    # the workbook and its sheets
    pkg_rels = _xml(parts[PACKAGE_RELS])
    book_part = next(resolve("", r.get("Target")) for r in pkg_rels
                     if r.get("Type", "").endswith(OFFICE_DOCUMENT))
    book = _xml(parts[book_part])
    book_rels_part = rels_name(book_part)
    book_rels = _xml(parts[book_rels_part])
    targets = {r.get("Id"): resolve(book_part, r.get("Target")) for r in book_rels}
    sheets = [(s.get("name"), targets[s.get(f"{{{R}}}id")]) for s in book.iterfind(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")]
    if sheet not in dict(sheets):
        raise ValueError(f"the workbook has no sheet {sheet!r}")

    # code names and document modules (ThisWorkbook, then one per sheet), then the given modules
    vba_modules: list[Module] = []
    taken = {n.lower() for n in [*modules, *classes]}
    pr = book.find(f"{{{MAIN}}}workbookPr")
    if pr is None:
        pr = etree.Element(f"{{{MAIN}}}workbookPr")
        at = sum(1 for c in book if etree.QName(c).localname in _BEFORE_WORKBOOKPR)
        book.insert(at, pr)
    book_name = pr.get("codeName") or "ThisWorkbook"
    pr.set("codeName", book_name)
    taken.add(book_name.lower())
    vba_modules.append(document_module(book_name, WORKBOOK_BASE))
    sheet_xml: dict[str, etree._Element] = {}
    for _name, part in sheets:
        root = sheet_xml[part] = _xml(parts[part])
        spr = root.find(f"{{{MAIN}}}sheetPr")
        if spr is None:
            spr = etree.Element(f"{{{MAIN}}}sheetPr")
            root.insert(0, spr)
        if spr.get("codeName"):  # kept code names first, so a new sheet's cannot clash with them
            taken.add(spr.get("codeName").lower())
    for _name, part in sheets:
        spr = sheet_xml[part].find(f"{{{MAIN}}}sheetPr")
        code = spr.get("codeName") or free_name(taken, "Sheet%d")
        taken.add(code.lower())
        spr.set("codeName", code)
        vba_modules.append(document_module(code, WORKSHEET_BASE))
    vba_modules += [standard_module(name, source) for name, source in modules.items()]
    vba_modules += [class_module(name, source) for name, source in classes.items()]

    new_parts: dict[str, bytes] = {}
    vba_part = posixpath.join(posixpath.dirname(book_part), "vbaProject.bin")
    new_parts[vba_part] = vba_project(vba_modules)
    if not any(r.get("Type") == REL_VBA for r in book_rels):
        _new_rel(book_rels, REL_VBA, posixpath.basename(vba_part))

    # buttons: VML drawing, control properties, and the sheet's legacyDrawing + controls
    types = _xml(parts["[Content_Types].xml"])
    if buttons:
        part = dict(sheets)[sheet]
        root = sheet_xml[part]
        if root.find(f"{{{MAIN}}}legacyDrawing") is not None:
            raise ValueError(f"sheet {sheet!r} already has a VML drawing (comments?): adding buttons to it "
                             "is not supported")
        rels_part = rels_name(part)
        rels = _xml(parts[rels_part]) if rels_part in parts else etree.Element(f"{{{PKG_REL}}}Relationships",
                                                                               nsmap={None: PKG_REL})
        # VML shape ids come in blocks of 1024 (o:idmap); take a block after every id in use
        used = [int(m) for name, data in parts.items() if name.endswith(".vml")
                for m in re.findall(rb"_x0000_s(\d+)", data)]
        block = max(used, default=0) // 1024 + 1
        shape_ids = [block * 1024 + 1 + i for i in range(len(buttons))]
        geometry = _Geometry(root)
        vml_part = free_name(parts, "xl/drawings/vmlDrawing%d.vml")
        new_parts[vml_part] = _vml(buttons, geometry, shape_ids, block)
        vml_rid = _new_rel(rels, REL_VML, relative(part, vml_part))
        ctrl_rids = []
        for _b in buttons:
            ctrl_part = free_name([*parts, *new_parts], "xl/ctrlProps/ctrlProp%d.xml")
            new_parts[ctrl_part] = _CTRL_PROP
            ctrl_rids.append(_new_rel(rels, REL_CTRL, relative(part, ctrl_part)))
            etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + ctrl_part, ContentType=CT_CTRL)
        legacy = etree.Element(f"{{{MAIN}}}legacyDrawing", nsmap={"r": R})
        legacy.set(f"{{{R}}}id", vml_rid)
        _insert(root, legacy, "legacyDrawing")
        _insert(root, _controls(buttons, geometry, shape_ids, ctrl_rids), "controls")
        new_parts[rels_part] = _dump(rels)

    # content types: the macro-enabled workbook, the VBA project and VML drawings
    for override in types.iterfind(f"{{{CT}}}Override"):
        if override.get("PartName") == "/" + book_part:
            override.set("ContentType", CT_MACRO_MAIN)
    defaults = {d.get("Extension").lower() for d in types.iterfind(f"{{{CT}}}Default")}
    for ext, ctype in (("bin", CT_VBA), ("vml", CT_VML)):
        if ext not in defaults:
            types.insert(0, etree.Element(f"{{{CT}}}Default", Extension=ext, ContentType=ctype))

    new_parts["[Content_Types].xml"] = _dump(types)
    new_parts[book_part] = _dump(book)
    new_parts[book_rels_part] = _dump(book_rels)
    for part, root in sheet_xml.items():
        new_parts[part] = _dump(root)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in order + [n for n in new_parts if n not in parts]:
            zout.writestr(name, new_parts.get(name, parts.get(name, b"")))
    return out.getvalue()


def macro_workbook(xlsx: bytes) -> bytes:
    """The cin-xl workbook ``xlsx`` made macro-enabled: the xlwings and CinXl modules, xlwings'
    Dictionary class module (when the installed xlwings has it) and the Start sheet's buttons."""
    dictionary = xlwings_dictionary_class()
    return xlsm_bytes(xlsx, {"xlwings": xlwings_module(), "CinXl": cin_xl_module()}, cin_xl_buttons(),
                      classes={"Dictionary": dictionary} if dictionary is not None else {})


def xlwings_conf(platform: str | None = None, executable: str | None = None) -> list[tuple[str, str]]:
    """The settings the buttons need, as key/value rows of the ``xlwings.conf`` sheet: the Python
    that made the workbook (``executable``), for the platform it was made on.

    Only that platform's key is written: an empty value on the sheet would hide the xlwings
    add-in's own setting for the other platform. On Windows the windowless ``pythonw.exe`` next
    to ``python.exe`` is used when there is one, so no console window flashes up.
    """
    platform, python = platform or sys.platform, Path(executable or sys.executable)
    if platform == "win32":
        windowless = python.with_name("pythonw.exe")
        return [("INTERPRETER_WIN", str(windowless if windowless.exists() else python))]
    if platform == "darwin":
        return [("INTERPRETER_MAC", str(python))]
    return []  # Linux: no desktop Excel to configure


def write_macro_workbook(path: str | os.PathLike, census: CensusReturn | None, year: CensusYear, *,
                         conf: list[tuple[str, str]] | None = None) -> None:
    """Write the macro-enabled workbook (empty, or filled with ``census``) to ``path``, whole or
    not at all, with the usual permissions of a new file. Its ``xlwings.conf`` sheet holds
    ``conf`` (default: :func:`xlwings_conf`, the Python running this)."""
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.workbook.writer import workbook_bytes

    conf = xlwings_conf() if conf is None else conf
    write_atomic(path, macro_workbook(workbook_bytes(census, year, xlwings_conf=conf)))


__all__ = ["CIN_XL_MACROS", "Button", "cin_xl_buttons", "cin_xl_module", "macro_workbook", "write_macro_workbook",
           "xlsm_bytes", "xlwings_dictionary_class", "xlwings_module", "xlwings_conf", "XLWINGS_CONF_SHEET"]
