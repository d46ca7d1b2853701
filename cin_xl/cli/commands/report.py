"""cin-xl report FILE -o report.html: the key figures of a return as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cin_xl.cli.commands import add_force, add_year, input_file, output_arg
from cin_xl.validation.findings import plural, totals_text

if TYPE_CHECKING:
    from cin_xl.census.years import CensusYear
    from cin_xl.reports.figures import Figures

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


def figures_for_file(path: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
                     options: dict | None = None, previous: str | Path | None = None) -> Figures:
    """Load census XML or a workbook (:func:`cin_xl.jobs.validate.load`), validate it unless ``check`` is
    False, and work out its figures; with ``previous`` (last year's census XML), the continuity
    figures too. Raises :class:`~cin_xl.errors.UnusableInput` like ``load``.

    The loading is done here and the figures are handed what they need: the key figures load no file."""
    from cin_xl.jobs.validate import load, load_previous, validate_file
    from cin_xl.perf import no_gc
    from cin_xl.reports.figures import compute_figures

    with no_gc():
        if check:
            report = validate_file(path, year, options=options, previous=previous)
            loaded, findings = report.loaded, report.findings
        else:
            loaded, findings = load(path, year), None
        last = load_previous(previous, loaded.year) if previous else None
        return compute_figures(loaded.census, loaded.year, findings, source=loaded.source, previous=last)


def run(args) -> int:
    from cin_xl.reports.html import write_html

    output = output_arg(args, "html", args.file,
                        path=args.output or args.file.with_name(f"{args.file.stem}-figures.html"))
    figures = figures_for_file(args.file, args.year, check=not args.no_checks,
                               options={"local_checks": not args.no_local}, previous=args.previous)
    write_html(figures, output)
    summary = plural(figures['children'], 'child')
    if figures.checked:
        summary += ", " + totals_text(figures['errors'], figures['queries'])
    print(f"{figures.source}: census {figures.year.label}, {summary}")
    print(f"Key figures: {output}")
    return 0
