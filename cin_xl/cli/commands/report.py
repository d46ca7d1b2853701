"""cin-xl report FILE -o report.html: the key figures of a return as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from cin_xl.cli.commands import add_force, add_year, input_file, output_arg, say_unsaved_edits
from cin_xl.validation.findings import plural, totals_text

NAME = "report"
HELP = "key figures of a census XML file or a workbook (counts, timeliness, breakdowns, data quality) as HTML"


def add_arguments(p) -> None:
    p.add_argument("file", type=Path, help="census XML (.xml) or workbook (.xlsx, .xlsm)")
    p.add_argument("more", type=Path, nargs="*", metavar="FILE",
                   help="returns of other census years: the key figures year by year, as a trends page "
                        "(-o trends.html) or a new workbook with a Trends sheet and its charts (-o trends.xlsx)")
    p.add_argument("-o", "--output", type=Path, metavar="REPORT.html",
                   help="where to write the report, *.html (default: FILE's name with -figures.html, next to it); "
                        "*.csv writes the child-level lists instead, all in one CSV; with returns of several years, "
                        "*.html (default trends.html next to FILE) or *.xlsx")
    add_force(p)
    add_year(p, default="the file's own census year (the Return sheet's, or the XML's <Year>, which always wins)")
    input_file(p, "file")
    p.add_argument("--no-checks", action="store_true",
                   help="do not validate the return (faster; the data-quality section is left empty)")
    p.add_argument("--no-local", action="store_true", help="skip the local LA- checks")
    p.add_argument("--previous", type=Path, metavar="LAST.xml",
                   help="last year's census XML: add the continuity section (and checks) and each key figure "
                        "beside last year's, substantial changes flagged")
    p.add_argument("--lists", type=Path, metavar="DIR",
                   help="also write the child-level lists (assessments and conferences with their working days, "
                        "plans of two years or more, second plans, late reviews) as one CSV each in DIR, linked "
                        "from the report")


def run(args) -> int:
    from cin_xl.jobs.report import list_paths, report, trends
    from cin_xl.safety.outputs import OutputRefused, check_output

    if args.more:
        files = [args.file, *args.more]
        path = args.output or args.file.with_name("trends.html")
        if path.suffix.lower() == ".xlsm":
            raise OutputRefused(f"{path}: the trends workbook has no Excel buttons: name it .xlsx; nothing was written")
        kind = "workbook" if path.suffix.lower() == ".xlsx" else "html"
        output = output_arg(args, kind, *files, path=path)
        years = [f.year.label for f in trends(files, output)]
        print(f"Trends of {len(years)} census years ({', '.join(years)}): {output}")
        return 0

    path = args.output or args.file.with_name(f"{args.file.stem}-figures.html")
    as_csv = path.suffix.lower() == ".csv"
    output = output_arg(args, "report" if as_csv else "html", args.file, args.previous, path=path)
    if args.lists is not None:
        if args.lists.exists() and not args.lists.is_dir():
            raise OutputRefused(f"{args.lists} is a file: --lists takes a folder to write the lists into; "
                                "nothing was written")
        for list_path in list_paths(args.lists):
            check_output(list_path, "report", inputs=(args.file, args.previous, output), force=args.force)
    say_unsaved_edits(args.file)
    done = report(args.file, output, args.year, check=not args.no_checks,
                  options={"local_checks": not args.no_local}, previous=args.previous, lists_folder=args.lists)
    figures = done.figures
    summary = plural(cast(int, figures["children"]), "child")
    if figures.checked:
        summary += ", " + totals_text(cast(int, figures["errors"]), cast(int, figures["queries"]))
    print(f"{figures.source}: census {figures.year.label}, {summary}")
    if as_csv:
        print(f"Child-level lists: {output}")
    else:
        print(f"Key figures: {output}")
    if done.list_files:
        print(f"Child-level lists: {plural(len(done.list_files), 'CSV file')} in {args.lists}")
    return 0
