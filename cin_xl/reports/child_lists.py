"""The child-level lists (:mod:`cin_xl.reports.figures.lists`) as CSV: all in one file (``cin-xl report FILE -o
lists.csv``, a "List" column first), or one file per list in a folder (``--lists DIR``).

Every field goes through :func:`~cin_xl.safety.text_guard.csv_field` and every field is quoted, so nothing a
spreadsheet would evaluate is written (an LA child ID typed as ``=HYPERLINK(...)`` stays text). Dates are
written as ``YYYY-MM-DD``; files start with a byte-order mark so that Excel reads them as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from cin_xl.reports.figures import Figures
from cin_xl.reports.figures.lists import ChildList
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.text_guard import csv_field

__all__ = ["list_csv", "lists_csv", "list_file_name", "write_lists"]


def _field(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return csv_field(value)


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # with csv_field: nothing a spreadsheet evaluates
    writer.writerow([_field(c) for c in header])
    for row in rows:
        writer.writerow([_field(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def list_csv(child_list: ChildList) -> bytes:
    """One list as CSV: its own columns."""
    return _csv(child_list.columns, child_list.rows)


def lists_csv(figures: Figures) -> bytes:
    """Every list in one CSV: "List" (the list's name), then every column any list has, in order of first use;
    a row leaves blank the columns its list does not have."""
    columns = list(dict.fromkeys(c for child_list in figures.lists.values() for c in child_list.columns))
    rows = []
    for child_list in figures.lists.values():
        index = [columns.index(c) for c in child_list.columns]
        for row in child_list.rows:
            cells: list[object] = [None] * len(columns)
            for i, value in zip(index, row):
                cells[i] = value
            rows.append([child_list.name, *cells])
    return _csv(["List", *columns], rows)


def list_file_name(key: str) -> str:
    return f"{key.replace('_', '-')}.csv"


def write_lists(figures: Figures, folder: str | Path) -> dict[str, Path]:
    """Each list as ``folder/<list>.csv`` (the folder is made when missing), each file whole or not at all;
    returns list key -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for key, child_list in figures.lists.items():
        path = folder / list_file_name(key)
        write_atomic(path, list_csv(child_list))
        written[key] = path
    return written
