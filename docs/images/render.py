"""Render a picture of each sheet of a sample workbook for the user guide (needs LibreOffice).

    python docs/images/render.py            # writes docs/images/<sheet>.png

It builds a 2026-27 workbook of a few synthetic children with three mistakes in the first rows,
validates it and writes the marks as ``cin-xl validate --annotate`` does, then prints each sheet alone (first rows only) to PDF with LibreOffice
headless and turns the first page into a small PNG with pdftoppm.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cin_xl.census.years import CensusYear
from cin_xl.reports.list_sheets import SHEET_NAMES
from cin_xl.workbook.layout import LISTS, MODULE_BY_SHEET, RETURN, START, sheet_layout, sheet_names
from cin_xl.workbook.writer import workbook_bytes

HERE = Path(__file__).resolve().parent
YEAR = CensusYear.parse("2026-27")
#: sheet -> (last column to show, or None for the sheet's data + Issues column; rows to show)
SHOW = {START: ("B", 28), RETURN: ("D", 13), "Issues": ("G", 8), "Looked-after": (None, 8)}
#: hidden in the workbook, so not pictured
HIDDEN = {LISTS}
#: sheets validation adds (besides Summary and Issues): the first child-level list
LIST_SHEETS = [SHEET_NAMES["assessments_working_days"]]
SHOW[LIST_SHEETS[0]] = ("G", 20)
ROWS = 14


def sample():
    """A few synthetic children, with some mistakes put in the first rows so they show in the pictures."""
    from datetime import timedelta

    from cin_xl.synthetic.generate import generate

    census = generate(150, YEAR, seed=3)
    children = census.children
    children[1].characteristics.ethnicity = "ZZZZ"  # an invalid code: error 4220
    children[3].identifiers.person_birth_date = None  # no date of birth: query 8525Q
    episode = children[4].cin_details[0]
    episode.closure_date = episode.referral_date - timedelta(days=3)  # error 8630
    episode.reason_for_closure = episode.reason_for_closure or "RC7"
    census.header.source.serial_no = "1"  # a serial number of one digit: marked on the Return sheet
    return census


def illustrate(census) -> bytes:
    """The workbook with the marks exactly as ``cin-xl validate --annotate`` writes them (real validation, real
    plan, the same writer)."""
    from cin_xl.jobs.annotate import annotate
    from cin_xl.jobs.validate import validate_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.xlsx"
        path.write_bytes(workbook_bytes(census, YEAR))
        report = validate_file(path, YEAR.label)
        annotate(path, report.loaded.workbook, report.findings)
        return path.read_bytes()


DPI = 80


def content_box(pgm: bytes, margin: int = 6) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the non-white part of a binary PGM page."""
    parts = pgm.split(maxsplit=4)
    width, height, data = int(parts[1]), int(parts[2]), parts[4]
    rows = [r for r in range(height) if min(data[r * width:(r + 1) * width]) < 200]
    cols = [c for c in range(width) if min(data[c::width]) < 200]
    if not rows or not cols:
        return 0, 0, width, height
    x0, y0 = max(0, cols[0] - margin), max(0, rows[0] - margin)
    return x0, y0, min(width, cols[-1] + margin) - x0, min(height, rows[-1] + margin) - y0


def first_page_png(xlsx: Path, png: Path, tmp: Path, *, dpi: int = DPI, margin: int = 6) -> None:
    """The first printed page of ``xlsx`` (through LibreOffice and pdftoppm) as ``png``, cropped to what is
    drawn on it."""
    import shutil
    import subprocess

    subprocess.run([shutil.which("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    pdf = str(xlsx.with_suffix(".pdf"))
    gray = tmp / png.stem
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", pdf, str(gray)],
                   check=True)
    x, y, w, h = content_box(gray.with_suffix(".pgm").read_bytes(), margin=margin)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-x", str(x), "-y",
                    str(y), "-W", str(w), "-H", str(h), pdf, str(png.with_suffix(""))], check=True)


def render(out_dir: Path = HERE) -> list[Path]:
    soffice = shutil.which("soffice")
    if not soffice or not shutil.which("pdftoppm"):
        sys.exit("render.py needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    census = sample()
    buf = io.BytesIO(illustrate(census))
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        files = []
        for name in [*sheet_names(YEAR), *LIST_SHEETS]:
            if name in HIDDEN:
                continue
            wb = load_workbook(io.BytesIO(buf.getvalue()))
            for ws in wb.worksheets:
                ws.sheet_state = "visible" if ws.title == name else "hidden"
            wb.active = wb.sheetnames.index(name)
            ws = wb[name]
            last, rows = SHOW.get(name, (None, ROWS))
            if last is None:
                n = len(sheet_layout(name, YEAR).columns) if name in MODULE_BY_SHEET else 4
                last = get_column_letter(n + 1)
            ws.print_area = f"A1:{last}{rows}"
            ws.page_setup.orientation = "landscape"
            ws.page_setup.paperSize = ws.PAPERSIZE_A3
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
            ws.print_options.gridLines = True
            ws.print_options.headings = True
            for side in ("left", "right", "top", "bottom"):
                setattr(ws.page_margins, side, 0.2)
            ws.page_margins.header = ws.page_margins.footer = 0
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            path = tmpdir / f"{slug}.xlsx"
            wb.save(path)
            files.append((slug, path))
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmpdir),
                        *[str(p) for _, p in files]], check=True, capture_output=True, timeout=300)
        for slug, path in files:
            pdf = str(path.with_suffix(".pdf"))
            gray = tmpdir / slug
            subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", pdf,
                            str(gray)], check=True)
            x, y, w, h = content_box(gray.with_suffix(".pgm").read_bytes())
            png = out_dir / f"{slug}.png"
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile",
                            "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), pdf, str(png.with_suffix(""))],
                           check=True)
            written.append(png)
    return written


if __name__ == "__main__":
    for p in render():
        print(p.relative_to(HERE.parent.parent), p.stat().st_size)
