"""``cin-xl validate FILE.xlsx --annotate``: the Validate button's marks, written without Excel.

The same plan as the Excel button (:mod:`cin_xl.workbook.marks`), written into the workbook's
package (:mod:`cin_xl.workbook.package.write`) rather than by re-saving it, so everything the
marks do not need stays byte for byte: macros and buttons, pictures, charts, notes, and in a
marked sheet every cell but the marks. What changes:

- each marked sheet's Issues and Marks cells (the Issues cells wrap, their rows fit the text),
  never a cell holding text the tool did not write (known by the digest in the Marks cell beside it,
  :func:`cin_xl.workbook.marks.is_own_mark`): such a cell stops the run with a message;
- the Issues sheet's seven columns (a column the user added there is kept, moving with its finding);
- cin-xl's Summary sheet (replaced whole, with its charts; a user's "Summary" is kept, see
  :func:`choose_summary_sheet`) and the Start sheet's summary box;
- the bookkeeping: cell formats appended to the styles, the sheet list, relationships and content
  types.

The file is replaced whole or not at all (a temporary file in the same folder, renamed over the
original, keeping its permissions), and only if it is still the file that was read and no lock
file has appeared: otherwise nothing is written and the user is told why.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.workbook.issues import issues_row_height
from cin_xl.workbook.layout import (
    ISSUES,
    ISSUES_COLUMNS,
    ISSUES_HEADER,
    ISSUES_WIDTH,
    MARK_ERROR,
    MARK_QUERY,
    MARKS_HEADER,
    MAX_ROW,
    START,
    cf_formula,
    cf_row_formula,
    norm_header,
)
from cin_xl.workbook.mark_styles import ERROR_MARK, QUERY_MARK, dxf_xml
from cin_xl.workbook.marks import (
    MAX_CELL_TEXT,
    MarksPlan,
    SheetMarks,
    cell_text,
    is_own_mark,
    no_room,
    not_ours_message,
    plan_marks,
    row_height,
)
from cin_xl.workbook.package.limits import short
from cin_xl.workbook.package.ooxml import quote_sheet_name
from cin_xl.workbook.package.values import serial
from cin_xl.workbook.package.write import (
    MAIN,
    REL_CHART,
    REL_DRAWING,
    REL_PRINTER,
    Fingerprint,
    Formula,
    Package,
    SheetPart,
    Value,
    column_index,
    column_letters,
    ref_of,
)
from cin_xl.workbook.reader import WorkbookRead

#: how dates the tool writes are shown (SummaryLastRun)
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
SUMMARY_SHEET = "Summary"
#: draws the Summary sheet into a (scratch) openpyxl workbook
DrawSummary = Callable[[Any], None]
#: writes more sheets of cin-xl's into the package, after the Summary sheet (the child-level lists:
#: :func:`cin_xl.workbook.list_sheets.write_list_sheets`)
WriteSheets = Callable[["Package"], None]


def lock_file(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps next to a workbook while it is open, if any.

    Excel's is ``~$`` + the file name (for long names Office may drop the name's first two
    characters instead); LibreOffice's is ``.~lock.<name>#``. For a workbook reached through a symbolic
    link, the lock next to the file it links to counts too.
    """
    candidates = []
    for name in dict.fromkeys([Path(path), Path(os.path.realpath(path))]):  # a link: Excel locks the real file
        candidates += [name.with_name("~$" + name.name), name.with_name(f".~lock.{name.name}#")]
        if len(name.name) > 2:
            candidates.append(name.with_name("~$" + name.name[2:]))
    return next((c for c in candidates if c.exists()), None)


def check_not_open(path: Path) -> None:
    lock = lock_file(path)
    if lock is not None:
        raise UnusableInput(f"{path} is open in Excel or LibreOffice (lock file {lock.name}); close it and run "
                            "again. The file was not changed.")


def check_writable(path: Path) -> None:
    check_not_open(path)
    from cin_xl.safety.outputs import is_read_only

    if is_read_only(path):
        raise UnusableInput(f"{path} cannot be written (read-only, or open in another program); nothing was "
                            "changed.") from None


def _not_ours(sheet: str, ref: str, value: object, column: str) -> UnusableInput:
    return UnusableInput(not_ours_message(sheet, ref, value, column))


