"""``cin-xl export``: the census XML from a filled workbook, checked against the census schema."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from cin_xl.cli.commands import add_output, add_year, input_file, output_arg
from cin_xl.validation.findings import plural

NAME = "export"
HELP = "write the census XML from a census workbook (nothing is written if it would not fit the schema)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", metavar="FILE.xlsx", help="census workbook to read")
    add_output(parser, "xml", metavar="census.xml", help="XML file to write")
    add_year(parser, default="the census year on the workbook's Return sheet")
    input_file(parser, "workbook")
    parser.add_argument("--allow-errors", action="store_true",
                        help="export even though validation errors remain (COLLECT will reject the file until "
                             "they are fixed)")


def run(args: argparse.Namespace) -> int:
    from cin_xl.census.years import supported
    from cin_xl.validation import validate
    from cin_xl.validation.findings import Severity
    from cin_xl.workbook.export import export_problems, prepare_for_export
    from cin_xl.workbook.reader import read_workbook
    from cin_xl.xml import ExportRefused, write_xml

    if Path(args.workbook).suffix.lower() == ".xml":
        from cin_xl.errors import UnusableInput

        raise UnusableInput(f"{args.workbook} is census XML already: export reads a workbook (to check the XML, "
                            f"use cin-xl validate; to see it as a workbook, cin-xl import)")
    output = output_arg(args, "xml", args.workbook)
    read = read_workbook(args.workbook, args.year)
    year = supported(read.year)  # export: supported years only
    blocking = [p for p in read.problems if p.severity is Severity.ERROR]
    for p in read.problems:
        print(f"  {p}", file=sys.stderr)
    if blocking:
        print(f"cin-xl: {plural(len(blocking), 'row or column', 'rows or columns')} of the workbook could not be read (listed above); "
              f"fix them first. Nothing was written.", file=sys.stderr)
        return 1
    census = prepare_for_export(read.census, year, now=datetime.now())  # the header's date and time
    errors = [f for f in validate(census, year, looked_after=read.looked_after) if f.severity is Severity.ERROR]
    if errors and not args.allow_errors:
        for f in errors[:10]:
            print(f"  {f}", file=sys.stderr)
        more = " (the first 10 are above)" if len(errors) > 10 else " (listed above)"
        print(f"cin-xl: {plural(len(errors), 'validation error')} remain{'s' if len(errors) == 1 else ''}{more}; nothing was written. See them all in the "
              f"workbook with: cin-xl validate {args.workbook} --annotate  - or export anyway with --allow-errors.",
              file=sys.stderr)
        return 1
    try:
        write_xml(census, year, output)
    except ExportRefused as exc:
        problems = export_problems(exc, census, year)
        print(f"cin-xl: the return does not fit the {year.label} census schema ({plural(len(problems), 'problem')}); "
              "nothing was written:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    note = f" {plural(len(errors), 'validation error')} remain{'s' if len(errors) == 1 else ''}: COLLECT will reject the file until they are fixed." \
        if errors else ""
    print(f"Wrote {output}: census {year.label}, {plural(len(census.children), 'child')}.{note}")
    return 0
