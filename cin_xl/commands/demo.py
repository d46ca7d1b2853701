"""cin-xl demo: the whole job on built-in synthetic data, with nothing to prepare."""

from __future__ import annotations

from pathlib import Path

from . import add_force, add_year, year_arg

NAME = "demo"
HELP = "the whole job on synthetic data: workbook with mistakes, validation marks, corrected export, report"

DEMO_VIOLATIONS = ("1103", "8525Q", "4220", "8630", "8875")


def add_arguments(p) -> None:
    p.add_argument("-o", "--output", type=Path, default=Path("cin-xl-demo"),
                   help="folder to write into (default cin-xl-demo); files of an earlier demo there are replaced "
                        "only with --force")
    add_force(p)
    p.add_argument("-n", "--children", type=int, default=200, help="number of synthetic children (default 200)")
    p.add_argument("--seed", type=int, default=0)
    add_year(p)


def run(args) -> int:
    from ..errors import UnusableInput
    from ..figures import compute_figures
    from ..generate import generate
    from ..jobs import validate_file
    from ..report_html import write_html
    from ..workbook import census_to_workbook
    from ..workbook.annotate import annotate_file
    from ..workbook.reader import read_workbook
    from ..outputs import check_output
    from ..xml.writer import write_xml

    year = year_arg(args)
    out: Path = args.output
    if out.exists() and not out.is_dir():
        raise UnusableInput(f"{out} is a file: the demo writes into a folder; give a folder name with -o")
    workbook = out / f"sample-with-mistakes-{year.label}.xlsx"
    faulty_xml = out / f"sample-with-mistakes-{year.label}.xml"
    report_path = out / f"sample-with-mistakes-{year.label}-findings.csv"
    clean_workbook = out / f"sample-{year.label}.xlsx"
    clean_xml = out / f"sample-{year.label}.xml"
    html = out / f"sample-{year.label}-figures.html"
    # every file is checked before the first is written: a refused demo leaves the folder as it was
    for path, kind in ((workbook, "workbook"), (faulty_xml, "xml"), (report_path, "report"),
                       (clean_workbook, "workbook"), (clean_xml, "xml"), (html, "html")):
        check_output(path, kind, force=args.force)
    out.mkdir(parents=True, exist_ok=True)
    print(f"cin-xl demo: {args.children} synthetic children, census {year.label}, in {out}/\n")

    faulty = generate(args.children, year, seed=args.seed, violations=DEMO_VIOLATIONS)
    census_to_workbook(faulty, year, workbook, overwrite=True)
    write_xml(faulty, year, faulty_xml, check=False)
    print(f"1. A filled census workbook with {len(DEMO_VIOLATIONS)} mistakes put in on purpose: {workbook}\n"
          f"   (and the same return as census XML: {faulty_xml})")

    report = validate_file(workbook, year.label)
    print(f"\n2. Validation of {workbook.name}:\n")
    print("   " + report.text().replace("\n", "\n   "))
    report.write(report_path)
    annotate_file(workbook, report.loaded.workbook, report.findings)
    print(f"\n   Open {workbook} in Excel or LibreOffice: the cells are highlighted, each row's Issues column says "
          f"why, and the Issues sheet lists them all ({report_path} too).")

    clean = generate(args.children, year, seed=args.seed)
    census_to_workbook(clean, year, clean_workbook, overwrite=True)
    read = read_workbook(clean_workbook)
    write_xml(read.census, year, clean_xml)
    clean_report = validate_file(clean_xml, year.label)
    print(f"\n3. Once corrected ({clean_workbook}), the return validates with {clean_report.summary['errors']} "
          f"errors and {clean_report.summary['queries']} queries and exports to census XML: {clean_xml}")

    write_html(compute_figures(read.census, year, clean_report.findings, source=str(clean_workbook)), html)
    print(f"\n4. Its key figures, as COLLECT would report them: {html}")
    return 0
