"""The child-level lists (:mod:`cin_xl.reports.figures.lists`) as sheets of a marked workbook: what each sheet
holds, for annotate and the Validate button to write (:mod:`cin_xl.workbook.list_sheets` lays it out).

Each list keeps its rows as the figures drew them, so the sheet agrees with the rates as the CSV does (the rows
marked "Yes" in "Within 45 working days" are the numerator of "Assessments completed within 45 working days").
The first columns name the child (LA child ID), the census sheet as named in the workbook and the row; the XML
line, always blank for a workbook, is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cin_xl.reports.figures import Figures
from cin_xl.reports.figures.lists import WHO, ChildList
from cin_xl.validation.findings import plural
from cin_xl.workbook.list_sheets import ListSheet

#: each list's sheet name: short (Excel's tab), the list's full name is the sheet's title
SHEET_NAMES = {
    "assessments_working_days": "Days to assess",
    "icpc_working_days": "Days to ICPC",
    "more_than_one_cpp": "More than one CPP",
    "cp_two_years": "CPP 2 years or more",
    "cp_reviews_out_of_timescale": "Late CPP reviews",
}
#: a list row's LA child ID when the record has none (the cell still links to its row)
NO_ID = "(no LA child ID)"


def _summary(child_list: ChildList, header: tuple[str, ...]) -> str:
    n = len(child_list.rows)
    text = f"{plural(n, 'row')}, one a record."
    within = [i for i, column in enumerate(header) if column.startswith("Within ")]
    if n and within:
        i = within[0]
        yes = sum(1 for row in child_list.rows if row[i + 1] == "Yes")  # the list's row has the XML line too
        text += f' {plural(yes, "row")} marked "Yes" in "{header[i]}".'
    if n:
        text += " Click an LA child ID to go to the record's row on its sheet."
    return text


_ISO_DATES = re.compile(r"\d{4}-\d{2}-\d{2}( \d{4}-\d{2}-\d{2})*")


def _shown(value: object) -> object:
    """A value as the sheet shows it: a text of ISO dates (the reviews of a plan) as dd/mm/yyyy, like the
    sheet's dates."""
    if isinstance(value, str) and _ISO_DATES.fullmatch(value):
        return ", ".join(f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in value.split())
    return value


def list_sheet(child_list: ChildList, year: str, sheet_names: Mapping[str, str] | None = None) -> ListSheet:
    """One list as a sheet; ``sheet_names`` maps a census sheet's name to the name it has in the workbook."""
    sheet_names = sheet_names or {}
    header = ("LA child ID", "Sheet", "Row", *child_list.columns[len(WHO):])
    rows = []
    links: list[tuple[str, int] | None] = []
    for row in child_list.rows:
        child, sheet, number = row[0], row[1], row[2]
        shown = sheet_names.get(sheet, sheet) if sheet else None
        rows.append((NO_ID if child in (None, "") else child, shown, number, *map(_shown, row[len(WHO):])))
        links.append((shown, number) if shown and isinstance(number, int) else None)
    return ListSheet(child_list.key, SHEET_NAMES.get(child_list.key, child_list.name), child_list.name, year,
                     child_list.definition, _summary(child_list, header), header, tuple(rows), tuple(links))


def list_sheets(figures: Figures, sheet_names: Mapping[str, str] | None = None) -> list[ListSheet]:
    """Every list the figures hold (worked out with ``lists=True``), in report order."""
    return [list_sheet(child_list, figures.year.label, sheet_names) for child_list in figures.lists.values()]


__all__ = ["SHEET_NAMES", "NO_ID", "list_sheet", "list_sheets"]
