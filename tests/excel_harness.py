"""Test our Excel functions without Excel, through xlwings' remote engine.

Our Excel buttons call Python functions that take an :class:`xlwings.Book`. With xlwings Server or
xlwings Lite that book is built by the *remote engine* (``xlwings/pro/_xlremote.py``) from a JSON
snapshot of the workbook that the Office.js client sends; what Python does to the book is not
applied to anything but recorded as a list of *actions* (``book.json()["actions"]``) that the
client replays in Excel afterwards. This module fakes both ends with openpyxl:

- :func:`book_json_from_xlsx` builds the snapshot the client would send for an ``.xlsx``/``.xlsm``
  (:func:`book_json` builds one from Python values), :func:`open_book` opens it as a real
  ``xw.Book(json=...)``;
- :func:`apply_actions` replays the recorded actions onto a copy of the file, so a test can reopen
  it with openpyxl and check what the user would see;
- :func:`count_calls` and :func:`calls_per_sheet` count the actions ("calls to Excel");
- :func:`run_excel_function` does all of it for one function call.

What the client sends (xlwings 0.37.8, Office.js client, as the remote engine reads it)
=====================================================================================

::

    {"client": "Office.js",           # "Office.js" relaxes the client/server version check and
     "version": "0.37.8",             #   enables Office.js-only features (notes, validation,
                                      #   alignment, gridlines, pivots)
     "book": {"name": "census.xlsx",  # file name, with extension
              "active_sheet_index": 0,           # 0-based
              "selection": "B2",                 # A1 address on the active sheet, no sheet name
              "calculation": "Automatic"},       # or "Manual" / "AutomaticExceptTables" (optional)
     "names": [{"name": "CensusYear",            # defined names, book and sheet scope together
                "refers_to": "=Return!$B$2",     # the definition, verbatim
                "sheet_index": 1, "address": "B2",   # only for a single-area range, else None
                "book_scope": True,
                "scope_sheet_name": None, "scope_sheet_index": None}],   # set for sheet scope
     "sheets": [{"name": "Children",
                 "values": [["LA child ID", "Date of birth", ...],        # A1 .. last used cell
                            ["C001", "2015-03-02T00:00:00.000Z", 3, True, ""], ...],
                 "used_range_address": "A1:K20001",   # None for an empty sheet
                 "visibility": "Visible",              # "Hidden", "VeryHidden"
                 "show_gridlines": True,
                 "tables": [{"name", "range_address", "header_row_range_address",
                             "data_body_range_address", "total_row_range_address",
                             "show_headers", "show_totals", "table_style", "show_autofilter",
                             "show_table_style_first_column", ... , "row_count",
                             "column_count", "columns": [header names]}],
                 "notes": [{"address": "E1"}], "notes_supported": True,   # which cells have notes
                 "pictures": [], "shapes": [], "charts": [], "pivot_tables": [],
                 "print_area": None}]}

Values: the matrix always starts at A1 (so ``values[r][c]`` is row r+1, column c+1) and runs to the
last cell of the used range; empty cells are ``""`` (read back as ``None``); numbers are JSON
numbers (a whole number arrives as an ``int``, as JavaScript's JSON has no ``2.0``); booleans are
booleans; error cells are their text (``"#N/A"``, read back as ``None`` unless ``err_to_str``);
date- and time-formatted cells are ISO strings in UTC form, ``"2024-01-31T00:00:00.000Z"`` (read
back as naive ``datetime``; the engine cuts the last character, so the ``Z`` must be there). Text
that only looks like a date stays text. The snapshot carries no formulas, formats, fill colours,
fonts, validation, conditional formats, hyperlinks or note texts: reading those is async-only
(xlwings Lite ``await rng.get_...()``) and raises ``NotImplementedError`` synchronously.

What Python sends back: ``book.json() == {"actions": [...]}``, each action::

    {"func": "setValues", "args": [None], "values": [[...]],    # args is always a list
     "sheet_position": 0,              # 0-based position of the sheet *when the action runs*
     "start_row": 4, "start_column": 0,            # 0-based top-left cell
     "row_count": 2, "column_count": 3}            # size of the range

Book-level actions (``addSheet``, book-scoped ``namesAdd``...) have ``sheet_position`` None;
sheet-level ones (``setSheetName``, ``activateSheet``, ``addTable``, ``freezePaneAtRange``...)
have no cell coordinates. Values written are converted by the engine: ``None`` -> ``""``, a
``date`` -> ``"2024-03-01"``, a ``datetime`` -> ``"2024-03-01 12:30:00"`` (Excel parses them as it
parses typed input), NaN -> ``""``, numpy numbers -> ``float``; anything else (``Decimal``...)
passes through and breaks the JSON response. Colours are ``"#rrggbb"`` strings. The actions this
harness replays are listed in :data:`SUPPORTED_ACTIONS`; the engine can emit ~120 kinds.

Limitations of the remote engine found while writing this (xlwings 0.37.8)
---------------------------------------------------------------------------

- The snapshot is not updated by writes: after ``rng.value = x`` the same Book still reads the old
  value. Compute in Python, write once.
- Every ``Range.api`` access converts the *whole sheet* to tuples and keys an unbounded
  module-level ``lru_cache`` with it (``get_range_api``): ~10-30 ms each on a 20,000-row sheet,
  and every sheet ever read stays in memory (in a long-running xlwings Server process too).
  A read costs one conversion, ``expand()`` ~12, and a *write* ~17 (the conversion pipeline's
  resize/coords): 0.2-0.4 s per block write on a 20,000-row sheet. So read ``used_range.value``
  once, write each block (column) once, never cell by cell. Formatting actions (colour, font,
  number format, validation) don't touch the values and are cheap. :func:`close_book` clears
  the cache.
- Writes above 100,000 cells are split automatically into chunks of ``100000 // columns`` rows, one
  ``setValues`` each, so the call count grows with the rows unless ``.options(chunksize=...)``
  is given (``chunksize=None`` turns chunking off: one action, one big payload, which Excel on
  the web may refuse above its request size limit; not testable here).
- ``sheets.add(before=s)`` inserts one position too early unless ``s`` is the first sheet; use
  ``after=``. ``sheets.add`` makes the new sheet active in the snapshot.
- ``freeze_panes.freeze_at(r)`` takes the range of *frozen* cells (Office.js semantics): ``"1:1"``
  freezes the header row, ``"A2"`` would freeze rows 1-2 and column A.
- Reading formulas, number formats, colours, fonts, validation, notes' text, hyperlinks,
  comments, row/column visibility is async-only. Writing all of these works (see the actions).
- Data validation, notes, threaded comments, alignment, ``Range.move``, autofilters and
  gridlines require ``client == "Office.js"`` (they raise with the Office Scripts and Google
  Sheets clients). ``rng.rows.hidden``/``rng.columns.hidden`` are the setters for hiding; there is
  no ``rng.row_hidden`` in the public API (setting it silently does nothing).
- ``sort()``/``remove_duplicates()`` refuse ranges that intersect a table.

Limitations of this harness
---------------------------

- openpyxl computes nothing: a formula written by the actions (or any formula in a file saved by
  openpyxl) has no cached value, so it reads as ``None`` with ``data_only=True``; check the formula
  text instead. Saving through openpyxl also drops the cached values of existing formulas.
- :func:`apply_actions` emulates how Excel parses written text (``excel_coercion=True``, en-GB):
  numbers (leading zeros lost, 15 significant digits), ``TRUE``/``FALSE``, ISO and dd/mm/yyyy
  dates, ``=formulas``, ``'text``; a cell formatted as Text (``@``) keeps text as text. It is
  an approximation of Excel's parser, not the parser.
- Pictures, shapes, charts and pivot tables are not reported in the snapshot, and their actions
  are not replayed (``NotImplementedError``), nor are threaded comments, autofilters, table
  rows/columns, sort/resize of tables, partial-row insert/delete, autofill, group, colour-scale,
  data-bar and icon-set conditional formats. Autofit of columns is approximated from text length;
  of rows, ignored. Renaming a sheet rewrites references in names, formulas, validation and
  conditional formats (a regex, not a formula parser); inserting/deleting rows does not.
- Speed: :func:`book_json_from_xlsx` streams each sheet once (~0.5 s per 100,000 cells);
  :func:`apply_actions` loads and saves the whole workbook with openpyxl (~10 s for a full-size
  sample return): use small workbooks for end-to-end tests, the snapshot alone for big ones.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import openpyxl
import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import Rule
from openpyxl.formula.translate import Translator
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Color, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.views import Selection
from openpyxl.xml.functions import fromstring

__all__ = [
    "CLIENT",
    "MAX_ROWS",
    "MAX_COLUMNS",
    "SUPPORTED_ACTIONS",
    "RunResult",
    "actions_of",
    "apply_actions",
    "book_json",
    "book_json_from_xlsx",
    "calls_per_sheet",
    "close_book",
    "count_calls",
    "excel_parse",
    "open_book",
    "opened_book",
    "run_excel_function",
]

CLIENT = "Office.js"
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


def _ensure_remote_engine() -> None:
    """Register the remote engine if xlwings was imported before the licence key was set."""
    if "remote" in [engine.name for engine in xw.engines]:
        return
    from xlwings.main import Engine
    from xlwings.pro import _xlremote

    xw.engines.add(Engine(impl=_xlremote.engine))


_ensure_remote_engine()

_EXCEL_DAY0 = dt.datetime(1899, 12, 30)
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


# =================================================================================================
# The snapshot the client sends
# =================================================================================================


def _iso_utc(value: dt.datetime) -> str:
    """A naive datetime the way JavaScript's ``Date.toISOString()`` prints it (milliseconds, Z)."""
    millis = round(value.microsecond / 1000)
    if millis == 1000:
        value, millis = value.replace(microsecond=0) + dt.timedelta(seconds=1), 0
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}.{millis:03d}Z"


