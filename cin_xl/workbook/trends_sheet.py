"""The Trends sheet in the user's own workbook (``cin-xl validate X.xlsx --annotate --trends PAST.xml ...``).

The sheet is the one ``cin-xl report A.xml B.xml ... -o trends.xlsx`` writes (drawn by
:func:`cin_xl.reports.trends_sheet.write_trends_sheet`, handed over by the job as ``draw``): the key figures
year by year and native line charts of the headline figures. It is drawn by openpyxl in a scratch workbook
and copied into the package (sheet, drawing, charts, cell formats), as the Summary sheet is
(:func:`cin_xl.workbook.annotate.write_summary`); the user's workbook is never loaded by openpyxl.

Which sheet is cin-xl's, as for the Summary and the list sheets
(:func:`cin_xl.workbook.annotate.choose_summary_sheet`): the sheet recorded by the hidden defined name
``_cinxl_Trends`` (it follows a rename) or named "Trends", "cin-xl Trends"..., when its cell A1 still holds
cin-xl's title ("Children in need census 2022-23 to 2026-27: trends"). A sheet of the user's called "Trends"
is kept and cin-xl's goes beside it as "cin-xl Trends". cin-xl's sheet is replaced whole, in its place, on the
next run; a new one goes after cin-xl's other sheets (the Summary and the list sheets). A value a person typed
on cin-xl's sheet outside the table (right of the definitions, or among the charts), or a picture, shape or
note put there, stops the run with nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cin_xl.errors import UnusableInput
from cin_xl.workbook.annotate import (
    _only_our_summary_parts,
    _rename_chart_references,
    _scratch_sheet,
    choose_summary_sheet,
)
from cin_xl.workbook.package.columns import ref_of
from cin_xl.workbook.package.limits import short
from cin_xl.workbook.package.ooxml import MAIN, quote_sheet_name
from cin_xl.workbook.package.write import Package

#: the name the scratch sheet is drawn under (:data:`cin_xl.reports.trends_sheet.TRENDS_SHEET`)
TRENDS_SHEET = "Trends"
#: a hidden defined name recording which sheet is cin-xl's Trends sheet (it follows a rename in Excel)
TRENDS_NAME = "_cinxl_Trends"
#: the first cell of the Trends sheet (:func:`cin_xl.reports.trends_sheet.trends_layout`)
TRENDS_TITLE = re.compile(r"^Children in need census \d{4}-\d{2} to \d{4}-\d{2}: trends$")
TRENDS_NAMES = (TRENDS_SHEET, "cin-xl Trends", *(f"cin-xl Trends {n}" for n in range(2, 100)))
#: the table's header rows start with this, and end with :data:`_DEFINITION`; the charts follow :data:`_CHARTS`
_FIGURE, _DEFINITION, _CHARTS = "Figure", "Definition", "Charts of the headline figures"
#: draws the Trends sheet, named :data:`TRENDS_SHEET`, into a (scratch) openpyxl workbook
DrawTrends = Callable[[Any], None]


def trends_sheet_name(pkg: Package) -> tuple[str, bool]:
    """The sheet cin-xl's Trends goes in, and whether it is there already (then it is replaced whole)."""
    names = pkg.sheet_names()
    recorded = tuple(sheet for sheet, _ in pkg.defined_cells(TRENDS_NAME) if sheet in names)

    def title_of(name: str) -> object:
        try:
            return pkg.sheet(name).value("A1")
        except KeyError:
            return None

    return choose_summary_sheet(names, title_of, recorded, candidates=TRENDS_NAMES, title=TRENDS_TITLE)


def _refuse_notes(pkg: Package, name: str) -> None:
    """cin-xl's Trends sheet is replaced whole: a value a person typed right of its table or among its charts
    stops the run rather than being lost."""
    part = pkg.sheet(name)
    width, charts = 0, None
    for row in part.rows():
        first = part.value_at(row, 1)
        if first == _FIGURE:
            width = max([width, *(c for c in part.cell_columns(row) if part.value_at(row, c) == _DEFINITION)])
        elif first == _CHARTS:
            charts = row
    for row in part.rows():
        for col in part.cell_columns(row):
            if (width and col > width) or (charts is not None and row > charts):
                value = part.value_at(row, col)
                if value not in (None, ""):
                    raise UnusableInput(f"The '{name}' sheet holds {short(value)!r} in {ref_of(row, col)}, beside "
                                        "the trends cin-xl writes there, and validation replaces that sheet; copy "
                                        "what you wrote to a sheet of your own and run again. Nothing was changed.")


def _after_our_sheets(pkg: Package) -> int | None:
    """Where a new Trends sheet goes: after the last of cin-xl's other sheets (Summary, lists), else last."""
    names = pkg.sheet_names()
    defined = pkg.workbook.find(f"{{{MAIN}}}definedNames")
    ours = [d.get("name") for d in defined if (d.get("name") or "").startswith("_cinxl_")
            and d.get("name") != TRENDS_NAME] if defined is not None else []
    at = [names.index(sheet) for n in ours for sheet, _ in pkg.defined_cells(n) if sheet in names]
    return max(at) + 1 if at else None


def write_trends(pkg: Package, draw: DrawTrends) -> str:
    """The Trends sheet drawn by ``draw``, with its charts, into the package (see the module doc); returns the
    sheet's name."""
    name, ours = trends_sheet_name(pkg)
    scratch = _scratch_sheet(draw)
    if name != TRENDS_SHEET:
        _rename_chart_references(scratch, TRENDS_SHEET, name)
    data, rels = pkg.import_sheet(scratch, TRENDS_SHEET)
    if ours:
        _refuse_notes(pkg, name)
        pkg.replace_sheet(name, data, rels=rels, drop=_only_our_summary_parts(pkg, name))
    else:
        pkg.add_sheet(name, data, rels=rels, index=_after_our_sheets(pkg))
    pkg.set_defined_name(TRENDS_NAME, f"{quote_sheet_name(name)}!$A$1", hidden=True)
    return name


__all__ = ["TRENDS_SHEET", "TRENDS_NAME", "TRENDS_TITLE", "TRENDS_NAMES", "DrawTrends", "trends_sheet_name",
           "write_trends"]
