"""A census return as workbook rows, and the filled workbook written to a file.

:func:`census_rows` turns a :class:`CensusReturn` into the rows of each sheet (pure: no openpyxl),
in the order of the return, so that reading the workbook gives the same return back.
:func:`write_workbook` builds the year's template around those rows (:mod:`.template`) and
writes it atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from operator import attrgetter
from pathlib import Path

from cin_xl.census.model import CensusReturn, Node
from cin_xl.census.years import CensusYear
from cin_xl.progress import phase
from cin_xl.safety.atomic import write_atomic
from cin_xl.validation.codes import X_TOO_LONG
from cin_xl.validation.findings import Finding
from cin_xl.workbook.cells import cell_value
from cin_xl.workbook.layout import MODULE_BY_SHEET, Module, ReturnRow, modules_for, sheet_layout
from cin_xl.workbook.rows import LookedAfterPeriod, WorkbookRows, header_values
from cin_xl.workbook.rows import path_value as _get


def records(census: CensusReturn, module: Module, year: CensusYear) -> Iterator[tuple[tuple, Node]]:
    """(link values, record) for every record of ``module`` in the return, in return order."""
    if module.parent is None:
        for rec in getattr(census, module.field):
            yield (), rec
        return
    parent = MODULE_BY_SHEET[module.parent]
    for links, prec in records(census, parent, year):
        keys = links + tuple(_get(prec, p) for p in parent.key)
        value = getattr(prec, module.field)
        for rec in (value if isinstance(value, list) else [] if value is None else [value]):
            yield keys, rec


def _getter(path: str):
    """A function reading the dotted ``path`` from a record (None where a group on the way is absent)."""
    get = attrgetter(path)
    if "." not in path:
        return get

    def safe(node: object) -> object:
        try:
            return get(node)
        except AttributeError:  # a group on the way is None
            return _get(node, path)

    return safe


def census_rows(census: CensusReturn, year: CensusYear,
                looked_after: Iterable[LookedAfterPeriod] = ()) -> WorkbookRows:
    """The rows of every sheet for ``census`` (cell values, not yet styled)."""
    out = WorkbookRows(header=header_values(census, year))
    modules = modules_for(year)
    parents = {m.parent for m in modules}
    #: (link values, record) of the sheets other sheets hang from, so the return is walked once
    walked: dict[str, list[tuple[tuple, Node]]] = {}
    for module in modules:
        if module.parent is None:
            recs = [((), rec) for rec in getattr(census, module.field)]
        else:
            parent = MODULE_BY_SHEET[module.parent]
            keys_of = [_getter(p) for p in parent.key]
            recs = []
            for links, prec in walked[module.parent]:
                keys = links + tuple(get(prec) for get in keys_of)
                value = getattr(prec, module.field)
                for rec in (value if isinstance(value, list) else [] if value is None else [value]):
                    recs.append((keys, rec))
        if module.sheet in parents:
            walked[module.sheet] = recs
        base = sheet_layout(module.sheet, year)
        spread = {}
        for fld, _stem, n in base.spread():
            most = max((len(getattr(r, fld)) for _, r in recs), default=0)
            if most > n:
                spread[fld] = most
        layout = sheet_layout(module.sheet, year, spread) if spread else base
        out.spread[module.sheet] = spread
        nlinks = len(layout.links)
        columns = [(_getter(col.path), col.index, col.item) for col in layout.columns[nlinks:]]
        rows: list[list[object]] = []
        for links, rec in recs:
            row: list[object] = list(links)
            for get, index, item in columns:
                value = get(rec)
                if index:
                    value = value[index - 1] if index <= len(value) else None
                # cell_value keeps None and text as they are: only call it for the rest
                row.append(value if value is None or type(value) is str else cell_value(item, value))
            rows.append(row)
        out.sheets[module.sheet] = rows
    for p in looked_after:
        out.looked_after.append([p.child_id, p.start_date, p.end_date, p.legal_status])
    return out


#: the most characters an Excel cell holds; openpyxl silently cuts anything longer
EXCEL_CELL_LIMIT = 32_767
TOO_LONG = X_TOO_LONG


def cell_limit_problems(census: CensusReturn, year: CensusYear) -> list[Finding]:
    """A finding on every value that would not fit in its workbook cell, located where it was read."""
    from cin_xl.census.model import Child
    from cin_xl.census.spec import fields_of
    from cin_xl.validation.findings import Severity, locate

    out: list[Finding] = []
    plans: dict[type, list] = {}

    def walk(node: Node, child: str | None) -> None:
        if isinstance(node, Child) and node.identifiers is not None:
            child = node.identifiers.la_child_id
        plan = plans.get(type(node))
        if plan is None:
            plan = plans[type(node)] = [(f, f.name, f.is_group, f.many) for f in fields_of(type(node), year)]
        for f, name, is_group, many in plan:
            value = getattr(node, name)
            if is_group:
                for member in (value if many else [] if value is None else [value]):
                    walk(member, child)
                continue
            # only text, or a list joined into text, can be long (cell_value keeps other values short)
            if not (isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT or isinstance(value, list)):
                continue
            text = cell_value(f.spec, value)
            if isinstance(text, str) and len(text) > EXCEL_CELL_LIMIT:
                message = (f"{f.spec.label} ({f.spec.xml}) holds {len(text):,} characters, more than an Excel cell "
                           f"holds ({EXCEL_CELL_LIMIT:,}); it would be cut, so it cannot go into a workbook")
                out.append(locate(Finding(TOO_LONG, Severity.ERROR, message, child=child), node, [f.name]))

    walk(census, None)
    return out


def _refuse_too_long(rows: WorkbookRows) -> None:
    """Never let a cell be cut silently, whatever called: the located check is :func:`cell_limit_problems`."""
    from cin_xl.errors import UnusableInput

    for sheet, table in rows.sheets.items():
        for r, row in enumerate(table, start=2):
            for value in row:
                if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                    raise UnusableInput(f"{sheet}, row {r}: a value of {len(value):,} characters is longer than an "
                                        f"Excel cell holds ({EXCEL_CELL_LIMIT:,}); nothing was written")
    for path, value in rows.header.items():
        if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
            raise UnusableInput(f"Return sheet, {path}: a value of {len(value):,} characters is longer than an "
                                f"Excel cell holds ({EXCEL_CELL_LIMIT:,}); nothing was written")


def workbook_bytes(census: CensusReturn | None, year: CensusYear, *, issues: Iterable[Finding] = (),
                   looked_after: Iterable[LookedAfterPeriod] = (),
                   xlwings_conf: list[tuple[str, str]] | None = None) -> bytes:
    """The filled workbook (or the empty template when ``census`` is None) as .xlsx bytes; with
    ``xlwings_conf``, an ``xlwings.conf`` sheet of those settings (for the macro-enabled workbook)."""
    from cin_xl.perf import no_gc
    from cin_xl.workbook.template import build_workbook

    with no_gc():  # the rows and the return are trees: no cyclic collections over them (cin_xl.perf)
        rows = census_rows(census, year, looked_after) if census is not None else None
        if rows is not None:
            _refuse_too_long(rows)
        return build_workbook(year, rows, issues=list(issues), xlwings_conf=xlwings_conf)


def census_to_workbook(census: CensusReturn, year: CensusYear, path: str | os.PathLike, *,
                       overwrite: bool = False, issues: Iterable[Finding] = ()) -> None:
    """The return as a filled workbook at ``path`` (the form ``cin-xl demo`` uses)."""
    write_workbook(path, census, year, issues=issues, force=overwrite)


def write_workbook(path: str | os.PathLike, census: CensusReturn | None, year: CensusYear, *,
                   issues: Iterable[Finding] = (), looked_after: Iterable[LookedAfterPeriod] = (),
                   force: bool = False) -> None:
    """Write the workbook to ``path`` whole or not at all; refuses to replace a file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; use --force to replace it")
    with phase(f"Writing {path.name}"):
        data = workbook_bytes(census, year, issues=issues, looked_after=looked_after)
    write_atomic(path, data)


__all__ = ["EXCEL_CELL_LIMIT", "TOO_LONG", "cell_limit_problems", "census_to_workbook", "LookedAfterPeriod",
           "WorkbookRows", "census_rows", "records", "workbook_bytes", "write_workbook", "ReturnRow"]