def _client_value(value: Any) -> Any:
    """One cell as the Office.js client puts it in the snapshot (after a JSON round trip)."""
    if value is None:
        return ""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "#NUM!"
        # JSON.stringify(2.0) is "2": whole numbers reach Python as int
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dt.datetime):
        return _iso_utc(value.replace(tzinfo=None))
    if isinstance(value, dt.date):
        return _iso_utc(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, dt.time):
        return _iso_utc(dt.datetime.combine(_EXCEL_DAY0.date(), value.replace(tzinfo=None)))
    if isinstance(value, dt.timedelta):
        return _iso_utc(_EXCEL_DAY0 + value)
    if hasattr(value, "item"):  # numpy scalars
        return _client_value(value.item())
    return str(value)


def _address(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    """An Office.js-style address (no sheet, no ``$``): ``A1`` or ``A1:C3``."""
    first = f"{get_column_letter(min_col)}{min_row}"
    if (min_row, min_col) == (max_row, max_col):
        return first
    return f"{first}:{get_column_letter(max_col)}{max_row}"


def _quote_sheet(name: str) -> str:
    """Sheet name as it appears before ``!`` in a reference."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not re.fullmatch(
        r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", name
    ):
        return name
    return "'" + name.replace("'", "''") + "'"


_SINGLE_AREA = re.compile(
    r"=?(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[A-Za-z0-9_.]+))!"
    r"(?P<ref>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"
    r"|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+)"
)


def _name_entry(name: str, refers_to: str, sheet_names: Sequence[str], scope: int | None) -> dict:
    """One entry of the snapshot's ``names``."""
    if not refers_to.startswith("="):
        refers_to = "=" + refers_to
    sheet_index = address = None
    match = _SINGLE_AREA.fullmatch(refers_to)
    if match:
        sheet = (match["quoted"] or "").replace("''", "'") or match["plain"]
        folded = [s.casefold() for s in sheet_names]
        if sheet.casefold() in folded:
            sheet_index = folded.index(sheet.casefold())
            address = match["ref"].replace("$", "").upper()
    return {
        "name": name,
        "refers_to": refers_to,
        "sheet_index": sheet_index,
        "address": address,
        "book_scope": scope is None,
        "scope_sheet_name": None if scope is None else sheet_names[scope],
        "scope_sheet_index": scope,
    }


def _sheet_entry(name: str, values: list[list], used: tuple[int, int, int, int] | None) -> dict:
    return {
        "name": name,
        "values": values,
        "used_range_address": _address(*used) if used else None,
        "visibility": "Visible",
        "show_gridlines": True,
        "tables": [],
        "notes": [],
        "notes_supported": True,
        "pictures": [],
        "shapes": [],
        "charts": [],
        "pivot_tables": [],
        "print_area": None,
    }


def book_json(
    sheets: Mapping[str, Sequence[Sequence[Any]]],
    *,
    book_name: str = "Book1.xlsx",
    active_sheet: int | str = 0,
    selection: str = "A1",
    names: Mapping[str, str] | None = None,
) -> dict:
    """The snapshot for a book given as Python values, without a file (fast unit tests).

    ``sheets`` maps sheet name to rows anchored at A1 (ragged rows are padded); cells may be
    ``None``, numbers, booleans, text, dates or datetimes. ``names`` maps book-scoped defined
    names to their definitions (``"=Sheet1!$A$1:$A$3"``).
    """
    sheet_names = list(sheets)
    entries = []
    for name, rows in sheets.items():
        width = max((len(row) for row in rows), default=0)
        values = [[_client_value(v) for v in row] + [""] * (width - len(row)) for row in rows]
        used = _used_extent(values)
        entries.append(_sheet_entry(name, values if values and width else [[""]], used))
    return {
        "client": CLIENT,
        "version": xw.__version__,
        "book": {
            "name": book_name,
            "active_sheet_index": _sheet_index(active_sheet, sheet_names),
            "selection": selection,
            "calculation": "Automatic",
        },
        "names": [_name_entry(n, r, sheet_names, None) for n, r in (names or {}).items()],
        "sheets": entries,
    }


def _used_extent(values: list[list]) -> tuple[int, int, int, int] | None:
    rows = [i for i, row in enumerate(values) if any(v != "" for v in row)]
    if not rows:
        return None
    cols = [j for row in values for j, v in enumerate(row) if v != ""]
    return rows[0] + 1, min(cols) + 1, rows[-1] + 1, max(cols) + 1


def _sheet_index(sheet: int | str, sheet_names: Sequence[str]) -> int:
    if isinstance(sheet, int):
        if not -len(sheet_names) <= sheet < len(sheet_names):
            raise IndexError(f"no sheet at index {sheet}")
        return sheet % len(sheet_names)
    folded = [s.casefold() for s in sheet_names]
    return folded.index(sheet.casefold())


class _SheetParser(WorkSheetParser):
    """openpyxl's streaming sheet parser, with a faster path for inline strings.

    openpyxl writes every text cell as an inline string and parses it back through its generic
    rich-text object model, which is most of the reading time of a workbook it wrote.
    """

    _IS, _T, _R, _F = _MAIN_NS + "is", _MAIN_NS + "t", _MAIN_NS + "r", _MAIN_NS + "f"

    def parse_cell(self, element):
        if element.get("t") != "inlineStr":
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(self._F) is not None:
                cell["formula"] = True  # no cached value: still part of the used range
            return cell
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        box = element.find(self._IS)
        value = None
        if box is not None:
            value = box.findtext(self._T)
            if value is None:
                value = "".join(run.findtext(self._T) or "" for run in box.iterfind(self._R))
        return {"row": row, "column": column, "value": value, "data_type": "s",
                "style_id": int(element.get("s", 0))}


def _table_entry(table: Table) -> dict:
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = 1 if table.headerRowCount is None else table.headerRowCount
    totals = table.totalsRowCount or 0
    style = table.tableStyleInfo
    body_first, body_last = min_row + headers, max_row - totals

    def rows(first: int, last: int) -> str:
        return _address(first, min_col, last, max_col)

    return {
        "name": table.displayName or table.name,
        "range_address": rows(min_row, max_row),
        "header_row_range_address": rows(min_row, min_row) if headers else None,
        "data_body_range_address": rows(body_first, max(body_first, body_last)),
        "total_row_range_address": rows(max_row, max_row) if totals else None,
        "show_headers": bool(headers),
        "show_totals": bool(totals),
        "table_style": (style.name if style is not None and style.name else ""),
        "show_autofilter": table.autoFilter is not None,
        "show_table_style_first_column": bool(style and style.showFirstColumn),
        "show_table_style_last_column": bool(style and style.showLastColumn),
        "show_table_style_row_stripes": bool(style and style.showRowStripes),
        "show_table_style_column_stripes": bool(style and style.showColumnStripes),
        "row_count": max_row - min_row + 1,
        "column_count": max_col - min_col + 1,
        "columns": [column.name for column in table.tableColumns],
    }


def book_json_from_xlsx(
    path: str | os.PathLike,
    *,
    book_name: str | None = None,
    active_sheet: int | str | None = 0,
    selection: str | None = None,
    extent: str = "cells",
    include: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
) -> dict:
    """The JSON snapshot the Office.js client would send for the workbook at ``path``.

    Reads cached values (openpyxl ``data_only``; formulas without a cached value read as empty).
    ``active_sheet``: index or name of the active sheet, None for the one saved in the file;
    ``selection``: the selected address on it (default: the file's, else ``A1``).
    ``extent="cells"`` sends every sheet from A1 to the last cell present in the file, formatted
    empty cells and formulas included, like Excel's used range; ``"values"`` stops at the last
    cell with a value or formula. ``include``/``exclude`` mimic the client's INCLUDE/EXCLUDE
    settings: a left-out sheet is sent with ``values == [[]]`` and no tables.
    Each sheet's XML is read once, streaming: about 0.5 s per 100,000 cells.
    """
    if extent not in ("cells", "values"):
        raise ValueError("extent must be 'cells' or 'values'")
    path = Path(path)
    # The steps of openpyxl.load_workbook(read_only=True) but for its worksheets, whose
    # constructor parses every sheet once just to look for a <dimension>.
    reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        reader.read_theme()
        apply_stylesheet(reader.archive, reader.wb)
        wb = reader.wb

        parts = []  # (position among all sheets, name, state, part name) of each worksheet
        for position, (sheet, rel) in enumerate(reader.parser.find_sheets()):
            if "chartsheet" not in rel.Type and rel.target in reader.valid_files:
                parts.append((position, sheet.name, sheet.state, rel.target))
        if not parts:
            raise ValueError(f"{path.name} has no worksheets")
        sheet_names = [name for _position, name, _state, _part in parts]
        index_of = {position: index for index, (position, *_rest) in enumerate(parts)}

        wanted = set(sheet_names) if include is None else set(include)
        wanted -= set(exclude)
        sheets = []
        for _position, name, state, part in parts:
            if name in wanted:
                entry = _read_sheet(reader.archive, wb, name, part,
                                    values_only_extent=extent == "values")
            else:
                entry = _sheet_entry(name, [[]], None)
                del entry["used_range_address"]
            entry["visibility"] = {"hidden": "Hidden", "veryHidden": "VeryHidden"}.get(
                state, "Visible")
            sheets.append(entry)

        names = []
        for definition in reader.parser.defined_names.definedName:
            local = definition.localSheetId
            scope = None if local is None else index_of.get(int(local))
            if local is not None and scope is None:
                continue  # scoped to a chart sheet
            if definition.name == "_xlnm.Print_Area" and scope is not None:
                # "'Sheet 1'!$A$1:$C$9,'Sheet 1'!$E$1:$E$9" -> "$A$1:$C$9,$E$1:$E$9"
                sheets[scope]["print_area"] = ",".join(
                    area.rsplit("!", 1)[-1] for area in definition.attr_text.split(","))
            elif not definition.name.startswith("_xlnm."):
                names.append(_name_entry(definition.name, definition.attr_text, sheet_names,
                                         scope))

        if active_sheet is None:
            active = index_of.get(wb._active_sheet_index, 0)
        else:
            active = _sheet_index(active_sheet, sheet_names)
        calc_mode = getattr(getattr(wb, "calculation", None), "calcMode", None) or "auto"
        return {
            "client": CLIENT,
            "version": xw.__version__,
            "book": {
                "name": book_name or path.name,
                "active_sheet_index": active,
                "selection": selection or sheets[active].get("_selection") or "A1",
                "calculation": {"manual": "Manual", "autoNoTable": "AutomaticExceptTables"}.get(
                    calc_mode, "Automatic"
                ),
            },
            "names": names,
            "sheets": [{k: v for k, v in s.items() if k != "_selection"} for s in sheets],
        }
    finally:
        reader.archive.close()


def _read_sheet(archive, wb, name: str, part: str, *, values_only_extent: bool) -> dict:
    """Values and metadata of one worksheet, in one streaming pass over its XML."""
    cells: list[tuple[int, int, Any]] = []
    min_row = min_col = None
    max_row = max_col = 0
    with archive.open(part) as source:
        parser = _SheetParser(
            source, wb.shared_strings, data_only=True, epoch=wb.epoch,
            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats,
        )
        for _row_index, row in parser.parse():
            for cell in row:
                value = cell["value"]
                if value is None and not cell.get("formula") and (
                        values_only_extent or not cell["style_id"]):
                    continue
                r, c = cell["row"], cell["column"]
                if value is not None:
                    cells.append((r, c, value))
                max_row, max_col = max(max_row, r), max(max_col, c)
                min_row = r if min_row is None else min(min_row, r)
                min_col = c if min_col is None else min(min_col, c)

    if max_row:
        values = [[""] * max_col for _ in range(max_row)]
        for r, c, value in cells:
            values[r - 1][c - 1] = _client_value(value)
        entry = _sheet_entry(name, values, (min_row, min_col, max_row, max_col))
    else:
        entry = _sheet_entry(name, [[""]], None)

    views = getattr(parser, "views", None)
    view = views.sheetView[0] if views is not None and views.sheetView else None
    if view is not None:
        entry["show_gridlines"] = view.showGridLines is not False
        for selection in view.selection:  # the last one is the active pane's
            if selection.sqref:
                entry["_selection"] = str(selection.sqref).split()[0]

    rels_path = get_rels_path(part)
    if rels_path in archive.namelist():
        rels = get_dependents(archive, rels_path)
        for table_part in parser.tables.tablePart:
            table = Table.from_tree(fromstring(archive.read(rels.get(table_part.id).target)))
            entry["tables"].append(_table_entry(table))
        for rel in rels.find(_COMMENTS_REL):
            comments = CommentSheet.from_tree(fromstring(archive.read(rel.target)))
            entry["notes"] = [{"address": ref} for ref, _comment in comments.comments]
    return entry


def open_book(path: str | os.PathLike, **options: Any) -> xw.Book:
    """``xw.Book(json=book_json_from_xlsx(path, **options))``: the book our functions receive.

    Release it with :func:`close_book` (or use :func:`opened_book`): xlwings keeps every book it
    opened, and every sheet it read, in module-level lists and caches.
    """
    return xw.Book(json=book_json_from_xlsx(path, **options))


def close_book(book: xw.Book) -> None:
    """Forget a remote book and clear the engine's read cache (which holds whole sheets)."""
    from xlwings.pro._xlremote import get_range_api

    if book.impl.api is not None:
        book.close()
    get_range_api.cache_clear()


@contextmanager
def opened_book(path: str | os.PathLike, **options: Any) -> Iterator[xw.Book]:
    """``with opened_book(path) as book: ...``: :func:`open_book`, then :func:`close_book`."""
    book = open_book(path, **options)
    try:
        yield book
    finally:
        close_book(book)


# =================================================================================================
# Counting calls
# =================================================================================================


def actions_of(source: Any) -> list[dict]:
    """The action list of an ``xw.Book``, of ``book.json()``, or a list of actions itself."""
    if isinstance(source, xw.Book):
        return source.json()["actions"]
    if isinstance(source, Mapping):
        return list(source["actions"])
    return list(source)


def count_calls(actions: Any) -> Counter:
    """How many actions of each ``func``: ``Counter({"setValues": 3, "setRangeColor": 1})``."""
    return Counter(action["func"] for action in actions_of(actions))


def calls_per_sheet(
    actions: Any, sheet_names: Sequence[str] | xw.Book | Mapping | None = None, *,
    by_func: bool = False,
) -> Counter | dict[Any, Counter]:
    """How many actions touch each sheet.

    Keys are sheet names when ``sheet_names`` is given (the sheet names in order *before* the
    actions, or the ``xw.Book``/snapshot to take them from): each sheet counts under its name
    before the actions (a sheet added by them: the name it was added with), following it through
    ``addSheet``/``setSheetName``/``sheetDelete``/``setSheetPosition``/``copySheet``; without
    ``sheet_names``, keys are the positions as recorded. ``addSheet`` counts for the new sheet;
    book-level actions (book-scoped names, alerts...) count under ``None``. ``by_func=True``
    gives a Counter of funcs per sheet instead of a total.
    """
    book = None
    if isinstance(sheet_names, xw.Book):
        # the names the book had before its own actions ran
        book, sheet_names = sheet_names, None
    elif isinstance(sheet_names, Mapping):
        sheet_names = [s["name"] for s in sheet_names["sheets"]]
    action_list = actions_of(actions if actions is not None else book)
    if book is not None:
        sheet_names = _names_before(book, action_list)
    order = list(sheet_names) if sheet_names is not None else None
    totals: dict[Any, Counter] = {}

    def count(key: Any, func: str) -> None:
        totals.setdefault(key, Counter())[func] += 1

    for action in action_list:
        func, args = action["func"], action.get("args") or []
        position = action.get("sheet_position")
        if order is None:
            count(args[0] if func == "addSheet" else position, func)
            continue
        if func == "addSheet":
            order.insert(int(args[0]), args[1])
            count(args[1], func)
            continue
        key = order[position] if position is not None else None
        count(key, func)
        if func == "sheetDelete":
            del order[position]
        elif func == "setSheetPosition":
            order.insert(int(args[0]), order.pop(position))
        elif func == "copySheet":
            where, target, name = args
            order.insert(int(target) + (where == "After"), name)
    if by_func:
        return totals
    return Counter({key: sum(funcs.values()) for key, funcs in totals.items()})


def _names_before(book: xw.Book, actions: list[dict]) -> list[str]:
    """Undo the sheet-structure actions on the book's current sheet names."""
    order = [sheet.name for sheet in book.sheets]
    for action in reversed(actions):
        func, args = action["func"], action.get("args") or []
        position = action.get("sheet_position")
        if func == "addSheet":
            del order[int(args[0])]
        elif func == "copySheet":
            del order[int(args[1]) + (args[0] == "After")]
        elif func == "setSheetPosition":
            order.insert(position, order.pop(int(args[0])))
        elif func == "setSheetName":
            raise ValueError("pass the sheet names from before the actions: a sheet was renamed")
        elif func == "sheetDelete":
            raise ValueError("pass the sheet names from before the actions: a sheet was deleted")
    return order


# =================================================================================================
# Replaying the actions
# =================================================================================================

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PERCENT = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))%")
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?Z?)?"
)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DATE_FORMAT, _DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


