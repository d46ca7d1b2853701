"""Writing into an existing workbook package (.xlsx, .xlsm) without re-saving it.

A workbook is a zip of XML parts (ECMA-376 Part 2, Open Packaging Conventions). :class:`Package`
opens one, lets a caller set cells of a sheet (:class:`SheetPart`), replace or add a whole sheet
with its drawings and charts, and add the cell styles it needs (:class:`Styles`); :meth:`Package.commit`
writes the result whole or not at all. Only the parts a change needs are serialised again:

- an edited sheet: only the ``<c>`` elements that were set change (and the row attributes asked
  for, the ``<dimension>`` and ``<cols>`` when a column is added); every other element keeps its
  XML: formulas with their cached values, validation, conditional formats, hyperlinks, merged
  cells, extensions such as sparklines;
- ``xl/styles.xml`` when a cell format is added (appended, existing ones never change);
- ``xl/workbook.xml``, its relationships and ``[Content_Types].xml`` when a sheet comes or goes.

Every other member is copied with the same bytes: VBA project, drawings, images, charts, form
controls, comments, printer settings, custom XML. Text is written as inline strings, so the shared
string table is never rewritten, and a text cell is never a formula.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import io
import math
import os
import posixpath
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.safety.text_guard import looks_like_formula
from cin_xl.workbook.columns import column_index, column_letters

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"
REL_WORKSHEET = f"{R}/worksheet"
REL_DRAWING = f"{R}/drawing"
REL_CHART = f"{R}/chart"
REL_PRINTER = f"{R}/printerSettings"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

_ROW, _C, _V, _F, _IS, _T = (f"{{{MAIN}}}{n}" for n in ("row", "c", "v", "f", "is", "t"))
#: the order of a worksheet's children (CT_Worksheet), to put a new element in its place
_WORKSHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                    "tableParts", "extLst")
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
#: CT_Stylesheet's children in order
_STYLES_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                 "tableStyles", "colors", "extLst")
#: characters XML 1.0 cannot hold; OOXML writes them as _xHHHH_
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # a look-ahead: "_x005F_x0041_" has two
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_EPOCH = datetime(1899, 12, 30)
_DIGITS = "0123456789$"
#: a part larger than this, unpacked, is refused (a census sheet of 20,000 children is under 10 MB)
MAX_PART_BYTES = 512 * 10**6
#: attributes of a row that say nothing of its own (no height, no style)
_PLAIN_ROW = {"r", "spans", "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac}dyDescent"}


def _parser() -> etree.XMLParser:
    # no entities, no network; huge_tree because a sheet of 20,000 children is a large document
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)


# ---------------------------------------------------------------------------------------------
# Cell references
# ---------------------------------------------------------------------------------------------


@cache
def _letters_bytes(index: int) -> bytes:
    return column_letters(index).encode("ascii")


def split_ref(ref: str) -> tuple[int, int]:
    """``"K12"`` -> (row 12, column 11)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1))


def ref_of(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula the tool itself writes (such as a HYPERLINK), with its cached result."""

    text: str  # without the leading "="
    cached: str | None = None


Value = None | str | bool | int | float | datetime | date | Formula


def excel_text(text: str) -> str:
    """``text`` as a cell's XML string holds it: control characters as OOXML's ``_xHHHH_``, and text
    that already looks like such an escape with its ``_`` escaped (``_x005F_``), as Excel does, so that
    it reads back as typed rather than as the character it names."""
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub("_x005F_", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def serial(value: datetime | date) -> float:
    """Excel's day number (1900 date system) for a date or date and time."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    delta = value.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400


def _number(value: float | int) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number Excel cannot store")
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _escape(text: str) -> str:
    # as lxml writes text: & < > escaped; a carriage return as a reference, else the parser would drop it
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _cell_xml(ref: str, style: str | None, value: Value) -> str:
    """The XML of one cell as :meth:`SheetPart._fill` builds it (attributes r, s, t in that order)."""
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{_escape(excel_text(value.cached))}</v>"
        return f'<c r="{ref}"{s} t="str"><f>{_escape(excel_text(value.text))}</f>{cached}</c>'
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(excel_text(value))}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{"1" if value else "0"}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'
    if isinstance(value, (datetime, date)):
        return f'<c r="{ref}"{s}><v>{_number(serial(value))}</v></c>'
    raise TypeError(f"cannot write a {type(value).__name__} into a cell")


# ---------------------------------------------------------------------------------------------
# Fingerprint: was the file changed since it was read?
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """Size, modification time and SHA-256 of a file's bytes."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike, data: bytes | None = None) -> Fingerprint:
        st = os.stat(path)
        if data is None:
            data = Path(path).read_bytes()
        return cls(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())

    def quick_match(self, path: Path) -> bool:
        try:
            st = os.stat(path)
        except OSError:
            return False
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


# ---------------------------------------------------------------------------------------------
# Styles
# ---------------------------------------------------------------------------------------------


def _key(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


class Styles:
    """``xl/styles.xml``: cell formats are only ever appended, and reused when already there."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.changed = False
        self._interned: dict[str, dict[bytes, int]] = {}
        self._derived: dict[tuple, int] = {}

    def _list(self, name: str) -> etree._Element:
        el = self.root.find(f"{{{MAIN}}}{name}")
        if el is None:
            el = etree.Element(f"{{{MAIN}}}{name}", count="0")
            for nxt in _STYLES_ORDER[_STYLES_ORDER.index(name) + 1:]:  # keep CT_Stylesheet's order
                following = self.root.find(f"{{{MAIN}}}{nxt}")
                if following is not None:
                    following.addprevious(el)
                    break
            else:
                self.root.append(el)
        return el

    def _intern(self, list_name: str, el: etree._Element) -> int:
        """The index of ``el`` in the list (fonts, fills, borders, cellXfs, dxfs), appended if new."""
        parent = self._list(list_name)
        table = self._interned.get(list_name)
        if table is None:
            table = {}
            for i, child in enumerate(parent):
                table.setdefault(_key(child), i)
            self._interned[list_name] = table
        key = _key(el)
        if key in table:
            return table[key]
        parent.append(el)
        index = len(parent) - 1
        table[key] = index
        parent.set("count", str(len(parent)))
        self.changed = True
        return index

    def dxf(self, xml: str) -> int:
        """The index of a differential format (for conditional formatting), given as XML in the main namespace."""
        return self._intern("dxfs", etree.fromstring(xml))

    def xf(self, index: int) -> etree._Element:
        xfs = self._list("cellXfs")
        return xfs[index] if 0 <= index < len(xfs) else etree.Element(
            f"{{{MAIN}}}xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")

    def number_format_id(self, code: str) -> int:
        fmts = self._list("numFmts")
        used = [164]
        for fmt in fmts:
            if fmt.get("formatCode") == code:
                return int(fmt.get("numFmtId"))
            used.append(int(fmt.get("numFmtId", "0")) + 1)
        new = max(used)
        etree.SubElement(fmts, f"{{{MAIN}}}numFmt", numFmtId=str(new), formatCode=code)
        fmts.set("count", str(len(fmts)))
        self.changed = True
        return new

    def derive(self, base: int, *, wrap: bool | None = None, vertical: str | None = None,
               number_format: str | None = None, quote_prefix: bool | None = None) -> int:
        """A cell format like ``base`` with text wrapping, vertical alignment, a number format or the quote
        prefix (Excel keeps the cell's text as text when it is edited) changed."""
        memo = (base, wrap, vertical, number_format, quote_prefix)
        if memo in self._derived:
            return self._derived[memo]
        xf = copy.deepcopy(self.xf(base))
        if quote_prefix is not None:
            xf.set("quotePrefix", "1" if quote_prefix else "0")
        if number_format is not None:
            xf.set("numFmtId", str(self.number_format_id(number_format)))
            xf.set("applyNumberFormat", "1")
        if wrap is not None or vertical is not None:
            align = xf.find(f"{{{MAIN}}}alignment")
            if align is None:
                align = etree.Element(f"{{{MAIN}}}alignment")
                xf.insert(0, align)
            if wrap is not None:
                align.set("wrapText", "1" if wrap else "0")
            if vertical is not None:
                align.set("vertical", vertical)
            xf.set("applyAlignment", "1")
        index = self._intern("cellXfs", xf)
        self._derived[memo] = index
        return index

    def import_xf(self, other: Styles, index: int) -> int:
        """Copy cell format ``index`` of another styles part (with its font, fill, border, number format)."""
        memo = (id(other), index)
        if memo in self._derived:
            return self._derived[memo]
        xf = copy.deepcopy(other.xf(index))
        for attr, list_name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            source = other._list(list_name)
            i = int(xf.get(attr, "0"))
            if 0 <= i < len(source):
                xf.set(attr, str(self._intern(list_name, copy.deepcopy(source[i]))))
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id >= 164:
            code = next((f.get("formatCode") for f in other._list("numFmts") if f.get("numFmtId") == str(fmt_id)),
                        "General")
            xf.set("numFmtId", str(self.number_format_id(code)))
        xf.set("xfId", "0")  # the Normal cell style
        new = self._intern("cellXfs", xf)
        self._derived[memo] = new
        return new


