"""Text that looks like OOXML's ``_xHHHH_`` escape is kept as typed through a workbook.

Excel stores a character XML cannot hold as ``_xHHHH_`` and a literal ``_x`` sequence of that shape
with its underscore escaped (``_x005F_``). A child ID such as ``_x0041_`` must come back as
``_x0041_``, not as ``A``.
"""

from __future__ import annotations

from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.package.write import Package, excel_text
from cin_xl.workbook.reader import read_workbook
from cin_xl.xml import to_xml_bytes

YEAR = CensusYear.parse("2026-27")
LOOKALIKES = ["_x0041_", "ID_x000D_1", "_x005F_x0041_", "plain_x_text"]


def test_excel_text_escapes_lookalikes_and_only_them():
    assert excel_text("_x0041_") == "_x005F_x0041_"
    assert excel_text("plain_x_text") == "plain_x_text"
    assert excel_text("a\x01b") == "a_x0001_b"


def test_import_export_keeps_text_that_looks_like_an_escape(tmp_path, capsys):
    root = etree.fromstring(to_xml_bytes(generate(10, YEAR, 3), YEAR))
    for child, text in zip(root.find("Children").findall("Child"), LOOKALIKES):
        child.find("ChildIdentifiers").find("LAchildID").text = text
    xml = tmp_path / "in.xml"
    xml.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    workbook = tmp_path / "book.xlsx"
    assert main(["import", str(xml), "-o", str(workbook)]) in (0, 1)
    ids = [c.identifiers.la_child_id for c in read_workbook(workbook).census.children[:len(LOOKALIKES)]]
    assert ids == LOOKALIKES
    capsys.readouterr()


def test_the_package_writer_keeps_text_that_looks_like_an_escape(tmp_path):
    workbook = tmp_path / "book.xlsx"
    assert main(["template", "--year", YEAR.label, "-o", str(workbook)]) == 0
    pkg = Package(workbook)
    for row, text in enumerate(LOOKALIKES, start=2):
        pkg.sheet("Children").set(f"A{row}", text)
    pkg.commit()
    from cin_xl.workbook.package.read import sheet_values

    rows = sheet_values(workbook, lambda name: name == "Children")["Children"]
    assert [rows[r].get(0) for r in range(1, 1 + len(LOOKALIKES))] == LOOKALIKES