def _excel_number(text: str) -> int | float:
    number = float(text)
    number = float(f"{number:.15g}")  # Excel keeps 15 significant digits
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _as_datetime(parts: Sequence[str | None]) -> dt.datetime | None:
    year, month, day, hour, minute, second, fraction = (list(parts) + [None] * 7)[:7]
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                           int(second or 0), int((fraction or "0").ljust(6, "0")))
    except ValueError:
        return None


def excel_parse(text: str, cell_format: str = "General") -> tuple[Any, str | None, bool]:
    """What Excel stores for text written to a cell: (value, number format to set, quote prefix).

    An approximation of Excel's parser for an en-GB Excel (see the module docstring).
    """
    if text == "":
        return None, None, False
    if cell_format == "@":
        return text, None, False
    if text.startswith("'"):
        return text[1:], None, True
    if text.startswith("=") and len(text) > 1:
        return text, None, False
    if _NUMBER.fullmatch(text):
        return _excel_number(text), None, False
    if _GROUPED.fullmatch(text):
        return _excel_number(text.replace(",", "")), None, False
    match = _PERCENT.fullmatch(text)
    if match:
        return _excel_number(match[1]) / 100, ("0%" if cell_format == "General" else None), False
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None, False
    match = _ISO.fullmatch(text)
    parsed = _as_datetime(match.groups()) if match else None
    if parsed is None:
        match = _DMY.fullmatch(text)
        if match:
            day, month, year, hour, minute, second = match.groups()
            parsed = _as_datetime((year, month, day, hour, minute, second))
    if parsed is not None:
        fmt = None
        if cell_format == "General":
            fmt = _DATE_FORMAT if parsed.time() == dt.time() else _DATETIME_FORMAT
        return parsed, fmt, False
    return text, None, False


