"""``cin-xl validate FILE.xml`` in one process against two (``--jobs 1`` / ``--jobs 2``), in the same run.

    python benchmarks/bench_jobs.py                      # 5,000 and 20,000 children, 5 rounds each
    python benchmarks/bench_jobs.py --children 20000 --rounds 9 --file xlsx

Each round runs both, alternately, each in a fresh process (as a user runs the command), on the same
generated messy return (about one finding per child). For each: wall time, CPU time (user + system of the
command and of its worker), peak resident memory (VmHWM) of the command and of the worker, the findings'
bytes sent back, and whether the findings were the same. The machine may be shared: the medians and the
ratio of the two in the same run are the figures to quote, with the load average printed beside them; the
command's own CPU time (its critical path when the worker has a core to itself) says what an idle second
core would save, whatever the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: run in the fresh process: the command, then what it measured of itself, as one JSON line on stderr's last line
DRIVER = """
import io, json, os, sys, contextlib
from cin_xl.cli import main
from cin_xl.validation import parallel
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[2:])
last = parallel.LAST
with open(sys.argv[1], "w") as f:
    t = os.times()
    json.dump({"code": code, "peak_kb": parallel.peak_kb(), "own_cpu": t.user + t.system, "processes": last.processes,
               "worker_peak_kb": last.worker_peak_kb, "worker_private_kb": last.worker_private_kb, "bytes_back": last.bytes_back, "retried": last.retried,
               "unpickle": last.unpickle_seconds, "worker_seconds": last.worker_seconds,
               "own": last.own_seconds, "wait": last.wait_seconds,
               "summary_hash": hash(out.getvalue())}, f)
"""


def make(n: int, year: str, folder: Path, kind: str) -> Path:
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from pathlib import Path\n"
            "from cin_xl.census.years import CensusYear\n"
            "from cin_xl.synthetic.generate import generate\n"
            "from cin_xl.synthetic.messy import BENCHMARK_RATE\n"
            "y = CensusYear.parse(sys.argv[3]); c = generate(int(sys.argv[2]), y, seed=1, mistakes=BENCHMARK_RATE)\n"
            "p = Path(sys.argv[4])\n"
            "if p.suffix == '.xml':\n"
            "    from cin_xl.xml.writer import write_xml; write_xml(c, y, p, check=False)\n"
            "else:\n"
            "    from cin_xl.workbook.writer import write_workbook; write_workbook(p, c, y, force=True)\n")
    path = folder / f"census-{n}.{kind}"
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(n), year, str(path)], check=True, cwd=ROOT)
    return path


def run(path: Path, jobs: int, stats: Path, report: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(stats), "validate", str(path), "--jobs", str(jobs),
                           "--report", str(report), "--force", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"validate failed: {proc.stderr[-800:]}")
    got = json.loads(stats.read_text())
    got["wall"] = wall
    got["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    got["findings"] = report.read_bytes()
    return got


def mb(kb: int | None) -> str:
    return f"{kb / 1024:.0f}" if kb else "-"


def bench(n: int, year: str, rounds: int, kind: str, folder: Path) -> None:
    path = make(n, year, folder, kind)
    results: dict[int, list[dict]] = {1: [], 2: []}
    for r in range(rounds):
        for jobs in ((1, 2) if r % 2 == 0 else (2, 1)):
            results[jobs].append(run(path, jobs, folder / "stats.json", folder / "findings.json"))
    same = all(a["findings"] == b["findings"] and a["summary_hash"] == b["summary_hash"]
               for a, b in zip(results[1], results[2]))
    load = os.getloadavg()
    print(f"\n{n:,} children, {kind}, {rounds} rounds (load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}); "
          f"findings and summary identical: {same}")
    print(f"  {'':9}{'wall s (median, min)':>22}{'CPU s':>8}{'parent CPU':>11}{'parent MB':>11}{'worker MB':>11}{'own MB':>8}{'back kB':>9}"
          f"{'unpickle s':>12}{'processes':>10}")
    for jobs, got in results.items():
        walls = [g["wall"] for g in got]
        print(f"  --jobs {jobs}{statistics.median(walls):>14.2f} {min(walls):>6.2f}"
              f"{statistics.median(g['cpu'] for g in got):>8.2f}"
              f"{statistics.median(g['own_cpu'] for g in got):>11.2f}"
              f"{mb(int(statistics.median(g['peak_kb'] for g in got))):>11}"
              f"{mb(max((w or 0 for g in got for w in g['worker_peak_kb']), default=None)):>11}"
              f"{mb(max((w or 0 for g in got for w in g['worker_private_kb']), default=None)):>8}"
              f"{statistics.median(g['bytes_back'] for g in got) / 1024:>9.0f}"
              f"{statistics.median(g['unpickle'] for g in got):>12.3f}{got[0]['processes']:>10}")
    one = statistics.median(g["wall"] for g in results[1])
    two = statistics.median(g["wall"] for g in results[2])
    pairs = [b["wall"] / a["wall"] for a, b in zip(results[1], results[2])]
    print(f"  two processes take {two / one:.2f} of one's wall time (median of the rounds' ratios "
          f"{statistics.median(pairs):.2f}): {100 * (1 - two / one):.0f}% saved")
    # the command's own CPU time is its critical path when the worker ends first and has a core to itself:
    # what a machine with an idle second core would save, whatever the load here
    cpu_one = statistics.median(g["own_cpu"] for g in results[1])
    cpu_two = statistics.median(g["own_cpu"] for g in results[2])
    print(f"  the command's own CPU time with a worker is {cpu_two / cpu_one:.2f} of one process's "
          f"({100 * (1 - cpu_two / cpu_one):.0f}% less: the saving on an idle second core)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--year", default="2026-27")
    parser.add_argument("--file", choices=("xml", "xlsx"), default="xml")
    args = parser.parse_args()
    print(f"cin-xl validate, one process against two; {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.children:
            bench(n, args.year, args.rounds, args.file, Path(tmp))


if __name__ == "__main__":
    main()
