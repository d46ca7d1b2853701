"""``cin-xl validate FILE.xlsx --annotate``: the Validate button's marks, written without Excel.

The same plan as the Excel button (:mod:`cin_xl.workbook.marks`), written with openpyxl, so
LibreOffice users and batch jobs see the same result. The file is saved whole or not at all (a
temporary file in the same folder, then renamed over the original), and a workbook that is open in
Excel or LibreOffice (their lock file is next to it) is refused with a clear message.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl.styles import Alignment

from ..errors import UnusableInput
from ..text_guard import looks_like_formula
from .layout import ISSUES, ISSUES_COLUMNS, ISSUES_HEADER, MARKS_HEADER
from .marks import MarksPlan, plan_marks
from .reader import WorkbookRead


def lock_file(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps next to a workbook while it is open, if any.

    Excel's is ``~$`` + the file name (for long names Office may drop the name's first two
    characters instead); LibreOffice's is ``.~lock.<name>#``.
    """
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:
        candidates.append(path.with_name("~$" + path.name[2:]))
    return next((c for c in candidates if c.exists()), None)


def check_writable(path: Path) -> None:
    lock = lock_file(path)
    if lock is not None:
        raise UnusableInput(f"{path} is open in Excel or LibreOffice (lock file {lock.name}); close it and run "
                            "again. The file was not changed.")
    try:
        with open(path, "r+b"):
            pass
    except PermissionError:
        raise UnusableInput(f"{path} cannot be written (read-only, or open in another program); nothing was "
                            "changed.") from None


_WRAP = Alignment(wrap_text=True, vertical="top")

#: the Issues sheet's column holding the link formula that cin-xl itself builds
_LINK_COLUMN = len(ISSUES_COLUMNS)


def _set(cell, value, *, formula: bool = False) -> None:
    """Write ``value``; text that looks like a formula is stored as text (unless it is ours: ``formula``)."""
    cell.value = value
    if not formula and looks_like_formula(value):
        cell.data_type = "s"  # openpyxl took it for a formula: text
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def write_plan(wb, plan: MarksPlan) -> None:
    """Write a marks plan into an openpyxl workbook (in memory)."""
    for name, marks in plan.sheets.items():
        ws = wb[name]
        if marks.add_headers:
            ws[f"{marks.issues_column}{marks.header_row}"] = ISSUES_HEADER
            ws[f"{marks.marks_column}{marks.header_row}"] = MARKS_HEADER
        width = ws.column_dimensions[marks.issues_column].width
        if not width or width < marks.issues_width:
            ws.column_dimensions[marks.issues_column].width = marks.issues_width
        heights = marks.heights or [None] * len(marks.issues)
        for offset, (issue, mark, height) in enumerate(zip(marks.issues, marks.marks, heights)):
            row = marks.first_row + offset
            cell = ws[f"{marks.issues_column}{row}"]
            _set(cell, issue or None)
            if issue:
                cell.alignment = _WRAP  # one finding per line
            _set(ws[f"{marks.marks_column}{row}"], mark or None)
            if height or ws.row_dimensions[row].height:
                ws.row_dimensions[row].height = height
    if ISSUES in wb.sheetnames:
        ws = wb[ISSUES]
        if ws.max_row > 1:
            ws.delete_rows(2, ws.max_row - 1)
    else:
        ws = wb.create_sheet(ISSUES)
        ws.append(list(ISSUES_COLUMNS))
    for r, row in enumerate(plan.issue_rows, start=2):
        for c, value in enumerate(row, start=1):
            _set(ws.cell(row=r, column=c), value, formula=c == _LINK_COLUMN)
    for name, value in plan.summary.items():
        defined = wb.defined_names.get(name)
        if defined is None:
            continue
        for sheet, ref in defined.destinations:
            _set(wb[sheet][ref.replace("$", "")], value)


def write_summary(wb, read: WorkbookRead, findings: list, *, source: str) -> None:
    """The Summary sheet: key figures of the return, with native charts (see :mod:`cin_xl.summary_sheet`)."""
    from ..figures import compute_figures
    from ..summary_sheet import write_summary_sheet

    write_summary_sheet(wb, compute_figures(read.census, read.year, findings, source=source))


def annotate_file(path: str | os.PathLike, read: WorkbookRead, findings: list) -> None:
    """Mark ``findings`` (of the workbook ``read`` from ``path``) into the file, saved atomically.

    openpyxl keeps a workbook's VBA project but not its form-control buttons, so a macro-enabled
    workbook is saved without its macros and made macro-enabled again, buttons and all
    (:func:`cin_xl.workbook.xlsm.macro_workbook`).
    """
    from openpyxl import load_workbook

    from ..xml.writer import write_atomic

    path = Path(path)
    check_writable(path)
    wb = load_workbook(path, keep_links=True)
    heights = {ws.title: ws.max_row for ws in wb.worksheets}
    write_plan(wb, plan_marks(read, findings, heights))
    write_summary(wb, read, findings, source=str(path))
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if path.suffix.lower() == ".xlsm":
        from .xlsm import macro_workbook

        data = macro_workbook(data)
    mode = os.stat(path).st_mode & 0o777
    write_atomic(path, data)
    os.chmod(path, mode)
