"""The machinery every injector uses: the :class:`Picker` that gives each violation its own child,
:class:`Injected`, the registry of injectors (:func:`injector`, :func:`inject`), the codes that cannot be
broken alone (:data:`COMPANIONS`), and the record finders and date helpers several census modules share."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeGuard, TypeVar, cast

from cin_xl.census.model import Assessment, CensusReturn, Child, ChildProtectionPlan, CINDetails, Node, Section47
from cin_xl.census.years import CensusYear, in_force

D = timedelta(days=1)
T = TypeVar("T")
R = TypeVar("R", bound=Node)


#: Codes that cannot be broken without breaking another rule too: code -> the codes that come with it.
COMPANIONS: dict[str, set[str]] = {
    # More plans than conferences while every plan still starts on a conference of its episode (2885)
    # needs two plans on one conference: the plan recorded twice, so the copy overlaps the original.
    "2883": {"8940"},
    # An open CIN plan beside an open CP plan in one episode: whichever started later starts inside
    # the other's open period (4016 or 4017); here the step-down CIN plan starts inside the CP plan.
    "4001": {"4016"},
    # Two open CIN plans of one episode overlap: the later one starts inside the earlier's open period.
    "4004": {"4014"},
    # Two open episodes of one child: each open period runs to 31 March, so one referral falls in the
    # other's (8820). The duplicated episode has the same referral date, so 8816 stays quiet.
    "8815": {"8820"},
    # An open episode that is not the latest has a later referral inside its open period.
    "8816": {"8820"},
    # The only referrals with a CP plan and no assessment or section 47 (so that 8831 stays quiet)
    # are episodes carried over from last year; an NFA flag on them is also queried by 8569Q.
    "8832": {"8569Q"},
    # Two open section 47 enquiries of one episode: one starts inside the other's open period.
    "8839": {"8890"},
    # Two open assessments of one episode: one starts inside the other's open period.
    "8896": {"8863Q"},
    # Two open CP plans of one child: one starts inside the other's open period.
    "8935": {"8940"},
}


RC_AFTER_ASSESSMENT = ("RC8", "RC9")


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

    def child(self, test: Callable[[Child], object] = lambda c: True) -> Child:
        candidates = [c for c in self.census.children if id(c) not in self._used and test(c)]
        if not candidates:
            raise NoCandidate
        chosen = self.rng.choice(candidates)
        self._used.add(id(chosen))
        return chosen

    def used(self, child: Child) -> bool:
        return id(child) in self._used

    def claim(self, child: Child) -> None:
        """Mark a child changed by a return-level injector, so no other violation goes on it."""
        self._used.add(id(child))

    def unused(self) -> Iterator[Child]:
        """The children no violation has been put on yet, in a random order (one pass, linear)."""
        children = [c for c in self.census.children if id(c) not in self._used]
        self.rng.shuffle(children)
        return iter(children)

    @property
    def start(self) -> date:
        return self.year.start

    @property
    def ref(self) -> date:
        return self.year.reference_date


Injector = Callable[[Picker], Injected]


INJECTORS: dict[str, Injector] = {}
#: code -> (since, until, injector) of a rule registered once per version of its condition
_VERSIONS: dict[str, list[tuple[str | None, str | None, Injector]]] = {}


def injector(code: str, *, since: str | None = None, until: str | None = None) -> Callable[[Injector], Injector]:
    """Register the decorated function as the injector of ``code``; like a rule, one whose condition changed
    registers one per version with ``since`` / ``until``, and the version in force in the picker's year runs."""
    def register(func: Injector) -> Injector:
        if since is None and until is None:
            INJECTORS[code] = func
            return func
        versions = _VERSIONS.setdefault(code, [])
        versions.append((since, until, func))

        @functools.wraps(func)
        def in_force_version(pick: Picker) -> Injected:
            for first, last, version in versions:
                if in_force(pick.year, first, last):
                    return version(pick)
            raise NoCandidate(f"{code} is not in force in {pick.year}")

        INJECTORS[code] = in_force_version
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


def la_id(child: Child) -> str:
    return child.identifiers.la_child_id or ""


