"""Census XML findings in the census's words (issue 17, item 3): located as line, child, record and item,
never by XPath; schema problems said in the census's terms, never in the schema checker's."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.validation.findings import Finding, Severity, describe_path
from cin_xl.xml import to_xml_bytes
from cin_xl.xml.xsd import plain_problem, schema_problems

YEAR = CensusYear.parse("2026-27")
#: what the schema checker's words look like: none of it may reach a person
RAW = re.compile(r"Element '|atomic type|xs:|Expected is|/Message|facet|validation root|content type")


@pytest.fixture(scope="module")
def xml() -> str:
    return to_xml_bytes(generate(5, YEAR, 1), YEAR).decode()


@pytest.mark.parametrize("path, child, said", [
    ("/Message/Children/Child[1]/ChildIdentifiers/PersonBirthDate", "C0012", "child C0012, Date of birth (PersonBirthDate)"),
    ("/Message/Children/Child[12]/CINdetails[2]/CINreferralDate", None, "the 12th child, referral 2, Referral date (CINreferralDate)"),
    ("/Message/Children/Child[3]/CINdetails[1]/CINPlanDates[2]", "C3", "child C3, referral 1, CIN plan 2"),
    ("/Message/Children/Child[2]/CINdetails/Section47[3]/DateOfInitialCPC", "C2",
     "child C2, referral 1, section 47 enquiry 3, Date of initial child protection conference (DateOfInitialCPC)"),
    ("/Message/Children/Child[3]/CINdetails[1]/ChildProtectionPlans[1]/Reviews/CPPreviewDate[2]", "C3",
     "child C3, referral 1, child protection plan 1, the 2nd of Review dates (CPPreviewDate)"),
    ("/Message/Children/Child/CINdetails/Assessments[2]/FactorsIdentifiedAtAssessment/AssessmentFactors[1]", "C1",
     "child C1, referral 1, assessment 2, the 1st of Factors identified (AssessmentFactors)"),
    ("/Message/Children/Child[1]/CINdetails[1]/PreProceedingsandFGDM/PPOutcome", "C1",
     "child C1, referral 1, pre-proceedings, Pre-proceedings outcome (PPOutcome)"),
    ("/Message/Children/Child[1]/ChildCharacteristics/Nickname", "C1", "child C1, <Nickname>"),
    ("/Message/Header/CollectionDetails/ReferenceDate", None, "header, Reference date (ReferenceDate)"),
    ("/Message/Children/Child[21]", None, "the 21st child"),
])
def test_xml_paths_are_said_as_child_record_and_item(path, child, said):
    assert describe_path(path, child) == said


def test_a_finding_in_xml_is_located_by_line_child_record_and_item():
    f = Finding("8500", Severity.ERROR, "message", child="C0012", line=23,
                path="/Message/Children/Child[1]/CINdetails[1]/CINreferralDate")
    assert f.where == "line 23, child C0012, referral 1, Referral date (CINreferralDate)"
    assert str(f) == "line 23, child C0012, referral 1, Referral date (CINreferralDate): 8500 (error): message"
    assert Finding("X", Severity.ERROR, "m", path="/Other/Thing", line=4).where == "line 4"  # never the XPath
    assert f.as_dict()["path"] == "/Message/Children/Child[1]/CINdetails[1]/CINreferralDate"  # machines keep it


def _problems(xml: str, old: str, new: str) -> list[tuple[int, str, str]]:
    assert old in xml
    return schema_problems(etree.fromstring(xml.replace(old, new, 1).encode()), YEAR)


@pytest.mark.parametrize("old, new, said", [
    ("<PersonBirthDate>", "<PersonBirthDate>6th August 2024",
     re.compile(r"Date of birth \(PersonBirthDate\) '6th August 2024[\d-]*' is not a date \(YYYY-MM-DD\)")),
    ("<ReferralNFA>", "<ReferralNFA>no", "Referral with no further action (ReferralNFA) 'no0' is not true or false"
                                         " (true, false, 1 or 0)"),
    ("<Year>", "<Year>x", "Year 'x2027' is not a whole number, 0 or more"),
    ("<DateTime>", "<DateTime>x", re.compile(r"Date and time of the file \(DateTime\) 'x[^']*' is not a date and "
                                             r"time \(YYYY-MM-DDThh:mm:ss\)")),
    ("<Sex>M</Sex>", "<Sex></Sex>", "Sex is empty"),
    ("<ReferralSource>", '<ReferralSource a="1">', "Referral source (ReferralSource) has an attribute a=, which "
                                                  "census XML does not use"),
    ("<Disabilities>", "<Disabilities>hello", "Disabilities holds the text 'hello' between its items, where only "
                                             "items belong: delete it"),
    ("<LAchildID>", "<LAchildID><b/>", "LA child ID (LAchildID) holds other elements where a value belongs"),
    ("<Ethnicity>", "<Nickname/><Ethnicity>", re.compile(r"<Nickname> is not part of the census here \(Ethnicity "
                                                          r"should come here\)")),
    ("<CINPlanStartDate>", "<CINPlanEndDate>2020-01-01</CINPlanEndDate><CINPlanStartDate>",
     "CIN plan end date (CINPlanEndDate) is not expected here: CIN plan start date (CINPlanStartDate) should come "
     "first (it is missing, or out of order)"),
    ("<Message>", '<Message xmlns="urn:x">', "The file's <Message> names the namespace urn:x, which census XML does "
                                             "not use: COLLECT reads the elements without a namespace"),
])
def test_schema_problems_are_said_in_the_census_terms(xml, old, new, said):
    problems = _problems(xml, old, new)
    assert problems
    plain = [plain_problem(path, message) for _, path, message in problems]
    assert any(said.fullmatch(p) if isinstance(said, re.Pattern) else p == said for p in plain), plain
    assert not any(RAW.search(p) for p in plain), plain


def test_a_required_item_left_out_is_named_with_its_record(xml):
    start = xml.index("<ReferralNFA>")
    end = xml.index("</ReferralNFA>", start) + len("</ReferralNFA>")
    problems = schema_problems(etree.fromstring((xml[:start] + xml[end:]).encode()), YEAR)
    plain = [plain_problem(path, message) for _, path, message in problems]
    assert any(p.startswith("Referral with no further action (ReferralNFA) is missing from referral 1")
               or "Referral with no further action (ReferralNFA) should come" in p for p in plain), plain
    assert not any(RAW.search(p) for p in plain), plain


def test_validate_prints_no_schema_checker_text(capsys, tmp_path, xml):
    bad = xml.replace("<CINPlanStartDate>", "<CINPlanEndDate>2020-01-01</CINPlanEndDate><CINPlanStartDate>", 1)
    bad = bad.replace("<Disabilities>", "<Disabilities>hello", 1)
    path = tmp_path / "bad.xml"
    path.write_text(bad)
    assert main(["validate", str(path), "--verbose"]) == 2
    out = capsys.readouterr().out
    assert "XSD error" in out and "holds the text 'hello' between its items" in out
    assert not RAW.search(out), RAW.search(out)


def test_export_allow_errors_says_a_schema_problem_in_the_census_terms(capsys, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "t.xlsx"
    assert main(["template", "--year", YEAR.label, "-o", str(book), "--sample", "3", "--quiet"]) == 0
    wb = load_workbook(book)
    wb["Children"]["E2"] = "6th of August"
    wb.save(book)
    assert main(["export", str(book), "-o", str(tmp_path / "out.xml"), "--allow-errors", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Children!E2: X-SCHEMA (error): Date of birth (PersonBirthDate) '6th of August' is not a date " \
           "(YYYY-MM-DD)" in err
    assert not RAW.search(err), err


def test_export_says_a_required_item_left_blank_is_missing(capsys, tmp_path):
    """Export writes the XML in the census's order: an item expected before another is missing, not misplaced."""
    from openpyxl import load_workbook

    book = tmp_path / "t.xlsx"
    assert main(["template", "--year", YEAR.label, "-o", str(book), "--sample", "2", "--quiet"]) == 0
    wb = load_workbook(book)
    row = next(r for r in wb["Return"].iter_rows(min_row=2) if r[0].value == "LA code")
    row[1].value = None
    wb.save(book)
    assert main(["export", str(book), "-o", str(tmp_path / "out.xml"), "--allow-errors", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"Return!B{row[1].row}: X-SCHEMA (error): LA code (LEA) is missing: it is required" in err
    assert not RAW.search(err) and "out of order" not in err


def test_csv_report_has_the_location_as_people_read_it(capsys, tmp_path, xml):
    import csv
    import io

    path = tmp_path / "bad.xml"
    path.write_text(xml.replace("<Disabilities>", "<Disabilities>hello", 1))
    report = tmp_path / "all.csv"
    main(["validate", str(path), "--report", str(report), "--quiet"])
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    xsd = next(r for r in rows if r["code"] == "XSD")
    assert xsd["where"].startswith(f"line {xsd['line']}, ") and xsd["where"].endswith(", Disabilities")
    assert xsd["path"].startswith("/Message/")  # kept for programs, beside it


def test_the_child_is_named_once_and_only_when_the_location_does_not():
    from cin_xl.reports.findings import ValidationReport

    path = "/Message/Children/Child[1]/CINdetails[1]/CINreferralDate"
    in_xml = Finding("8500", Severity.ERROR, "m", child="C1", line=3, path=path)
    in_book = Finding("8500", Severity.ERROR, "m", child="C1", sheet="Children", cells=("C12",))  # "C1" in "C12"
    assert str(in_xml) == "line 3, child C1, referral 1, Referral date (CINreferralDate): 8500 (error): m"
    assert str(in_book) == "Children!C12: 8500 (error) [child C1]: m"
    text = ValidationReport(YEAR, "x.xml", [in_xml, in_book]).text()
    assert "    line 3, child C1, referral 1, Referral date (CINreferralDate)" in text
    assert "    child C1, Children!C12" in text
