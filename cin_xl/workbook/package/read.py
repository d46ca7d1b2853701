"""The cell values of a workbook's sheets, read straight from its package with lxml.

A workbook (.xlsx, .xlsm) is a zip of XML parts: the workbook part lists the sheets (name, order,
the 1904 date system), the styles part says which cells are formatted as dates, the shared-strings
part holds the text of most cells, and each sheet part holds its cells. :func:`sheet_values` reads
these for the sheets asked for and gives each sheet's values as the pure reader
(:func:`cin_xl.workbook.reader.read_grids`) takes them: a list of rows, row 1 first, each row a dict
from the 0-based column index to the value of each cell that holds one (sparse: a cell in column XFD
costs one entry, not 16,384).

Values are what Excel shows the reader: text, ``int`` or ``float``, ``bool``, ``datetime`` for a
number formatted as a date (``time`` for a time of day, ``timedelta`` for an elapsed-time format),
an error such as ``"#N/A"`` as its text. A formula gives its saved result; a formula whose result
was never saved gives :class:`FormulaWithoutValue`, which the reader reports.

Sheet parts are parsed as a stream (one ``<row>`` at a time, then dropped), so memory follows the
cells present. The zip is opened through :class:`.limits.BoundedZip`; XML entities and DTDs are not
loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.workbook.package.limits import CHUNK, MAX_SHARED_STRINGS, MAX_STYLE_RECORDS, BoundedZip, short
from cin_xl.workbook.package.ooxml import OFFICE_DOCUMENT, R, rels_name, resolve

#: Excel's largest sheet
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384

_WORKSHEET, _SHARED_STRINGS, _STYLES = "/worksheet", "/sharedStrings", "/styles"
#: the relationships namespace, transitional and strict
_REL_NAMESPACES = (R, "http://purl.oclc.org/ooxml/officeDocument/relationships")

#: built-in number formats that show a date or time (14-22, 45-47; 27-36 and 50-58 in East Asian
#: versions of Excel), and those of them showing elapsed time
_BUILTIN_DATES = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
_BUILTIN_ELAPSED = frozenset([46])
#: parts of a format code that are not date or time tokens: "literal text", [colour or locale]
#: (but not the elapsed [h] [mm] [ss]), \x escapes, _x spacing, *x fill
_NOT_TOKENS = re.compile(r'"[^"]*"|\[(?![hms]+\])[^\]]*\]|\\.|_.|\*.', re.IGNORECASE)
_DATE_TOKEN = re.compile(r"[dmyhs]", re.IGNORECASE)
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
#: Excel's escape for characters XML cannot hold (_x000D_ for CR; _x005F_ for "_" itself)
#: OOXML's escape of a character, ``_xHHHH_``; a UTF-16 surrogate pair escaped as two is one character
_ESCAPE = re.compile(r"_x(D[89AB][0-9A-F]{2})__x(D[C-F][0-9A-F]{2})_|_x([0-9A-F]{4})_", re.IGNORECASE)

_EPOCH_1900 = datetime(1899, 12, 30)  # serial 1 is 1900-01-01 after Excel's 29 Feb 1900 (serial 60)
_EPOCH_1904 = datetime(1904, 1, 1)
_DAY_MS = 86_400_000

#: a row with no values (shared: rows are only read)
EMPTY_ROW: Mapping[int, object] = MappingProxyType({})
Row = Mapping[int, object]


class FormulaWithoutValue:
    """A cell holding a formula whose result was never saved (a file written by a program, not by Excel).

    The file readers put this in place of the value; the reader reports it on its cell and reads the
    cell as blank, so a missing result is never a silent blank. (Excel, and xlwings, give results.)
    """

    __slots__ = ("formula",)

    def __init__(self, formula: str = ""):
        self.formula = formula

    def __repr__(self) -> str:
        return f"FormulaWithoutValue({self.formula[:40]!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormulaWithoutValue) and other.formula == self.formula

    def __hash__(self) -> int:
        return hash(self.formula)


class SheetRows(list):
    """A sheet's rows as read here: each a dict {0-based column: value}, or :data:`EMPTY_ROW`."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _iterparse(part, tag: str):
    return etree.iterparse(part, events=("end",), tag=tag, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=False)


