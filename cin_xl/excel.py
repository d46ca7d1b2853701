"""The Excel buttons: Validate, Export, Import and Clear, for any xlwings ``Book``.

The same functions serve desktop Excel (RunPython from the macro-enabled template's buttons, via
the ``*_caller`` wrappers), xlwings Lite (``@script`` wrappers: see docs/excel.md) and xlwings
Server. Excel is a thin adapter here: each job reads every sheet it needs with one call
(``used_range.value``), does the work in Python (:mod:`cin_xl.workbook`, :mod:`cin_xl.validation`),
and writes back one block per sheet. Clear reads only what it must: the first rows of each sheet
(where its columns are), then its Issues and Marks columns. The number of calls to Excel does not
grow with the number of rows or findings.

What validation writes is planned in :mod:`cin_xl.workbook.marks`: the Issues and hidden Marks
columns of each sheet (the template's conditional formatting colours the marked cells), the Issues
sheet and the Start sheet summary. It never writes a cell the user typed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, repeat
from pathlib import Path

from cin_xl.census.spec import Kind
from cin_xl.census.years import CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.jobs.load import Loaded
from cin_xl.jobs.validate import validate_loaded
from cin_xl.perf import no_gc, thaw
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.outputs import same_file
from cin_xl.safety.text_guard import FORMULA_STARTS, looks_like_formula
from cin_xl.validation.findings import Finding, plural, totals_text
from cin_xl.workbook.columns import column_index, column_letters
from cin_xl.workbook.layout import (
    ISSUES,
    ISSUES_COLUMNS,
    ISSUES_HEADER,
    MARKS_HEADER,
    RETURN,
    modules_for,
    norm_header,
    return_rows,
    sheet_layout,
)
from cin_xl.workbook.marks import MarksPlan, clear_plan, foreign_cells, mark_columns, not_ours_message, plan_marks
from cin_xl.workbook.package.write import split_ref
from cin_xl.workbook.reader import HEADER_SEARCH_ROWS, WorkbookRead, is_needed_sheet, read_grids
from cin_xl.workbook.template import DATETIME_MINUTES, issue_rows
from cin_xl.workbook.writer import census_rows


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


def _used(sheet) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of a sheet's used range, without reading a value."""
    rng = sheet.used_range
    rows, columns = rng.shape
    return rng.row, rng.column, rng.row + rows - 1, rng.column + columns - 1


def _read(sheet, first_row: int, first_column: int, last_row: int, last_column: int) -> list[list[object]]:
    """The values of a block of cells, in one call (a list of rows, even for one cell)."""
    return sheet.range((first_row, first_column), (last_row, last_column)).options(ndim=2).value


def _grid(sheet) -> tuple[list[list[object]], tuple[int, int]]:
    """All values of a sheet's used range in one call, and where the range starts (row, column)."""
    first_row, first_column, last_row, last_column = _used(sheet)
    return _read(sheet, first_row, first_column, last_row, last_column), (first_row, first_column)


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
    for name, sheet in _sheets(book).items():
        if is_needed_sheet(name):
            first_row, first_column, last_row, last_column = _used(sheet)
            values.grids[name] = _read(sheet, first_row, first_column, last_row, last_column)
            values.offsets[name], values.heights[name] = (first_row, first_column), last_row
    return values


def read_book(book, year: str | CensusYear | None = None, values: BookValues | None = None
              ) -> tuple[WorkbookRead, dict[str, int]]:
    """The census in ``book`` (one read per sheet) and the last used row of each sheet read."""
    values = values or book_values(book)
    return read_grids(values.grids, year, offsets=values.offsets, source=book.name), values.heights


