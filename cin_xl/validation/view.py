"""A read-only view of a return for the rules: the census period and flat lists of records.

The lists are built once per validation, so each rule is a plain loop over the records it cares
about (``census.assessments`` yields ``(child, episode, assessment)``), never a nested walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from cin_xl.census.model import (
    Assessment,
    CensusReturn,
    Child,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    PreProceedings,
    Section47,
)
from cin_xl.census.years import CensusYear


@dataclass
class CensusView:
    census: CensusReturn
    year: CensusYear
    options: dict = field(default_factory=dict)
    #: looked-after periods from the workbook (for the local LA- checks)
    looked_after: list = field(default_factory=list)
    #: what several rules derive from the return, made once (for example the children's UPNs)
    cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # plain attributes, not properties: the rules ask for them a few hundred thousand times
        #: [Start_Of_Census_Year]: 1 April.
        self.start: date = self.year.start
        #: <ReferenceDate>: 31 March at the end of the census year (the expected one, see rule 100).
        self.reference_date: date = self.year.reference_date

    def derived(self, key: str, make):
        """What ``make()`` derives from the return, made on first asking and kept for the other rules."""
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = make()
        return found

    def outside_year(self, day: object) -> bool:
        """``day`` is a date outside [Period_of_Census] (1 April .. 31 March); not a date: False."""
        return isinstance(day, date) and not (self.start <= day <= self.reference_date)

    def within_year(self, day: object) -> bool:
        """``day`` is a date within [Period_of_Census], both ends included."""
        return isinstance(day, date) and self.start <= day <= self.reference_date

    @property
    def children(self) -> list[Child]:
        return self.census.children

    @cached_property
    def episodes(self) -> list[tuple[Child, CINDetails]]:
        return [(c, e) for c in self.census.children for e in c.cin_details]

    @cached_property
    def assessments(self) -> list[tuple[Child, CINDetails, Assessment]]:
        return [(c, e, a) for c, e in self.episodes for a in e.assessments]

    @cached_property
    def cin_plans(self) -> list[tuple[Child, CINDetails, CINPlan]]:
        return [(c, e, p) for c, e in self.episodes for p in e.cin_plans]

    @cached_property
    def section47s(self) -> list[tuple[Child, CINDetails, Section47]]:
        return [(c, e, s) for c, e in self.episodes for s in e.section47s]

    @cached_property
    def child_protection_plans(self) -> list[tuple[Child, CINDetails, ChildProtectionPlan]]:
        return [(c, e, p) for c, e in self.episodes for p in e.child_protection_plans]

    @cached_property
    def pre_proceedings(self) -> list[tuple[Child, CINDetails, PreProceedings]]:
        return [(c, e, e.pre_proceedings) for c, e in self.episodes if e.pre_proceedings is not None]
