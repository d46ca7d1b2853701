"""The census workbook, built with openpyxl from the year's layout (:mod:`.layout`).

One builder makes both the empty template and a filled workbook (import, ``--sample``) with
openpyxl in write-only mode; the data rows of the table sheets, half a million cells for 20,000
children, are written as XML directly (:class:`_DataRows`, the same bytes openpyxl writes) and put
into the saved package, as openpyxl's cost per cell would be most of the time an import takes.

What each module sheet gets: headers named by the data items (a note with the DfE definition,
XML name, N-code and allowed values); an input message per column; a dropdown of "code - label"
for every coded item; date checks on dates; yes/no dropdowns; the child ID dropdown on linked
sheets; frozen header row and key columns; filters; widths that fit; an Issues column and a hidden
Marks column with conditional formatting for the marks of validation (see :mod:`.layout`).
"""

from __future__ import annotations

import io
import math
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, BinaryIO

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from cin_xl import __version__
from cin_xl.census.spec import CODE_SETS, Kind
from cin_xl.census.spec.la_codes import LA_CODES
from cin_xl.census.years import READABLE_YEARS, SUPPORTED_YEARS, CensusYear
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.validation.findings import Finding
from cin_xl.workbook.cells import DATE_FORMAT, DATETIME_FORMAT, TEXT_FORMAT, cell_value, needs_text_guard
from cin_xl.workbook.issues import ISSUES_SHEET_WIDTHS, issue_rows, issues_row_height
from cin_xl.workbook.layout import (
    CENSUS_YEAR_LABEL,
    HEADER_ROW,
    ISSUES,
    ISSUES_COLUMNS,
    ISSUES_HEADER,
    ISSUES_WIDTH,
    KEY,
    LEGAL_STATUSES,
    LINK,
    LISTS,
    LOOKED_AFTER,
    MARK_ERROR,
    MARK_QUERY,
    MARKS_HEADER,
    MAX_ROW,
    RETURN,
    RETURN_HEADERS,
    START,
    XLWINGS_CONF_SHEET,
    Column,
    cf_formula,
    cf_row_formula,
    looked_after_columns,
    modules_for,
    return_rows,
)
from cin_xl.workbook.mark_styles import ERROR_MARK, QUERY_MARK, MarkStyle
from cin_xl.workbook.package.columns import column_letters
from cin_xl.workbook.package.ooxml import quote_sheet_name
from cin_xl.workbook.package.values import excel_text
from cin_xl.workbook.rows import WorkbookRows, header_values

_FONT = "Calibri"
# Header styles: required items dark blue, optional light grey, link columns green (Okabe-Ito).
_HEAD_REQUIRED = (PatternFill("solid", fgColor="0072B2"), Font(name=_FONT, bold=True, color="FFFFFF"))
_HEAD_OPTIONAL = (PatternFill("solid", fgColor="DDE3EA"), Font(name=_FONT, bold=True, color="000000"))
_HEAD_LINK = (PatternFill("solid", fgColor="009E73"), Font(name=_FONT, bold=True, color="FFFFFF"))
_HEAD_ISSUES = (PatternFill("solid", fgColor="F0E442"), Font(name=_FONT, bold=True, color="000000"))
_THIN = Side(style="thin", color="7F7F7F")
_HEAD_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="top")
_HEADER_HEIGHT = 48
_ISSUES_NOTE = ("Issues found by validation on this row, one per line: rule code, severity and message. "
                "Filled by cin-xl validate; you do not need to type here.")
_MARKS_NOTE = "Hidden helper column used by validation to highlight cells. Leave it alone."
#: "Last checked" on the Start sheet
DATETIME_MINUTES = "dd/mm/yyyy hh:mm"
_DATE_LIMITS = ("DATE(1900,1,1)", "DATE(2099,12,31)")
_MIDNIGHT = datetime.min.time()
_AUTHOR = "cin-xl"

LIST_YESNO, LIST_LA, LIST_YEARS, LIST_LEGAL = "List_YesNo", "List_LA", "List_Years", "List_LegalStatus"


def dropdown_text(code) -> str:
    """A code as its dropdown shows it: "code - label", or the code alone where we give no label."""
    return f"{code.code} - {code.label}" if code.label else code.code


def list_name(codeset: str) -> str:
    return f"List_{codeset}"


# ---------------------------------------------------------------------------------------------
# Guidance text
# ---------------------------------------------------------------------------------------------


