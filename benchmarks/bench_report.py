"""Key figures report of a generated return: time and memory of each step and of the whole command.

    python benchmarks/bench_report.py --children 20000 [--year 2026-27] [--no-trace]

The target: ``cin-xl report FILE.xml`` (load, validate, work out the figures, write the HTML) in
under 10 s for 20,000 children. tracemalloc (Python peak) slows Python-heavy steps by about 2x;
--no-trace gives clean timings. The last line runs the whole command in a fresh process (never
traced) and gives its time and peak memory (resident set size).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import step

from cin_xl.census.years import CensusYear
from cin_xl.jobs.validate import load
from cin_xl.reports.child_lists import lists_csv
from cin_xl.reports.figures import compute_figures
from cin_xl.reports.html import render_html
from cin_xl.reports.summary_sheet import write_summary_sheet
from cin_xl.synthetic.generate import generate
from cin_xl.validation import validate
from cin_xl.xml import write_xml

# the command as a user runs it, reporting its own peak resident memory (VmHWM, Linux) on stderr: a
# child's rusage would also count the memory this process had when it forked
_RUN = """import sys
from cin_xl.cli import main
code = main(sys.argv[1:])
try:
    with open("/proc/self/status") as status:
        sys.stderr.write(next(f"PEAK_KB {line.split()[1]}" for line in status if line.startswith("VmHWM")) + "\\n")
except (OSError, StopIteration):
    pass
sys.exit(code)
"""


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
        path, html = Path(tmp) / "census.xml", Path(tmp) / "report.html"
        write_xml(generate(n, year, seed=1, violations=["1103", "4220", "8630"]), year, path)
        print(f"{'':<34} file size {path.stat().st_size / 1e6:.1f} MB")
        with step("load (parse + XSD + model)", n, results, trace_python=trace):
            loaded = load(path)
        with step("validate (all rules)", n, results, trace_python=trace):
            findings = loaded.problems + validate(loaded.census, loaded.year)
        with step("figures", n, results, trace_python=trace):
            figures = compute_figures(loaded.census, loaded.year, findings, source=str(path))
        with step("figures with the child-level lists", n, results, trace_python=trace):
            with_lists = compute_figures(loaded.census, loaded.year, findings, source=str(path), lists=True)
        with step("lists as one CSV", n, results, trace_python=trace):
            lists_csv(with_lists)
        with step("HTML", n, results, trace_python=trace):
            page = render_html(figures)
        with step("Summary sheet (openpyxl, in memory)", n, results, trace_python=trace):
            from openpyxl import Workbook

            write_summary_sheet(Workbook(), figures)
        print(f"\nfigures: {len(figures.results)}; HTML {len(page) / 1e3:.0f} kB; findings {len(findings)}\n")
        # the whole command in a fresh process (start-up and imports included), as a user runs it
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _RUN, "report", str(path), "-o", str(html)],
                              check=False, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    peak = next((f"{int(line.split()[1]) / 1024:.0f} MB" for line in done.stderr.splitlines()
                 if line.startswith("PEAK_KB ")), "not known (no /proc)")
    verdict = "OK" if elapsed < 10 and done.returncode == 0 else "TOO SLOW" if elapsed >= 10 else "FAILED"
    print(f"cin-xl report FILE.xml -o report.html: {elapsed:.2f} s, exit {done.returncode}, "
          f"peak memory {peak}  [{verdict}: target < 10 s]")
    if done.returncode:
        print(done.stderr)


if __name__ == "__main__":
    main()
