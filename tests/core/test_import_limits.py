"""Import: element paths count like XPath (unknown siblings do not shift them), and a value longer than
an Excel cell holds is refused with a finding on its element, never cut."""

from __future__ import annotations

import pytest
from lxml import etree

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.reader import read_workbook
from cin_xl.workbook.writer import EXCEL_CELL_LIMIT, TOO_LONG, cell_limit_problems, write_workbook
from cin_xl.xml import read_xml, to_xml_bytes
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")


def census_root(n: int = 10):
    return etree.fromstring(to_xml_bytes(generate(n, YEAR, 5), YEAR))


def test_paths_after_an_unknown_sibling_count_only_children():
    root = census_root()
    children = root.find("Children")
    stray = etree.Element("Stray")
    children.insert(0, stray)  # before the first <Child>
    result = read_xml(etree.tostring(root))
    seventh = result.census.children[6]
    assert seventh._origin.path == "/Message/Children/Child[7]"
    # and the element that path names in the document is that child
    assert root.xpath("/Message/Children/Child[7]")[0].find("ChildIdentifiers/LAchildID").text == \
        seventh.identifiers.la_child_id
    stray_problem = [p for p in result.problems if "Stray" in p.message]
    assert stray_problem and stray_problem[0].path == "/Message/Children/Stray"


def test_findings_locate_the_right_child_after_an_unknown_sibling(tmp_path):
    root = census_root()
    children = root.find("Children")
    children.insert(3, etree.Element("Note"))
    target = root.xpath("/Message/Children/Child[7]/ChildIdentifiers/LAchildID")[0]
    target.text = "bad id!"  # not letters and digits: a finding on this element
    path = tmp_path / "c.xml"
    path.write_bytes(etree.tostring(root))
    from cin_xl.jobs.validate import validate_file

    report = validate_file(path)
    on_id = [f for f in report.findings if f.path and f.path.endswith("/LAchildID") and f.child == "bad id!"]
    assert on_id and all(f.path.startswith("/Message/Children/Child[7]/") for f in on_id)
    written = etree.fromstring(path.read_bytes()).xpath("/Message/Children/Child[7]/ChildIdentifiers/LAchildID")[0]
    assert written.text == "bad id!" and all(f.line == written.sourceline for f in on_id)


def long_value_xml(tmp_path, length: int):
    root = census_root()
    upn = root.xpath("/Message/Children/Child[3]/ChildIdentifiers/UPN")
    el = upn[0] if upn else etree.SubElement(root.xpath("/Message/Children/Child[3]/ChildIdentifiers")[0], "UPN")
    el.text = "A" * length
    path = tmp_path / "long.xml"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    line = etree.fromstring(path.read_bytes()).xpath("/Message/Children/Child[3]/ChildIdentifiers/UPN")[0].sourceline
    return path, line


def test_a_value_longer_than_a_cell_is_refused_with_its_element(tmp_path, capsys):
    path, line = long_value_xml(tmp_path, EXCEL_CELL_LIMIT + 1)
    out = tmp_path / "out.xlsx"
    code = main(["import", str(path), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and not list(tmp_path.glob(".*.tmp"))
    assert TOO_LONG in err and f"line {line}, child C0050000003, UPN" in err and "/Message" not in err
    assert "32,768 characters" in err and "A" * 100 not in err  # the value itself is not echoed
    problems = cell_limit_problems(read_xml(path).census, YEAR)
    assert [(p.code, p.path, p.line) for p in problems] == [
        (TOO_LONG, "/Message/Children/Child[3]/ChildIdentifiers/UPN", line)]


def test_a_value_that_just_fits_is_imported_whole(tmp_path, capsys):
    path, _ = long_value_xml(tmp_path, EXCEL_CELL_LIMIT)
    out = tmp_path / "out.xlsx"
    assert main(["import", str(path), "-o", str(out)]) in (0, 1)
    back = read_workbook(out).census
    assert back.children[2].identifiers.upn == "A" * EXCEL_CELL_LIMIT
    assert to_xml_bytes(back, YEAR, check=False) == to_xml_bytes(read_xml(path).census, YEAR, check=False)


def test_no_workbook_writer_cuts_a_value(tmp_path):
    census = generate(5, YEAR, 1)
    census.children[1].identifiers.la_child_id = "x" * (EXCEL_CELL_LIMIT + 10)
    from cin_xl.errors import UnusableInput

    with pytest.raises(UnusableInput, match="longer than an Excel cell"):
        write_workbook(tmp_path / "w.xlsx", census, YEAR)
    assert not list(tmp_path.iterdir())


def test_excel_import_button_refuses_a_value_longer_than_a_cell(tmp_path):
    path, _ = long_value_xml(tmp_path, EXCEL_CELL_LIMIT + 1)
    empty = tmp_path / "template.xlsx"
    write_workbook(empty, None, YEAR)
    result = run_excel_function(excel.import_xml, empty, None, path)
    assert not result.value.ok and "longer than an Excel cell" in result.value.message
    assert "child C0050000003, UPN" in result.value.message and "/Message" not in result.value.message
    assert result.calls.get("setValues", 0) == 0


def test_text_equal_to_an_excel_error_value_is_kept_as_text(tmp_path):
    """"#N/A" typed in census XML is the user's text: imported as a text cell, never as Excel's error."""
    import openpyxl

    census = generate(3, YEAR, 5)
    census.children[1].identifiers.upn = "#N/A"
    census.children[2].cin_details[0].referral_source = "#DIV/0!"
    path = tmp_path / "book.xlsx"
    write_workbook(path, census, YEAR, force=True)
    sheets = openpyxl.load_workbook(path)
    cells = [c for ws in sheets for row in ws.iter_rows() for c in row if c.value in ("#N/A", "#DIV/0!")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    back = read_workbook(path).census
    assert back.children[1].identifiers.upn == "#N/A"
    assert back.children[2].cin_details[0].referral_source == "#DIV/0!"