def _read_layout(book) -> tuple[WorkbookRead, dict[str, int]]:
    """How the workbook is laid out (its census year, where each sheet's columns are) and the last used
    row of each sheet: the Return sheet whole, of the others only the rows a header row may be in (one
    read a sheet). What Clear needs, without reading the return."""
    values = BookValues()
    for name, sheet in _sheets(book).items():
        if is_needed_sheet(name):
            first_row, first_column, last_row, last_column = _used(sheet)
            rows = last_row if norm_header(name) == norm_header(RETURN) else min(
                last_row, first_row + HEADER_SEARCH_ROWS - 1)
            values.grids[name] = _read(sheet, first_row, first_column, rows, last_column)
            values.offsets[name], values.heights[name] = (first_row, first_column), last_row
    return read_book(book, values=values)


def _mark_spans(read: WorkbookRead) -> dict[str, tuple[int, int]]:
    """Per sheet (as named in the workbook), the columns from Issues to Marks: where validation writes."""
    spans = {}
    for info in read.sheets.values():
        if info.found_as is not None and info.columns:
            issues, marks, _ = mark_columns(info)
            a, b = column_index(issues), column_index(marks)
            spans[info.found_as] = (min(a, b), max(a, b))
    return spans


def _values_under(book, plan: MarksPlan) -> BookValues:
    """The values now in the cells ``plan`` writes its marks in (one read a sheet)."""
    sheets, values = _sheets(book), BookValues()
    for name, marks in plan.sheets.items():
        if marks.issues:
            a, b = sorted((column_index(marks.issues_column),
                           column_index(marks.marks_column)))
            values.grids[name] = _read(sheets[name], marks.first_row, a, marks.first_row + len(marks.issues) - 1, b)
            values.offsets[name] = (marks.first_row, a)
    return values


def _refuse_foreign_marks(book, plan: MarksPlan, values: BookValues, show: bool) -> JobResult | None:
    """Marks go only where cin-xl owns the cell: a person's text in the Issues or Marks columns stops the job."""
    foreign = foreign_cells(plan, values.column)
    if not foreign:
        return None
    more = f" ({plural(len(foreign) - 1, 'other cell')} too)" if len(foreign) > 1 else ""
    result = JobResult(False, not_ours_message(*foreign[0]) + more)
    if show:
        _tell(book, result.message, "Validation")
    return result


def _text_guard(value: object) -> object:
    """Values as Excel should store them: text stays text (never a formula, a number or a date)."""
    if isinstance(value, str):
        return "'" + value if value else value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def _formula_guard(value: object) -> object:
    """Text Excel would evaluate gets the text prefix; anything else is written as it is."""
    return "'" + value if looks_like_formula(value) else value


def _guarded_texts(texts: list[str]) -> list[str]:
    """:func:`_formula_guard` over a column of texts (the marks), the same test without a call a cell."""
    return ["'" + t if t.startswith(FORMULA_STARTS) else t for t in texts]


def _issue_row(row: list[object]) -> list[object]:
    """An Issues sheet row: every value as text, but for the link formula cin-xl built itself (last)."""
    return [*(_text_guard(v) for v in row[:-1]), row[-1]]


def _write(sheet, address: str, rows: Iterable[Sequence[object]]) -> None:
    """``rows`` into the cells from ``address`` right and down, in one call.

    Each value goes to Excel as xlwings' value converter would send it (through the engine's own
    ``prepare_xl_data_element``, which leaves text as it is), but to a range of the block's size
    with the raw converter: the value converter resizes the range first, which on the remote engine
    (xlwings Server and Lite) turns the whole sheet into tuples some 17 times a write (0.3 s on a
    20,000-row sheet). Building the block here also spares a second copy of it.
    """
    prepare, options = sheet.book.app.engine.impl.prepare_xl_data_element, {}
    blank = prepare(None, options)
    block = [[v if v.__class__ is str else blank if v is None else prepare(v, options) for v in row] for row in rows]
    if block:
        row, column = split_ref(address)
        rng = sheet.range((row, column), (row + len(block) - 1, column + len(block[0]) - 1))
        rng.options("raw").value = block


