"""What validation writes into a workbook, worked out once for every front end.

The Excel buttons (:mod:`cin_xl.excel`, through xlwings) and ``cin-xl validate --annotate``
(:mod:`cin_xl.workbook.annotate`, through openpyxl) write the same marks:

- each module sheet and the Return sheet: the **Issues** column (one line per finding of the row:
  rule code, severity and message; the cell wraps and the row is made tall enough to show every
  line) and the hidden **Marks** column (tokens such as ``" C:E F:Q "``; the template's conditional formatting colours
  the named cells). Both are written as one block per sheet, covering every row that holds data or
  held marks before, so a second run leaves no stale mark;
- the **Issues** sheet: one row per finding with a link to its cell;
- the **Start** sheet summary box (``SummaryErrors``, ``SummaryQueries``, ``SummaryLastRun``,
  ``SummaryStatus``).

Nothing else is touched: no value the user typed, no formatting outside these marks.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from cin_xl.errors import UnusableInput
from cin_xl.safety.text_guard import FORMULA_STARTS
from cin_xl.validation.findings import Finding, Severity, count, plural
from cin_xl.workbook.issues import MAX_ROW_HEIGHT, issue_rows, row_height
from cin_xl.workbook.layout import (
    CARRIED_MARK,
    ISSUES_COLUMNS,
    ISSUES_HEADER,
    ISSUES_WIDTH,
    MARKS_HEADER,
    mark_token,
    marks_text,
)
from cin_xl.workbook.package.columns import column_index, column_letters
from cin_xl.workbook.reader import SheetRead, WorkbookRead


@dataclass
class SheetMarks:
    """The Issues and Marks columns of one sheet, rows ``first_row`` .. ``first_row + len(issues) - 1``."""

    sheet: str
    issues_column: str
    marks_column: str
    first_row: int
    issues: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    #: the columns were missing and must be created (headers written in ``header_row``)
    add_headers: bool = False
    header_row: int = 1
    #: row heights in points, one per row of ``issues``: tall enough for the wrapped Issues text
    #: (None: the row has no issues and takes the default height)
    heights: list[float | None] = field(default_factory=list)
    #: width (characters) the Issues column needs; writers widen a narrower one and wrap its text
    issues_width: float = ISSUES_WIDTH

    @property
    def adjacent(self) -> bool:
        """Marks is the column right of Issues (then both go in one write)."""
        return column_index(self.marks_column) == column_index(self.issues_column) + 1

    def block(self) -> list[list[str]]:
        return [[i, m] for i, m in zip(self.issues, self.marks)]


@dataclass
class MarksPlan:
    sheets: dict[str, SheetMarks]
    #: rows for the Issues sheet (see :func:`cin_xl.workbook.issues.issue_rows`)
    issue_rows: list[list[object]]
    summary: dict[str, object]
    findings: list[Finding]

    @property
    def errors(self) -> int:
        errors = self.summary["SummaryErrors"]
        if not isinstance(errors, int):  # a plan that clears marks counts nothing
            raise TypeError(f"this plan counts no errors (SummaryErrors is {errors!r})")
        return errors


def _row_of(finding: Finding) -> int | None:
    """The sheet row of a finding: its own, or that of its first cell (Return sheet items)."""
    if finding.row:
        return finding.row
    digits = "".join(ch for ch in finding.cells[0] if ch.isdigit()) if finding.cells else ""
    return int(digits) if digits else None


def _row_text(findings: list[Finding]) -> str:
    seen, parts = set(), []
    for f in sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f.code)):
        if (f.code, f.message) in seen:
            continue
        seen.add((f.code, f.message))
        parts.append(f"{f.code} {'error' if f.severity is Severity.ERROR else 'query'}: {f.message}")
    return "\n".join(parts)  # starts with a rule code, never with a formula character


#: Excel's limit: the characters a cell holds
MAX_CELL_TEXT = 32_767
#: the last line of an Issues cell cut to what a cell holds (see :func:`cell_text`)
MORE_LINE = "... and more: see the Issues sheet"
#: a Marks cell as validation writes it: tokens such as " C:E F:Q " (:func:`.layout.marks_text`), the token
#: of a row carried from last year (:data:`.layout.CARRIED_MARK`), then the digest of the Issues cell beside
#: it (:func:`marks_cell`)
_OWN_MARKS = re.compile(rf"^\s*(?:(?:[A-Z]{{1,3}}:[EQ]|{CARRIED_MARK})\s*)*(?:#([0-9a-f]{{8}})\s*)?$")
#: a line of an Issues cell as cin-xl wrote it before Marks cells carried a digest: exactly the shape of
#: :func:`_row_text` ("8525Q query: ..."); read only beside a Marks cell without a digest, so that workbooks
#: annotated by an earlier version can be annotated again
_LEGACY_ISSUE_LINE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,15} (?:error|query): \S")


def cell_text(text: str, more: str = "\n" + MORE_LINE) -> str:
    """``text`` cut (at a line end when there is one) to what an Excel cell holds."""
    if len(text) <= MAX_CELL_TEXT:
        return text
    room = MAX_CELL_TEXT - len(more)
    cut = text.rfind("\n", 0, room)
    return text[:cut if cut > 0 else room] + more


def digest(text: str) -> str:
    """Eight hex digits standing for an Issues cell's text, kept in the hidden Marks cell beside it: how
    validation knows the Issues cell is still what it wrote (nobody types it by accident)."""
    text = text.replace("\r\n", "\n")  # however the cell's line ends come back
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def marks_cell(tokens: str, issue: str) -> str:
    """The Marks cell of a row: its tokens (:func:`.layout.marks_text`) and the digest of its Issues text."""
    if not issue:
        return tokens
    return f"{tokens or ' '}#{digest(issue)} "


def is_own_mark(value: object, *, marks_column: bool, marks: object = None) -> bool:
    """True when a cell of the Issues (or Marks) column holds what validation writes there, or nothing.

    An Issues cell is validation's when the Marks cell beside it (``marks``) holds the digest of its text
    (:func:`marks_cell`): not by the shape of its text, which a person's note can share ("OK no error").
    Annotate overwrites only such cells: text a person typed in these columns is never erased.
    """
    if value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    if marks_column:
        return bool(_OWN_MARKS.match(value))
    found = _OWN_MARKS.match(marks) if isinstance(marks, str) else None
    if found and found.group(1):
        return found.group(1) == digest(value)
    if marks not in (None, "") and not found:
        return False  # the Marks cell was typed over too
    lines = [line for line in value.replace("\r\n", "\n").split("\n") if line.strip()]
    return all(_LEGACY_ISSUE_LINE.match(line) or line == MORE_LINE for line in lines)


def not_ours_message(sheet: str, ref: str, value: object, column: str) -> str:
    """Why validation stops rather than write over ``value``, which a person typed where marks go."""
    from cin_xl.workbook.package.limits import short

    return (f"'{sheet}'!{ref} holds {short(value)!r}, which cin-xl did not write, in the {column} column that "
            "validation fills in; move it to another column and run again. Nothing was changed.")


def foreign_cells(plan: MarksPlan, column_values) -> list[tuple[str, str, object, str]]:
    """The cells the plan would write over that hold something validation did not write there.

    ``column_values(sheet, column_index, first_row, count)`` gives the current values of ``count``
    cells of a column, from ``first_row`` down. Each result is (sheet, cell, value, column header),
    row by row, the Issues cell before the Marks cell.
    """
    out = []
    for name, marks in plan.sheets.items():
        found = []
        olds = {is_marks: column_values(name, column_index(letter), marks.first_row, len(marks.issues))
                for letter, is_marks in ((marks.issues_column, False), (marks.marks_column, True))}
        for offset, (old_issue, old_mark) in enumerate(zip(olds[False], olds[True])):
            for order, (letter, old, new, is_marks, header) in enumerate((
                    (marks.issues_column, old_issue, marks.issues[offset], False, ISSUES_HEADER),
                    (marks.marks_column, old_mark, marks.marks[offset], True, MARKS_HEADER))):
                if old is None or old == (new or None):
                    continue
                if not is_own_mark(old, marks_column=is_marks, marks=old_mark):
                    found.append((offset, order, (name, f"{letter}{marks.first_row + offset}", old, header)))
        out += [cell for *_, cell in sorted(found, key=lambda t: t[:2])]
    return out


def mark_columns(info: SheetRead) -> tuple[str, str, bool]:
    """(Issues column, Marks column, whether they must be added) of a sheet read: the sheet's own, or,
    where the user removed them, the two columns right of the last one in use."""
    if info.issues_column and info.marks_column:
        return info.issues_column, info.marks_column, False
    used = [column_index(c) for c in (*info.columns.values(), *info.ignored)]
    base = max(used, default=0) + 1
    no_room(info.found_as or "", base)
    return column_letters(base), column_letters(base + 1), True


#: Excel's last column (XFD)
MAX_COLUMN = 16_384


def no_room(sheet: str, first: int) -> None:
    """Refuse Issues and Marks columns from column ``first`` when they would pass Excel's last column."""
    if first + 1 > MAX_COLUMN:
        raise UnusableInput(f"The '{sheet}' sheet has no Issues and Marks columns and no room for them after its last "
                            f"column (Excel stops at XFD); free two columns at its end, or put the Issues and Marks "
                            "headers back, and run again. Nothing was changed.")


