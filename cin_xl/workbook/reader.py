"""A filled census workbook back to the model, every value remembered with its sheet and cell.

The core is pure: :func:`read_grids` takes each sheet's values as a list of rows (row 1 first,
column A first), as openpyxl gives them (``iter_rows(values_only=True)``) or xlwings
(``sheet.range("A1", sheet.used_range.last_cell).value``): datetimes for dates, floats or ints for
numbers, bools, ``None`` for blanks. :func:`read_workbook` opens an .xlsx with openpyxl (read-only)
and calls it.

It accepts what people type (see :mod:`.cells` for the values) and how they arrange a table:
columns are found by header (the item's label, XML name or N-code; case and spacing ignored), so
columns may be moved and extra columns added; blank rows are skipped; a title row above the
headers is tolerated. Rows are linked to their child by LA child ID and to their episode by
(LA child ID, referral date).

Nothing is dropped silently. A value that cannot be read stays the text typed (validation flags
it). A row that cannot be placed (no such child or episode, or more than one), a value in a column
with no header, a column or sheet that is missing: each is a finding (code ``X-READ``) located to
its cells, in :attr:`WorkbookRead.problems`.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from openpyxl.utils import get_column_letter

from ..errors import UnusableInput
from ..findings import Finding, Severity
from ..model import CensusReturn, Header, Node, Origin
from ..spec import fields_of
from ..spec.la_codes import LA_CODES
from ..years import READABLE_YEARS, CensusYear, UnknownYear, supported
from .cells import as_text, is_blank, read_codes, read_value
from ..perf import no_gc
from ..progress import phase
from .layout import (CENSUS_YEAR_LABEL, HEADER_GROUPS, ISSUES_HEADER, KEY, LINK, LOOKED_AFTER, MARKS_HEADER,
                     MODULE_BY_SHEET, MODULES, RETURN, Column, Module, SheetLayout, header_names,
                     looked_after_columns, module_in_force, modules_for, norm_header, return_rows, sheet_layout,
                     spread_header_pattern)
from .writer import LookedAfterPeriod

READ_PROBLEM = "X-READ"
_MODULE_RECORDS = {m.record for m in MODULES}
Grid = list[list[object]]


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


@dataclass
class WorkbookRead:
    census: CensusReturn
    year: CensusYear
    problems: list[Finding] = field(default_factory=list)
    looked_after: list[LookedAfterPeriod] = field(default_factory=list)
    sheets: dict[str, SheetRead] = field(default_factory=dict)
    source: str = ""


def _fmt(value: object) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _shape(grid: object) -> Grid:
    """xlwings gives a scalar for one cell and a flat list for one row."""
    if grid is None:
        return []
    if not isinstance(grid, (list, tuple)):
        return [[grid]]
    if grid and not isinstance(grid[0], (list, tuple)):
        return [list(grid)]
    return [list(r) if r is not None else [] for r in grid]


class _Reader:
    def __init__(self, grids: dict[str, object], year: CensusYear | None,
                 offsets: dict[str, tuple[int, int]] | None):
        self.grids = {norm_header(k): (k, _shape(v)) for k, v in grids.items()}
        self.offsets = {norm_header(k): v for k, v in (offsets or {}).items()}
        self.year_given = year
        self.problems: list[Finding] = []
        self.sheets: dict[str, SheetRead] = {}

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
        """norm label -> (raw value, cell) from the Return sheet."""
        name, grid, r0, c0 = self.grid(RETURN)
        out: dict[str, tuple[object, str]] = {}
        for i, row in enumerate(grid):
            for j, cell in enumerate(row[:-1] if len(row) > 1 else []):
                if isinstance(cell, str) and cell.strip():
                    key = norm_header(cell)
                    if key not in out:
                        out[key] = (row[j + 1], f"{get_column_letter(c0 + j + 1)}{r0 + i}")
                    break
        return name, out

    def detect_year(self, values: dict[str, tuple[object, str]]) -> CensusYear:
        said: CensusYear | None = None
        raw, cell = values.get(norm_header(CENSUS_YEAR_LABEL), (None, ""))
        if not is_blank(raw):
            try:
                said = CensusYear.parse(as_text(raw))
            except UnknownYear:
                self.problem(f"Census year {as_text(raw)!r} is not a census year like 2026-27", RETURN,
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
            if not row.path:
                continue
            group, fname = row.path.split(".")
            item = row.item
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
            node = cls(**parts[group])
            node._origin = Origin(sheet=sheet, cells=dict(cells[group]))
            nodes[group] = node
        head = Header(**nodes)
        head._origin = Origin(sheet=sheet, cells={k: v for c in cells.values() for k, v in c.items()})
        return head

    # -- table sheets ----------------------------------------------------------------------------

    def _known_headers(self, layout_columns: tuple[Column, ...]) -> dict[str, Column]:
        names: dict[str, Column] = {}
        for col in layout_columns:
            for n in header_names(col):
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

    def table(self, sheet: str, columns: tuple[Column, ...], year: CensusYear, module: Module | None,
              spread: list[tuple[str, str, int]]) -> tuple[SheetRead, list[tuple[int, dict[str, object],
                                                                                   dict[str, str]]]]:
        """(sheet info, [(sheet row, {column key: value}, {column key: cell})]) of a table sheet."""
        name, grid, r0, c0 = self.grid(sheet)
        info = SheetRead(sheet, name)
        self.sheets[sheet] = info
        if name is None:
            self.problem(f"The workbook has no '{sheet}' sheet", sheet, severity=Severity.QUERY)
            return info, []
        known = self._known_headers(columns)
        spread_patterns = {fld: (spread_header_pattern(stem, next(c.item for c in columns if c.field == fld)),
                                 next(c for c in columns if c.field == fld))
                           for fld, stem, _ in spread}
        # header row: the first of the first ten rows naming at least two columns (or the only one)
        need = min(2, len(columns))
        hrow = None
        for i, row in enumerate(grid[:10]):
            hits = sum(1 for v in row if norm_header(v) in known or any(
                p.match(norm_header(v)) for p, _ in spread_patterns.values()))
            if hits >= need:
                hrow = i
                break
        if hrow is None:
            if any(any(not is_blank(v) for v in row) for row in grid):
                self.problem(f"No header row found on '{name}': the first row must name the columns "
                             f"({', '.join(c.header for c in columns[:3])}, ...); nothing on this sheet was read",
                             sheet, r0, (f"A{r0}",))
            return info, []
        info.header_row = r0 + hrow
        letters = {j: get_column_letter(c0 + j) for j in range(max((len(r) for r in grid), default=0))}
        mapping: dict[int, str] = {}  # grid column index -> column key
        items: dict[str, Column] = {c.key: c for c in columns}
        unheaded: list[int] = []
        other_year = self._other_year_headers(module, year)
        out_of_year: list[int] = []
        for j, head in enumerate(grid[hrow]):
            h = norm_header(head)
            if not h:
                unheaded.append(j)
                continue
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
                if h in other_year:
                    out_of_year.append(j)
                info.ignored[letters[j]] = str(head)
                continue
            if key in info.columns:
                self.problem(f"Two columns are headed '{head}' ({info.columns[key]} and {letters[j]}); only "
                             f"{info.columns[key]} was read", sheet, info.header_row,
                             (f"{letters[j]}{info.header_row}",), severity=Severity.QUERY)
                continue
            info.columns[key] = letters[j]
            mapping[j] = key
        for col in columns:
            if col.key in info.columns or (col.index and any(k.startswith(col.path + "#") for k in info.columns)):
                continue
            if col.index and col.index > 1:
                continue
            if col.role in (LINK, KEY):
                self.problem(f"'{name}' has no column '{col.header}', needed to link its rows", sheet,
                             info.header_row)
            else:
                self.problem(f"'{name}' has no column '{col.header}' ({col.item.xml}); its values are taken as "
                             "blank", sheet, info.header_row, severity=Severity.QUERY)
        records = []
        reported_out_of_year = set()
        for i in range(hrow + 1, len(grid)):
            row = grid[i]
            sheet_row = r0 + i
            values: dict[str, object] = {}
            cells: dict[str, str] = {}
            for j, key in mapping.items():
                raw = row[j] if j < len(row) else None
                if not is_blank(raw):
                    values[key] = raw
                    cells[key] = f"{letters[j]}{sheet_row}"
            stray = [j for j in unheaded if j < len(row) and not is_blank(row[j])]
            for j in out_of_year:
                if j < len(row) and not is_blank(row[j]) and j not in reported_out_of_year:
                    reported_out_of_year.add(j)
                    self.problem(f"Column '{grid[hrow][j]}' is not part of the {year.label} census; its values "
                                 "were not read", sheet, info.header_row, (f"{letters[j]}{info.header_row}",),
                                 severity=Severity.QUERY)
            if stray:
                self.problem("A value in a column with no header was not read: give the column a header or "
                             "move the value", sheet, sheet_row,
                             tuple(f"{letters[j]}{sheet_row}" for j in stray), severity=Severity.QUERY)
            if not values:
                continue
            info.rows.append(sheet_row)
            # cells of every mapped column, filled or not, so findings can point at blanks
            for j, key in mapping.items():
                cells.setdefault(key, f"{letters[j]}{sheet_row}")
            records.append((sheet_row, values, cells, items))
        return info, records  # type: ignore[return-value]

    # -- building records ------------------------------------------------------------------------

    def record(self, module: Module, year: CensusYear, sheet_row: int, raw: dict[str, object],
               cells: dict[str, str], items: dict[str, Column]) -> tuple[Node, tuple, dict[str, str]]:
        """(record, link values, link cells) from one row."""
        cls = module.record
        parts: dict[str | None, dict[str, object]] = {}
        part_cells: dict[str | None, dict[str, str]] = {}
        links: list[object] = []
        link_cells: dict[str, str] = {}
        spread: dict[str, list[tuple[int, object, str]]] = {}
        spread_first: dict[str, tuple[int, str]] = {}
        for key, col in items.items():
            if col.role == LINK:
                links.append(read_value(col.item, raw.get(key)))
                if key in cells:
                    link_cells[key] = cells[key]
                continue
            part, fname = col.part, col.field
            vals = parts.setdefault(part, {})
            pcells = part_cells.setdefault(part, {})
            if col.index:  # one value of a spread item
                if key in cells and (fname not in spread_first or col.index < spread_first[fname][0]):
                    spread_first[fname] = (col.index, cells[key])
                if key in raw:
                    spread.setdefault(fname, []).append((col.index, read_value(col.item, raw[key]), cells[key]))
                vals.setdefault(fname, [])
                continue
            if key in cells:
                pcells[fname] = cells[key]
            if key not in raw:
                if col.item.many:
                    vals[fname] = []
                continue
            if col.item.many:
                codes = read_codes(col.item, raw[key])
                vals[fname] = codes
                for n in range(len(codes)):
                    pcells[f"{fname}[{n}]"] = cells[key]
            else:
                vals[fname] = read_value(col.item, raw[key])
        for fname, (_, cell) in spread_first.items():
            part_cells.setdefault(None, {})[fname] = cell
        for fname, bucket in spread.items():
            bucket.sort(key=lambda t: t[0])
            parts.setdefault(None, {})[fname] = [v for _, v, _ in bucket]
            for n, (_, _, cell) in enumerate(bucket):
                part_cells.setdefault(None, {})[f"{fname}[{n}]"] = cell
        # list fields of the record (sub-records) start empty, filled by the sheets below
        own = dict(parts.get(None, {}))
        for name, what, sub_cls in _plan(cls, year):
            if what == "list":
                own.setdefault(name, [])
            else:
                sub = sub_cls(**parts.get(name, {}))  # type: ignore[misc]
                sub._origin = Origin(sheet=module.sheet, row=sheet_row, cells=dict(part_cells.get(name, {})))
                own[name] = sub
        node = cls(**own)
        all_cells = {k: v for c in part_cells.values() for k, v in c.items()}
        node._origin = Origin(sheet=module.sheet, row=sheet_row, cells=all_cells)
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
        census._origin = Origin(sheet=MODULES[0].sheet)
        # index of each module's records by key: (links..., own key values) -> [records]
        index: dict[str, dict[tuple, list[Node]]] = {}
        for module in modules_for(year):
            layout: SheetLayout = sheet_layout(module.sheet, year)
            info, rows = self.table(module.sheet, layout.columns, year, module, layout.spread())
            keyed: dict[tuple, list[Node]] = {}
            index[module.sheet] = keyed
            parent = MODULE_BY_SHEET[module.parent] if module.parent else None
            for sheet_row, raw, cells, items in rows:  # type: ignore[misc]
                node, links, link_cells = self.record(module, year, sheet_row, raw, cells, items)
                child_id = links[0] if links else getattr(getattr(node, "identifiers", None), "la_child_id", None)
                child_id = child_id if isinstance(child_id, str) else None
                if parent is None:
                    census.children.append(node)  # type: ignore[arg-type]
                else:
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
        for module in MODULES:
            if not module_in_force(module, year):
                name, grid, _, _ = self.grid(module.sheet)
                if name is not None and sum(1 for r in grid[1:] if any(not is_blank(v) for v in r)):
                    self.problem(f"The '{name}' sheet is not part of the {year.label} census; its rows were not "
                                 "read", module.sheet, severity=Severity.QUERY)
        looked_after = self.looked_after(year)
        return WorkbookRead(census, year, self.problems, looked_after, self.sheets)

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


def _get(node: object, path: str) -> object:
    for part in path.split("."):
        node = getattr(node, part, None) if node is not None else None
    return node


def read_grids(grids: dict[str, object], year: str | CensusYear | None = None, *,
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
    """The sheets the reader needs; the rest (Start, Lists, Issues, Summary) are not loaded."""
    wanted = {norm_header(n) for n in (RETURN, LOOKED_AFTER, *(m.sheet for m in MODULES))}
    return norm_header(name) in wanted


def workbook_grids(path: str | os.PathLike) -> dict[str, Grid]:
    """The values of the sheets the reader needs, with openpyxl (read-only, cached values)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    p = Path(path)
    if not p.exists():
        raise UnusableInput(f"{p}: no such file")
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise UnusableInput(f"{p}: not an Excel workbook openpyxl can read ({exc}); save it as .xlsx") from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnusableInput(f"{p}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc}); if it is "
                            "password-protected or an old .xls file, save it as an unprotected .xlsx") from None
    grids: dict[str, Grid] = {}
    try:
        for ws in wb.worksheets:
            if not is_needed_sheet(ws.title):
                continue
            ws.reset_dimensions()
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            grids[ws.title] = rows
    finally:
        wb.close()
    return grids


def read_workbook(path: str | os.PathLike, year: str | CensusYear | None = None) -> WorkbookRead:
    """Read a census workbook (.xlsx) from ``path``."""
    with phase(f"Reading {Path(path).name}"):
        return read_grids(workbook_grids(path), year, source=str(path))


__all__ = ["READ_PROBLEM", "SheetRead", "WorkbookRead", "read_grids", "read_workbook", "workbook_grids"]
