"""A filled census workbook back to the model, every value remembered with its sheet and cell.

The core is pure: :func:`read_grids` takes each sheet's values as a list of rows (row 1 first),
each row either a list (column A first) as xlwings gives it (``sheet.used_range.value``) or openpyxl
(``iter_rows(values_only=True)``), or a dict from the 0-based column index to the value of each cell
that holds one, as the package reader gives it (:mod:`.package.read`): datetimes for dates, floats
or ints for numbers, bools, ``None`` for blanks, and :class:`~.cells.FormulaWithoutValue` for a
formula whose result was never saved. :func:`read_workbook` reads an .xlsx or .xlsm file with the
package reader and calls it. Rows are kept sparse, so the cost follows the cells that hold values,
not the sheet's extent (a cell in column XFD or row 1,048,576 costs one entry).

It accepts what people type (see :mod:`.cells` for the values) and how they arrange a table:
columns are found by header (the item's label, XML name or N-code; case and spacing ignored), so
columns may be moved and extra columns added; blank rows are skipped; a title row above the
headers is tolerated. Rows are linked to their child by LA child ID and to their episode by
(LA child ID, referral date).

Nothing is dropped silently. A value that cannot be read stays the text typed (validation flags
it). A row that cannot be placed (no such child or episode, or more than one), a value in a column
with no header (including right of the last header), a formula with no saved result, a column or
sheet that is missing: each is a finding (code ``X-READ``) located to its cells, in
:attr:`WorkbookRead.problems`. Messages quote at most a short prefix of a value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import cast

from cin_xl.census.model import CensusReturn, Header, Node, Origin, build
from cin_xl.census.spec import fields_of
from cin_xl.census.spec.la_codes import LA_CODES
from cin_xl.census.years import READABLE_YEARS, CensusYear, UnknownYear, supported
from cin_xl.errors import UnusableInput
from cin_xl.perf import no_gc
from cin_xl.progress import phase
from cin_xl.validation.codes import X_READ
from cin_xl.validation.findings import Finding, Severity, plural
from cin_xl.workbook.cells import FormulaWithoutValue, as_text, is_blank, read_codes, read_value, value_reader
from cin_xl.workbook.headers import LIKENESS_CUTOFF, closest, common_headers, likeness, looks_like_module_sheet
from cin_xl.workbook.layout import (
    CARRIED_MARK,
    CENSUS_YEAR_LABEL,
    HEADER_GROUPS,
    ISSUES,
    ISSUES_HEADER,
    KEY,
    LINK,
    LISTS,
    LOOKED_AFTER,
    MARKS_HEADER,
    MODULE_BY_SHEET,
    MODULES,
    PREVIOUS_RETURN_LABEL,
    RETURN,
    RETURN_HEADERS,
    START,
    Column,
    Module,
    SheetLayout,
    header_names,
    looked_after_columns,
    module_in_force,
    modules_for,
    norm_header,
    return_rows,
    sheet_layout,
    spread_header_pattern,
)
from cin_xl.workbook.package.columns import column_letters
from cin_xl.workbook.package.limits import short
from cin_xl.workbook.package.read import EMPTY_ROW, SheetRows
from cin_xl.workbook.writer import LookedAfterPeriod

READ_PROBLEM = X_READ
#: a sheet's header row is looked for in its first rows: what a sheet's layout depends on (where its
#: columns are) is all in these, so a job that needs only the layout reads no further (Excel's Clear)
HEADER_SEARCH_ROWS = 10
NO_SAVED_RESULT = "Formula with no saved result: open and save the workbook in Excel"
_MODULE_RECORDS = {m.record for m in MODULES}
#: every sheet a census workbook has (a sheet of another name is the user's own, or a renamed one)
_WORKBOOK_SHEETS = (START, RETURN, *(m.sheet for m in MODULES), LOOKED_AFTER, LISTS, ISSUES)
#: a sheet as the reader works on it: rows (row 1 first), each {0-based column index: value}
Row = Mapping[int, object]
Grid = list[Row]


@dataclass
class SheetRead:
    """How a sheet was read: where its columns were found, which rows held data."""

    name: str
    #: the sheet's name in the workbook (as typed there), or None when the sheet is missing
    found_as: str | None = None
    header_row: int = 1
    #: column key (see :class:`.layout.Column`) -> column letters where it was found
    columns: dict[str, str] = field(default_factory=dict)
    issues_column: str | None = None
    marks_column: str | None = None
    #: sheet rows read as records
    rows: list[int] = field(default_factory=list)
    #: headers not recognised (extra columns), by column letters
    ignored: dict[str, str] = field(default_factory=dict)
    #: sheet rows whose Marks cell says they were carried from last year (:data:`.layout.CARRIED_MARK`)
    carried: set[int] = field(default_factory=set)


@dataclass
class WorkbookRead:
    census: CensusReturn
    year: CensusYear
    problems: list[Finding] = field(default_factory=list)
    looked_after: list[LookedAfterPeriod] = field(default_factory=list)
    sheets: dict[str, SheetRead] = field(default_factory=dict)
    source: str = ""
    #: the Return sheet's "Last year's return" (a path as typed) and its cell
    previous_return: str | None = None
    previous_return_cell: str | None = None
    #: the records of rows carried from last year's return by rollover (their Marks cell says so): validation
    #: tells what is still to fill in on them (:mod:`cin_xl.validation.fill_in`)
    carried: list[Node] = field(default_factory=list)


def _fmt(value: object) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return short(value)


def _sparse(row: object) -> Row:
    if row is None:
        return EMPTY_ROW
    if isinstance(row, (list, tuple)):
        return {j: v for j, v in enumerate(row) if v is not None}
    return row  # type: ignore[return-value]  # a mapping already


def _shape(grid: object) -> Grid:
    """Rows as {column index: value}; xlwings gives a scalar for one cell and a flat list for one row."""
    if grid is None:
        return []
    if isinstance(grid, SheetRows):
        return grid
    if not isinstance(grid, (list, tuple)):
        return [{0: grid}]
    if grid and not isinstance(grid[0], (list, tuple, Mapping)) and grid[0] is not None:
        return [_sparse(grid)]
    # rows from the package reader are sparse already (most of a far-reaching sheet is EMPTY_ROW)
    return [r if r.__class__ is dict or r is EMPTY_ROW else _sparse(r) for r in grid]


class RowCells(Mapping):
    """Field name -> cell reference ("C12") of the values of one workbook row: an origin's ``cells``.

    Made on demand from the sheet's column letters (shared by every row) and the row number, plus the
    row's own extra references (``"factors[2]"``): a dict of references per record would be a million
    strings on the largest returns.
    """

    __slots__ = ("letters", "number", "extra")

    def __init__(self, letters: Mapping[str, str], number: str, extra: dict[str, str] | None = None):
        self.letters, self.number, self.extra = letters, number, extra

    def __getitem__(self, key: str) -> str:
        letter = self.letters.get(key)
        if letter is not None:
            return letter + self.number
        if self.extra is not None:
            return self.extra[key]
        raise KeyError(key)

    def get(self, key: str, default: object = None) -> object:
        letter = self.letters.get(key)
        if letter is not None:
            return letter + self.number
        return self.extra.get(key, default) if self.extra is not None else default

    def __contains__(self, key: object) -> bool:
        return key in self.letters or (self.extra is not None and key in self.extra)

    def __iter__(self):
        yield from self.letters
        if self.extra is not None:
            yield from (k for k in self.extra if k not in self.letters)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"RowCells({dict(self)!r})"


_SINGLE, _MANY, _SPREAD = "single", "many", "spread"


class _SheetPlan:
    """How the rows of one sheet become records: worked out once a sheet from its columns.

    - ``links``: (column key, value reader) of the columns linking a row to its parent record;
    - ``by_key``: column key -> (how, part, field, spread index, item, value reader) of the other columns;
    - ``list_fields``: part -> the list fields that start empty in each row's record;
    - ``part_letters`` / ``all_letters``: field -> column letter of each part and of the whole record (for
      :class:`RowCells`; a spread item's field points at its first column).
    """

    def __init__(self, items: dict[str, Column], letters: Mapping[str, str]):
        self.letters = letters
        self.links: list[tuple[str, Callable[[object], object]]] = []
        self.by_key: dict[str, tuple] = {}
        order = list(dict.fromkeys(col.part for col in items.values() if col.role != LINK))
        self.list_fields: dict[str | None, list[str]] = {part: [] for part in order}
        self.part_letters: dict[str | None, dict[str, str]] = {part: {} for part in order}
        first_spread: dict[str, tuple[int, str]] = {}
        for key, col in items.items():
            item = col.item
            if col.role == LINK:
                self.links.append((key, value_reader(item)))
                continue
            if col.index:
                how = _SPREAD
                if key in letters and (col.field not in first_spread or col.index < first_spread[col.field][0]):
                    first_spread[col.field] = (col.index, letters[key])
            else:
                how = _MANY if item.many else _SINGLE
                if key in letters:
                    self.part_letters[col.part][col.field] = letters[key]
            if how is not _SINGLE and col.field not in self.list_fields[col.part]:
                self.list_fields[col.part].append(col.field)
            self.by_key[key] = (how, col.part, col.field, col.index, item, value_reader(item))
        for fname, (_, letter) in first_spread.items():
            self.part_letters.setdefault(None, {})[fname] = letter
        self.all_letters = {k: v for letters_of_part in self.part_letters.values() for k, v in letters_of_part.items()}


class _Reader:
    def __init__(self, grids: Mapping[str, object], year: CensusYear | None,
                 offsets: dict[str, tuple[int, int]] | None):
        self.grids = {norm_header(k): (k, _shape(v)) for k, v in grids.items()}
        self.offsets = {norm_header(k): v for k, v in (offsets or {}).items()}
        self.year_given = year
        self.problems: list[Finding] = []
        self.sheets: dict[str, SheetRead] = {}
        self._column_plans: dict[int, tuple[dict[str, Column], Mapping[str, str], _SheetPlan]] = {}
        self._record_plans: dict[type, tuple] = {}  # _plan per record class, for this reader's one year
        #: sheets of the workbook (as compared) named as the likely rename of a missing census sheet
        self.renamed_sheets: set[str] = set()
        #: census sheet -> why the rows of the sheets below it cannot be placed (it, or its key column, is
        #: missing), and why its own rows cannot be (a link column is missing): said once, not on every row
        self.unplaceable: dict[str, str] = {}
        self.unlinked: dict[str, str] = {}
        #: records of rows carried from last year (their Marks cell holds CARRIED_MARK)
        self.carried: list[Node] = []

    # -- helpers ---------------------------------------------------------------------------------

    def problem(self, message: str, sheet: str | None, row: int | None = None, cells: tuple[str, ...] = (),
                *, severity: Severity = Severity.ERROR, child: str | None = None) -> None:
        self.problems.append(Finding(READ_PROBLEM, severity, message, child=child, sheet=sheet, row=row,
                                     cells=cells))

    def grid(self, name: str) -> tuple[str | None, Grid, int, int]:
        found = self.grids.get(norm_header(name))
        off = self.offsets.get(norm_header(name), (1, 1))
        if found is None:
            return None, [], off[0], off[1]
        return found[0], found[1], off[0], off[1]

    # -- the census year and the Return sheet ----------------------------------------------------

    def return_values(self) -> tuple[str | None, dict[str, tuple[object, str]]]:
        """norm label -> (raw value, cell) from the Return sheet: the first text of a row, and the cell right of it."""
        name, grid, r0, c0 = self.grid(RETURN)
        out: dict[str, tuple[object, str]] = {}
        self.return_sheet(name, grid, r0, c0)
        for i, row in enumerate(grid):
            for j in sorted(row):
                cell = row[j]
                if isinstance(cell, str) and cell.strip():
                    key = norm_header(cell)
                    if key not in out:
                        ref = f"{column_letters(c0 + j + 1)}{r0 + i}"
                        value = row.get(j + 1)
                        if isinstance(value, FormulaWithoutValue):
                            self.problem(NO_SAVED_RESULT, RETURN, r0 + i, (ref,))
                            value = None
                        out[key] = (value, ref)
                    break
        return name, out

    def return_sheet(self, name: str | None, grid: Grid, r0: int, c0: int) -> None:
        """Where the Return sheet's columns are (Item, Value, Guidance, Issues, Marks), for its marks.

        Its header row is the first row starting with "Item"; without one the sheet gets no marks."""
        for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            heads = {j: norm_header(row[j]) for j in sorted(row)}
            if next((h for h in heads.values() if h), None) != norm_header(RETURN_HEADERS[0]):
                continue
            info = SheetRead(RETURN, name, header_row=r0 + i)
            for j, h in heads.items():
                letter = column_letters(c0 + j)
                if h == norm_header(ISSUES_HEADER):
                    info.issues_column = info.issues_column or letter
                elif h == norm_header(MARKS_HEADER):
                    info.marks_column = info.marks_column or letter
                elif h:
                    info.columns.setdefault(h, letter)
            self.sheets[RETURN] = info
            return

    def detect_year(self, values: dict[str, tuple[object, str]]) -> CensusYear:
        said: CensusYear | None = None
        raw, cell = values.get(norm_header(CENSUS_YEAR_LABEL), (None, ""))
        if not is_blank(raw):
            try:
                said = CensusYear.parse(as_text(raw))
            except UnknownYear:
                self.problem(f"Census year {short(as_text(raw))!r} is not a census year like 2026-27", RETURN,
                             cells=(cell,))
        if said is None:
            raw, cell = values.get(norm_header("Year"), (None, ""))
            text = as_text(raw) if not is_blank(raw) else ""
            if text.isdigit():
                said = CensusYear.from_xml_year(text)
        if self.year_given is not None:
            if said is not None and said != self.year_given:
                self.problem(f"The Return sheet says census year {said.label}; the workbook was read as "
                             f"{self.year_given.label}", RETURN, cells=(cell,) if cell else (),
                             severity=Severity.QUERY)
            return self.year_given
        if said is None:
            raise UnusableInput("cannot tell the census year of the workbook: fill in 'Census year' on the Return "
                                "sheet or give --year")
        try:
            return supported(said, readable=True)
        except UnknownYear:
            raise UnusableInput(f"the workbook is for census year {said.label}, which cannot be read "
                                f"(readable: {', '.join(READABLE_YEARS)})") from None

    def header(self, year: CensusYear, values: dict[str, tuple[object, str]], sheet: str) -> Header:
        parts: dict[str, dict[str, object]] = {g: {} for g in HEADER_GROUPS}
        cells: dict[str, dict[str, str]] = {g: {} for g in HEADER_GROUPS}
        for row in return_rows(year):
            if not row.in_header:
                continue
            group, fname = row.path.split(".")
            item = row.item
            if item is None:  # the census year row: not an item of the header
                continue
            found = None
            for name in (row.label, item.xml, item.ncode):
                if name and norm_header(name) in values:
                    found = values[norm_header(name)]
                    break
            if found is None:
                self.problem(f"The Return sheet has no row '{row.label}'", sheet, severity=Severity.QUERY)
                continue
            raw, cell = found
            value = read_value(item, raw)
            if item.xml == "LEA" and isinstance(value, str):
                code = re.split(r"\s*[-\u2013\u2014]\s*", value, maxsplit=1)[0].strip()
                if code in LA_CODES:
                    value = code
            cells[group][fname] = cell
            if value is not None:
                parts[group][fname] = value
        nodes = {}
        for group, cls in HEADER_GROUPS.items():
            nodes[group] = cls(**parts[group]).at(Origin(sheet=sheet, cells=dict(cells[group])))
        head = Header(**nodes)
        head.at(Origin(sheet=sheet, cells={k: v for c in cells.values() for k, v in c.items()}))
        return head

    # -- table sheets ----------------------------------------------------------------------------

    def _known_headers(self, layout_columns: tuple[Column, ...], other_year: set[str]) -> dict[str, Column]:
        """Header as compared -> its column: the column's own names first, then the headers people commonly
        write for it (:data:`.headers.COMMON_HEADERS`), unless another year of the sheet has a column so named."""
        names: dict[str, Column] = {}
        for col in layout_columns:
            for n in header_names(col):
                names.setdefault(n, col)
        for col in layout_columns:
            if not col.index:
                for n in common_headers(col.item) - other_year:
                    names.setdefault(n, col)
        return names

    def _other_year_headers(self, module: Module | None, year: CensusYear) -> set[str]:
        if module is None:
            return set()
        out: set[str] = set()
        for label in READABLE_YEARS:
            other = CensusYear.parse(label)
            if other != year and module_in_force(module, other):
                for col in sheet_layout(module.sheet, other).columns:
                    out |= header_names(col)
        return out

    def shape_problems(self, name: str, sheet: str, header_row: int, data_rows: Grid, header: Row,
                       letters: Mapping[int, str], missing: list[Column], unknown: list[int], other_names: list[int],
                       items: Mapping[str, Column], mapping: Mapping[int, str]) -> None:
        """The findings on a module sheet's columns: each known column missing is an error (naming the column
        of the sheet's own that holds values and looks most like it: the likely rename); the sheet's own
        columns left are said once; so are the columns read by a header other than the template's."""
        def head(j: int) -> str:
            return short(header[j])

        valued = [j for j in unknown if any(not is_blank(r.get(j)) for r in data_rows)]
        renamed: dict[str, int] = {}  # missing column key -> the sheet's own column that looks like it
        scores = sorted(((max(likeness(str(header[j]), n) for n in header_names(col) | common_headers(col.item)
                              | {col.header}), i, col.key, j)
                         for i, col in enumerate(missing) for j in valued), key=lambda t: (-t[0], t[1]))
        for score, _, key, j in scores:
            if score >= LIKENESS_CUTOFF and key not in renamed and j not in renamed.values():
                renamed[key] = j
        left = [j for j in valued if j not in renamed.values()]
        unmatched = [col for col in missing if col.key not in renamed]
        if len(unmatched) == 1 and len(left) == 1:  # one column gone, one unknown one holding values: the rename
            renamed[unmatched[0].key] = left[0]
        for col in missing:
            need = {LINK: ", needed to link its rows", KEY: ", needed to link the rows of the sheets below"}.get(
                col.role, f" ({col.item.xml})")
            if col.role in (LINK, KEY):
                (self.unlinked if col.role == LINK else self.unplaceable)[sheet] = \
                    f"'{name}' has no column '{col.header}'"
            like = renamed.get(col.key)
            if like is None:
                self.problem(f"'{name}' has no column '{col.header}'{need}: add it, or head the column that holds "
                             f"it '{col.header}'", sheet, header_row)
            else:
                self.problem(f"'{name}' has no column '{col.header}'{need}: '{head(like)}' (column {letters[like]}) "
                             f"looks like '{col.header}'; head it '{col.header}' so its values are read", sheet,
                             header_row, (f"{letters[like]}{header_row}",))
        own = [j for j in unknown if j not in renamed.values()]
        if own:
            listed = ", ".join(f"'{head(j)}' ({letters[j]})" for j in own)
            self.problem(f"'{name}' has {'a column' if len(own) == 1 else 'columns'} of your own, not a census item: "
                         f"{listed}; left as {'it is' if len(own) == 1 else 'they are'} and not exported", sheet,
                         header_row, tuple(f"{letters[j]}{header_row}" for j in own), severity=Severity.QUERY)
        if other_names:
            listed = ", ".join(f"'{head(j)}' ({letters[j]}) as '{items[mapping[j]].header}'" for j in other_names)
            many = len(other_names) > 1
            self.problem(f"'{name}' has {'columns' if many else 'a column'} headed other than in the template, read "
                         f"as {'census items' if many else 'a census item'}: {listed}", sheet, header_row,
                         tuple(f"{letters[j]}{header_row}" for j in other_names), severity=Severity.QUERY)

    def missing_sheet(self, sheet: str, module: Module | None) -> None:
        """A census sheet the workbook lacks: an error, naming the sheet of the workbook that looks like it."""
        taken = {norm_header(s) for s in _WORKBOOK_SHEETS}
        found = closest(sheet, (orig for n, (orig, _) in self.grids.items()
                                if n not in taken and n not in self.renamed_sheets))
        self.unplaceable[sheet] = f"the workbook has no '{sheet}' sheet"
        if module is None:
            self.problem(f"The workbook has no '{sheet}' sheet", sheet, severity=Severity.QUERY)
        elif found is None:
            self.problem(f"The workbook has no '{sheet}' sheet, so none of its rows can be read: add it (a new "
                         "template has it)", sheet)
        else:
            self.renamed_sheets.add(norm_header(found[0]))
            self.problem(f"The workbook has no '{sheet}' sheet: the sheet '{short(found[0])}' looks like it; rename "
                         f"it '{sheet}' so its rows are read", sheet)

    def table(self, sheet: str, columns: tuple[Column, ...], year: CensusYear, module: Module | None,
              spread: list[tuple[str, str, int]]) -> tuple[SheetRead, list[tuple[int, dict[str, object],
                                                                                   dict[str, str]]]]:
        """(sheet info, [(sheet row, {column key: value}, {column key: cell})]) of a table sheet."""
        name, grid, r0, c0 = self.grid(sheet)
        info = SheetRead(sheet, name)
        self.sheets[sheet] = info
        if name is None:
            self.missing_sheet(sheet, module)
            return info, []
        other_year = self._other_year_headers(module, year)
        known = self._known_headers(columns, other_year)
        spread_patterns = {fld: (spread_header_pattern(stem, next(c.item for c in columns if c.field == fld)),
                                 next(c for c in columns if c.field == fld))
                           for fld, stem, _ in spread}
        # header row: the first of the first ten rows naming at least two columns (or the only one)
        need = min(2, len(columns))
        hrow = None
        for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            hits = sum(1 for v in row.values() if isinstance(v, str) and (norm_header(v) in known or any(
                p.match(norm_header(v)) for p, _ in spread_patterns.values())))
            if hits >= need:
                hrow = i
                break
        if hrow is None:
            if any(any(not is_blank(v) for v in row.values()) for row in grid):
                self.problem(f"No header row found on '{name}': the first row must name the columns "
                             f"({', '.join(c.header for c in columns[:3])}, ...); nothing on this sheet was read",
                             sheet, r0, (f"A{r0}",))
            return info, []
        info.header_row = r0 + hrow
        header = grid[hrow]
        letters = {j: column_letters(c0 + j) for j in header}
        mapping: dict[int, str] = {}  # grid column index -> column key
        items: dict[str, Column] = {c.key: c for c in columns}
        headed: set[int] = set()  # columns with a header: a value anywhere else is reported
        out_of_year: list[int] = []
        unknown: list[int] = []  # columns the sheet does not know (the user's own, or renamed ones)
        other_names: list[int] = []  # columns read by a header other than the template's
        for j in sorted(header):
            head = header[j]
            if isinstance(head, FormulaWithoutValue):
                self.problem(NO_SAVED_RESULT, sheet, info.header_row, (f"{letters[j]}{info.header_row}",))
                continue
            h = norm_header(head)
            if not h:
                continue
            headed.add(j)
            if h == norm_header(ISSUES_HEADER):
                info.issues_column = info.issues_column or letters[j]
                continue
            if h == norm_header(MARKS_HEADER):
                info.marks_column = info.marks_column or letters[j]
                continue
            col = known.get(h)
            key = col.key if col else None
            if col is None:
                for pattern, base in spread_patterns.values():
                    m = pattern.match(h)
                    if m and int(m.group(1)) > 0:
                        key = f"{base.path}#{int(m.group(1))}"
                        items.setdefault(key, Column(key, f"{base.header.rsplit(' ', 1)[0]} {m.group(1)}",
                                                     base.item, base.path, base.role, int(m.group(1))))
                        break
            if key is None:
                (out_of_year if h in other_year else unknown).append(j)
                info.ignored[letters[j]] = str(head)
                continue
            if key in info.columns:
                self.problem(f"Two columns are headed '{short(head)}' ({info.columns[key]} and {letters[j]}); only "
                             f"{info.columns[key]} was read", sheet, info.header_row,
                             (f"{letters[j]}{info.header_row}",), severity=Severity.QUERY)
                continue
            info.columns[key] = letters[j]
            mapping[j] = key
            if h != norm_header(items[key].header):
                other_names.append(j)
        missing = [col for col in columns if not (
            col.key in info.columns or (col.index and any(k.startswith(col.path + "#") for k in info.columns))
            or (col.index and col.index > 1))]
        if module is None:  # the Looked-after sheet: not exported, so a missing data column is only a query
            for col in missing:
                if col.role in (LINK, KEY):
                    self.problem(f"'{name}' has no column '{col.header}', needed to link its rows", sheet,
                                 info.header_row)
                else:
                    self.problem(f"'{name}' has no column '{col.header}'; its values are taken as blank", sheet,
                                 info.header_row, severity=Severity.QUERY)
        else:
            self.shape_problems(name, sheet, info.header_row, grid[hrow + 1:], header, letters, missing, unknown,
                                other_names, items, mapping)
        records = []
        reported_out_of_year = set()
        marks_at = next((j for j in headed if letters.get(j) == info.marks_column), None)
        mapped = [(j, key, letters[j]) for j, key in mapping.items()]
        # cells of every mapped column, filled or not, so findings can point at blanks
        letter_of_key = {key: letter for _, key, letter in mapped}
        for i, row in enumerate(grid[hrow + 1:], hrow + 1):
            if not row:
                continue
            sheet_row = r0 + i
            number = str(sheet_row)
            values: dict[str, object] = {}
            for j, raw in row.items():  # the row's filled cells only
                key = mapping.get(j)
                if key is None or raw is None:
                    continue
                if raw.__class__ is str:
                    if not raw or raw.isspace():  # blank (is_blank), without making a stripped copy
                        continue
                elif raw.__class__ is FormulaWithoutValue:
                    self.problem(NO_SAVED_RESULT, sheet, sheet_row, (letters[j] + number,))
                    continue
                values[key] = raw
            if not headed.issuperset(row):  # values in columns with no header, or right of the last one
                stray = sorted(j for j in row.keys() - headed if not is_blank(row[j]))
                if stray:
                    self.problem("A value in a column with no header was not read: give the column a header or "
                                 "move the value", sheet, sheet_row,
                                 tuple(f"{column_letters(c0 + j)}{sheet_row}" for j in stray), severity=Severity.QUERY)
            for j in out_of_year:
                if j not in reported_out_of_year and not is_blank(row.get(j)):
                    reported_out_of_year.add(j)
                    self.problem(f"Column '{short(header[j])}' is not part of the {year.label} census; its values "
                                 "were not read", sheet, info.header_row, (f"{letters[j]}{info.header_row}",),
                                 severity=Severity.QUERY)
            if not values:
                continue
            if marks_at is not None:
                mark = row.get(marks_at)
                if isinstance(mark, str) and CARRIED_MARK in mark.split():
                    info.carried.add(sheet_row)
            info.rows.append(sheet_row)
            records.append((sheet_row, values, RowCells(letter_of_key, number), items))
        return info, records  # type: ignore[return-value]

    # -- building records ------------------------------------------------------------------------

    def _columns(self, items: dict[str, Column], letters: Mapping[str, str]) -> _SheetPlan:
        """How the rows of one sheet become records, worked out once a sheet."""
        held = self._column_plans.get(id(items))
        if held is None or held[0] is not items or held[1] is not letters:
            held = (items, letters, _SheetPlan(items, letters))
            self._column_plans[id(items)] = held
        return held[2]

    def record(self, module: Module, year: CensusYear, sheet_row: int, raw: dict[str, object],
               cells: RowCells, items: dict[str, Column]) -> tuple[Node, tuple, dict[str, str]]:
        """(record, link values, link cells) from one row."""
        cls = module.record
        plan = self._columns(items, cells.letters)
        letters, number = plan.letters, cells.number
        # every part's list fields start as new empty lists; the row's filled cells (``raw``) fill the rest
        parts: dict[str | None, dict[str, object]] = {part: {name: [] for name in names}
                                                      for part, names in plan.list_fields.items()}
        extra: dict[str | None, dict[str, str]] = {}  # cells of list members ("factors[2]"), by part
        links = tuple([read(raw.get(key)) for key, read in plan.links])
        link_cells = {key: letters[key] + number for key, _ in plan.links if key in letters}
        spread: dict[str, list[tuple[int, object, str]]] | None = None
        by_key = plan.by_key
        for key, value in raw.items():
            entry = by_key.get(key)
            if entry is None:  # a link column, read above
                continue
            how, part, fname, index, item, read = entry
            if how is _SINGLE:
                parts[part][fname] = read(value)
            elif how is _MANY:
                codes = read_codes(item, value)
                parts[part][fname] = codes
                if codes:
                    cell = letters[key] + number
                    members = extra.setdefault(part, {})
                    for n in range(len(codes)):
                        members[f"{fname}[{n}]"] = cell
            else:  # one value of a spread item
                if spread is None:
                    spread = {}
                spread.setdefault(fname, []).append((index, read_value(item, value), letters[key] + number))
        if spread is not None:
            for fname, bucket in spread.items():
                bucket.sort(key=lambda t: t[0])
                parts.setdefault(None, {})[fname] = [v for _, v, _ in bucket]
                members = extra.setdefault(None, {})
                for n, (_, _, cell) in enumerate(bucket):
                    members[f"{fname}[{n}]"] = cell
        part_letters, all_letters = plan.part_letters, plan.all_letters
        # list fields of the record (sub-records) start empty, filled by the sheets below
        own = dict(parts.get(None, {}))
        record_plan = self._record_plans.get(cls)
        if record_plan is None:
            record_plan = self._record_plans[cls] = _plan(cast(type, cls), year)
        for name, what, sub_cls in record_plan:
            if what == "list":
                own.setdefault(name, [])
            else:
                own[name] = build(sub_cls, parts.get(name, {}),  # type: ignore[arg-type]
                                  Origin(sheet=module.sheet, row=sheet_row,  # RowCells: a mapping made on demand
                                         cells=RowCells(part_letters.get(name, {}), number,  # type: ignore[arg-type]
                                                        extra.get(name))))
        # the values are typed already (read_value, read_codes): no need for pydantic to check them again
        all_extra = ({k: v for members in extra.values() for k, v in members.items()} if len(extra) > 1
                     else next(iter(extra.values()), None))
        node = build(cls, own, Origin(sheet=module.sheet, row=sheet_row,  # RowCells: a mapping made on demand
                                      cells=RowCells(all_letters, number, all_extra)))  # type: ignore[arg-type]
        return node, tuple(links), link_cells

    def read(self) -> WorkbookRead:
        ret_name, values = self.return_values()
        if ret_name is None and self.grid(MODULES[0].sheet)[0] is None:
            raise UnusableInput("this is not a cin-xl census workbook: it has neither a 'Return' nor a "
                                "'Children' sheet")
        year = self.detect_year(values)
        if ret_name is None:
            self.problem("The workbook has no 'Return' sheet: the header of the return is blank", RETURN,
                         severity=Severity.QUERY)
        census = CensusReturn(header=self.header(year, values, RETURN), children=[])
        census.at(Origin(sheet=MODULES[0].sheet))
        # index of each module's records by key: (links..., own key values) -> [records]
        index: dict[str, dict[tuple, list[Node]]] = {}
        for module in modules_for(year):
            layout: SheetLayout = sheet_layout(module.sheet, year)
            info, rows = self.table(module.sheet, layout.columns, year, module, layout.spread())
            keyed: dict[tuple, list[Node]] = {}
            index[module.sheet] = keyed
            parent = MODULE_BY_SHEET[module.parent] if module.parent else None
            why = self.unlinked.get(module.sheet) or self.unplaceable.get(module.parent or "")
            if why is not None:  # no row of the sheet can be placed: said once, with the cause
                if rows:
                    self.problem(f"{plural(len(rows), 'row')} of '{info.found_as}' could not be placed, so "
                                 f"{'it was' if len(rows) == 1 else 'they were'} not read: {why}", module.sheet,
                                 info.header_row)
                self.unplaceable.setdefault(module.sheet, why)
                continue
            for sheet_row, raw, cells, items in rows:  # type: ignore[misc]
                node, links, link_cells = self.record(module, year, sheet_row, raw, cells, items)
                child_id = links[0] if links else getattr(getattr(node, "identifiers", None), "la_child_id", None)
                child_id = child_id if isinstance(child_id, str) else None
                if parent is None:
                    census.children.append(node)  # type: ignore[arg-type]
                elif not _placed(node, links, index[parent.sheet], module.field):
                    link_refs = tuple(link_cells.get(c.key) for c in layout.links)
                    where = tuple(c for c in link_refs if c) or ((f"A{sheet_row}",))
                    missing = [c.header for c, v in zip(layout.links, links) if v is None]
                    if missing:
                        blank = tuple(link_cells.get(c.key) or cells.get(c.key) for c, v in zip(layout.links, links)
                                      if v is None)
                        where = tuple(c for c in blank if c) or where
                        self.problem(f"This {module.sheet} row has no {' or '.join(missing)}, so it belongs to no "
                                     f"{'child' if parent.parent is None else 'episode'}; it was not read",
                                     module.sheet, sheet_row, where, child=child_id)
                        continue
                    found = index[parent.sheet].get(links, [])
                    if len(found) != 1 or not isinstance(getattr(found[0], module.field), (list, type(None))):
                        what = (f"child {_fmt(links[0])}" if parent.parent is None else
                                f"episode of child {_fmt(links[0])} with referral date {_fmt(links[1])}")
                    if not found:
                        if parent.parent is not None and not index[MODULES[0].sheet].get(links[:1]):
                            message = f"No child {_fmt(links[0])} on the Children sheet"
                            where = where[:1]
                        elif parent.parent is not None:
                            message = (f"Child {_fmt(links[0])} has no episode with referral date "
                                       f"{_fmt(links[1])} on the Referrals sheet")
                            where = where[1:] or where
                        else:
                            message = f"No child {_fmt(links[0])} on the Children sheet"
                        self.problem(f"{message}: this {module.sheet} row was not read", module.sheet, sheet_row,
                                     where, child=child_id)
                        continue
                    if len(found) > 1:
                        self.problem(f"There is more than one {what}, so this {module.sheet} row cannot be "
                                     "placed; it was not read", module.sheet, sheet_row, where, child=child_id)
                        continue
                    holder = found[0]
                    current = getattr(holder, module.field)
                    if isinstance(current, list):
                        current.append(node)
                    elif current is None:
                        setattr(holder, module.field, node)
                    else:
                        self.problem(f"The {what} already has a {module.sheet} row (row {current.origin.row}); "
                                     "only one is allowed, so this row was not read", module.sheet, sheet_row,
                                     where, child=child_id)
                        continue
                own_key = tuple(_get(node, p) for p in module.key)
                if module.key and all(v is not None for v in own_key):
                    keyed.setdefault(links + own_key, []).append(node)
                if sheet_row in info.carried:
                    self.carried.append(node)
        for module in MODULES:
            if not module_in_force(module, year):
                name, grid, _, _ = self.grid(module.sheet)
                if name is not None and any(any(not is_blank(v) for v in r.values()) for r in grid[1:]):
                    self.problem(f"The '{name}' sheet is not part of the {year.label} census; its rows were not "
                                 "read", module.sheet, severity=Severity.QUERY)
        known_sheets = {norm_header(s) for s in _WORKBOOK_SHEETS} | self.renamed_sheets
        for norm, (name, grid) in self.grids.items():  # a sheet like a census sheet, beside it (a copy?)
            if norm not in known_sheets and any(any(not is_blank(v) for v in r.values()) for r in grid):
                like = closest(name, (m.sheet for m in MODULES))
                self.problem(f"The sheet '{short(name)}' is not a census sheet; its rows were not read"
                             + (f" (it looks like '{like[0]}')" if like else ""), name, severity=Severity.QUERY)
        looked_after = self.looked_after(year)
        read = WorkbookRead(census, year, self.problems, looked_after, self.sheets, carried=self.carried)
        raw, cell = values.get(norm_header(PREVIOUS_RETURN_LABEL), (None, None))
        if not is_blank(raw):
            read.previous_return, read.previous_return_cell = as_text(raw).strip(), cell
        return read

    def looked_after(self, year: CensusYear) -> list[LookedAfterPeriod]:
        columns = looked_after_columns(year)
        name, _, _, _ = self.grid(LOOKED_AFTER)
        if name is None:
            self.sheets[LOOKED_AFTER] = SheetRead(LOOKED_AFTER)
            return []
        _info, rows = self.table(LOOKED_AFTER, columns, year, None, [])
        out = []
        for sheet_row, raw, cells, items in rows:  # type: ignore[misc]
            vals = {key: read_value(col.item, raw.get(key)) for key, col in items.items()}
            origin = Origin(sheet=LOOKED_AFTER, row=sheet_row, cells=dict(cells))
            out.append(LookedAfterPeriod(vals.get("child_id"), vals.get("start_date"),  # type: ignore[arg-type]
                                         vals.get("end_date"), vals.get("legal_status"), origin))  # type: ignore
        return out


@cache
def _plan(cls: type, year: CensusYear) -> tuple[tuple[str, str, type | None], ...]:
    """Fields of a record made by the reader itself: empty lists, and flattened sub-records."""
    out: list[tuple[str, str, type | None]] = []
    for f in fields_of(cls, year):
        if f.is_group and f.many:
            out.append((f.name, "list", None))
        elif f.is_group and f.node not in _MODULE_RECORDS:
            out.append((f.name, "sub", f.node))
        elif not f.is_group and f.spec.many:  # type: ignore[union-attr]
            out.append((f.name, "list", None))
    return tuple(out)


def _placed(node: Node, links: tuple, parents: dict[tuple, list[Node]], field_name: str) -> bool:
    """Adds ``node`` to the list ``field_name`` of the one parent record its links name, if there is one
    (the common case, in one step; anything else is worked out and reported by the caller)."""
    if None in links:
        return False
    found = parents.get(links)
    if found is None or len(found) != 1:
        return False
    members = getattr(found[0], field_name)
    if members.__class__ is not list:
        return False
    members.append(node)
    return True


def _get(node: object, path: str) -> object:
    for part in path.split("."):
        node = getattr(node, part, None) if node is not None else None
    return node


def read_grids(grids: Mapping[str, object], year: str | CensusYear | None = None, *,
               offsets: dict[str, tuple[int, int]] | None = None, source: str = "") -> WorkbookRead:
    """Read a census workbook given as grids of cell values, sheet name -> rows.

    Each grid starts at cell A1 unless ``offsets`` gives its first (row, column), both 1-based
    (for an xlwings ``used_range`` that does not start at A1). ``year`` overrides the census year
    the Return sheet gives; without either, :class:`UnusableInput` is raised.
    """
    given = supported(year, readable=True) if year is not None else None
    with no_gc():
        result = _Reader(grids, given, offsets).read()
    result.source = source
    return result


def is_needed_sheet(name: str) -> bool:
    """The sheets the reader needs, and sheets that look like a census sheet renamed (to name them when the
    census sheet is missing); the rest (Start, Lists, Issues, Summary, the user's own) are not loaded, nor a sheet
    cin-xl names beside a user's ("cin-xl Trends" looks like "Children")."""
    wanted = {norm_header(n) for n in (RETURN, LOOKED_AFTER, *(m.sheet for m in MODULES))}
    n = norm_header(name)
    return n in wanted or (n not in {norm_header(s) for s in (START, LISTS, ISSUES)} and not n.startswith("cin-xl ")
                           and looks_like_module_sheet(name))


def workbook_grids(path: str | os.PathLike) -> dict[str, SheetRows]:
    """The values of the sheets the reader needs, read from the workbook's package (see :mod:`.package.read`).

    Raises :class:`UnusableInput` with one line for a file that is not an .xlsx/.xlsm workbook (an
    .xls, .xlsb or .ods file is named as such, with what to do), a damaged one, or one that would
    inflate past the bounds of :mod:`.package.limits`.
    """
    from cin_xl.safety.file_kind import WORKBOOK, file_kind, refusal
    from cin_xl.workbook.package.read import sheet_values

    p = Path(path)
    if not p.is_file():
        raise UnusableInput(f"{p}: no such file")
    kind = file_kind(p)
    if kind != WORKBOOK:
        raise UnusableInput(refusal(p, kind) or f"{p.name}: not a readable .xlsx workbook (it is not a zip package: "
                                                "a damaged file, or another kind of file renamed); save it as .xlsx "
                                                "from Excel or LibreOffice")
    with no_gc():  # a sheet's rows are a tree of dicts: no cycles for the collector to find
        return sheet_values(p, is_needed_sheet)


def read_workbook(path: str | os.PathLike, year: str | CensusYear | None = None) -> WorkbookRead:
    """Read a census workbook (.xlsx) from ``path``."""
    with phase(f"Reading {Path(path).name}"):
        return read_grids(workbook_grids(path), year, source=str(path))


__all__ = ["READ_PROBLEM", "HEADER_SEARCH_ROWS", "SheetRead", "WorkbookRead", "read_grids", "read_workbook",
           "workbook_grids"]
