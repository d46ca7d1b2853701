"""cin-xl rollover LAST.xml -o NEW.xlsx: next year's workbook, holding the cases open at last year's end."""

from __future__ import annotations

import argparse
from pathlib import Path

from cin_xl.cli.commands import add_output, input_file, output_arg

NAME = "rollover"
HELP = "start next year's workbook from last year's census XML: the children whose cases are still open"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("last", type=Path, metavar="LAST.xml", help="last year's census return (XML)")
    add_output(p, "workbook", metavar="NEW.xlsx", help="the new year's workbook")
    p.add_argument("--year", metavar="YYYY-YY", default=None,
                   help="the new census year (default: the year after LAST's)")
    input_file(p, "last")


def _grids(rows, year) -> dict[str, list[list[object]]]:
    """The sheets of the workbook written from ``rows``, as the reader sees them (header row, then data),
    so that the records can be placed on their cells without reading the file back."""
    from cin_xl.workbook.layout import (
        ISSUES_HEADER,
        MARKS_HEADER,
        RETURN,
        RETURN_HEADERS,
        modules_for,
        return_rows,
        sheet_layout,
    )

    grids: dict[str, list[list[object]]] = {
        RETURN: [list(RETURN_HEADERS)] + [[r.label, rows.header.get(r.path)] for r in return_rows(year)]}
    for module in modules_for(year):
        layout = sheet_layout(module.sheet, year, rows.spread.get(module.sheet) or None)
        header = [c.header for c in layout.columns] + [ISSUES_HEADER, MARKS_HEADER]
        grids[module.sheet] = [header] + rows.sheets.get(module.sheet, [])
    return grids


def _walk(node, out: list) -> None:
    """Every record of a return, in order (to pair the carried records with those read back)."""
    from cin_xl.census.model import Node, record_fields

    out.append(node)
    for name in record_fields(type(node)):
        value = getattr(node, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Node):
                _walk(item, out)


def write_rollover(last: Path, output: Path, year_label: str | None = None):
    """Read ``last``, carry its open cases into ``year`` and write the marked workbook (whole or not at all).

    The cells to fill in are marked as validation marks them (Issues and Marks columns, Issues sheet),
    placed by reading the rows the workbook is built from, not the file. Returns the
    :class:`~cin_xl.jobs.rollover.Carried` summary."""
    from cin_xl.census.years import CensusYear, UnknownYear, supported
    from cin_xl.errors import UnusableInput
    from cin_xl.jobs.rollover import carry_forward, fill_in_findings
    from cin_xl.jobs.validate import load
    from cin_xl.progress import phase
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.workbook.marks import plan_marks
    from cin_xl.workbook.reader import read_grids
    from cin_xl.workbook.template import build_workbook
    from cin_xl.workbook.writer import census_rows

    if last.suffix.lower() != ".xml":
        raise UnusableInput(f"{last}: rollover reads last year's census XML (export the workbook first)")
    if output.suffix.lower() != ".xlsx":
        raise UnusableInput(f"{output}: rollover writes an .xlsx workbook")
    loaded = load(last)  # shows its own progress (cin_xl.progress)
    try:
        year = supported(year_label or CensusYear(loaded.year.first + 1))
    except UnknownYear as exc:
        raise UnusableInput(f"{last} is the census {loaded.year.label}: {exc}") from None
    before = CensusYear(year.first - 1)
    if loaded.year != before:
        raise UnusableInput(f"{last} is the census {loaded.year.label}, not {before.label}: rollover to "
                            f"{year.label} needs the return of the year before")
    with phase("Carrying the open cases"):
        carried = carry_forward(loaded.census, loaded.year, year)
    rows = census_rows(carried.census, year)
    grids = _grids(rows, year)
    read = read_grids(grids, year)
    written, back = [], []
    _walk(carried.census, written)
    _walk(read.census, back)
    located = {id(a): b for a, b in zip(written, back)} if len(written) == len(back) else {}
    marks = fill_in_findings(carried, located)
    plan = plan_marks(read, marks, {name: len(grid) for name, grid in grids.items()})
    for name, sheet in plan.sheets.items():
        table = rows.sheets.get(name)
        if table is None:
            continue
        for offset, (issue, mark) in enumerate(zip(sheet.issues, sheet.marks)):
            index = sheet.first_row + offset - 2  # data rows start on sheet row 2
            if 0 <= index < len(table) and (issue or mark):
                table[index] = table[index] + [issue or None, mark or None]  # the Issues and Marks columns
    with phase(f"Writing {output.name}"):
        data = build_workbook(year, rows, issues=marks)
    write_atomic(output, data)
    return carried


def run(args) -> int:
    args.output = output_arg(args, "workbook", args.last)
    carried = write_rollover(args.last, args.output, args.year)
    print(f"Wrote {args.output}: census {carried.year.label}, from {args.last} (census {carried.last_year.label}).")
    print("Carried: " + (", ".join(f"{n:,} {what}" for what, n in carried.carried.items()) or "nothing"))
    print("Left out: " + (", ".join(f"{n:,} {what}" for what, n in carried.left_out.items() if n) or "nothing"))
    if carried.new_items:
        print(f"New in {carried.year.label}, to fill in: " + ", ".join(label for _, label in carried.new_items))
    if carried.retired_items:
        print(f"Retired in {carried.year.label}, dropped: " + ", ".join(label for _, label in carried.retired_items))
    if carried.to_fill:
        print(f"{len(carried.to_fill):,} cells to fill in are marked {_fill_in()} in the workbook and listed on its "
              "Issues sheet.")
    return 0


def _fill_in() -> str:
    from cin_xl.jobs.rollover import FILL_IN

    return FILL_IN