def plan_marks(read: WorkbookRead, findings: list[Finding], sheet_heights: dict[str, int],
               *, now: datetime | None = None, carried: bool = True) -> MarksPlan:
    """The marks for ``findings`` on the workbook ``read`` came from.

    ``sheet_heights`` gives, per sheet name as found in the workbook, the last used row: marks are
    written down to it (or to the last finding), so that old marks further down are cleared too.
    The rows ``read`` found carried from last year keep their ``carried`` token (unless ``carried`` is
    False: a plan that clears every mark, see :func:`keep_carried`).
    """
    by_sheet: dict[str, dict[int, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet:
            row = _row_of(f)
            if row:
                by_sheet[f.sheet][row].append(f)
    sheets: dict[str, SheetMarks] = {}
    for name, info in read.sheets.items():
        actual = info.found_as
        if actual is None or not info.columns:
            continue
        rows = by_sheet.get(name, {}) or by_sheet.get(actual, {})
        first = info.header_row + 1
        last = max([sheet_heights.get(actual, first - 1), *rows.keys()], default=first - 1)
        if last < first and not (info.issues_column and info.marks_column):
            continue
        issues_col, marks_col, add = mark_columns(info)
        plan = SheetMarks(actual, issues_col, marks_col, first, add_headers=add, header_row=info.header_row)
        kept = info.carried if carried else set()
        for r in range(first, last + 1):
            found = rows.get(r)
            if not found:  # most rows: nothing to say, and any old mark to blank
                plan.issues.append("")
                plan.heights.append(None)
                plan.marks.append(marks_text([CARRIED_MARK]) if r in kept else "")
                continue
            text = cell_text(_row_text(found))
            plan.issues.append(text)
            plan.heights.append(row_height(text, plan.issues_width))
            tokens = [(cell_column(c), str(f.severity)) for f in found for c in f.cells]
            # errors first, so a cell with both shows as an error
            tokens.sort(key=lambda t: t[1] != str(Severity.ERROR))
            carried_token = [CARRIED_MARK] if r in kept else []
            plan.marks.append(marks_cell(marks_text([*(mark_token(*t) for t in tokens), *carried_token]), text))
        sheets[actual] = plan
    totals = count(findings)
    status = ("No errors: ready to export" if totals["errors"] == 0 else
              f"{plural(totals['errors'], 'error')} to fix before export")
    summary = {"SummaryErrors": totals["errors"], "SummaryQueries": totals["queries"],
               "SummaryLastRun": now or datetime.now().replace(microsecond=0), "SummaryStatus": status}
    return MarksPlan(sheets, issue_rows(findings), summary, findings)


def clear_plan(read: WorkbookRead, sheet_heights: dict[str, int]) -> MarksPlan:
    """Blank marks over every row (what Clear writes; :func:`keep_carried` keeps the rows carried from last year)."""
    plan = plan_marks(read, [], sheet_heights, carried=False)
    plan.summary.update({"SummaryErrors": None, "SummaryQueries": None, "SummaryLastRun": None,
                         "SummaryStatus": "Not yet validated"})
    return plan


def is_carried_mark(value: object) -> bool:
    """True when a Marks cell holds the token of a row carried from last year (:data:`.layout.CARRIED_MARK`)."""
    return isinstance(value, str) and CARRIED_MARK in value.split()


def keep_carried(plan: MarksPlan, column_values) -> None:
    """Keep, in a plan that clears the marks, the token of each row carried from last year: Clear removes what
    validation found, not what the workbook remembers of last year (``column_values`` as for :func:`foreign_cells`)."""
    for name, marks in plan.sheets.items():
        olds = column_values(name, column_index(marks.marks_column), marks.first_row, len(marks.marks))
        for offset, old in enumerate(olds):
            if offset < len(marks.marks) and is_carried_mark(old):
                marks.marks[offset] = marks_text([CARRIED_MARK])


def cell_column(cell: str) -> str:
    return "".join(ch for ch in cell if ch.isalpha())


__all__ = ["MarksPlan", "no_room", "MAX_COLUMN", "cell_text", "digest", "marks_cell", "MAX_CELL_TEXT", "MORE_LINE",
           "SheetMarks", "plan_marks", "clear_plan", "keep_carried", "is_carried_mark", "row_height",
           "MAX_ROW_HEIGHT", "mark_columns", "is_own_mark", "ISSUES_COLUMNS",
           "ISSUES_HEADER", "MARKS_HEADER", "FORMULA_STARTS"]
