"""``cin-xl import``: a census XML file (last year's return, an extract) as a filled workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import add_year, input_file
from ..findings import plural

NAME = "import"
HELP = "fill a new census workbook from a census XML file (last year's return, an extract)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("xml", metavar="census.xml", help="census XML file to read")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="workbook to write")
    add_year(parser, default="the year the XML gives; --year is used only when it gives none")
    input_file(parser, "xml")
    parser.add_argument("--force", action="store_true", help="replace FILE.xlsx if it exists")


def run(args: argparse.Namespace) -> int:
    from ..xml import read_xml
    from ..workbook.writer import write_workbook
    from ..years import supported

    out = Path(args.output)
    if out.exists() and not args.force:
        print(f"cin-xl: {out} already exists; use --force to replace it", file=sys.stderr)
        return 2
    if Path(args.xml).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from ..errors import UnusableInput

        raise UnusableInput(f"{args.xml} is a workbook: import reads census XML (to check a workbook, use "
                            f"cin-xl validate; to make XML from it, cin-xl export)")
    fallback = supported(args.year, readable=True) if args.year else None
    result = read_xml(args.xml, fallback)
    write_workbook(out, result.census, result.year, issues=result.problems, force=True)
    print(f"Wrote {out}: census {result.year.label}, {plural(len(result.census.children), 'child')}.")
    if result.problems:
        print(f"{plural(len(result.problems), 'problem')} in the XML, also listed on the Issues sheet:")
        for p in result.problems:
            print(f"  {p}")
        return 1
    return 0
