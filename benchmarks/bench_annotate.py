"""Benchmark: ``validate --annotate`` on a workbook of 20,000 children, phase by phase.

    python benchmarks/bench_annotate.py [--children 20000] [--year 2025-26] [--flagged 0.1]

Writes a filled workbook (with the demo's mistakes), then times: reading and validating it; each
phase of writing the marks into the package (open, plan, marks, Issues sheet, Summary sheet, the
child-level list sheets, save); and, for scale, an lxml parse of the same return as census XML.
``--flagged`` adds a query on that share of the Children rows, so the write phases handle many marks
(the Issues sheet grows with it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from lxml import etree

    from cin_xl.census.years import CensusYear
    from cin_xl.cli.commands.demo import DEMO_VIOLATIONS
    from cin_xl.jobs.annotate import list_sheets, summary_drawing
    from cin_xl.jobs.validate import validate_file
    from cin_xl.perf import no_gc
    from cin_xl.reports.figures import compute_figures
    from cin_xl.synthetic.generate import generate
    from cin_xl.validation.findings import Finding, Severity
    from cin_xl.workbook import annotate
    from cin_xl.workbook.list_sheets import write_list_sheets
    from cin_xl.workbook.marks import plan_marks
    from cin_xl.workbook.package.write import Package
    from cin_xl.workbook.writer import write_workbook
    from cin_xl.xml import to_xml_bytes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--year", default="2025-26")
    parser.add_argument("--flagged", type=float, default=0.1, help="share of Children rows given an extra query")
    args = parser.parse_args(argv)
    year = CensusYear.parse(args.year)

    census = generate(args.children, year, seed=1, violations=DEMO_VIOLATIONS)
    xml = to_xml_bytes(census, year, check=False)
    t = time.perf_counter()
    etree.fromstring(xml, etree.XMLParser(huge_tree=True))
    parse_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        write_workbook(path, census, year, force=True)
        size = path.stat().st_size

        t = time.perf_counter()
        report = validate_file(path, year.label)
        validate_s = time.perf_counter() - t
        read = report.loaded.workbook
        findings = list(report.findings)
        info = read.sheets["Children"]
        step = max(1, round(1 / args.flagged)) if args.flagged > 0 else 0
        if step:
            column = next(iter(info.columns.values()))
            findings += [Finding("BENCH", Severity.QUERY, "a query added by the benchmark", sheet="Children", row=r,
                                 cells=(f"{column}{r}",)) for r in info.rows[::step]]

        phases: dict[str, float] = {}

        def timed(name, fn, *a, **kw):
            t0 = time.perf_counter()
            out = fn(*a, **kw)
            phases[name] = time.perf_counter() - t0
            return out

        total = time.perf_counter()
        with no_gc():
            pkg = timed("open (parse the sheets)", lambda: (lambda p: (p, annotate.sheet_heights(p, read)))(
                Package(path)))
            pkg, heights = pkg
            plan = timed("plan", plan_marks, read, findings, heights)
            timed("marks in the sheets", lambda: [annotate.write_sheet_marks(pkg, m) for m in plan.sheets.values()])
            timed("Issues sheet", annotate.write_issues_sheet, pkg, plan.issue_rows)
            timed("summary box", annotate.write_summary_box, pkg, plan.summary)
            figures = timed("Summary figures and lists", compute_figures, read.census, read.year, findings,
                            source=str(path), lists=True)
            timed("Summary sheet (charts)", annotate.write_summary, pkg, summary_drawing(figures))
            timed("list sheets", write_list_sheets, pkg, list_sheets(read, figures))
            timed("save (serialise, zip, replace)", pkg.commit)
        write_s = time.perf_counter() - total

        print(f"workbook: {args.children} children, {size / 1e6:.1f} MB, {len(findings)} findings, "
              f"{len(plan.issue_rows)} Issues rows")
        print(f"lxml parse of the return's XML ({len(xml) / 1e6:.1f} MB): {parse_s:.2f} s")
        print(f"read and validate: {validate_s:.1f} s")
        for name, seconds in phases.items():
            print(f"  write: {name:34} {seconds:6.2f} s")
        print(f"write, all phases: {write_s:.1f} s")
        whole = validate_s + write_s
        print(f"validate --annotate: {whole:.1f} s = {whole / parse_s:.0f}x the lxml parse "
              f"(write phase alone: {write_s / parse_s:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
