"""Pictures for the user guide's "Starting a new census year" (needs LibreOffice and pdftoppm).

    python docs/images/render_new_year.py      # writes docs/images/new-year-*.png

Makes a synthetic pair of years (2025-26 and 2026-27 of one authority), runs ``cin-xl rollover`` on
the first, and pictures the new workbook's Assessments sheet (cells marked to fill in) and, after a
date of birth is changed and the workbook validated against last year's return, its Return and
Children sheets, as ``cin-xl validate --previous --annotate`` marks them. Page set-up and cropping
are those of ``render.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import HERE, first_page_png

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.years import generate_years

LAST, YEAR = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")
#: picture -> (sheet, last column, rows)
PICTURES = {"new-year-assessments": ("Assessments", "J", 8), "new-year-return": ("Return", "C", 13),
            "new-year-children": ("Children", "L", 8)}


def _picture(xlsx: Path, sheet: str, last: str, rows: int, png: Path, tmp: Path) -> None:
    wb = load_workbook(xlsx)
    for ws in wb.worksheets:
        ws.sheet_state = "visible" if ws.title == sheet else "hidden"
    wb.active = wb.sheetnames.index(sheet)
    ws = wb[sheet]
    ws.print_area = f"A1:{last}{rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    ws.print_options.gridLines = ws.print_options.headings = True
    for side in ("left", "right", "top", "bottom"):
        setattr(ws.page_margins, side, 0.2)
    ws.page_margins.header = ws.page_margins.footer = 0
    one = tmp / f"{png.stem}.xlsx"
    wb.save(one)
    first_page_png(one, png, tmp)


def render(out_dir: Path = HERE) -> list[Path]:
    from cin_xl.cli import main
    from cin_xl.xml.writer import write_xml

    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        sys.exit("render_new_year.py needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    last, _this = generate_years(60, LAST, seed=3)
    written = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        last_xml = tmp / "census-2025-26.xml"
        write_xml(last, LAST, last_xml)
        new = tmp / "cin-2026-27.xlsx"
        main(["rollover", str(last_xml), "-o", str(new)])
        shots = [(new, "new-year-assessments")]
        checked = tmp / "checked.xlsx"
        wb = load_workbook(new)
        children = wb["Children"]
        birth = next(c.column_letter for c in children[1] if c.value == "Date of birth")
        row = next(r for r in range(2, children.max_row + 1) if children[f"{birth}{r}"].value)
        children[f"{birth}{row}"] = children[f"{birth}{row}"].value - timedelta(days=1)
        ret = wb["Return"]
        next(r for r in ret.iter_rows(min_row=2) if r[0].value == "Last year's return")[1].value = last_xml.name
        wb.save(checked)
        main(["validate", str(checked), "--annotate"])
        shots += [(checked, "new-year-return"), (checked, "new-year-children")]
        for xlsx, name in shots:
            sheet, column, rows = PICTURES[name]
            png = out_dir / f"{name}.png"
            _picture(xlsx, sheet, column, rows, png, tmp)
            written.append(png)
    return written


if __name__ == "__main__":
    for p in render():
        print(p.relative_to(HERE.parent.parent), p.stat().st_size)
