"""England's figures beside a return's own: the Department for Education's published children in need statistics
for the percentages that compare without population figures (re-referrals, assessments within 45 working days,
initial conferences within 15 working days, plans lasting two years or more).

They are shipped in ``england.json`` beside this module (no network at run time): for each figure the census year,
the published counts, the percentage where the DfE publishes one, the data set's name and the address of the page
each number was read from. A figure whose source could not be read is not in the file (``not_found`` says which
and why): it is never estimated.

:func:`england_figure` gives England's figure for a census year: that year's when the file has it, else the latest
the file has, marked ``same_year=False`` so that every front end names its year rather than presenting it as the
return's. The figures' keys are those of :data:`cin_xl.reports.figures.FIGURES`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from cin_xl.census.years import CensusYear

__all__ = ["EnglandFigure", "EnglandComparison", "england_figures", "england_figure", "not_found", "NO_FIGURE",
           "COMPARED", "DATA_FILE"]

DATA_FILE = "england.json"

#: the figures compared with England, in report order (second or subsequent plans: no source found, see the file)
COMPARED = ("re_referrals", "assessments_within_45_days", "conferences_within_15_days", "cp_second_or_subsequent",
            "cp_ended_two_years")


@dataclass(frozen=True)
class EnglandFigure:
    figure: str
    year: str
    reporting_year: int
    numerator: int
    denominator: int
    #: as published (None: the data set gives counts only, and the percentage is worked out from them)
    published_percent: float | None
    percent_decimals: int
    dataset: str
    publication: str
    url: str
    read_from: str
    definition: str
    #: the published bands (code -> count), and those within the time limit
    bands: dict[str, int] = field(default_factory=dict)
    bands_within: tuple[str, ...] = ()
    total: int | None = None
    #: why the bands may add up to fewer than the total (empty: they add up to it, within rounding)
    unbanded_in_total: str = ""

    @property
    def percent(self) -> float:
        """The published percentage, else the percentage worked out from the published counts."""
        if self.published_percent is not None:
            return float(self.published_percent)
        return 100 * self.numerator / self.denominator

    @property
    def percent_text(self) -> str:
        decimals = self.percent_decimals if self.published_percent is not None else 1
        return f"{self.percent:.{decimals}f}%"

    @property
    def label(self) -> str:
        """"England 2024-25: 85.7%"."""
        return f"England {self.year}: {self.percent_text}"

    @property
    def source(self) -> str:
        """The data set and the page the numbers were read from."""
        worked_out = "" if self.published_percent is not None else " (percentage worked out from the published counts)"
        return f"DfE, {self.publication}: {self.dataset}{worked_out}. {self.url}"


@dataclass(frozen=True)
class EnglandComparison:
    """England's figure shown for a return of census year ``asked``."""

    asked: str
    england: EnglandFigure

    @property
    def same_year(self) -> bool:
        return self.england.year == self.asked

    @property
    def note(self) -> str:
        """Empty for the return's own year, else what year England's figure is and why."""
        if self.same_year:
            return ""
        if CensusYear.parse(self.england.year) < CensusYear.parse(self.asked):
            return f"the latest published; there is no England figure for {self.asked} yet"
        return f"a later year; cin-xl has no England figure for {self.asked}"

    @property
    def text(self) -> str:
        """"England 2024-25: 85.7%", with the year difference said when it is not the return's year."""
        return self.england.label + (f" ({self.note})" if self.note else "")

    @property
    def year_text(self) -> str:
        """"England 2024-25", with the year difference said likewise."""
        return f"England {self.england.year}" + (f" ({self.note})" if self.note else "")


@cache
def _data() -> dict:
    return json.loads(files("cin_xl.reports").joinpath(DATA_FILE).read_text(encoding="utf-8"))


def england_figures() -> list[EnglandFigure]:
    """Every figure in the file."""
    out = []
    for item in _data()["figures"]:
        out.append(EnglandFigure(
            item["figure"], item["year"], item["reporting_year"], item["numerator"], item["denominator"],
            item.get("percent"), item.get("percent_decimals", 1), item["dataset"], item["publication"], item["url"],
            item["read_from"], item["definition"], dict(item.get("bands", {})), tuple(item.get("bands_within", ())),
            item.get("total"), item.get("unbanded_in_total", "")))
    return out


#: what a report says where England's figure was left out
NO_FIGURE = "No England figure: cin-xl has no published national figure it could read for this, and estimates none."


def not_found() -> dict[str, str]:
    """Figures left out for want of a readable source: key -> what was searched (for maintainers)."""
    return {item["figure"]: item["searched"] for item in _data().get("not_found", [])}


def england_figure(key: str, year: CensusYear | str) -> EnglandComparison | None:
    """England's figure ``key`` for census ``year``: that year's, else the latest in the file; None when none."""
    asked = CensusYear.parse(year)
    mine = [f for f in england_figures() if f.figure == key]
    if not mine:
        return None
    same = next((f for f in mine if f.year == asked.label), None)
    chosen = same or max(mine, key=lambda f: f.reporting_year)
    return EnglandComparison(asked.label, chosen)
