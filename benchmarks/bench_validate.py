"""``cin-xl validate`` on generated returns of growing size, as census XML and as a workbook.

    python benchmarks/bench_validate.py [--sizes 5000 10000 20000]

For each size it prints the time of the whole job (read the file, schema, structural checks, every
rule) and children per second: a steady rate means the cost grows linearly with the children.
Each job runs in a fresh process, so the peak memory printed is that job's alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

JOB = r"""
import json, resource, sys, time
from cin_xl.jobs.validate import validate_file
started = time.perf_counter()
report = validate_file(sys.argv[1])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "findings": len(report.findings)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    parser.add_argument("--year", default="2026-27")
    args = parser.parse_args()
    from cin_xl.census.years import CensusYear
    from cin_xl.synthetic.generate import generate
    from cin_xl.workbook.writer import write_workbook
    from cin_xl.xml import write_xml

    year = CensusYear.parse(args.year)
    print(f"{'children':>9}  {'input':<9} {'seconds':>8} {'children/s':>11} {'peak MB':>8}  findings")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            census = generate(n, year, seed=1, violations=("1103", "4220", "8630", "8525Q", "8875"))
            xml, xlsx = Path(tmp) / f"{n}.xml", Path(tmp) / f"{n}.xlsx"
            write_xml(census, year, xml, check=False)
            write_workbook(xlsx, census, year)
            for kind, path in (("XML", xml), ("workbook", xlsx)):
                out = subprocess.run([sys.executable, "-c", JOB, str(path)], capture_output=True, text=True,
                                     check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{n:>9,}  {kind:<9} {r['seconds']:8.2f} {n / r['seconds']:11,.0f} {r['peak_mb']:8.0f}  "
                      f"{r['findings']}", flush=True)


if __name__ == "__main__":
    main()
