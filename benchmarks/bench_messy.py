"""Every step of issues 10 and 20's table on a messy generated return, each in a fresh process, against the targets.

    python benchmarks/bench_messy.py                       # 5,000 and 20,000 children
    python benchmarks/bench_messy.py --children 20000 --no-profile  # quicker: without naming what holds a target back
    python benchmarks/bench_messy.py --huge                # also the 170,000-child XML validate (slow)

The return has about one finding per child (``generate(..., mistakes=BENCHMARK_RATE)``). Each step
runs in its own Python process, as a user would run it; its time is the wall time of that process
(interpreter start and imports included; for the Excel buttons, the Python function only, as the
workbook snapshot arrives from Excel) and its memory the process's peak resident set
(``ru_maxrss``). Times are also given as a ratio to an lxml parse of the same XML, timed in the same
run (best of three), so that figures from a slower or busier machine compare. Each step is checked
against issue 20's targets; a step that misses one is run again under cProfile and the benchmark
says which part of it holds it back and by how much (``--no-profile`` skips that).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

#: issue 20's targets on the 20,000-child messy return: time as a multiple of the lxml parse (per step below:
#: export 10x, --annotate 12x, every other workbook step 10x; the steps on census XML alone keep issue 10's),
#: peak memory of every step; the 170,000-child XML's memory
MEMORY_TARGET_MB = 300
HUGE_MEMORY_TARGET_MB = 1536


@dataclass
class Step:
    key: str
    label: str
    #: the command: CLI arguments (run as ``cin-xl ...``) or an Excel job name (run through xlwings' remote engine)
    args: tuple[str, ...]
    target: float | None
    excel: bool = False


STEPS = (
    Step("validate-xml", "validate FILE.xml", ("validate", "{xml}"), 6),
    Step("validate-xml-report", "validate FILE.xml --report out.json",
         ("validate", "{xml}", "--report", "{tmp}/out.json", "--force"), 7),
    Step("import", "import FILE.xml -o FILE.xlsx", ("import", "{xml}", "-o", "{tmp}/imported.xlsx", "--force"), 10),
    Step("validate-xlsx", "validate FILE.xlsx", ("validate", "{xlsx}"), 10),
    Step("annotate", "validate FILE.xlsx --annotate", ("validate", "{tmp}/annotated.xlsx", "--annotate"), 12),
    Step("export", "export FILE.xlsx -o out.xml --allow-errors",
         ("export", "{xlsx}", "-o", "{tmp}/exported.xml", "--allow-errors", "--force"), 10),
    Step("report", "report FILE.xml -o figures.html", ("report", "{xml}", "-o", "{tmp}/figures.html", "--force"), 8),
    # issue 19: the report as an officer runs it before COLLECT, with the child-level lists and last year beside
    Step("report-full", "report ... --previous LAST.xml --lists DIR",
         ("report", "{xml}", "-o", "{tmp}/figures-full.html", "--previous", "{previous}", "--lists", "{tmp}/lists",
          "--force"), 8),
    Step("excel-validate", "Excel Validate (Python side)", ("validate",), 10, excel=True),
    Step("excel-clear", "Excel Clear marks (Python side)", ("clear",), 10, excel=True),
    Step("excel-export", "Excel Export XML (Python side)", ("export",), 10, excel=True),
)

#: the parts of a step, for naming what holds a missed target back: label -> (module path, function) whose
#: cumulative time is that part's (the first found counts; parts may nest, the largest is named)
PARTS = (
    ("reading the XML into the model", "cin_xl/xml/reader.py", "read_xml"),
    ("checking the XML against the census schema (XSD)", "cin_xl/xml/xsd.py", "schema_problems"),
    ("checking each child against the census schema (XSD), as the XML is read or written", "cin_xl/xml/xsd.py",
     "child"),
    ("reading the workbook's sheets from the package", "cin_xl/workbook/reader.py", "workbook_grids"),
    ("turning workbook rows into the model", "cin_xl/workbook/reader.py", "read_grids"),
    ("reading the sheets' values from Excel (xlwings)", "cin_xl/excel/book.py", "book_values"),
    ("reading the workbook from Excel's snapshot", "cin_xl/excel/book.py", "read_book"),
    ("validation (rules, with the structural checks)", "cin_xl/validation/__init__.py", "_validate"),
    ("the structural checks", "cin_xl/validation/structural.py", "check_return"),
    ("writing the workbook", "cin_xl/workbook/writer.py", "workbook_bytes"),
    ("writing the marks into the workbook (annotate)", "cin_xl/workbook/annotate.py", "write_plan"),
    ("drawing the Summary sheet (annotate)", "cin_xl/workbook/annotate.py", "write_summary"),
    ("planning the marks", "cin_xl/workbook/marks.py", "plan_marks"),
    ("sending the marks to Excel", "cin_xl/excel/book.py", "write_marks"),
    ("writing the XML, checked against the census schema child by child", "cin_xl/xml/writer.py", "to_xml_bytes"),
    ("locating the schema breaks in the workbook", "cin_xl/workbook/export.py", "export_problems"),
    ("writing the findings report", "cin_xl/reports/findings.py", "write"),
    ("the summary text", "cin_xl/reports/findings.py", "text"),
    ("computing the key figures", "cin_xl/reports/figures/compute.py", "compute_figures"),
    ("writing the HTML report", "cin_xl/reports/html.py", "write_html"),
    ("reading last year's return (--previous)", "cin_xl/jobs/load.py", "load_previous"),
    ("the continuity checks against last year's return", "cin_xl/validation/continuity.py", "check_continuity"),
    ("writing the child-level lists as CSV", "cin_xl/reports/child_lists.py", "write_lists"),
    ("importing Python modules", "<frozen importlib._bootstrap>", "_find_and_load"),
)


def _excel_runner() -> str:
    """The code a fresh process runs for one Excel job: open the snapshot as an xlwings remote book, time the job."""
    return f"""
