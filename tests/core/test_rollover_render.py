"""A page of the rollover workbook's Start, Assessments, Section 47 and Issues sheets, rendered through LibreOffice
(skipped where it is absent, as the other rendering tests are).

The pictures are for a person to look at (no text printed over the next row); the test checks what can be
checked without eyes: LibreOffice opens the workbook, prints each sheet, and keeps the rows' heights, so
that a wrapped Issues text has the room it needs on the page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.years import generate_years
from cin_xl.workbook.issues import row_height
from cin_xl.xml.writer import write_xml

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
SHEETS = {"Start": "B30", "Assessments": "H14", "Section 47": "H8", "Issues": "G16"}


def render_pages(book: Path, out_dir: Path, sheets: dict[str, str] = SHEETS) -> dict[str, Path]:
    """Each sheet alone (its first rows, to the cell given) as a PNG of its first page, and the workbook
    LibreOffice saved back (``<sheet>.xlsx``), in ``out_dir``."""
    out: dict[str, Path] = {}
    files = []
    for name, last in sheets.items():
        wb = load_workbook(book)
        for ws in wb.worksheets:
            ws.sheet_state = "visible" if ws.title == name else "hidden"
        wb.active = wb.sheetnames.index(name)
        ws = wb[name]
        ws.print_area = f"A1:{last}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A3
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
        ws.print_options.gridLines = True
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = out_dir / f"{slug}.xlsx"
        wb.save(path)
        files.append((name, slug, path))
    profile = out_dir / "profile"  # a private profile: no clash with another running soffice
    subprocess.run([str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out_dir), *[str(p) for *_, p in files]],
                   check=True, capture_output=True, timeout=300)
    for name, slug, path in files:
        png = out_dir / f"{slug}.png"
        subprocess.run([str(PDFTOPPM), "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                        str(path.with_suffix(".pdf")), str(png.with_suffix(""))], check=True, timeout=120)
        out[name] = png
    return out


@pytest.mark.skipif(SOFFICE is None or PDFTOPPM is None, reason="LibreOffice (soffice) and pdftoppm are not installed")
def test_rollover_workbook_renders_with_room_for_every_line(tmp_path):
    last, _ = generate_years(150, "2025-26", seed=4)
    xml = tmp_path / "last.xml"
    write_xml(last, CensusYear.parse("2025-26"), xml)
    book = tmp_path / "new.xlsx"
    assert main(["rollover", str(xml), "-o", str(book)]) == 0
    pages = render_pages(book, tmp_path)
    assert all(p.stat().st_size > 5_000 for p in pages.values())
    # LibreOffice keeps the heights: converted back to .xlsx, each wrapped Issues text still has its lines
    profile = tmp_path / "profile"
    subprocess.run([str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "back"), str(book)],
                   check=True, capture_output=True, timeout=300)
    wb = load_workbook(tmp_path / "back" / book.name)
    ws = wb["Assessments"]
    issues = next(c.column_letter for c in ws[1] if c.value == "Issues")
    sized = [(r, ws.row_dimensions[r].height, row_height(ws[f"{issues}{r}"].value))
             for r in range(2, ws.max_row + 1) if ws[f"{issues}{r}"].value]
    assert sized and all(h is not None and h >= want - 1 for _, h, want in sized), sized
