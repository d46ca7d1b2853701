"""cin-xl report FILE -o report.html: the key figures of a return as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from cin_xl.cli.commands import add_force, add_year, input_file, output_arg
from cin_xl.validation.findings import plural, totals_text

NAME = "report"
HELP = "key figures of a census XML file or a workbook (counts, timeliness, breakdowns, data quality) as HTML"


def add_arguments(p) -> None:
    p.add_argument("file", type=Path, help="census XML (.xml) or workbook (.xlsx, .xlsm)")
    p.add_argument("-o", "--output", type=Path, metavar="REPORT.html",
                   help="where to write the report, *.html (default: FILE's name with -figures.html, next to it)")
    add_force(p)
    add_year(p, default="the file's own census year (the Return sheet's, or the XML's <Year>, which always wins)")
    input_file(p, "file")
    p.add_argument("--no-checks", action="store_true",
                   help="do not validate the return (faster; the data-quality section is left empty)")
    p.add_argument("--no-local", action="store_true", help="skip the local LA- checks")
    p.add_argument("--previous", type=Path, metavar="LAST.xml",
                   help="last year's census XML: add the continuity section (and checks)")


def run(args) -> int:
    from cin_xl.jobs.report import report

    output = output_arg(args, "html", args.file, args.previous,
                        path=args.output or args.file.with_name(f"{args.file.stem}-figures.html"))
    figures = report(args.file, output, args.year, check=not args.no_checks,
                     options={"local_checks": not args.no_local}, previous=args.previous).figures
    summary = plural(cast(int, figures["children"]), "child")
    if figures.checked:
        summary += ", " + totals_text(cast(int, figures["errors"]), cast(int, figures["queries"]))
    print(f"{figures.source}: census {figures.year.label}, {summary}")
    print(f"Key figures: {output}")
    return 0