#: the codes a many-coded column's prompt gives as its example, by code set: real codes of that set
MANY_CODES_EXAMPLE = {"Disability": ("MOB", "LD"), "AssessmentFactors": ("3B", "4B")}


def many_codes_example(item) -> str:
    """``"MOB, LD"``: codes of the item's own code set, as several are typed in one cell."""
    codes = MANY_CODES_EXAMPLE.get(item.codeset or "")
    if codes is None:
        codes = tuple(c.code for c in item.code_set.codes[:2]) if item.code_set else ()
    return ", ".join(codes)


def _default_guidance(col: Column) -> str:
    kind, many = col.item.kind, col.item.many
    if col.role == LINK and kind is Kind.TEXT:
        return "The child this row is about: pick an LA child ID from the Children sheet."
    if col.role == LINK:
        return "The referral date of the episode this row belongs to, as on the Referrals sheet."
    if kind is Kind.DATE:
        return "A date, for example 31/03/2027."
    if kind is Kind.DATETIME:
        return "A date and time; left blank, export puts the time of export."
    if kind is Kind.CODE and many:
        return ("Pick one from the list, or type several codes separated by commas (for example "
                f"{many_codes_example(col.item)}).")
    if kind is Kind.CODE:
        return "Pick from the list, or type the code."
    if kind is Kind.BOOL:
        return "Yes or No."
    if kind is Kind.INT:
        return "A whole number, 0 or more."
    return ""


def _prompt(col: Column) -> tuple[str, str]:
    """(title, message) of a column's input message: Excel allows 32 and 255 characters."""
    item = col.item
    if col.role == LINK:
        return col.header[:32], _default_guidance(col)[:255]
    parts = [item.guidance.rstrip(".") + "." if item.guidance else "", _default_guidance(col)]
    if col.index:
        stem = col.header.rsplit(" ", 1)[0]
        parts.insert(0, f"One per column ({stem} 1, 2, ...); for more, add a column headed '{stem}' and the "
                        "next number.")
    parts.append("Required." if item.required else "")
    text = " ".join(p for p in parts if p)
    return col.header[:32], text[:255]


def _note(col: Column, year: CensusYear) -> str:
    item = col.item
    lines = [col.header, f"XML: {item.xml}" + (f"   DfE item: {item.ncode}" if item.ncode else "")]
    if col.role == LINK:
        lines.append("Links this row to its " + ("child (Children sheet)." if item.kind is Kind.TEXT
                                                  else "episode (Referrals sheet)."))
    else:
        lines.append("Required" if item.required else "Optional")
    if item.guidance:
        lines.append(item.guidance)
    if item.many and col.index == 0:
        lines.append("Several values: separate them with commas.")
    if col.index:
        lines.append("One review per column; add more columns numbered the same way if needed.")
    if item.code_set is not None and col.role != LINK:
        codes = item.code_set.for_year(year)
        if len(codes) <= 12:
            lines.append("Allowed: " + "; ".join(f"{c.code} {c.label}".strip() for c in codes))
        else:
            lines.append("Allowed: " + ", ".join(c.code for c in codes) + " (labels in the column's dropdown)")
    elif item.kind in (Kind.DATE, Kind.DATETIME):
        lines.append("Format: a date, dd/mm/yyyy")
    elif item.kind is Kind.BOOL:
        lines.append("Yes or No")
    if item.max_length:
        lines.append(f"At most {item.max_length} characters")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------