#: the start of a cell element in a row's XML
_CELL_START = re.compile(rb"<c[\s>/]")
_SHEET_DATA = re.compile(rb"<sheetData\s*(?:/>|>)")
_ROW_START = re.compile(rb"<row[\s>/]")
_ROW_NUMBERED = re.compile(rb'<row\s[^>]*?\br="(\d+)"')
_CELL_NAMED = re.compile(rb'<c\s[^>]*?\br="[A-Z]{1,3}\d+"')
_CELL_FIRST_NAMED = re.compile(rb'<c r="[A-Z]{1,3}\d+"')
_ROW_TAG = re.compile(rb"<row\b([^>]*?)(/?)>")
_ROW_FIRST_NUMBER = re.compile(rb'<row r="(\d+)"')
_FILLED_ROW = re.compile(rb'<row r="(\d+)"(?:[^>]*[^/>])?>\s*<c[\s>/]')
_CELL_REF = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})\d+"')
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
_S_ATTR = re.compile(rb'\ss="(\d*)"')
#: a cell of inline text or a shared string in the form Excel and cin-xl write (the value read as it is)
_SIMPLE_TEXT_CELL = re.compile(rb'<c r="[A-Z]+\d+"(?: s="\d+")? t="(inlineStr|s)"(?: s="\d+")?>'
                               rb'(?:<is><t(?: xml:space="preserve")?>|(<v>))([^<]*)(?(2)</v>|</t></is>)</c>')
_FORMULA_START = re.compile(rb"<f[\s>/]")
_HEIGHT_ATTRS = re.compile(rb'\s(?:ht|customHeight)="[^"]*"')
#: what the rows of a sheet in the plain form never hold
_NOT_PLAIN = re.compile(rb"<!--|<!\[CDATA\[|<\?|<!DOCTYPE|<!ENTITY")


@dataclass
class _RowSpans:
    """A sheet part's rows as bytes: each row's XML by number, up to the next row (so with the text between)."""

    lead: bytes
    rows: dict[int, bytes]
    #: the part with an empty ``<sheetData/>`` in place of the rows
    rest: bytes


def _after_declaration(data: bytes) -> int:
    return data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0


def _cells_named(data: bytes, start: int, end: int) -> bool:
    """Every cell between ``start`` and ``end`` names its ``r``."""
    # the usual case, counted: each "<c" in a row starts a cell naming its r first (as Excel and openpyxl write)
    if data.count(b"<c", start, end) == len(_CELL_FIRST_NAMED.findall(data, start, end)):
        return True
    return len(_CELL_START.findall(data, start, end)) == len(_CELL_NAMED.findall(data, start, end))


def _attribute(name: str) -> re.Pattern[bytes]:
    found = _ATTRIBUTES.get(name)
    if found is None:
        found = _ATTRIBUTES[name] = re.compile(rb'\s' + name.encode() + rb'="([^"]*)"')
    return found


_ATTRIBUTES: dict[str, re.Pattern[bytes]] = {}


def _last_filled_row(data: bytes) -> int | None:
    """The last row holding cells of a sheet part in the plain form (None: not that form)."""
    found = _SHEET_DATA.search(data)
    if found is None or _NOT_PLAIN.search(data, _after_declaration(data)):
        return None
    if found.group().endswith(b"/>"):
        return 0
    start, end = found.end(), data.find(b"</sheetData>", found.end())
    if end < 0 or data.count(b"<row", start, end) != data.count(b'<row r="', start, end):
        return None
    numbers = [int(n) for n in _ROW_FIRST_NUMBER.findall(data, start, end)]
    if any(a >= b for a, b in zip(numbers, numbers[1:])):
        return None  # rows out of order: the later of two with one number is the one (the slow way)
    # a row holds cells when a cell follows its start tag (a row's other child, extLst, comes last)
    return max((int(n) for n in _FILLED_ROW.findall(data, start, end)), default=0)


def _row_spans(data: bytes) -> _RowSpans | None:
    """The rows of a sheet part in the plain form every common writer uses (unprefixed elements, each
    row and cell naming its ``r``, rows in order, no comments, CDATA or entities), else None (then the
    part is parsed whole). Each row's span runs to the next row, so the text between rows is kept."""
    found = _SHEET_DATA.search(data)
    if found is None or _SHEET_DATA.search(data, found.end()) is not None or _NOT_PLAIN.search(
            data, _after_declaration(data)):
        return None
    if found.group().endswith(b"/>"):
        return _RowSpans(b"", {}, data)
    start = found.end()
    end = data.find(b"</sheetData>", start)
    if end < 0 or data.find(b"</sheetData>", end + 1) >= 0:
        return None
    starts = [m.start() for m in _ROW_START.finditer(data, start, end)]
    numbered = list(_ROW_NUMBERED.finditer(data, start, end))
    if len(numbered) != len(starts) or [m.start() for m in numbered] != starts:
        return None
    if not _cells_named(data, start, end):
        return None
    rows = [int(m.group(1)) for m in numbered]
    if any(a >= b for a, b in zip(rows, rows[1:])):
        return None
    bounds = starts + [end]
    lead = data[start:starts[0]] if starts else data[start:end]
    rest = data[:found.start()] + b"<sheetData/>" + data[end + len(b"</sheetData>"):]
    return _RowSpans(lead, {row: data[bounds[i]:bounds[i + 1]] for i, row in enumerate(rows)}, rest)


# ---------------------------------------------------------------------------------------------
# A sheet part
# ---------------------------------------------------------------------------------------------


