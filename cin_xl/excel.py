"""The Excel buttons: Validate, Export, Import and Clear, for any xlwings ``Book``.

The same functions serve desktop Excel (RunPython from the macro-enabled template's buttons, via
the ``*_caller`` wrappers), xlwings Lite (``@script`` wrappers: see docs/excel.md) and xlwings
Server. Excel is a thin adapter here: each job reads every sheet it needs with one call
(``used_range.value``), does the work in Python (:mod:`cin_xl.workbook`, :mod:`cin_xl.validation`),
and writes back one block per sheet. The number of calls to Excel does not grow with the number of
rows or findings.

What validation writes is planned in :mod:`cin_xl.workbook.marks`: the Issues and hidden Marks
columns of each sheet (the template's conditional formatting colours the marked cells), the Issues
sheet and the Start sheet summary. It never writes a cell the user typed in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from .errors import UnusableInput
from .findings import Finding, Severity
from .perf import no_gc
from .spec import Kind
from .validation import validate as validate_return
from .workbook.export import prepare_for_export
from .workbook.layout import (ISSUES, ISSUES_COLUMNS, ISSUES_HEADER, MARKS_HEADER, RETURN, modules_for,
                              norm_header, return_rows, sheet_layout)
from .workbook.marks import FORMULA_STARTS, MarksPlan, clear_plan, plan_marks
from .workbook.reader import WorkbookRead, is_needed_sheet, read_grids
from .workbook.template import issue_rows
from .workbook.writer import census_rows
from .years import CensusYear

#: how many cells xlwings may send in one call; above its default it would split big blocks
_ONE_CALL = 10**9


@dataclass
class JobResult:
    """What a button did, for the message shown to the user (and for tests)."""

    ok: bool
    message: str
    errors: int = 0
    queries: int = 0
    path: Path | None = None
    findings: list[Finding] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading and writing through xlwings, in bulk
# ---------------------------------------------------------------------------------------------


def _sheets(book) -> dict[str, object]:
    return {s.name: s for s in book.sheets}


def _grid(sheet) -> tuple[list[list[object]], tuple[int, int]]:
    """All values of a sheet's used range in one call, and where the range starts (row, column)."""
    rng = sheet.used_range
    values = rng.options(ndim=2).value
    return values or [], (rng.row, rng.column)


def read_book(book, year: str | CensusYear | None = None) -> tuple[WorkbookRead, dict[str, int]]:
    """The census in ``book`` (one read per sheet) and the last used row of each sheet read."""
    grids, offsets, heights = {}, {}, {}
    for name, sheet in _sheets(book).items():
        if not is_needed_sheet(name):
            continue
        grid, start = _grid(sheet)
        grids[name], offsets[name] = grid, start
        heights[name] = start[0] + len(grid) - 1
    return read_grids(grids, year, offsets=offsets, source=book.name), heights


def _text_guard(value: object) -> object:
    """Values as Excel should store them: text stays text (never a formula, a number or a date)."""
    if isinstance(value, str):
        return "'" + value if value and not value.startswith("=HYPERLINK(") else value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def _write(sheet, address: str, block: list[list[object]]) -> None:
    if block:
        sheet.range(address).options(chunksize=_ONE_CALL).value = block


def _write_marks(book, plan: MarksPlan) -> None:
    sheets = _sheets(book)
    for name, marks in plan.sheets.items():
        sheet = sheets[name]
        if marks.add_headers:
            _write(sheet, f"{marks.issues_column}{marks.header_row}", [[ISSUES_HEADER, MARKS_HEADER]])
        if marks.adjacent:
            _write(sheet, f"{marks.issues_column}{marks.first_row}", marks.block())
        else:
            _write(sheet, f"{marks.issues_column}{marks.first_row}", [[v] for v in marks.issues])
            _write(sheet, f"{marks.marks_column}{marks.first_row}", [[v] for v in marks.marks])
    issues = sheets.get(ISSUES)
    if issues is None:
        issues = book.sheets.add(ISSUES, after=book.sheets[len(book.sheets) - 1])
        _write(issues, "A1", [list(ISSUES_COLUMNS)])
    old_height = len(_grid(issues)[0])
    rows = [[_text_guard(v) for v in row] for row in plan.issue_rows]
    blank = [None] * len(ISSUES_COLUMNS)
    rows += [blank] * max(0, old_height - 1 - len(rows))  # clear what a previous run left below
    _write(issues, "A2", rows)
    for name, value in plan.summary.items():
        try:
            book.names[name].refers_to_range.value = value
        except Exception:  # noqa: BLE001 - a workbook without the summary box still gets its marks
            pass


