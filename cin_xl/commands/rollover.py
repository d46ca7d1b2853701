"""cin-xl rollover LAST.xml -o NEW.xlsx: next year's workbook, holding the cases open at last year's end."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

NAME = "rollover"
HELP = "start next year's workbook from last year's census XML: the children whose cases are still open"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("last", type=Path, metavar="LAST.xml", help="last year's census return (XML)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="NEW.xlsx", help="the new year's workbook")
    p.add_argument("--year", metavar="YYYY-YY", default=None,
                   help="the new census year (default: the year after LAST's)")
    p.add_argument("--force", action="store_true", help="replace NEW.xlsx if it exists")


def _walk(node, out: list) -> None:
    """Every record of a return, in order (to pair the carried records with those read back)."""
    from ..model import Node

    out.append(node)
    for name in type(node).model_fields:
        value = getattr(node, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Node):
                _walk(item, out)


def write_rollover(last: Path, output: Path, year_label: str | None = None):
    """Read ``last``, carry its open cases into ``year`` and write the marked workbook (whole or not at all).

    Returns the :class:`~cin_xl.rollover.Carried` summary."""
    from ..errors import UnusableInput
    from ..jobs import load
    from ..rollover import carry_forward, fill_in_findings
    from ..workbook.annotate import annotate_file
    from ..workbook.reader import read_workbook
    from ..workbook.writer import workbook_bytes
    from ..years import supported

    if last.suffix.lower() != ".xml":
        raise UnusableInput(f"{last}: rollover reads last year's census XML (export the workbook first)")
    loaded = load(last)
    year = supported(year_label) if year_label else None
    if year is None:
        year = supported(f"{loaded.year.first + 1}-{(loaded.year.first + 2) % 100:02d}")
    if loaded.year.first != year.first - 1:
        raise UnusableInput(f"{last} is the census {loaded.year.label}, not {year.first - 1}-{year.first % 100:02d}: "
                            f"rollover to {year.label} needs the return of the year before")
    carried = carry_forward(loaded.census, loaded.year, year)
    if output.suffix.lower() not in (".xlsx", ".xlsm") or output.suffix.lower() == ".xlsm":
        raise UnusableInput(f"{output}: rollover writes an .xlsx workbook")
    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx", prefix=".rollover-", dir=output.parent or Path("."))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.write_bytes(workbook_bytes(carried.census, year))
        read = read_workbook(tmp, year)
        written, back = [], []
        _walk(carried.census, written)
        _walk(read.census, back)
        located = {id(a): b for a, b in zip(written, back)} if len(written) == len(back) else {}
        marks = fill_in_findings(carried, located)
        if marks:
            annotate_file(tmp, read, marks)
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()
    return carried


def run(args) -> int:
    from ..errors import UnusableInput

    if args.output.exists() and not args.force:
        raise UnusableInput(f"{args.output} already exists; use --force to replace it")
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
    from ..rollover import FILL_IN

    return FILL_IN
