"""The package installs everything it needs: every subpackage and the rule catalogue."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "cin_xl").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
    assert "cin_xl_rules" in listed


def test_catalogue_is_found_for_every_supported_year():
    from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
    from cin_xl.validation import catalogue
    from cin_xl.validation.catalogue import rules_included

    for label in SUPPORTED_YEARS:  # 2020-21 and 2021-22: no DfE rules included, none standing in
        assert (len(catalogue(CensusYear.parse(label))) > 100) is rules_included(CensusYear.parse(label))