def _write_summary(book, read: WorkbookRead, findings: list[Finding]) -> None:
    """The Summary sheet's figures in one write (its charts come with --annotate and ``cin-xl report``)."""
    from .figures import compute_figures
    from .summary_sheet import SUMMARY_SHEET, summary_grid

    grid = summary_grid(compute_figures(read.census, read.year, findings, source=book.name))
    sheets = _sheets(book)
    sheet = sheets.get(SUMMARY_SHEET)
    if sheet is None:
        after = sheets.get("Start") or book.sheets[0]
        sheet = book.sheets.add(SUMMARY_SHEET, after=after)
        old = 0
    else:
        old = len(_grid(sheet)[0])
    width = len(grid[0]) if grid else 1
    grid = [[_text_guard(v) if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in row]
            for row in grid]
    grid += [[None] * width] * max(0, old - len(grid))
    _write(sheet, "A1", grid)


def _tell(book, message: str, title: str = "cin-xl") -> None:
    try:
        book.app.alert(message, title=title)
    except Exception:  # noqa: BLE001 - no UI (tests, batch): the JobResult carries the message
        pass


# ---------------------------------------------------------------------------------------------
# The four jobs
# ---------------------------------------------------------------------------------------------


@no_gc()  # a big workbook's records are a tree: no cyclic GC while a job runs (cin_xl.perf)
def validate(book, *, year: str | None = None, options: dict | None = None, show: bool = False) -> JobResult:
    """Validate the workbook and mark every finding in it (replacing the marks of any earlier run)."""
    read, heights = read_book(book, year)
    findings = list(read.problems) + validate_return(read.census, read.year, looked_after=read.looked_after,
                                                     options=options)
    plan = plan_marks(read, findings, heights)
    _write_marks(book, plan)
    _write_summary(book, read, findings)
    errors, queries = plan.summary["SummaryErrors"], plan.summary["SummaryQueries"]
    message = (f"{errors} error(s) and {queries} query(ies) found. They are highlighted in the sheets and listed "
               f"on the Issues sheet." if findings else "No errors or queries: the return is ready to export.")
    result = JobResult(errors == 0, message, errors, queries, findings=findings)
    if show:
        _tell(book, message, "Validation")
    return result


@no_gc()
def clear(book) -> JobResult:
    """Remove every validation mark: Issues and Marks columns, the Issues sheet, the summary."""
    read, heights = read_book(book)
    _write_marks(book, clear_plan(read, heights))
    return JobResult(True, "Validation marks cleared.")


def default_export_path(book, year: CensusYear) -> Path:
    """Next to the workbook: ``<workbook name>-census-<year>.xml``."""
    full = Path(book.fullname)
    folder = full.parent if full.is_absolute() else Path.cwd()
    return folder / f"{full.stem}-census-{year.label}.xml"


@no_gc()
def export_xml(book, path: str | os.PathLike | None = None, *, allow_errors: bool = False,
               now: datetime | None = None, show: bool = False) -> JobResult:
    """Write the census XML of the workbook, after validating it.

    Refuses while errors remain (saying how many and where) unless ``allow_errors``; refuses always
    when the data do not fit the census schema. The file is written whole or not at all.
    """
    from .workbook.export import export_problems
    from .xml import ExportRefused, write_xml
    from .years import supported

    read, _ = read_book(book)
    year = supported(read.year)
    census = prepare_for_export(read.census, year, now=now or datetime.now())  # the header's date and time
    findings = list(read.problems) + validate_return(census, year, looked_after=read.looked_after)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors and not allow_errors:
        where = "; ".join(f"{f.where} ({f.code})" for f in errors[:5])
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        result = JobResult(False, f"Not exported: {len(errors)} error(s) remain, for example {where}{more}. "
                                  "Click Validate to see them all.", len(errors), findings=findings)
    else:
        target = Path(path) if path else default_export_path(book, year)
        try:
            write_xml(census, year, target)
        except ExportRefused as exc:
            problems = export_problems(exc, census, year)
            where = "; ".join(str(p) for p in problems[:5])
            result = JobResult(False, f"Not exported: the return does not fit the {year.label} census schema "
                                      f"({len(problems)} problem(s)): {where}", len(problems), findings=problems)
        else:
            result = JobResult(True, f"Exported {len(census.children)} children to {target}", len(errors),
                               path=target, findings=findings)
    if show:
        _tell(book, result.message, "Export")
    return result


