"""Pictures of the Trends sheet for the user guide's key figures section (needs LibreOffice and pdftoppm).

    python docs/images/render_trends.py      # writes docs/images/trends-sheet.png and trends-charts.png

Makes seven consecutive synthetic years of one authority (2020-21 to 2026-27, each continuing the year
before), runs ``cin-xl report ... -o trends.xlsx`` on them (given newest first), and pictures the sheet's
top (title, notes, where a series breaks, the counts) and its charts. Cropping as ``render.py`` does.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import HERE, first_page_png

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.reports.trends_sheet import TRENDS_SHEET
from cin_xl.synthetic.years import generate_run

DPI = 110


def _picture(xlsx: Path, first: int, last: int, png: Path, tmp: Path) -> None:
    wb = load_workbook(xlsx)
    ws = wb[TRENDS_SHEET]
    ws.print_area = f"A{first}:{ws.cell(1, ws.max_column).column_letter}{last}"
    ws.row_breaks.brk = []
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    for side in ("left", "right", "top", "bottom"):
        setattr(ws.page_margins, side, 0.2)
    ws.page_margins.header = ws.page_margins.footer = 0
    one = tmp / f"{png.stem}.xlsx"
    wb.save(one)
    first_page_png(one, png, tmp, dpi=DPI, margin=40)  # the charts' borders are pale


def render(out_dir: Path = HERE) -> list[Path]:
    from cin_xl.cli import main
    from cin_xl.xml.writer import write_xml

    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        sys.exit("render_trends.py needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        paths = []
        for label, census in zip(SUPPORTED_YEARS, generate_run(400, SUPPORTED_YEARS[0], len(SUPPORTED_YEARS),
                                                               seed=3)):
            paths.append(tmp / f"cin-{label}.xml")
            write_xml(census, CensusYear.parse(label), paths[-1])
        book = tmp / "trends.xlsx"
        main(["report", *map(str, reversed(paths)), "-o", str(book)])
        ws = load_workbook(book)[TRENDS_SHEET]
        sections = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).fill.fgColor.rgb == "001D70B8"]
        charts = sections[-1]
        written = [out_dir / "trends-sheet.png", out_dir / "trends-charts.png"]
        _picture(book, 1, sections[-2] - 2, written[0], tmp)  # down to the end of the counts
        _picture(book, charts, ws.max_row, written[1], tmp)
    return written


if __name__ == "__main__":
    for p in render():
        print(p.relative_to(HERE.parent.parent), p.stat().st_size)
