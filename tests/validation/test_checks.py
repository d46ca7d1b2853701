"""Every check has one shape and one registry, and `cin-xl rules` lists every code a user can meet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.cli import main
from cin_xl.validation import Family, catalogue, checks
from cin_xl.validation.catalogue import rules_included
from cin_xl.validation.codes import FILL_IN, X_READ, XSD
from cin_xl.validation.findings import Severity
from cin_xl.validation.registry import REGISTRY, Check, declare, declared

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("label", SUPPORTED_YEARS)
def test_every_family_is_listed_in_one_shape(label):
    year = CensusYear.parse(label)
    listed = checks(year)
    by_family = {family: [c.code for c in listed if c.family is family] for family in Family}
    assert by_family[Family.DFE] == list(catalogue(year))
    assert by_family[Family.LOCAL] == ["LA-01", "LA-02", "LA-03"]
    assert by_family[Family.CONTINUITY] == [f"C-{n:02d}" for n in range(1, 13)]
    assert by_family[Family.FILL_IN] == [FILL_IN]
    assert {X_READ, XSD, "X-MISSING", "X-SCHEMA", "X-TOO-LONG", "XML"} <= set(by_family[Family.STRUCTURAL])
    assert len({c.code for c in listed}) == len(listed)
    for c in listed:
        assert c.severity in (Severity.ERROR, Severity.QUERY) and c.message and c.condition, c.code
        assert (c.func is not None) == (c.family in (Family.DFE, Family.LOCAL, Family.CONTINUITY)), c.code


def test_a_dfe_rule_is_worded_by_the_year_and_found_by_its_function():
    year = CensusYear.parse("2026-27")
    rule = next(c for c in checks(year) if c.code == "9005")
    entry = catalogue(year)["9005"]
    assert (rule.severity, rule.message, rule.condition, rule.since) == (entry.severity, entry.message,
                                                                        entry.condition, "2026-27")
    assert rule.name == "pre_proceedings_start_outside_census_year"
    assert "9005" not in {c.code for c in checks(CensusYear.parse("2025-26"))}


def test_a_code_is_declared_in_one_family_only():
    with pytest.raises(ValueError, match="two families"):
        declare("LA-01", Family.STRUCTURAL, Severity.ERROR, "again")
    assert [c.family for c in REGISTRY["LA-01"]] == [Family.LOCAL]
    assert isinstance(declared(X_READ), Check) and declared(X_READ).message == "Part of the workbook could not be read"


@pytest.mark.parametrize("label", [y for y in SUPPORTED_YEARS if rules_included(CensusYear.parse(y))])
def test_the_codes_a_user_meets_are_all_listed(label):
    """What validation gave on the golden returns (XML and workbook, messy) uses only listed codes."""
    golden = json.loads((GOLDEN / f"{label}-messy.json").read_text(encoding="utf-8"))
    met = {f["code"] for f in golden["xml_findings"] + golden["workbook_findings"]}
    assert met and met <= {c.code for c in checks(CensusYear.parse(label))}


def test_no_code_is_a_string_of_its_own_where_it_is_raised():
    """Findings take their code from a declaration (cin_xl.validation.codes, a check or the catalogue)."""
    literal_finding = re.compile(r"Finding\(\s*[\"']")
    own_constant = re.compile(r"^\w+ = [\"'](X-[A-Z-]+|XSD|XML|FILL-IN|LA-\d+|C-\d+)[\"']", re.M)
    for path in (ROOT / "cin_xl").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not literal_finding.search(text), path
        assert not own_constant.search(text), path


def test_rules_command_lists_every_family(capsys):
    assert main(["rules", "--year", "2026-27"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Census 2026-27: 121 DfE rules\n")
    assert "   100  error  Header                Reference Date is incorrect\n" in out
    for line in ("    X-READ  error  Part of the workbook could not be read",
                 "       XSD  error  The file breaks the census schema",
                 "     LA-02  query  A CIN plan is shown running while the child is looked after",
                 "      C-01  query  A child with a case open at last year's reference date is missing from this return",
                 "   FILL-IN  query  A cell of the new year's workbook to fill in"):
        assert line in out.splitlines()
    assert main(["rules", "--year", "2024-25", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    families = {c["family"] for c in data["checks"]}
    assert families == {str(f) for f in Family}
    assert [c["code"] for c in data["checks"] if c["family"] == "DfE rule"] == [r["code"] for r in data["rules"]]
    assert {"X-READ", "XSD", "X-SCHEMA", "FILL-IN", "C-01", "LA-01"} <= {c["code"] for c in data["checks"]}


def test_every_check_function_is_typed():
    """Each function of a DfE rule, LA- or C- check annotates its parameter and its return (mypy checks them)."""
    functions = [c.func for versions in REGISTRY.values() for c in versions if c.func is not None]
    assert len(functions) >= 121 + 3 + 11
    for func in functions:
        annotations = func.__annotations__
        assert "return" in annotations and len(annotations) == func.__code__.co_argcount + 1, func.__name__
