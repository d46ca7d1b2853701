"""Known rule violations for synthetic returns: one function per rule code, breaking one child.

Used by tests ("every injected violation is reported with the right code on the right cell"), the
demo and the benchmarks. Each injector changes one record of one child and returns an
:class:`Injected` naming the child, the record and the fields it broke.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from .model import CensusReturn, Child, Node
from .years import CensusYear

D = timedelta(days=1)


@dataclass
class Injected:
    code: str
    child: str
    node: Node | None
    fields: tuple[str, ...]


class NoCandidate(LookupError):
    """No child of the return can carry this violation (say, no child has an assessment)."""


class Picker:
    """Chooses a different child for each violation, so each finding can be traced to its cause."""

    def __init__(self, census: CensusReturn, year: CensusYear, rng: random.Random):
        self.census, self.year, self.rng = census, year, rng
        self._used: set[int] = set()

    def child(self, test: Callable[[Child], bool] = lambda c: True) -> Child:
        candidates = [c for c in self.census.children if id(c) not in self._used and test(c)]
        if not candidates:
            raise NoCandidate
        chosen = self.rng.choice(candidates)
        self._used.add(id(chosen))
        return chosen


Injector = Callable[[Picker], Injected]
INJECTORS: dict[str, Injector] = {}


def injector(code: str) -> Callable[[Injector], Injector]:
    def register(func: Injector) -> Injector:
        INJECTORS[code] = func
        return func

    return register


def inject(census: CensusReturn, year: CensusYear, codes: tuple[str, ...] | list[str],
           rng: random.Random | None = None) -> list[Injected]:
    """Break each rule in ``codes`` on a different child; returns what was done.

    Raises KeyError for a code with no injector and :class:`NoCandidate` when no child fits, so a
    violation asked for is never skipped silently.
    """
    picker = Picker(census, year, rng or random.Random(0))
    return [INJECTORS[code](picker) for code in codes]


def _id(child: Child) -> str:
    return child.identifiers.la_child_id or ""


# --- injectors -------------------------------------------------------------------------------------


@injector("1103")
def _assessment_before_referral(pick):
    child = pick.child(lambda c: any(e.assessments for e in c.cin_details))
    episode = next(e for e in child.cin_details if e.assessments)
    assessment = episode.assessments[0]
    assessment.start_date = episode.referral_date - 3 * D
    return Injected("1103", _id(child), assessment, ("start_date",))


@injector("8525Q")
def _no_birth_date(pick):
    child = pick.child(lambda c: isinstance(c.identifiers.person_birth_date, date))
    child.identifiers.person_birth_date = None
    return Injected("8525Q", _id(child), child.identifiers, ("person_birth_date",))


@injector("4220")
def _bad_ethnicity(pick):
    child = pick.child()
    child.characteristics.ethnicity = "XXXX"
    return Injected("4220", _id(child), child.characteristics, ("ethnicity",))


@injector("8510")
def _duplicate_child_id(pick):
    first, second = pick.child(), pick.child()
    second.identifiers.la_child_id = first.identifiers.la_child_id
    return Injected("8510", _id(second), second.identifiers, ("la_child_id",))


@injector("1510")
def _bad_check_letter(pick):
    child = pick.child(lambda c: c.identifiers.upn is not None)
    upn = child.identifiers.upn
    child.identifiers.upn = ("B" if upn[0] != "B" else "C") + upn[1:]
    return Injected("1510", _id(child), child.identifiers, ("upn",))


@injector("8630")
def _closure_before_referral(pick):
    child = pick.child(lambda c: any(e.closure_date for e in c.cin_details))
    episode = next(e for e in child.cin_details if e.closure_date)
    episode.closure_date = episode.referral_date - D
    return Injected("8630", _id(child), episode, ("closure_date",))


@injector("8875")
def _conference_at_weekend(pick):
    child = pick.child(lambda c: any(s.date_of_initial_cpc for e in c.cin_details for s in e.section47s))
    s47 = next(s for e in child.cin_details for s in e.section47s if s.date_of_initial_cpc)
    day = s47.date_of_initial_cpc
    while day.weekday() != 5:
        day += D
    for episode in child.cin_details:  # the plan starts on the conference day (2885 stays quiet)
        for plan in episode.child_protection_plans:
            if plan.start_date == s47.date_of_initial_cpc:
                plan.start_date = day
    s47.date_of_initial_cpc = day
    return Injected("8875", _id(child), s47, ("date_of_initial_cpc",))