def is_date_format(code: str) -> bool:
    """A custom number format shows a date or time: d, m, y, h or s outside quotes, brackets and escapes."""
    first = code.split(";", 1)[0]
    return _DATE_TOKEN.search(_NOT_TOKENS.sub("", first)) is not None


def is_elapsed_format(code: str) -> bool:
    return _ELAPSED.search(code.split(";", 1)[0]) is not None


def from_serial(value: float, date1904: bool = False, elapsed: bool = False) -> object:
    """An Excel date serial as ``datetime`` (``time`` below 1, ``timedelta`` for elapsed time), to the ms."""
    if elapsed:
        return timedelta(milliseconds=round(value * _DAY_MS))
    if 0 <= value < 1:  # a time of day alone
        ms = round(value * _DAY_MS)
        if ms < _DAY_MS:
            return (datetime.min + timedelta(milliseconds=ms)).time()
    if date1904:
        base = _EPOCH_1904
    else:
        base = _EPOCH_1900
        if 0 < value < 60:  # before Excel's 29 February 1900
            value += 1
    if isinstance(value, int):
        return base + timedelta(days=value)
    day = int(value // 1)
    return base + timedelta(days=day, milliseconds=round((value - day) * _DAY_MS))


def _unescaped(m: re.Match) -> str:
    if m.group(1):  # a surrogate pair: the character it stands for
        return chr(0x10000 + ((int(m.group(1), 16) - 0xD800) << 10) + int(m.group(2), 16) - 0xDC00)
    code = int(m.group(3), 16)
    # half a surrogate pair is no character: no file or screen could show it, so the text stays as typed
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_unescaped, text)


def _rich_text(el, ns: str) -> str:
    """The text of a shared string or inline string: its <t>, or the <t> of each run (not phonetic runs)."""
    t_tag, r_tag = ns + "t", ns + "r"
    parts = []
    for child in el:
        if child.tag == t_tag:
            parts.append(child.text or "")
        elif child.tag == r_tag:
            for sub in child:
                if sub.tag == t_tag:
                    parts.append(sub.text or "")
    text = "".join(parts)
    return _unescape(text) if "_x" in text else text


