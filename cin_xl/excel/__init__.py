"""The Excel buttons: Validate, Export, Import and Clear, for any xlwings ``Book``.

The same functions serve desktop Excel (RunPython from the macro-enabled template's buttons, via
the ``*_caller`` wrappers), xlwings Lite (``@script`` wrappers: see docs/excel.md) and xlwings
Server. Excel is a thin adapter here: each button reads every sheet it needs with one call and
writes back one block per sheet (:mod:`cin_xl.excel.book`); the work itself is the jobs'
(:mod:`cin_xl.jobs`), the same the CLI runs. Clear reads only what it must: the first rows of each
sheet (where its columns are), then its Issues and Marks columns. The number of calls to Excel does
not grow with the number of rows or findings.

What validation writes is planned in :mod:`cin_xl.workbook.marks`: the Issues and hidden Marks
columns of each sheet (the template's conditional formatting colours the marked cells), the Issues
sheet and the Start sheet summary; with the Summary sheet and a sheet a child-level list
(:mod:`cin_xl.workbook.list_sheets`). It never writes a cell the user typed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cin_xl.census.years import CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.excel.book import (
    BookValues,
    book_values,
    list_sheet_names,
    mark_spans,
    read_book,
    read_layout,
    sheets_of,
    values_under,
    write_list_sheets,
    write_marks,
    write_return,
    write_summary,
    write_table,
)
from cin_xl.jobs.annotate import summary_and_lists
from cin_xl.jobs.load import Loaded
from cin_xl.jobs.validate import validate_loaded
from cin_xl.perf import no_gc, thaw
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.outputs import same_file
from cin_xl.safety.text_guard import FORMULA_STARTS
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.validation.findings import Finding, count, plural, totals_text
from cin_xl.workbook.layout import RETURN, modules_for, sheet_layout
from cin_xl.workbook.marks import MarksPlan, clear_plan, foreign_cells, keep_carried, not_ours_message, plan_marks
from cin_xl.workbook.reader import WorkbookRead
from cin_xl.workbook.template import issue_rows
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


def _tell(book, message: str, title: str = "cin-xl") -> None:
    try:
        book.app.alert(message, title=title)
    except Exception:  # noqa: BLE001 - no UI (tests, batch): the JobResult carries the message
        pass


# ---------------------------------------------------------------------------------------------
# The four buttons: each reads the Book, runs the job (cin_xl.jobs) and writes back what it says
# ---------------------------------------------------------------------------------------------


@no_gc()  # a big workbook's records are a tree: no cyclic GC while a job runs (cin_xl.perf)
def validate(book, *, year: str | None = None, options: dict | None = None, show: bool = False,
             confirm: Callable[[str], bool] | None = None) -> JobResult:
    """Validate the workbook and mark every finding in it (replacing the marks of any earlier run).

    Last year's return named on the Return sheet is opened only if it is on this computer, or once the
    person has said yes (``confirm``, by default a Yes/No box in Excel) to opening one on another machine."""
    values = book_values(book)
    read, heights = read_book(book, year, values)
    values = values.columns(mark_spans(read))  # the rest of the grids is in ``read`` now
    ask = confirm or (lambda q: _ask(book, q, "Validation"))
    findings = validate_loaded(Loaded.of_workbook(read, _book_folder(book)), options=options,
                               confirm_remote=lambda where: ask(_remote_question(where))).findings
    plan = plan_marks(read, findings, heights)
    refused = _refuse_foreign_marks(book, plan, values, show)
    if refused:
        return refused
    write_marks(book, plan)
    grid, lists = summary_and_lists(read, findings, book.name, _book_folder(book),
                                    names=lambda sheets: list_sheet_names(book, sheets))
    write_list_sheets(book, lists, after=write_summary(book, grid))
    totals = count(findings)
    errors, queries = totals["errors"], totals["queries"]
    message = (f"{totals_text(errors, queries, ' and ')} found. They are highlighted in the sheets and listed "
               f"on the Issues sheet." if findings else "No errors or queries: the return is ready to export.")
    if note := rules_not_included_note(read.year):  # 2020-21, 2021-22: schema and structural checks only
        message += " " + note
    result = JobResult(errors == 0, message, errors, queries, findings=findings)
    if show:
        _tell(book, message, "Validation")
    return result


def _remote_question(where: str) -> str:
    from cin_xl.safety.text_guard import quoted

    return (f"The Return sheet names last year's return on another machine: {quoted(where, 260)}. Open it? "
            "Only say yes if you know that place: opening it contacts that machine.")


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
    read, heights = read_layout(book)
    plan = clear_plan(read, heights)
    under = values_under(book, plan)
    keep_carried(plan, under.column)  # the rows carried from last year stay known as such
    refused = _refuse_foreign_marks(book, plan, under, False)
    if refused:
        return refused
    write_marks(book, plan)
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
                    confirm: Callable[[str], bool] | None, read: Iterable[Path] = ()) -> str | None:
    """Why the job may not write ``target`` (None when it may): the CLI's output rules
    (:func:`cin_xl.safety.outputs.check_output`), but a file that exists is a question, not a refusal."""
    from cin_xl.safety.outputs import OutputExists, OutputRefused, check_output

    inputs = [p for p in (book_path(book), *read) if p is not None]
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
        xml = exported.xml
        assert xml is not None  # an export not refused has made its XML
        target = Path(path) if path else default_export_path(book, year)
        refusal = _target_refusal(book, target, "xml", "Export", overwrite=overwrite, confirm=confirm,
                                  read=exported.inputs)
        if refusal:
            result = JobResult(False, refusal, len(errors), findings=findings)
        else:
            try:
                write_atomic(target, xml)
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
    sheets = sheets_of(book)
    for module in modules_for(xml.year):
        info = read.sheets.get(module.sheet)
        if info is None or info.found_as is None:
            continue
        layout = sheet_layout(module.sheet, xml.year, rows.spread.get(module.sheet) or None)
        write_table(sheets[info.found_as], info, layout, rows.sheets.get(module.sheet, []),
                     heights.get(info.found_as, 0))
    write_return(book, sheets, rows.header, xml.year)
    plan = clear_plan(read, heights)  # the old marks no longer apply; the file's own problems are listed
    plan.issue_rows = issue_rows(xml.problems)
    write_marks(book, plan)
    message = f"Imported {plural(len(xml.census.children), 'child')} from {Path(path).name}."
    note = "".join(f"\n{line}" for line in xml.note)  # what was not brought in, as cin-xl import says it
    return _done(book, show, JobResult(True, message + " Click Validate to check the return." + note,
                                       findings=list(xml.problems)))


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


def run_button(book, what: str, job: Callable[[Any], object]) -> None:
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


def _from_button(job: Callable[[Any], object], what: str) -> None:
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