def _header_cell(ws, text: str, style: tuple[PatternFill, Font], note: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.fill, cell.font = style
    cell.border, cell.alignment = _HEAD_BORDER, _HEAD_ALIGN
    if note:
        lines = note.count("\n") + 1 + len(note) // 60
        cell.comment = Comment(note, _AUTHOR, height=min(400, 22 + 17 * lines), width=340)
    return cell


def _data_cell(ws, value: object):
    """A value as a cell: dates formatted, text kept as text (never a formula)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATETIME_FORMAT if value.time() != datetime.min.time() else DATE_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        value = excel_text(value)  # as Excel stores it, so it reads back as typed (openpyxl does not)
        if needs_text_guard(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # openpyxl takes "=..." for a formula: force text
            cell.quotePrefix = True
            cell.number_format = TEXT_FORMAT
            return cell
        return value
    return value


class _DataRows:
    """The data rows of a sheet as the XML openpyxl writes for ``ws.append([_data_cell(ws, v) ...])``,
    byte for byte, without openpyxl's cost per cell (a 20,000-child return has half a million cells).

    Cells of the common kinds (text, numbers, dates) are written here; a cell format is registered
    with openpyxl the first time a value needs it, as openpyxl would, so the styles part is the same.
    Anything else (an empty text, a number Excel cannot hold) is
    written by openpyxl itself. ``tests/workbook/test_data_rows.py`` compares the two.
    """

    def __init__(self, ws):
        self.ws = ws
        self.styles: dict[str, str] = {}  # "date", "datetime", "guard" -> cell format index
        #: value -> its cell's XML after the reference, for codes and dates (they repeat down a sheet)
        self.known: dict[object, str] = {}

    def _style(self, key: str, value: object) -> str:
        found = self.styles.get(key)
        if found is None:
            found = self.styles[key] = str(_data_cell(self.ws, value).style_id)
        return found

    def _tail(self, value: Any, kind: type) -> str | None:
        """A text or date cell's XML after its reference (None: a value openpyxl itself writes).

        ``value`` is of exactly the class ``kind`` (str, date or datetime): typed ``Any``, as mypy does not
        narrow a value by a class held in a variable."""
        if kind is str:
            text = excel_text(value)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            if needs_text_guard(text):
                return f' s="{self._style("guard", value)}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'
            if text:
                return f' t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'
            return None
        if kind is date or (kind is datetime and value.tzinfo is None):
            key = "datetime" if kind is datetime and value.time() != _MIDNIGHT else "date"
            return f' s="{self._style(key, value)}" t="n"><v>{_openpyxl_number(to_excel(value))}</v></c>'
        return None

    def _by_openpyxl(self, value: object, row: int, col: int) -> str:
        from openpyxl.cell._writer import write_cell

        cell = _data_cell(self.ws, value)
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(self.ws, value=cell)
        cell.row, cell.column = row, col
        if cell._value is None and not cell.has_style:
            return ""
        buf = io.BytesIO()
        with etree.xmlfile(buf) as xf:
            write_cell(xf, self.ws, cell, cell.has_style)
        return buf.getvalue().decode()

    def write(self, rows: Sequence[list[object]], first: int, fh: BinaryIO,
              heights: dict[int, float] | None = None) -> None:
        """Write the ``<row>`` elements of ``rows`` to ``fh``, the first numbered ``first`` (``heights``: points
        by sheet row, as openpyxl writes a row dimension's height)."""
        letters = [column_letters(i) for i in range(1, max((len(r) for r in rows), default=0) + 1)]
        known = self.known
        out: list[str] = []
        add = out.append
        value: Any  # dispatched on its exact class, ``kind`` (mypy does not narrow by a class in a variable)
        for r, row in enumerate(rows, start=first):
            if len(out) == 2000:  # a few hundred kB at a time: the sheet's XML is never all in memory
                fh.write("".join(out).encode("ascii", "xmlcharrefreplace"))
                out.clear()
            cells: list[str] = []
            put = cells.append
            for i, value in enumerate(row):
                if value is None:
                    continue
                kind = type(value)
                if kind is int or (kind is float and math.isfinite(value)):
                    put(f'<c r="{letters[i]}{r}" t="n"><v>{_openpyxl_number(value)}</v></c>')
                    continue
                repeats = kind is str or kind is date or kind is datetime
                tail = known.get(value) if repeats else None
                if tail is None:
                    tail = self._tail(value, kind) if repeats else None
                    if tail is None:
                        put(self._by_openpyxl(value, r, i + 1))
                        continue
                    if len(known) < 20_000 and (kind is not str or len(value) <= 8):  # codes, not IDs
                        known[value] = tail
                put(f'<c r="{letters[i]}{r}"{tail}')
            height = heights.get(r) if heights else None
            if height is None:
                add(f'<row r="{r}">{"".join(cells)}</row>')
            else:
                add(f'<row r="{r}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>')
        fh.write("".join(out).encode("ascii", "xmlcharrefreplace"))  # as openpyxl: other characters as references


def _openpyxl_number(value: float | int) -> str:
    return f"{value:.16g}"  # as openpyxl.compat.safe_string writes a number


def _xml_text(text: str) -> str:
    # as lxml escapes text content (openpyxl writes through lxml): & < > and a carriage return
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _splice_rows(data: bytes, bodies: dict[str, BinaryIO]) -> bytes:
    """The saved workbook ``data`` with each sheet part's data rows (a file) put after its header row."""
    if not bodies:
        return data
    out = io.BytesIO()
    # level 1: the data sheets are most of the work, and a quarter larger compressed is no harm
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                                                                    compresslevel=1) as dst:
        for info in src.infolist():
            content = src.read(info)
            body = bodies.get(info.filename)
            if body is None:
                dst.writestr(info, content, compresslevel=1)
                continue
            head, sep, tail = content.rpartition(b"</sheetData>")
            body.seek(0)
            streamed = zipfile.ZipInfo(info.filename, info.date_time)
            streamed.compress_type, streamed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            # a member opened for writing takes its level from its ZipInfo (compress_level from Python 3.13)
            setattr(streamed, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel", 1)
            with dst.open(streamed, "w") as member:  # streamed: never all in memory (parts are far below 2 GB)
                member.write(head)
                shutil.copyfileobj(body, member, 1 << 20)
                member.write(sep + tail)
    return out.getvalue()

def _dv(sqref: str, *, kind: str | None, formula1: str | None = None, formula2: str | None = None,
        operator: str | None = None, prompt: tuple[str, str] | None = None, error: str | None = None,
        error_style: str = "stop") -> DataValidation:
    dv = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator, allow_blank=True,
                        showInputMessage=bool(prompt), showErrorMessage=bool(error))
    if prompt:
        dv.promptTitle, dv.prompt = prompt
    if error:
        dv.errorTitle, dv.error, dv.errorStyle = "Check this value", error[:255], error_style
    dv.add(sqref)
    return dv


def _column_validation(col: Column, sqref: str, year: CensusYear) -> DataValidation:
    item, prompt = col.item, _prompt(col)
    if col.role == LINK and item.kind is Kind.TEXT:
        return _dv(sqref, kind="list", formula1="ChildIDs", prompt=prompt, error_style="warning",
                   error="This LA child ID is not on the Children sheet.")
    if item.kind is Kind.CODE and item.codeset:
        return _dv(sqref, kind="list", formula1=list_name(item.codeset), prompt=prompt)
    if item.kind in (Kind.DATE, Kind.DATETIME):
        return _dv(sqref, kind="date", operator="between", formula1=_DATE_LIMITS[0], formula2=_DATE_LIMITS[1],
                   prompt=prompt, error="Enter a date, for example 31/03/2027.")
    if item.kind is Kind.BOOL:
        return _dv(sqref, kind="list", formula1=LIST_YESNO, prompt=prompt)
    if item.kind is Kind.INT:
        return _dv(sqref, kind="whole", operator="greaterThanOrEqual", formula1="0", prompt=prompt,
                   error="Enter a whole number, 0 or more.")
    return _dv(sqref, kind=None, prompt=prompt)


def _differential(style: MarkStyle) -> DifferentialStyle:
    """A mark's style (:mod:`.mark_styles`) as openpyxl writes it into the template's conditional formats."""
    side = Side(style.border_style, style.border)
    return DifferentialStyle(fill=PatternFill(bgColor=style.fill, fgColor=style.fill, fill_type="solid"),
                             font=Font(bold=style.bold or None, italic=style.italic or None, color=style.text),
                             border=Border(left=side, right=side, top=side, bottom=side))


def _conditional_formats(ws, last_data: str, issues: str, marks: str) -> None:
    first = HEADER_ROW + 1
    err, qry = _differential(ERROR_MARK), _differential(QUERY_MARK)
    data = f"A{first}:{last_data}{MAX_ROW}"
    ws.conditional_formatting.add(data, Rule(type="expression", dxf=err, stopIfTrue=True,
                                             formula=[cf_formula(marks, MARK_ERROR, first)]))
    ws.conditional_formatting.add(data, Rule(type="expression", dxf=qry, stopIfTrue=True,
                                             formula=[cf_formula(marks, MARK_QUERY, first)]))
    col = f"{issues}{first}:{issues}{MAX_ROW}"
    ws.conditional_formatting.add(col, Rule(type="expression", dxf=err, stopIfTrue=True,
                                            formula=[cf_row_formula(marks, MARK_ERROR, first)]))
    ws.conditional_formatting.add(col, Rule(type="expression", dxf=qry, stopIfTrue=True,
                                            formula=[cf_row_formula(marks, MARK_QUERY, first)]))


def _issues_column(ws, letter: str) -> None:
    """The Issues column: wide, and wrapping, one finding per line (validation sets row heights)."""
    dim = ws.column_dimensions[letter]
    dim.width = ISSUES_WIDTH
    dim.alignment = Alignment(wrap_text=True, vertical="top")


def _print_setup(ws, *, repeat_header: bool = True, one_page: bool = False) -> None:
    """Landscape on A4, one page wide (the Start sheet: one page), the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_header:
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _defined(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheet_name(sheet)}!{ref}")


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


def _table_sheet(wb: Workbook, name: str, columns: tuple[Column, ...], rows: Sequence[list[object]],
                 year: CensusYear, freeze_after: int, bodies: dict, heights: dict[int, float] | None = None) -> None:
    ws = wb.create_sheet(name)
    _print_setup(ws)
    n = len(columns)
    issues, marks = column_letters(n + 1), column_letters(n + 2)
    for i, col in enumerate(columns, start=1):
        letter = column_letters(i)
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        kind = col.item.kind
        dim.number_format = (DATE_FORMAT if kind is Kind.DATE else DATETIME_FORMAT if kind is Kind.DATETIME
                             else TEXT_FORMAT if kind in (Kind.TEXT, Kind.CODE) else "General")
        ws.data_validations.append(_column_validation(col, f"{letter}{HEADER_ROW + 1}:{letter}{MAX_ROW}", year))
    _issues_column(ws, issues)
    ws.column_dimensions[marks].width = 12
    ws.column_dimensions[marks].hidden = True
    ws.row_dimensions[HEADER_ROW].height = _HEADER_HEIGHT
    ws.freeze_panes = f"{column_letters(freeze_after + 1)}{HEADER_ROW + 1}"
    head = []
    for col in columns:
        style = (_HEAD_LINK if col.role == LINK else
                 _HEAD_REQUIRED if col.item.required or col.role == KEY else _HEAD_OPTIONAL)
        head.append(_header_cell(ws, col.header, style, _note(col, year)))
    head.append(_header_cell(ws, ISSUES_HEADER, _HEAD_ISSUES, _ISSUES_NOTE))
    head.append(_header_cell(ws, MARKS_HEADER, _HEAD_OPTIONAL, _MARKS_NOTE))
    ws.append(head)
    if rows:
        bodies[ws] = tempfile.TemporaryFile()
        _DataRows(ws).write(rows, HEADER_ROW + 1, bodies[ws], heights)
    last = column_letters(n)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{issues}{HEADER_ROW + max(len(rows), 1)}"
    _conditional_formats(ws, last, issues, marks)


def _height(text: str, width: float) -> float:
    """Row height (points) for ``text`` wrapped in a column ``width`` characters wide."""
    lines = max(1, -(-len(text) // int(width * 1.05)))
    return 15.0 * lines + 2


def _start_sheet(wb: Workbook, year: CensusYear, notes: Sequence[tuple[str, str]] = (),
                 summary: dict[str, object] | None = None) -> None:
    """The Start sheet; ``notes`` (label, text) under "From last year" (a workbook rollover started), and
    ``summary`` the box's values where the workbook was checked as it was made."""
    ws = wb.create_sheet(START)
    _print_setup(ws, repeat_header=False, one_page=True)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 95
    ws.sheet_view.showGridLines = False
    title = WriteOnlyCell(ws, value=f"Children in need census {year.label}")
    title.font = Font(name=_FONT, bold=True, size=16, color="0072B2")
    bold = Font(name=_FONT, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def text(value: str, *, font: Font | None = None, link: str | None = None):
        cell = WriteOnlyCell(ws, value=value)
        cell.alignment = wrap
        if font:
            cell.font = font
        if link:
            cell.hyperlink = link
            cell.font = Font(name=_FONT, color="0072B2", underline="single", bold=True)
        return cell

    ws.row_dimensions[1].height = 24
    intro = (f"This workbook holds your authority's return for the DfE children in need census {year.label} "
             f"(1 April {year.first} to 31 March {year.first + 1}). It was made by cin-xl {__version__}. Fill it "
             "in, check it, then export the census XML.")
    if note := rules_not_included_note(year):
        intro += " " + note
    ws.row_dimensions[2].height = _height(intro, 95)
    ws.append([title])
    ws.append([None, text(intro)])
    ws.append([])
    ws.append([text("Steps", font=bold)])
    steps = [
        ("1. Return", "Pick your LA on the Return sheet; check the census year and reference date."),
        ("2. Fill in", "One row per child on Children, one per referral (CIN episode) on Referrals, and one "
                       "row per assessment, plan, enquiry or pre-proceedings on the other sheets. Rows refer to "
                       "their child by LA child ID and to their episode by referral date. Hover over a header "
                       "for the DfE definition."),
        ("3. Validate", "Click Validate (macro-enabled workbook), or run: cin-xl validate FILE.xlsx --annotate  - "
                        "errors are shown in orange, queries in light blue, with the rule and message in each "
                        "sheet's Issues column and on the Issues sheet; key figures go on the Summary sheet."),
        ("4. Export", "Click Export XML, or run: cin-xl export FILE.xlsx -o census.xml  - then upload the XML "
                      "to the DfE collection (COLLECT)."),
        ("Last year", "Click Import XML, or run: cin-xl import last-year.xml -o FILE.xlsx  to see a return as a "
                      "workbook."),
    ]
    for i, (a, b) in enumerate(steps, start=5):
        ws.row_dimensions[i].height = _height(b, 95)
        ws.append([text(a, font=bold), text(b)])
    row = 4 + len(steps)  # the last row written
    if notes:
        ws.append([])
        ws.append([text("From last year", font=Font(name=_FONT, bold=True, size=12))])
        row += 2
        for a, b in notes:
            row += 1
            ws.row_dimensions[row].height = _height(b, 95)
            ws.append([text(a, font=bold), text(b)])
    ws.append([])
    ws.append([text("Last validation", font=Font(name=_FONT, bold=True, size=12))])
    row += 2  # the "Last validation" row
    shown = {"SummaryStatus": "Not yet validated", **(summary or {})}
    box = [("Errors", "SummaryErrors"), ("Queries", "SummaryQueries"), ("Last checked", "SummaryLastRun"),
           ("Status", "SummaryStatus")]
    fill = PatternFill("solid", fgColor="EEF3F8")
    for i, (label, name) in enumerate(box, start=1):
        value = shown.get(name)
        if isinstance(value, str) and _height(value, 95) > _height("", 95):  # a status of more than a line
            ws.row_dimensions[row + i].height = _height(value, 95)
        a = text(label, font=bold)
        b = text(value) if isinstance(value, str) else WriteOnlyCell(ws, value=value)
        b.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)  # numbers and dates too
        if name == "SummaryLastRun":
            b.number_format = DATETIME_MINUTES
        for c in (a, b):
            c.fill, c.border = fill, _HEAD_BORDER
        ws.append([a, b])
        _defined(wb, name, START, f"$B${row + i}")
    ws.append([])
    ws.append([text("Sheets", font=bold)])
    sheets = [(RETURN, "Header of the return: LA, census year, reference date.")]
    sheets += [(m.sheet, m.about) for m in modules_for(year)]
    sheets += [(LOOKED_AFTER, "Periods of care, for the validation checks only: not exported to the census XML."),
               (ISSUES, "Every issue found by validation, with a link to its cell.")]
    for sheet, about in sheets:
        ws.append([text(sheet, link=f"#{quote_sheet_name(sheet)}!A1"), text(about)])


def _return_sheet(wb: Workbook, year: CensusYear, values: dict[str, object]) -> None:
    ws = wb.create_sheet(RETURN)
    _print_setup(ws)
    for letter, width in (("A", 28), ("B", 26), ("C", 80)):
        ws.column_dimensions[letter].width = width
    issues, marks = column_letters(len(RETURN_HEADERS) + 1), column_letters(len(RETURN_HEADERS) + 2)
    _issues_column(ws, issues)
    ws.column_dimensions[marks].hidden = True
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, h, _HEAD_REQUIRED) for h in RETURN_HEADERS]
              + [_header_cell(ws, ISSUES_HEADER, _HEAD_ISSUES, _ISSUES_NOTE),
                 _header_cell(ws, MARKS_HEADER, _HEAD_OPTIONAL, _MARKS_NOTE)])
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(return_rows(year), start=HEADER_ROW + 1):
        item = row.item
        value = values.get(row.path)
        ref = f"B{i}"
        if not row.path:
            ws.data_validations.append(_dv(ref, kind="list", formula1=LIST_YEARS,
                                           prompt=("Census year", "The census year of this workbook.")))
            _defined(wb, "CensusYear", RETURN, f"$B${i}")
        elif item.xml == "LEA":
            ws.data_validations.append(_dv(ref, kind="list", formula1=LIST_LA,
                                           prompt=("LA code", "Pick your authority: its 3-digit DfE LA code.")))
            value = value if value is None else str(value)
        elif item.kind in (Kind.DATE, Kind.DATETIME):
            ws.data_validations.append(_dv(ref, kind="date", operator="between", formula1=_DATE_LIMITS[0],
                                           formula2=_DATE_LIMITS[1], error="Enter a date, for example 31/03/2027."))
        label = WriteOnlyCell(ws, value=row.label)
        label.font = Font(name=_FONT, bold=True)
        guide = item.guidance if item else ""
        extra = {"Collection": "Always CIN.", "SourceLevel": "Always L (local authority).",
                 "SoftwareCode": "The software that made the file.", "SerialNo": "3 digits or more, e.g. 001.",
                 "Release": "The release of the software."}.get(item.xml if item else "", "")
        if item is not None and item.filled_at_export:
            extra = " ".join(p for p in (extra, "Left blank, export fills it in.") if p)
        code = f" [{item.xml}{', ' + item.ncode if item and item.ncode else ''}]" if row.in_header else ""
        gcell = WriteOnlyCell(ws, value=" ".join(p for p in (guide, extra) if p) + code)
        gcell.alignment = wrap
        if _height(gcell.value, 80) > _height("", 80):  # guidance on more than a line: never over the next row
            ws.row_dimensions[i].height = _height(gcell.value, 80)
        vcell = _data_cell(ws, cell_value(item, value) if item else value)
        if isinstance(vcell, str):
            vcell = WriteOnlyCell(ws, value=vcell)
            vcell.number_format = TEXT_FORMAT
        ws.append([label, vcell, gcell])
    _conditional_formats(ws, column_letters(len(RETURN_HEADERS)), issues, marks)


