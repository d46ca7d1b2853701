"""The CLI contract on census XML: exit codes and messages naming line and element."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.xml import to_xml_bytes

YEAR = CensusYear.parse("2026-27")


@pytest.fixture
def good_xml(tmp_path):
    path = tmp_path / "census.xml"
    path.write_bytes(to_xml_bytes(generate(30, YEAR, 1), YEAR))
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_clean_file_exits_0(capsys, good_xml):
    code, out, _ = run(capsys, "validate", good_xml)
    assert code == 0 and "0 errors," in out  # small returns may draw return-level queries (2887Q)


def test_rule_errors_exit_1_with_report(capsys, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(to_xml_bytes(generate(30, YEAR, 1, violations=["1103", "4220"]), YEAR))
    report = tmp_path / "report.json"
    code, out, _ = run(capsys, "validate", path, "--report", report)
    assert code == 1
    assert "1103" in out and "4220" in out
    data = json.loads(report.read_text())
    assert data["year"] == "2026-27" and data["summary"]["errors"] == 2
    first = {f["code"]: f for f in data["findings"]}["1103"]
    assert first["path"].endswith("/AssessmentActualStartDate") and first["line"] > 0 and first["child"]
    assert set(first) == {"code", "severity", "message", "child", "sheet", "row", "cells", "path", "line"}


def test_csv_report(capsys, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(to_xml_bytes(generate(30, YEAR, 1, violations=["8630"]), YEAR))
    report = tmp_path / "report.csv"
    assert run(capsys, "validate", path, "--report", report)[0] == 1
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["code", "severity", "message"]
    assert [row for row in rows if row[:2] == ["8630", "error"]]


def _expect_unusable(capsys, tmp_path, content: bytes, *needles: str):
    path = tmp_path / "input.xml"
    path.write_bytes(content)
    code, out, err = run(capsys, "validate", path)
    assert code == 2
    text = out + err
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, (needle, text)
    return text


def test_truncated_xml(capsys, tmp_path, good_xml):
    data = good_xml.read_bytes()
    text = _expect_unusable(capsys, tmp_path, data[: len(data) // 2], "line ")
    assert "not well-formed" in text and "complete" in text


def test_wrong_root(capsys, tmp_path):
    _expect_unusable(capsys, tmp_path, b"<?xml version='1.0'?>\n<Census><Header/></Census>", "line 2", "<Census>")


def test_unknown_element(capsys, tmp_path, good_xml):
    data = good_xml.read_bytes().replace(b"<Ethnicity>", b"<Nickname>Bob</Nickname>\n        <Ethnicity>", 1)
    line = data.decode().splitlines().index(next(l for l in data.decode().splitlines() if "Nickname" in l)) + 1
    text = _expect_unusable(capsys, tmp_path, data, f"line {line}", "Nickname")
    # the child named by its LA child ID, as the rules' findings name it; no XPath for people
    assert re.search(rf"line {line}, child \S+, <Nickname>", text) and "/Message" not in text


def test_impossible_date(capsys, tmp_path, good_xml):
    lines = good_xml.read_text().splitlines()
    index = next(i for i, l in enumerate(lines) if "<CINreferralDate>" in l)
    lines[index] = "        <CINreferralDate>2026-02-30</CINreferralDate>"
    text = _expect_unusable(capsys, tmp_path, "\n".join(lines).encode(), f"line {index + 1}", "CINreferralDate",
                            "2026-02-30")
    assert "is not a date" in text


def test_dtd_with_entities_is_refused(capsys, tmp_path, good_xml):
    laughs = (b"<?xml version='1.0'?>\n<!DOCTYPE Message [\n <!ENTITY lol 'lol'>\n"
              b" <!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n]>\n"
              b"<Message><Header>&lol2;</Header></Message>")
    text = _expect_unusable(capsys, tmp_path, laughs, "DTD")
    assert "line" in text


def test_external_entity_is_refused(capsys, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (f"<?xml version='1.0'?>\n<!DOCTYPE Message [<!ENTITY x SYSTEM 'file://{secret}'>]>\n"
           "<Message><Header><CollectionDetails><Collection>&x;</Collection></CollectionDetails></Header></Message>")
    text = _expect_unusable(capsys, tmp_path, xxe.encode(), "DTD")
    assert "TOP-SECRET" not in text


def test_undeclared_entity_is_refused(capsys, tmp_path):
    _expect_unusable(capsys, tmp_path, b"<?xml version='1.0'?>\n<Message>\n<Header>&boom;</Header></Message>",
                     "line 3", "entit")


def test_missing_file_and_bad_year(capsys, tmp_path, good_xml):
    code, _, err = run(capsys, "validate", tmp_path / "nope.xml")
    assert code == 2 and "no such file" in err
    data = good_xml.read_bytes().replace(b"<Year>2027</Year>", b"<Year>1999</Year>")
    _expect_unusable(capsys, tmp_path, data, "1998-99", "Year")


def test_demo_writes_sample_files(capsys, tmp_path):
    from openpyxl import load_workbook

    from cin_xl.xml import read_xml

    code, out, _ = run(capsys, "demo", "-o", tmp_path, "-n", "60")
    assert code == 0
    for code_ in ("1103", "4220", "8630", "8875", "8525Q"):
        assert code_ in out
    marked = load_workbook(tmp_path / "sample-with-mistakes-2026-27.xlsx")
    issues = [r for r in marked["Issues"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert {"1103", "4220", "8630"} <= {r[0] for r in issues}
    clean = read_xml(tmp_path / "sample-2026-27.xml")
    assert len(clean.census.children) == 60 and clean.problems == []
    assert "<svg" in (tmp_path / "sample-2026-27-figures.html").read_text()


def test_rules_listing(capsys):
    code, out, _ = run(capsys, "rules", "--year", "2024-25", "--format", "json")
    data = json.loads(out)
    codes = {r["code"] for r in data["rules"]}
    assert code == 0 and "8525Q" in codes and "9005" not in codes
    assert all(r["implemented_by"] for r in data["rules"])
    code, out, _ = run(capsys, "rules", "--year", "2026-27")
    assert "9005" in out


def test_namespaced_file_is_read_but_flagged_against_the_schema(capsys, tmp_path, good_xml):
    from cin_xl.xml import read_xml

    data = good_xml.read_bytes().replace(b"<Message>", b'<Message xmlns="urn:example:cin">')
    read = read_xml(data)
    assert read.year == YEAR and len(read.census.children) == 30 and read.problems == []
    text = _expect_unusable(capsys, tmp_path, data, "XSD", "Message", "urn:example:cin")
    assert "COLLECT would reject" in text


def test_schema_location_attributes_are_accepted(capsys, tmp_path, good_xml):
    path = tmp_path / "xsi.xml"
    path.write_bytes(good_xml.read_bytes().replace(
        b"<Message>", b'<Message xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                      b'xsi:noNamespaceSchemaLocation="CIN.xsd">'))
    assert run(capsys, "validate", path)[0] == 0


def test_a_2023_24_file_is_validated_with_its_own_rules(capsys, tmp_path):
    year = CensusYear.parse("2023-24")
    census = generate(30, year, 4)
    census.children[0].identifiers.gender_current = "M"  # the Sex code in GenderCurrent: rule 4180 of 2023-24
    path = tmp_path / "old.xml"
    path.write_bytes(to_xml_bytes(census, year))
    code, out, err = run(capsys, "validate", path)
    assert code == 1 and "4180 error x1: Gender is missing" in out and "not included" not in out
    assert run(capsys, "import", path, "-o", tmp_path / "old.xlsx")[0] == 0


@pytest.mark.parametrize("label", ["2020-21", "2021-22"])
def test_a_year_without_its_dfe_rules_says_so_in_every_output(capsys, tmp_path, label):
    year = CensusYear.parse(label)
    census = generate(30, year, 4)
    census.children[0].identifiers.gender_current = "M"  # caught by the structural checks (code set)
    path = tmp_path / "old.xml"
    path.write_bytes(to_xml_bytes(census, year))
    note = f"The DfE validation rules of {label} are not included in cin-xl"
    code, out, err = run(capsys, "validate", path, "--report", tmp_path / "f.json")
    assert code == 1 and note in out and "Traceback" not in err
    assert {line.split()[0] for line in out.splitlines() if " x" in line and line[:1].isalnum()} <= {"X-CODE"}
    report = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert report["dfe_rules_included"] is False and note in report["note"]
    assert {f["code"] for f in report["findings"]} == {"X-CODE"}
    assert run(capsys, "template", "--year", label, "-o", tmp_path / "t.xlsx")[0] == 0
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert any(note in str(v) for row in wb["Start"].iter_rows(values_only=True) for v in row)
    wb.close()
    code, out, _ = run(capsys, "rules", "--year", label)
    assert code == 0 and note in out


def test_wrong_kind_of_file_and_unwritable_places_get_a_message(capsys, tmp_path, good_xml):
    code, _, err = run(capsys, "export", good_xml, "-o", tmp_path / "o.xml")
    assert code == 2 and "is census XML already" in err
    book = tmp_path / "t.xlsx"
    assert run(capsys, "template", "-o", book)[0] == 0
    code, _, err = run(capsys, "import", book, "-o", tmp_path / "i.xlsx")
    assert code == 2 and "is a workbook" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "import", good_xml, "-o", blocker / "sub" / "i.xlsx")
    assert code == 2 and "Traceback" not in err and "no file was changed" in err
