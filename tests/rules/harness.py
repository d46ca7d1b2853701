"""Rule test harness: a failing and a passing case per rule code.

Each rule test module declares ``CASES``: a list of :class:`Case`. ``test_rules.py`` runs them all
and checks that every catalogued code of every supported year has at least one case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear
from cin_xl.validation import validate
from tests.rules.base import base_return

Change = Callable[[CensusReturn], None]


@dataclass
class Case:
    code: str
    #: change that must make the rule fire
    bad: Change
    #: change that must leave it quiet (a near miss); None means the base return itself
    good: Change | None = None
    #: years to run the case in (default: every year the rule is catalogued for)
    years: tuple[str, ...] | None = None
    #: how many findings the bad change gives (default: at least one)
    expect: int | None = None
    note: str = ""

    def __str__(self) -> str:
        return f"{self.code}{'-' + self.note if self.note else ''}"


def findings_for(code: str, census: CensusReturn, year: str):
    return [f for f in validate(census, CensusYear.parse(year), only=[code]) if f.code == code]


def run(change: Change | None, year: str) -> CensusReturn:
    census = base_return(year)
    if change is not None:
        change(census)
    return census
