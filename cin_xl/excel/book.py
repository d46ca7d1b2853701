"""Reading and writing an xlwings ``Book`` in bulk: each sheet read in one call, one block written a sheet.

What the buttons (:mod:`cin_xl.excel`) say to Excel goes through here, so that no job loops over cells
talking to Excel: the values come in as grids for the reader (:func:`cin_xl.workbook.reader.read_grids`)
and go out as blocks of rows. Text is written so that Excel keeps it as text, never as a formula, a
number or a date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, repeat
from typing import Any

from cin_xl.census.spec import Kind
from cin_xl.census.years import CensusYear
from cin_xl.safety.text_guard import FORMULA_STARTS, looks_like_formula
from cin_xl.workbook.layout import (
    ISSUES,
    ISSUES_COLUMNS,
    ISSUES_HEADER,
    MARKS_HEADER,
    RETURN,
    norm_header,
    return_rows,
)
from cin_xl.workbook.list_sheets import ListSheet
from cin_xl.workbook.marks import MarksPlan, mark_columns
from cin_xl.workbook.package.columns import column_index, column_letters
from cin_xl.workbook.package.write import split_ref
from cin_xl.workbook.reader import HEADER_SEARCH_ROWS, WorkbookRead, is_needed_sheet, read_grids
from cin_xl.workbook.template import DATETIME_MINUTES


def sheets_of(book) -> dict[str, object]:
    return {s.name: s for s in book.sheets}


def used(sheet) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of a sheet's used range, without reading a value."""
    rng = sheet.used_range
    rows, columns = rng.shape
    return rng.row, rng.column, rng.row + rows - 1, rng.column + columns - 1


def read_block(sheet, first_row: int, first_column: int, last_row: int, last_column: int) -> list[list[object]]:
    """The values of a block of cells, in one call (a list of rows, even for one cell)."""
    return sheet.range((first_row, first_column), (last_row, last_column)).options(ndim=2).value


def sheet_grid(sheet) -> tuple[list[list[object]], tuple[int, int]]:
    """All values of a sheet's used range in one call, and where the range starts (row, column)."""
    first_row, first_column, last_row, last_column = used(sheet)
    return read_block(sheet, first_row, first_column, last_row, last_column), (first_row, first_column)


@dataclass
class BookValues:
    """Values of the sheets cin-xl reads, each read in one call: per sheet a grid, where it starts
    (row, column) and the sheet's last used row (the grid may hold only some of its columns or rows)."""

    grids: dict[str, list[list[object]]] = field(default_factory=dict)
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)
    heights: dict[str, int] = field(default_factory=dict)

    def column(self, sheet: str, column: int, first_row: int, count: int) -> list[object]:
        """The values of ``count`` cells of a column from ``first_row`` down (None outside the grid)."""
        grid, (row0, col0) = self.grids.get(sheet, []), self.offsets.get(sheet, (1, 1))
        c, skip = column - col0, first_row - row0
        out: list[object] = [None] * count
        if c >= 0:
            for r in range(max(skip, 0), min(skip + count, len(grid))):
                row = grid[r]
                if c < len(row):
                    out[r - skip] = row[c]
        return out

    def columns(self, spans: dict[str, tuple[int, int]]) -> BookValues:
        """Only the columns ``first..last`` (1-based) of the sheets in ``spans``: what validation
        needs to keep of the grids once the return is read."""
        kept = BookValues(heights=self.heights)
        for name, (first, last) in spans.items():
            if name in self.grids:
                row0, col0 = self.offsets[name]
                a, b = max(first - col0, 0), max(last - col0 + 1, 0)
                kept.grids[name] = [row[a:b] for row in self.grids[name]]
                kept.offsets[name] = (row0, col0 + a)
        return kept


def book_values(book) -> BookValues:
    """Every value of the sheets the reader needs (one read a sheet)."""
    values = BookValues()
    for name, sheet in sheets_of(book).items():
        if is_needed_sheet(name):
            first_row, first_column, last_row, last_column = used(sheet)
            values.grids[name] = read_block(sheet, first_row, first_column, last_row, last_column)
            values.offsets[name], values.heights[name] = (first_row, first_column), last_row
    return values


def read_book(book, year: str | CensusYear | None = None, values: BookValues | None = None
              ) -> tuple[WorkbookRead, dict[str, int]]:
    """The census in ``book`` (one read per sheet) and the last used row of each sheet read."""
    values = values or book_values(book)
    grids: dict[str, object] = {**values.grids}
    return read_grids(grids, year, offsets=values.offsets, source=book.name), values.heights


