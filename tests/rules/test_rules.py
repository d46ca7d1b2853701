"""Every catalogued DfE rule: fires on its failing case, stays quiet on its passing one."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.validation import catalogue, missing_implementations, validate
from cin_xl.validation.findings import Severity
from tests.rules import harness
from tests.rules.base import base_return

_HERE = Path(__file__).parent
CASES: list[harness.Case] = []
for info in pkgutil.iter_modules([str(_HERE)]):
    if info.name.startswith("cases_"):
        CASES.extend(importlib.import_module(f"{__package__}.{info.name}").CASES)


def _runs():
    for case in CASES:
        for year in case.years or SUPPORTED_YEARS:
            if case.code in catalogue(CensusYear.parse(year)):
                yield pytest.param(case, year, id=f"{case}-{year}")


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_base_return_breaks_no_rule(year):
    findings = validate(base_return(year), CensusYear.parse(year))
    errors = [str(f) for f in findings if f.severity is Severity.ERROR]
    assert errors == []
    # the two children cannot use 8 disability codes or show multiple disabilities: return-level queries only
    assert {f.code for f in findings} <= {"2887Q", "2888Q"}


@pytest.mark.parametrize("case,year", list(_runs()))
def test_rule_fires_on_bad_and_not_on_good(case: harness.Case, year: str):
    bad = harness.findings_for(case.code, harness.run(case.bad, year), year)
    assert bad, f"{case.code} did not fire on its failing case in {year}"
    if case.expect is not None:
        assert len(bad) == case.expect
    good = harness.findings_for(case.code, harness.run(case.good, year), year)
    assert good == [], f"{case.code} fired on its passing case in {year}: {good}"


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_every_catalogued_rule_is_implemented(year):
    assert missing_implementations(CensusYear.parse(year)) == []


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_every_catalogued_rule_has_a_case(year):
    covered = {c.code for c in CASES}
    assert sorted(set(catalogue(CensusYear.parse(year))) - covered) == []
