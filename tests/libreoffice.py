"""LibreOffice for the rendering tests and the user guide's pictures: one sheet of a workbook printed to PDF.

``only_sheet(book, sheet, out)`` copies a workbook with every other sheet hidden, editing the package's workbook part
only (openpyxl would drop the charts), so that LibreOffice prints that sheet alone; ``to_pdf`` converts with a
private profile (no clash with another running soffice). :data:`SOFFICE` and :data:`PDFTOPPM` are None where
LibreOffice or poppler-utils are absent (the tests skip; ``.ci/run`` installs them where it can).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def only_sheet(book: Path, sheet: str, out: Path) -> Path:
    """A copy of ``book`` at ``out`` with every sheet but ``sheet`` hidden and ``sheet`` the active one."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                root = etree.fromstring(data)
                sheets = root.findall(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")
                for element in sheets:
                    element.set("state", "visible" if element.get("name") == sheet else "hidden")
                view = root.find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
                if view is not None:
                    index = [e.get("name") for e in sheets].index(sheet)
                    view.set("activeTab", str(index))
                    view.set("firstSheet", str(index))
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b' tabSelected="1"', b"")
            dst.writestr(item, data)
    return out


def to_pdf(book: Path, out_dir: Path) -> Path:
    """``book`` printed to PDF by LibreOffice headless, in ``out_dir``."""
    assert SOFFICE is not None, "LibreOffice is not installed"
    profile = out_dir / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(book)], check=True, capture_output=True,
                   timeout=300)
    pdf = out_dir / f"{book.stem}.pdf"
    assert pdf.is_file(), f"LibreOffice did not print {book.name}"
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext)."""
    assert PDFTOTEXT is not None, "pdftotext (poppler-utils) is not installed"
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                          timeout=120).stdout.decode("utf-8")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pages_showing(pdf: Path, phrase: str, work: Path) -> set[int]:
    """The pages (0-based) of ``pdf`` on which ``phrase`` is drawn where it can be seen: text a page clips away (a
    chart LibreOffice puts on the page before its own, then clips) is in the PDF's text but not on the page, so
    each place the words are found is drawn (pdftoppm, in ``work``) and kept only if it has ink."""
    assert PDFTOTEXT is not None and PDFTOPPM is not None, "poppler-utils is not installed"
    xml = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=120).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True))
    wanted = phrase.split()
    shown: set[int] = set()
    for number, page in enumerate(root.iter("{*}page")):
        words = list(page.iter("{*}word"))
        texts = [w.text or "" for w in words]
        for at in range(len(words) - len(wanted) + 1):
            if texts[at:at + len(wanted)] != wanted:
                continue
            box = words[at:at + len(wanted)]
            x0, y0 = min(float(w.get("xMin")) for w in box), min(float(w.get("yMin")) for w in box)
            x1, y1 = max(float(w.get("xMax")) for w in box), max(float(w.get("yMax")) for w in box)
            root_name = work / f"ink-{number}-{at}"
            subprocess.run([PDFTOPPM, "-f", str(number + 1), "-l", str(number + 1), "-r", "72", "-gray",
                            "-x", str(int(x0)), "-y", str(int(y0)), "-W", str(int(x1 - x0) + 1),
                            "-H", str(int(y1 - y0) + 1), str(pdf), str(root_name)], check=True, timeout=120)
            (image,) = work.glob(f"{root_name.name}*.pgm")
            data = image.read_bytes()
            pixels = data.split(b"\n", 3)[3]  # P5, width height, 255, then the grey bytes
            if min(pixels, default=255) < 128:
                shown.add(number)
    return shown
