"""Every census year from 2020-21, end to end from the command line: template, a generated return, import,
validate, export (byte for byte the return generated), each year with its own items and codes."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from openpyxl import load_workbook

from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.validation.catalogue import rules_included
from cin_xl.xml import to_xml_bytes

ALL_YEARS = ("2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26", "2026-27")


def test_every_year_from_2020_21_is_supported():
    assert SUPPORTED_YEARS == ALL_YEARS


@pytest.mark.parametrize("label", ALL_YEARS)
def test_template_generate_import_validate_export(label, tmp_path, capsys):
    year = CensusYear.parse(label)
    assert main(["template", "--year", label, "-o", str(tmp_path / "template.xlsx")]) == 0
    wb = load_workbook(tmp_path / "template.xlsx", read_only=True)
    start = " ".join(str(v) for row in wb["Start"].iter_rows(values_only=True) for v in row if v)
    wb.close()
    assert label in start and (("are not included" in start) is not rules_included(year))

    original = to_xml_bytes(generate(120, year, seed=11), year)
    (tmp_path / "census.xml").write_bytes(original)
    assert main(["validate", str(tmp_path / "census.xml"), "--report", str(tmp_path / "xml.json")]) == 0
    assert main(["import", str(tmp_path / "census.xml"), "-o", str(tmp_path / "census.xlsx")]) == 0
    assert main(["validate", str(tmp_path / "census.xlsx"), "--report", str(tmp_path / "wb.json")]) == 0
    for report in ("xml.json", "wb.json"):
        found = json.loads((tmp_path / report).read_text(encoding="utf-8"))
        assert found["year"] == label and found["summary"]["errors"] == 0
        assert found.get("dfe_rules_included", True) is rules_included(year)
    assert main(["export", str(tmp_path / "census.xlsx"), "-o", str(tmp_path / "again.xml")]) == 0
    assert (tmp_path / "again.xml").read_bytes() == original
    capsys.readouterr()


def _tags(xml: bytes) -> tuple[set[str], dict[str, set[str]]]:
    root = etree.fromstring(xml)
    tags = {el.tag for el in root.iter()}
    values = {tag: {el.text for el in root.iter(tag)} for tag in ("ReferralSource", "ReasonForClosure",
                                                                   "AssessmentFactors", "Sex", "GenderCurrent")}
    return tags, values


@pytest.mark.parametrize("label", ALL_YEARS)
def test_a_generated_return_holds_its_years_items_and_codes(label):
    year = CensusYear.parse(label)
    tags, values = _tags(to_xml_bytes(generate(1500, year, seed=2), year))
    has_sex = year >= CensusYear.parse("2024-25")
    assert ("Sex" in tags, "GenderCurrent" in tags) == (has_sex, not has_sex)
    assert ("CINPlanDates" in tags) is (year >= CensusYear.parse("2021-22"))
    assert ("PreProceedingsandFGDM" in tags) is (year >= CensusYear.parse("2026-27"))
    for codeset, tag in (("ReferralSource", "ReferralSource"), ("ReasonForClosure", "ReasonForClosure"),
                         ("AssessmentFactors", "AssessmentFactors")):
        assert values[tag] <= CODE_SETS[codeset].valid(year), (label, tag)
    assert ("5D" in values["ReferralSource"], "RC9" in values["ReasonForClosure"]) == \
        ((year >= CensusYear.parse("2022-23"),) * 2)
    assert ("24A" in values["AssessmentFactors"]) is (year >= CensusYear.parse("2021-22"))
    assert {"18B", "18C", "19B", "19C"} & values["AssessmentFactors"]
    assert values["GenderCurrent"] <= {"1", "2", "0"} and values["Sex"] <= {"M", "F", "U"}


def test_codes_of_a_later_year_are_refused_in_an_earlier_one(tmp_path, capsys):
    year = CensusYear.parse("2021-22")
    census = generate(20, year, seed=1)
    census.children[0].cin_details[0].referral_source = "5D"  # early help: a referral source from 2022-23
    (tmp_path / "old.xml").write_bytes(to_xml_bytes(census, year))
    assert main(["validate", str(tmp_path / "old.xml")]) == 1
    out = capsys.readouterr().out
    assert "X-CODE error x1" in out and "5D" in out


@pytest.mark.parametrize("label", ALL_YEARS[:-1])
def test_rollover_and_continuity_across_each_pair_of_years(label, tmp_path, capsys):
    from cin_xl.jobs.validate import validate_file
    from cin_xl.synthetic.years import generate_years
    from cin_xl.validation import validate
    from cin_xl.validation.continuity import check_continuity
    from cin_xl.validation.findings import Severity
    from cin_xl.xml.writer import write_xml

    last_year = CensusYear.parse(label)
    year = CensusYear(last_year.first + 1)
    last, this = generate_years(80, last_year, seed=2)
    assert [str(f) for f in validate(this, year) if f.severity is Severity.ERROR] == []
    assert check_continuity(this, last, year) == []  # GenderCurrent and Sex compared by meaning in 2024-25
    write_xml(last, last_year, tmp_path / "last.xml")
    assert main(["rollover", str(tmp_path / "last.xml"), "-o", str(tmp_path / "new.xlsx")]) == 0
    assert f"census {year.label}, from" in capsys.readouterr().out
    report = validate_file(tmp_path / "new.xlsx", previous=tmp_path / "last.xml")
    assert report.year == year and not [f for f in report.findings if f.code.startswith("C-")]