def _hex_color(value: str) -> str:
    """``#rrggbb`` -> openpyxl's ``FFRRGGBB``."""
    value = value.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected a #rrggbb colour, got {value!r}")
    return "FF" + value.upper()


@dataclass(frozen=True)
class _Rect:
    """A block of cells, 1-based and inclusive."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @classmethod
    def of(cls, action: Mapping) -> _Rect:
        row, col = action["start_row"] + 1, action["start_column"] + 1
        return cls(row, col, row + action["row_count"] - 1, col + action["column_count"] - 1)

    @classmethod
    def parse(cls, address: str) -> _Rect:
        address = address.rsplit("!", 1)[-1].replace("$", "")
        first, second = xw.utils.a1_to_tuples(address)
        second = second or first
        return cls(first[0], first[1], second[0], second[1])

    @classmethod
    def of_range(cls, cell_range: CellRange) -> _Rect:
        return cls(cell_range.min_row, cell_range.min_col, cell_range.max_row, cell_range.max_col)

    @property
    def a1(self) -> str:
        return _address(self.min_row, self.min_col, self.max_row, self.max_col)

    @property
    def absolute(self) -> str:
        def cell(row: int, col: int) -> str:
            return f"${get_column_letter(col)}${row}"

        if (self.min_row, self.min_col) == (self.max_row, self.max_col):
            return cell(self.min_row, self.min_col)
        return f"{cell(self.min_row, self.min_col)}:{cell(self.max_row, self.max_col)}"

    @property
    def whole_columns(self) -> bool:
        return self.min_row == 1 and self.max_row == MAX_ROWS

    @property
    def whole_rows(self) -> bool:
        return self.min_col == 1 and self.max_col == MAX_COLUMNS

    def intersects(self, other: _Rect) -> bool:
        return not (other.max_row < self.min_row or other.min_row > self.max_row
                    or other.max_col < self.min_col or other.min_col > self.max_col)

    def contains(self, other: _Rect) -> bool:
        return (self.min_row <= other.min_row and other.max_row <= self.max_row
                and self.min_col <= other.min_col and other.max_col <= self.max_col)

    def minus(self, other: _Rect) -> list[_Rect]:
        """This block without ``other``, as up to four blocks."""
        if not self.intersects(other):
            return [self]
        pieces = []
        if self.min_row < other.min_row:
            pieces.append(_Rect(self.min_row, self.min_col, other.min_row - 1, self.max_col))
        if other.max_row < self.max_row:
            pieces.append(_Rect(other.max_row + 1, self.min_col, self.max_row, self.max_col))
        top, bottom = max(self.min_row, other.min_row), min(self.max_row, other.max_row)
        if self.min_col < other.min_col:
            pieces.append(_Rect(top, self.min_col, bottom, other.min_col - 1))
        if other.max_col < self.max_col:
            pieces.append(_Rect(top, other.max_col + 1, bottom, self.max_col))
        return pieces


def _subtract(sqref: Any, rect: _Rect) -> list[_Rect]:
    pieces = []
    for part in str(sqref).split():
        pieces.extend(_Rect.of_range(CellRange(part)).minus(rect))
    return pieces


def _sqref(rects: Iterable[_Rect]) -> str:
    return " ".join(r.a1 for r in rects)


def _rename_sheet_refs(text: str, old: str, new: str) -> str:
    """Point references to sheet ``old`` (``Old!A1``, ``'Old sheet'!A1``) at sheet ``new``."""
    quoted = "'" + old.replace("'", "''") + "'!"
    pattern = re.compile(r"(?<![\w.'])(?:" + re.escape(quoted) + "|" + re.escape(old) + "!)",
                         re.IGNORECASE)
    return pattern.sub(lambda _m: _quote_sheet(new) + "!", text)


_LINE_STYLES = {  # (xlwings line style, weight) -> openpyxl border style
    ("continuous", "hairline"): "hair", ("continuous", "thin"): "thin",
    ("continuous", "medium"): "medium", ("continuous", "thick"): "thick",
    ("dash", "thin"): "dashed", ("dash", "medium"): "mediumDashed",
    ("dash_dot", "thin"): "dashDot", ("dash_dot", "medium"): "mediumDashDot",
    ("dash_dot_dot", "thin"): "dashDotDot", ("dash_dot_dot", "medium"): "mediumDashDotDot",
    ("dot", "thin"): "dotted", ("double", "thick"): "double", ("double", "thin"): "double",
    ("slant_dash_dot", "medium"): "slantDashDot", ("slant_dash_dot", "thin"): "slantDashDot",
}
_LINE_OF_STYLE = {style: key for key, style in reversed(list(_LINE_STYLES.items()))}
_CF_OPERATORS = {"Between": "between", "NotBetween": "notBetween", "EqualTo": "equal",
                 "NotEqualTo": "notEqual", "GreaterThan": "greaterThan", "LessThan": "lessThan",
                 "GreaterThanOrEqual": "greaterThanOrEqual",
                 "LessThanOrEqual": "lessThanOrEqual"}
_DV_OPERATORS = {"between": "between", "not_between": "notBetween", "equal_to": "equal",
                 "not_equal_to": "notEqual", "greater_than": "greaterThan",
                 "less_than": "lessThan", "greater_than_or_equal": "greaterThanOrEqual",
                 "less_than_or_equal": "lessThanOrEqual"}
_DV_TYPES = {"whole_number": "whole", "decimal": "decimal", "date": "date", "time": "time",
             "text_length": "textLength", "custom": "custom"}
_H_ALIGN = {"General": "general", "Left": "left", "Center": "center", "Right": "right",
            "Fill": "fill", "Justify": "justify", "CenterAcrossSelection": "centerContinuous",
            "Distributed": "distributed"}
_V_ALIGN = {"Top": "top", "Center": "center", "Bottom": "bottom", "Justify": "justify",
            "Distributed": "distributed"}
_CALC = {"Automatic": "auto", "Manual": "manual", "AutomaticExceptTables": "autoNoTable"}


class _Replayer:
    """Applies actions, in order, to an openpyxl workbook."""

    def __init__(self, wb: openpyxl.Workbook, excel_coercion: bool):
        self.wb = wb
        self.excel_coercion = excel_coercion

    # --- plumbing --------------------------------------------------------------------------

    def apply(self, action: Mapping) -> None:
        handler = getattr(self, "_" + str(action["func"]), None)
        if handler is None or action["func"] not in SUPPORTED_ACTIONS:
            raise NotImplementedError(
                f"apply_actions cannot replay the action {action['func']!r} "
                f"(args={action.get('args')!r})"
            )
        handler(action, action.get("args") or [])

    def sheet(self, position: int | None):
        if position is None:
            raise ValueError("this action needs a sheet_position")
        return self.wb.worksheets[int(position)]

    def cells(self, ws, rect: _Rect, *, create: bool = True) -> Iterator:
        """The cells of ``rect``; whole rows/columns are clipped to the cells that exist."""
        max_row = min(rect.max_row, ws.max_row) if rect.whole_columns else rect.max_row
        max_col = min(rect.max_col, ws.max_column) if rect.whole_rows else rect.max_col
        for row in range(rect.min_row, max_row + 1):
            for col in range(rect.min_col, max_col + 1):
                if create:
                    yield ws.cell(row, col)
                elif (row, col) in ws._cells:
                    yield ws._cells[row, col]

    def styled(self, ws, rect: _Rect) -> Iterator:
        """Cells, plus the column/row formats of whole columns/rows, to apply a format to."""
        yield from self.cells(ws, rect)
        if rect.whole_columns:
            for col in range(rect.min_col, rect.max_col + 1):
                yield ws.column_dimensions[get_column_letter(col)]
        if rect.whole_rows:
            for row in range(rect.min_row, rect.max_row + 1):
                yield ws.row_dimensions[row]

    def write(self, cell, value: Any) -> None:
        if type(cell).__name__ == "MergedCell":
            if value in (None, ""):
                return
            raise ValueError(f"cannot write {value!r} to {cell.coordinate}, inside a merged area")
        as_text = False
        if isinstance(value, str) and self.excel_coercion:
            as_text = cell.number_format == "@" or value.startswith("'")
            value, number_format, quote_prefix = excel_parse(value, cell.number_format)
            if number_format:
                cell.number_format = number_format
            if quote_prefix:
                cell.quotePrefix = True
        elif value == "":
            value = None
        cell.value = value
        if as_text and isinstance(value, str):
            cell.data_type = "s"  # openpyxl would take "=..." for a formula

    def rename_everywhere(self, old: str, new: str) -> None:
        """What Excel does to references when a sheet is renamed."""
        def fix(text: Any) -> Any:
            return _rename_sheet_refs(text, old, new) if isinstance(text, str) else text

        for owner in [self.wb, *self.wb.worksheets]:
            for definition in owner.defined_names.values():
                definition.attr_text = fix(definition.attr_text)
        for ws in self.wb.worksheets:
            for cell in ws._cells.values():
                if isinstance(cell.value, str) and cell.value.startswith("=") and (
                        cell.data_type == "f"):
                    cell.value = fix(cell.value)
                if cell.hyperlink is not None and cell.hyperlink.location:
                    cell.hyperlink.location = fix(cell.hyperlink.location)
            for validation in ws.data_validations.dataValidation:
                validation.formula1, validation.formula2 = (fix(validation.formula1),
                                                            fix(validation.formula2))
            for formatting in ws.conditional_formatting:
                for rule in formatting.rules:
                    rule.formula = [fix(f) for f in rule.formula]

    # --- values ----------------------------------------------------------------------------

    def _setValues(self, action, args):
        ws, rect, values = self.sheet(action["sheet_position"]), _Rect.of(action), action["values"]
        if not isinstance(values, list):
            values = [[values] * action["column_count"] for _ in range(action["row_count"])]
        if len(values) != action["row_count"] or any(
            len(row) != action["column_count"] for row in values
        ):
            raise ValueError(f"setValues: values do not match the range {rect.a1}")
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                self.write(ws.cell(rect.min_row + i, rect.min_col + j), value)

    def _setFormula(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        formulas = action["values"]
        origin = f"{get_column_letter(rect.min_col)}{rect.min_row}"
        for cell in self.cells(ws, rect):
            if isinstance(formulas, list):
                value = formulas[cell.row - rect.min_row][cell.column - rect.min_col]
            elif isinstance(formulas, str) and formulas.startswith("="):
                value = Translator(formulas, origin=origin).translate_formula(cell.coordinate)
            else:
                value = formulas
            self.write(cell, value)

    def _setFormulaArray(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        formula = args[0] if str(args[0]).startswith("=") else "=" + str(args[0])
        ws.cell(rect.min_row, rect.min_col).value = ArrayFormula(rect.a1, formula)

    def _rangeClearContents(self, action, args):
        ws = self.sheet(action["sheet_position"])
        for cell in self.cells(ws, _Rect.of(action), create=False):
            if type(cell).__name__ != "MergedCell":
                cell.value = None

    def _rangeClearFormats(self, action, args):
        ws = self.sheet(action["sheet_position"])
        for target in self.styled(ws, _Rect.of(action)):
            target.style = "Normal"

    def _rangeClear(self, action, args):
        self._rangeClearContents(action, args)
        self._rangeClearFormats(action, args)
        ws = self.sheet(action["sheet_position"])
        for cell in self.cells(ws, _Rect.of(action), create=False):
            cell.hyperlink = None

    def _rangeReplaceAll(self, action, args):
        old, new, whole, match_case = args
        ws = self.sheet(action["sheet_position"])
        flags = 0 if match_case else re.IGNORECASE
        pattern = re.compile(("^" + re.escape(old) + "$") if whole else re.escape(old), flags)
        for cell in self.cells(ws, _Rect.of(action), create=False):
            if isinstance(cell.value, str) and pattern.search(cell.value):
                self.write(cell, pattern.sub(lambda _m: new, cell.value))

    def _rangeSort(self, action, args):
        keys, ascending, has_headers = args
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        first = rect.min_row + (1 if has_headers else 0)
        rows = [[(ws.cell(r, c).value, ws.cell(r, c)._style) for c in
                 range(rect.min_col, rect.max_col + 1)] for r in range(first, rect.max_row + 1)]

        def rank(value: Any) -> tuple:
            # Excel: numbers < text < booleans < errors; blanks last whatever the order
            if isinstance(value, bool):
                return (2, value)
            if isinstance(value, dt.datetime):  # dates sort as their Excel day numbers
                return (0, (value - _EXCEL_DAY0).total_seconds() / 86400)
            if isinstance(value, dt.date):
                return (0, (value - _EXCEL_DAY0.date()).days)
            if isinstance(value, (int, float)):
                return (0, value)
            if isinstance(value, str) and value.startswith("#"):
                return (3, value)
            return (1, str(value).casefold())

        for key, up in reversed(list(zip(keys, ascending, strict=True))):  # last key first
            filled = [row for row in rows if row[key - 1][0] not in (None, "")]
            blank = [row for row in rows if row[key - 1][0] in (None, "")]
            filled.sort(key=lambda row: rank(row[key - 1][0]), reverse=not up)
            rows = filled + blank
        for i, row in enumerate(rows):
            for j, (value, style) in enumerate(row):
                cell = ws.cell(first + i, rect.min_col + j)
                cell.value, cell._style = value, copy(style)

    def _rangeRemoveDuplicates(self, action, args):
        columns, has_headers = args
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        first = rect.min_row + (1 if has_headers else 0)
        seen, kept = set(), []
        for r in range(first, rect.max_row + 1):
            row = [ws.cell(r, c).value for c in range(rect.min_col, rect.max_col + 1)]
            key = tuple(str(row[c - 1]).casefold() if isinstance(row[c - 1], str) else row[c - 1]
                        for c in columns)
            if key not in seen:
                seen.add(key)
                kept.append(row)
        for i in range(rect.max_row - first + 1):
            row = kept[i] if i < len(kept) else [None] * (rect.max_col - rect.min_col + 1)
            for j, value in enumerate(row):
                ws.cell(first + i, rect.min_col + j).value = value

    def _copy_block(self, src_ws, src: _Rect, dst_ws, dst_row: int, dst_col: int, *,
                    values: bool = True, formats: bool = True, formulas_as_values: bool = False,
                    skip_blanks: bool = False, transpose: bool = False) -> None:
        grid = [[src_ws.cell(r, c) for c in range(src.min_col, src.max_col + 1)]
                for r in range(src.min_row, src.max_row + 1)]
        snapshot = [[(cell.value, copy(cell._style), cell.coordinate) for cell in row]
                    for row in grid]
        for i, row in enumerate(snapshot):
            for j, (value, style, coordinate) in enumerate(row):
                if skip_blanks and value is None:
                    continue
                di, dj = (j, i) if transpose else (i, j)
                target = dst_ws.cell(dst_row + di, dst_col + dj)
                if values:
                    if isinstance(value, str) and value.startswith("=") and not formulas_as_values:
                        value = Translator(value, origin=coordinate).translate_formula(
                            target.coordinate)
                    target.value = value
                if formats:
                    target._style = style

    def _copyRange(self, action, args):
        dst_ws, dst = self.wb.worksheets[int(args[0])], _Rect.parse(str(args[1]))
        self._copy_block(self.sheet(action["sheet_position"]), _Rect.of(action), dst_ws,
                         dst.min_row, dst.min_col)

    def _copyFromRange(self, action, args):
        src_index, src_address, copy_type, skip_blanks, transpose = args
        copy_type = copy_type or "all"
        if copy_type == "link":
            raise NotImplementedError("apply_actions cannot replay copyFromRange with 'link'")
        dst = _Rect.of(action)
        self._copy_block(self.wb.worksheets[int(src_index)], _Rect.parse(src_address),
                         self.sheet(action["sheet_position"]), dst.min_row, dst.min_col,
                         values=copy_type in ("all", "values", "formulas"),
                         formats=copy_type in ("all", "formats"),
                         formulas_as_values=copy_type == "values",
                         skip_blanks=bool(skip_blanks), transpose=bool(transpose))

    def _moveRange(self, action, args):
        self._copyRange(action, args)
        self._rangeClear(action, args)

    def _rangeDelete(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        if args[0] == "up" and rect.whole_rows:
            ws.delete_rows(rect.min_row, rect.max_row - rect.min_row + 1)
        elif args[0] == "left" and rect.whole_columns:
            ws.delete_cols(rect.min_col, rect.max_col - rect.min_col + 1)
        else:
            raise NotImplementedError("apply_actions replays rangeDelete of whole rows "
                                      "(shift up) or whole columns (shift left) only")

    def _rangeInsert(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        if args[0] == "down" and rect.whole_rows:
            ws.insert_rows(rect.min_row, rect.max_row - rect.min_row + 1)
        elif args[0] == "right" and rect.whole_columns:
            ws.insert_cols(rect.min_col, rect.max_col - rect.min_col + 1)
        else:
            raise NotImplementedError("apply_actions replays rangeInsert of whole rows "
                                      "(shift down) or whole columns (shift right) only")

    # --- formats ---------------------------------------------------------------------------

    def _setRangeColor(self, action, args):
        ws = self.sheet(action["sheet_position"])
        fill = (PatternFill() if args[0] is None
                else PatternFill("solid", fgColor=_hex_color(args[0])))
        for target in self.styled(ws, _Rect.of(action)):
            target.fill = fill

    def _setRangeColors(self, action, args):
        ws, rect, colors = self.sheet(action["sheet_position"]), _Rect.of(action), args[0]
        for i, row in enumerate(colors):
            for j, color in enumerate(row):
                if color == "keep":
                    continue
                cell = ws.cell(rect.min_row + i, rect.min_col + j)
                cell.fill = PatternFill() if color is None else PatternFill(
                    "solid", fgColor=_hex_color(color))

    def _setFontProperty(self, action, args):
        attribute, value = args
        ws = self.sheet(action["sheet_position"])
        key = {"bold": "b", "italic": "i", "size": "sz", "name": "name", "color": "color"}.get(
            attribute)
        if key is None:
            raise NotImplementedError(f"apply_actions cannot set the font property {attribute!r}")
        if attribute == "color":
            value = None if value is None else Color(rgb=_hex_color(value))
        for target in self.styled(ws, _Rect.of(action)):
            font = copy(target.font)
            setattr(font, key, value)
            target.font = font

    def _setNumberFormat(self, action, args):
        ws = self.sheet(action["sheet_position"])
        for target in self.styled(ws, _Rect.of(action)):
            target.number_format = args[0]

    def _set_alignment(self, action, **changes):
        ws = self.sheet(action["sheet_position"])
        for target in self.styled(ws, _Rect.of(action)):
            alignment = copy(target.alignment)
            for key, value in changes.items():
                setattr(alignment, key, value)
            target.alignment = alignment

    def _setWrapText(self, action, args):
        self._set_alignment(action, wrap_text=bool(args[0]))

    def _setHorizontalAlignment(self, action, args):
        self._set_alignment(action, horizontal=_H_ALIGN[args[0]])

    def _setVerticalAlignment(self, action, args):
        self._set_alignment(action, vertical=_V_ALIGN[args[0]])

    def _rangeAdjustIndent(self, action, args):
        ws = self.sheet(action["sheet_position"])
        for target in self.styled(ws, _Rect.of(action)):
            alignment = copy(target.alignment)
            alignment.indent = max(0, min(250, (alignment.indent or 0) + int(args[0])))
            target.alignment = alignment

    def _setBorderProperty(self, action, args):
        side_name, attribute, value = args
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        if rect.whole_columns or rect.whole_rows:
            rect = _Rect(rect.min_row, rect.min_col, min(rect.max_row, ws.max_row),
                         min(rect.max_col, ws.max_column))
        targets: list[tuple[Any, str]] = []  # (cell, openpyxl side attribute)
        rows = range(rect.min_row, rect.max_row + 1)
        cols = range(rect.min_col, rect.max_col + 1)
        if side_name == "edge_top":
            targets = [(ws.cell(rect.min_row, c), "top") for c in cols]
        elif side_name == "edge_bottom":
            targets = [(ws.cell(rect.max_row, c), "bottom") for c in cols]
        elif side_name == "edge_left":
            targets = [(ws.cell(r, rect.min_col), "left") for r in rows]
        elif side_name == "edge_right":
            targets = [(ws.cell(r, rect.max_col), "right") for r in rows]
        elif side_name == "inside_horizontal":
            targets = [(ws.cell(r, c), "bottom") for r in rows[:-1] for c in cols]
            targets += [(ws.cell(r, c), "top") for r in rows[1:] for c in cols]
        elif side_name == "inside_vertical":
            targets = [(ws.cell(r, c), "right") for r in rows for c in cols[:-1]]
            targets += [(ws.cell(r, c), "left") for r in rows for c in cols[1:]]
        elif side_name in ("diagonal_down", "diagonal_up"):
            targets = [(ws.cell(r, c), side_name) for r in rows for c in cols]
        else:
            raise NotImplementedError(f"apply_actions: unknown border side {side_name!r}")
        for cell, where in targets:
            if type(cell).__name__ == "MergedCell":
                continue
            border = copy(cell.border)
            key = "diagonal" if where.startswith("diagonal") else where
            old = getattr(border, key) or Side()
            line, weight = _LINE_OF_STYLE.get(old.style, (None, "thin"))
            color = old.color
            if attribute == "line_style":
                line = value
            elif attribute == "weight":
                weight, line = value, line or "continuous"
            elif attribute == "color":
                color, line = Color(rgb=_hex_color(value)), line or "continuous"
            style = None if line is None else (_LINE_STYLES.get((line, weight))
                                               or _LINE_STYLES.get((line, "thin"))
                                               or _LINE_STYLES[(line, "medium")])
            setattr(border, key, Side(style=style, color=color if style else None))
            if where == "diagonal_down":
                border.diagonalDown = style is not None
            elif where == "diagonal_up":
                border.diagonalUp = style is not None
            cell.border = border

    def _setColumnWidth(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        points = float(args[0])
        # Office.js measures in points; the file in characters of the default font (7 px + 5 px)
        width = round(max(0.0, (points / 0.75 - 5) / 7), 2)
        for col in self._columns(ws, rect):
            ws.column_dimensions[get_column_letter(col)].width = width

    @staticmethod
    def _rows(ws, rect: _Rect) -> range:
        last = min(rect.max_row, max(ws.max_row, rect.min_row)) if rect.whole_columns else (
            rect.max_row)
        return range(rect.min_row, last + 1)

    @staticmethod
    def _columns(ws, rect: _Rect) -> range:
        last = min(rect.max_col, max(ws.max_column, rect.min_col)) if rect.whole_rows else (
            rect.max_col)
        return range(rect.min_col, last + 1)

    def _setRowHeight(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        for row in self._rows(ws, rect):
            ws.row_dimensions[row].height = float(args[0])

    def _setRowHidden(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        for row in self._rows(ws, rect):
            ws.row_dimensions[row].hidden = bool(args[0])

    def _setColumnHidden(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        for col in self._columns(ws, rect):
            ws.column_dimensions[get_column_letter(col)].hidden = bool(args[0])

    def _autofit_columns(self, ws, rect: _Rect) -> None:
        """A rough autofit: the longest text of each column (Excel measures the real glyphs)."""
        widths: dict[int, int] = {}
        for cell in self.cells(ws, rect, create=False):
            value = cell.value
            if value is None or cell.data_type == "f" or not isinstance(
                    value, (str, int, float, dt.date, dt.time)):
                continue  # a formula's result is unknown here
            if isinstance(value, (dt.date, dt.time)):
                timed = isinstance(value, dt.datetime) and value.time() != dt.time()
                longest = 19 if timed else 10
            else:
                longest = max((len(line) for line in str(value).splitlines()), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
        for col, chars in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(255, chars * 1.1 + 2)

    def _setAutofit(self, action, args):
        if args[0] == "columns":
            self._autofit_columns(self.sheet(action["sheet_position"]), _Rect.of(action))
        # row heights: Excel's own business, nothing to record in the file

    def _setSheetAutofit(self, action, args):
        if args[0] == "columns":
            ws = self.sheet(action["sheet_position"])
            self._autofit_columns(ws, _Rect(1, 1, MAX_ROWS, MAX_COLUMNS))

    def _rangeMerge(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        if args and args[0]:
            for row in range(rect.min_row, rect.max_row + 1):
                if rect.max_col > rect.min_col:
                    ws.merge_cells(_Rect(row, rect.min_col, row, rect.max_col).a1)
        else:
            ws.merge_cells(rect.a1)

    def _rangeUnmerge(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        for merged in list(ws.merged_cells.ranges):
            if rect.intersects(_Rect.of_range(merged)):
                ws.unmerge_cells(str(merged))

    # --- hyperlinks, notes, names ----------------------------------------------------------

    def _addHyperlink(self, action, args):
        address, text, tip = (list(args) + [None, None])[:3]
        ws = self.sheet(action["sheet_position"])
        for cell in self.cells(ws, _Rect.of(action)):
            if str(address).startswith("#"):
                link = Hyperlink(ref=cell.coordinate, location=str(address)[1:], tooltip=tip)
            else:
                link = Hyperlink(ref=cell.coordinate, target=str(address), tooltip=tip)
            cell.hyperlink = link
            cell.value = text if text is not None else address

    def _note_cell(self, action, address: str):
        rect = _Rect.parse(str(address))
        return self.sheet(action["sheet_position"]).cell(rect.min_row, rect.min_col)

    def _addNote(self, action, args):
        self._note_cell(action, args[0]).comment = Comment(str(args[1]), "xlwings")

    def _setNoteText(self, action, args):
        cell = self._note_cell(action, args[0])
        author = cell.comment.author if cell.comment is not None else "xlwings"
        cell.comment = Comment(str(args[1]), author)

    def _deleteNote(self, action, args):
        self._note_cell(action, args[0]).comment = None

    def _names_of(self, position: int | None):
        return self.wb.defined_names if position is None else self.sheet(position).defined_names

    def _setRangeName(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        self.wb.defined_names[args[0]] = DefinedName(
            args[0], attr_text=f"{_quote_sheet(ws.title)}!{rect.absolute}")

    def _namesAdd(self, action, args):
        name, refers_to = args[0], str(args[1]).removeprefix("=")
        self._names_of(action.get("sheet_position"))[name] = DefinedName(name, attr_text=refers_to)

    def _nameDelete(self, action, args):
        _full, _refers, name, _sheet_index, book_scope, scope_index = args
        del self._names_of(None if book_scope else scope_index)[name]

    def _setNameRefersTo(self, action, args):
        name, book_scope, scope_index, refers_to = args
        names = self._names_of(None if book_scope else scope_index)
        names[name] = DefinedName(name, attr_text=str(refers_to).removeprefix("="))

    # --- sheets and book -------------------------------------------------------------------

    def activate(self, ws) -> None:
        self.wb.active = ws
        for other in self.wb.worksheets:
            other.sheet_view.tabSelected = other is ws

    def _addSheet(self, action, args):
        index, name = int(args[0]), args[1]
        worksheets = self.wb.worksheets
        position = (self.wb._sheets.index(worksheets[index]) if index < len(worksheets)
                    else len(self.wb._sheets))
        ws = self.wb.create_sheet(name, position)
        self.activate(ws)  # as the remote engine's snapshot does

    def _setSheetName(self, action, args):
        ws = self.sheet(action["sheet_position"])
        old, new = ws.title, str(args[0])
        ws.title = new
        if old != new:
            self.rename_everywhere(old, new)

    def _activateSheet(self, action, args):
        self.activate(self.wb.worksheets[int(args[0])])

    def _rangeSelect(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        self.activate(ws)
        self._select(ws, f"{get_column_letter(rect.min_col)}{rect.min_row}", rect.a1)

    def _setSheetVisibility(self, action, args):
        self.sheet(action["sheet_position"]).sheet_state = {
            "Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}[args[0]]

    def _setShowGridlines(self, action, args):
        self.sheet(action["sheet_position"]).sheet_view.showGridLines = bool(args[0])

    def _sheetDelete(self, action, args):
        self.wb.remove(self.sheet(action["sheet_position"]))

    def _sheetClear(self, action, args):
        self._sheetClearContents(action, args)
        self._sheetClearFormats(action, args)

    def _sheetClearContents(self, action, args):
        ws = self.sheet(action["sheet_position"])
        for cell in list(ws._cells.values()):
            if type(cell).__name__ != "MergedCell":
                cell.value = None
                cell.hyperlink = None

    def _sheetClearFormats(self, action, args):
        ws = self.sheet(action["sheet_position"])
        for cell in list(ws._cells.values()):
            cell.style = "Normal"

    def _setSheetPosition(self, action, args):
        ws = self.sheet(action["sheet_position"])
        target = self.wb.worksheets[int(args[0])]
        self.wb.move_sheet(ws, self.wb._sheets.index(target) - self.wb._sheets.index(ws))

    def _copySheet(self, action, args):
        where, target_index, name = args
        ws = self.sheet(action["sheet_position"])
        target = self.wb.worksheets[int(target_index)]
        new = self.wb.copy_worksheet(ws)
        new.title = name
        position = self.wb._sheets.index(target) + (1 if where == "After" else 0)
        self.wb.move_sheet(new, position - self.wb._sheets.index(new))

    @staticmethod
    def _select(ws, active_cell: str | None, sqref: Any) -> None:
        """Select on the active pane (the last selection) or, without panes, the only one."""
        view = ws.sheet_view
        if view.pane is None or not view.selection:
            view.selection = [Selection(activeCell=active_cell, sqref=sqref)]
        else:
            view.selection[-1].activeCell = active_cell
            view.selection[-1].sqref = sqref

    def _freeze(self, ws, top_left: str | None) -> None:
        """Set the panes; openpyxl resets the selection, Excel keeps it."""
        selection = ws.sheet_view.selection
        kept = (selection[-1].activeCell, selection[-1].sqref) if selection else ("A1", "A1")
        ws.freeze_panes = top_left
        self._select(ws, *kept)

    def _freezePaneAtRange(self, action, args):
        ws = self.sheet(action["sheet_position"])
        frozen = _Rect.parse(str(args[0]))
        rows = 0 if frozen.whole_columns else frozen.max_row
        cols = 0 if frozen.whole_rows else frozen.max_col
        self._freeze(ws, f"{get_column_letter(cols + 1)}{rows + 1}" if rows or cols else None)

    def _freezePaneUnfreeze(self, action, args):
        self._freeze(self.sheet(action["sheet_position"]), None)

    def _setPrintArea(self, action, args):
        ws = self.sheet(action["sheet_position"])
        if args and args[0]:
            ws.print_area = [area.rsplit("!", 1)[-1].replace("$", "")
                             for area in str(args[0]).split(",")]
        else:
            ws.print_area = None

    def _setCalculation(self, action, args):
        self.wb.calculation.calcMode = _CALC[args[0]]

    def _noop(self, action, args):
        """Has no effect on the saved file (UI only)."""

    _save = _calculate = _setScreenUpdating = _alert = _noop

    # --- validation and conditional formats ------------------------------------------------

    def _drop_validation(self, ws, rect: _Rect) -> DataValidation | None:
        """Remove ``rect`` from every validation of ``ws``; return the one that covered it."""
        covering = None
        kept = []
        for validation in ws.data_validations.dataValidation:
            parts = [_Rect.of_range(CellRange(p)) for p in str(validation.sqref).split()]
            if covering is None and any(part.intersects(rect) for part in parts):
                covering = validation
            rest = _subtract(validation.sqref, rect)
            if rest:
                validation.sqref = MultiCellRange(_sqref(rest))
                kept.append(validation)
        ws.data_validations.dataValidation = kept
        return covering

    def _add_validation(self, ws, rect: _Rect, **settings) -> None:
        old = self._drop_validation(ws, rect)
        keep = {}
        if old is not None:  # "existing input prompts and error alerts are preserved"
            keep = {key: getattr(old, key) for key in (
                "promptTitle", "prompt", "showInputMessage", "errorTitle", "error",
                "showErrorMessage", "errorStyle", "allow_blank")}
        validation = DataValidation(**{"allow_blank": True, **keep, **settings})
        validation.sqref = MultiCellRange(rect.a1)
        ws.data_validations.dataValidation.append(validation)

    def _setDataValidationList(self, action, args):
        source, in_cell_dropdown = args
        if source["type"] == "literal":
            formula = '"' + ",".join(str(v) for v in source["values"]) + '"'
        elif source["type"] == "range":
            sheet = self.wb.worksheets[int(source["sheet_position"])]
            formula = f"{_quote_sheet(sheet.title)}!{_Rect.of(source).absolute}"
        elif source["type"] == "name":
            formula = source["name"]
        else:
            raise NotImplementedError(f"apply_actions: list source {source['type']!r}")
        # openpyxl's (and the file format's) showDropDown means *hide* the dropdown
        self._add_validation(self.sheet(action["sheet_position"]), _Rect.of(action), type="list",
                             formula1=formula, showDropDown=not in_cell_dropdown or None)

    def _setDataValidationRule(self, action, args):
        rule = args[0]
        settings = {"type": _DV_TYPES[rule["type"]]}
        if rule.get("operator"):
            settings["operator"] = _DV_OPERATORS[rule["operator"]]
        for key in ("formula1", "formula2"):
            if rule.get(key) is not None:
                settings[key] = str(rule[key]).removeprefix("=")
        self._add_validation(self.sheet(action["sheet_position"]), _Rect.of(action), **settings)

    def _deleteDataValidation(self, action, args):
        self._drop_validation(self.sheet(action["sheet_position"]), _Rect.of(action))

    def _addConditionalFormat(self, action, args):
        entry = args[0]
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        font = Font(b=entry.get("font_bold"), i=entry.get("font_italic"),
                    color=Color(rgb=_hex_color(entry["font_color"]))
                    if entry.get("font_color") else None)
        fill = (PatternFill("solid", bgColor=_hex_color(entry["fill_color"]))
                if entry.get("fill_color") else None)
        style = DifferentialStyle(font=font, fill=fill)
        if entry["type"] == "CellValue":
            formulas = [str(f).removeprefix("=")
                        for f in (entry.get("formula1"), entry.get("formula2")) if f is not None]
            rule = Rule(type="cellIs", operator=_CF_OPERATORS[entry["operator"]],
                        formula=formulas, dxf=style, stopIfTrue=entry.get("stop_if_true") or None)
        elif entry["type"] == "Custom":
            rule = Rule(type="expression", formula=[str(entry["formula"]).removeprefix("=")],
                        dxf=style, stopIfTrue=entry.get("stop_if_true") or None)
        else:
            raise NotImplementedError(
                f"apply_actions cannot replay addConditionalFormat of type {entry['type']!r}")
        # a new rule comes first (highest priority), as in Excel
        for formatting in ws.conditional_formatting:
            for other in formatting.rules:
                other.priority = (other.priority or 0) + 1
        rule.priority = 1
        ws.conditional_formatting.add(rect.a1, rule)

    def _clearConditionalFormats(self, action, args):
        ws, rect = self.sheet(action["sheet_position"]), _Rect.of(action)
        rebuilt = ConditionalFormattingList()
        for formatting in ws.conditional_formatting:
            rest = _subtract(formatting.sqref, rect)
            if rest:
                for rule in formatting.rules:
                    rebuilt.add(_sqref(rest), rule)
        rebuilt.max_priority = ws.conditional_formatting.max_priority
        ws.conditional_formatting = rebuilt

    # --- tables ----------------------------------------------------------------------------

    def _table(self, action, index: Any) -> Table:
        ws = self.sheet(action["sheet_position"])
        return list(ws.tables.values())[int(index)]

    def _addTable(self, action, args):
        address, has_headers, style, name = (list(args) + [None] * 4)[:4]
        if not has_headers:
            raise NotImplementedError("apply_actions replays addTable with has_headers=True only")
        ws, rect = self.sheet(action["sheet_position"]), _Rect.parse(str(address))
        taken = {t.casefold() for sheet in self.wb.worksheets for t in sheet.tables}
        if not name:
            number = 1
            while f"table{number}" in taken:
                number += 1
            name = f"Table{number}"
        columns, seen = [], set()
        for i, col in enumerate(range(rect.min_col, rect.max_col + 1), start=1):
            cell = ws.cell(rect.min_row, col)
            header = str(cell.value) if cell.value not in (None, "") else f"Column{i}"
            while header.casefold() in seen:
                header += "2"
            seen.add(header.casefold())
            cell.value = header  # Excel makes every header a distinct text
            columns.append(TableColumn(id=i, name=header))
        table = Table(displayName=name, name=name, ref=rect.a1, tableColumns=columns)
        table.tableStyleInfo = TableStyleInfo(name=style or "TableStyleMedium2",
                                              showRowStripes=True)
        ws.add_table(table)

    def _setTableName(self, action, args):
        table = self._table(action, args[0])
        ws = self.sheet(action["sheet_position"])
        del ws.tables[table.name]
        table.name = table.displayName = str(args[1])
        ws.add_table(table)

    def _setTableStyle(self, action, args):
        table = self._table(action, args[0])
        style = table.tableStyleInfo or TableStyleInfo()
        style.name = args[1]
        table.tableStyleInfo = style

    def _table_style_flag(self, action, args, flag: str):
        table = self._table(action, args[0])
        style = table.tableStyleInfo or TableStyleInfo()
        setattr(style, flag, bool(args[1]))
        table.tableStyleInfo = style

    def _showTableStyleFirstColumn(self, action, args):
        self._table_style_flag(action, args, "showFirstColumn")

    def _showTableStyleLastColumn(self, action, args):
        self._table_style_flag(action, args, "showLastColumn")

    def _showTableStyleRowStripes(self, action, args):
        self._table_style_flag(action, args, "showRowStripes")

    def _showTableStyleColumnStripes(self, action, args):
        self._table_style_flag(action, args, "showColumnStripes")


#: the action funcs :func:`apply_actions` replays; any other raises NotImplementedError
SUPPORTED_ACTIONS = frozenset({
    # values
    "setValues", "setFormula", "setFormulaArray", "rangeClearContents", "rangeClearFormats",
    "rangeClear", "rangeReplaceAll", "rangeSort", "rangeRemoveDuplicates", "copyRange",
    "copyFromRange", "moveRange", "rangeDelete", "rangeInsert",
    # formats
    "setRangeColor", "setRangeColors", "setFontProperty", "setNumberFormat", "setWrapText",
    "setHorizontalAlignment", "setVerticalAlignment", "rangeAdjustIndent", "setBorderProperty",
    "setColumnWidth", "setRowHeight", "setRowHidden", "setColumnHidden", "setAutofit",
    "setSheetAutofit", "rangeMerge", "rangeUnmerge",
    # hyperlinks, notes, names
    "addHyperlink", "addNote", "setNoteText", "deleteNote", "setRangeName", "namesAdd",
    "nameDelete", "setNameRefersTo",
    # sheets, book
    "addSheet", "setSheetName", "activateSheet", "rangeSelect", "setSheetVisibility",
    "setShowGridlines", "sheetDelete", "sheetClear", "sheetClearContents", "sheetClearFormats",
    "setSheetPosition", "copySheet", "freezePaneAtRange", "freezePaneUnfreeze", "setPrintArea",
    "setCalculation", "save", "calculate", "setScreenUpdating", "alert",
    # validation, conditional formats
    "setDataValidationList", "setDataValidationRule", "deleteDataValidation",
    "addConditionalFormat", "clearConditionalFormats",
    # tables
    "addTable", "setTableName", "setTableStyle", "showTableStyleFirstColumn",
    "showTableStyleLastColumn", "showTableStyleRowStripes", "showTableStyleColumnStripes",
})


def apply_actions(
    xlsx_path: str | os.PathLike,
    actions: Any,
    out_path: str | os.PathLike,
    *,
    excel_coercion: bool = True,
    check_json: bool = True,
) -> Path:
    """Replay recorded actions on the workbook at ``xlsx_path`` and save it as ``out_path``.

    ``actions``: a list of actions, ``book.json()``, or the ``xw.Book`` itself. Actions apply in
    order, each on the sheet at its ``sheet_position`` at that moment. ``excel_coercion`` makes
    written text go through :func:`excel_parse` as typed input does in Excel (default); without
    it values are stored as sent. ``check_json`` first passes the actions through strict JSON
    (no NaN), as the real transport does, so a value the client could not receive fails here.
    Raises NotImplementedError for an action it cannot replay (see :data:`SUPPORTED_ACTIONS`).
    """
    action_list = actions_of(actions)
    if check_json:
        action_list = json.loads(json.dumps(action_list, allow_nan=False))
    xlsx_path, out_path = Path(xlsx_path), Path(out_path)
    wb = openpyxl.load_workbook(xlsx_path, keep_vba=xlsx_path.suffix.lower() == ".xlsm",
                                keep_links=True)
    replayer = _Replayer(wb, excel_coercion)
    for number, action in enumerate(action_list):
        try:
            replayer.apply(action)
        except NotImplementedError:
            raise
        except Exception as error:
            raise type(error)(f"action {number} ({action['func']}): {error}") from error
    wb.save(out_path)
    return out_path


# =================================================================================================
# One call, end to end
# =================================================================================================


@dataclass
class RunResult:
    """What :func:`run_excel_function` saw: the return value, the actions, the output file."""

    value: Any
    actions: list[dict]
    out_path: Path | None
    #: sheet names before the actions, to pass to :func:`calls_per_sheet`
    sheet_names: list[str]

    @property
    def calls(self) -> Counter:
        return count_calls(self.actions)

    @property
    def calls_per_sheet(self) -> Counter:
        return calls_per_sheet(self.actions, self.sheet_names)


def run_excel_function(
    func: Callable[..., Any],
    xlsx_path: str | os.PathLike,
    out_path: str | os.PathLike | None = None,
    *args: Any,
    book_options: Mapping[str, Any] | None = None,
    excel_coercion: bool = True,
    **kwargs: Any,
) -> RunResult:
    """Open ``xlsx_path`` as a remote book, call ``func(book, *args, **kwargs)``, replay.

    The actions are replayed onto ``out_path`` when it is given (else only recorded).
    """
    snapshot = book_json_from_xlsx(xlsx_path, **(book_options or {}))
    sheet_names = [sheet["name"] for sheet in snapshot["sheets"]]
    book = xw.Book(json=snapshot)
    try:
        value = func(book, *args, **kwargs)
        actions = list(book.json()["actions"])
    finally:
        close_book(book)
    written = None
    if out_path is not None:
        written = apply_actions(xlsx_path, actions, out_path, excel_coercion=excel_coercion)
    return RunResult(value=value, actions=actions, out_path=written, sheet_names=sheet_names)
