"""``cin-xl import``: a census XML file (last year's return, an extract) as a filled workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cin_xl.cli.commands import add_output, add_year, input_file, output_arg
from cin_xl.validation.findings import plural

NAME = "import"
HELP = "fill a new census workbook from a census XML file (last year's return, an extract)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("xml", metavar="census.xml", help="census XML file to read")
    add_output(parser, "workbook", metavar="FILE.xlsx",
               help="workbook to write; a .xlsm name makes the macro-enabled workbook, with its buttons")
    add_year(parser, default="the year the XML gives; --year is used only when it gives none")
    input_file(parser, "xml")


def run(args: argparse.Namespace) -> int:
    from cin_xl.jobs.import_ import import_file
    from cin_xl.safety.atomic import write_atomic

    if Path(args.xml).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from cin_xl.errors import UnusableInput

        raise UnusableInput(f"{args.xml} is a workbook: import reads census XML (to check a workbook, use "
                            f"cin-xl validate; to make XML from it, cin-xl export)")
    out = output_arg(args, "workbook", args.xml)
    result = import_file(args.xml, args.year, workbook=True, macro=out.suffix.lower() == ".xlsm")
    if result.too_long:
        for p in result.too_long:
            print(f"  {p}", file=sys.stderr)
        print(f"cin-xl: {plural(len(result.too_long), 'value')} in {args.xml} longer than an Excel cell holds "
              "(listed above); a workbook would cut them, so nothing was written", file=sys.stderr)
        return 2
    assert result.workbook is not None
    write_atomic(out, result.workbook)
    print(f"Wrote {out}: census {result.year.label}, {plural(len(result.census.children), 'child')}.")
    if result.problems:  # what was not brought in, a few of each kind (the Issues sheet lists them all)
        for line in result.note:
            print(line)
        return 1
    return 0
