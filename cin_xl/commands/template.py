"""``cin-xl template``: the census workbook for a year, empty or with synthetic children."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import add_year, year_arg

NAME = "template"
HELP = "write the census workbook (Excel template) for a census year, empty or with synthetic children"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_year(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="workbook to write")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="fill in N synthetic children (made up, for trying things out and the docs)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic children (default 0)")
    parser.add_argument("--force", action="store_true", help="replace FILE.xlsx if it exists")
    parser.add_argument("--xlsm", action="store_true",
                        help="write the macro-enabled workbook (FILE.xlsm): buttons on the Start sheet run cin-xl "
                             "from desktop Excel through xlwings")


def run(args: argparse.Namespace) -> int:
    from ..workbook.writer import write_workbook

    year = year_arg(args)
    out = Path(args.output)
    if out.exists() and not args.force:
        print(f"cin-xl: {out} already exists; use --force to replace it", file=sys.stderr)
        return 2
    if args.xlsm and out.suffix.lower() != ".xlsm":
        print("cin-xl: --xlsm writes a macro-enabled workbook: name it FILE.xlsm", file=sys.stderr)
        return 2
    census = None
    if args.sample < 0:
        print("cin-xl: --sample must be 0 or more", file=sys.stderr)
        return 2
    if args.sample:
        from ..generate import generate  # lazily: only --sample needs the generator

        census = generate(args.sample, year, seed=args.seed)
    if args.xlsm:
        from ..workbook.xlsm import write_macro_workbook

        write_macro_workbook(out, census, year)
    else:
        write_workbook(out, census, year, force=True)
    what = f"with {args.sample} synthetic children" if args.sample else "empty"
    print(f"Wrote {out}: census workbook for {year.label}, {what}.")
    return 0
