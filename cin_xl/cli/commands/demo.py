"""cin-xl demo: the whole job on built-in synthetic data, with nothing to prepare."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from cin_xl.cli.commands import add_force, add_year, year_arg

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
    from cin_xl.errors import UnusableInput
    from cin_xl.jobs.annotate import annotate
    from cin_xl.jobs.export import export_file
    from cin_xl.jobs.report import report as report_figures
    from cin_xl.jobs.validate import validate_file
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.safety.outputs import check_output
    from cin_xl.synthetic.generate import generate
    from cin_xl.workbook.writer import census_to_workbook
    from cin_xl.xml.writer import write_xml

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
                       (clean_workbook, "workbook"), (clean_xml, "xml"), (html, "html"), *_new_year_files(out, year)):
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
    assert report.loaded.workbook is not None  # a workbook was read
    annotate(workbook, report.loaded.workbook, report.findings)
    print(f"\n   Open {workbook} in Excel or LibreOffice: the cells are highlighted, each row's Issues column says "
          f"why, and the Issues sheet lists them all ({report_path} too).")

    clean = generate(args.children, year, seed=args.seed)
    census_to_workbook(clean, year, clean_workbook, overwrite=True)
    exported = export_file(clean_workbook, year.label, allow_errors=True)
    if exported.xml is None:  # the generator's returns fit the schema: say so plainly if one ever does not
        raise UnusableInput(f"the demo's corrected return does not fit the census schema: "
                            f"{exported.schema_problems[0]}")
    write_atomic(clean_xml, exported.xml)
    clean_report = validate_file(clean_xml, year.label)
    print(f"\n3. Once corrected ({clean_workbook}), the return validates with {clean_report.summary['errors']} "
          f"errors and {clean_report.summary['queries']} queries and exports to census XML: {clean_xml}")

    report_figures(clean_workbook, html, year.label)
    print(f"\n4. Its key figures, as COLLECT would report them: {html}")
    _new_year(out, year, args.children, args.seed)
    return 0


def _last_year(year):
    """The census year before ``year`` when it is supported (the new-year step needs it), else None."""
    from cin_xl.census.years import SUPPORTED_YEARS, CensusYear

    last_year = CensusYear(year.first - 1)
    return last_year if last_year.label in SUPPORTED_YEARS else None


def _new_year_files(out: Path, year) -> list[tuple[Path, str]]:
    """The files step 5 writes, with their kinds (checked with the others before anything is written)."""
    last_year = _last_year(year)
    if last_year is None:
        return []
    return [(out / f"last-year-{last_year.label}.xml", "xml"), (out / f"new-year-{year.label}.xlsx", "workbook"),
            (out / f"this-year-{year.label}.xml", "xml")]


def _new_year(out: Path, year, children: int, seed: int) -> None:
    """Step 5: last year's return carried into this year's workbook, and checked for continuity."""
    from cin_xl.census.years import SUPPORTED_YEARS
    from cin_xl.jobs.rollover import rollover
    from cin_xl.jobs.validate import validate_file
    from cin_xl.synthetic.years import generate_years
    from cin_xl.xml.writer import write_xml

    last_year = _last_year(year)
    if last_year is None:
        print(f"\n5. (A new census year: shown from {SUPPORTED_YEARS[1]} on, the first with a supported year "
              "before it.)")
        return
    last, this = generate_years(children, last_year, seed)
    (last_xml, _), (new_workbook, _), (this_xml, _) = _new_year_files(out, year)
    write_xml(last, last_year, last_xml)
    carried = rollover(last_xml, new_workbook, year.label)
    print(f"\n5. A new census year. Last year's return ({last_xml}) carried into {new_workbook} by "
          f"cin-xl rollover: {carried.carried['children']} children whose cases were open at "
          f"{last_year.reference_date:%d/%m/%Y}, {carried.carried['episodes']} episodes; left out "
          f"{carried.left_out['children with nothing open']} children with nothing open. "
          f"{len(carried.to_fill)} cells are marked FILL-IN.")
    # this year's return, with one carried child left out and one date of birth changed by mistake
    carried_ids = {c.identifiers.la_child_id for c in carried.census.children}
    gone = next(c for c in this.children if c.identifiers.la_child_id in carried_ids)
    this.children.remove(gone)
    changed = next(c for c in this.children if c.identifiers.la_child_id in carried_ids
                   and isinstance(c.identifiers.person_birth_date, date))
    born = changed.identifiers.person_birth_date
    assert isinstance(born, date)
    changed.identifiers.person_birth_date = born - timedelta(days=1)
    write_xml(this, year, this_xml)
    report = validate_file(this_xml, year.label, previous=last_xml)
    continuity = [f for f in report.findings if f.code.startswith("C-")]
    print(f"   Continuity of {this_xml.name} with last year's (cin-xl validate {this_xml.name} --previous "
          f"{last_xml.name}): {len(continuity)} queries")
    for f in continuity:
        print(f"    {f}")