# ---------------------------------------------------------------------------------------------
# Marked sheets
# ---------------------------------------------------------------------------------------------


def _column_is_free(sheet: SheetPart, col: int) -> bool:
    return all(sheet.value_at(row, col) in (None, "") for row in sheet.rows())


def _place_new_columns(sheet: SheetPart, marks: SheetMarks) -> None:
    """The Issues and Marks columns were deleted: use the planned columns if empty, else the first free ones."""
    first = column_index(marks.issues_column)
    if not (_column_is_free(sheet, first) and _column_is_free(sheet, first + 1)):
        first = sheet.last_column() + 1
        no_room(marks.sheet, first)
    marks.issues_column, marks.marks_column = column_letters(first), column_letters(first + 1)


def _mark_formats(pkg: Package) -> tuple[int, int]:
    """The differential formats of error and query cells (those of the template: reused when there)."""
    return pkg.styles.dxf(dxf_xml(ERROR_MARK)), pkg.styles.dxf(dxf_xml(QUERY_MARK))


def _highlighting(pkg: Package, sheet: SheetPart, marks: SheetMarks) -> None:
    """The conditional formats that colour marked cells, for Issues and Marks columns put back."""
    error, query = _mark_formats(pkg)
    first, column = marks.first_row, marks.marks_column
    last_data = column_index(marks.issues_column) - 1
    if last_data >= 1:
        sheet.add_conditional_format(f"A{first}:{column_letters(last_data)}{MAX_ROW}", [
            (cf_formula(column, MARK_ERROR, first), error), (cf_formula(column, MARK_QUERY, first), query)])
    sheet.add_conditional_format(f"{marks.issues_column}{first}:{marks.issues_column}{MAX_ROW}", [
        (cf_row_formula(column, MARK_ERROR, first), error), (cf_row_formula(column, MARK_QUERY, first), query)])


def write_sheet_marks(pkg: Package, marks: SheetMarks) -> None:
    sheet = pkg.sheet(marks.sheet)
    styles = pkg.styles
    if marks.add_headers:
        _place_new_columns(sheet, marks)
        left = ref_of(marks.header_row, column_index(marks.issues_column) - 1) if column_index(
            marks.issues_column) > 1 else None
        head_style = sheet.style_of(left) if left else None
        sheet.set(f"{marks.issues_column}{marks.header_row}", ISSUES_HEADER, head_style)
        sheet.set(f"{marks.marks_column}{marks.header_row}", MARKS_HEADER, head_style)
        sheet.set_column(column_index(marks.marks_column), hidden=True)
        _highlighting(pkg, sheet, marks)
    sheet.set_column(column_index(marks.issues_column), width=ISSUES_WIDTH, at_least=True)
    # first every check, then every write: a refusal leaves nothing half done (nothing is saved anyway)
    cells = []
    icol, mcol = column_index(marks.issues_column), column_index(marks.marks_column)
    for offset, (issue, mark) in enumerate(zip(marks.issues, marks.marks)):
        row = marks.first_row + offset
        old_issue, old_mark = sheet.value_at(row, icol), sheet.value_at(row, mcol)
        if not (issue or mark or old_issue or old_mark):
            continue  # nothing there, nothing to write
        iref, mref = f"{marks.issues_column}{row}", f"{marks.marks_column}{row}"
        if sheet.has_formula(row, icol) or (
                old_issue != (issue or None) and not is_own_mark(old_issue, marks_column=False, marks=old_mark)):
            raise _not_ours(marks.sheet, iref, old_issue, ISSUES_HEADER)
        if sheet.has_formula(row, mcol) or (
                old_mark != (mark or None) and not is_own_mark(old_mark, marks_column=True)):
            raise _not_ours(marks.sheet, mref, old_mark, MARKS_HEADER)
        cells.append((row, iref, mref, issue, mark, old_issue))
    for row, iref, mref, issue, mark, old_issue in cells:
        if issue:
            wrap = styles.derive(sheet.style_of(iref), wrap=True, vertical="top")
            sheet.set(iref, issue, wrap)
        else:
            sheet.set(iref, None)
        sheet.set(mref, mark or None)
        _fit_row(sheet, row, issue, old_issue if isinstance(old_issue, str) else "")


