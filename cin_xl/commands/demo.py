"""cin-xl demo: the whole job on built-in synthetic data, with nothing to prepare."""

from __future__ import annotations

from pathlib import Path

from . import add_year, year_arg

NAME = "demo"
HELP = "make a sample census from synthetic data: XML, workbook, validation, export"

DEMO_VIOLATIONS = ("1103", "8525Q", "4220", "8630", "8875")


def add_arguments(p) -> None:
    p.add_argument("-o", "--output", type=Path, default=Path("cin-xl-demo"), help="folder to write into")
    p.add_argument("-n", "--children", type=int, default=200, help="number of synthetic children (default 200)")
    p.add_argument("--seed", type=int, default=0)
    add_year(p)


def run(args) -> int:
    from ..generate import generate
    from ..jobs import validate_file
    from ..xml.writer import write_xml

    year = year_arg(args)
    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    print(f"cin-xl demo: {args.children} synthetic children, census {year.label}, in {out}/\n")

    faulty = generate(args.children, year, seed=args.seed, violations=DEMO_VIOLATIONS)
    faulty_xml = out / f"sample-with-errors-{year.label}.xml"
    write_xml(faulty, year, faulty_xml, check=False)
    print(f"1. A sample return with {len(DEMO_VIOLATIONS)} mistakes put in on purpose: {faulty_xml}")
    workbook = None
    try:
        from ..workbook import census_to_workbook

        workbook = out / f"sample-with-errors-{year.label}.xlsx"
        census_to_workbook(faulty, year, workbook, overwrite=True)
        print(f"   The same in the template workbook: {workbook}")
    except ImportError:
        pass

    source = workbook or faulty_xml
    report = validate_file(source, year.label)
    print(f"\n2. Validation of {source.name}:\n")
    print("   " + report.text().replace("\n", "\n   "))
    report_path = out / f"sample-with-errors-{year.label}-findings.csv"
    report.write(report_path)
    print(f"\n   All findings: {report_path}")

    clean = generate(args.children, year, seed=args.seed)
    clean_xml = out / f"sample-{year.label}.xml"
    write_xml(clean, year, clean_xml)
    clean_report = validate_file(clean_xml, year.label)
    print(f"\n3. Once corrected, the return validates with {clean_report.summary['errors']} errors and "
          f"{clean_report.summary['queries']} queries, and exports to census XML: {clean_xml}")
    return 0
