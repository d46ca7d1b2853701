"""cin-xl report FILE -o report.html: the key figures of a return as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path

from . import add_year

NAME = "report"
HELP = "key figures of a census XML file or a workbook (counts, timeliness, breakdowns, data quality) as HTML"


def add_arguments(p) -> None:
    p.add_argument("file", type=Path, help="census XML (.xml) or workbook (.xlsx, .xlsm)")
    p.add_argument("-o", "--output", type=Path, metavar="REPORT.html",
                   help="where to write the report (default: FILE's name with -figures.html, next to it)")
    add_year(p, help_extra="; for XML the file's own <Year> wins")
    p.add_argument("--no-checks", action="store_true",
                   help="do not validate the return (faster; the data-quality section is left empty)")
    p.add_argument("--no-local", action="store_true", help="skip the local LA- checks")
    p.add_argument("--previous", type=Path, metavar="LAST.xml",
                   help="last year's census XML: add the continuity section (and checks)")


def run(args) -> int:
    from ..figures import figures_for_file
    from ..report_html import write_html

    figures = figures_for_file(args.file, args.year, check=not args.no_checks,
                               options={"local_checks": not args.no_local}, previous=args.previous)
    output = args.output or args.file.with_name(f"{args.file.stem}-figures.html")
    write_html(figures, output)
    summary = f"{figures['children']:,} children"
    if figures.checked:
        summary += f", {figures['errors']:,} error(s), {figures['queries']:,} query(ies)"
    print(f"{figures.source}: census {figures.year.label}, {summary}")
    print(f"Key figures: {output}")
    return 0
