"""``cin-xl export``: the census XML from a filled workbook, checked against the census schema."""

from __future__ import annotations

import argparse
import sys

from cin_xl.cli.commands import add_output, add_year, input_file, output_arg, say_unsaved_edits
from cin_xl.validation.codes import X_READ
from cin_xl.validation.findings import Severity, plural

NAME = "export"
HELP = "write the census XML from a census workbook (nothing is written if it would not fit the schema)"
#: errors listed on stderr when an export is refused
SHOWN = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", metavar="FILE.xlsx", help="census workbook to read")
    add_output(parser, "xml", metavar="census.xml", help="XML file to write")
    add_year(parser, default="the census year on the workbook's Return sheet")
    input_file(parser, "workbook")
    parser.add_argument("--allow-errors", action="store_true",
                        help="export even though validation errors remain (COLLECT will reject the file until "
                             "they are fixed)")


def _remain(errors: list) -> str:
    return f"{plural(len(errors), 'validation error')} remain{'s' if len(errors) == 1 else ''}"


def run(args: argparse.Namespace) -> int:
    from cin_xl.jobs.export import ERRORS_REMAIN, SCHEMA, check_source, export_file
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.safety.outputs import refuse_inputs

    check_source(args.workbook)
    output = output_arg(args, "xml", args.workbook)
    say_unsaved_edits(args.workbook)
    exported = export_file(args.workbook, args.year, allow_errors=args.allow_errors)
    for f in exported.findings:  # how the workbook was read (a column taken under another name, ...)
        if f.code == X_READ and f.severity is Severity.QUERY:
            print(f"  {f}", file=sys.stderr)
    errors = exported.errors
    if exported.refused == ERRORS_REMAIN:
        for f in errors[:SHOWN]:
            print(f"  {f}", file=sys.stderr)
        more = f" (the first {SHOWN} are above)" if len(errors) > SHOWN else " (listed above)"
        print(f"cin-xl: {_remain(errors)}{more}; nothing was written. See them all in the workbook with: "
              f"cin-xl validate {args.workbook} --annotate  - or export anyway with --allow-errors.",
              file=sys.stderr)
        return 1
    if exported.refused == SCHEMA:
        problems = exported.schema_problems
        print(f"cin-xl: the return does not fit the {exported.year.label} census schema "
              f"({plural(len(problems), 'problem')}); nothing was written:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    assert exported.xml is not None  # an export not refused has made its XML
    refuse_inputs(output, exported.inputs)  # last year's return, if the workbook names one
    write_atomic(output, exported.xml)
    note = f" {_remain(errors)}: COLLECT will reject the file until they are fixed." if errors else ""
    print(f"Wrote {output}: census {exported.year.label}, {plural(exported.children, 'child')}.{note}")
    return 0
