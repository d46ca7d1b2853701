"""Sheet parts in any encoding XML allows are read and written back whole (issue 18, 5); a Strict Open XML
workbook is refused with one line before anything is written (issue 18, 10)."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from cin_xl.cli import main
from cin_xl.jobs.load import load
from tests.excel.test_excel_buttons import make_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=30)
    wb = load_workbook(path)
    ws = wb["Children"]
    team = ws.max_column + 1
    ws.cell(1, team).value = "Équipe"
    for r in range(2, ws.max_row + 1):
        ws.cell(r, team).value = f"Renée & Zoë {r}"
    wb.save(path)
    return path


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(path, parts) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _sheet_part(parts, sheet: str) -> str:
    book = etree.fromstring(parts["xl/workbook.xml"])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["xl/_rels/workbook.xml.rels"])}
    rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
               for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == sheet)
    return "xl/" + rels[rid].lstrip("/").removeprefix("xl/")


def _encode(text: str, encoding: str) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    return (declaration + body).encode(encoding)


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "UTF-16", "windows-1252"])
def test_a_sheet_part_in_another_encoding_is_read_and_annotated_whole(workbook, encoding, capsys):
    parts = _parts(workbook)
    name = _sheet_part(parts, "Children")
    parts[name] = _encode(parts[name].decode("utf-8"), encoding)
    _write(workbook, parts)
    children = len(load(workbook).census.children)
    assert children == 30
    assert main(["validate", str(workbook), "--annotate"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    etree.fromstring(_parts(workbook)[name])  # well-formed
    ws = load_workbook(workbook)["Children"]
    team = [c.value for c in ws[1]].index("Équipe") + 1
    assert [ws.cell(r, team).value for r in range(2, 32)] == [f"Renée & Zoë {r}" for r in range(2, 32)]
    assert any(isinstance(ws.cell(r, team - 2).value, str) for r in range(2, 32))  # the marks were written
    assert len(load(workbook).census.children) == children
    assert main(["validate", str(workbook), "--annotate"]) == 1  # and again
    capsys.readouterr()


def test_a_strict_open_xml_workbook_is_refused_with_one_line(workbook, capsys):
    parts = _parts(workbook)
    for name in parts:
        if name.startswith("xl/") and name.endswith(".xml"):
            parts[name] = parts[name].replace(MAIN.encode(), STRICT.encode())
    _write(workbook, parts)
    before = workbook.read_bytes()
    code = main(["validate", str(workbook), "--annotate"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "Strict" in err and len(err.strip().splitlines()) == 1
    assert workbook.read_bytes() == before