class SheetPart:
    """One worksheet's XML, indexed by row, for reading and setting single cells."""

    def __init__(self, package: Package, name: str, part: str, root: etree._Element,
                 rows: _RowSpans | None = None):
        """``root`` is the parsed part; with ``rows`` (see :func:`_row_spans`), its ``<sheetData>`` is empty and
        the rows stay bytes, each parsed only when asked for (a marked sheet of 20,000 children is mostly left
        as it was: never all parsed, and written back with the same bytes)."""
        self.package, self.name, self.part, self.root = package, name, part, root
        data = root.find(f"{{{MAIN}}}sheetData")
        if data is None:
            data = etree.Element(f"{{{MAIN}}}sheetData")
            self._place(data)
        self.data = data
        self._rows: dict[int, etree._Element] = {}
        self._keys: list[int] = []
        #: rows not parsed (the lazy form): row -> its XML
        self._spans: dict[int, bytes] = {}
        self._lead = b""
        self._wrapping: tuple[bytes, bytes] | None = None
        self._row_parser = _parser()
        #: parent of the parsed rows in the lazy form (their order is that of ``_keys``, not of this element)
        self._holder: etree._Element | None = None
        if rows is not None:
            self._lead, self._spans = rows.lead, rows.rows
            self._keys = list(self._spans)
            self._holder = etree.Element(data.tag, nsmap=root.nsmap)
        self._bounds: list[int] | None = None  # min row, min col, max row, max col set here
        self._column_styles: dict[int, int] = {}
        if rows is not None:
            return
        last = 0
        for row in data.iterchildren(_ROW):
            r = row.get("r")
            n = int(r) if r else last + 1
            if not r:
                row.set("r", str(n))
            last = n
            self._rows[n] = row
        self._keys = sorted(self._rows)

    @property
    def lazy(self) -> bool:
        return self._holder is not None

    def _wrapper(self) -> tuple[etree._Element, bytes, bytes]:
        """An empty ``<sheetData>`` declaring the sheet's namespaces, with its start and end tags as text:
        rows parsed or written inside it need no declarations of their own."""
        wrapper = etree.Element(self.data.tag, nsmap=self.root.nsmap)
        if self._wrapping is None:
            head = etree.tostring(wrapper, encoding="unicode")[:-2] + ">"
            end = f"</{head[1:].split(' ', 1)[0].rstrip('>')}>"
            self._wrapping = head.encode("utf-8"), end.encode("utf-8")
        return wrapper, *self._wrapping

    def _element(self, row: int) -> etree._Element | None:
        el = self._rows.get(row)
        if el is None and row in self._spans:
            text = self._spans.pop(row)
            head, tail = self._wrapping or self._wrapper()[1:]
            parsed = etree.fromstring(head + text + tail, self._row_parser)
            el = parsed[0]
            self._holder.append(el)  # type: ignore[union-attr]  # with its tail (the text up to the next row)
            self._rows[row] = el
        return el

    def _surely_without(self, row: int, col: int) -> bool:
        """True when the row is still bytes and holds no cell at ``col`` (every cell there names its ``r``)."""
        text = self._spans.get(row)
        return text is not None and b'r="%s%d"' % (_letters_bytes(col), row) not in text

    def rows_xml(self) -> bytes:
        """The sheet part's XML in the lazy form: the parsed part with the rows put into ``<sheetData>``."""
        body = etree.tostring(self.root, encoding="UTF-8", xml_declaration=False)
        before, sep, after = body.partition(b"<sheetData/>")
        if not sep:
            raise ValueError("the sheet's rows have no place")  # cannot happen: checked when opened
        if not self._keys and not self._lead:
            return body
        wrapper, head, tail = self._wrapper()
        parts = [before, b"<sheetData>", self._lead]
        for row in self._keys:
            text = self._spans.get(row)
            if text is not None:
                parts.append(text)
                continue
            el = self._rows[row]
            wrapper.append(el)
            text = etree.tostring(wrapper, encoding="UTF-8")
            parts.append(text[len(head):-len(tail)])
            self._holder.append(el)  # type: ignore[union-attr]
        parts += [b"</sheetData>", after]
        return b"".join(parts)

    def _place(self, el: etree._Element) -> None:
        """Insert a worksheet child in its schema position (after the last of those that come before it)."""
        name = etree.QName(el).localname
        after = _WORKSHEET_ORDER[:_WORKSHEET_ORDER.index(name) + 1]
        prev = None
        for child in self.root:
            if isinstance(child.tag, str) and etree.QName(child).localname in after:
                prev = child
        if prev is None:
            self.root.insert(0, el)
        else:
            prev.addnext(el)

    # -- reading ---------------------------------------------------------------------------

    def rows(self) -> list[int]:
        return list(self._keys)

    def row_element(self, row: int) -> etree._Element | None:
        return self._element(row)

    def filled_rows(self) -> list[int]:
        """The rows holding cells (a row still bytes is not parsed for this)."""
        out = []
        for n in self._keys:
            text = self._spans.get(n)
            if text is not None:
                if _CELL_START.search(text):
                    out.append(n)
            elif len(self._rows[n]):
                out.append(n)
        return out

    def _number_cells(self, el: etree._Element, row: int) -> None:
        """Give every cell of a row its ``r`` (a cell without one follows the previous cell)."""
        last = 0
        for c in el.iterchildren(_C):
            r = c.get("r")
            last = column_index(r.rstrip(_DIGITS).lstrip("$")) if r else last + 1
            if not r:
                c.set("r", ref_of(row, last))

    def _locate(self, row: int, col: int) -> tuple[etree._Element | None, etree._Element | None]:
        """(the cell at ``col`` or None, the first cell right of it or None), scanning from the row's end
        (the mark columns are the last ones, so this is one or two steps)."""
        el = self._element(row)
        if el is None:
            return None, None
        following = None
        for c in el.iterchildren(_C, reversed=True):
            r = c.get("r")
            if r is None:
                self._number_cells(el, row)
                return self._locate(row, col)
            k = column_index(r.rstrip(_DIGITS).lstrip("$"))
            if k == col:
                return c, following
            if k < col:
                break
            following = c
        return None, following

    def _row_cells(self, row: int) -> dict[int, etree._Element]:
        el = self._element(row)
        if el is None:
            return {}
        self._number_cells(el, row)
        return {column_index(c.get("r").rstrip(_DIGITS).lstrip("$")): c for c in el.iterchildren(_C)}

    def cell(self, ref: str) -> etree._Element | None:
        row, col = split_ref(ref)
        return self.cell_at(row, col)

    def cell_at(self, row: int, col: int) -> etree._Element | None:
        """The cell element (for reading: a row still held as text gives a copy of its cell)."""
        if row in self._spans:
            if self._surely_without(row, col):
                return None  # nothing to find, and the row keeps its bytes
            found = self._cell_in_text(row, col)
            if found is not None:
                text, start, end, _ = found
                head, tail = self._wrapping or self._wrapper()[1:]
                return etree.fromstring(head + text[start:end] + tail, self._row_parser)[0]
        return self._locate(row, col)[0]

    def has_row(self, row: int) -> bool:
        return row in self._rows or row in self._spans

    def _cell_in_text(self, row: int, col: int) -> tuple[bytes, int, int, int] | None:
        """(the row's text, start and end of the cell's XML in it, end of its start tag), for a cell written
        with its ``r`` first (a cell holds no ``<`` but its own elements'); None when not found so."""
        text = self._spans[row]
        key = f'<c r="{ref_of(row, col)}"'.encode()
        start = text.find(key)
        if start < 0 or text.find(key, start + 1) >= 0:
            return None
        close = text.find(b">", start)
        if close < 0:
            return None
        end = close + 1 if text[close - 1:close] == b"/" else text.find(b"</c>", close) + 4
        if end < close:
            return None
        return text, start, end, close

    def value(self, ref: str) -> object:
        """The value of a cell as it is stored: text, number, bool, or None when blank."""
        return self.value_at(*split_ref(ref))

    def value_at(self, row: int, col: int) -> object:
        if row in self._spans:
            if self._surely_without(row, col):
                return None
            found = self._cell_in_text(row, col)
            if found is not None:
                simple = _SIMPLE_TEXT_CELL.fullmatch(found[0], found[1], found[2])
                if simple is not None and (simple.group(1) == b"inlineStr") == (simple.group(2) is None) and (
                        b"&#" not in simple.group(3)) and (simple.group(2) is None or simple.group(3).isdigit()):
                    text = simple.group(3).decode("utf-8")
                    if "&" in text:
                        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
                            "&apos;", "'").replace("&amp;", "&")
                    if simple.group(1) == b"inlineStr":
                        return text
                    strings = self.package.shared_strings()  # a shared string: its number
                    i = int(text)
                    return strings[i] if 0 <= i < len(strings) else ""
        c = self.cell_at(row, col)
        return None if c is None else self.package.cell_value(c)

    def has_formula(self, row: int, col: int) -> bool:
        if row in self._spans:
            if self._surely_without(row, col):
                return False
            found = self._cell_in_text(row, col)
            if found is not None:
                return _FORMULA_START.search(found[0], found[1], found[2]) is not None
        c = self.cell_at(row, col)
        return c is not None and c.find(_F) is not None

    def used_columns(self, row: int) -> list[int]:
        return [col for col, c in self._row_cells(row).items() if self.package.cell_value(c) not in (None, "")]

    def last_column(self) -> int:
        """The rightmost column holding a value in any row."""
        last = 0
        for row in self._keys:
            cols = self.used_columns(row)
            if cols:
                last = max(last, max(cols))
        return last

    def column_style(self, col: int) -> int:
        styles = self._column_styles
        if col not in styles:  # remembered: asked once per marked row; set_column forgets
            styles[col] = 0
            cols = self.root.find(f"{{{MAIN}}}cols")
            if cols is not None:
                for c in cols:
                    if int(c.get("min", "0")) <= col <= int(c.get("max", "0")):
                        styles[col] = int(c.get("style", "0"))
                        break
        return styles[col]

    def style_of(self, ref: str) -> int:
        """The cell format a cell shows with: its own, else its column's."""
        row, col = split_ref(ref)
        if row in self._spans:
            if self._surely_without(row, col):
                return self.column_style(col)
            found = self._cell_in_text(row, col)
            if found is not None:
                text, start, _, close = found
                own = _S_ATTR.search(text, start, close)
                if own is not None and own.group(1):
                    return int(own.group(1))
                if b" s=" not in text[start:close]:
                    return self.column_style(col)
        c = self.cell(ref)
        if c is not None and c.get("s"):
            return int(c.get("s"))
        return self.column_style(split_ref(ref)[1])

    # -- writing ---------------------------------------------------------------------------

    def _row(self, row: int) -> etree._Element:
        el = self._element(row)
        if el is not None:
            return el
        if self._holder is not None:
            el = etree.SubElement(self._holder, _ROW, r=str(row))
            bisect.insort(self._keys, row)
            self._rows[row] = el
            return el
        el = etree.Element(_ROW, r=str(row))

        i = bisect.bisect(self._keys, row)
        if i < len(self._keys):
            self._rows[self._keys[i]].addprevious(el)
        else:
            self.data.append(el)
        self._keys.insert(i, row)
        self._rows[row] = el
        return el

    def set(self, ref: str, value: Value, style: int | None = None) -> None:
        """Set one cell: its value (None: blank) and, if given, its cell format; other cells stay as they are."""
        row, col = split_ref(ref)
        if row in self._spans and self._set_in_text(row, col, value, style):
            return
        ref = ref_of(row, col)
        c, following = self._locate(row, col)
        keep = c.get("s") if c is not None else None
        s = str(style) if style is not None else keep
        if value is None or value == "":
            if c is None:
                if not s or s == "0":
                    return
            elif not s or s == "0":
                if c.find(_F) is not None:
                    self.package.formulas_changed = True
                c.getparent().remove(c)
                self.package.touch(self.part)
                return
        if c is None:
            row_el = self._row(row)
            c = etree.Element(_C)
            if following is None:
                row_el.append(c)
            else:
                following.addprevious(c)
            self._widen_spans(row_el, col)
        else:
            if c.find(_F) is not None:
                self.package.formulas_changed = True
            for child in list(c):
                c.remove(child)
            c.attrib.clear()
        c.set("r", ref)
        if looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
            s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
        if s and s != "0":
            c.set("s", s)
        self._fill(c, value)
        self._extend(row, col)
        self.package.touch(self.part)

    def add_row(self, row: int, cells: Iterable[tuple[int, Value, int | None]]) -> None:
        """Fill a row that has no element yet: (column, value, cell format or None) each, as :meth:`set`
        would one by one, without looking each cell up (the Issues sheet's many new rows)."""
        if row in self._rows or row in self._spans:
            raise ValueError(f"row {row} is already there")
        row_el = None
        written = []
        for col, value, s in sorted(self._formats(cells), key=lambda cell: cell[0]):
            if (value is None or value == "") and (not s or s == "0"):
                continue
            if row_el is None:
                row_el = self._row(row)
            c = etree.SubElement(row_el, _C, r=ref_of(row, col))
            if s and s != "0":
                c.set("s", s)
            self._fill(c, value)
            written.append(col)
        if written:
            self._extend(row, written[0])
            self._extend(row, written[-1])
            self.package.touch(self.part)

    def _formats(self, cells: Iterable[tuple[int, Value, int | None]]) -> list[tuple[int, Value, str | None]]:
        """(column, value, cell format as set() would give it to a new cell), in the order given (a format
        added to the styles gets the same number as cell-by-cell)."""
        out = []
        for col, value, style in cells:
            s = str(style) if style is not None else None
            if looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
                s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
            out.append((col, value, s))
        return out

    def _cells_xml(self, row: int, cells: Iterable[tuple[int, Value, int | None]]) -> tuple[list[str], list[int]]:
        """The XML of a row's cells in column order, and their columns; a blank cell without a format is
        left out."""
        texts: list[str] = []
        written: list[int] = []
        for col, value, s in sorted(self._formats(cells), key=lambda cell: cell[0]):
            if (value is None or value == "") and (not s or s == "0"):
                continue
            texts.append(_cell_xml(ref_of(row, col), s if s and s != "0" else None, value))
            written.append(col)
        return texts, written

    def append_rows(self, rows: list[tuple[int, list[tuple[int, Value, int | None]]]]) -> None:
        """:meth:`add_row` for many rows below the last one there, in ascending order: their XML is
        written as text and parsed in one go (the same elements, a tenth of the calls)."""
        if self.root.nsmap.get(None) != MAIN:  # main namespace with a prefix: the rows are made one by one
            for row, cells in rows:
                self.add_row(row, cells)
            return
        if not rows:
            return
        if (self._keys and rows[0][0] <= self._keys[-1]) or any(a[0] >= b[0] for a, b in zip(rows, rows[1:])):
            raise ValueError("rows to append must follow the sheet's last row, in order")
        parts: list[str] = []
        spans = []  # (row, first column, last column) of each row with cells
        for row, cells in rows:
            texts, written = self._cells_xml(row, cells)
            if written:
                parts.append(f'<row r="{row}">{"".join(texts)}</row>')
                spans.append((row, written[0], written[-1]))
        if not parts:
            return
        if self._holder is not None:  # the lazy form: the rows stay text, as the rows read do
            for text, (row, lo, hi) in zip(parts, spans):
                self._spans[row] = text.encode("utf-8")
                self._keys.append(row)
                self._extend(row, lo)
                self._extend(row, hi)
            self.package.touch(self.part)
            return
        # declared as on the sheet's root, so the rows moved into it need no declarations of their own
        wrapper = etree.Element(self.data.tag, nsmap=self.root.nsmap)
        head = etree.tostring(wrapper, encoding="unicode")[:-2] + ">"
        end = f"</{head[1:].split(' ', 1)[0].rstrip('>')}>"
        parsed = etree.fromstring((head + "".join(parts) + end).encode("utf-8"), _parser())
        for el, (row, lo, hi) in zip(list(parsed), spans):
            self.data.append(el)
            self._keys.append(row)
            self._rows[row] = el
            self._extend(row, lo)
            self._extend(row, hi)
        self.package.touch(self.part)

    @staticmethod
    def _fill(c: etree._Element, value: Value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, Formula):
            c.set("t", "str")
            etree.SubElement(c, _F).text = excel_text(value.text)
            if value.cached is not None:
                etree.SubElement(c, _V).text = excel_text(value.cached)
        elif isinstance(value, str):
            c.set("t", "inlineStr")  # text, never a formula, whatever it starts with
            t = etree.SubElement(etree.SubElement(c, _IS), _T)
            t.text = excel_text(value)
            if value != value.strip() or "\n" in value:
                t.set(f"{{{XML_NS}}}space", "preserve")
        elif isinstance(value, bool):
            c.set("t", "b")
            etree.SubElement(c, _V).text = "1" if value else "0"
        elif isinstance(value, (int, float)):
            etree.SubElement(c, _V).text = _number(value)
        elif isinstance(value, (datetime, date)):
            etree.SubElement(c, _V).text = _number(serial(value))
        else:
            raise TypeError(f"cannot write a {type(value).__name__} into a cell")

    @staticmethod
    def _widen_spans(row_el: etree._Element, col: int) -> None:
        spans = row_el.get("spans")
        if spans and ":" in spans and " " not in spans:
            lo, hi = (int(x) for x in spans.split(":"))
            if not lo <= col <= hi:
                row_el.set("spans", f"{min(lo, col)}:{max(hi, col)}")

    def _extend(self, row: int, col: int) -> None:
        b = self._bounds
        if b is None:
            self._bounds = [row, col, row, col]
        else:
            b[0], b[1], b[2], b[3] = min(b[0], row), min(b[1], col), max(b[2], row), max(b[3], col)

    def add_conditional_format(self, sqref: str, rules: list[tuple[str, int]]) -> None:
        """Add expression rules (formula, dxf index) over ``sqref``, after the sheet's own rules."""
        cf_tag = f"{{{MAIN}}}conditionalFormatting"
        priorities = [int(r.get("priority", "0")) for r in self.root.iter(f"{{{MAIN}}}cfRule")]
        priority = max(priorities, default=0)
        cf = etree.Element(cf_tag, sqref=sqref)
        for formula, dxf in rules:
            priority += 1
            rule = etree.SubElement(cf, f"{{{MAIN}}}cfRule", type="expression", dxfId=str(dxf),
                                    priority=str(priority), stopIfTrue="1")
            etree.SubElement(rule, f"{{{MAIN}}}formula").text = formula
        self._place(cf)
        self.package.touch(self.part)

    # -- a row still held as text (the lazy form): the common edits without parsing it ------------

    def _set_in_text(self, row: int, col: int, value: Value, style: int | None) -> bool:
        """:meth:`set` on a row still held as text, for a cell that is there (a mark written before) or that
        goes right of every cell of the row (a new mark): the cell's XML is written in as :meth:`set` would
        make it. False when the row must be parsed for it."""
        if not self._surely_without(row, col):
            return self._replace_in_text(row, col, value, style)
        if value is None or value == "":
            return style is None or str(style) == "0"  # nothing there and nothing to write: done
        text = self._spans[row]
        tag = _ROW_TAG.match(text)
        last = text.rfind(b"<c ")
        found = _CELL_REF.match(text, last) if last >= 0 else None
        if tag is None or b"'" in tag.group(1) or (last >= 0 and (
                found is None or column_index(found.group(1).decode()) >= col)):
            return False
        s = str(style) if style is not None else None
        if looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
            s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
        cell = _cell_xml(ref_of(row, col), s if s and s != "0" else None, value).encode("utf-8")
        attrs = tag.group(1)
        spans = _SPANS.search(attrs)
        if spans is not None:
            lo, hi = int(spans.group(1)), int(spans.group(2))
            if not lo <= col <= hi:
                attrs = attrs[:spans.start()] + f' spans="{min(lo, col)}:{max(hi, col)}"'.encode() + attrs[spans.end():]
        if tag.group(2):  # <row .../>: the row had no cells
            rest = text[tag.end():]
            self._spans[row] = b"<row" + attrs + b">" + cell + b"</row>" + rest
        else:
            end = text.rfind(b"</row>")
            self._spans[row] = b"<row" + attrs + b">" + text[tag.end():end] + cell + text[end:]
        self._extend(row, col)
        self.package.touch(self.part)
        return True

    def _replace_in_text(self, row: int, col: int, value: Value, style: int | None) -> bool:
        """:meth:`_set_in_text` for a cell that is there (its XML is the text from ``<c r="REF"`` to its end:
        a cell holds no ``<`` but its own elements')."""
        found = self._cell_in_text(row, col)
        if found is None:
            return False
        text, start, end, close = found
        ref = ref_of(row, col)
        old = text[start:end]
        keep = _S_ATTR.search(text, start, close)
        if keep is None and b" s=" in text[start:close]:
            return False
        s = str(style) if style is not None else (keep.group(1).decode() if keep else None)
        had_formula = _FORMULA_START.search(old) is not None
        if value is None or value == "":
            if not s or s == "0":
                self.package.formulas_changed |= had_formula
                self._spans[row] = text[:start] + text[end:]
                self.package.touch(self.part)
                return True
        elif looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
            s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
        self.package.formulas_changed |= had_formula
        cell = _cell_xml(ref, s if s and s != "0" else None, value).encode("utf-8")
        self._spans[row] = text[:start] + cell + text[end:]
        self._extend(row, col)
        self.package.touch(self.part)
        return True

    def rewrite_cells(self, row: int, cells: list[tuple[int, Value, int]]) -> bool:
        """:meth:`set` of each of ``cells`` (column, value, cell format) in a row still held as text whose
        cells are all in those columns (a row of the Issues sheet written before): the row's cells are
        written anew. False (nothing done) when the row is not so."""
        text = self._spans.get(row)
        tag = _ROW_TAG.match(text) if text is not None else None
        if tag is None or b"'" in tag.group(1):
            return False
        columns = {col for col, _, _ in cells}
        for found in _CELL_START.finditer(text):
            ref = _CELL_REF.match(text, found.start())
            if ref is None or column_index(ref.group(1).decode()) not in columns:
                return False
        parts, written = self._cells_xml(row, cells)
        attrs = tag.group(1)
        spans = _SPANS.search(attrs)
        if spans is not None and written:
            lo, hi = int(spans.group(1)), int(spans.group(2))
            lo, hi = min(lo, written[0]), max(hi, written[-1])
            attrs = attrs[:spans.start()] + f' spans="{lo}:{hi}"'.encode() + attrs[spans.end():]
        if _FORMULA_START.search(text):
            self.package.formulas_changed = True
        end = len(text) if tag.group(2) else text.rfind(b"</row>") + len(b"</row>")
        body = "".join(parts).encode("utf-8")
        self._spans[row] = b"<row" + attrs + b">" + body + b"</row>" + text[end:]
        for col in written:
            self._extend(row, col)
        self.package.touch(self.part)
        return True

    def row_attribute(self, row: int, name: str) -> str | None:
        """An attribute of a row element (``ht``, ``customHeight``...), None when it has none or is not there."""
        text = self._spans.get(row)
        if text is not None:
            tag = _ROW_TAG.match(text)
            if tag is not None and b"'" not in tag.group(1):
                found = _attribute(name).search(tag.group(1))
                return None if found is None else found.group(1).decode()
        el = self._element(row)
        return None if el is None else el.get(name)

    def _height_in_text(self, row: int, height: float | None) -> bool:
        """:meth:`set_row_height` on a row still held as text; False when it must be parsed for it."""
        text = self._spans[row]
        tag = _ROW_TAG.match(text)
        if tag is None or b"'" in tag.group(1):
            return False
        attrs = tag.group(1)
        if height is None:
            kept = _HEIGHT_ATTRS.sub(b"", attrs)
            if kept != attrs:
                self._spans[row] = b"<row" + kept + text[tag.end(1):]
                self.package.touch(self.part)
            return True
        new = attrs
        for name, value in (("ht", _number(float(height)).encode()), ("customHeight", b"1")):
            found = _attribute(name).search(new)
            if found is None:  # a new attribute goes last, as lxml puts it
                new += b" " + name.encode() + b'="' + value + b'"'
            elif found.group(1) != value:
                new = new[:found.start(1)] + value + new[found.end(1):]
        if new != attrs:
            self._spans[row] = b"<row" + new + text[tag.end(1):]
            self.package.touch(self.part)
        return True

    def set_row_height(self, row: int, height: float | None) -> None:
        """Give a row a fixed height in points, or (None) let it take the default height again."""
        if row in self._spans and self._height_in_text(row, height):
            return
        el = self._row(row) if height is not None else self._element(row)
        if el is None:
            return
        if height is None:
            if "ht" in el.attrib or "customHeight" in el.attrib:
                el.attrib.pop("ht", None)
                el.attrib.pop("customHeight", None)
                self.package.touch(self.part)
            return
        text = _number(float(height))
        if el.get("ht") != text or el.get("customHeight") != "1":
            el.set("ht", text)
            el.set("customHeight", "1")
            self.package.touch(self.part)

    def set_column(self, col: int, *, width: float | None = None, hidden: bool | None = None,
                   at_least: bool = False) -> None:
        """Width (characters) or hidden state of one column; a ``<col>`` range covering others is split."""
        self._column_styles.clear()
        cols = self.root.find(f"{{{MAIN}}}cols")
        if cols is None:
            cols = etree.Element(f"{{{MAIN}}}cols")
            self._place(cols)
        target = None
        for c in list(cols):
            lo, hi = int(c.get("min", "0")), int(c.get("max", "0"))
            if not lo <= col <= hi:
                continue
            if lo == hi:
                target = c
                break
            parts = [(lo, col - 1), (col, col), (col + 1, hi)]
            for a, b in parts:
                if a > b:
                    continue
                piece = copy.deepcopy(c)
                piece.set("min", str(a))
                piece.set("max", str(b))
                c.addprevious(piece)
                if a == col:
                    target = piece
            cols.remove(c)
            break
        if target is None:
            target = etree.Element(f"{{{MAIN}}}col", min=str(col), max=str(col))
            following = next((c for c in cols if int(c.get("min", "0")) > col), None)
            if following is None:
                cols.append(target)
            else:
                following.addprevious(target)
            if width is None:
                target.set("width", "9.140625")
        if width is not None:
            current = float(target.get("width", "0") or 0)
            if not (at_least and current >= width):
                target.set("width", _number(float(width)))
                target.set("customWidth", "1")
        if hidden is not None:
            if hidden:
                target.set("hidden", "1")
            else:
                target.attrib.pop("hidden", None)
        self.package.touch(self.part)

    def remove_empty_rows(self, rows: Iterable[int]) -> None:
        """Drop row elements left with no cells and nothing of their own (height, style)."""
        for n in rows:
            if n in self._spans and _CELL_START.search(self._spans[n]):
                continue  # holds cells: not empty (and left as bytes)
            el = self._element(n)
            if el is None or len(el) or set(el.attrib) - _PLAIN_ROW:
                continue
            el.getparent().remove(el)
            del self._rows[n]
            self._keys.pop(bisect.bisect_left(self._keys, n))
            self.package.touch(self.part)

    def finish(self) -> None:
        """Widen ``<dimension>`` to the cells set (it only ever grows here)."""
        if self._bounds is None:
            return
        r0, c0, r1, c1 = self._bounds
        dim = self.root.find(f"{{{MAIN}}}dimension")
        if dim is None:
            return
        ref = dim.get("ref", "A1")
        first, _, last = ref.partition(":")
        last = last or first
        try:
            a, b = split_ref(first), split_ref(last)
        except ValueError:
            return
        lo = (min(a[0], r0), min(a[1], c0))
        hi = (max(b[0], r1), max(b[1], c1))
        new = f"{ref_of(*lo)}:{ref_of(*hi)}" if lo != hi else ref_of(*lo)
        if new != ref:
            dim.set("ref", new)


