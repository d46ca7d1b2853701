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


def run(args) -> int:
    from cin_xl.jobs.rollover import FILL_IN, rollover

    args.output = output_arg(args, "workbook", args.last)
    carried = rollover(args.last, args.output, args.year)
    print(f"Wrote {args.output}: census {carried.year.label}, from {args.last} (census {carried.last_year.label}).")
    print("Carried: " + (", ".join(f"{n:,} {what}" for what, n in carried.carried.items()) or "nothing"))
    print("Left out: " + (", ".join(f"{n:,} {what}" for what, n in carried.left_out.items() if n) or "nothing"))
    if carried.new_items:
        print(f"New in {carried.year.label}, to fill in: " + ", ".join(label for _, label in carried.new_items))
    if carried.retired_items:
        print(f"Retired in {carried.year.label}, dropped: " + ", ".join(label for _, label in carried.retired_items))
    if carried.to_fill:
        print(f"{len(carried.to_fill):,} cells to fill in are marked {FILL_IN} in the workbook and listed on its "
              "Issues sheet.")
    return 0

