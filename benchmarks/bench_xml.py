"""Census XML: export, import and validation of a generated return; prints time and memory.

    python benchmarks/bench_xml.py --children 20000 [--year 2026-27] [--no-trace]

tracemalloc (Python peak) slows Python-heavy steps by about 2x; --no-trace gives clean timings.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _measure import step

from cin_xl.census.years import CensusYear
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.generate import generate
from cin_xl.validation import validate
from cin_xl.xml import read_xml, write_xml


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--year", default="2026-27")
    parser.add_argument("--no-trace", action="store_true")
    args = parser.parse_args()
    year = CensusYear.parse(args.year)
    n, trace, results = args.children, not args.no_trace, []
    print(f"census {year.label}, {n:,} children\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "census.xml"
        with step("generate", n, results, trace_python=trace):
            census = generate(n, year, seed=1)
        with step("export (XSD check + write)", n, results, trace_python=trace):
            write_xml(census, year, path)
        print(f"{'':<34} file size {path.stat().st_size / 1e6:.1f} MB")
        with step("import (parse + model)", n, results, trace_python=trace):
            read = read_xml(path)
        with step("validate model (all rules)", n, results, trace_python=trace):
            findings = validate(read.census, year)
        with step("cin-xl validate FILE.xml (all)", n, results, trace_python=trace):
            report = validate_file(path)
    print(f"\nfindings: {len(findings)}; report: {report.summary}")


if __name__ == "__main__":
    main()