def _fit_row(sheet: SheetPart, row: int, text: str, old_text: str) -> None:
    """Make the row tall enough for its Issues text; undo a height set for an earlier, longer text."""
    ht = sheet.row_attribute(row, "ht")
    current = float(ht) if ht and sheet.row_attribute(row, "customHeight") in ("1", "true") else None
    wanted, before = row_height(text), row_height(old_text)
    if wanted is not None:
        if current is None or current == before or current < wanted:
            sheet.set_row_height(row, wanted)
    elif current is not None and before is not None and current == before:
        sheet.set_row_height(row, None)


# ---------------------------------------------------------------------------------------------
# The Issues sheet, the summary box, the Summary sheet
# ---------------------------------------------------------------------------------------------


def _scratch_sheet(build) -> Package:
    """A one-sheet scratch workbook made by openpyxl (``build(wb)``), as a package to copy a sheet from."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return Package("scratch.xlsx", buf.getvalue())


def issues_sheet_name(pkg: Package) -> str:
    """The Issues sheet as named in the workbook: Excel's sheet names are one ignoring case ("ISSUES")."""
    return next((n for n in pkg.sheet_names() if n.casefold() == ISSUES.casefold()), ISSUES)


def _issues_columns(pkg: Package) -> list[int]:
    """The columns of the Issues sheet holding each of :data:`ISSUES_COLUMNS` (added when missing)."""
    name = issues_sheet_name(pkg)
    if name not in pkg.sheet_names():
        from cin_xl.workbook.template import _issues_sheet

        def build(wb):
            _issues_sheet(wb, [])

        data, rels = pkg.import_sheet(_scratch_sheet(build), ISSUES)
        pkg.add_sheet(name, data, rels=rels)
    sheet = pkg.sheet(name)
    headers: dict[str, int] = {}
    for col in sheet.used_columns(1):
        headers.setdefault(norm_header(sheet.value(ref_of(1, col))), col)
    found = [headers.get(norm_header(h)) for h in ISSUES_COLUMNS]
    if sheet.rows() and not any(found) and sheet.last_column():
        raise UnusableInput(f"The workbook's '{name}' sheet is not the one cin-xl writes (its first row does not "
                            f"name the columns {', '.join(ISSUES_COLUMNS[:3])}, ...); rename that sheet and run "
                            "again. Nothing was changed.")
    columns: list[int] = []
    nxt = sheet.last_column() + 1 if None in found else 0
    for i, column in enumerate(found):
        if column is None:  # a missing column goes after the last one used
            column, nxt = nxt, nxt + 1
            sheet.set(ref_of(1, column), ISSUES_COLUMNS[i], sheet.style_of(ref_of(1, 1)))
        columns.append(column)
    return columns


def _as_value(value: object) -> Value:
    """A value the marks plan holds, as a cell takes it (the plan holds nothing else)."""
    if value is None or isinstance(value, (str, bool, int, float, datetime, date, Formula)):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} into a cell")


def _last_row(sheet: SheetPart) -> int:
    rows = sheet.rows()
    for n in reversed(rows):
        el = sheet.row_element(n)
        if el is not None and len(el):
            return n
    return 0


