"""A filled workbook's content as plain values, before any cell is styled: what the writer (:mod:`.writer`)
makes of a census return and the template builder (:mod:`.template`) lays out, and the periods of care the
reader gives back. Here, below both, so that neither imports the other for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear
from cin_xl.workbook.layout import return_rows


@dataclass
class LookedAfterPeriod:
    """A period of care from the Looked-after sheet (not part of the census XML)."""

    child_id: str | None
    #: a date, or the text typed when it could not be read
    start_date: object = None
    end_date: object = None
    legal_status: str | None = None
    #: where it was read from: an :class:`~cin_xl.census.model.Origin` (cells by "child_id", "start_date", "end_date",
    #: "legal_status"), so validation findings about a period land on its cells
    origin: object = None


@dataclass
class WorkbookRows:
    """The content of a filled workbook, sheet by sheet, ready for :func:`template.build_workbook`."""

    #: Return sheet values by Return row path ("" = census year, "source.lea", ...)
    header: dict[str, object] = field(default_factory=dict)
    #: module sheet -> rows of cell values, in the sheet layout's column order
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)
    #: module sheet -> {field: number of value columns} for spread items
    spread: dict[str, dict[str, int]] = field(default_factory=dict)
    looked_after: list[list[object]] = field(default_factory=list)
    #: module sheet -> {sheet row: height in points} for rows whose Issues text needs more than one line
    heights: dict[str, dict[int, float]] = field(default_factory=dict)


def path_value(node: object, path: str) -> object:
    """The value at the dotted ``path`` of a record (None where a group on the way is absent)."""
    for part in path.split("."):
        node = getattr(node, part) if node is not None else None
    return node


def header_values(census: CensusReturn | None, year: CensusYear) -> dict[str, object]:
    """The Return sheet's values by row path: the census year, and the return's header items."""
    out: dict[str, object] = {}
    for row in return_rows(year):
        if not row.path:
            out[""] = year.label
        elif census is not None and row.in_header:
            out[row.path] = path_value(census.header, row.path)
    return out


__all__ = ["LookedAfterPeriod", "WorkbookRows", "header_values", "path_value"]