def _list_heading(labels: list[str]) -> str:
    """A code list's heading: the label of the column using it, or what the labels of several share
    ("Initial category of abuse", "Latest category of abuse": "Category of abuse")."""
    words = [label.split() for label in labels]
    common: list[str] = []
    while all(len(w) > len(common) for w in words) and len({w[-1 - len(common)].casefold() for w in words}) == 1:
        common.insert(0, words[0][-1 - len(common)])
    text = " ".join(common) if len(common) > 1 or len(labels) == 1 else labels[0]
    return text[:1].upper() + text[1:]


def _lists_sheet(wb: Workbook, year: CensusYear, codesets: dict[str, list[str]]) -> None:
    """The code lists of the dropdowns: hidden and protected (Excel reads them; people need not)."""
    ws = wb.create_sheet(LISTS)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    _print_setup(ws)
    columns: list[tuple[str, str, list[str]]] = []
    for name, labels in codesets.items():
        codes = [dropdown_text(c) for c in CODE_SETS[name].for_year(year)]
        columns.append((list_name(name), _list_heading(labels), codes))
    columns.append((LIST_YESNO, "Yes/No", ["Yes", "No"]))
    columns.append((LIST_LA, "LA code", [f"{code} - {name}" for code, name in sorted(LA_CODES.items())]))
    years = list(dict.fromkeys([*SUPPORTED_YEARS, year.label]))
    columns.append((LIST_YEARS, CENSUS_YEAR_LABEL, [y for y in READABLE_YEARS if y in years]))
    columns.append((LIST_LEGAL, "Legal status", [f"{c} - {label}" for c, label in LEGAL_STATUSES]))
    ws.freeze_panes = "A2"
    for i, (defined, _title, values) in enumerate(columns, start=1):
        letter = column_letters(i)
        ws.column_dimensions[letter].width = min(60, max(14, max(len(v) for v in values) + 2))
        _defined(wb, defined, LISTS, f"${letter}$2:${letter}${len(values) + 1}")
    ws.append([_header_cell(ws, title, _HEAD_OPTIONAL) for _, title, _ in columns])
    for r in range(max(len(v) for _, _, v in columns)):
        ws.append([v[r] if r < len(v) else None for _, _, v in columns])