def write_issues_sheet(pkg: Package, rows: list[list[object]]) -> None:
    """The Issues sheet: one row per finding in cin-xl's seven columns; other columns are left alone."""
    if len(rows) + 1 > MAX_ROW:  # a header and one row a finding: Excel's last row is the bound
        raise UnusableInput(f"The return has {len(rows):,} findings, more than the Issues sheet's {MAX_ROW - 1:,} rows "
                            "hold; fix the most common first (see `cin-xl validate --report`) and run again. "
                            "Nothing was changed.")
    columns = _issues_columns(pkg)
    sheet = pkg.sheet(issues_sheet_name(pkg))
    styles = pkg.styles
    message = ISSUES_COLUMNS.index("Message")
    link = ISSUES_COLUMNS.index("Link")  # the one column holding a formula, which the tool builds itself
    old_last = _last_row(sheet)
    notes = _user_notes(sheet, columns)
    moves = _note_moves(sheet, columns, notes, rows) if notes else []
    below = max(sheet.rows(), default=0)  # rows after the sheet's last: appended all at once
    appended = []
    for r, row in enumerate(rows, start=2):
        new_row = not sheet.has_row(r)  # most rows: filled in one go rather than cell by cell
        cells: list[tuple[int, Value, int]] = []
        for j, entry in enumerate(row):
            value = _as_value(entry)
            if j == link and isinstance(value, str) and value.startswith("=HYPERLINK("):
                value = Formula(value[1:], "Go to cell")  # the link the tool makes to the finding's cell
            elif isinstance(value, str):
                value = cell_text(value, "...")
            if j == message and value:
                base = sheet.column_style(columns[j]) if new_row else sheet.style_of(ref_of(r, columns[j]))
                style = styles.derive(base, wrap=True, vertical="top")
            else:
                style = 0
            cells.append((columns[j], value, style))
        if r > below:
            appended.append((r, cells))
        elif new_row:
            sheet.add_row(r, cells)
        elif not sheet.rewrite_cells(r, cells):
            for col, value, style in cells:
                sheet.set(ref_of(r, col), value, style)
    sheet.append_rows(appended)
    for r, row in enumerate(rows, start=2):  # a message on more than one line never prints over the next row
        height = issues_row_height(row)
        if height is not None or (r <= old_last and sheet.row_attribute(r, "customHeight") in ("1", "true")):
            sheet.set_row_height(r, height)
    gone = range(len(rows) + 2, old_last + 1)
    for r in gone:
        for col in columns:
            sheet.set(ref_of(r, col), None, 0)
    for old_row, _, cells in moves:  # first every note out of its old row, then each into its finding's
        for col, _, _ in cells:
            sheet.set(ref_of(old_row, col), None, 0)
    for _, target, cells in moves:
        for col, value, style in cells:
            sheet.set(ref_of(target, col), value, style)
    sheet.remove_empty_rows(gone)
    _fit_filter(pkg, sheet, columns, len(rows) + 1)


#: what ties a row of the Issues sheet to its finding: code, sheet and cell (with the message when they are
#: the same), and which of the findings so tied it is
_NOTE_KEY = ("Code", "Sheet", "Cell")


def _finding_keys(rows: list[list[object]]) -> list[tuple]:
    seen: dict[tuple, int] = {}
    out = []
    for row in rows:
        key = tuple("" if row[ISSUES_COLUMNS.index(h)] is None else str(row[ISSUES_COLUMNS.index(h)])
                    for h in _NOTE_KEY)
        seen[key] = seen.get(key, 0) + 1
        out.append((*key, seen[key]))
    return out


Note = tuple[int, tuple, list[tuple[int, Value, int]]]


def _user_notes(sheet: SheetPart, columns: list[int]) -> list[Note]:
    """What the user wrote in columns of their own on the Issues sheet, row by row below the header:
    (row, the finding of that row, [(column, value, cell format)])."""
    ours = set(columns)
    found: list[Note] = []
    old_rows: list[list[object]] = []
    for r in sheet.rows():
        if r < 2:
            continue
        cells = [(c, sheet.value_at(r, c), sheet.style_of(ref_of(r, c)), sheet.has_formula(r, c))
                 for c in sheet.cell_columns(r) if c not in ours and sheet.value_at(r, c) not in (None, "")]
        if not cells:
            continue
        for c, _, _, formula in cells:
            if formula:  # a formula refers to rows: it cannot move with its finding
                raise UnusableInput(f"The '{sheet.name}' sheet's cell {ref_of(r, c)} holds a formula in a column "
                                    "of your own beside the findings, which move from row to row as they change; "
                                    "move it to another sheet and run again. Nothing was changed.")
        old_rows.append([sheet.value_at(r, col) for col in columns])
        found.append((r, (), [(c, _as_value(v), style) for c, v, style, _ in cells]))
    keys = _finding_keys(old_rows) if old_rows else []
    return [(r, key, cells) for (r, _, cells), key in zip(found, keys)]