def read_layout(book) -> tuple[WorkbookRead, dict[str, int]]:
    """How the workbook is laid out (its census year, where each sheet's columns are) and the last used
    row of each sheet: the Return sheet whole, of the others only the rows a header row may be in (one
    read a sheet). What Clear needs, without reading the return."""
    values = BookValues()
    for name, sheet in sheets_of(book).items():
        if is_needed_sheet(name):
            first_row, first_column, last_row, last_column = used(sheet)
            rows = last_row if norm_header(name) == norm_header(RETURN) else min(
                last_row, first_row + HEADER_SEARCH_ROWS - 1)
            values.grids[name] = read_block(sheet, first_row, first_column, rows, last_column)
            values.offsets[name], values.heights[name] = (first_row, first_column), last_row
    return read_book(book, values=values)


def mark_spans(read: WorkbookRead) -> dict[str, tuple[int, int]]:
    """Per sheet (as named in the workbook), the columns from Issues to Marks: where validation writes."""
    spans = {}
    for info in read.sheets.values():
        if info.found_as is not None and info.columns:
            issues, marks, _ = mark_columns(info)
            a, b = column_index(issues), column_index(marks)
            spans[info.found_as] = (min(a, b), max(a, b))
    return spans


def values_under(book, plan: MarksPlan) -> BookValues:
    """The values now in the cells ``plan`` writes its marks in (one read a sheet)."""
    sheets, values = sheets_of(book), BookValues()
    for name, marks in plan.sheets.items():
        if marks.issues:
            a, b = sorted((column_index(marks.issues_column), column_index(marks.marks_column)))
            last = marks.first_row + len(marks.issues) - 1
            values.grids[name] = read_block(sheets[name], marks.first_row, a, last, b)
            values.offsets[name] = (marks.first_row, a)
    return values


def text_guard(value: object) -> object:
    """Values as Excel should store them: text stays text (never a formula, a number or a date)."""
    if isinstance(value, str):
        return "'" + value if value else value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def formula_guard(value: object) -> object:
    """Text Excel would evaluate gets the text prefix; anything else is written as it is."""
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value


def guarded_texts(texts: list[str]) -> list[str]:
    """:func:`formula_guard` over a column of texts (the marks), the same test without a call a cell."""
    return ["'" + t if t.startswith(FORMULA_STARTS) else t for t in texts]


def issue_row(row: list[object]) -> list[object]:
    """An Issues sheet row: every value as text, but for the link formula cin-xl built itself (last)."""
    return [*(text_guard(v) for v in row[:-1]), row[-1]]


def write_block(sheet, address: str, rows: Iterable[Sequence[object]]) -> None:
    """``rows`` into the cells from ``address`` right and down, in one call.

    Each value goes to Excel as xlwings' value converter would send it (through the engine's own
    ``prepare_xl_data_element``, which leaves text as it is), but to a range of the block's size
    with the raw converter: the value converter resizes the range first, which on the remote engine
    (xlwings Server and Lite) turns the whole sheet into tuples some 17 times a write (0.3 s on a
    20,000-row sheet). Building the block here also spares a second copy of it.
    """
    prepare = sheet.book.app.engine.impl.prepare_xl_data_element
    options: dict = {}
    blank = prepare(None, options)
    block = [[v if v.__class__ is str else blank if v is None else prepare(v, options) for v in row] for row in rows]
    if block:
        row, column = split_ref(address)
        rng = sheet.range((row, column), (row + len(block) - 1, column + len(block[0]) - 1))
        rng.options("raw").value = block


def write_marks(book, plan: MarksPlan) -> None:
    sheets = sheets_of(book)
    for name, marks in plan.sheets.items():
        sheet = sheets[name]
        if marks.add_headers:
            write_block(sheet, f"{marks.issues_column}{marks.header_row}", [[ISSUES_HEADER, MARKS_HEADER]])
        issue_texts, mark_texts = guarded_texts(marks.issues), guarded_texts(marks.marks)
        if marks.adjacent:
            write_block(sheet, f"{marks.issues_column}{marks.first_row}", zip(issue_texts, mark_texts))
        else:
            write_block(sheet, f"{marks.issues_column}{marks.first_row}", ((v,) for v in issue_texts))
            write_block(sheet, f"{marks.marks_column}{marks.first_row}", ((v,) for v in mark_texts))
        fit_issues(sheet, marks)
    # Excel's sheet names are one ignoring case: a sheet "ISSUES" is the Issues sheet
    issues = next((s for n, s in sheets.items() if n.casefold() == ISSUES.casefold()), None)
    if issues is None:
        issues = book.sheets.add(ISSUES, after=book.sheets[len(book.sheets) - 1])
        write_block(issues, "A1", [list(ISSUES_COLUMNS)])
    old_height = used(issues)[2]
    blank = [None] * len(ISSUES_COLUMNS)
    stale = max(0, old_height - 1 - len(plan.issue_rows))  # clear what a previous run left below
    write_block(issues, "A2", chain(map(issue_row, plan.issue_rows), repeat(blank, stale)))
    for name, value in plan.summary.items():
        try:
            cell = book.names[name].refers_to_range
            if isinstance(value, datetime):
                cell.number_format = DATETIME_MINUTES  # dd/mm/yyyy, as every date a person reads here
            cell.value = formula_guard(value)
        except Exception:  # noqa: BLE001 - a workbook without the summary box still gets its marks
            pass


