"""Local LA- checks against the Looked-after sheet's periods of care."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from cin_xl.census.model import Origin
from cin_xl.census.years import CensusYear
from cin_xl.validation import validate
from tests.rules.base import base_return

YEAR = CensusYear.parse("2026-27")
D = timedelta(days=1)


@dataclass
class Period:
    child_id: str
    start_date: object
    end_date: object = None
    legal_status: str | None = None
    origin: Origin = field(default_factory=lambda: Origin(sheet="Looked-after", row=2,
                                                          cells={"child_id": "A2", "start_date": "B2",
                                                                 "end_date": "C2"}))


def codes(periods, **options):
    return [f for f in validate(base_return(YEAR.label), YEAR, looked_after=periods, options=options)
            if f.code.startswith("LA-")]


def first_episode():
    return base_return(YEAR.label).children[0].cin_details[0]


def test_period_inside_an_open_episode_is_quiet():
    second = base_return(YEAR.label).children[0].cin_details[1]  # open, no CIN plan
    assert codes([Period("A1", second.referral_date + D)]) == []


def test_la01_period_with_no_episode_open():
    ep = first_episode()
    found = codes([Period("A1", ep.closure_date + 2 * D, ep.closure_date + 5 * D)])
    assert [f.code for f in found] == ["LA-01"]
    assert found[0].sheet == "Looked-after" and found[0].cells == ("B2", "C2") and found[0].child == "A1"


def test_la02_cin_plan_running_while_looked_after():
    plan = first_episode().cin_plans[0]
    found = codes([Period("A1", plan.start_date + 3 * D, plan.start_date + 10 * D)])
    assert [f.code for f in found] == ["LA-02"]
    # a period of care starting the day the plan ends is allowed
    assert [f.code for f in codes([Period("A1", plan.end_date, plan.end_date)])] == []


def test_la03_child_not_in_return():
    found = codes([Period("ZZ9", date(2026, 5, 1))])
    assert [f.code for f in found] == ["LA-03"] and found[0].cells == ("A2",)


def test_local_checks_can_be_switched_off():
    ep = first_episode()
    periods = [Period("ZZ9", date(2026, 5, 1)), Period("A1", ep.closure_date + 2 * D, ep.closure_date + 5 * D)]
    assert {f.code for f in codes(periods)} == {"LA-01", "LA-03"}
    assert codes(periods, local_checks=False) == []
    assert [f.code for f in codes(periods, skip={"LA-03"})] == ["LA-01"]


def test_local_checks_from_the_looked_after_sheet_land_on_its_cells(tmp_path, capsys):
    from openpyxl import load_workbook

    from cin_xl.cli import main
    from cin_xl.synthetic.generate import generate
    from cin_xl.workbook.writer import LookedAfterPeriod, write_workbook

    census = generate(50, YEAR, 1)
    child = next(c for c in census.children if c.cin_details[-1].closure_date)
    after_closure = child.cin_details[-1].closure_date + 2 * D
    path = tmp_path / "census.xlsx"
    write_workbook(path, census, YEAR, looked_after=[
        LookedAfterPeriod("NOSUCH", date(2026, 6, 1)),
        LookedAfterPeriod(child.identifiers.la_child_id, after_closure, after_closure + 5 * D)])
    report = tmp_path / "report.json"
    main(["validate", str(path), "--report", str(report), "--annotate"])
    import json

    local = {f["code"]: f for f in json.loads(report.read_text())["findings"] if f["code"].startswith("LA-")}
    assert local["LA-03"]["sheet"] == "Looked-after" and local["LA-03"]["cells"] == ["A2"]
    assert local["LA-01"]["cells"] == ["B3", "C3"] and local["LA-01"]["child"] == child.identifiers.la_child_id
    ws = load_workbook(path)["Looked-after"]
    assert "LA-03" in ws["E2"].value and ws["F2"].value.split()[0] == "A:Q"
    main(["validate", str(path), "--report", str(report), "--no-local", "--force"])
    assert not [f for f in json.loads(report.read_text())["findings"] if f["code"].startswith("LA-")]
    capsys.readouterr()
