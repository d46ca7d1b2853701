"""The report with last year's return reads that return once and matches the two returns once for all its
figures (issue 19's speed condition: at 20,000 children, reading it twice and matching three times took
13 s where once takes 5 s), with the same figures and findings as before."""

from __future__ import annotations

from cin_xl.census.years import CensusYear
from cin_xl.jobs import load as load_module
from cin_xl.jobs.report import key_figures
from cin_xl.synthetic.generate import generate
from cin_xl.validation import continuity as continuity_module
from cin_xl.xml.writer import write_xml

YEAR = CensusYear.parse("2026-27")
LAST = CensusYear.parse("2025-26")


def _files(tmp_path):
    this, last = tmp_path / "this.xml", tmp_path / "last.xml"
    write_xml(generate(60, YEAR, seed=3, mistakes=0.5), YEAR, this, check=False)
    write_xml(generate(60, LAST, seed=4, mistakes=0.5), LAST, last, check=False)
    return this, last


def test_last_years_return_is_read_once_and_matched_once_for_the_figures(tmp_path, monkeypatch):
    this, last = _files(tmp_path)
    reads: list[object] = []
    matches: list[object] = []
    real_load_previous = load_module.load_previous

    def counting_load_previous(previous, year):
        reads.append(previous)
        return real_load_previous(previous, year)

    real_init = continuity_module.Continuity.__post_init__

    def counting_init(self):
        matches.append(self)
        real_init(self)

    monkeypatch.setattr(load_module, "load_previous", counting_load_previous)
    monkeypatch.setattr(continuity_module.Continuity, "__post_init__", counting_init)
    figures = key_figures(this, previous=last)
    assert len(reads) == 1
    # once for the continuity checks (findings), once for the continuity figures: not once a figure
    assert len(matches) == 2
    assert figures["open_last_year"] == sum(
        1 for c in matches[0].last.children if matches[0].open_at_last_reference(c))


def test_the_continuity_figures_are_those_of_a_fresh_match(tmp_path):
    this, last = _files(tmp_path)
    figures = key_figures(this, previous=last)
    from cin_xl.jobs.load import load, load_previous

    loaded = load(this)
    fresh = continuity_module.Continuity(loaded.census, load_previous(last, loaded.year), loaded.year)
    carried = [c for c in fresh.last.children if fresh.open_at_last_reference(c)]
    found = {id(before) for before, _ in fresh.matched}
    assert figures["open_last_year"] == len(carried)
    rate = figures["open_last_year_present"]
    assert (rate.numerator, rate.denominator) == (sum(1 for c in carried if id(c) in found), len(carried))
