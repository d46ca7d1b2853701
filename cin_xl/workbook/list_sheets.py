"""The child-level lists as sheets of their own in a marked workbook: one sheet a list, written by
``cin-xl validate --annotate`` (into the package, here) and by the Validate button (the same grid, through
:mod:`cin_xl.excel.book`).

A list sheet is laid out the same way by both:

- row 1 the list's title, ending with the census year ("Assessments working days list: children in need
  census 2026-27"): how cin-xl knows the sheet for its own (with a hidden defined name ``_cinxl_List_<key>``
  that follows a rename, as the Summary sheet's does);
- row 2 the list's definition, row 3 how many rows and what the links do (each merged across the table,
  wrapped);
- row 5 the header, frozen with the rows above it; from row 6 one row a record: the child (LA child ID), the
  census sheet and row the record is on, then the list's own columns. Dates are dates (shown dd/mm/yyyy).

In the file written by annotate, each LA child ID is a link to the record's row (a ``<hyperlink location=...>``
element of the sheet, never a formula); the Validate button writes the same values without the links (Excel
takes a call a link) and the Sheet and Row columns say where the record is. Text is written as text: an ID
typed as ``=HYPERLINK(...)`` stays that text.

The sheet takes the first of its names that is free ignoring case (:func:`list_sheet_names`): a sheet of the
user's under the same name is kept, never written over (:func:`cin_xl.workbook.annotate.choose_summary_sheet`,
shared with the Summary sheet). Validating again replaces cin-xl's list sheets whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.safety.text_guard import looks_like_formula
from cin_xl.workbook.annotate import choose_summary_sheet, summary_sheet_name
from cin_xl.workbook.layout import MAX_ROW
from cin_xl.workbook.package.columns import column_letters, ref_of
from cin_xl.workbook.package.limits import short
from cin_xl.workbook.package.ooxml import DECLARATION, MAIN, REL_PRINTER, R, quote_sheet_name
from cin_xl.workbook.package.styles import Styles
from cin_xl.workbook.package.values import DAYS_1900_TO_1904, Value, cell_xml, serial
from cin_xl.workbook.package.write import Package

#: what ends each list sheet's title, before the census year
TITLE_TAIL = ": children in need census "
TITLE_ROW, NOTE_ROW, COUNT_ROW, HEADER_ROW = 1, 2, 3, 5
FIRST_ROW = HEADER_ROW + 1
#: Excel keeps at most this many links on a sheet; rows further down name their sheet and row only
MAX_LINKS = 65_530
#: the longest name a list sheet asks for: "cin-xl " + name + " 99" stays within Excel's 31 characters
MAX_NAME = 21
DATE_FORMAT = "dd/mm/yyyy"
#: a hidden defined name per list: which sheet is cin-xl's (it follows a rename in Excel)
DEFINED_NAME = "_cinxl_List_{key}"
#: what the first data row says when a list has no rows
NONE_TEXT = "None in this return."


@dataclass(frozen=True)
class ListSheet:
    """One child-level list, ready to write as a sheet (values only: no figures, no return)."""

    key: str
    #: the sheet's name ("Days to assess"); :data:`MAX_NAME` characters at most
    name: str
    #: the list's own name ("Assessments working days list") and the census year ("2026-27")
    heading: str
    year: str
    definition: str
    #: how many rows, and what they add up to (row 3)
    summary: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    #: per row, the census sheet (as named in the workbook) and row the record is on; None: not known
    links: tuple[tuple[str, int] | None, ...]

    @property
    def title(self) -> str:
        return f"{self.heading}{TITLE_TAIL}{self.year}"

    @property
    def title_pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.heading + TITLE_TAIL) + r"\d{4}-\d{2}$")

    @property
    def width(self) -> int:
        return len(self.header)

    @property
    def numeric_columns(self) -> list[int]:
        """0-based columns holding only numbers and dates (right-aligned, their header too)."""
        out = []
        for i in range(self.width):
            kinds = [isinstance(row[i], (int, float, date, datetime)) for row in self.rows if row[i] is not None]
            if kinds and all(kinds):
                out.append(i)
        return out

    @property
    def date_columns(self) -> list[int]:
        """0-based columns holding dates (any row)."""
        return [i for i in range(self.width) if any(isinstance(row[i], (date, datetime)) for row in self.rows)]


def list_sheet_names(sheet: ListSheet) -> tuple[str, ...]:
    """The names the sheet takes, the first one free ignoring case: its own, then "cin-xl <name>", then
    "cin-xl <name> 2" ... (each within Excel's 31 characters)."""
    name = sheet.name[:MAX_NAME].strip()
    return (name, f"cin-xl {name}", *(f"cin-xl {name} {n}" for n in range(2, 100)))


def link_location(sheet: str, row: int) -> str:
    """Where a list row's link goes: the first cell of the record's row (``'Assessments'!A12``)."""
    return f"{quote_sheet_name(sheet)}!A{row}"


def cell_value(value: object) -> Value:
    """A list's value as a cell holds it: text, numbers and dates as they are; anything else as text."""
    if value is None or isinstance(value, (str, int, float, date, datetime)):
        return value
    return str(value)


def _head(sheet: ListSheet) -> list[list[Value]]:
    """The rows above the data: title, definition, count, a blank row, the header."""
    def line(*cells: Value) -> list[Value]:
        return [*cells, *([None] * (sheet.width - len(cells)))]

    return [line(sheet.title), line(sheet.definition), line(sheet.summary), line(), line(*sheet.header)]


def grid(sheet: ListSheet) -> list[list[Value]]:
    """The sheet as rows of values from A1, every row :attr:`ListSheet.width` cells (what the Validate button
    writes in one block, and what annotate's sheet holds)."""
    out = _head(sheet)
    if not sheet.rows:
        out.append([NONE_TEXT, *([None] * (sheet.width - 1))])
    out += [[cell_value(v) for v in row] for row in sheet.rows[:MAX_ROW - HEADER_ROW]]
    return out


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at word breaks in ``width`` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


#: characters a bold header loses to its indent and weight
_HEADER_SLACK = 3


def column_widths(sheet: ListSheet) -> list[float]:
    """Widths (characters) fitting each column's values and its header on two lines at most."""
    widths = []
    for i, head in enumerate(sheet.header):
        longest = 0
        for row in sheet.rows:
            v = row[i]
            if v is None:
                continue
            n = 10 if isinstance(v, (date, datetime)) else len(v) if isinstance(v, str) else len(str(v))
            if n > longest:
                longest = n
        width = max(10, longest + 3)
        while _lines(head, width - _HEADER_SLACK) > 2:
            width += 1
        widths.append(float(min(45, width)))
    return widths


def text_height(text: str, width: float, points: float = 13.0) -> float:
    """Height (points) of a row whose wrapped ``text`` runs across ``width`` characters of 10-point text."""
    return min(409.0, points * _lines(text, width * 1.2) + 4)  # 10-point text: some 1.2 characters a unit


def header_height(sheet: ListSheet, widths: list[float]) -> float:
    lines = max((_lines(h, w - _HEADER_SLACK) for h, w in zip(sheet.header, widths)), default=1)
    return 15.0 * lines + 3


# ---------------------------------------------------------------------------------------------
# Into a workbook package (annotate)
# ---------------------------------------------------------------------------------------------

#: the list sheets' cell formats, imported into the workbook's styles when first needed (text indented a little,
#: so that it never runs into a number right-aligned beside it)
_STYLES = f"""<styleSheet xmlns="{MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>
<fonts count="5">
<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>
<font><b/><sz val="14"/><color rgb="FF0B0C0C"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>
<font><sz val="10"/><color rgb="FF505A5F"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>
<font><b/><sz val="11"/><color rgb="FF0B0C0C"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>
<font><u/><sz val="11"/><color rgb="FF1D70B8"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>
</fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFF3F2F1"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>
<border><left/><right/><top/><bottom style="thin"><color rgb="FF505A5F"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="11">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">
  <alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="3" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1"
  applyBorder="1" applyAlignment="1">
  <alignment horizontal="left" vertical="bottom" wrapText="1" indent="1"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="4" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">
  <alignment horizontal="left" indent="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyAlignment="1">
  <alignment horizontal="left" indent="1"/></xf>
<xf numFmtId="0" fontId="4" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1" applyAlignment="1">
  <alignment horizontal="left" indent="1"/></xf>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">
  <alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="3" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1"
  applyBorder="1" applyAlignment="1">
  <alignment horizontal="right" vertical="bottom" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">
  <alignment horizontal="left" indent="1"/></xf>
</cellXfs>
</styleSheet>"""
PLAIN, TITLE, NOTE, HEADER, DATE, LINK, TEXT_KEPT, LINK_KEPT, COUNT, HEADER_RIGHT, TEXT = range(11)


def _formats(pkg: Package) -> list[str]:
    """The list sheets' cell formats as numbers of the workbook's own styles (appended when new)."""
    ours = Styles(etree.fromstring(_STYLES.encode()))
    return [str(pkg.styles.import_xf(ours, i)) for i in range(11)]


def sheet_xml(sheet: ListSheet, formats: list[str], *, date1904: bool = False) -> bytes:
    """The list sheet as a worksheet part (see the module doc); ``formats``: :func:`_formats`."""
    rows = _head(sheet)
    data = max(1, min(len(sheet.rows), MAX_ROW - HEADER_ROW))  # rows below the header
    widths = column_widths(sheet)
    width = sheet.width
    last_col = column_letters(width)
    s = formats
    out: list[str] = []
    add = out.append
    dates = set(sheet.date_columns)

    def row_xml(number: int, cells: list[Value], style_of: Callable[[int, Value], int],
                height: float | None = None) -> None:
        parts = []
        for i, value in enumerate(cells):
            if isinstance(value, (date, datetime)):
                value = serial(value, date1904)
            style = style_of(i, value)
            if value is None and style == PLAIN:
                continue
            parts.append(cell_xml(f"{column_letters(i + 1)}{number}", s[style] if style else None, value))
        ht = f' ht="{height:g}" customHeight="1"' if height is not None else ""
        if parts or ht:
            add(f'<row r="{number}"{ht}>{"".join(parts)}</row>')

    total = sum(widths)
    row_xml(TITLE_ROW, rows[0], lambda i, v: TITLE if i == 0 else PLAIN, 21)
    row_xml(NOTE_ROW, rows[1], lambda i, v: NOTE, text_height(sheet.definition, total))
    row_xml(COUNT_ROW, rows[2], lambda i, v: COUNT, text_height(sheet.summary, total))
    numeric = set(sheet.numeric_columns)
    row_xml(HEADER_ROW, rows[4], lambda i, v: HEADER_RIGHT if i in numeric else HEADER, header_height(sheet, widths))

    data_rows(sheet, formats, dates, date1904, add)
    links = [(FIRST_ROW + i, link) for i, link in enumerate(sheet.links[:data]) if link is not None][:MAX_LINKS]
    last_row = HEADER_ROW + data
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    hyperlinks = ""
    if links:
        quoted = {sh: (_attr(quote_sheet_name(sh)), _attr(sh)) for sh in {sh for _, (sh, _) in links}}
        hyperlinks = "<hyperlinks>" + "".join(
            f'<hyperlink ref="A{n}" location="{quoted[sh][0]}!A{r}" tooltip="Go to {quoted[sh][1]} row {r}"/>'
            for n, (sh, r) in links) + "</hyperlinks>"
    merge = (f'<mergeCells count="2"><mergeCell ref="A{NOTE_ROW}:{last_col}{NOTE_ROW}"/>'
             f'<mergeCell ref="A{COUNT_ROW}:{last_col}{COUNT_ROW}"/></mergeCells>' if width > 1 else "")
    head = (f'<worksheet xmlns="{MAIN}" xmlns:r="{R}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last_col}{last_row}"/>'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{HEADER_ROW}" topLeftCell="A{FIRST_ROW}" '
            f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{FIRST_ROW}" '
            f'sqref="A{FIRST_ROW}"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData>')
    tail = (f'</sheetData>{merge}{hyperlinks}'
            '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
    return DECLARATION + (head + "".join(out) + tail).encode("utf-8")


#: text written as it is in a cell's XML: no character to escape, no space to keep at either end
_PLAIN_TEXT = re.compile(r"[^\s&<>_\x00-\x1f\ufffe\uffff](?:[^&<>_\x00-\x1f\ufffe\uffff]*"
                         r"[^\s&<>_\x00-\x1f\ufffe\uffff])?")
#: Excel's day 0 in the 1900 date system, as a proleptic ordinal
_DAY0 = date(1899, 12, 30).toordinal()


def data_rows(sheet: ListSheet, formats: list[str], dates: set[int], date1904: bool,
              add: Callable[[str], None]) -> None:
    """The XML of the data rows (from :data:`FIRST_ROW`; a row saying there are none when the list is empty):
    each LA child ID in the link format (the first :data:`MAX_LINKS` rows that link), text as inline strings
    (the quote prefix where it looks like a formula), dates as day numbers shown dd/mm/yyyy. The common cells
    are written directly; any other goes through :func:`~cin_xl.workbook.package.values.cell_xml`."""
    if not sheet.rows:
        add(f'<row r="{FIRST_ROW}">{cell_xml(f"A{FIRST_ROW}", formats[TEXT], NONE_TEXT)}</row>')
        return
    letters = [column_letters(i + 1) for i in range(sheet.width)]
    day0 = _DAY0 + (DAYS_1900_TO_1904 if date1904 else 0)
    plain = _PLAIN_TEXT.fullmatch
    styles = {(False, False): formats[TEXT], (False, True): formats[TEXT_KEPT], (True, False): formats[LINK],
              (True, True): formats[LINK_KEPT]}
    date_style = formats[DATE]
    linked = 0
    row: tuple[Any, ...]
    v: Any
    for offset, row in enumerate(sheet.rows[:MAX_ROW - HEADER_ROW]):
        n = FIRST_ROW + offset
        link = offset < len(sheet.links) and sheet.links[offset] is not None and linked < MAX_LINKS
        linked += link
        parts = []
        for i, v in enumerate(row):
            if v is None:
                continue
            kind = v.__class__
            if kind is str:
                if not v:
                    continue
                style = styles[link and i == 0, looks_like_formula(v)]
                if plain(v):
                    parts.append(f'<c r="{letters[i]}{n}" s="{style}" t="inlineStr"><is><t>{v}</t></is></c>')
                else:
                    parts.append(cell_xml(f"{letters[i]}{n}", style, v))
            elif kind is int:
                parts.append(f'<c r="{letters[i]}{n}"><v>{v}</v></c>')
            elif kind is date and i in dates:
                parts.append(f'<c r="{letters[i]}{n}" s="{date_style}"><v>{v.toordinal() - day0}</v></c>')
            else:
                value = cell_value(v)
                if isinstance(value, (date, datetime)):
                    value = serial(value, date1904)
                parts.append(cell_xml(f"{letters[i]}{n}", date_style if i in dates and isinstance(
                    value, float) else None, value))
        add(f'<row r="{n}">{"".join(parts)}</row>')


def _attr(text: str) -> str:
    """Text for an XML attribute in double quotes (a sheet name: no character XML cannot hold)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def _only_printer_settings(sheet: str):
    """For :meth:`Package.replace_sheet`: a list sheet holds nothing of its own; anything a person added
    (a picture, a note, a chart) stops the run rather than being removed."""
    def check(rel_type: str, part: str) -> None:
        if rel_type != REL_PRINTER:
            raise UnusableInput(f"The '{sheet}' sheet holds a picture, shape or note that cin-xl did not put there, "
                                "and validation replaces that sheet; move it to another sheet and run again. "
                                "Nothing was changed.")

    return check


def list_sheet_name(pkg: Package, sheet: ListSheet, taken: Sequence[str] = ()) -> tuple[str, bool]:
    """The sheet of the package the list goes in, and whether it is cin-xl's already (then it is replaced)."""
    names = pkg.sheet_names()
    recorded = tuple(n for n, _ in pkg.defined_cells(DEFINED_NAME.format(key=sheet.key)) if n in names)

    def title_of(name: str) -> object:
        try:
            return pkg.sheet(name).value("A1")
        except KeyError:
            return None

    return choose_summary_sheet([*names, *taken], title_of, recorded, candidates=list_sheet_names(sheet),
                                title=sheet.title_pattern)


def planned_names(pkg: Package, sheets: Sequence[ListSheet]) -> dict[str, str]:
    """Each list's key -> the sheet :func:`write_list_sheets` will write it on (for the Summary sheet to name and
    link to, drawn before the lists are written)."""
    return {sheet.key: list_sheet_name(pkg, sheet)[0] for sheet in sheets}


def write_list_sheets(pkg: Package, sheets: Sequence[ListSheet]) -> list[str]:
    """Each list as a sheet of the package (cin-xl's earlier one replaced in its place; a new one after the
    Summary sheet, the lists in order); returns the sheets' names."""
    if not sheets:
        return []
    formats = _formats(pkg)
    names = pkg.sheet_names()
    summary, ours = summary_sheet_name(pkg)
    after = names.index(summary) if ours and summary in names else len(names) - 1
    written: list[str] = []
    for sheet in sheets:
        name, ours = list_sheet_name(pkg, sheet)
        data = sheet_xml(sheet, formats, date1904=pkg.date1904)
        if ours:
            _refuse_notes_beside(pkg, name, sheet.width)
            pkg.replace_sheet(name, data, drop=_only_printer_settings(name))
            after = pkg.sheet_names().index(name)
        else:
            after += 1
            pkg.add_sheet(name, data, index=after)
        pkg.set_defined_name(DEFINED_NAME.format(key=sheet.key), f"{quote_sheet_name(name)}!$A$1", hidden=True)
        _print_titles(pkg, name)
        written.append(name)
    return written


def _refuse_notes_beside(pkg: Package, name: str, width: int) -> None:
    """cin-xl's list sheet is replaced whole: a value a person typed right of the list (a column of checks, say)
    stops the run rather than being lost."""
    part = pkg.sheet(name)
    for row in part.rows():
        for col in part.cell_columns(row):  # searched in the row's text, parsed only right of the list
            if col > width and (value := part.value_at(row, col)) not in (None, ""):
                raise UnusableInput(f"The '{name}' sheet holds {short(value)!r} in {ref_of(row, col)}, beside the "
                                    "list cin-xl writes there, and validation replaces that sheet; copy what you wrote "
                                    "to a sheet of your own and run again. Nothing was changed.")


def _print_titles(pkg: Package, name: str) -> None:
    """The header row printed at the top of every page (the sheet's own ``_xlnm.Print_Titles``)."""
    index = str(pkg.sheet_names().index(name))
    names = pkg.workbook.find(f"{{{MAIN}}}definedNames")  # there: the list's own hidden name was just set
    text = f"{quote_sheet_name(name)}!${HEADER_ROW}:${HEADER_ROW}"
    found = next((d for d in names if d.get("name") == "_xlnm.Print_Titles" and d.get("localSheetId") == index),
                 None)
    if found is None:
        found = etree.SubElement(names, f"{{{MAIN}}}definedName", name="_xlnm.Print_Titles", localSheetId=index)
    found.text = text
    pkg.touch(pkg.workbook_part)


__all__ = ["ListSheet", "list_sheet_names", "link_location", "grid", "column_widths", "sheet_xml",
           "write_list_sheets", "list_sheet_name", "TITLE_TAIL", "HEADER_ROW", "FIRST_ROW", "MAX_LINKS", "NONE_TEXT",
           "DATE_FORMAT", "DEFINED_NAME"]
