"""``cin-xl template``: the census workbook for a year, empty or with synthetic children."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cin_xl.cli.commands import add_output, add_year, output_arg, year_arg

NAME = "template"
HELP = "write the census workbook (Excel template) for a census year, empty or with synthetic children"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_year(parser)
    add_output(parser, "workbook", metavar="FILE.xlsx",
               help="workbook to write; a .xlsm name makes the macro-enabled workbook, with its buttons")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="fill in N synthetic children (made up, for trying things out and the docs)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic children (default 0)")
    parser.add_argument("--xlsm", action="store_true",
                        help="write the macro-enabled workbook (name it FILE.xlsm, which alone is enough): buttons "
                             "on the Start sheet run cin-xl from desktop Excel through xlwings")


def run(args: argparse.Namespace) -> int:
    from cin_xl.workbook.writer import write_workbook

    year = year_arg(args)
    if args.xlsm and Path(args.output).suffix.lower() != ".xlsm":
        print(f"cin-xl: {args.output}: --xlsm writes a macro-enabled workbook: name it .xlsm; nothing was written",
              file=sys.stderr)
        return 2
    out = output_arg(args, "workbook")
    macro = out.suffix.lower() == ".xlsm"  # the name decides: Excel opens an .xlsm only if it is one
    census = None
    if args.sample < 0:
        print("cin-xl: --sample must be 0 or more", file=sys.stderr)
        return 2
    if args.sample:
        from cin_xl.synthetic.generate import generate  # lazily: only --sample needs the generator

        census = generate(args.sample, year, seed=args.seed)
    if macro:
        from cin_xl.workbook.macros.xlsm import write_macro_workbook

        write_macro_workbook(out, census, year)
    else:
        write_workbook(out, census, year, force=True)
    what = f"with {args.sample} synthetic children" if args.sample else "empty"
    print(f"Wrote {out}: census workbook for {year.label}, {what}.")
    return 0
