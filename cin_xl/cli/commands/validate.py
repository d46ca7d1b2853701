"""cin-xl validate FILE: check a census XML or a workbook, print a summary, write the full report."""

from __future__ import annotations

from pathlib import Path

from cin_xl.cli.commands import add_force, add_year, input_file, output_arg, say_unsaved_edits

NAME = "validate"
HELP = "check a census XML file or a workbook against the census schema and every DfE rule"


def add_arguments(p) -> None:
    p.add_argument("file", type=Path, help="census XML (.xml) or workbook (.xlsx, .xlsm)")
    add_year(p, default="the file's own census year (the Return sheet's, or the XML's <Year>, which always wins)")
    input_file(p, "file")
    p.add_argument("--report", type=Path, metavar="OUT.json|OUT.csv", help="write every finding to this file")
    add_force(p)
    p.add_argument("--examples", type=int, default=3, help="examples shown per rule (default 3)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list every finding of every rule (by default the largest rules show a few examples each)")
    p.add_argument("--no-local", action="store_true", help="skip the local LA- checks")
    p.add_argument("--previous", type=Path, metavar="LAST.xml",
                   help="last year's census XML: add the continuity checks (codes C-) against it")
    p.add_argument("--annotate", action="store_true",
                   help="workbooks only: write the marks (highlights, Issues column, Issues sheet) into the file, with "
                        "the Summary sheet and a sheet for each child-level list")
    p.add_argument("--trends", type=Path, nargs="+", metavar="PAST",
                   help="with --annotate: returns of past census years (XML or workbooks, any order): add a Trends "
                        "sheet with the key figures year by year and their charts, the workbook being the latest year")
    p.add_argument("--jobs", "-j", metavar="N", default=None,
                   help="processes that may check a large return (5,000 children or more) at once: a number, or "
                        "auto (the CPUs not busy with other work); the findings are the same (default: "
                        "$CIN_XL_JOBS, else 1)")


def run(args) -> int:
    from cin_xl.errors import UnusableInput
    from cin_xl.jobs.load import unsaved_edits_note
    from cin_xl.jobs.validate import validate_file
    from cin_xl.progress import phase
    from cin_xl.safety.outputs import refuse_inputs

    jobs = jobs_arg(args.jobs)
    if args.annotate and args.file.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnusableInput(f"{args.file}: --annotate writes marks into a workbook (.xlsx or .xlsm), not XML")
    if args.trends and not args.annotate:
        raise UnusableInput("--trends writes a Trends sheet into the workbook: give --annotate too")
    report_path = output_arg(args, "report", args.file, args.previous, path=args.report) if args.report else None
    options = {"local_checks": not args.no_local}
    fingerprint = None
    if args.annotate and args.file.exists():
        from cin_xl.workbook.annotate import check_writable
        from cin_xl.workbook.package.write import Fingerprint

        check_writable(args.file)  # open in Excel, or read-only: said before any work, not after it
        fingerprint = Fingerprint.of(args.file)  # annotate writes only if the file is still this one
    else:
        say_unsaved_edits(args.file)
    report = validate_file(args.file, args.year, options=options, previous=args.previous, jobs=jobs)
    print(report.text(examples=args.examples, verbose=args.verbose))
    if report_path:
        refuse_inputs(report_path, report.loaded.inputs)  # and the return the workbook names, now it is known
        report.write(report_path)
        print(f"Full report: {report_path}")
    if report.findings and not args.annotate:
        print(next_step(args.file, report_path, workbook=report.loaded.workbook is not None,
                        open_elsewhere=unsaved_edits_note(args.file) is not None))
    exit_code = report.exit_code
    if args.annotate:
        from cin_xl.jobs.annotate import prepare

        with phase(f"Marking the findings in {args.file.name}"):
            read = report.loaded.workbook
            if read is None:  # a file named .xlsx that held census XML
                raise UnusableInput(f"{args.file}: --annotate writes marks into a workbook, and this file is not one")
            annotation = prepare(args.file, read, report.findings, fingerprint=fingerprint, trends=args.trends,
                                 previous=args.previous)
            del read
            del report  # the return read is no longer needed: its memory is free before the sheets are parsed
            annotation.write()
        trends = f", and the Trends sheet of {len(args.trends) + 1} census years" if args.trends else ""
        print(f"Marked the findings in {args.file}: highlighted cells, Issues columns, Issues and Summary sheets, "
              f"a sheet for each child-level list{trends}.")
    return exit_code


def jobs_arg(text: str | None) -> int:
    """``--jobs`` (else ``$CIN_XL_JOBS``, else one) as a number of processes, 0 for auto."""
    from cin_xl.errors import UnusableInput
    from cin_xl.validation.parallel import JOBS_VARIABLE, jobs_from

    try:
        return jobs_from(text)
    except ValueError as exc:
        where = "--jobs" if text is not None else f"${JOBS_VARIABLE}"
        raise UnusableInput(f"{where}: {exc}") from None


def next_step(path: Path, report_path: Path | None, *, workbook: bool, open_elsewhere: bool = False) -> str:
    """What to do with the findings: mark them in the workbook (or see census XML as one), have the full list."""
    name = quoted(path)
    if workbook:
        close = " (save and close it first)" if open_elsewhere else ""
        steps = [(f"cin-xl validate {name} --annotate", f"marks each finding in the workbook{close}")]
    else:
        steps = [(f"cin-xl import {name} -o {quoted(path.with_suffix('.xlsx'))}",
                  "makes a workbook of the return, to correct and mark")]
    if report_path is None:
        steps.append((f"cin-xl validate {name} --report findings.csv", "lists every finding in a file"))
    width = max(len(command) for command, _ in steps)
    return "\n".join(f"{'Next:' if i == 0 else '':<6}{command:<{width}}  {what}"
                     for i, (command, what) in enumerate(steps))


def quoted(path: Path) -> str:
    """A path as typed on a command line: quoted if it holds a space."""
    text = str(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text