def _write_marks(book, plan: MarksPlan) -> None:
    sheets = _sheets(book)
    for name, marks in plan.sheets.items():
        sheet = sheets[name]
        if marks.add_headers:
            _write(sheet, f"{marks.issues_column}{marks.header_row}", [[ISSUES_HEADER, MARKS_HEADER]])
        issue_texts, mark_texts = _guarded_texts(marks.issues), _guarded_texts(marks.marks)
        if marks.adjacent:
            _write(sheet, f"{marks.issues_column}{marks.first_row}", zip(issue_texts, mark_texts))
        else:
            _write(sheet, f"{marks.issues_column}{marks.first_row}", ((v,) for v in issue_texts))
            _write(sheet, f"{marks.marks_column}{marks.first_row}", ((v,) for v in mark_texts))
        _fit_issues(sheet, marks)
    issues = sheets.get(ISSUES)
    if issues is None:
        issues = book.sheets.add(ISSUES, after=book.sheets[len(book.sheets) - 1])
        _write(issues, "A1", [list(ISSUES_COLUMNS)])
    old_height = _used(issues)[2]
    blank = [None] * len(ISSUES_COLUMNS)
    stale = max(0, old_height - 1 - len(plan.issue_rows))  # clear what a previous run left below
    _write(issues, "A2", chain(map(_issue_row, plan.issue_rows), repeat(blank, stale)))
    for name, value in plan.summary.items():
        try:
            cell = book.names[name].refers_to_range
            if isinstance(value, datetime):
                cell.number_format = DATETIME_MINUTES  # dd/mm/yyyy, as every date a person reads here
            cell.value = _formula_guard(value)
        except Exception:  # noqa: BLE001 - a workbook without the summary box still gets its marks
            pass


def _fit_issues(sheet, marks) -> None:
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
        if _client(sheet.book) in (None, "Office.js"):  # other remote clients have no wrap-text callback
            column.wrap_text = True
        column.rows.autofit()
    except NotImplementedError:
        pass


def _client(book) -> str | None:
    """The remote client that sent the book ("Office.js" for xlwings Lite); None for desktop Excel."""
    try:
        api = book.api
    except Exception:  # noqa: BLE001 - an engine without .api
        return None
    return api.get("client") if isinstance(api, dict) else None


def _write_summary(book, read: WorkbookRead, findings: list[Finding]) -> None:
    """The Summary sheet's figures in one write (its charts come with --annotate and ``cin-xl report``)."""
    from cin_xl.jobs.annotate import summary_grid
    from cin_xl.workbook.annotate import SUMMARY_SHEET

    grid = summary_grid(read, findings, book.name)
    sheets = _sheets(book)
    sheet = sheets.get(SUMMARY_SHEET)
    if sheet is None:
        after = sheets.get("Start") or book.sheets[0]
        sheet = book.sheets.add(SUMMARY_SHEET, after=after)
        old = 0
    else:
        old = _used(sheet)[2]
    width = len(grid[0]) if grid else 1
    blank = [None] * width
    stale = max(0, old - len(grid))
    _write(sheet, "A1", chain(([_formula_guard(v) for v in row] for row in grid), repeat(blank, stale)))


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
    values = book_values(book)
    read, heights = read_book(book, year, values)
    values = values.columns(_mark_spans(read))  # the rest of the grids is in ``read`` now
    findings = validate_loaded(Loaded.of_workbook(read, _book_folder(book)), options=options).findings
    plan = plan_marks(read, findings, heights)
    refused = _refuse_foreign_marks(book, plan, values, show)
    if refused:
        return refused
    _write_marks(book, plan)
    _write_summary(book, read, findings)
    errors, queries = plan.summary["SummaryErrors"], plan.summary["SummaryQueries"]
    message = (f"{totals_text(errors, queries, ' and ')} found. They are highlighted in the sheets and listed "
               f"on the Issues sheet." if findings else "No errors or queries: the return is ready to export.")
    result = JobResult(errors == 0, message, errors, queries, findings=findings)
    if show:
        _tell(book, message, "Validation")
    return result


def _book_folder(book) -> Path | None:
    """The workbook's folder, for a relative "Last year's return"; None when it is not a local file."""
    try:
        full = str(book.fullname)
    except Exception:  # noqa: BLE001 - remote engines may not know the file
        return None
    return None if "://" in full else Path(full).parent


