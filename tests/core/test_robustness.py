"""Whatever a file holds, reading it gives a model and findings, or a clear UnusableInput: never a crash."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cin_xl.census.years import CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.synthetic.generate import generate
from cin_xl.validation import validate
from cin_xl.workbook.layout import sheet_layout
from cin_xl.workbook.reader import read_grids
from cin_xl.workbook.writer import census_rows
from cin_xl.xml import read_xml, to_xml_bytes

YEAR = CensusYear.parse("2026-27")
XML = to_xml_bytes(generate(6, YEAR, 3), YEAR)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(XML)), junk=st.binary(max_size=12), at=st.integers(0, len(XML)))
def test_damaged_xml_is_read_or_refused_cleanly(cut, junk, at):
    damaged = XML[:at] + junk + XML[at:cut] if at < cut else XML[:cut]
    try:
        result = read_xml(damaged)
    except UnusableInput as exc:
        assert str(exc)
        return
    validate(result.census, result.year)  # whatever was read can be validated


cell_values = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**6), st.floats(allow_nan=True),
                        st.booleans(), st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2100, 1, 1)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_cell_values_are_read_or_reported(data):
    rows = census_rows(generate(4, YEAR, 2), YEAR)
    grids = {}
    for sheet, body in rows.sheets.items():
        headers = [c.header for c in sheet_layout(sheet, YEAR, rows.spread.get(sheet) or None).columns]
        body = [list(r) for r in body]
        for row in body:  # scribble over some cells
            for i in range(len(row)):
                if data.draw(st.integers(0, 4), label="touch") == 0:
                    row[i] = data.draw(cell_values, label="value")
        grids[sheet] = [headers] + body
    grids["Return"] = [["Item", "Value"], ["Census year", "2026-27"]]
    read = read_grids(grids)
    findings = read.problems + validate(read.census, read.year)
    assert all(f.sheet for f in findings if f.child)  # every finding about a child points at a sheet
