"""A value that is not a code quotes the value and names the valid codes, or points to the Lists sheet
(issue 17, item 3): in the structural X-CODE message and beside the DfE message where a rule fires on it."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from cin_xl.census.model import ChildCharacteristics, ChildIdentifiers, CINDetails
from cin_xl.census.spec import fields_of
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.validate import validate_file
from cin_xl.reports.findings import grouped
from cin_xl.validation.structural import not_a_code

YEAR = CensusYear.parse("2026-27")


def _item(cls, name):
    item = next(f.spec for f in fields_of(cls, YEAR) if f.name == name)
    return item, item.code_set.valid(YEAR)


@pytest.mark.parametrize("cls, name, value, in_workbook, said", [
    (ChildIdentifiers, "sex", "male", True, "'male' is the name of code M, not the code: type M"),
    (ChildIdentifiers, "sex", "m", False, "'m' is not a code as written: type M"),
    (ChildIdentifiers, "sex", "X", True, "'X' is not a code: the codes are M (Male), F (Female) or U (Unknown or "
                                         "unborn)"),
    (CINDetails, "reason_for_closure", "RC0", True, "'RC0' is not a code: the codes are RC1, RC2, RC3, RC4, RC5, "
                                                    "RC6, RC7, RC8 or RC9"),
    (ChildCharacteristics, "ethnicity", "White  british", True, "'White  british' is the name of code WBRI, not the "
                                                                "code: type WBRI"),
    (ChildCharacteristics, "ethnicity", "White Brit", True, "'White Brit' is not a code: pick one from the dropdown "
                                                            "(the 20 codes are on the Lists sheet)"),
    (ChildCharacteristics, "ethnicity", "White Brit", False, "'White Brit' is not a code: the 20 codes are on the "
                                                             "Lists sheet of the census workbook (cin-xl template "
                                                             "makes one)"),
])
def test_a_value_that_is_not_a_code_says_what_to_type(cls, name, value, in_workbook, said):
    item, valid = _item(cls, name)
    assert not_a_code(item, value, valid, in_workbook) == said


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "t.xlsx"
    assert main(["template", "--year", YEAR.label, "-o", str(path), "--sample", "4", "--quiet"]) == 0
    wb = load_workbook(path)
    ws = wb["Children"]
    head = [c.value for c in ws[1]]
    col = {h: ws.cell(1, i + 1).column_letter for i, h in enumerate(head) if h}
    ws[f"{col['Sex']}2"] = "male"
    ws[f"{col['Ethnicity']}3"] = "White British"
    ws[f"{col['Ethnicity']}4"] = "Martian"
    ws[f"{col['Disabilities']}5"] = "MOB, deaf"
    wb.save(path)
    return path, col


def test_dfe_rules_on_a_bad_code_keep_their_message_and_add_the_value(book):
    path, col = book
    findings = validate_file(path).findings
    by_cell = {(f.code, f.cells): f.message for f in findings}
    assert by_cell[("4180", (f"{col['Sex']}2",))] == ("Sex must be provided and equal M, F, or U: 'male' is the name "
                                                     "of code M, not the code: type M")
    assert by_cell[("4220", (f"{col['Ethnicity']}3",))].endswith(": 'White British' is the name of code WBRI, not "
                                                                "the code: type WBRI")
    assert by_cell[("4220", (f"{col['Ethnicity']}4",))].startswith("Ethnicity is missing or invalid")
    assert "'Martian' is not a code: pick one from the dropdown (the 20 codes are on the Lists sheet)" in \
        by_cell[("4220", (f"{col['Ethnicity']}4",))]
    assert "'deaf' is not a code" in by_cell[("8540", (f"{col['Disabilities']}5",))]
    # the group keeps the DfE message as its heading; each line says what it found
    headings = {code: heading for code, _, heading, _ in grouped(findings)}
    assert headings["4220"] == "Ethnicity is missing or invalid (see Ethnicity table)"


def test_summary_shows_the_dfe_message_once_and_each_value(capsys, book):
    path, col = book
    main(["validate", str(path), "--quiet"])
    out = capsys.readouterr().out
    assert "4220 error x2: Ethnicity is missing or invalid (see Ethnicity table)\n" in out
    assert f"Children!{col['Ethnicity']}3: 'White British' is the name of code WBRI, not the code: type WBRI" in out
    assert f"Children!{col['Ethnicity']}4: 'Martian' is not a code: pick one from the dropdown" in out


def test_a_rule_on_a_valid_code_adds_nothing(tmp_path):
    path = tmp_path / "t.xlsx"
    assert main(["template", "--year", YEAR.label, "-o", str(path), "--sample", "20", "--quiet"]) == 0
    assert not any("is not a code" in f.message for f in validate_file(path).findings)
