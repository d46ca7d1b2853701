"""The export job: with --allow-errors the XML comes first, and the rules are not run for an export the
schema refuses (nothing is written then, whatever they find)."""

from __future__ import annotations

from datetime import datetime

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.jobs import export as job
from cin_xl.jobs.load import load_workbook
from cin_xl.jobs.validate import validate_loaded
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.writer import write_workbook

YEAR = CensusYear.parse("2026-27")
AT = datetime(2027, 4, 20, 10, 0)


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    path = tmp_path_factory.mktemp("messy") / "messy.xlsx"
    write_workbook(path, generate(60, YEAR, 8, mistakes=0.85), YEAR, force=True)
    return path


@pytest.fixture(scope="module")
def errors(tmp_path_factory):
    path = tmp_path_factory.mktemp("errors") / "errors.xlsx"
    write_workbook(path, generate(50, YEAR, 2, violations=("4220", "8630")), YEAR, force=True)
    return path


def test_a_schema_refusal_with_errors_allowed_runs_no_rules(messy, monkeypatch):
    expected = job.export_loaded(load_workbook(messy), at=AT)  # without: the rules first, errors refuse it
    assert expected.refused == job.ERRORS_REMAIN and expected.xml is None

    def no_rules(*_args, **_kwargs):
        raise AssertionError("the rules were run for an export the schema refuses")

    monkeypatch.setattr(job, "validate_loaded", no_rules)
    loaded = load_workbook(messy)
    refused = job.export_loaded(loaded, allow_errors=True, at=AT)
    assert refused.refused == job.SCHEMA and refused.xml is None and refused.schema_problems
    assert refused.findings == loaded.problems  # how the workbook was read, still told
    assert all(p.sheet for p in refused.schema_problems)  # each break at its place in the workbook


def test_an_export_with_errors_allowed_still_counts_them(errors):
    loaded = load_workbook(errors)
    exported = job.export_loaded(loaded, allow_errors=True, at=AT)
    assert exported.refused is None and exported.xml
    validated = validate_loaded(load_workbook(errors)).findings
    assert [str(f) for f in exported.findings] == [str(f) for f in validated]
    assert {f.code for f in exported.errors} >= {"4220", "8630"}
    assert job.export_loaded(load_workbook(errors), at=AT).refused == job.ERRORS_REMAIN