def _drop(el) -> None:
    """Free a parsed element and the siblings before it (streaming parse)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _ns(tag: str) -> str:
    return tag[:tag.index("}") + 1] if tag.startswith("{") else ""


class PackageReader:
    """A workbook package opened for reading: its sheets, shared strings and date styles."""

    def __init__(self, path: str | os.PathLike, *, fast: bool = True):
        self.path = Path(path)
        #: read plain sheet parts with :class:`_Scan` (False: always with the XML parser)
        self.fast = fast
        #: the sheets the scan read (the others were read with the XML parser)
        self.scanned: list[str] = []
        self.zip = BoundedZip(self.path)
        try:
            self.workbook_part = self._office_document()
            self.sheets, self.date1904 = self._workbook()
            rels = self._rels(self.workbook_part)
            self._strings_part = next((t for t, kind in rels.values() if kind.endswith(_SHARED_STRINGS)), None)
            self._styles_part = next((t for t, kind in rels.values() if kind.endswith(_STYLES)), None)
            self._strings: list[str] | None = None
            self._date_styles: tuple[frozenset[str], frozenset[str]] | None = None
        except BaseException:
            self.zip.close()
            raise

    # -- parts -----------------------------------------------------------------------------------

    def _damaged(self, member: str, what: str) -> UnusableInput:
        return UnusableInput(f"{self.path.name}: part {short(member)} {what}; save the workbook again as .xlsx "
                             "from Excel or LibreOffice")

    def _parse(self, member: str):
        if not self.zip.has(member):
            raise self._damaged(member, "is missing")
        part = self.zip.open(member)
        try:
            root = etree.parse(part, _parser()).getroot()
            self._no_dtd(root, member)
            return root
        except etree.XMLSyntaxError as exc:
            raise self._damaged(member, f"is not well-formed XML (line {exc.lineno}: {short(exc.msg, 60)})") \
                from None
        finally:
            part.close()

    def _no_dtd(self, el, member: str) -> None:
        """Workbook parts never declare a DTD; one that does (entities, perhaps an entity bomb) is refused."""
        if el.getroottree().docinfo.doctype:
            raise UnusableInput(f"{self.path.name}: part {short(member)} declares a DTD (<!DOCTYPE ...>), which no "
                                "workbook part has; it was not read")

    def _rels(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (target part, type) of the part ``source``."""
        member = rels_name(source)
        if not self.zip.has(member):
            return {}
        out = {}
        for rel in self._parse(member):
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External":
                continue
            out[rel.get("Id") or ""] = (resolve(source, target), rel.get("Type") or "")
        return out

    def _office_document(self) -> str:
        for target, kind in self._rels("").values():
            if kind.endswith(OFFICE_DOCUMENT):
                return target
        return "xl/workbook.xml"

    def _workbook(self) -> tuple[list[tuple[str, str | None]], bool]:
        """[(sheet name, its part or None for a chart sheet)] in workbook order, and the 1904 date system."""
        root = self._parse(self.workbook_part)
        ns = _ns(root.tag)
        rels = self._rels(self.workbook_part)
        props = root.find(ns + "workbookPr")
        date1904 = props is not None and (props.get("date1904") or "").lower() in ("1", "true")
        sheets = []
        holder = root.find(ns + "sheets")
        for sheet in holder if holder is not None else ():
            rid = next((sheet.get(f"{{{n}}}id") for n in _REL_NAMESPACES if sheet.get(f"{{{n}}}id")), None)
            target, kind = rels.get(rid or "", (None, ""))
            sheets.append((sheet.get("name") or "", target if kind.endswith(_WORKSHEET) else None))
        return sheets, date1904

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            member = self._strings_part
            if member and self.zip.has(member):
                part = self.zip.open(member)
                try:
                    for _, si in _iterparse(part, "{*}si"):
                        if not self._strings:
                            self._no_dtd(si, member)
                        elif len(self._strings) >= MAX_SHARED_STRINGS:
                            raise UnusableInput(f"{self.path.name}: it holds more than {MAX_SHARED_STRINGS:,} "
                                                "different texts, far beyond any census workbook; it was not read")
                        self._strings.append(_rich_text(si, _ns(si.tag)))
                        _drop(si)
                except etree.XMLSyntaxError as exc:
                    raise self._damaged(member, f"is not well-formed XML (line {exc.lineno}: "
                                                f"{short(exc.msg, 60)})") from None
                finally:
                    part.close()
        return self._strings

    def date_styles(self) -> tuple[frozenset[str], frozenset[str]]:
        """The cell style indices (as written in ``s="..."``) that show a date or time, and those of elapsed time."""
        if self._date_styles is None:
            dates: set[str] = set()
            elapsed: set[str] = set()
            member = self._styles_part
            if member and self.zip.has(member):
                for index, fid, code in self._cell_formats(member):
                    is_date = is_date_format(code) if code is not None else fid in _BUILTIN_DATES
                    if is_date:
                        dates.add(str(index))
                        if is_elapsed_format(code) if code is not None else fid in _BUILTIN_ELAPSED:
                            elapsed.add(str(index))
            self._date_styles = frozenset(dates), frozenset(elapsed)
        return self._date_styles

    def _cell_formats(self, member: str):
        """(index, number format id, its custom code or None) of each cell format (``cellXfs``) of the styles
        part, read as a stream: a styles part of more than :data:`MAX_STYLE_RECORDS` formats (Excel allows
        64,000) is refused as soon as they are counted, before it costs gigabytes."""
        part = self.zip.open(member)
        codes: dict[int, str] = {}
        out: list[tuple[int, int, str | None]] = []
        records = 0
        try:
            events = etree.iterparse(part, events=("end",), tag=("{*}numFmt", "{*}xf"), resolve_entities=False,
                                     no_network=True, load_dtd=False, huge_tree=False)
            for _, el in events:
                parent = el.getparent()
                if etree.QName(el).localname == "numFmt":
                    try:
                        codes[int(el.get("numFmtId") or "")] = el.get("formatCode") or ""
                    except ValueError:
                        pass
                else:
                    records += 1
                    if records > MAX_STYLE_RECORDS:
                        raise UnusableInput(f"{self.path.name}: its styles hold more than {MAX_STYLE_RECORDS:,} cell "
                                            "formats (Excel allows 64,000); it was not read. Save it again from "
                                            "Excel, or copy the sheets into a new workbook.")
                    if parent is not None and etree.QName(parent).localname == "cellXfs":
                        try:
                            fid = int(el.get("numFmtId") or 0)
                        except ValueError:
                            fid = -1
                        out.append((len(out), fid, codes.get(fid)))
                el.clear()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]  # what was read is let go: memory follows one format, not the table
            self._no_dtd(events.root, member)
        except etree.XMLSyntaxError as exc:
            raise self._damaged(member, f"is not well-formed XML (line {exc.lineno}: {short(exc.msg, 60)})") \
                from None
        finally:
            part.close()
        return [(i, fid, code) for i, fid, code in out if fid >= 0]

    # -- sheets ----------------------------------------------------------------------------------

    def sheet_rows(self, name: str, member: str) -> SheetRows:
        """The values of one sheet part: rows (row 1 first) of {0-based column: value}."""
        if not self.zip.has(member):
            raise self._damaged(member, f"(sheet {short(name)!r}) is missing")
        found = None
        if self.fast:
            part = self.zip.open(member)
            try:
                found = _Scan(self, name).rows(part)
            finally:
                part.close()
            if found is not None:
                self.scanned.append(name)
        if found is None:  # not in the plain form the scan reads: the XML parser reads it
            part = self.zip.open(member)
            try:
                found = self._rows(name, part)
            except etree.XMLSyntaxError as exc:
                raise self._damaged(member, f"(sheet {short(name)!r}) is not well-formed XML (line {exc.lineno}: "
                                            f"{short(exc.msg, 60)})") from None
            finally:
                part.close()
        rows = SheetRows([EMPTY_ROW] * max(found, default=0))
        for number, values in found.items():
            rows[number - 1] = values
        return rows

    def typed(self, sheet: str, ref: str, v: str, t: str | None, s: str | None) -> object:
        """The value of a cell from the text of its <v>, its type ``t`` and style ``s``; None for no value."""
        if t is None or t == "n":
            if not v:
                return None
            try:
                value: object = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
            except ValueError:
                return v  # not a number after all: kept as written
            dates, elapsed = self.date_styles()
            if s is not None and s in dates:
                try:
                    return from_serial(value, self.date1904, s in elapsed)  # type: ignore[arg-type]
                except (OverflowError, ValueError):
                    pass  # beyond the dates Excel shows: the number itself
            return value
        if t == "s":
            try:
                return self.strings()[int(v)] or None
            except (ValueError, IndexError):
                raise UnusableInput(f"{self.path.name}: sheet {short(sheet)!r} cell {short(ref)} points at shared "
                                    f"text {short(v)!r}, which the workbook does not have; save the workbook again "
                                    "from Excel") from None
        if t == "b":
            return True if v == "1" else False if v == "0" else v or None
        if t == "d":
            try:
                return datetime.fromisoformat(v)
            except ValueError:
                return v or None
        if "_x" in v:
            v = _unescape(v)
        return v or None  # str (a formula's text result), e (an error such as #N/A), inlineStr, unknown

    def _rows(self, name: str, part) -> dict[int, dict[int, object]]:
        """Rows read with the XML parser, one <row> at a time (the reference reading of any sheet part)."""
        columns = _COLUMNS
        found: dict[int, dict[int, object]] = {}
        row_number = 0
        ns = None
        c_tag = v_tag = f_tag = is_tag = ""
        for _, row in _iterparse(part, "{*}row"):
            if ns is None:
                ns = _ns(row.tag)
                c_tag, v_tag, f_tag, is_tag = ns + "c", ns + "v", ns + "f", ns + "is"
                self._no_dtd(row, f"sheet {name}")
            r = row.get("r")
            if r is not None:
                try:
                    row_number = int(r)
                except ValueError:
                    raise UnusableInput(f"{self.path.name}: sheet {short(name)!r} has a row numbered "
                                        f"{short(r)!r}; save the workbook again from Excel") from None
            else:
                row_number += 1
            _check_row(row_number, self.path.name, name)
            column = -1
            for c in row:
                if c.tag != c_tag:
                    continue
                ref = c.get("r")
                cell_row = row_number
                if ref is None:
                    column += 1
                else:
                    letters = ref.rstrip("0123456789")
                    column = columns.get(letters, -1)
                    if column < 0:
                        column = _column_index(letters, self.path.name, name, ref)
                    digits = ref[len(letters):]
                    if digits and digits != r:  # the cell's own reference wins, as in the scan
                        try:
                            cell_row = int(digits)
                        except ValueError:
                            raise UnusableInput(f"{self.path.name}: sheet {short(name)!r} has a cell "
                                                f"{short(ref)!r}; save the workbook again from Excel") from None
                        _check_row(cell_row, self.path.name, name)
                v = formula = inline = None
                for child in c:
                    tag = child.tag
                    if tag == v_tag:
                        v = child.text or ""
                    elif tag == f_tag:
                        formula = child.text or ""
                    elif tag == is_tag:
                        inline = child
                if inline is not None and v is None:
                    value: object = _rich_text(inline, ns) or None
                elif v is not None:
                    value = self.typed(name, ref or "", v, c.get("t"), c.get("s"))
                elif formula is not None:
                    value = FormulaWithoutValue(formula)
                else:
                    continue  # a formatted empty cell
                if value is None:
                    continue
                values = found.get(cell_row)
                if values is None:
                    values = found[cell_row] = {}
                values[column] = value
            _drop(row)
        return found

    def sheet_values(self, wanted: Callable[[str], bool] | None = None) -> dict[str, SheetRows]:
        out = {}
        for name, member in self.sheets:
            if wanted is not None and not wanted(name):
                continue
            out[name] = self.sheet_rows(name, member) if member else SheetRows()
        return out

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _NotPlain(Exception):
    """The sheet part is not in the plain form :class:`_Scan` reads: the XML parser reads it instead."""