def as_date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def choose(pick: Picker, *finders: Callable[[Child], T | None]) -> tuple[Child, T]:
    """The first finder that fits some child wins: a random child it fits, and what it found there."""
    for find in finders:
        def fits(c: Child, find: Callable[[Child], T | None] = find) -> bool:
            return find(c) is not None

        try:
            child = pick.child(fits)
        except NoCandidate:
            continue
        found = find(child)
        if found is None:  # the finders are pure: what fitted when picked still fits
            raise NoCandidate
        return child, found
    raise NoCandidate


def is_date(value: object) -> TypeGuard[date]:
    """A real date: not missing, not text kept from a bad cell (narrows a record's ``DateValue`` for the checker)."""
    return isinstance(value, date)


def copied(record: R) -> R:
    """A deep copy of ``record``, typed as its own class (``Node.copy`` is typed as returning a Node)."""
    return cast(R, record.copy())


def first_of(items: Iterable[T], test: Callable[[T], object]) -> T | None:
    return next((x for x in items if test(x)), None)


def is_open(episode: CINDetails) -> bool:
    """An episode of need still open: no closure date and not a referral with no further action."""
    return episode.closure_date is None and episode.referral_nfa is False


def has_further_action(child: Child) -> bool:
    return any(e.referral_nfa is False for e in child.cin_details)


def birth_date(child: Child) -> date | None:
    return as_date(child.identifiers.person_birth_date)


def alive(child: Child) -> bool:
    return child.identifiers.person_death_date is None


def cp_plans_of(child: Child) -> list[ChildProtectionPlan]:
    return [p for e in child.cin_details for p in e.child_protection_plans]


def within(day: object, first: object, last: object) -> bool:
    """``day`` falls on or between ``first`` and ``last``, all three real dates."""
    return is_date(day) and is_date(first) and is_date(last) and first <= day <= last


def _death_breaks(child: Child, day: date, pick: Picker) -> set[str]:
    """The codes a date of death on ``day`` would break for this child."""
    out: set[str] = set()
    if not pick.start <= day <= pick.ref:
        out.add("8545Q")
    if (born := birth_date(child)) is not None and day < born:
        out.add("8535Q")
    for e in child.cin_details:
        if is_date(e.referral_date) and e.referral_date > day:
            out.add("8555Q")
        for q in e.cin_plans:
            if is_date(q.start_date) and q.start_date > day:
                out.add("4008")
            if is_date(q.end_date) and q.end_date > day:
                out.add("4009Q")
        for p in e.child_protection_plans:
            if is_date(p.start_date) and p.start_date > day:
                out.add("8915")
            if is_date(p.end_date) and p.end_date > day:
                out.add("8920")
    return out


def death_injector(code: str, days: Callable[[Child], Iterator[tuple[date, Node, tuple[str, ...]]]]) -> Injector:
    """A date of death keyed wrongly (a slip of days or a year), breaking ``code`` and nothing else."""

    def inject_death(pick: Picker) -> Injected:
        def find(child: Child):
            if not alive(child) or birth_date(child) is None:
                return None
            for day, node, fields in days(child):
                if _death_breaks(child, day, pick) == {code}:
                    return day, node, fields
            return None

        child, (day, node, fields) = choose(pick, find)
        child.identifiers.person_death_date = day
        return Injected(code, la_id(child), node, fields)

    return inject_death


def find_assessment(child: Child, test: Callable[[CINDetails, Assessment], object],
                    ) -> tuple[CINDetails, Assessment] | None:
    for e in child.cin_details:
        for a in e.assessments:
            if is_date(a.start_date) and test(e, a):
                return e, a
    return None


def completed(a: Assessment) -> bool:
    return is_date(a.authorisation_date)


def find_section47(child: Child, test: Callable[[CINDetails, Section47], object],
                   ) -> tuple[CINDetails, Section47] | None:
    for e in child.cin_details:
        for s in e.section47s:
            if is_date(s.start_date) and test(e, s):
                return e, s
    return None


def s47_open(s: Section47) -> bool:
    return s.date_of_initial_cpc is None and s.icpc_not_required is not True