@no_gc()
def clear(book) -> JobResult:
    """Remove every validation mark: Issues and Marks columns, the Issues sheet, the summary."""
    read, heights = _read_layout(book)
    plan = clear_plan(read, heights)
    refused = _refuse_foreign_marks(book, plan, _values_under(book, plan), False)
    if refused:
        return refused
    _write_marks(book, plan)
    return JobResult(True, "Validation marks cleared.")


def is_online(book) -> bool:
    """The workbook was opened from OneDrive or SharePoint: its full name is a web address."""
    return str(book.fullname).lower().startswith(("http://", "https://"))


def local_folder() -> Path:
    """Where files go when the workbook has no folder on this computer: Documents, else the home folder."""
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home


def default_export_path(book, year: CensusYear) -> Path:
    """Next to the workbook: ``<workbook name>-census-<year>.xml``; for a workbook opened from
    OneDrive or SharePoint, in the Documents folder (:func:`local_folder`)."""
    from urllib.parse import unquote, urlparse

    if is_online(book):
        stem = Path(unquote(urlparse(str(book.fullname)).path)).stem or Path(book.name).stem
        return local_folder() / f"{stem}-census-{year.label}.xml"
    full = Path(book.fullname)
    folder = full.parent if full.is_absolute() else Path.cwd()
    return folder / f"{full.stem}-census-{year.label}.xml"


def book_path(book) -> Path | None:
    """The workbook's own file, when it is one on this machine (not a new book, not a OneDrive URL)."""
    full = str(getattr(book, "fullname", "") or "")
    if not full or "://" in full:
        return None
    path = Path(full)
    return path if path.is_absolute() else None


def _target_refusal(book, target: Path, kind: str, verb: str, *, overwrite: bool | None,
                    confirm: Callable[[str], bool] | None) -> str | None:
    """Why the job may not write ``target`` (None when it may): the CLI's output rules
    (:func:`cin_xl.safety.outputs.check_output`), but a file that exists is a question, not a refusal."""
    from cin_xl.safety.outputs import OutputExists, OutputRefused, check_output

    inputs = [p for p in (book_path(book),) if p is not None]
    try:
        check_output(target, kind, inputs=inputs, force=overwrite is True)
    except OutputExists:
        question = f"{target} already exists. Replace it?"
        if overwrite is False or not (confirm or (lambda q: _ask(book, q, verb)))(question):
            return f"Not {verb.lower()}ed: {target} already exists and was kept."
        try:
            check_output(target, kind, inputs=inputs, force=True)
        except OutputRefused as exc:
            return f"Not {verb.lower()}ed: {exc}."
    except OutputRefused as exc:
        return f"Not {verb.lower()}ed: {exc}."
    return None


