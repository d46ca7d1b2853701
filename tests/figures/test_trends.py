"""Trends: the key figures of several census years side by side, each by its own year's definitions."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.cli import main
from cin_xl.jobs.report import key_figures
from cin_xl.reports.trends import breaks, render_trends, series
from cin_xl.synthetic.generate import generate
from cin_xl.xml.writer import write_xml


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    folder = tmp_path_factory.mktemp("years")
    paths = []
    for i, label in enumerate(SUPPORTED_YEARS):  # seven years of one authority, growing
        path = folder / f"{label}.xml"
        write_xml(generate(60 + 10 * i, label, seed=5), CensusYear.parse(label), path)
        paths.append(path)
    return paths


def test_breaks_are_read_from_the_spec():
    year = CensusYear.parse
    assert breaks(year("2020-21"), year("2021-22")) == [
        "CIN plans (group CINPlanDates) first collected in 2021-22",
        "AssessmentFactors codes in 2021-22: 24A added"]
    assert breaks(year("2022-23"), year("2023-24")) == []
    both = breaks(year("2023-24"), year("2024-25"))
    assert "Sex (item Sex) first collected in 2024-25" in both
    assert "Gender (GenderCurrent) no longer collected from 2024-25" in both
    assert "ReferralSource codes in 2022-23: 5D added" in breaks(year("2021-22"), year("2022-23"))


def test_trend_report_over_seven_years_in_any_order(returns, tmp_path, capsys):
    out = tmp_path / "trends.html"
    shuffled = [returns[3], returns[6], returns[0], returns[5], returns[1], returns[4], returns[2]]
    assert main(["report", *map(str, shuffled), "-o", str(out)]) == 0
    assert "Trends of 7 census years (2020-21, " in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page)
    counts = doc.xpath("//h2[.='Counts']/following-sibling::table[1]")[0]
    assert [th.text_content() for th in counts.xpath(".//thead//th")][1:] == list(SUPPORTED_YEARS)
    row = {tr.xpath("./th")[0].text_content().split("Every")[0].strip(): [td.text_content() for td in tr.xpath("./td")]
           for tr in counts.xpath(".//tbody/tr")}
    assert row["Children in the return"] == [str(60 + 10 * i) for i in range(7)]
    # CIN plans were not collected in 2020-21: not a 0; pre-proceedings only from 2026-27
    plans = next(v for k, v in row.items() if k.startswith("CIN plans started"))
    assert plans[0] == "not collected" and all(re.fullmatch(r"[\d,]+", v) for v in plans[1:])
    pre = next(v for k, v in row.items() if k.startswith("Pre-proceedings started"))
    assert pre[:6] == ["not collected"] * 6 and pre[6] != "not collected"
    notes = " ".join(li.text_content() for li in doc.xpath("//ul[@class='notes']/li"))
    assert "2024-25: Sex (item Sex) first collected in 2024-25" in notes and "RC9 added" in notes
    assert len(doc.xpath("//svg")) == len(series([key_figures(p, check=False) for p in returns]))


def test_two_returns_of_one_year_make_no_trend(returns, tmp_path, capsys):
    assert main(["report", str(returns[2]), str(returns[2]), "-o", str(tmp_path / "t.html")]) == 2
    assert "both the census 2022-23" in capsys.readouterr().err
    assert not (tmp_path / "t.html").exists()


def test_a_gap_between_years_is_said(returns):
    page = render_trends([key_figures(returns[0], check=False), key_figures(returns[3], check=False)])
    assert "2020-21 to 2023-24: no return of the years between" in page
