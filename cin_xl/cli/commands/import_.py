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
    from cin_xl.census.years import supported
    from cin_xl.progress import phase
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.workbook.writer import cell_limit_problems, workbook_bytes
    from cin_xl.xml import read_xml

    if Path(args.xml).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from cin_xl.errors import UnusableInput

        raise UnusableInput(f"{args.xml} is a workbook: import reads census XML (to check a workbook, use "
                            f"cin-xl validate; to make XML from it, cin-xl export)")
    out = output_arg(args, "workbook", args.xml)
    fallback = supported(args.year, readable=True) if args.year else None
    result = read_xml(args.xml, fallback, keep_document=False)  # read child by child: less held in memory
    too_long = cell_limit_problems(result.census, result.year)
    if too_long:
        for p in too_long:
            print(f"  {p}", file=sys.stderr)
        print(f"cin-xl: {plural(len(too_long), 'value')} in {args.xml} longer than an Excel cell holds (listed "
              "above); a workbook would cut them, so nothing was written", file=sys.stderr)
        return 2
    with phase(f"Writing {out.name}"):
        data = workbook_bytes(result.census, result.year, issues=result.problems)
        if out.suffix.lower() == ".xlsm":
            from cin_xl.workbook.macros.xlsm import macro_workbook

            data = macro_workbook(data)
    write_atomic(out, data)
    print(f"Wrote {out}: census {result.year.label}, {plural(len(result.census.children), 'child')}.")
    if result.problems:
        print(f"{plural(len(result.problems), 'problem')} in the XML, also listed on the Issues sheet:")
        for p in result.problems:
            print(f"  {p}")
        return 1
    return 0