def _note_moves(sheet: SheetPart, columns: list[int], notes: list[Note],
                rows: list[list[object]]) -> list[tuple[int, int, list[tuple[int, Value, int]]]]:
    """(old row, new row, cells) of each note that moves with its finding; a note whose finding is
    no longer found stops the run (nothing is lost)."""
    new_row = {key: r for r, key in enumerate(_finding_keys(rows), start=2)}
    moves = []
    # a note on a row without a finding is tied to none: it stays where it is
    staying = {(old, col) for old, key, cells in notes if not any(key[:3]) for col, _, _ in cells}
    for old, key, cells in notes:
        if not any(key[:3]):
            continue
        target = new_row.get(key)
        if target is None:
            code, where, cell, _ = key
            place = f"{where}!{cell}" if where and cell else where or cell or "the whole return"
            value = next(v for _, v, _ in cells)
            raise UnusableInput(f"The '{sheet.name}' sheet's row {old} holds your note {short(value)!r} "
                                f"(column {column_letters(cells[0][0])}) beside finding {code} at {place}, "
                                "which this run no longer finds; move or delete the note and run again. "
                                "Nothing was changed.")
        if target != old:
            for col, _, _ in cells:
                if (target, col) in staying:
                    raise UnusableInput(f"The '{sheet.name}' sheet's note in {ref_of(old, col)} belongs beside "
                                        f"its finding, now on row {target}, where {ref_of(target, col)} holds "
                                        "another note; move one of them and run again. Nothing was changed.")
            moves.append((old, target, cells))
    return moves


def _fit_filter(pkg: Package, sheet: SheetPart, columns: list[int], last_row: int) -> None:
    auto = sheet.root.find(f"{{{MAIN}}}autoFilter")
    if auto is not None:
        first, last = column_letters(min(columns)), column_letters(max(columns))
        auto.set("ref", f"{first}1:{last}{max(last_row, 2)}")
        pkg.touch(sheet.part)
        # Excel keeps the filtered range in a hidden name of the sheet too: it must say the same
        names = pkg.workbook.find(f"{{{MAIN}}}definedNames")
        index = str(pkg.sheet_names().index(sheet.name))
        for d in names if names is not None else ():
            if d.get("name") == "_xlnm._FilterDatabase" and d.get("localSheetId") == index:
                d.text = f"{quote_sheet_name(sheet.name)}!${first}$1:${last}${max(last_row, 2)}"
                pkg.touch(pkg.workbook_part)


def write_summary_box(pkg: Package, summary: dict[str, object]) -> None:
    """The Start sheet's box (defined names SummaryErrors, ...); a workbook without them gets none."""
    names = pkg.sheet_names()
    for name, value in summary.items():
        for sheet_name, ref in pkg.defined_cells(name):
            if sheet_name not in names:
                continue
            sheet = pkg.sheet(sheet_name)
            style = None
            cell = _as_value(value)
            if isinstance(value, (datetime, date)):
                style = pkg.styles.derive(sheet.style_of(ref), number_format=DATE_TIME_FORMAT)
                cell = serial(value, pkg.date1904)  # the day number of the workbook's own date system
            sheet.set(ref, cell, style)


def _only_our_summary_parts(pkg: Package, sheet: str = SUMMARY_SHEET):
    """For :meth:`Package.replace_sheet`: the old Summary's (or ``sheet``'s) charts go; anything a person added
    stops the run."""
    def check(rel_type: str, part: str) -> None:
        if rel_type == REL_PRINTER:
            return
        if rel_type == REL_DRAWING and pkg.has(part):
            anchored = {etree.QName(el).localname for anchor in pkg.xml(part) for el in anchor
                        if isinstance(el.tag, str)}
            if all(t == REL_CHART for _, t, _, _ in pkg.relationships(part)) and not anchored & {
                    "pic", "sp", "grpSp", "cxnSp", "contentPart"}:
                return
        raise UnusableInput(f"The '{sheet}' sheet holds a picture, shape or note that cin-xl did not put "
                            "there, and validation replaces that sheet; move it to another sheet and run again. "
                            "Nothing was changed.")

    return check


CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
#: a hidden defined name recording which sheet is cin-xl's Summary sheet (it follows a rename in Excel)
SUMMARY_NAME = "_cinxl_Summary"
#: the first cell of the Summary sheet cin-xl draws (:func:`cin_xl.reports.summary_sheet.summary_layout`)
_SUMMARY_TITLE = re.compile(r"^Children in need census \d{4}-\d{2}: key figures$")
#: the names cin-xl's Summary sheet takes, the first one free (ignoring case) when a sheet of the user's is
#: called "Summary"
_SUMMARY_NAMES = (SUMMARY_SHEET, "cin-xl Summary", *(f"cin-xl Summary {n}" for n in range(2, 100)))


def choose_summary_sheet(names: list[str], title_of: Callable[[str], object],
                         recorded: tuple[str, ...] = (), *, candidates: tuple[str, ...] = _SUMMARY_NAMES,
                         title: re.Pattern[str] = _SUMMARY_TITLE) -> tuple[str, bool]:
    """The sheet cin-xl's Summary goes in, and whether it is there already (then it is replaced whole).

    It is the sheet ``recorded`` (annotate's hidden :data:`SUMMARY_NAME`; the sheet follows a rename) or
    the sheet under a name cin-xl gives ("Summary", "cin-xl Summary"...), when it still starts with
    cin-xl's title (``title_of(name)``: its cell A1); any other sheet is the user's and is kept, and the
    Summary goes beside it under the first free name (free ignoring case, as Excel needs). The same for
    annotate and the Validate button. Another sheet of cin-xl's (a child-level list) passes its own
    ``candidates`` (names in order of preference) and ``title`` (what its cell A1 holds).
    """
    for name in (*recorded, *candidates):
        if name in names:
            first = title_of(name)
            if isinstance(first, str) and title.match(first):
                return name, True
    taken = {n.casefold() for n in names}
    for name in candidates:
        if name.casefold() not in taken:
            return name, False
    raise UnusableInput(f"The workbook has a sheet under every name cin-xl gives its {candidates[0]} sheet "
                        f"({', '.join(candidates[:2])}, ...); rename one and run again. Nothing was changed.")


def summary_sheet_name(pkg: Package) -> tuple[str, bool]:
    """:func:`choose_summary_sheet` in a package."""
    names = pkg.sheet_names()
    recorded = tuple(sheet for sheet, _ in pkg.defined_cells(SUMMARY_NAME) if sheet in names)

    def title_of(name: str) -> object:
        try:
            return pkg.sheet(name).value("A1")
        except KeyError:
            return None

    return choose_summary_sheet(names, title_of, recorded)


def _rename_chart_references(scratch: Package, old: str, new: str) -> None:
    """The scratch sheet's charts read their numbers from sheet ``old``: make them read ``new``."""
    before = (f"{quote_sheet_name(old)}!", f"{old}!")
    after = f"{quote_sheet_name(new)}!"
    for part in scratch.names():
        if part.startswith("xl/charts/") and part.endswith(".xml"):
            root = scratch.xml(part)
            for f in root.iter(f"{{{CHART}}}f"):
                text = f.text or ""
                for prefix in before:
                    text = text.replace(prefix, after)
                f.text = text
            scratch.touch(part)


def write_summary(pkg: Package, draw: DrawSummary) -> None:
    """The Summary sheet, drawn by ``draw`` (the key figures with native charts: the annotate job hands
    over :func:`cin_xl.reports.summary_sheet.write_summary_sheet` with the figures).

    Built by openpyxl in a scratch workbook and copied in (sheet, drawing, charts, cell formats). A sheet
    of the user's called "Summary" is kept (see :func:`summary_sheet_name`).
    """
    name, ours = summary_sheet_name(pkg)
    scratch = _scratch_sheet(draw)
    if name != SUMMARY_SHEET:
        _rename_chart_references(scratch, SUMMARY_SHEET, name)
    data, rels = pkg.import_sheet(scratch, SUMMARY_SHEET)
    names = pkg.sheet_names()
    if ours:
        pkg.replace_sheet(name, data, rels=rels, drop=_only_our_summary_parts(pkg))
    else:
        pkg.add_sheet(name, data, rels=rels, index=names.index(START) + 1 if START in names else None)
    pkg.set_defined_name(SUMMARY_NAME, f"{quote_sheet_name(name)}!$A$1", hidden=True)


# ---------------------------------------------------------------------------------------------
# The whole job
# ---------------------------------------------------------------------------------------------


