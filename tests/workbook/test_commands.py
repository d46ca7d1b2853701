"""cin-xl template, import and export."""

from __future__ import annotations

import sys
import types
from datetime import datetime

import pytest
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.workbook import read_workbook
from cin_xl.xml import read_xml, to_xml_bytes
from tests.workbook.helpers import base_return

Y = CensusYear.parse("2026-27")

FAULTY = b"""<?xml version='1.0' encoding='UTF-8'?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2027</Year><ReferenceDate>2027-03-31</ReferenceDate>
    </CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>202</LEA><SoftwareCode>x</SoftwareCode><Release>1</Release>
      <SerialNo>001</SerialNo><DateTime>2027-04-02T09:00:00</DateTime></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>=cmd|'/c calc'!A1</LAchildID><PersonBirthDate>2015-02-30</PersonBirthDate>
        <Sex>F</Sex><ShoeSize>4</ShoeSize></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>ZZZZ</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2026-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
        <ReferralNFA>maybe</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""


def run(*argv):
    return main([str(a) for a in argv])


def test_template_for_each_year_and_overwrite(tmp_path, capsys):
    for label in ("2024-25", "2025-26", "2026-27"):
        out = tmp_path / f"t-{label}.xlsx"
        assert run("template", "--year", label, "-o", out) == 0
        wb = load_workbook(out)
        assert ("Pre-proceedings" in wb.sheetnames) == (label == "2026-27")
        assert wb.sheetnames[:3] == ["Start", "Return", "Children"]
        assert wb.sheetnames[-3:] == ["Looked-after", "Lists", "Issues"]
        assert {"SummaryErrors", "SummaryQueries", "SummaryLastRun", "ChildIDs", "CensusYear"} <= set(wb.defined_names)
    out = tmp_path / "t-2026-27.xlsx"
    before = out.read_bytes()
    assert run("template", "--year", "2026-27", "-o", out) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == before
    assert run("template", "--year", "2026-27", "-o", out, "--force") == 0


def test_template_features(tmp_path):
    out = tmp_path / "t.xlsx"
    run("template", "--year", "2026-27", "-o", out)
    wb = load_workbook(out)
    ws = wb["Referrals"]
    assert [c.value for c in ws[1]][:3] == ["LA child ID", "Referral date", "Referral source"]
    assert "N00152" in ws["C1"].comment.text and "1A" in ws["C1"].comment.text
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref.startswith("A1:")
    dvs = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert dvs["A2"].formula1 == "ChildIDs" and dvs["C2"].formula1 == "List_ReferralSource"
    assert dvs["B2"].type == "date" and dvs["C2"].showInputMessage and dvs["C2"].prompt
    assert [c.value for c in ws[1]][-2:] == ["Issues", "Marks"]
    marks = ws[1][-1].column_letter
    assert ws.column_dimensions[marks].hidden
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any('":E "' in r.formula[0] and f"${marks}2" in r.formula[0] for r in rules)
    assert any('":Q "' in r.formula[0] for r in rules)
    lists = wb["Lists"]
    assert "1A - Individual: family member, relative or carer" in [c.value for c in lists["E"]] or any(
        "1A - Individual" in str(c.value) for row in lists.iter_rows() for c in row)
    ret = wb["Return"]
    labels = {r[0].value: r[1].value for r in ret.iter_rows(min_row=2)}
    assert labels["Census year"] == "2026-27" and labels["Year"] == 2027
    assert labels["Reference date"].date() == Y.reference_date and labels["LA code"] is None


def test_template_sample_uses_the_generator(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_generate(n, year, seed=0):
        calls.append((n, year, seed))
        return base_return(year.label)

    monkeypatch.setitem(sys.modules, "cin_xl.synthetic.generate", types.SimpleNamespace(generate=fake_generate))
    out = tmp_path / "s.xlsx"
    assert run("template", "--year", "2025-26", "--sample", 2, "-o", out) == 0
    assert calls == [(2, CensusYear.parse("2025-26"), 0)]
    read = read_workbook(out)
    assert [c.la_child_id for c in read.census.children] == ["A1", "B2"]


def test_template_sample_with_the_real_generator(tmp_path):
    pytest.importorskip("cin_xl.synthetic.generate")
    out = tmp_path / "s.xlsx"
    assert run("template", "--year", "2026-27", "--sample", 25, "-o", out) == 0
    assert len(read_workbook(out).census.children) == 25


def test_import_then_export_is_byte_identical(tmp_path, capsys):
    original = to_xml_bytes(base_return("2025-26"), CensusYear.parse("2025-26"))
    src, book, back = tmp_path / "in.xml", tmp_path / "book.xlsx", tmp_path / "out.xml"
    src.write_bytes(original)
    assert run("import", src, "-o", book) == 0
    assert run("export", book, "-o", back) == 0
    assert back.read_bytes() == original
    assert run("import", src, "-o", book) == 2  # will not overwrite the workbook
    assert run("import", src, "-o", book, "--force") == 0


def test_import_of_a_faulty_xml_still_makes_the_workbook(tmp_path, capsys):
    src, book = tmp_path / "bad.xml", tmp_path / "bad.xlsx"
    src.write_bytes(FAULTY)
    assert run("import", src, "-o", book) == 1
    out = capsys.readouterr().out
    assert "ShoeSize" in out and "Issues sheet" in out
    wb = load_workbook(book)
    ch = wb["Children"]
    row = {h.value: c for h, c in zip(ch[1], ch[2])}
    assert row["LA child ID"].value == "=cmd|'/c calc'!A1" and row["LA child ID"].data_type == "s"
    assert row["Date of birth"].value == "2015-02-30"
    assert row["Ethnicity"].value == "ZZZZ"
    issues = [[c.value for c in r] for r in wb["Issues"].iter_rows(min_row=2)]
    assert any(r[0] == "XML" and "ShoeSize" in r[2] and "line" in (r[5] or "") for r in issues)
    ref = {h.value: c.value for h, c in zip(wb["Referrals"][1], wb["Referrals"][2])}
    assert ref["Referral with no further action"] == "maybe"
    # and the workbook reads back what was in the XML, bad values included
    assert to_xml_bytes(read_workbook(book).census, Y, check=False) == \
        to_xml_bytes(read_xml(FAULTY).census, Y, check=False)


def test_export_refused_names_the_cells(tmp_path, capsys):
    src, book, out = tmp_path / "bad.xml", tmp_path / "bad.xlsx", tmp_path / "out.xml"
    src.write_bytes(FAULTY)
    run("import", src, "-o", book)
    capsys.readouterr()
    assert run("export", book, "-o", out) == 1
    err = capsys.readouterr().err
    assert not out.exists()
    assert "Children!E2" in err  # the impossible date of birth
    assert "Referrals!H2" in err  # ReferralNFA "maybe"


def test_export_of_an_empty_template_points_at_the_la_code(tmp_path, capsys):
    book, out = tmp_path / "t.xlsx", tmp_path / "t.xml"
    run("template", "--year", "2026-27", "-o", book)
    assert run("export", book, "-o", out) == 1
    err = capsys.readouterr().err
    assert "Return!B7" in err and "LA code" in err and not out.exists()


def test_export_refuses_rows_that_could_not_be_placed(tmp_path, capsys):
    from openpyxl import load_workbook as lw

    src, book, out = tmp_path / "in.xml", tmp_path / "b.xlsx", tmp_path / "o.xml"
    src.write_bytes(to_xml_bytes(base_return("2026-27"), Y))
    run("import", src, "-o", book)
    wb = lw(book)
    wb["Assessments"]["A2"] = "NOBODY"
    wb.save(book)
    capsys.readouterr()
    assert run("export", book, "-o", out) == 1
    err = capsys.readouterr().err
    assert "Assessments!A2" in err and "No child NOBODY" in err and not out.exists()


def test_export_fills_the_date_time_when_blank(tmp_path, capsys):
    book, out = tmp_path / "s.xlsx", tmp_path / "s.xml"
    src = tmp_path / "in.xml"
    census = base_return("2026-27")
    census.header.source.date_time = None
    src.write_bytes(to_xml_bytes(census, Y, check=False))
    run("import", src, "-o", book)
    before = datetime.now().replace(microsecond=0)
    assert run("export", book, "-o", out) == 0
    stamp = read_xml(out).census.header.source.date_time
    assert before <= stamp <= datetime.now()


def test_export_with_year_override_and_unusable_files(tmp_path, capsys):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert run("export", junk, "-o", tmp_path / "x.xml") == 2
    assert "not a readable .xlsx" in capsys.readouterr().err
    assert run("export", tmp_path / "missing.xlsx", "-o", tmp_path / "x.xml") == 2
    book = tmp_path / "b.xlsx"
    src = tmp_path / "in.xml"
    src.write_bytes(to_xml_bytes(base_return("2026-27"), Y))
    run("import", src, "-o", book)
    assert run("export", book, "-o", tmp_path / "x.xml", "--year", "2030-31") == 2


def test_export_refuses_while_validation_errors_remain_unless_allowed(tmp_path, capsys):
    census = base_return("2026-27")
    census.children[0].characteristics.ethnicity = "ZZZZ"  # rule 4220: an error, though the XML is well formed
    src, book, out = tmp_path / "in.xml", tmp_path / "b.xlsx", tmp_path / "o.xml"
    src.write_bytes(to_xml_bytes(census, Y))
    run("import", src, "-o", book)
    capsys.readouterr()
    assert run("export", book, "-o", out) == 1
    err = capsys.readouterr().err
    assert "4220" in err and "Children!" in err and "--allow-errors" in err and not out.exists()
    assert run("export", book, "-o", out, "--allow-errors") == 0
    assert "1 validation error remains" in capsys.readouterr().out
    assert out.read_bytes() == src.read_bytes()
