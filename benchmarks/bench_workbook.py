"""Benchmark: write and read back a census workbook of 20,000 children.

    python benchmarks/bench_workbook.py [--children 20000] [--year 2026-27] [--keep FILE.xlsx]

Prints the time to write the workbook, the time to read it (the package reader, then the model),
the peak Python memory of the read (tracemalloc, a second read) and the peak resident memory of a
process that only reads it; then, against an lxml parse of the same return's XML timed in the same
run (issue 10's basis), the read split into its two halves (the sheets' values; the return built
from them) and ``cin-xl validate FILE.xlsx`` in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def make_return(n: int, year):
    try:
        from cin_xl.synthetic.generate import generate
    except ImportError:  # before the generator existed: replicate the hand-made return
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from rules.base import base_return  # type: ignore[import-not-found]

        census = base_return(year.label)
        template = census.children
        census.children = []
        for i in range(n):
            child = template[i % len(template)].copy()
            child.identifiers.la_child_id = f"C{i:07d}"
            census.children.append(child)
        return census
    return generate(n, year, seed=1)


# ru_maxrss survives fork+exec on Linux (it would report the parent's peak): read VmHWM when there is one.
_CHILD = """
import resource, sys, time
from cin_xl.workbook import read_workbook
t = time.perf_counter()
r = read_workbook(sys.argv[1])
took = time.perf_counter() - t
try:
    with open("/proc/self/status") as fh:
        peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(took, peak, len(r.census.children))
"""


def main(argv: list[str] | None = None) -> int:
    from cin_xl.census.years import CensusYear
    from cin_xl.workbook import read_workbook, write_workbook

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--year", default="2026-27")
    parser.add_argument("--keep", metavar="FILE.xlsx", help="keep the workbook here")
    args = parser.parse_args(argv)
    year = CensusYear.parse(args.year)

    census = make_return(args.children, year)
    rows = {"episodes": sum(len(c.cin_details) for c in census.children)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.xlsx"
        t = time.perf_counter()
        write_workbook(path, census, year, force=True)
        write_s = time.perf_counter() - t

        xml_path = Path(tmp) / "bench.xml"
        from cin_xl.xml import write_xml

        write_xml(census, year, xml_path)
        from lxml import etree

        lxml_s = min(_timed(lambda: etree.parse(str(xml_path))) for _ in range(3))

        from cin_xl.workbook.reader import read_grids, workbook_grids

        grids_s = _timed(lambda: workbook_grids(path))
        grids = workbook_grids(path)
        core_s = _timed(lambda g=grids: read_grids(g))
        del grids

        t = time.perf_counter()
        result = read_workbook(path)
        read_s = time.perf_counter() - t
        assert len(result.census.children) == args.children, "children lost on the way"

        tracemalloc.start()
        read_workbook(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        child = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                               check=True, env=dict(os.environ))
        child_s, maxrss_kb, _ = child.stdout.split()

        print(f"workbook: {args.children} children, {rows['episodes']} episodes, {year.label}, "
              f"{path.stat().st_size / 1e6:.1f} MB")
        print(f"write:    {write_s:.1f} s")
        print(f"read:     {read_s:.1f} s  (in a fresh process: {float(child_s):.1f} s)")
        print(f"memory:   peak Python allocations during read {peak / 1e6:.0f} MB (tracemalloc); "
              f"peak resident size of a read-only process {int(maxrss_kb) / 1024:.0f} MB")
        print(f"problems: {len(result.problems)}")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cin_xl.cli", "validate", str(path)], capture_output=True,
                       env=dict(os.environ))
        validate_s = time.perf_counter() - t
        print(f"ratios to an lxml parse of the same return's XML ({lxml_s:.2f} s): "
              f"sheets' values {grids_s:.2f} s ({grids_s / lxml_s:.1f}x), return from them {core_s:.2f} s "
              f"({core_s / lxml_s:.1f}x), read {read_s:.2f} s ({read_s / lxml_s:.1f}x), "
              f"cin-xl validate FILE.xlsx {validate_s:.1f} s ({validate_s / lxml_s:.0f}x; target 10x)")
    return 0


def _timed(step) -> float:
    t = time.perf_counter()
    step()
    return time.perf_counter() - t


if __name__ == "__main__":
    sys.exit(main())
