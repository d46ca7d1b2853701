"""For 2020-21 and 2021-22, whose DfE rules are not included, the key figures say so too: the HTML report, the
Summary sheet, the trends page and the Trends sheet, in the one sentence declared for it (and other years do not)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.xml.writer import write_xml


def _text(path) -> str:
    return " ".join(lxml_html.fromstring(path.read_text(encoding="utf-8")).text_content().split())


def _sheet_text(path, sheet: str) -> list[str]:
    wb = load_workbook(path, read_only=True)
    try:
        return [str(v) for row in wb[sheet].iter_rows(values_only=True) for v in row if v is not None]
    finally:
        wb.close()


@pytest.mark.parametrize("label, said", [("2020-21", True), ("2021-22", True), ("2022-23", False)])
def test_the_key_figures_say_when_a_years_dfe_rules_are_not_included(label, said, tmp_path, capsys):
    year = CensusYear.parse(label)
    note = rules_not_included_note(year)
    assert bool(note) is said
    sentence = rules_not_included_note(CensusYear.parse("2021-22")).replace("2021-22", label)
    xml = tmp_path / f"{label}.xml"
    write_xml(generate(30, year, seed=4), year, xml)

    assert main(["report", str(xml), "-o", str(tmp_path / "figures.html")]) == 0
    assert (sentence in _text(tmp_path / "figures.html")) is said

    assert main(["import", str(xml), "-o", str(tmp_path / "book.xlsx")]) == 0
    main(["validate", str(tmp_path / "book.xlsx"), "--annotate", "--quiet"])
    assert (sentence in _sheet_text(tmp_path / "book.xlsx", "Summary")) is said

    other = CensusYear(year.first + 1)
    write_xml(generate(30, other, seed=4), other, tmp_path / "next.xml")
    for out in ("trends.html", "trends.xlsx"):
        assert main(["report", str(tmp_path / "next.xml"), str(xml), "-o", str(tmp_path / out)]) == 0
    assert (sentence in _text(tmp_path / "trends.html")) is said
    assert (sentence in _sheet_text(tmp_path / "trends.xlsx", "Trends")) is said
    capsys.readouterr()
