"""The Excel buttons on a large workbook, through xlwings' remote engine: calls to Excel and time.

    python benchmarks/bench_excel.py --children 20000

Builds a filled template with a few mistakes, opens it as an ``xw.Book(json=...)`` (as xlwings
Server / Lite would), runs Validate and Clear, and prints the number of calls (actions) per sheet
and the time of each step. The calls do not depend on the number of children.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from _measure import peak_rss_mb

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.validation.findings import plural
from cin_xl.workbook.writer import write_workbook
from tests.excel_harness import book_json_from_xlsx, close_book


def _per_sheet(actions: list[dict], names: list[str]) -> Counter:
    """Calls per sheet name, following sheets added on the way (positions are recorded at the time)."""
    names, out = list(names), Counter()
    for action in actions:
        if action["func"] == "addSheet":
            names.insert(action["args"][0], action["args"][1])
            out[action["args"][1]] += 1
        else:
            out[names[action["sheet_position"]] if action["sheet_position"] is not None else "(book)"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--year", default="2026-27")
    args = parser.parse_args()
    year = CensusYear.parse(args.year)
    import xlwings as xw

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "census.xlsx"
        census = generate(args.children, year, seed=1, violations=("1103", "4220", "8630", "8525Q", "8875"))
        write_workbook(path, census, year)
        started = time.perf_counter()
        snapshot = book_json_from_xlsx(path)
        print(f"{args.children:,} children; snapshot of the workbook (what Excel sends) "
              f"{time.perf_counter() - started:.2f} s")
        names = [s["name"] for s in snapshot["sheets"]]
        for name, func in (("validate", excel.validate), ("clear", excel.clear)):
            book = xw.Book(json=copy.deepcopy(snapshot))  # the engine updates the snapshot it is given
            started = time.perf_counter()
            result = func(book)
            elapsed = time.perf_counter() - started
            actions = book.json()["actions"]
            per_sheet = _per_sheet(actions, names)
            close_book(book)
            print(f"\n{name}: {elapsed:.2f} s, {len(actions)} calls to Excel, process peak {peak_rss_mb():.0f} MB; "
                  f"{result.message}")
            for sheet, calls in per_sheet.items():
                print(f"    {sheet!s:<26} {plural(calls, 'call')}")


if __name__ == "__main__":
    main()