def sheet_heights(pkg: Package, read: WorkbookRead) -> dict[str, int]:
    """The last row holding cells of each sheet read (old marks further down are cleared too)."""
    out = {}
    names = set(pkg.sheet_names())
    for info in read.sheets.values():
        if info.found_as in names:
            out[info.found_as] = pkg.last_filled_row(info.found_as)
    return out


def write_plan(pkg: Package, plan: MarksPlan) -> None:
    """Write a marks plan into an opened package (in memory)."""
    names = set(pkg.sheet_names())
    for marks in plan.sheets.values():
        if marks.sheet in names:
            write_sheet_marks(pkg, marks)
            pkg.release(marks.sheet)  # written back as bytes before the next sheet is parsed
    write_issues_sheet(pkg, plan.issue_rows)
    write_summary_box(pkg, plan.summary)


def annotate_file(path: str | os.PathLike, read: WorkbookRead, findings: list, *,
                  summary: DrawSummary | None = None, fingerprint: Fingerprint | None = None) -> None:
    """Mark ``findings`` (of the workbook ``read`` from ``path``) into the file, saved atomically; with
    ``summary``, the Summary sheet it draws too.

    ``fingerprint`` is the file as it was when it was read (default: as annotate opens it): if the
    file differs from it just before it would be replaced, or a lock file appeared, nothing is
    written (:class:`UnusableInput`).
    """
    prepare_annotation(path, read, findings, summary=summary, fingerprint=fingerprint).write()


@contextmanager
def _writing_into(path: Path):
    from cin_xl.perf import no_gc

    with no_gc():  # the sheets' element proxies would trigger full collections over the whole return
        try:
            yield
        except (etree.XMLSyntaxError, zipfile.BadZipFile, KeyError, ValueError, StopIteration, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError, NotImplementedError: an encrypted or oddly compressed member
            # a part of the package that is not what the Open XML standard says (nothing was written)
            detail = str(exc).replace("\n", " ")[:100]
            raise UnusableInput(f"{path}: cin-xl cannot write its marks into this workbook ({exc.__class__.__name__}: "
                                f"{detail}); open and save it in Excel, then run again. Nothing was changed.") from None


class Annotation:
    """The marks (and Summary sheet) of a validated workbook, worked out and ready to write into it.

    They hold nothing of the return read, so a caller can let go of it (a return of 20,000 children
    takes hundreds of MB) before :meth:`write` parses the workbook's sheets one by one.
    """

    def __init__(self, path: Path, pkg: Package, expect: Fingerprint | None, plan: MarksPlan,
                 summary: DrawSummary | None, lists: WriteSheets | None = None):
        self.path, self.pkg, self.expect, self.plan, self.summary = path, pkg, expect, plan, summary
        self.lists = lists

    def write(self) -> None:
        """Write the marks into the file, saved atomically (see :func:`annotate_file`)."""
        path, pkg = self.path, self.pkg
        with _writing_into(path):
            write_plan(pkg, self.plan)
            if self.summary is not None:
                write_summary(pkg, self.summary)
            if self.lists is not None:
                self.lists(pkg)
            pkg.commit(expect=self.expect, before_replace=lambda: check_not_open(path))


def prepare_annotation(path: str | os.PathLike, read: WorkbookRead, findings: list, *,
                       summary: DrawSummary | None = None, fingerprint: Fingerprint | None = None,
                       lists: WriteSheets | None = None) -> Annotation:
    """The first half of :func:`annotate_file`: the checks and the marks plan (``lists``: more sheets of
    cin-xl's, written after the Summary sheet)."""
    path = Path(path)
    check_writable(path)
    with _writing_into(path):
        pkg = Package(path)
        expect = fingerprint or pkg.fingerprint
        if pkg.fingerprint != expect:
            raise UnusableInput(f"{path} was changed by another program since it was read; nothing was written. "
                                "Run again to mark the saved version.")
        plan = plan_marks(read, findings, sheet_heights(pkg, read))
    return Annotation(path, pkg, expect, plan, summary, lists)


__all__ = ["annotate_file", "prepare_annotation", "MAX_CELL_TEXT", "cell_text",
           "Annotation", "DrawSummary", "lock_file", "check_writable",
           "write_plan", "write_summary", "row_height"]
