"""Working out the key figures: :func:`compute_figures` runs every declared figure on one :class:`Facts`
and returns them as :class:`Figures`, in report order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc
from cin_xl.progress import phase

# importing the sections declares their figures (FIGURES keeps them in report order)
from cin_xl.reports.figures import (  # noqa: F401
    breakdowns,
    continuity,
    counts,
    monthly,
    quality,
    timeliness,
    year_on_year,
)
from cin_xl.reports.figures.lists import LISTS, ChildList
from cin_xl.reports.figures.shared import FIGURES, Facts, Figure
from cin_xl.validation.findings import Finding

V = TypeVar("V")


@dataclass
class Result:
    figure: Figure
    #: int, Rate, Breakdown, Monthly or Table; None when the figure could not be worked out
    #: (a data-quality figure of a return that was not checked)
    value: object

    def value_as(self, kind: type[V]) -> V:
        """The value, a ``kind`` (int, Rate, Breakdown, Monthly or Table) as the figure gives it; a TypeError
        when it is not (the caller asked for the wrong kind, or for a figure that was not worked out)."""
        if not isinstance(self.value, kind):
            raise TypeError(f"figure {self.figure.key!r} is {self.value!r}, not a {kind.__name__}")
        return self.value


@dataclass
class Figures:
    """The figures of one return for one census year, in report order."""

    year: CensusYear
    results: dict[str, Result]
    source: str | None = None
    #: validation findings were given (the data-quality figures are filled)
    checked: bool = False
    #: last year's return was given (the continuity figures are filled)
    compared: bool = False
    #: the child-level lists, when asked for (key -> list, in report order)
    lists: dict[str, ChildList] = field(default_factory=dict)

    def __getitem__(self, key: str) -> object:
        return self.results[key].value

    def value_as(self, key: str, kind: type[V]) -> V:
        """The value of figure ``key``, typed: see :meth:`Result.value_as`."""
        return self.results[key].value_as(kind)

    def __contains__(self, key: str) -> bool:
        return key in self.results

    def get(self, key: str, default: object = None) -> object:
        result = self.results.get(key)
        return default if result is None else result.value

    def section(self, name: str) -> list[Result]:
        return [r for r in self.results.values() if r.figure.section == name]

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results.values())

    def as_dict(self) -> dict:
        """Plain data (for JSON): key -> {name, section, definition, value}."""
        out = {}
        for key, r in self.results.items():
            value = r.value
            if hasattr(value, "as_dict"):
                value = value.as_dict()
            out[key] = {"name": r.figure.name, "section": r.figure.section,
                        "definition": r.figure.full_definition, "value": value}
        return {"year": self.year.label, "source": self.source, "figures": out}


def compute_figures(census: CensusReturn, year: CensusYear | str, findings: list[Finding] | None = None, *,
                    source: str | None = None, only: Iterable[str] | None = None,
                    previous: CensusReturn | None = None, lists: bool = False) -> Figures:
    """Every figure that applies in ``year`` (or just those in ``only``).

    ``findings`` (from validation, and reading) feed the data-quality figures; without them those
    figures are ``None``. ``previous`` (last year's return) feeds the continuity figures likewise.
    """
    year = CensusYear.parse(year)
    wanted = set(only) if only is not None else None
    results: dict[str, Result] = {}
    with no_gc(), phase("Working out the key figures"):
        facts = Facts(census, year, findings, previous)
        for fig in FIGURES:
            if wanted is not None and fig.key not in wanted:
                continue
            if not fig.applies(year):
                continue
            absent = (fig.from_findings and findings is None) or (fig.from_previous and previous is None)
            value = None if absent else fig.compute(facts)
            facts.computed[fig.key] = value
            results[fig.key] = Result(fig, value)
        made = {spec.key: spec.make(facts) for spec in LISTS} if lists else {}
    return Figures(year, results, source, findings is not None, previous is not None, made)