import json, sys, time, os
sys.path.insert(0, {str(ROOT)!r})
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw
from cin_xl import excel
snapshot = json.load(open(sys.argv[1]))
book = xw.Book(json=snapshot)
job = sys.argv[2]
started = time.perf_counter()
if job == "validate":
    excel.validate(book)
elif job == "clear":
    excel.clear(book)
else:
    excel.export_xml(book, sys.argv[3], allow_errors=True)
print("ELAPSED", time.perf_counter() - started)
"""


def run_process(argv: list[str], *, profile: Path | None = None) -> tuple[float, float, float | None, int, str]:
    """(wall seconds, peak MB, seconds the process reported itself or None, exit code, stderr tail).

    The child is reaped with ``os.wait4`` for its own peak memory (``RUSAGE_CHILDREN`` would give the
    largest of all children so far).
    """
    if profile is not None:
        argv = [argv[0], "-m", "cProfile", "-o", str(profile), *argv[1:]]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    own = None
    for line in stdout.splitlines():
        if line.startswith("ELAPSED "):
            own = float(line.split()[1])
    peak_kb = usage.ru_maxrss
    peak_mb = peak_kb / (1024 * 1024) if sys.platform == "darwin" else peak_kb / 1024
    return elapsed, peak_mb, own, proc.returncode, stderr.strip()[-300:]


def lxml_parse_seconds(xml: Path) -> float:
    """Best of three lxml parses of ``xml``, in a fresh process."""
    code = ("import time,sys\nfrom lxml import etree\nbest=9e9\nfor _ in range(3):\n"
            " t=time.perf_counter(); etree.parse(sys.argv[1]); best=min(best,time.perf_counter()-t)\n"
            "print('ELAPSED', best)")
    return run_process([sys.executable, "-c", code, str(xml)])[2]


def prepare(n: int, year: str, tmp: Path, *, excel: bool) -> dict[str, Path]:
    from cin_xl.census.years import CensusYear
    from cin_xl.synthetic.generate import generate
    from cin_xl.synthetic.messy import BENCHMARK_RATE
    from cin_xl.workbook.writer import write_workbook
    from cin_xl.xml.writer import write_xml

    started = time.perf_counter()
    census = generate(n, year, seed=1, mistakes=BENCHMARK_RATE)
    files = {"xml": tmp / "census.xml", "xlsx": tmp / "census.xlsx", "tmp": tmp, "previous": tmp / "previous.xml"}
    write_xml(census, CensusYear.parse(year), files["xml"], check=False)
    write_workbook(files["xlsx"], census, CensusYear.parse(year), force=True)
    del census
    # last year's return of the same size, its children numbered as this year's are (continuity compares them)
    last_year = CensusYear(CensusYear.parse(year).first - 1)
    write_xml(generate(n, last_year, seed=2, mistakes=BENCHMARK_RATE), last_year, files["previous"], check=False)
    if excel:
        from tests.excel_harness import book_json_from_xlsx

        files["snapshot"] = tmp / "snapshot.json"
        files["snapshot"].write_text(json.dumps(book_json_from_xlsx(files["xlsx"])))
    print(f"  (made the files in {time.perf_counter() - started:.0f} s: XML {files['xml'].stat().st_size / 1e6:.0f} MB, "
          f"workbook {files['xlsx'].stat().st_size / 1e6:.0f} MB)", flush=True)
    return files


def prepare_elsewhere(n: int, year: str, tmp: Path, *, excel: bool) -> dict[str, Path]:
    """:func:`prepare` in a process of its own.

    On Linux a child's peak memory (``ru_maxrss``) starts from its parent's size when it was forked:
    this process must stay small, or every step would seem to need what the generator needed.
    """
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import bench_messy as b; from pathlib import Path; "
            "b.prepare(int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), excel=sys.argv[5] == '1')")
    proc = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(n), year, str(tmp),
                           "1" if excel else "0"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"could not make the files: {proc.stderr.strip()[-500:]}")
    print(proc.stdout.rstrip(), flush=True)
    files = {"xml": tmp / "census.xml", "xlsx": tmp / "census.xlsx", "tmp": tmp, "previous": tmp / "previous.xml"}
    if excel:
        files["snapshot"] = tmp / "snapshot.json"
    return files


def command(step: Step, files: dict[str, Path]) -> list[str]:
    if step.excel:
        job = step.args[0]
        runner = files["tmp"] / "excel_job.py"
        runner.write_text(_excel_runner())
        return [sys.executable, str(runner), str(files["snapshot"]), job, str(files["tmp"] / "excel.xml")]
    args = [a.format(**{k: str(v) for k, v in files.items()}) for a in step.args]
    return [sys.executable, "-m", "cin_xl.cli", *args]


def parts_of(profile: Path) -> list[tuple[str, float]]:
    """The known parts of a profiled run with their cumulative seconds, largest first."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
        for label, path, name in PARTS:
            if func == name and filename.replace(os.sep, "/").endswith(path):
                found[label] = max(found.get(label, 0.0), cumulative)
    return sorted(found.items(), key=lambda kv: -kv[1])


