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