def fit_issues(sheet, marks) -> None:
    """One finding per line: the Issues cells wrap and their rows grow to show every line (three
    calls per sheet, whatever the number of rows). Where a front end cannot (a remote engine
    without row autofit), the marks are still there, one line each."""
    if not marks.issues:
        return
    column = sheet.range(f"{marks.issues_column}{marks.first_row}:{marks.issues_column}"
                         f"{marks.first_row + len(marks.issues) - 1}")
    try:
        if marks.add_headers:
            column.column_width = marks.issues_width
        if client(sheet.book) in (None, "Office.js"):  # other remote clients have no wrap-text callback
            column.wrap_text = True
        column.rows.autofit()
    except NotImplementedError:
        pass


def client(book) -> str | None:
    """The remote client that sent the book ("Office.js" for xlwings Lite); None for desktop Excel."""
    try:
        api = book.api
    except Exception:  # noqa: BLE001 - an engine without .api
        return None
    return api.get("client") if isinstance(api, dict) else None


def _first_cell(sheet) -> object:
    return sheet.range("A1").value


def write_summary(book, grid: list[list[object]]) -> str:
    """The Summary sheet's figures in one write (its charts come with --annotate and ``cin-xl report``); returns
    the sheet's name."""
    from cin_xl.workbook.annotate import choose_summary_sheet

    sheets = sheets_of(book)
    # a "Summary" sheet of the user's is kept: cin-xl's goes beside it (one read of A1 a candidate sheet)
    name, ours = choose_summary_sheet(list(sheets), lambda n: _first_cell(sheets[n]))
    sheet = sheets[name] if ours else None
    if sheet is None:
        after = sheets.get("Start") or book.sheets[0]
        sheet = book.sheets.add(name, after=after)
        old = 0
    else:
        old = used(sheet)[2]
    width = len(grid[0]) if grid else 1
    blank = [None] * width
    stale = max(0, old - len(grid))
    write_block(sheet, "A1", chain(([formula_guard(v) for v in row] for row in grid), repeat(blank, stale)))
    return name


def list_sheet_names(book, lists: Sequence[ListSheet]) -> dict[str, str]:
    """Each list's key -> the sheet :func:`write_list_sheets` will write it on, for the Summary sheet to name
    (one call for the sheets' names, one for the first cell of each sheet that may be cin-xl's)."""
    from cin_xl.workbook.annotate import choose_summary_sheet
    from cin_xl.workbook.list_sheets import list_sheet_names as candidates

    sheets: dict[str, Any] = sheets_of(book)
    names = list(sheets)
    out = {}
    for listed in lists:
        name, ours = choose_summary_sheet(names, lambda n: _first_cell(sheets[n]) if n in sheets else None,
                                          candidates=candidates(listed), title=listed.title_pattern)
        if not ours:
            names.append(name)
        out[listed.key] = name
    return out