def bench(n: int, year: str, steps: list[Step], *, profile: bool, keep: Path | None) -> list[dict]:
    print(f"\n{n:,} children, census {year}, messy", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(dir=keep) as tmp_name:
        tmp = Path(tmp_name)
        files = prepare_elsewhere(n, year, tmp, excel=any(s.excel for s in steps))
        parse = lxml_parse_seconds(files["xml"])
        print(f"  lxml parse of the XML: {parse:.2f} s\n")
        print(f"  {'step':<46} {'time':>8} {'x lxml':>7} {'peak MB':>8}  target", flush=True)
        for step in steps:
            if step.key == "annotate":
                shutil.copyfile(files["xlsx"], tmp / "annotated.xlsx")
            argv = command(step, files)
            wall, peak, own, code, err = run_process(argv)
            seconds = own if own is not None else wall
            ratio = seconds / parse
            verdict = []
            if step.target is not None:
                verdict.append(f"<= {step.target:g}x " + ("met" if ratio <= step.target else "MISSED"))
            verdict.append(f"<= {MEMORY_TARGET_MB} MB " + ("met" if peak <= MEMORY_TARGET_MB else "MISSED"))
            print(f"  {step.label:<46} {seconds:7.2f}s {ratio:6.1f}x {peak:8.0f}  {'; '.join(verdict)}", flush=True)
            if code not in (0, 1, 2) or "Traceback" in err:  # 2: the messy XML breaks the schema, as expected
                print(f"      exit code {code}: {err}")
            row = {"step": step.key, "seconds": seconds, "ratio": ratio, "peak_mb": peak, "exit": code}
            rows.append(row)
            missed_time = step.target is not None and ratio > step.target
            if profile and missed_time:
                prof = tmp / f"{step.key}.prof"
                if step.key == "annotate":
                    shutil.copyfile(files["xlsx"], tmp / "annotated.xlsx")
                run_process(argv, profile=prof)
                parts = parts_of(prof)
                over = seconds - step.target * parse
                print(f"      over the {step.target:g}x target by {over:.2f} s "
                      f"({step.target * parse:.2f} s allowed); under cProfile its parts take:")
                for label, cum in parts[:6]:
                    print(f"        {cum:7.2f} s  {label}")
            if peak > MEMORY_TARGET_MB:
                print(f"      {memory_shortfall(peak, MEMORY_TARGET_MB, n)}")
        for row in rows:
            row["lxml_parse"] = parse
    return rows


def baseline_mb() -> float:
    """Peak memory of a process that only imports what the steps import (the interpreter, lxml, openpyxl...)."""
    code = "import cin_xl.cli, cin_xl.jobs.validate, cin_xl.excel, cin_xl.reports.figures, cin_xl.workbook.annotate, xlwings"
    return run_process([sys.executable, "-c", code])[1]


_BASELINE: list[float] = []


def memory_shortfall(peak: float, target: float, children: int) -> str:
    """Says by how much memory is over and what holds it: the return in memory, per child."""
    if not _BASELINE:
        _BASELINE.append(baseline_mb())
    per_child = (peak - _BASELINE[0]) * 1024 / children
    return (f"{peak - target:.0f} MB over the memory target: {_BASELINE[0]:.0f} MB of interpreter and modules, "
            f"the rest the file and the return read from it, {per_child:.1f} KB a child (records with their "
            f"origins, findings; for workbooks also the sheets' cells)")


def huge(year: str, keep: Path | None, n: int = 170_000) -> None:
    """The 170,000-child XML validate: time and memory (the file made in another process, see
    :func:`prepare_elsewhere`)."""
    print(f"\n{n:,} children, census {year}, messy: validate FILE.xml", flush=True)
    with tempfile.TemporaryDirectory(dir=keep) as tmp_name:
        xml = Path(tmp_name) / "huge.xml"
        code = ("import sys; from cin_xl.synthetic.generate import generate; from cin_xl.synthetic.messy import BENCHMARK_RATE; "
                "from cin_xl.xml.writer import write_xml; from cin_xl.census.years import CensusYear; "
                "write_xml(generate(int(sys.argv[1]), sys.argv[2], seed=1, mistakes=BENCHMARK_RATE), "
                "CensusYear.parse(sys.argv[2]), sys.argv[3], check=False)")
        subprocess.run([sys.executable, "-c", code, str(n), year, str(xml)], cwd=ROOT, check=True)
        parse = lxml_parse_seconds(xml)
        wall, peak, _own, code, err = run_process(
            [sys.executable, "-m", "cin_xl.cli", "validate", str(xml)])
        print(f"  XML {xml.stat().st_size / 1e6:.0f} MB; lxml parse {parse:.2f} s; validate {wall:.1f} s "
              f"({wall / parse:.1f}x), peak {peak:.0f} MB: <= {HUGE_MEMORY_TARGET_MB} MB "
              f"{'met' if peak <= HUGE_MEMORY_TARGET_MB else 'MISSED'}")
        if peak > HUGE_MEMORY_TARGET_MB:
            print(f"  {memory_shortfall(peak, HUGE_MEMORY_TARGET_MB, n)}")
        if code not in (0, 1, 2) or "Traceback" in err:
            print(f"  exit code {code}: {err}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--year", default="2026-27")
    parser.add_argument("--steps", nargs="+", choices=[s.key for s in STEPS], help="only these steps")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="do not profile the steps that miss a target (faster; the parts holding them back "
                             "are then not named)")
    parser.add_argument("--huge", action="store_true", help="also validate a 170,000-child XML (slow)")
    parser.add_argument("--tmp", type=Path, help="folder for the generated files (default: the system's)")
    args = parser.parse_args()
    steps = [s for s in STEPS if not args.steps or s.key in args.steps]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cin-xl benchmark on messy returns; {os.cpu_count()} CPU(s), load average {load}; "
          f"Python {sys.version.split()[0]}")
    results = {n: bench(n, args.year, steps, profile=args.profile, keep=args.tmp) for n in args.children}
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"\ntime per child, {large:,} against {small:,} children (1.0 = linear):")
        for a, b in zip(results[small], results[large]):
            growth = (b["ratio"] * b["lxml_parse"] / large) / (a["ratio"] * a["lxml_parse"] / small)
            print(f"  {a['step']:<22} {growth:5.2f}")
    if args.huge:
        huge(args.year, args.tmp)


if __name__ == "__main__":
    main()
