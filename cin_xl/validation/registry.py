"""Rule registry: one small function per DfE rule code.

A rule is a generator over a :class:`~cin_xl.validation.view.CensusView` that yields a
:class:`Hit` for each record breaking it. Code, severity and message come from the year's
catalogue (``rules/<year>.json``), so a rule function only says *where* the rule is broken::

    @rule("1103")
    def assessment_start_before_referral(census):
        '''Where present, AssessmentActualStartDate (N00159) should be on or after CINreferralDate (N00100).'''
        for child, episode, assessment in census.assessments:
            if before(assessment.start_date, episode.referral_date):
                yield Hit(assessment, ("start_date",), child)

A rule whose condition changed between years is registered once per version with ``since`` /
``until``; the engine picks the version in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cin_xl.census.years import CensusYear, in_force

if TYPE_CHECKING:  # pragma: no cover
    from cin_xl.census.model import Child, Node
    from cin_xl.validation.view import CensusView


@dataclass
class Hit:
    """Where a rule is broken: the record (``node``), the fields at fault, and the child."""

    node: Node | None
    fields: tuple[str, ...] = ()
    child: Child | None = None
    #: other records involved (for example the referral a date is compared with)
    related: tuple[tuple[Node, tuple[str, ...]], ...] = field(default=())


RuleFunc = Callable[["CensusView"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    func: RuleFunc
    since: str | None = None
    until: str | None = None

    @property
    def name(self) -> str:
        return self.func.__name__

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()


REGISTRY: dict[str, list[Rule]] = {}


def rule(code: str, *, since: str | None = None, until: str | None = None) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        REGISTRY.setdefault(code, []).append(Rule(code, func, since, until))
        return func

    return register


def implementation(code: str, year: CensusYear) -> Rule | None:
    load_rules()
    for r in REGISTRY.get(code, []):
        if in_force(year, r.since, r.until):
            return r
    return None


def load_rules() -> None:
    """Import every rule module so that the decorators have registered them."""
    from cin_xl.validation import rules  # noqa: F401
