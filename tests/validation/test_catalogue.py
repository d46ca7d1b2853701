"""The one rule catalogue (rules/catalogue.json, years in force) gives each year exactly what the per-year
files it replaced gave (rules/2024-25.json .. rules/2026-27.json, removed in the commit after 8f039b9)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.validation.catalogue import (
    catalogue,
    catalogue_data,
    rules_included,
    rules_not_included_note,
    wording,
)

ROOT = Path(__file__).resolve().parents[2]
#: the last commit with one catalogue file per year
PER_YEAR_FILES_COMMIT = "8f039b9"
#: sha256 of each per-year file as it stood there (byte for byte)
PER_YEAR_FILES_SHA256 = {
    "2024-25": "2e65a38ba699fae55e40538e65f1814ca2773eec22dfc36528691436a0529080",
    "2025-26": "1c3a25ed9cc7c7b928d813ff896cd6c44987bfbd3afbd14c2a5b9a15390c8b16",
    "2026-27": "b64436f8bc90cc5919151cd9faf9297623b2d13fadfec31ed1fd719fa0094196",
}


def _per_year_file(label: str) -> str:
    """The per-year file the catalogue stands for, written as the old import script wrote it."""
    year = CensusYear.parse(label)
    rules = [entry for rule in catalogue_data()["rules"] if (entry := wording(rule, year)) is not None]
    return json.dumps({"year": label, "rules": rules}, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("label", sorted(PER_YEAR_FILES_SHA256))
def test_each_year_reads_exactly_as_its_old_file(label):
    assert hashlib.sha256(_per_year_file(label).encode("utf-8")).hexdigest() == PER_YEAR_FILES_SHA256[label]


@pytest.mark.parametrize("label", sorted(PER_YEAR_FILES_SHA256))
def test_each_year_reads_as_its_old_file_in_git(label):
    try:
        old = subprocess.run(["git", "show", f"{PER_YEAR_FILES_COMMIT}:rules/{label}.json"], cwd=ROOT,
                             capture_output=True, check=True).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git history here (an installed copy)")
    assert _per_year_file(label) == old


def test_the_catalogue_covers_the_years_whose_dfe_rules_we_have_and_no_other():
    assert tuple(catalogue_data()["years"]) == ("2022-23", "2023-24", "2024-25", "2025-26", "2026-27")
    assert set(catalogue_data()["years"]) <= set(SUPPORTED_YEARS)
    for label in ("2020-21", "2021-22"):  # supported, but their DfE rules are not included: none stand in
        year = CensusYear.parse(label)
        assert catalogue(year) == {} and not rules_included(year)
        assert "DfE validation rules of " + label + " are not included" in rules_not_included_note(year)
    assert rules_not_included_note(CensusYear.parse("2022-23")) == ""


def test_2022_23_and_2023_24_read_as_the_dfe_published_them():
    """The two years added from the DfE reference: the GenderCurrent wordings, 8770Q's older condition, no rule
    that began in 2024-25."""
    for label in ("2022-23", "2023-24"):
        rules = catalogue(CensusYear.parse(label))
        assert len(rules) == 105 and not {"1570", "1580", "8945Q", "8950Q"} & set(rules)
        assert rules["4180"].message == "Gender is missing" and rules["4180"].items == ("N00065",)
        assert "GenderCurrent" in rules["8750"].condition and "minus 6 years" in rules["8770Q"].condition
    assert "Sex" in catalogue(CensusYear.parse("2024-25"))["4180"].message


def test_a_rule_is_in_force_from_its_year_and_reads_per_year():
    data = {"code": "1", "severity": "error", "scope": "record", "module": "M", "message": "now", "items": [],
            "condition": "now", "in_force_since": "2025-26", "wording_since": "2026-27", "until": "2026-27",
            "earlier_wordings": [{"until": "2025-26", "message": "then", "wording_since": "2025-26"}]}
    year = CensusYear.parse
    assert wording(data, year("2024-25")) is None
    assert wording(data, year("2025-26")) == {**_plain(data), "message": "then", "wording_since": "2025-26"}
    assert wording(data, year("2026-27")) == _plain(data)
    assert wording(data, year("2027-28")) is None


def _plain(rule: dict) -> dict:
    return {k: v for k, v in rule.items() if k not in ("until", "earlier_wordings")}