def _issues_sheet(wb: Workbook, findings: list[Finding]) -> None:
    ws = wb.create_sheet(ISSUES)
    _print_setup(ws)
    for letter, width in zip("ABCDEFG", ISSUES_SHEET_WIDTHS):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, h, _HEAD_REQUIRED) for h in ISSUES_COLUMNS])
    rows = issue_rows(findings)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        height = issues_row_height(row)
        if height is not None:
            ws.row_dimensions[r].height = height  # the wrapped message never prints over the next row
        cells = []
        for j, v in enumerate(row):
            if j == 2 and v is not None:
                c = WriteOnlyCell(ws, value=v)
                c.alignment = wrap
                if needs_text_guard(v):
                    c.data_type, c.quotePrefix = "s", True
                cells.append(c)
            elif j == 6:
                cells.append(v)  # a HYPERLINK formula made here
            else:
                cells.append(_data_cell(ws, v))
        ws.append(cells)
    ws.auto_filter.ref = f"A1:G{max(len(rows), 1) + 1}"


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------


def _xlwings_conf_sheet(wb: Workbook, settings: list[tuple[str, str]]) -> None:
    """The settings xlwings' VBA module reads (key in column A from row 1, value in B, no header,
    no quotes), and in column D how to change them."""
    ws = wb.create_sheet(XLWINGS_CONF_SHEET)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 20, 70
    ws.column_dimensions["D"].width = 90
    help_lines = [
        "Settings of the Excel buttons, read by xlwings: a key in column A, its value in column B, from row 1 "
        "down with no blank row between.",
        "INTERPRETER_WIN: the python.exe or pythonw.exe the buttons run on Windows; INTERPRETER_MAC: the python "
        "they run on macOS.",
        "Type the full path without quotes. A key left out here falls back to the xlwings add-in's own setting.",
        "PYTHONPATH: folders holding Python code the buttons need, separated by ; (not needed once cin-xl is "
        "installed).",
        "See docs/excel.md, 'Which Python the buttons run'.",
    ]
    for i in range(max(len(settings), len(help_lines))):
        key, value = settings[i] if i < len(settings) else (None, None)
        ws.append([key, _data_cell(ws, value), None, help_lines[i] if i < len(help_lines) else None])