def _has_data(read: WorkbookRead) -> bool:
    return any(info.rows for name, info in read.sheets.items() if name != RETURN)


@no_gc()
def import_xml(book, path: str | os.PathLike, *, overwrite: bool | None = None,
               confirm: Callable[[str], bool] | None = None, show: bool = False) -> JobResult:
    """Fill the workbook's sheets from census XML.

    When the sheets already hold data, asks first (``confirm``, by default a Yes/No box in Excel);
    ``overwrite=True`` skips the question, ``overwrite=False`` refuses. Values are written as text
    where they are text, so nothing typed in the XML becomes a formula, a number or a date.
    """
    from .xml import read_xml

    xml = read_xml(path)
    read, heights = read_book(book)
    if read.year != xml.year:
        return _done(book, show, JobResult(False, f"Not imported: the XML is for census {xml.year.label} but this "
                                                  f"workbook is the {read.year.label} template. Make a "
                                                  f"{xml.year.label} workbook with: cin-xl import {Path(path).name} "
                                                  f"-o FILE.xlsx"))
    if _has_data(read) and overwrite is not True:
        question = "The sheets already hold data. Replace it with the XML file's return?"
        agreed = overwrite is None and (confirm or (lambda q: _ask(book, q)))(question)
        if not agreed:
            return _done(book, show, JobResult(False, "Not imported: the data already in the workbook was kept."))
    rows = census_rows(xml.census, xml.year)
    sheets = _sheets(book)
    for module in modules_for(xml.year):
        info = read.sheets.get(module.sheet)
        if info is None or info.found_as is None:
            continue
        layout = sheet_layout(module.sheet, xml.year, rows.spread.get(module.sheet) or None)
        _write_table(sheets[info.found_as], info, layout, rows.sheets.get(module.sheet, []),
                     heights.get(info.found_as, 0))
    _write_return(book, sheets, rows.header, xml.year)
    plan = clear_plan(read, heights)  # the old marks no longer apply; the file's own problems are listed
    plan.issue_rows = issue_rows(xml.problems)
    _write_marks(book, plan)
    message = f"Imported {len(xml.census.children)} children from {Path(path).name}."
    if xml.problems:
        message += f" {len(xml.problems)} problem(s) in the file are listed on the Issues sheet."
    return _done(book, show, JobResult(True, message + " Click Validate to check the return.",
                                       findings=list(xml.problems)))


def _is_text(item) -> bool:
    """Columns Excel must hold as text: codes, identifiers, lists of codes."""
    return item.kind in (Kind.TEXT, Kind.CODE) or item.many


def _write_table(sheet, info, layout, data: list[list[object]], old_last_row: int) -> None:
    """One block: the new rows under the header, in the sheet's own column order, old rows blanked.

    Text columns are given the Text number format first (one call per column, whatever the number of
    rows), so an ID like 007 or a value like =1+1 stays exactly as it was; any other text (say a date
    that could not be read) is written with Excel's text prefix.
    """
    from openpyxl.utils import column_index_from_string, get_column_letter

    letters = {}
    for col in layout.columns:
        letter = info.columns.get(col.key)
        if letter is None:  # a column the sheet lacks (an extra review date): add it at the right
            taken = [column_index_from_string(c) for c in (*info.columns.values(), info.issues_column,
                                                            info.marks_column, *info.ignored) if c]
            letter = get_column_letter(max(taken) + 1)
            info.columns[col.key] = letter
            _write(sheet, f"{letter}{info.header_row}", [[col.header]])
        letters[col.key] = column_index_from_string(letter)
    first, last = min(letters.values()), max(letters.values())
    height = max(len(data), old_last_row - info.header_row, 1)
    text_columns = {col.key for col in layout.columns if _is_text(col.item)}
    for key in sorted(text_columns):
        letter = get_column_letter(letters[key])
        sheet.range(f"{letter}{info.header_row + 1}:{letter}{info.header_row + height}").number_format = "@"
    block = []
    for row in data:
        out: list[object] = [None] * (last - first + 1)
        for col, value in zip(layout.columns, row):
            out[letters[col.key] - first] = value if col.key in text_columns else _text_guard(value)
        block.append(out)
    blank = [None] * (last - first + 1)
    block += [blank] * max(0, old_last_row - info.header_row - len(block))
    _write(sheet, f"{get_column_letter(first)}{info.header_row + 1}", block)