# ---------------------------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------------------------


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source_part))


@dataclass
class NewPart:
    """A part to add with a sheet: its name in the package, bytes, content type and relationships."""

    name: str
    data: bytes
    content_type: str


class Package:
    """An .xlsx or .xlsm workbook opened for writing (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, data: bytes | None = None):
        """Open the workbook at ``path`` (or, given ``data``, those bytes: a scratch package)."""
        self.path = Path(path)
        if data is None:
            try:
                data = self.path.read_bytes()
            except OSError as exc:
                raise UnusableInput(f"{self.path}: cannot be read ({exc.strerror})") from None
            self.fingerprint: Fingerprint | None = Fingerprint.of(self.path, data)
        else:
            self.fingerprint = None
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._order = [i.filename for i in self._zip.infolist()]
            self._infos = {i.filename: i for i in self._zip.infolist()}
            self._trees: dict[str, etree._Element] = {}
            self._declarations: dict[str, bytes] = {}
            self._dirty: set[str] = set()
            self._new: dict[str, bytes] = {}
            self._removed: set[str] = set()
            self._sheets: dict[str, SheetPart] = {}
            #: sheets open in the lazy form (rows kept as bytes), by part
            self._lazy: dict[str, SheetPart] = {}
            self._shared: list[str] | None = None
            self._styles: Styles | None = None
            self._pending_type: dict[str, str] = {}
            #: a formula was overwritten or removed (then Excel's calculation chain must go: it lists them)
            self.formulas_changed = False
            self.workbook_part = self._main_part()
            self.workbook = self.xml(self.workbook_part)
            self.workbook_rels = self.xml(_rels_name(self.workbook_part))
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, EOFError) as exc:
            raise UnusableInput(f"{self.path}: not a workbook cin-xl can write into ({exc.__class__.__name__}: "
                                f"{str(exc)[:120]}); nothing was changed") from None

    # -- parts -------------------------------------------------------------------------------

    def _main_part(self) -> str:
        rels = self.xml("_rels/.rels")
        for rel in rels:
            if rel.get("Type", "").endswith("/officeDocument"):
                return _resolve("", rel.get("Target"))
        raise KeyError("no workbook part")

    def names(self) -> list[str]:
        return [n for n in self._order if n not in self._removed] + [n for n in self._new if n not in self._order]

    def read(self, name: str) -> bytes:
        if name in self._trees and name in self._dirty:
            return self._serialise(name)
        if name in self._new:
            return self._new[name]
        return self._zip.read(name)

    def has(self, name: str) -> bool:
        return name in self._new or (name in self._infos and name not in self._removed)

    def xml(self, name: str) -> etree._Element:
        """The parsed part (edits to it are written back on commit once :meth:`touch` is called). For a sheet
        opened by :meth:`sheet` in the lazy form, its ``<sheetData>`` is empty: the rows are the sheet's."""
        root = self._trees.get(name)
        if root is None:
            root = self._parse(name, self._part_bytes(name))
        return root

    def _part_bytes(self, name: str) -> bytes:
        info = self._infos.get(name)
        if name not in self._new and info is not None and info.file_size > MAX_PART_BYTES:
            raise UnusableInput(f"{self.path}: its part {name} would unpack to {info.file_size // 10**6} MB, far "
                                "beyond any census workbook; nothing was changed")
        return self._new[name] if name in self._new else self._zip.read(name)

    def _parse(self, name: str, data: bytes) -> etree._Element:
        if data.startswith(b"<?xml"):
            declaration = data[:data.index(b"?>") + 2]
            if b"encoding" in declaration and not re.search(rb"encoding=.utf-?8.", declaration, re.I):
                declaration = _DECLARATION  # written back as UTF-8, whatever it was read as
            self._declarations[name] = declaration
        root = etree.fromstring(data, _parser())
        self._trees[name] = root
        return root

    def touch(self, name: str) -> None:
        self._dirty.add(name)

    def put(self, name: str, data: bytes) -> None:
        """Add or replace a part with these bytes."""
        self._new[name] = data
        self._trees.pop(name, None)
        self._lazy.pop(name, None)
        self._dirty.discard(name)
        self._removed.discard(name)

    def remove(self, name: str) -> None:
        self._new.pop(name, None)
        self._trees.pop(name, None)
        self._lazy.pop(name, None)
        self._dirty.discard(name)
        if name in self._infos:
            self._removed.add(name)

    def _serialise(self, name: str) -> bytes:
        lazy = self._lazy.get(name)
        if lazy is not None:
            body = lazy.rows_xml()
        else:
            body = etree.tostring(self._trees[name], encoding="UTF-8", xml_declaration=False)
        declaration = self._declarations.get(name)
        if declaration is None and name not in self._infos:
            declaration = _DECLARATION
        return (declaration + b"\n" if declaration else b"") + body

    def free_name(self, pattern: str) -> str:
        """The first ``pattern % n`` (n = 1, 2, ...) not used in the package."""
        taken = {n.lower() for n in self.names()}
        n = 1
        while (pattern % n).lower() in taken:
            n += 1
        return pattern % n

    # -- relationships and content types -----------------------------------------------------

    def relationships(self, part: str) -> list[tuple[str, str, str, str]]:
        """(Id, Type, target part, TargetMode) of a part's relationships."""
        name = _rels_name(part)
        if not self.has(name):
            return []
        out = []
        for rel in self.xml(name):
            mode = rel.get("TargetMode", "Internal")
            target = rel.get("Target", "")
            out.append((rel.get("Id"), rel.get("Type"), target if mode == "External" else _resolve(part, target),
                        mode))
        return out

    def content_type(self, part: str, content_type: str | None) -> None:
        """Declare (or, with None, forget) the content type of a part."""
        types = self.xml("[Content_Types].xml")
        key = "/" + part
        for o in types.findall(f"{{{CT}}}Override"):
            if o.get("PartName", "").lower() == key.lower():
                if content_type is None:
                    types.remove(o)
                else:
                    o.set("ContentType", content_type)
                self.touch("[Content_Types].xml")
                return
        if content_type is not None:
            etree.SubElement(types, f"{{{CT}}}Override", PartName=key, ContentType=content_type)
            self.touch("[Content_Types].xml")

    # -- cells -------------------------------------------------------------------------------

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            part = next((t for _, typ, t, _ in self.relationships(self.workbook_part)
                         if typ.endswith("/sharedStrings")), None)
            if part and self.has(part):
                for si in self.xml(part).iterchildren(f"{{{MAIN}}}si"):
                    self._shared.append("".join(
                        t.text or "" for t in si.iter(_T)
                        if etree.QName(t.getparent()).localname != "rPh"))
        return self._shared

    def cell_value(self, c: etree._Element) -> object:
        t = c.get("t", "n")
        if t == "inlineStr":
            is_ = c.find(_IS)
            return None if is_ is None else "".join(
                x.text or "" for x in is_.iter(_T) if etree.QName(x.getparent()).localname != "rPh")
        v = c.find(_V)
        if v is None or v.text is None:
            return None if c.find(_F) is None else ""
        if t == "s":
            strings = self.shared_strings()
            i = int(v.text)
            return strings[i] if 0 <= i < len(strings) else ""
        if t in ("str", "e"):
            return v.text
        if t == "b":
            return v.text == "1"
        try:
            return float(v.text)
        except ValueError:
            return v.text

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            part = next(t for _, typ, t, _ in self.relationships(self.workbook_part) if typ.endswith("/styles"))
            self._styles = Styles(self.xml(part))
            self._styles_part = part
        return self._styles

    # -- sheets ------------------------------------------------------------------------------

    def _sheet_elements(self) -> list[etree._Element]:
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        return [] if sheets is None else list(sheets.iterchildren(f"{{{MAIN}}}sheet"))

    def sheet_names(self) -> list[str]:
        return [s.get("name") for s in self._sheet_elements()]

    def sheet_part(self, name: str) -> str | None:
        rels = {rid: target for rid, _, target, _ in self.relationships(self.workbook_part)}
        for s in self._sheet_elements():
            if s.get("name") == name:
                return rels.get(s.get(f"{{{R}}}id"))
        return None

    def sheet(self, name: str) -> SheetPart:
        part = self._sheets.get(name)
        if part is None:
            path = self.sheet_part(name)
            if path is None or not self.has(path):
                raise KeyError(name)
            rows = None
            if path not in self._trees:
                rows = _row_spans(self._part_bytes(path))
            if rows is None:
                part = SheetPart(self, name, path, self.xml(path))
            else:
                part = SheetPart(self, name, path, self._parse(path, rows.rest), rows)
                if part.root.nsmap.get(None) != MAIN or part.data.getparent() is not part.root:
                    self._trees.pop(path, None)  # not the plain form after all: parsed whole
                    part = SheetPart(self, name, path, self.xml(path))
                else:
                    self._lazy[path] = part
            self._sheets[name] = part
        return part

    def last_filled_row(self, name: str) -> int:
        """The number of the last row of a sheet holding cells (0: none), read as a stream when the sheet is
        not open (a sheet of 20,000 children is never all in memory for this)."""
        sheet = self._sheets.get(name)
        part = sheet.part if sheet is not None else self.sheet_part(name)
        if sheet is None and (part is None or not self.has(part)):
            raise KeyError(name)
        if sheet is not None or part in self._trees:
            return max(self.sheet(name).filled_rows(), default=0)
        info = self._infos.get(part)
        if part not in self._new and info is not None and info.file_size > MAX_PART_BYTES:
            self.xml(part)  # refused there, with its message
        found = _last_filled_row(self._part_bytes(part))
        if found is not None:  # the plain form: found in the bytes
            return found
        source = io.BytesIO(self._new[part]) if part in self._new else self._zip.open(part)
        filled: dict[int, bool] = {}  # the later of two rows with one number wins, as in SheetPart
        last = 0
        with source:
            for _, row in etree.iterparse(source, events=("end",), tag=_ROW, resolve_entities=False,
                                          no_network=True, huge_tree=True, load_dtd=False):
                r = row.get("r")
                last = int(r) if r else last + 1
                filled[last] = len(row) > 0
                row.clear(keep_tail=True)
                while row.getprevious() is not None:  # the rows already counted
                    del row.getparent()[0]
        return max((n for n, has_cells in filled.items() if has_cells), default=0)

    def release(self, name: str) -> None:
        """Done with a sheet for now: its edits are kept as bytes and its parsed tree is freed (a sheet of
        20,000 children takes far more memory parsed than written), so sheets can be edited one at a time.
        Opening it again parses those bytes."""
        sheet = self._sheets.pop(name, None)
        if sheet is None:
            return
        sheet.finish()
        if sheet.part in self._dirty and sheet.part in self._trees:
            self.put(sheet.part, self._serialise(sheet.part))
        else:
            self._trees.pop(sheet.part, None)
            self._lazy.pop(sheet.part, None)

    def defined_cells(self, name: str) -> list[tuple[str, str]]:
        """(sheet, cell) of a workbook-level defined name that refers to single cells, such as ``'Start'!$B$12``."""
        names = self.workbook.find(f"{{{MAIN}}}definedNames")
        if names is None:
            return []
        for d in names:
            if d.get("name") == name and d.get("localSheetId") is None:
                out = []
                for part in (d.text or "").split(","):
                    sheet, _, ref = part.strip().rpartition("!")
                    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
                    if sheet and _REF.match(ref):
                        out.append((sheet, ref.replace("$", "")))
                return out
        return []

    def add_sheet(self, name: str, data: bytes, *, index: int | None = None,
                  rels: Iterable[tuple[str, str, NewPart]] = ()) -> str:
        """Add a worksheet named ``name`` at position ``index`` (default last); returns its part name.

        ``rels`` are the sheet's relationships: (Id, Type, part), each part added to the package.
        """
        part = self.free_name("xl/worksheets/sheet%d.xml")
        self._put_sheet(part, data, rels)
        rels_root = self.workbook_rels
        ids = {r.get("Id") for r in rels_root}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        etree.SubElement(rels_root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=REL_WORKSHEET,
                         Target=_relative(self.workbook_part, part))
        self.touch(_rels_name(self.workbook_part))
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        existing = self._sheet_elements()
        sheet_id = max((int(s.get("sheetId", "0")) for s in existing), default=0) + 1
        el = etree.Element(f"{{{MAIN}}}sheet", nsmap={"r": R})
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(f"{{{R}}}id", rid)
        if index is None or index >= len(existing):
            sheets.append(el)
            index = len(existing)
        else:
            existing[index].addprevious(el)
            self._shift_sheet_indexes(index)
        self.touch(self.workbook_part)
        return part

    def _shift_sheet_indexes(self, index: int) -> None:
        """A sheet was inserted at ``index``: sheet-local names and the views point one further on."""
        names = self.workbook.find(f"{{{MAIN}}}definedNames")
        for d in names if names is not None else ():
            local = d.get("localSheetId")
            if local is not None and int(local) >= index:
                d.set("localSheetId", str(int(local) + 1))
        for view in self.workbook.iter(f"{{{MAIN}}}workbookView"):
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and int(value) >= index and not (attr == "firstSheet" and int(value) == 0):
                    view.set(attr, str(int(value) + 1))

    def replace_sheet(self, name: str, data: bytes, *, rels: Iterable[tuple[str, str, NewPart]] = (),
                      drop: Callable[[str, str], None] | None = None) -> None:
        """Put new content in an existing worksheet; the parts only the old sheet used are removed.

        ``drop(type, part)`` is called first for each relationship of the old sheet, and may raise
        (to refuse, when a part is not the tool's to remove).
        """
        part = self.sheet_part(name)
        if part is None:
            raise KeyError(name)
        data = self._keep_code_name(part, data)
        old = self.relationships(part)
        for _, typ, target, mode in old:
            if mode != "External" and drop is not None:
                drop(typ, target)
        for _, _, target, mode in old:
            if mode != "External":
                self._remove_tree(target)
        self.remove(_rels_name(part))
        self._sheets.pop(name, None)
        self._put_sheet(part, data, rels)
        self.formulas_changed = True  # the old sheet's formulas, if any, are gone

    def _keep_code_name(self, part: str, data: bytes) -> bytes:
        """The new content of a sheet with the old one's ``codeName`` (a macro-enabled workbook's VBA
        project has a document module of that name for the sheet)."""
        old = self.xml(part).find(f"{{{MAIN}}}sheetPr")
        code = old.get("codeName") if old is not None else None
        if not code:
            return data
        root = etree.fromstring(data, _parser())
        pr = root.find(f"{{{MAIN}}}sheetPr")
        if pr is None:
            pr = etree.Element(f"{{{MAIN}}}sheetPr")
            root.insert(0, pr)
        pr.set("codeName", code)
        return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)

    def _remove_tree(self, part: str) -> None:
        """Remove a part and what it alone relates to (a drawing and its charts)."""
        if not self.has(part):
            return
        related = self.relationships(part)
        self.remove(_rels_name(part))
        self.remove(part)  # first, so a relationship back to it ends the walk
        self.content_type(part, None)
        for _, _, target, mode in related:
            if mode != "External":
                self._remove_tree(target)

    def _put_sheet(self, part: str, data: bytes, rels: Iterable[tuple[str, str, NewPart]]) -> None:
        self.put(part, data)
        self.content_type(part, CT_WORKSHEET)
        rels = list(rels)
        if rels:
            self.put(_rels_name(part), _rels_xml([(rid, typ, _relative(part, p.name)) for rid, typ, p in rels]))
            for _, _, p in rels:
                self.put(p.name, p.data)
                self.content_type(p.name, p.content_type)

    def import_sheet(self, source: Package, name: str) -> tuple[bytes, list[tuple[str, str, NewPart]]]:
        """A worksheet of another (scratch) package, made to fit this one, for :meth:`add_sheet` or
        :meth:`replace_sheet`: cell formats copied into this package's styles, shared strings made
        inline, and its drawing and charts copied under free part names."""
        root = copy.deepcopy(source.xml(source.sheet_part(name)))
        theirs, ours = source.styles, self.styles
        for c in root.iter(_C):
            if c.get("s"):
                c.set("s", str(ours.import_xf(theirs, int(c.get("s")))))
            if c.get("t") == "s":
                text = source.cell_value(c)
                for child in list(c):
                    c.remove(child)
                c.set("t", "inlineStr")
                t = etree.SubElement(etree.SubElement(c, _IS), _T)
                t.text = text
                if text != text.strip() or "\n" in text:
                    t.set(f"{{{XML_NS}}}space", "preserve")
        for row in root.iter(_ROW):
            if row.get("s"):
                row.set("s", str(ours.import_xf(theirs, int(row.get("s")))))
        for col in root.iter(f"{{{MAIN}}}col"):
            if col.get("style"):
                col.set("style", str(ours.import_xf(theirs, int(col.get("style")))))
        for view in root.iter(f"{{{MAIN}}}sheetView"):
            view.attrib.pop("tabSelected", None)  # else the sheet would be grouped with the active one
        rels = []
        for rid, typ, target, mode in source.relationships(source.sheet_part(name)):
            if mode == "External":
                continue
            new = self._copy_part(source, target)
            rels.append((rid, typ, NewPart(new, self._new[new], self._pending_type.pop(new))))
        data = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
        return data, rels

    def _copy_part(self, source: Package, part: str) -> str:
        """Copy a part (and, recursively, what it relates to) from another package; returns its new name."""
        pattern = re.sub(r"\d*(\.[A-Za-z0-9]+)$", r"%d\1", part.replace("%", "%%"))
        new = self.free_name(pattern)
        self.put(new, source.read(part))
        self._pending_type[new] = source.part_content_type(part)
        rels = source.relationships(part)
        if rels:
            out = []
            for rid, typ, target, mode in rels:
                if mode == "External":
                    out.append((rid, typ, target))
                    continue
                child = self._copy_part(source, target)
                self.content_type(child, self._pending_type.pop(child))
                out.append((rid, typ, _relative(new, child)))
            self.put(_rels_name(new), _rels_xml(out))
        return new

    def part_content_type(self, part: str) -> str:
        types = self.xml("[Content_Types].xml")
        for o in types.iterchildren(f"{{{CT}}}Override"):
            if o.get("PartName", "").lower() == "/" + part.lower():
                return o.get("ContentType")
        ext = part.rsplit(".", 1)[-1].lower()
        for d in types.iterchildren(f"{{{CT}}}Default"):
            if d.get("Extension", "").lower() == ext:
                return d.get("ContentType")
        return "application/octet-stream"

    # -- commit ------------------------------------------------------------------------------

    def commit(self, path: str | os.PathLike | None = None, *, expect: Fingerprint | None = None,
               before_replace: Callable[[], None] | None = None) -> None:
        """Write the package to ``path`` (default: where it came from) whole or not at all.

        The new file is written next to the target and renamed over it, keeping its permission
        bits. Just before the rename the target must still match ``expect`` (default: the
        fingerprint taken when the package was opened) and ``before_replace`` (a lock-file check)
        must pass; otherwise :class:`UnusableInput` is raised and nothing is written.
        """
        target = Path(path) if path is not None else self.path
        expect = expect or (self.fingerprint if target == self.path else None)
        for sheet in self._sheets.values():
            sheet.finish()
        if self._styles is not None and self._styles.changed:
            self.touch(self._styles_part)
        if self.formulas_changed:
            self._drop_calc_chain()
        from cin_xl.safety.atomic import write_atomic

        def checks() -> None:
            if expect is not None:
                check_unchanged(target, expect)
            if before_replace is not None:
                before_replace()

        # a temporary file renamed over the workbook, with its permissions; read-only refused; signals safe
        write_atomic(target, self._write_zip, before_replace=checks)

    def _drop_calc_chain(self) -> None:
        """Remove ``calcChain.xml``, Excel's list of formula cells, once a listed formula is gone: a stale
        chain makes Excel "repair" the file, a missing one is rebuilt silently."""
        rels = self.workbook_rels
        for rel in list(rels):
            if rel.get("Type", "").endswith("/calcChain"):
                part = _resolve(self.workbook_part, rel.get("Target", ""))
                rels.remove(rel)
                self.touch(_rels_name(self.workbook_part))
                self.remove(part)
                self.content_type(part, None)

    def _write_zip(self, fh) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
            for name in self.names():
                if name in self._dirty and name in self._trees:
                    data = self._serialise(name)
                elif name in self._new:
                    data = self._new[name]
                else:
                    data = None
                old = self._infos.get(name)
                if old is not None:
                    info = zipfile.ZipInfo(name, old.date_time)
                    info.compress_type = old.compress_type
                    info.external_attr = old.external_attr
                    info.create_system = old.create_system
                    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                        info.compress_type = zipfile.ZIP_DEFLATED
                    if data is None:  # the same bytes as before, streamed (a large picture is never all in memory)
                        info.file_size = old.file_size
                        with self._zip.open(old) as src, out.open(info, "w", force_zip64=old.file_size > 2**31) as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                        continue
                else:
                    info = zipfile.ZipInfo(name, datetime.now().timetuple()[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                # the fastest level: a marked sheet of 20,000 children is rewritten at every validation
                out.writestr(info, data, compresslevel=1)


def check_unchanged(path: Path, expect: Fingerprint) -> None:
    """Raise :class:`UnusableInput` when the file at ``path`` is not the one read (size, time, content)."""
    same = expect.quick_match(path)
    if same:
        try:
            same = Fingerprint.of(path) == expect
        except OSError:
            same = False
    if not same:
        raise UnusableInput(f"{path} was changed by another program while cin-xl was working on it; nothing "
                            "was written. Run again to mark the saved version.")


def _rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    root = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
    for rid, typ, target in rels:
        etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=typ, Target=target)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + etree.tostring(root, encoding="UTF-8")


__all__ = ["Package", "SheetPart", "Styles", "Formula", "Fingerprint", "NewPart", "check_unchanged", "column_index",
           "column_letters", "split_ref", "ref_of", "serial", "excel_text", "REL_DRAWING", "REL_CHART",
           "REL_PRINTER", "CT_DRAWING", "CT_CHART", "MAIN", "R"]
