"""Pictures of the key figures page, the trends page and the Summary sheet for the user guide (needs Chromium,
LibreOffice and pdftoppm).

    python docs/images/render_report.py           # writes docs/images/report-*.png, trends.png, summary-sheet.png

Makes synthetic returns of one authority (2025-26, and 2026-27 with a few mistakes), runs
``cin-xl report`` on it with ``--previous`` and ``--lists`` and pictures parts of the page in headless Chromium (a
1280-pixel window, each part alone: the rest hidden by a style added to a copy of the page); makes seven
consecutive years of one authority (2020-21 to 2026-27) and pictures the trends page; imports the 2026-27 return
into a workbook, validates it with ``--annotate --previous`` and pictures the first page of its Summary sheet as
LibreOffice prints it. Chromium is driven by ``tests/chromium.py``, the tests' own helper.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))
from render import content_box  # noqa: E402

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear  # noqa: E402
from cin_xl.cli import main  # noqa: E402
from cin_xl.synthetic.messy import add_mistakes  # noqa: E402
from cin_xl.synthetic.years import generate_run  # noqa: E402
from cin_xl.xml.writer import write_xml  # noqa: E402
from tests.chromium import CHROMIUM, page_height, screenshot  # noqa: E402
from tests.libreoffice import PDFTOPPM, SOFFICE, only_sheet, to_pdf  # noqa: E402

LAST, THIS = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")
#: the pictures are taken in a window this wide, then scaled by SCALE (smaller files; text still readable)
WIDTH, SCALE = 1280, 0.75
#: a section alone: the header, the banner and every other section hidden
_ALONE = "header,.phase,footer,main > :not({section}){{display:none}} main{{padding:0}} h2{{margin-top:10px}}"

#: picture -> (page, style added to show only that part)
REPORT_PICTURES = {
    # the top: title, banner, contents and headline figures; nothing below them
    "report-top": "main > section, footer{display:none}",
    # COLLECT's reports, each linked to the figures showing the same
    "report-collect": _ALONE.format(section="#collect"),
    # COLLECT's "Assessments working days summary": the bands of working days, chart and table
    "report-working-days": _ALONE.format(section="#timeliness")
    + " #timeliness > :not(h2, .figure:has(#assessment-days-t), #fig-assessment_working_days){display:none}",
    # year on year: each key figure beside last year's, changes to check flagged, and the percentages' chart
    "report-year-on-year": _ALONE.format(section="#continuity")
    + " #continuity > :not(h2, #fig-year_on_year, .figure:has(#yoy-t)){display:none}",
}
#: the trends page: the breaks, the first rows of the counts and their charts (the timeliness part below left out)
TRENDS_CSS = ("body > main > ul:first-of-type, h2:nth-of-type(3), h2:nth-of-type(3) ~ *, tbody tr:nth-child(n+7), "
              ".charts figure:nth-child(n+7){display:none}")


def _cin_xl(*argv: str) -> None:
    """Run a ``cin-xl`` command, its printing kept out of the script's."""
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main([*argv, "--quiet"])
    if code not in (0, 1):  # 1: the return has errors, as it should
        sys.exit(f"cin-xl {' '.join(argv)} failed:\n{out.getvalue()}")


def _needs() -> None:
    missing = [name for name, found in (("Chromium", CHROMIUM), ("LibreOffice (soffice)", SOFFICE),
                                        ("pdftoppm (poppler-utils)", PDFTOPPM)) if not found]
    if missing:
        sys.exit(f"render_report.py needs {', '.join(missing)}")


def _shoot(page: Path, css: str, png: Path) -> Path:
    height = page_height(page, width=WIDTH, css=css)
    return screenshot(page, png, width=WIDTH, height=height, css=css, scale=SCALE)


def report_pictures(tmp: Path, out_dir: Path) -> list[Path]:
    # the last two of four years of one authority: by then its numbers have settled, as a real authority's have
    _, _, last, this = generate_run(400, "2023-24", 4, seed=4)
    add_mistakes(this, THIS, 0.02, seed=4)
    write_xml(last, LAST, tmp / "cin-2025-26.xml")
    write_xml(this, THIS, tmp / "cin-2026-27.xml", check=False)
    page = tmp / "figures.html"
    _cin_xl("report", str(tmp / "cin-2026-27.xml"), "--previous", str(tmp / "cin-2025-26.xml"), "--lists",
            str(tmp / "lists"), "-o", str(page))
    return [_shoot(page, css, out_dir / f"{name}.png") for name, css in REPORT_PICTURES.items()]


def trends_picture(tmp: Path, out_dir: Path) -> Path:
    folder = tmp / "years"
    folder.mkdir()
    paths = []
    for label, census in zip(SUPPORTED_YEARS, generate_run(300, "2020-21", 7, seed=2)):
        paths.append(folder / f"cin-{label}.xml")
        write_xml(census, CensusYear.parse(label), paths[-1])
    page = folder / "trends.html"
    _cin_xl("report", *map(str, paths), "-o", str(page))
    return _shoot(page, TRENDS_CSS, out_dir / "trends.png")


def summary_picture(tmp: Path, out_dir: Path, dpi: int = 100) -> Path:
    book = tmp / "cin-2026-27.xlsx"
    _cin_xl("import", str(tmp / "cin-2026-27.xml"), "-o", str(book))
    _cin_xl("validate", str(book), "--annotate", "--previous", str(tmp / "cin-2025-26.xml"))
    summary = only_sheet(book, "Summary", tmp / "summary.xlsx")
    to_pdf(summary, tmp)
    pdf = str(summary.with_suffix(".pdf"))
    gray = tmp / "summary-gray"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", pdf, str(gray)],
                   check=True)
    x, y, w, h = content_box(gray.with_suffix(".pgm").read_bytes())
    png = out_dir / "summary-sheet.png"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-x", str(x), "-y",
                    str(y), "-W", str(w), "-H", str(h), pdf, str(png.with_suffix(""))], check=True)
    return png


def render(out_dir: Path = HERE) -> list[Path]:
    _needs()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        return [*report_pictures(tmp, out_dir), trends_picture(tmp, out_dir), summary_picture(tmp, out_dir)]


if __name__ == "__main__":
    for p in render():
        print(p.relative_to(HERE.parent.parent), p.stat().st_size)