@no_gc()
def export_xml(book, path: str | os.PathLike | None = None, *, allow_errors: bool = False,
               now: datetime | None = None, show: bool = False, overwrite: bool | None = None,
               confirm: Callable[[str], bool] | None = None) -> JobResult:
    """Write the census XML of the workbook, after validating it.

    Refuses while errors remain (saying how many and where) unless ``allow_errors``; refuses always
    when the data do not fit the census schema. The file is written whole or not at all. The target
    must be an ``.xml`` file other than the workbook; when it exists, asks first (``confirm``, by
    default a Yes/No box in Excel); ``overwrite=True`` skips the question, ``overwrite=False`` refuses.
    """
    from cin_xl.jobs.export import ERRORS_REMAIN, SCHEMA, export_loaded

    read, _ = read_book(book)
    exported = export_loaded(Loaded.of_workbook(read, _book_folder(book)), allow_errors=allow_errors, at=now)
    year, findings, errors = exported.year, exported.findings, exported.errors
    if exported.refused == ERRORS_REMAIN:
        where = "; ".join(f"{f.where} ({f.code})" for f in errors[:5])
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        remain = f"{plural(len(errors), 'error')} remain{'s' if len(errors) == 1 else ''}"
        result = JobResult(False, f"Not exported: {remain}, for example {where}{more}. Click Validate to see them "
                                  "all.", len(errors), findings=findings)
    elif exported.refused == SCHEMA:
        problems = exported.schema_problems
        where = "; ".join(str(p) for p in problems[:5])
        result = JobResult(False, f"Not exported: the return does not fit the {year.label} census schema "
                                  f"({plural(len(problems), 'problem')}): {where}", len(problems), findings=problems)
    else:
        target = Path(path) if path else default_export_path(book, year)
        refusal = _target_refusal(book, target, "xml", "Export", overwrite=overwrite, confirm=confirm)
        if refusal:
            result = JobResult(False, refusal, len(errors), findings=findings)
        else:
            try:
                write_atomic(target, exported.xml)
            except OSError as exc:  # no such folder, no permission, disk full: the file was not written
                reason = os.strerror(exc.errno) if exc.errno else str(exc)
                result = JobResult(False, f"Not exported: {target} could not be written ({reason}). Nothing was "
                                          "written; choose another folder.", findings=findings)
            else:
                where = (" (the workbook is on OneDrive or SharePoint, so the XML was saved on this computer)"
                         if not path and is_online(book) else "")
                result = JobResult(True, f"Exported {plural(exported.children, 'child')} to {target}{where}",
                                   len(errors), path=target, findings=findings)
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
    from cin_xl.jobs.import_ import import_file

    own = book_path(book)
    if Path(path).suffix.lower() != ".xml":
        return _done(book, show, JobResult(False, f"Not imported: {Path(path).name} is not census XML: Import reads a "
                                                  f".xml file (to open a workbook, open it in Excel)."))
    if own is not None and same_file(path, own):
        return _done(book, show, JobResult(False, f"Not imported: {Path(path).name} is this workbook itself."))
    xml = import_file(path)
    too_long = xml.too_long
    if too_long:
        where = "; ".join(str(p) for p in too_long[:3])
        return _done(book, show, JobResult(False, f"Not imported: {plural(len(too_long), 'value')} longer than an "
                                                  f"Excel cell holds and would be cut: {where}", findings=too_long))
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
    message = f"Imported {plural(len(xml.census.children), 'child')} from {Path(path).name}."
    if xml.problems:
        message += (f" {plural(len(xml.problems), 'problem')} in the file "
                    f"{'is' if len(xml.problems) == 1 else 'are'} listed on the Issues sheet.")
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

    letters = {}
    for col in layout.columns:
        letter = info.columns.get(col.key)
        if letter is None:  # a column the sheet lacks (an extra review date): add it at the right
            taken = [column_index(c) for c in (*info.columns.values(), info.issues_column,
                                                            info.marks_column, *info.ignored) if c]
            letter = column_letters(max(taken) + 1)
            info.columns[col.key] = letter
            _write(sheet, f"{letter}{info.header_row}", [[col.header]])
        letters[col.key] = column_index(letter)
    first, last = min(letters.values()), max(letters.values())
    height = max(len(data), old_last_row - info.header_row, 1)
    text_columns = {col.key for col in layout.columns if _is_text(col.item)}
    for key in sorted(text_columns):
        letter = column_letters(letters[key])
        sheet.range(f"{letter}{info.header_row + 1}:{letter}{info.header_row + height}").number_format = "@"
    block = []
    for row in data:
        out: list[object] = [None] * (last - first + 1)
        for col, value in zip(layout.columns, row):
            out[letters[col.key] - first] = value if col.key in text_columns else _text_guard(value)
        block.append(out)
    blank = [None] * (last - first + 1)
    block += [blank] * max(0, old_last_row - info.header_row - len(block))
    _write(sheet, f"{column_letters(first)}{info.header_row + 1}", block)