def write_list_sheets(book, lists: Sequence[ListSheet], after: str | None = None) -> list[str]:
    """Each child-level list as a sheet of its own: its values in one write (every text as text, dates as dates,
    which Excel shows as dates), its columns fitted and its header frozen: four calls a sheet (with adding it,
    or clearing the earlier list's rows), whatever the number of rows. The values are those annotate writes
    (:mod:`cin_xl.workbook.list_sheets`), without annotate's cell formats and links, which Excel would take a
    call each: the Sheet and Row columns say where each record is. cin-xl's earlier list sheet is written
    over; a sheet of the user's under the same name is kept, the list going beside it. New sheets go after
    ``after`` (the Summary sheet), in order."""
    from cin_xl.workbook.annotate import choose_summary_sheet
    from cin_xl.workbook.list_sheets import FIRST_ROW, HEADER_ROW, grid, list_sheet_names

    sheets: dict[str, Any] = sheets_of(book)
    names = list(sheets)
    previous = sheets.get(after) if after else None
    written = []
    for listed in lists:
        name, ours = choose_summary_sheet(names, lambda n: _first_cell(sheets[n]) if n in sheets else None,
                                          candidates=list_sheet_names(listed), title=listed.title_pattern)
        width = listed.width
        if ours:  # the earlier list's rows cleared (values, formats, links), anything right of them kept
            sheet = sheets[name]
            old = used(sheet)[2]
            if old >= FIRST_ROW:
                sheet.range((FIRST_ROW, 1), (old, width)).clear()
        else:
            sheet = book.sheets.add(name, after=previous or book.sheets[len(book.sheets) - 1])
            names.append(name)
        rows = grid(listed)
        write_block(sheet, "A1", ([text_guard(v) for v in row] for row in rows))
        try:  # two calls more, whatever the number of rows: the columns fitted to the table, the header frozen
            sheet.range((HEADER_ROW, 1), (max(len(rows), FIRST_ROW), width)).columns.autofit()
            sheet.freeze_panes.freeze_at(f"1:{HEADER_ROW}")  # the rows frozen: title to header
        except (NotImplementedError, AttributeError):  # an engine without these: the values are there
            pass
        previous = sheet
        written.append(name)
    return written


def is_text(item) -> bool:
    """Columns Excel must hold as text: codes, identifiers, lists of codes."""
    return item.kind in (Kind.TEXT, Kind.CODE) or item.many


def write_table(sheet, info, layout, data: list[list[object]], old_last_row: int) -> None:
    """One block: the new rows under the header, in the sheet's own column order, old rows blanked.

    Text columns are given the Text number format first (one call per column, whatever the number of
    rows), so an ID like 007 or a value like =1+1 stays exactly as it was; any other text (say a date
    that could not be read) is written with Excel's text prefix.
    """

    letters = {}
    for col in layout.columns:
        letter = info.columns.get(col.key)
        if letter is None:  # a column the sheet lacks (an extra review date): add it at the right
            taken = [column_index(c) for c in (*info.columns.values(), info.issues_column,
                                                            info.marks_column, *info.ignored) if c]
            letter = column_letters(max(taken) + 1)
            info.columns[col.key] = letter
            write_block(sheet, f"{letter}{info.header_row}", [[col.header]])
        letters[col.key] = column_index(letter)
    first, last = min(letters.values()), max(letters.values())
    height = max(len(data), old_last_row - info.header_row, 1)
    text_columns = {col.key for col in layout.columns if is_text(col.item)}
    for key in sorted(text_columns):
        letter = column_letters(letters[key])
        sheet.range(f"{letter}{info.header_row + 1}:{letter}{info.header_row + height}").number_format = "@"
    block = []
    for row in data:
        out: list[object] = [None] * (last - first + 1)
        for col, value in zip(layout.columns, row):
            out[letters[col.key] - first] = value if col.key in text_columns else text_guard(value)
        block.append(out)
    blank: list[object] = [None] * (last - first + 1)
    block += [blank] * max(0, old_last_row - info.header_row - len(block))
    write_block(sheet, f"{column_letters(first)}{info.header_row + 1}", block)


def write_return(book, sheets, header: dict[str, object], year: CensusYear) -> None:
    """The Return sheet's value column, matched by label, in one write (text cells formatted as text)."""

    sheet = next((s for n, s in sheets.items() if norm_header(n) == norm_header(RETURN)), None)
    if sheet is None:
        return
    values, (row0, col0) = sheet_grid(sheet)
    by_label = {norm_header(r.label): r for r in return_rows(year)}
    value_column = column_letters(col0 + 1)
    column = []
    for i, row in enumerate(values):
        label = row[0] if row else None
        spec = by_label.get(norm_header(label)) if isinstance(label, str) else None
        current = row[1] if len(row) > 1 else None
        if spec is None or spec.workbook_only:  # a setting of this workbook: kept as it is
            column.append([formula_guard(current)])  # read as a value: written back, it stays one
            continue
        value = header.get(spec.path) if spec.path else year.label
        if spec.item is not None and is_text(spec.item) or not spec.path:
            sheet.range(f"{value_column}{row0 + i}").number_format = "@"
            column.append([None if value is None else str(value)])
        else:
            column.append([text_guard(value)])
    if column:
        write_block(sheet, f"{value_column}{row0}", column)

