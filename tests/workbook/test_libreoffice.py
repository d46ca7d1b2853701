"""The template of every year opens in LibreOffice: a headless conversion to PDF succeeds."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.workbook import template_bytes

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_templates_convert_to_pdf(tmp_path):
    books = []
    for label in SUPPORTED_YEARS:
        path = tmp_path / f"cin-{label}.xlsx"
        path.write_bytes(template_bytes(CensusYear.parse(label)))
        books.append(path)
    profile = tmp_path / "profile"  # a private profile: no clash with another running soffice
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, books)],
                          capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr and "error" not in proc.stdout.lower(), proc.stdout + proc.stderr
    for book in books:
        pdf = book.with_suffix(".pdf")
        assert pdf.exists() and pdf.stat().st_size > 10_000
        assert pdf.read_bytes()[:5] == b"%PDF-"