def _write_return(book, sheets, header: dict[str, object], year: CensusYear) -> None:
    """The Return sheet's value column, matched by label, in one write (text cells formatted as text)."""

    sheet = next((s for n, s in sheets.items() if norm_header(n) == norm_header(RETURN)), None)
    if sheet is None:
        return
    grid, (row0, col0) = _grid(sheet)
    by_label = {norm_header(r.label): r for r in return_rows(year)}
    value_column = column_letters(col0 + 1)
    column = []
    for i, row in enumerate(grid):
        label = row[0] if row else None
        spec = by_label.get(norm_header(label)) if isinstance(label, str) else None
        current = row[1] if len(row) > 1 else None
        if spec is None or spec.workbook_only:  # a setting of this workbook: kept as it is
            column.append([_formula_guard(current)])  # read as a value: written back, it stays one
            continue
        value = header.get(spec.path) if spec.path else year.label
        if spec.item is not None and _is_text(spec.item) or not spec.path:
            sheet.range(f"{value_column}{row0 + i}").number_format = "@"
            column.append([None if value is None else str(value)])
        else:
            column.append([_text_guard(value)])
    if column:
        _write(sheet, f"{value_column}{row0}", column)


def _ask(book, question: str, title: str = "Import") -> bool:
    try:
        answer = book.app.alert(question, title=title, buttons="yes_no")
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


def log_folder() -> Path:
    """Where the buttons write the details of a failure."""
    return Path.home() / "cin-xl-logs"


def _write_log(what: str, exc: BaseException) -> Path | None:
    """The traceback of a failed button, in a new log file; None if no file could be written."""
    import tempfile
    import traceback

    from cin_xl import __version__

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (f"cin-xl {__version__}: {what} failed on {datetime.now():%d/%m/%Y at %H:%M:%S}\n\n"
            + "".join(traceback.format_exception(exc)))
    for folder in (log_folder(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"cin-xl-{stamp}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _set_status(book, text: str | bool) -> None:
    """Excel's status bar (desktop Excel only; the remote engines have none)."""
    try:
        book.app.status_bar = text
    except Exception:  # noqa: BLE001 - NotImplementedError on xlwings Lite / remote books, no app in tests
        pass


def run_button(book, what: str, job: Callable[[object], None]) -> None:
    """Run one button's ``job`` on ``book`` as a person should see it: the status bar says what is
    happening (and is given back to Excel afterwards); a workbook or file that cannot be used is a
    one-paragraph message; any other failure too, its details written to a log file the message names.
    Never a traceback."""
    _set_status(book, f"cin-xl: {what}...")
    try:
        job(book)
    except UnusableInput as exc:
        _tell(book, f"Nothing was changed: {exc}", "cin-xl")
    except Exception as exc:  # noqa: BLE001 - whatever it is, the user gets a message, not a traceback
        log = _write_log(what, exc)
        details = f"The details are in {log}" if log else "No log file could be written"
        _tell(book, f"cin-xl could not finish ({what}): {type(exc).__name__}: {exc}. {details}: please send that "
                    "file to whoever supports cin-xl for you. The workbook's data were not changed by cin-xl "
                    "unless the message above says so.", "cin-xl")
    finally:
        _set_status(book, False)
        thaw()


def _from_button(job: Callable[[object], None], what: str) -> None:
    run_button(_caller(), what, job)


def validate_caller() -> None:
    _from_button(lambda book: validate(book, show=True), "validating the census")


def clear_caller() -> None:
    _from_button(lambda book: _tell(book, clear(book).message), "clearing the validation marks")


def export_caller() -> None:
    def export(book) -> None:
        result = export_xml(book)
        asked = "\n\nExport anyway? COLLECT will reject the file until they are fixed."
        if not result.ok and result.errors and "errors remain" in result.message and _ask(book, result.message + asked):
            result = export_xml(book, allow_errors=True)
        _tell(book, result.message, "Export")

    _from_button(export, "exporting the census XML")


def import_caller() -> None:
    def import_(book) -> None:
        path = _pick_xml_file()
        if path:
            import_xml(book, path, show=True)

    _from_button(import_, "importing census XML")


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
           "run_button", "log_folder", "local_folder", "is_online",
           "validate_caller", "export_caller", "import_caller", "clear_caller", "FORMULA_STARTS", "UnusableInput"]