#: one cell in the plain form Excel, LibreOffice and openpyxl write: r, then s and t in either order;
#: a number or shared-string index in <v>, or an inline string; anything else (a formula, rich text)
#: is the last group, read with the XML parser
_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d{1,7})"(?: s="(\d+)")?(?: t="([a-zA-Z]+)")?(?: s="(\d+)")?\s*'
    r'(?:/>|>\s*(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|(.*?))\s*</c>)', re.S)
_PREFIXED_CELL = re.compile(r"<[\w.-]+:c[\s/>]")


def _prefixed_cell(text: str) -> bool:
    """A cell element with a namespace prefix (<x:c ...>)."""
    return ":c" in text and _PREFIXED_CELL.search(text) is not None
_ROOT = re.compile(r'<(\w+:)?worksheet\b([^>]*)>')
_DEFAULT_NS = re.compile(r'\sxmlns\s*=\s*"([^"]*)"')
_DECLARED_ENCODING = re.compile(r'^<\?xml[^>]*encoding\s*=\s*["\']([^"\']+)["\']')
_XML_ESCAPE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_text(text: str) -> str:
    """Text as the XML parser gives it: line ends normalised, then character and entity references."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        if re.search(r"&(?!#x[0-9a-fA-F]+;|#[0-9]+;|amp;|lt;|gt;|quot;|apos;)", text):
            raise _NotPlain  # not well-formed: the XML parser says so
        text = _XML_ESCAPE.sub(_referenced, text)
    return text


def _referenced(m: re.Match) -> str:
    """The character an XML reference names; one XML does not allow (a surrogate, NUL, past U+10FFFF) is
    not well-formed, and the XML parser says so."""
    if m.group(3):
        return _NAMED[m.group(3)]
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF):
        raise _NotPlain
    return chr(code)


class _Scan:
    """Reads a sheet part in the plain form most programs write, with one regular expression per cell.

    Several times faster than walking the parsed XML in Python (reading a 20,000-child workbook is
    dominated by it). It reads the part in pieces ending at a ``</row>``; a piece holding anything
    outside the plain form (comments, CDATA, prefixed elements, a cell the expression does not
    match, an entity that is not XML's) stops it, and the XML parser reads the part instead
    (:meth:`PackageReader._rows`, the reference reading: tests check both agree).
    """

    def __init__(self, package: PackageReader, sheet: str):
        self.package = package
        self.sheet = sheet
        self.ns = ""

    def rows(self, part) -> dict[int, dict[int, object]] | None:
        try:
            return self._rows(part)
        except (_NotPlain, UnicodeDecodeError):
            return None

    def _pieces(self, part):
        """Decoded text of the sheet data, in pieces that each end with a whole row."""
        pending = b""
        started = False
        while True:
            chunk = part.read(CHUNK)
            if not pending and not started and (b"\x00" in chunk[:2] or chunk[:2] in (b"\xff\xfe", b"\xfe\xff")):
                raise _NotPlain  # UTF-16 (or 32): the XML parser reads it
            pending += chunk
            if not started:
                at = pending.find(b"<sheetData")
                if at < 0:
                    if b":sheetData" in pending or len(pending) > 8 * CHUNK:
                        raise _NotPlain
                    if not chunk:
                        return  # no sheet data: no cells
                    continue
                self._root(pending[:at])
                pending, started = pending[at:], True
            if not chunk:
                tail = pending.decode("utf-8")
                end = tail.find("</sheetData>")
                tail = tail[:end] if end >= 0 else tail
                if tail.count("<c") != tail.count("<co") + tail.count("<ch") or _prefixed_cell(tail):
                    raise _NotPlain  # cells after the last </row>
                return
            end = pending.rfind(b"</row>")
            if end >= 0:
                piece, pending = pending[:end + 6], pending[end + 6:]
                yield piece.decode("utf-8")

    def _root(self, head: bytes) -> None:
        """Checks what comes before the sheet data: UTF-8, and a <worksheet> root whose namespace is the default."""
        text = head.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        declared = _DECLARED_ENCODING.match(text)
        if declared and declared.group(1).lower().replace("-", "") != "utf8":
            raise _NotPlain
        root = _ROOT.search(text)
        if root is None or root.group(1):
            raise _NotPlain  # no <worksheet>, or a prefixed one
        ns = _DEFAULT_NS.search(root.group(2))
        self.ns = f"{{{ns.group(1)}}}" if ns else ""

    def _rows(self, part) -> dict[int, dict[int, object]]:
        package, sheet = self.package, self.sheet
        file = package.path.name
        strings = package.strings()
        dates = package.date_styles()[0]
        typed = package.typed
        columns = _COLUMNS
        found: dict[int, dict[int, object]] = {}
        seen_dates: dict[tuple[str, str], object] = {}
        last_rn = ""
        values: dict[int, object] | None = None
        row_number = 0
        for piece in self._pieces(part):
            if "<!" in piece or "<?" in piece or _prefixed_cell(piece):
                raise _NotPlain  # a comment, CDATA, a processing instruction, a prefixed cell
            cells = _CELL.findall(piece)
            # every "<c" starts a cell the expression read, but for <color> and <charset> in rich text
            if len(cells) != piece.count("<c") - piece.count("<co") - piece.count("<ch"):
                raise _NotPlain
            for letters, rn, s, t, s2, v, text, other in cells:
                if rn != last_rn:
                    last_rn = rn
                    row_number = int(rn)
                    if row_number > MAX_ROWS or row_number < 1:
                        _check_row(row_number, file, sheet)
                    values = found.get(row_number)
                if v:
                    if "&" in v or "\r" in v:
                        v = _xml_text(v)
                    s = s or s2
                    if not t or t == "n":
                        if s and s in dates:
                            key = (v, s)
                            value = seen_dates.get(key)
                            if value is None:
                                value = typed(sheet, letters + rn, v, None, s)
                                seen_dates[key] = value
                        elif "." in v or "E" in v or "e" in v:
                            try:
                                value = float(v)
                            except ValueError:
                                value = v
                        else:
                            try:
                                value = int(v)
                            except ValueError:
                                value = v
                    elif t == "s":
                        try:
                            value = strings[int(v)]
                        except (ValueError, IndexError):
                            value = typed(sheet, letters + rn, v, t, s)  # raises the message
                        if not value:
                            continue
                    else:
                        value = typed(sheet, letters + rn, v, t, s)
                        if value is None:
                            continue
                elif text:
                    if "&" in text or "\r" in text:
                        text = _xml_text(text)
                    value = _unescape(text) if "_x" in text else text
                elif other:
                    value = self._cell(other, letters + rn, t or None, s or s2 or None)
                    if value is None:
                        continue
                else:
                    continue
                column = columns.get(letters)
                if column is None:
                    column = _column_index(letters, file, sheet, letters + rn)
                if values is None:
                    values = found[row_number] = {}
                values[column] = value
        return found

    def _cell(self, content: str, ref: str, t: str | None, s: str | None) -> object:
        """A cell outside the plain form (a formula, rich text), read with the XML parser."""
        try:
            c = etree.fromstring(f'<c xmlns="{self.ns[1:-1]}">{content}</c>' if self.ns else f"<c>{content}</c>",
                                 _parser())
        except etree.XMLSyntaxError:
            raise _NotPlain from None
        ns = self.ns
        v = c.find(ns + "v")
        inline = c.find(ns + "is")
        formula = c.find(ns + "f")
        if v is not None:
            return self.package.typed(self.sheet, ref, v.text or "", t, s)
        if inline is not None:
            return _rich_text(inline, ns) or None
        if formula is not None:
            return FormulaWithoutValue(formula.text or "")
        return None


#: column letters -> 0-based index, filled as letters are met
_COLUMNS: dict[str, int] = {}


def _column_index(letters: str, file: str, sheet: str, ref: str) -> int:
    """0-based index of column ``letters`` (A is 0); beyond XFD is refused."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z" or n > MAX_COLUMNS:
            n = MAX_COLUMNS + 1
            break
        n = n * 26 + ord(ch) - 64
    if not 1 <= n <= MAX_COLUMNS:
        raise UnusableInput(f"{file}: sheet {short(sheet)!r} has a cell {short(ref)!r}, not a cell of Excel's "
                            f"columns A to XFD; save the workbook again from Excel")
    _COLUMNS[letters] = n - 1
    return n - 1


def _check_row(number: int, file: str, sheet: str) -> None:
    if not 1 <= number <= MAX_ROWS:
        raise UnusableInput(f"{file}: sheet {short(sheet)!r} has a row {number:,}, beyond Excel's {MAX_ROWS:,} rows; "
                            "save the workbook again from Excel")


def sheet_values(path: str | os.PathLike, wanted: Callable[[str], bool] | None = None) -> dict[str, SheetRows]:
    """The values of the sheets ``wanted`` accepts (all by default), by sheet name, in workbook order."""
    with PackageReader(path) as package:
        return package.sheet_values(wanted)


__all__ = ["PackageReader", "FormulaWithoutValue", "sheet_values", "from_serial", "is_date_format",
           "is_elapsed_format", "EMPTY_ROW", "MAX_ROWS", "MAX_COLUMNS"]
