"""Our export passes the schemas regional pipelines check returns against (SocialFinance's liia-tools-pipeline,
``liiatools/cin_census_pipeline/spec/CIN_schema_<year>.xsd``, MIT licence).

Those schemas are not kept in this repository: put ``CIN_schema_2025.xsd`` and ``CIN_schema_2026.xsd`` from
https://github.com/SocialFinanceDigitalLabs/liia-tools-pipeline in a folder and name it in ``CIN_XL_LIIA_SCHEMAS``
to run the check; without it the test is skipped. They accept booleans only as 1/0 (true/false gave 246
schema errors on a 200-child return of each year)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.xml import to_xml_bytes

#: census year -> the liia-tools schema for it (named by the year the census ends in)
SCHEMAS = {"2024-25": "CIN_schema_2025.xsd", "2025-26": "CIN_schema_2026.xsd"}


@pytest.mark.parametrize("year", sorted(SCHEMAS))
def test_export_passes_the_liia_tools_schema_of_its_year(year: str) -> None:
    folder = os.environ.get("CIN_XL_LIIA_SCHEMAS")
    if not folder or not (Path(folder) / SCHEMAS[year]).is_file():
        pytest.skip("CIN_XL_LIIA_SCHEMAS does not name a folder holding the liia-tools schemas")
    schema = etree.XMLSchema(etree.parse(str(Path(folder) / SCHEMAS[year])))
    xml = to_xml_bytes(generate(200, year, 1), CensusYear.parse(year))
    assert b"<ReferralNFA>1</ReferralNFA>" in xml  # the check covers booleans
    assert schema.validate(etree.fromstring(xml)), [str(e) for e in list(schema.error_log)[:5]]
