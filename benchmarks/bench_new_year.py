"""A new census year for a generated authority: rollover of last year's return, continuity of this year's.

    python benchmarks/bench_new_year.py --children 20000 [--year 2025-26] [--no-trace]

Steps: the pair of years (generate_years), last year's XML written, ``cin-xl rollover`` (read, carry,
write the workbook and mark it), and the continuity checks of this year's return against last year's
(in memory, then ``validate_file(..., previous=...)`` of the XML as the CLI runs it).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _measure import step

from cin_xl.census.years import CensusYear
from cin_xl.jobs.rollover import rollover
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.years import generate_years
from cin_xl.validation.continuity import check_continuity
from cin_xl.xml import write_xml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--year", default="2025-26", help="last year (this year is the one after)")
    parser.add_argument("--no-trace", action="store_true", help="no tracemalloc (clean timings)")
    args = parser.parse_args()
    trace = not args.no_trace
    last_year = CensusYear.parse(args.year)
    year = CensusYear(last_year.first + 1)
    n, results = args.children, []
    with tempfile.TemporaryDirectory() as tmp:
        last_xml, this_xml, new = Path(tmp) / "last.xml", Path(tmp) / "this.xml", Path(tmp) / "new.xlsx"
        with step("generate the pair of years", n, results, trace_python=trace):
            last, this = generate_years(n, last_year, seed=1)
        write_xml(last, last_year, last_xml)
        write_xml(this, year, this_xml)
        with step("rollover (read, carry, write, mark)", n, results, trace_python=trace):
            carried = rollover(last_xml, new, year.label)
        print(f"  carried {carried.carried['children']:,} children; workbook {new.stat().st_size / 1e6:.1f} MB")
        with step("continuity checks (in memory)", n, results, trace_python=trace):
            found = check_continuity(this, last, year)
        print(f"  {len(found)} continuity findings")
        with step("validate this.xml --previous last.xml", len(this.children), results, trace_python=trace):
            report = validate_file(this_xml, previous=last_xml)
        print(f"  {report.summary['errors']} errors, {report.summary['queries']} queries")


if __name__ == "__main__":
    main()