def build_workbook(year: CensusYear, rows: WorkbookRows | None = None, *,
                   issues: list[Finding] | None = None, xlwings_conf: list[tuple[str, str]] | None = None,
                   notes: Sequence[tuple[str, str]] = (), summary: dict[str, object] | None = None) -> bytes:
    """The workbook for ``year`` as .xlsx bytes: the empty template, or filled with ``rows``; ``notes`` and
    ``summary`` go on the Start sheet (see :func:`_start_sheet`)."""
    from cin_xl.workbook.layout import sheet_layout

    wb = Workbook(write_only=True)
    values = rows.header if rows is not None else header_values(None, year)
    if rows is None:
        values.update({"collection_details.collection": "CIN", "collection_details.year": year.xml_year,
                       "collection_details.reference_date": year.reference_date, "source.source_level": "L",
                       "source.software_code": "cin-xl", "source.release": __version__, "source.serial_no": "001"})
        values = {k: v for k, v in values.items() if k == "" or any(r.path == k for r in return_rows(year))}
    bodies: dict = {}  # worksheet -> a temporary file of its data rows' XML, put in after saving (_DataRows)
    try:
        _start_sheet(wb, year, notes, summary)
        _return_sheet(wb, year, values)
        codesets: dict[str, list[str]] = {}  # code set -> labels of the columns using it
        for module in modules_for(year):
            layout = sheet_layout(module.sheet, year, rows.spread.get(module.sheet) if rows else None)
            for col in layout.columns:
                if col.coded and col.role != LINK:
                    codesets.setdefault(col.item.codeset, []).append(col.header)  # type: ignore[arg-type]
            freeze = sum(1 for c in layout.columns if c.role in (LINK, KEY))
            data = rows.sheets.get(module.sheet, []) if rows else []
            _table_sheet(wb, module.sheet, layout.columns, data, year, freeze, bodies,
                         rows.heights.get(module.sheet) if rows else None)
            if module.parent is None:
                letter = layout.letter("identifiers.la_child_id")
                ids = f"OFFSET(Children!${letter}$2,0,0,MAX(1,COUNTA(Children!${letter}:${letter})-1),1)"
                wb.defined_names["ChildIDs"] = DefinedName("ChildIDs", attr_text=ids)
        _table_sheet(wb, LOOKED_AFTER, looked_after_columns(year), rows.looked_after if rows else [], year, 1, bodies)
        _lists_sheet(wb, year, codesets)
        _issues_sheet(wb, list(issues or []))
        if xlwings_conf is not None:
            _xlwings_conf_sheet(wb, xlwings_conf)
        buf = io.BytesIO()
        wb.save(buf)
        return _splice_rows(buf.getvalue(), {ws.path.lstrip("/"): body for ws, body in bodies.items()})
    finally:
        for body in bodies.values():
            body.close()


def template_bytes(year: CensusYear) -> bytes:
    """The empty template for ``year``."""
    return build_workbook(year)