def _write_return(book, sheets, header: dict[str, object], year: CensusYear) -> None:
    """The Return sheet's value column, matched by label, in one write (text cells formatted as text)."""
    from openpyxl.utils import get_column_letter

    sheet = next((s for n, s in sheets.items() if norm_header(n) == norm_header(RETURN)), None)
    if sheet is None:
        return
    grid, (row0, col0) = _grid(sheet)
    by_label = {norm_header(r.label): r for r in return_rows(year)}
    value_column = get_column_letter(col0 + 1)
    column = []
    for i, row in enumerate(grid):
        label = row[0] if row else None
        spec = by_label.get(norm_header(label)) if isinstance(label, str) else None
        current = row[1] if len(row) > 1 else None
        if spec is None:
            column.append([current])
            continue
        value = header.get(spec.path) if spec.path else year.label
        if spec.item is not None and _is_text(spec.item) or not spec.path:
            sheet.range(f"{value_column}{row0 + i}").number_format = "@"
            column.append([None if value is None else str(value)])
        else:
            column.append([_text_guard(value)])
    if column:
        _write(sheet, f"{value_column}{row0}", column)


def _ask(book, question: str) -> bool:
    try:
        answer = book.app.alert(question, title="Import", buttons="yes_no")
    except Exception:  # noqa: BLE001
        return False
    return str(answer).lower() == "yes"


def _done(book, show: bool, result: JobResult) -> JobResult:
    if show:
        _tell(book, result.message, "Import")
    return result


# ---------------------------------------------------------------------------------------------
# Entry points for the template's buttons (RunPython) : the workbook that called
# ---------------------------------------------------------------------------------------------


def _caller():
    import xlwings as xw

    return xw.Book.caller()


def _from_button(job: Callable[[object], None]) -> None:
    """Run a button's job; a file or workbook that cannot be used is a message, not a traceback."""
    book = _caller()
    try:
        job(book)
    except UnusableInput as exc:
        _tell(book, f"Nothing was changed: {exc}", "cin-xl")


def validate_caller() -> None:
    _from_button(lambda book: validate(book, show=True))


def clear_caller() -> None:
    _from_button(lambda book: _tell(book, clear(book).message))


def export_caller() -> None:
    def export(book) -> None:
        result = export_xml(book)
        if not result.ok and result.errors and "errors remain" in result.message:
            if _ask(book, result.message + "\n\nExport anyway? COLLECT will reject the file until they are fixed."):
                result = export_xml(book, allow_errors=True)
        _tell(book, result.message, "Export")

    _from_button(export)


def import_caller() -> None:
    def import_(book) -> None:
        path = _pick_xml_file()
        if path:
            import_xml(book, path, show=True)

    _from_button(import_)


def _pick_xml_file() -> str | None:
    """A file dialog on desktop Python (tkinter); None when there is none or it was cancelled."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:  # pragma: no cover - Python without Tk
        return None
    root = tkinter.Tk()
    root.withdraw()
    try:
        return filedialog.askopenfilename(title="Census XML to import",
                                          filetypes=[("Census XML", "*.xml"), ("All files", "*.*")]) or None
    finally:
        root.destroy()


__all__ = ["validate", "export_xml", "import_xml", "clear", "read_book", "JobResult", "default_export_path",
           "validate_caller", "export_caller", "import_caller", "clear_caller", "FORMULA_STARTS", "UnusableInput"]
