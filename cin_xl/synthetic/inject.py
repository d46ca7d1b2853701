"""Known rule violations for synthetic returns: one function per rule code, breaking one child.

Used by tests ("every injected violation is reported with the right code on the right cell"), the
demo and the benchmarks. Each injector makes one realistic mistake, the kind a caseworker or a
case-management extract makes, on one child chosen by the :class:`Picker` among those whose data make
the mistake meaningful (an assessment to date wrongly, a conference to move, ...), and returns an
:class:`Injected` naming the child, the record and the fields the finding lands on (the same record
and fields as the rule's ``Hit``).

An injector breaks its own rule only: where a change would drag other dates out of line it moves
them too, and it picks a child on which the change trips nothing else. The few codes that cannot be
broken alone list the codes that necessarily come with them in :data:`COMPANIONS`.

Return-level rules (2883, 2886Q, 2887Q, 2888Q, 8995Q, 9000Q) return ``Injected(code, "", None, ())``
and may change many children; those children are claimed from the picker so that no other
violation is put on them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import TypeVar

from cin_xl.census.calendar import add_working_days, is_working_day
from cin_xl.census.model import (
    Assessment,
    CensusReturn,
    Child,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    Node,
    PreProceedings,
    Section47,
)
from cin_xl.census.spec import CODE_SETS
from cin_xl.census.upn import check_letter
from cin_xl.census.values import is_missing
from cin_xl.census.years import CensusYear, in_force
from cin_xl.validation.helpers import years_before

D = timedelta(days=1)
T = TypeVar("T")

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

    def child(self, test: Callable[[Child], bool] = lambda c: True) -> Child:
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


# --- helpers -----------------------------------------------------------------------------------------


def _id(child: Child) -> str:
    return child.identifiers.la_child_id or ""


def _d(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _choose(pick: Picker, *finders: Callable[[Child], T | None]) -> tuple[Child, T]:
    """The first finder that fits some child wins: a random child it fits, and what it found there."""
    for find in finders:
        try:
            child = pick.child(lambda c, find=find: find(c) is not None)
        except NoCandidate:
            continue
        return child, find(child)  # type: ignore[return-value]
    raise NoCandidate


def _first(items, test) -> object | None:
    return next((x for x in items if test(x)), None)


def _is_open(episode: CINDetails) -> bool:
    """An episode of need still open: no closure date and not a referral with no further action."""
    return episode.closure_date is None and episode.referral_nfa is False


def _has_further_action(child: Child) -> bool:
    return any(e.referral_nfa is False for e in child.cin_details)


def _born(child: Child) -> date | None:
    return _d(child.identifiers.person_birth_date)


def _alive(child: Child) -> bool:
    return child.identifiers.person_death_date is None


def _cpps(child: Child) -> list[ChildProtectionPlan]:
    return [p for e in child.cin_details for p in e.child_protection_plans]


def _conferences(episode: CINDetails) -> set[date]:
    days = {_d(s.date_of_initial_cpc) for s in episode.section47s} | {_d(episode.date_of_initial_cpc)}
    return {d for d in days if d is not None}


def _weekday_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= D
    return day


def _weekday_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += D
    return day


def _within(day, first, last) -> bool:
    day, first, last = _d(day), _d(first), _d(last)
    return day is not None and first is not None and last is not None and first <= day <= last


def _death_breaks(child: Child, day: date, pick: Picker) -> set[str]:
    """The codes a date of death on ``day`` would break for this child."""
    out: set[str] = set()
    if not pick.start <= day <= pick.ref:
        out.add("8545Q")
    if _born(child) is not None and day < _born(child):
        out.add("8535Q")
    for e in child.cin_details:
        if _d(e.referral_date) and e.referral_date > day:
            out.add("8555Q")
        for q in e.cin_plans:
            if _d(q.start_date) and q.start_date > day:
                out.add("4008")
            if _d(q.end_date) and q.end_date > day:
                out.add("4009Q")
        for p in e.child_protection_plans:
            if _d(p.start_date) and p.start_date > day:
                out.add("8915")
            if _d(p.end_date) and p.end_date > day:
                out.add("8920")
    return out


def _death_injector(code: str, days: Callable[[Child], Iterator[tuple[date, Node, tuple[str, ...]]]]) -> Injector:
    """A date of death keyed wrongly (a slip of days or a year), breaking ``code`` and nothing else."""

    def inject_death(pick: Picker) -> Injected:
        def find(child: Child):
            if not _alive(child) or _born(child) is None:
                return None
            for day, node, fields in days(child):
                if _death_breaks(child, day, pick) == {code}:
                    return day, node, fields
            return None

        child, (day, node, fields) = _choose(pick, find)
        child.identifiers.person_death_date = day
        return Injected(code, _id(child), node, fields)

    return inject_death


def _pre_proceedings(pick: Picker) -> None:
    if not in_force(pick.year, "2026-27", None):
        raise NoCandidate  # the pre-proceedings module and its rules start in 2026-27


def _pp(child: Child, test: Callable[[PreProceedings], bool]):
    for e in child.cin_details:
        if e.pre_proceedings is not None and test(e.pre_proceedings):
            return e.pre_proceedings
    return None


# --- header ------------------------------------------------------------------------------------------


@injector("100")
def _reference_date_of_last_year(pick):
    """The header still carries last year's reference date."""
    details = pick.census.header.collection_details
    details.reference_date = pick.ref.replace(year=pick.ref.year - 1)
    return Injected("100", "", details, ("reference_date",))


# --- child identifiers ---------------------------------------------------------------------------------


def _with_upn(child: Child) -> str | None:
    upn = child.identifiers.upn
    return upn if isinstance(upn, str) and len(upn) == 13 and upn[1:12].isdigit() else None


@injector("1510")
def _bad_check_letter(pick):
    child = pick.child(lambda c: _with_upn(c) is not None)
    upn = child.identifiers.upn
    child.identifiers.upn = ("B" if upn[0] != "B" else "C") + upn[1:]
    return Injected("1510", _id(child), child.identifiers, ("upn",))


@injector("1520")
def _upn_of_another_child(pick):
    """A sibling's UPN typed on the child's record."""
    first = pick.child(lambda c: _with_upn(c) is not None)
    second = pick.child(lambda c: _with_upn(c) is not None and c.identifiers.upn != first.identifiers.upn)
    second.identifiers.upn = first.identifiers.upn
    return Injected("1520", _id(second), second.identifiers, ("upn",))


@injector("1530")
def _upn_from_unknown_la(pick):
    """A UPN whose LA code is not a real one (its check letter is right, so only 1530 is broken)."""
    child = pick.child(lambda c: _with_upn(c) is not None)
    body = "999" + child.identifiers.upn[4:]
    child.identifiers.upn = check_letter(body) + body
    return Injected("1530", _id(child), child.identifiers, ("upn",))


@injector("1540")
def _upn_letter_o_for_zero(pick):
    """The letter O typed for a zero among characters 5-12."""
    child = pick.child(lambda c: _with_upn(c) is not None)
    upn = child.identifiers.upn
    child.identifiers.upn = upn[:6] + "O" + upn[7:]
    return Injected("1540", _id(child), child.identifiers, ("upn",))


@injector("1550")
def _upn_last_character_o(pick):
    """A temporary UPN ending in O, a letter UPNs never use."""
    child = pick.child(lambda c: _with_upn(c) is not None)
    child.identifiers.upn = child.identifiers.upn[:12] + "O"
    return Injected("1550", _id(child), child.identifiers, ("upn",))


@injector("1560Q")
def _former_upn_digit_missing(pick):
    """The former UPN copied with its last digit missing."""
    child = pick.child(lambda c: _with_upn(c) is not None)
    former = child.identifiers.former_upn if isinstance(child.identifiers.former_upn, str) else child.identifiers.upn
    child.identifiers.former_upn = former[:12]
    return Injected("1560Q", _id(child), child.identifiers, ("former_upn",))


def _child_ids(pick: Picker) -> set[str]:
    return {c.identifiers.la_child_id for c in pick.census.children if isinstance(c.identifiers.la_child_id, str)}


@injector("1570")
def _child_id_with_system_prefix(pick):
    """The case-management system's full reference exported instead of the LA child ID."""
    child = pick.child(lambda c: isinstance(c.identifiers.la_child_id, str))
    taken = _child_ids(pick)
    old = child.identifiers.la_child_id
    new = "CASEREF" + "0" * max(0, 21 - 7 - len(old)) + old
    while new in taken:
        new = "0" + new
    child.identifiers.la_child_id = new
    return Injected("1570", _id(child), child.identifiers, ("la_child_id",))


@injector("1580")
def _child_id_with_slash(pick):
    """An LA child ID written with a separator, "C001/0000123"."""
    child = pick.child(lambda c: isinstance(c.identifiers.la_child_id, str) and len(c.identifiers.la_child_id) >= 5)
    taken = _child_ids(pick)
    old = child.identifiers.la_child_id
    new = old[:4] + "/" + old[4:]
    if new in taken:
        new = old + "/"
    child.identifiers.la_child_id = new
    return Injected("1580", _id(child), child.identifiers, ("la_child_id",))


@injector("8500")
def _child_id_missing(pick):
    """The LA child ID left blank (the finding then names no child)."""
    child = pick.child(lambda c: isinstance(c.identifiers.la_child_id, str))
    child.identifiers.la_child_id = None
    return Injected("8500", "", child.identifiers, ("la_child_id",))


@injector("8510")
def _duplicate_child_id(pick):
    first, second = pick.child(), pick.child()
    second.identifiers.la_child_id = first.identifiers.la_child_id
    return Injected("8510", _id(second), second.identifiers, ("la_child_id",))


@injector("2886Q")
def _sex_unknown_for_many(pick):
    """An extract that defaults Sex to U: more than 2% of the children (not unborn) have no sex recorded."""
    children = pick.census.children
    if not children:
        raise NoCandidate

    def unrecorded(c: Child) -> bool:
        return (is_missing(c.identifiers.sex) or c.identifiers.sex in ("U", "0")) \
            and is_missing(c.identifiers.expected_person_birth_date)

    count = sum(1 for c in children if unrecorded(c))
    need = len(children) * 2 // 100 + 1 - count
    for child in pick.unused():
        if need <= 0:
            break
        if child.identifiers.sex in ("M", "F") and is_missing(child.identifiers.expected_person_birth_date):
            child.identifiers.sex = "U"
            pick.claim(child)
            need -= 1
    if need > 0:
        raise NoCandidate
    return Injected("2886Q", "", None, ())


@injector("4180")
def _sex_as_old_gender_code(pick):
    """Sex given with the old GenderCurrent code, 1 for male."""
    child = pick.child(lambda c: _born(c) is not None and c.identifiers.sex in ("M", "F"))
    child.identifiers.sex = "1" if child.identifiers.sex == "M" else "2"
    return Injected("4180", _id(child), child.identifiers, ("sex",))


@injector("8750")
def _unborn_child_with_sex(pick):
    """An unborn child recorded as female after a scan."""
    child = pick.child(lambda c: _born(c) is None and _d(c.identifiers.expected_person_birth_date) is not None)
    child.identifiers.sex = "F"
    return Injected("8750", _id(child), child.identifiers, ("sex",))


@injector("8520")
def _birth_date_after_reference_date(pick):
    """A date of birth in the future (next year typed)."""
    new = pick.ref + 7 * D

    def fits(c: Child) -> bool:
        return (_born(c) is not None and _alive(c)
                and all(_d(e.referral_date) and e.referral_date >= new - 280 * D for e in c.cin_details))

    child = pick.child(fits)
    child.identifiers.person_birth_date = new
    return Injected("8520", _id(child), child.identifiers, ("person_birth_date",))


@injector("8525Q")
def _no_birth_date(pick):
    child = pick.child(lambda c: _born(c) is not None and is_missing(c.identifiers.expected_person_birth_date))
    child.identifiers.person_birth_date = None
    return Injected("8525Q", _id(child), child.identifiers, ("person_birth_date", "expected_person_birth_date"))


@injector("8530Q")
def _expected_birth_long_past(pick):
    """An unborn child whose due date passed weeks ago, the birth never recorded."""
    child = pick.child(lambda c: _born(c) is None and _d(c.identifiers.expected_person_birth_date) is not None)
    child.identifiers.expected_person_birth_date = pick.ref - 45 * D
    return Injected("8530Q", _id(child), child.identifiers, ("expected_person_birth_date",))


@injector("8535Q")
def _death_keyed_before_birth(pick):
    """A baby (referred before birth) born and died: the date of death keyed the day before the birth."""

    def fits(c: Child):
        expected = _d(c.identifiers.expected_person_birth_date)
        if _born(c) is not None or expected is None or not _alive(c) or len(c.cin_details) != 1:
            return None
        episode = c.cin_details[0]
        birth = min(expected, pick.ref)
        referral = _d(episode.referral_date)
        if referral is None or not (referral + 2 * D <= birth and birth - D >= pick.start):
            return None
        if episode.cin_plans or episode.child_protection_plans:
            return None
        return birth

    child, birth = _choose(pick, fits)
    ids = child.identifiers
    ids.person_birth_date, ids.expected_person_birth_date = birth, None
    ids.sex = pick.rng.choice(["M", "F"])
    if not child.characteristics.disabilities:
        child.characteristics.disabilities = ["NONE"]
    ids.person_death_date = birth - D
    return Injected("8535Q", _id(child), ids, ("person_death_date",))


@injector("8545Q")
def _death_date_next_year(pick):
    """A date of death keyed a year late, after the census year."""

    def days(c: Child):
        closures = [_d(e.closure_date) for e in c.cin_details if _d(e.closure_date)]
        if closures:
            yield max(closures) + 365 * D, c.identifiers, ("person_death_date",)

    return _death_injector("8545Q", days)(pick)


@injector("8555Q")
def _death_before_referral(pick):
    """A date of death keyed days before the (only) referral."""

    def days(c: Child):
        first = c.cin_details[0].referral_date if c.cin_details else None
        if _d(first):
            yield first - 5 * D, c.cin_details[0], ("referral_date",)

    return _death_injector("8555Q", days)(pick)


@injector("4008")
def _death_before_cin_plan(pick):
    """A date of death a day before the (open) CIN plan started."""

    def days(c: Child):
        for e in c.cin_details:
            for q in e.cin_plans:
                if _d(q.start_date) and q.end_date is None:
                    yield q.start_date - D, q, ("start_date",)

    return _death_injector("4008", days)(pick)


@injector("4009Q")
def _death_before_cin_plan_end(pick):
    """A date of death a day before the CIN plan's end date."""

    def days(c: Child):
        for e in c.cin_details:
            for q in e.cin_plans:
                if _d(q.end_date):
                    yield q.end_date - D, q, ("end_date",)

    return _death_injector("4009Q", days)(pick)


@injector("8915")
def _death_before_cp_plan(pick):
    """A date of death a day before the (open) CP plan started."""

    def days(c: Child):
        for p in _cpps(c):
            if _d(p.start_date) and p.end_date is None:
                yield p.start_date - D, p, ("start_date",)

    return _death_injector("8915", days)(pick)


@injector("8920")
def _death_before_cp_plan_end(pick):
    """A date of death a day before the CP plan's end date."""

    def days(c: Child):
        for p in _cpps(c):
            if _d(p.end_date):
                yield p.end_date - D, p, ("end_date",)

    return _death_injector("8920", days)(pick)


@injector("8770Q")
def _school_age_child_without_upn(pick):
    """A school-age child's UPN not exported, the reason given as UN1 (under 6, not at school)."""
    school_age = years_before(pick.ref, 4)
    child = pick.child(lambda c: _with_upn(c) is not None and _born(c) is not None and _born(c) <= school_age
                       and _has_further_action(c))
    child.identifiers.upn, child.identifiers.upn_unknown = None, "UN1"
    return Injected("8770Q", _id(child), child.identifiers, ("upn", "upn_unknown"))


@injector("8772")
def _un7_with_further_action(pick):
    """UN7 (referral with no further action) given for a child whose referral went on to an assessment."""
    child = pick.child(lambda c: c.identifiers.upn is None
                       and c.identifiers.upn_unknown in ("UN1", "UN2", "UN3", "UN4", "UN5", "UN6")
                       and _has_further_action(c))
    child.identifiers.upn_unknown = "UN7"
    return Injected("8772", _id(child), child.identifiers, ("upn_unknown",))


@injector("8775Q")
def _birth_year_typo_over_25(pick):
    """A birth year typed twenty-odd years early, making the child over 25."""
    cutoff = years_before(pick.start, 25)  # 25 before the census year starts: every closure comes after
    child = pick.child(lambda c: _born(c) is not None and _with_upn(c) is not None and c.cin_details)
    birth, years = _born(child), 20
    while years_before(birth, years) >= cutoff:
        years += 1
    new = years_before(birth, years)
    child.identifiers.person_birth_date = new
    return Injected("8775Q", _id(child), child.identifiers, ("person_birth_date",))


@injector("8590")
def _child_without_episodes(pick):
    """A child record exported without its episodes (all no-further-action referrals, so nothing else moves)."""
    child = pick.child(lambda c: c.cin_details and all(e.referral_nfa is True for e in c.cin_details))
    child.cin_details = []
    return Injected("8590", _id(child), child, ("cin_details",))


# --- child characteristics -----------------------------------------------------------------------------


@injector("4220")
def _bad_ethnicity(pick):
    """Ethnicity truncated to three letters."""
    child = pick.child()
    child.characteristics.ethnicity = "WBR"
    return Injected("4220", _id(child), child.characteristics, ("ethnicity",))


@injector("8540")
def _disability_not_recorded(pick):
    child = pick.child(lambda c: _born(c) is not None and _has_further_action(c)
                       and c.characteristics.disabilities == ["NONE"])
    child.characteristics.disabilities = []
    return Injected("8540", _id(child), child.characteristics, ("disabilities",))


@injector("8790")
def _none_and_a_disability(pick):
    """NONE left ticked when a learning disability was added."""
    child = pick.child(lambda c: c.characteristics.disabilities == ["NONE"])
    child.characteristics.disabilities = ["NONE", "LD"]
    return Injected("8790", _id(child), child.characteristics, ("disabilities",))


@injector("8794")
def _disability_twice(pick):
    def real(c: Child):
        codes = c.characteristics.disabilities
        return codes if codes and codes[0] != "NONE" and len(set(codes)) == len(codes) else None

    def none(c: Child):
        return c.characteristics.disabilities if c.characteristics.disabilities == ["NONE"] else None

    child, codes = _choose(pick, real, none)
    child.characteristics.disabilities = codes + [codes[0]]
    return Injected("8794", _id(child), child.characteristics, ("disabilities",))


def _disability_codes(pick: Picker) -> frozenset[str]:
    return CODE_SETS["Disability"].valid(pick.year) - {"NONE"}


@injector("2887Q")
def _few_disability_codes(pick):
    """An extract that maps every disability onto four broad codes: 7 or fewer codes used in the return."""
    valid = _disability_codes(pick)
    kept = {d for c in pick.census.children if pick.used(c) for d in c.characteristics.disabilities if d in valid}
    palette = sorted(kept) + [d for d in ("LD", "COMM", "BEH", "AUT") if d not in kept]
    palette = palette[:max(len(kept), 4)]
    if len(palette) > 7:
        raise NoCandidate
    index = {code: i for i, code in enumerate(sorted(valid))}
    changed = 0
    for child in pick.unused():
        codes = child.characteristics.disabilities
        if not any(d in valid for d in codes):
            continue
        new: list[str] = []
        for d in codes:
            if d in valid:
                mapped = palette[index[d] % len(palette)]
                if mapped in new:  # two codes mapped together: keep the child's count of codes
                    mapped = next((p for p in palette if p not in new), mapped)
                    if mapped in new:
                        continue
                d = mapped
            new.append(d)
        child.characteristics.disabilities = new
        pick.claim(child)
        changed += 1
    if not changed:
        raise NoCandidate
    return Injected("2887Q", "", None, ())


@injector("2888Q")
def _only_first_disability(pick):
    """An extract that exports only each child's first disability: no child has more than one."""
    valid = _disability_codes(pick)
    for child in pick.census.children:
        if pick.used(child) and len({d for d in child.characteristics.disabilities if d in valid}) > 1:
            raise NoCandidate
    singles = {d for c in pick.census.children for d in c.characteristics.disabilities
               if d in valid and len([x for x in c.characteristics.disabilities if x in valid]) == 1}
    covered = set(singles)
    changed = 0
    for child in pick.unused():
        codes = child.characteristics.disabilities
        distinct = [d for d in dict.fromkeys(codes) if d in valid]
        if len(distinct) < 2:
            continue
        # keep a code no other child carries, so the return still uses more than 7 codes (2887Q)
        keep = next((d for d in distinct if d not in covered), distinct[0])
        covered.add(keep)
        child.characteristics.disabilities = [d for d in codes if d not in valid or d == keep]
        pick.claim(child)
        changed += 1
    if len(covered) <= 7:  # still few codes: give the missing ones to children recorded with none
        missing = sorted(valid - covered)[:8 - len(covered)]
        for child in pick.unused():
            if not missing:
                break
            if child.characteristics.disabilities == ["NONE"]:
                child.characteristics.disabilities = [missing.pop()]
                pick.claim(child)
    if not changed:
        raise NoCandidate
    return Injected("2888Q", "", None, ())


# --- CIN details ---------------------------------------------------------------------------------------


@injector("8568")
def _nfa_flag_as_text(pick):
    """ReferralNFA exported as "Yes"."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is True)

    child, episode = _choose(pick, find)
    episode.referral_nfa = "Yes"
    return Injected("8568", _id(child), episode, ("referral_nfa",))


@injector("8569Q")
def _nfa_referral_from_last_year(pick):
    """A no-further-action referral dated before the census year (last year's date typed)."""
    new = add_working_days(pick.start, -1) - 7 * D

    def find(c: Child):
        if not c.cin_details or _born(c) is None or not _alive(c):
            return None
        first = c.cin_details[0]
        referral = _d(first.referral_date)
        if first.referral_nfa is not True or referral is None or referral < pick.start:
            return None
        if any(_d(e.referral_date) is None or e.referral_date <= referral for e in c.cin_details[1:]):
            return None
        if new < _born(c) - 280 * D:
            return None
        return first

    child, episode = _choose(pick, find)
    episode.referral_date = new
    return Injected("8569Q", _id(child), episode, ("referral_nfa", "referral_date"))


@injector("8585Q")
def _closed_as_died_without_death(pick):
    """Reason for closure RC2 (died) picked from the list in error."""
    def find(c: Child):
        if not _alive(c):
            return None
        return _first(c.cin_details, lambda e: _d(e.closure_date) and e.reason_for_closure in
                      ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7")
                      and not (len(e.assessments) == 1 and "21" in e.assessments[0].factors))

    child, episode = _choose(pick, find)
    episode.reason_for_closure = "RC2"
    return Injected("8585Q", _id(child), episode, ("reason_for_closure",))


@injector("8600")
def _referral_date_missing(pick):
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is True and _d(e.referral_date))

    child, episode = _choose(pick, find)
    episode.referral_date = None
    return Injected("8600", _id(child), episode, ("referral_date",))


@injector("8606")
def _referral_long_before_birth(pick):
    """A pre-birth referral dated ten months before the due date (or a birth date a year late)."""

    def unborn(c: Child):
        expected = _d(c.identifiers.expected_person_birth_date)
        if _born(c) is not None or expected is None or len(c.cin_details) != 1:
            return None
        episode = c.cin_details[0]
        new = expected - 300 * D
        if _d(episode.referral_date) is None or not (pick.start + D <= new < episode.referral_date):
            return None
        return episode, new

    def born(c: Child):
        if _born(c) is None or not _alive(c) or not c.cin_details or _d(c.cin_details[0].referral_date) is None:
            return None
        new_birth = c.cin_details[0].referral_date + 300 * D
        if new_birth > pick.ref:
            return None
        return c.cin_details[0], new_birth

    try:
        child, (episode, new) = _choose(pick, unborn)
        episode.referral_date = new
    except NoCandidate:
        child, (episode, new_birth) = _choose(pick, born)
        child.identifiers.person_birth_date = new_birth
    return Injected("8606", _id(child), episode, ("referral_date",))


@injector("8610")
def _primary_need_missing(pick):
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is False and e.primary_need_code)

    child, episode = _choose(pick, find)
    episode.primary_need_code = None
    return Injected("8610", _id(child), episode, ("primary_need_code",))


@injector("8620")
def _closure_date_in_future(pick):
    """The planned closure date entered, after 31 March."""
    def find(c: Child):
        last = c.cin_details[-1] if c.cin_details else None
        if last is None or _d(last.closure_date) is None or not _alive(c):
            return None
        if any(_d(e.referral_date) is None or e.referral_date > last.referral_date for e in c.cin_details):
            return None
        return last

    child, episode = _choose(pick, find)
    episode.closure_date = pick.ref + 14 * D
    return Injected("8620", _id(child), episode, ("closure_date",))


@injector("8630")
def _closure_before_referral(pick):
    """A no-further-action referral closed the day before it was received."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is True and _d(e.referral_date)
                      and e.closure_date == e.referral_date and e.referral_date - D >= pick.start)

    child, episode = _choose(pick, find)
    episode.closure_date = episode.referral_date - D
    return Injected("8630", _id(child), episode, ("closure_date",))


@injector("8640")
def _reason_for_closure_invalid(pick):
    def find(c: Child):
        return _first(c.cin_details, lambda e: _d(e.closure_date) and e.reason_for_closure in
                      ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7"))

    child, episode = _choose(pick, find)
    episode.reason_for_closure = "RC10"
    return Injected("8640", _id(child), episode, ("reason_for_closure",))


@injector("8650")
def _primary_need_invalid(pick):
    def find(c: Child):
        return _first(c.cin_details, lambda e: isinstance(e.primary_need_code, str) and e.primary_need_code)

    child, episode = _choose(pick, find)
    episode.primary_need_code = "N10"
    return Injected("8650", _id(child), episode, ("primary_need_code",))


@injector("8805")
def _closure_without_reason(pick):
    def find(c: Child):
        return _first(c.cin_details, lambda e: _d(e.closure_date) and e.reason_for_closure)

    child, episode = _choose(pick, find)
    episode.reason_for_closure = None
    return Injected("8805", _id(child), episode, ("reason_for_closure",))


@injector("8810")
def _reason_without_closure(pick):
    """A no-further-action referral given its reason for closure but no closure date."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is True and _d(e.closure_date) and e.reason_for_closure)

    child, episode = _choose(pick, find)
    episode.closure_date = None
    return Injected("8810", _id(child), episode, ("closure_date",))


@injector("8815")
def _episode_recorded_twice(pick):
    """The open referral entered twice: a second open episode with the same referral date."""
    def find(c: Child):
        last = c.cin_details[-1] if c.cin_details else None
        return last if last is not None and _is_open(last) and _d(last.referral_date) else None

    child, episode = _choose(pick, find)
    twin = CINDetails(referral_date=episode.referral_date, referral_source=episode.referral_source,
                      primary_need_code=episode.primary_need_code, referral_nfa=False)
    child.cin_details.append(twin)
    return Injected("8815", _id(child), twin, ("closure_date",))


@injector("8816")
def _earlier_episode_left_open(pick):
    """An earlier episode's closure never recorded, while a later referral came in."""
    def find(c: Child):
        if len(c.cin_details) < 2 or any(_is_open(e) for e in c.cin_details):
            return None
        latest = max((_d(e.referral_date) for e in c.cin_details if _d(e.referral_date)), default=None)
        return _first(c.cin_details, lambda e: e.referral_nfa is False and _d(e.closure_date)
                      and _d(e.referral_date) and e.referral_date < latest)

    child, episode = _choose(pick, find)
    episode.closure_date = episode.reason_for_closure = None
    return Injected("8816", _id(child), episode, ("referral_date", "closure_date"))


@injector("8820")
def _referral_during_previous_episode(pick):
    """A re-referral dated two days before the previous episode was closed."""
    def find(c: Child):
        episodes = sorted((e for e in c.cin_details if _d(e.referral_date)), key=lambda e: e.referral_date)
        for earlier, later in pairwise(episodes):
            closure = _d(earlier.closure_date)
            if earlier.referral_nfa is False and closure is not None:
                new = closure - 2 * D
                if earlier.referral_date < new and new >= pick.start + D and new < later.referral_date:
                    return later, new
        return None

    child, (episode, new) = _choose(pick, find)
    episode.referral_date = new
    return Injected("8820", _id(child), episode, ("referral_date",))


@injector("8825Q")
def _nfa_closed_after_assessment(pick):
    """A no-further-action referral closed with RC8 (closed after assessment) though never assessed."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is True and _d(e.closure_date) and not e.assessments)

    child, episode = _choose(pick, find)
    episode.reason_for_closure = "RC8"
    return Injected("8825Q", _id(child), episode, ("reason_for_closure",))


@injector("8831")
def _assessed_referral_flagged_nfa(pick):
    """A referral that was assessed, flagged as no further action."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is False and e.assessments and not e.cin_plans
                      and not e.child_protection_plans and _d(e.referral_date) and e.referral_date >= pick.start)

    child, episode = _choose(pick, find)
    episode.referral_nfa = True
    return Injected("8831", _id(child), episode, ("referral_nfa",))


@injector("8832")
def _cp_referral_flagged_nfa(pick):
    """A referral carried over from last year, with a CP plan, flagged as no further action (see COMPANIONS)."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.referral_nfa is False and e.child_protection_plans
                      and not e.assessments and not e.section47s and not e.cin_plans
                      and e.date_of_initial_cpc is None)

    child, episode = _choose(pick, find)
    episode.referral_nfa = True
    return Injected("8832", _id(child), episode, ("referral_nfa",))


@injector("8866")
def _referral_source_invalid(pick):
    child, episode = _choose(pick, lambda c: c.cin_details[0] if c.cin_details else None)
    episode.referral_source = "5E"
    return Injected("8866", _id(child), episode, ("referral_source",))


@injector("2990")
def _closed_after_assessment_with_plan(pick):
    """An episode with a CIN plan (or enquiry) closed with RC9, "closed after assessment"."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: _d(e.closure_date) and e.assessments
                      and (e.cin_plans or e.section47s or e.child_protection_plans)
                      and e.reason_for_closure in ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7"))

    child, episode = _choose(pick, find)
    episode.reason_for_closure = "RC9"
    return Injected("2990", _id(child), episode, ("reason_for_closure",))


@injector("2991Q")
def _section47_without_assessment(pick):
    """The assessment of an episode with a section 47 enquiry not recorded."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: e.section47s and e.assessments
                      and e.reason_for_closure not in RC_AFTER_ASSESSMENT)

    child, episode = _choose(pick, find)
    episode.assessments = []
    return Injected("2991Q", _id(child), episode.section47s[0], ("start_date",))


# --- assessments ---------------------------------------------------------------------------------------


def _assessment(child: Child, test: Callable[[CINDetails, Assessment], bool]):
    for e in child.cin_details:
        for a in e.assessments:
            if _d(a.start_date) and test(e, a):
                return e, a
    return None


def _completed(a: Assessment) -> bool:
    return _d(a.authorisation_date) is not None


@injector("1103")
def _assessment_before_referral(pick):
    """The assessment start keyed as the day the concern was first raised, before the referral."""
    open_from = add_working_days(pick.ref, -45)

    def fits(e: CINDetails, a: Assessment) -> bool:
        referral = _d(e.referral_date)
        return referral is not None and len(e.assessments) == 1 and (
            _completed(a) or referral - 3 * D >= max(pick.start, open_from))

    child, (episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.start_date = episode.referral_date - 3 * D
    return Injected("1103", _id(child), assessment, ("start_date",))


@injector("8565")
def _assessment_authorised_after_closure(pick):
    """An assessment signed off two days after the case was closed."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return (len(e.assessments) == 1 and _completed(a) and _d(e.closure_date) is not None
                and e.closure_date + 2 * D <= pick.ref)

    child, (episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.authorisation_date = episode.closure_date + 2 * D
    return Injected("8565", _id(child), assessment, ("authorisation_date",))


@injector("8608")
def _authorised_before_start(pick):
    """Authorisation date keyed the day before the assessment started."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return len(e.assessments) == 1 and _completed(a) and a.start_date - D >= pick.start and bool(a.factors)

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.authorisation_date = assessment.start_date - D
    return Injected("8608", _id(child), assessment, ("authorisation_date",))


@injector("8614")
def _factors_before_authorisation(pick):
    """Factors recorded on an assessment not yet authorised."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return a.authorisation_date is None and not a.factors

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.factors = ["3B", "4B"]
    return Injected("8614", _id(child), assessment, ("factors",))


@injector("8670Q")
def _assessment_never_authorised(pick):
    """An assessment completed months ago but never authorised in the system (no date, no factors)."""
    cutoff = add_working_days(pick.ref, -45)

    def fits(e: CINDetails, a: Assessment) -> bool:
        return (e.closure_date is None and len(e.assessments) == 1 and _completed(a)
                and pick.start <= a.start_date < cutoff)

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.authorisation_date, assessment.factors = None, []
    return Injected("8670Q", _id(child), assessment, ("start_date",))


@injector("8696")
def _authorised_after_reference_date(pick):
    """The planned authorisation date, after 31 March, entered."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return e.closure_date is None and len(e.assessments) == 1 and _completed(a) and bool(a.factors)

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.authorisation_date = pick.ref + 7 * D
    return Injected("8696", _id(child), assessment, ("authorisation_date",))


@injector("8736")
def _open_assessment_starting_next_year(pick):
    """An open assessment's start date keyed with next year's date."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return e.closure_date is None and len(e.assessments) == 1 and a.authorisation_date is None and not a.factors

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.start_date = pick.ref + 3 * D
    return Injected("8736", _id(child), assessment, ("start_date",))


@injector("8863Q")
def _overlapping_assessments(pick):
    """A second assessment recorded three days into the first one, ending the same day."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return len(e.assessments) == 1 and _completed(a) and a.authorisation_date - a.start_date >= 4 * D

    child, (episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    second = Assessment(start_date=assessment.start_date + 3 * D, authorisation_date=assessment.authorisation_date,
                        factors=list(assessment.factors))
    episode.assessments.append(second)
    return Injected("8863Q", _id(child), second, ("start_date",))


@injector("8867")
def _closed_with_assessment_open(pick):
    """A case closed on 31 March while its assessment was never authorised."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return (_is_open(e) and len(e.assessments) == 1 and a.authorisation_date is None and not a.factors
                and not e.section47s and not e.cin_plans and not e.child_protection_plans
                and e.pre_proceedings is None)

    child, (episode, assessment) = _choose(pick, lambda c: _assessment(c, fits) if _alive(c) else None)
    episode.closure_date, episode.reason_for_closure = pick.ref, "RC7"
    return Injected("8867", _id(child), assessment, ("authorisation_date",))


@injector("8869")
def _no_factors_and_a_factor(pick):
    """"21 no factors identified" left ticked beside domestic abuse."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return a.factors == ["21"]

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.factors = ["3A", "21"]
    return Injected("8869", _id(child), assessment, ("factors",))


@injector("8873Q")
def _no_factors_closed_as_ceased(pick):
    """An assessment with no factors identified, the case closed as RC7 rather than RC8."""
    def find(c: Child):
        return _first(c.cin_details, lambda e: len(e.assessments) == 1 and e.assessments[0].factors == ["21"]
                      and e.reason_for_closure in RC_AFTER_ASSESSMENT and _d(e.closure_date))

    child, episode = _choose(pick, find)
    episode.reason_for_closure = "RC7"
    return Injected("8873Q", _id(child), episode, ("reason_for_closure",))


@injector("8896")
def _two_open_assessments(pick):
    """A second open assessment started the day after the first (see COMPANIONS)."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return (_is_open(e) and len(e.assessments) == 1 and a.authorisation_date is None and not a.factors
                and a.start_date + D <= pick.ref)

    child, (episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    second = Assessment(start_date=assessment.start_date + D)
    episode.assessments.append(second)
    return Injected("8896", _id(child), second, ("authorisation_date",))


@injector("8897Q")
def _completed_without_factors(pick):
    def fits(e: CINDetails, a: Assessment) -> bool:
        return _completed(a) and a.authorisation_date >= pick.start and bool(a.factors)

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.factors = []
    return Injected("8897Q", _id(child), assessment, ("factors",))


@injector("8898")
def _factor_twice(pick):
    def fits(e: CINDetails, a: Assessment) -> bool:
        return bool(a.factors) and "21" not in a.factors and len(set(a.factors)) == len(a.factors)

    child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
    assessment.factors = assessment.factors + [assessment.factors[0]]
    return Injected("8898", _id(child), assessment, ("factors",))


def _old_factor(code: str, old: str):
    def inject_old(pick):
        """An old factor code (split in two since) still used by a worker."""
        def fits(e: CINDetails, a: Assessment) -> bool:
            return bool(a.factors) and "21" not in a.factors and old not in a.factors

        child, (_episode, assessment) = _choose(pick, lambda c: _assessment(c, fits))
        assessment.factors = assessment.factors + [old]
        return Injected(code, _id(child), assessment, ("factors",))

    return inject_old


injector("8945Q")(_old_factor("8945Q", "18A"))
injector("8950Q")(_old_factor("8950Q", "19A"))


# --- CIN plans -----------------------------------------------------------------------------------------


def _cin_plan(child: Child, test: Callable[[CINDetails, CINPlan], bool]):
    for e in child.cin_details:
        for q in e.cin_plans:
            if _d(q.start_date) and test(e, q):
                return e, q
    return None


def _cpp_period_holds(episode: CINDetails, day: date, ref: date) -> bool:
    for p in episode.child_protection_plans:
        if _within(day, p.start_date, _d(p.end_date) or ref) and day != _d(p.end_date):
            return True
    return False


@injector("4000")
def _cin_plan_on_nfa_referral(pick):
    """A CIN plan recorded on a referral marked no further action."""
    def find(c: Child):
        if any(q.end_date is None for e in c.cin_details for q in e.cin_plans):
            return None  # the child would have two open CIN plans (4004)
        return _first(c.cin_details, lambda e: e.referral_nfa is True and _d(e.referral_date)
                      and (e.closure_date is None or (_d(e.closure_date) and e.closure_date >= e.referral_date))
                      and not e.cin_plans)

    child, episode = _choose(pick, find)
    episode.cin_plans = [CINPlan(start_date=episode.referral_date)]
    return Injected("4000", _id(child), episode, ("referral_nfa",))


@injector("4001")
def _cp_plan_end_not_recorded(pick):
    """Stepped down to a CIN plan, but the CP plan's end date never recorded (see COMPANIONS)."""
    def find(c: Child):
        for e in c.cin_details:
            if e.closure_date is not None:
                continue
            for p in e.child_protection_plans:
                end = _d(p.end_date)
                q = _first(e.cin_plans, lambda q, end=end: q.end_date is None and end and q.start_date == end)
                others = [o for o in _cpps(c) if o is not p]
                if q is not None and all(_d(o.start_date) and _d(o.end_date) and o.end_date < p.start_date
                                         for o in others):
                    return p, q
        return None

    child, (plan, cin_plan) = _choose(pick, find)
    plan.end_date = None
    return Injected("4001", _id(child), cin_plan, ("end_date",))


@injector("4003")
def _cp_review_after_step_down(pick):
    """A CP review recorded ten days after the child stepped down to a CIN plan."""
    def find(c: Child):
        for e in c.cin_details:
            for p in e.child_protection_plans:
                end = _d(p.end_date)
                if end is None:
                    continue
                day = end + 10 * D
                limit = min(_d(e.closure_date) or pick.ref, pick.ref)
                q = _first(e.cin_plans, lambda q, day=day: _within(day, q.start_date, _d(q.end_date) or pick.ref))
                if q is not None and day <= limit:
                    return p, day
        return None

    child, (plan, day) = _choose(pick, find)
    plan.review_dates = plan.review_dates + [day]
    return Injected("4003", _id(child), plan, ("review_dates",))


@injector("4004")
def _new_cin_plan_old_one_not_ended(pick):
    """A new CIN plan started after a review, the old one never ended (see COMPANIONS)."""
    def find(c: Child):
        def fits(e: CINDetails, q: CINPlan) -> bool:
            day = q.start_date + 14 * D
            return (e.closure_date is None and q.end_date is None and len(e.cin_plans) == 1 and day <= pick.ref
                    and not _cpp_period_holds(e, day, pick.ref)
                    and all(_d(r) and r < day for p in e.child_protection_plans for r in p.review_dates)
                    and all(_d(p.start_date) and p.start_date < day for p in e.child_protection_plans))

        return _cin_plan(c, fits) if _alive(c) else None

    child, (episode, plan) = _choose(pick, find)
    second = CINPlan(start_date=plan.start_date + 14 * D)
    episode.cin_plans.append(second)
    return Injected("4004", _id(child), second, ("end_date",))


@injector("4010")
def _cin_plan_start_next_year(pick):
    """The planned start of a CIN plan, after 31 March, entered."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return e.closure_date is None and q.end_date is None and len(e.cin_plans) == 1

    child, (_episode, plan) = _choose(pick, lambda c: _cin_plan(c, fits) if _alive(c) else None)
    plan.start_date = pick.ref + 30 * D
    return Injected("4010", _id(child), plan, ("start_date",))


@injector("4011")
def _cin_plan_end_before_start(pick):
    """A CIN plan's end date keyed three days before its start."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return _d(q.end_date) is not None and q.start_date >= pick.start + 5 * D and len(e.cin_plans) == 1

    child, (_episode, plan) = _choose(pick, lambda c: _cin_plan(c, fits))
    plan.end_date = plan.start_date - 3 * D
    return Injected("4011", _id(child), plan, ("end_date",))


@injector("4012Q")
def _cin_plan_ends_on_start_day(pick):
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return (_d(q.end_date) is not None and q.start_date >= pick.start and len(e.cin_plans) == 1
                and not any(q.start_date == r for p in e.child_protection_plans for r in p.review_dates))

    child, (_episode, plan) = _choose(pick, lambda c: _cin_plan(c, fits))
    plan.end_date = plan.start_date
    return Injected("4012Q", _id(child), plan, ("end_date",))


@injector("4013")
def _cin_plan_end_out_of_year(pick):
    """A CIN plan's planned end date (after 31 March) entered, or last year's end date typed."""
    def planned(e: CINDetails, q: CINPlan) -> bool:
        return (e.closure_date is None and _d(q.end_date) is not None and len(e.cin_plans) == 1
                and not e.child_protection_plans)

    def last_year(e: CINDetails, q: CINPlan) -> bool:
        return (_d(q.end_date) is not None and q.start_date <= pick.start - 2 * D and len(e.cin_plans) == 1
                and not e.child_protection_plans)

    try:
        child, (_episode, plan) = _choose(pick, lambda c: _cin_plan(c, planned) if _alive(c) else None)
        plan.end_date = pick.ref + 10 * D
    except NoCandidate:
        child, (_episode, plan) = _choose(pick, lambda c: _cin_plan(c, last_year))
        plan.end_date = pick.start - D
    return Injected("4013", _id(child), plan, ("end_date",))


@injector("4014")
def _cin_plan_recorded_twice(pick):
    """The same CIN plan recorded twice, the copy starting a week later."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return (_d(q.end_date) is not None and q.end_date - q.start_date >= 10 * D and len(e.cin_plans) == 1
                and not e.child_protection_plans)

    child, (episode, plan) = _choose(pick, lambda c: _cin_plan(c, fits))
    copy = CINPlan(start_date=plan.start_date + 7 * D, end_date=plan.end_date)
    episode.cin_plans.append(copy)
    return Injected("4014", _id(child), copy, ("start_date",))


@injector("4015")
def _cin_plan_before_referral(pick):
    """A CIN plan's start keyed as the date of the strategy discussion, before the referral."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return _d(e.referral_date) is not None and len(e.cin_plans) == 1 and not e.child_protection_plans

    child, (episode, plan) = _choose(pick, lambda c: _cin_plan(c, fits))
    plan.start_date = episode.referral_date - 5 * D
    return Injected("4015", _id(child), plan, ("start_date",))


@injector("4016")
def _cin_plan_before_cp_plan_ended(pick):
    """The step-down CIN plan dated a week before the CP plan ended."""
    def find(c: Child):
        for e in c.cin_details:
            for p in e.child_protection_plans:
                end = _d(p.end_date)
                if end is None:
                    continue
                day = end - 7 * D
                q = _first(e.cin_plans, lambda q, end=end, day=day: q.start_date == end and q.end_date != day)
                if (q is not None and _d(p.start_date) and day > p.start_date
                        and all(_d(r) and r < day for r in p.review_dates)):
                    return q, day
        return None

    child, (plan, day) = _choose(pick, find)
    plan.start_date = day
    return Injected("4016", _id(child), plan, ("start_date",))


@injector("4017")
def _cp_plan_while_cin_plan_runs(pick):
    """A child stepped up to a CP plan (conference recorded on the episode) while the CIN plan still runs."""
    def find(c: Child):
        if not _alive(c):
            return None
        for e in c.cin_details:
            if (e.referral_nfa is not False or e.child_protection_plans or e.section47s
                    or e.date_of_initial_cpc is not None or e.reason_for_closure in RC_AFTER_ASSESSMENT
                    or len(e.cin_plans) != 1):
                continue
            q = e.cin_plans[0]
            if _d(q.start_date) is None:
                continue
            day = _weekday_on_or_after(max(q.start_date + 3 * D, pick.start))
            last = (_d(q.end_date) - D) if _d(q.end_date) else pick.ref - D
            bound = min(_d(e.closure_date) or pick.ref, pick.ref)
            if day > last or day >= bound:
                continue
            end = min(day + 20 * D, bound)
            if any(_within(o.start_date, day, end) or _within(day, o.start_date, _d(o.end_date) or pick.ref)
                   for o in _cpps(c)):
                continue
            return e, day, end
        return None

    child, (episode, day, end) = _choose(pick, find)
    episode.date_of_initial_cpc = day
    plan = ChildProtectionPlan(start_date=day, end_date=end, initial_category_of_abuse="NEG",
                               latest_category_of_abuse="NEG", number_of_previous_cpp=0)
    episode.child_protection_plans = [plan]
    return Injected("4017", _id(child), plan, ("start_date",))


# --- section 47 and conferences --------------------------------------------------------------------------


def _section47(child: Child, test: Callable[[CINDetails, Section47], bool]):
    for e in child.cin_details:
        for s in e.section47s:
            if _d(s.start_date) and test(e, s):
                return e, s
    return None


def _s47_open(s: Section47) -> bool:
    return s.date_of_initial_cpc is None and s.icpc_not_required is not True


@injector("1104")
def _conference_before_referral(pick):
    """A conference held with no enquiry in the episode, its date keyed before the referral."""
    def find(c: Child):
        for e in c.cin_details:
            referral = _d(e.referral_date)
            if (referral is None or e.referral_nfa is not False or e.reason_for_closure in RC_AFTER_ASSESSMENT
                    or e.date_of_initial_cpc is not None or e.section47s):
                continue
            day = _weekday_on_or_before(referral - D)
            if day >= pick.start:
                return e, day
        return None

    child, (episode, day) = _choose(pick, find)
    episode.date_of_initial_cpc = day
    return Injected("1104", _id(child), episode, ("date_of_initial_cpc",))


@injector("2884")
def _conference_recorded_twice(pick):
    """The conference date recorded on the episode as well as on its section 47 enquiry."""
    def fits(e: CINDetails, s: Section47) -> bool:
        return _d(s.date_of_initial_cpc) is not None and e.date_of_initial_cpc is None

    child, (episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    episode.date_of_initial_cpc = s47.date_of_initial_cpc
    return Injected("2884", _id(child), episode, ("date_of_initial_cpc",))


@injector("2889")
def _s47_before_referral(pick):
    """A section 47 start keyed two days before the referral."""
    def fits(e: CINDetails, s: Section47) -> bool:
        referral = _d(e.referral_date)
        return (referral is not None and referral - 2 * D >= pick.start and len(e.section47s) == 1
                and (_d(s.date_of_initial_cpc) is not None or s.icpc_not_required is True))

    child, (episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    s47.start_date = episode.referral_date - 2 * D
    return Injected("2889", _id(child), s47, ("start_date",))


@injector("8615")
def _s47_start_after_conference(pick):
    """A section 47 start keyed two days after the conference it led to."""
    def fits(e: CINDetails, s: Section47) -> bool:
        conference = _d(s.date_of_initial_cpc)
        return (conference is not None and len(e.section47s) == 1
                and (e.closure_date is None or (_d(e.closure_date) and e.closure_date >= conference + 2 * D)))

    child, (_episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    s47.start_date = s47.date_of_initial_cpc + 2 * D
    return Injected("8615", _id(child), s47, ("start_date",))


@injector("8675Q")
def _icpc_not_required_left_false(pick):
    """An enquiry that needed no conference, its "ICPC not required" flag left false."""
    cutoff = add_working_days(pick.ref, -15)

    def fits(e: CINDetails, s: Section47) -> bool:
        return (e.closure_date is None and len(e.section47s) == 1 and s.icpc_not_required is True
                and s.date_of_initial_cpc is None and pick.start <= s.start_date < cutoff)

    child, (_episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    s47.icpc_not_required = False
    return Injected("8675Q", _id(child), s47, ("start_date",))


@injector("8715")
def _last_years_conference(pick):
    """The conference that started a carried-over plan, held last year, recorded on this year's episode."""
    def find(c: Child):
        for e in c.cin_details:
            referral = _d(e.referral_date)
            if (referral is None or referral >= pick.start or e.referral_nfa is not False or e.section47s
                    or e.date_of_initial_cpc is not None or e.reason_for_closure in RC_AFTER_ASSESSMENT):
                continue
            if any(_within(p.start_date, pick.start, pick.ref) for p in e.child_protection_plans):
                continue
            starts = [p.start_date for p in e.child_protection_plans if _d(p.start_date)]
            day = _weekday_on_or_before(starts[0] if starts else referral + 14 * D)
            if referral <= day < pick.start:
                return e, day
        return None

    child, (episode, day) = _choose(pick, find)
    episode.date_of_initial_cpc = day
    return Injected("8715", _id(child), episode, ("date_of_initial_cpc",))


@injector("8740")
def _open_s47_starting_next_year(pick):
    """An open enquiry's start date keyed with next year's date."""
    def fits(e: CINDetails, s: Section47) -> bool:
        return e.closure_date is None and len(e.section47s) == 1 and _s47_open(s) and s.icpc_not_required is False

    child, (_episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    s47.start_date = pick.ref + 2 * D
    return Injected("8740", _id(child), s47, ("start_date",))


@injector("8839")
def _two_open_enquiries(pick):
    """Two section 47 enquiries open at once in one episode, neither finished (see COMPANIONS)."""
    first_day = add_working_days(pick.ref, -10)

    def find(c: Child):
        for e in c.cin_details:
            if not _is_open(e) or not e.assessments or _d(e.referral_date) is None:
                continue
            open_ = [s for s in e.section47s if _s47_open(s)]
            if len(open_) == 1 and _d(open_[0].start_date):
                return e, [open_[0].start_date]
            day = max(e.referral_date, first_day)
            if not open_ and day <= pick.ref and all(
                    s.icpc_not_required is True or (_d(s.date_of_initial_cpc) and s.date_of_initial_cpc < day)
                    for s in e.section47s):
                return e, [day, day]
        return None

    child, (episode, days) = _choose(pick, find)
    added = [Section47(start_date=day, icpc_not_required=False) for day in days]
    episode.section47s = episode.section47s + added
    return Injected("8839", _id(child), added[-1], ("date_of_initial_cpc",))


@injector("8868")
def _closed_with_enquiry_unfinished(pick):
    """A case closed on 31 March with its section 47 outcome (conference or not needed) never recorded."""
    first_day = add_working_days(pick.ref, -10)

    def recent(c: Child):
        for e in c.cin_details:
            if (_is_open(e) and len(e.section47s) == 1 and _s47_open(e.section47s[0]) and len(e.assessments) == 1
                    and not e.assessments[0].factors and not e.cin_plans and not e.child_protection_plans
                    and e.pre_proceedings is None and _d(e.assessments[0].start_date)):
                return e
        return None

    def settled(c: Child):
        for e in c.cin_details:
            if not _is_open(e) or not e.assessments or _d(e.referral_date) is None:
                continue
            if any(not _completed(a) for a in e.assessments) or any(q.end_date is None for q in e.cin_plans):
                continue
            if any(p.end_date is None for p in e.child_protection_plans):
                continue
            day = max(e.referral_date, first_day)
            if all(s.icpc_not_required is True or (_d(s.date_of_initial_cpc) and s.date_of_initial_cpc < day)
                   for s in e.section47s):
                return e
        return None

    try:
        child, episode = _choose(pick, lambda c: recent(c) if _alive(c) else None)
        assessment = episode.assessments[0]
        assessment.authorisation_date, assessment.factors = pick.ref, ["3B"]
        s47 = episode.section47s[0]
    except NoCandidate:
        child, episode = _choose(pick, lambda c: settled(c) if _alive(c) else None)
        s47 = Section47(start_date=max(episode.referral_date, first_day), icpc_not_required=False)
        episode.section47s = episode.section47s + [s47]
    episode.closure_date, episode.reason_for_closure = pick.ref, "RC7"
    return Injected("8868", _id(child), s47, ("date_of_initial_cpc",))


@injector("8870Q")
def _conference_target_on_saturday(pick):
    """The initial conference target counted in calendar days, landing on a Saturday."""
    def fits(e: CINDetails, s: Section47) -> bool:
        return _d(s.initial_cpc_target) is not None

    child, (_episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    day = s47.initial_cpc_target
    while day.weekday() != 5:
        day += D
    s47.initial_cpc_target = day
    return Injected("8870Q", _id(child), s47, ("initial_cpc_target",))


@injector("8875")
def _conference_at_weekend(pick):
    """The conference date keyed as the following Saturday (the CP plan start, equal to it, moved with it)."""
    def saturday_after(day: date) -> date:
        while day.weekday() != 5:
            day += D
        return day

    def fits(e: CINDetails, s: Section47) -> bool:
        conference = _d(s.date_of_initial_cpc)
        if conference is None:
            return False
        day = saturday_after(conference)
        if day > pick.ref or (e.closure_date is not None and not (_d(e.closure_date) and e.closure_date >= day)):
            return False
        for p in e.child_protection_plans:
            if p.start_date == conference:
                if (_d(p.end_date) and p.end_date <= day + D) or any(_d(r) and r <= day for r in p.review_dates):
                    return False
                if any(_within(day, q.start_date, _d(q.end_date) or pick.ref) for q in e.cin_plans):
                    return False
        return True

    child, (episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    old = s47.date_of_initial_cpc
    day = saturday_after(old)
    for plan in episode.child_protection_plans:  # the plan starts on the conference day (2885 stays quiet)
        if plan.start_date == old:
            plan.start_date = day
    s47.date_of_initial_cpc = day
    return Injected("8875", _id(child), s47, ("date_of_initial_cpc",))


@injector("8890")
def _strategy_discussion_recorded_twice(pick):
    """A second enquiry recorded the day after the first started (needing no conference of its own)."""
    def fits(e: CINDetails, s: Section47) -> bool:
        conference = _d(s.date_of_initial_cpc)
        return conference is not None and len(e.section47s) == 1 and conference >= s.start_date + D

    child, (episode, s47) = _choose(pick, lambda c: _section47(c, fits))
    second = Section47(start_date=s47.start_date + D, icpc_not_required=True)
    episode.section47s = episode.section47s + [second]
    return Injected("8890", _id(child), second, ("start_date",))


# --- child protection plans ----------------------------------------------------------------------------


def _cp_plan(child: Child, test: Callable[[CINDetails, ChildProtectionPlan], bool]):
    for e in child.cin_details:
        for p in e.child_protection_plans:
            if _d(p.start_date) and test(e, p):
                return e, p
    return None


def _carried(p: ChildProtectionPlan, pick: Picker, margin: int = 1) -> bool:
    """A plan that started before the census year (outside the reach of 2883 and 2885)."""
    return _d(p.start_date) is not None and p.start_date <= pick.start - margin * D


@injector("1105")
def _cp_plan_before_referral(pick):
    """A carried-over CP plan's start keyed two weeks before the referral."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return _carried(p, pick) and _d(e.referral_date) is not None and len(e.child_protection_plans) == 1

    child, (episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    plan.start_date = episode.referral_date - 14 * D
    return Injected("1105", _id(child), plan, ("start_date",))


@injector("2883")
def _cp_plan_recorded_twice(pick):
    """CP plans recorded twice: more plans than conferences in the year (see COMPANIONS)."""
    start, ref = pick.start, pick.ref
    plans = conferences = 0
    for child in pick.census.children:
        for e in child.cin_details:
            plans += sum(1 for p in e.child_protection_plans if _within(p.start_date, start, ref))
            conferences += sum(1 for s in [e, *e.section47s] if _within(s.date_of_initial_cpc, start, ref))

    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return (_within(p.start_date, start, ref) and _d(p.end_date) is not None and p.start_date in _conferences(e)
                and len(e.child_protection_plans) == 1)

    need = conferences - plans + 1
    for child in pick.unused():  # one pass, however many plans must be duplicated
        if need <= 0:
            break
        found = _cp_plan(child, fits)
        if found is not None:
            episode, plan = found
            episode.child_protection_plans = episode.child_protection_plans + [plan.copy()]
            pick.claim(child)
            need -= 1
    if need > 0:
        raise NoCandidate
    return Injected("2883", "", None, ())


@injector("2885")
def _cp_plan_day_after_conference(pick):
    """The CP plan start keyed as the day after the conference."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        day = p.start_date + D
        return (_within(p.start_date, pick.start, pick.ref - D) and p.start_date in _conferences(e)
                and day not in _conferences(e)
                and (p.end_date is None or (_d(p.end_date) and p.end_date > day + D))
                and all(_d(r) and r > day for r in p.review_dates)
                and not any(_within(day, q.start_date, _d(q.end_date) or pick.ref) for q in e.cin_plans))

    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    plan.start_date = plan.start_date + D
    return Injected("2885", _id(child), plan, ("start_date",))


@injector("8720")
def _cp_plan_start_missing(pick):
    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.start_date = None
    return Injected("8720", _id(child), plan, ("start_date",))


@injector("8730")
def _previous_plans_missing(pick):
    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.number_of_previous_cpp = None
    return Injected("8730", _id(child), plan, ("number_of_previous_cpp",))


@injector("8840")
def _cp_plan_ends_on_start_day(pick):
    """A CP plan given its start date as end date (its reviews dropped with it)."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return _d(p.end_date) is not None and p.start_date >= pick.start and not any(
            q.start_date == p.start_date for q in e.cin_plans)

    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    plan.end_date, plan.review_dates = plan.start_date, []
    return Injected("8840", _id(child), plan, ("start_date", "end_date"))


@injector("8841")
def _review_on_conference_day(pick):
    """The initial conference recorded as the plan's first review."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return not any(_within(p.start_date, q.start_date, _d(q.end_date) or pick.ref) for q in e.cin_plans) \
            and p.start_date != _d(p.end_date)

    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    plan.review_dates = [plan.start_date] + [r for r in plan.review_dates if r != plan.start_date]
    return Injected("8841", _id(child), plan, ("review_dates",))


@injector("8842Q")
def _review_date_tbc(pick):
    """A review "TBC" recorded with no date."""
    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.review_dates = ["TBC"]
    return Injected("8842Q", _id(child), plan, ("review_dates",))


@injector("8905")
def _initial_category_in_words(pick):
    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.initial_category_of_abuse = "NEGLECT"
    return Injected("8905", _id(child), plan, ("initial_category_of_abuse",))


@injector("8910")
def _latest_category_in_words(pick):
    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.latest_category_of_abuse = "PHYSICAL"
    return Injected("8910", _id(child), plan, ("latest_category_of_abuse",))


@injector("8925")
def _cp_plan_end_before_start(pick):
    """A CP plan's end date keyed a week before its start."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return _d(p.end_date) is not None and p.start_date >= pick.start + 8 * D

    child, (_episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    plan.end_date = plan.start_date - 7 * D
    return Injected("8925", _id(child), plan, ("end_date",))


@injector("8930")
def _cp_plan_end_out_of_year(pick):
    """A CP plan's planned end date (after 31 March) entered, or a carried plan's end typed as last year."""
    def planned(c: Child):
        if not _alive(c):
            return None
        cpps = _cpps(c)
        return _cp_plan(c, lambda e, p: e.closure_date is None and _d(p.end_date) is not None and not e.cin_plans
                        and all(o is p or (_d(o.start_date) and o.start_date < p.start_date) for o in cpps))

    def last_year(c: Child):
        return _cp_plan(c, lambda e, p: _d(p.end_date) is not None and _carried(p, pick, 2) and not e.cin_plans)

    try:
        child, (_episode, plan) = _choose(pick, planned)
        plan.end_date = pick.ref + 10 * D
    except NoCandidate:
        child, (_episode, plan) = _choose(pick, last_year)
        plan.end_date = pick.start - D
        plan.review_dates = [r for r in plan.review_dates if not (_d(r) and r > plan.end_date)]
    return Injected("8930", _id(child), plan, ("end_date",))


@injector("8935")
def _cp_plan_duplicated_open(pick):
    """A carried-over CP plan recorded twice, neither copy ended (see COMPANIONS)."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return _carried(p, pick) and not e.cin_plans and len(e.child_protection_plans) == 1

    child, (episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    plan.end_date = None
    copy = plan.copy()
    episode.child_protection_plans = episode.child_protection_plans + [copy]
    return Injected("8935", _id(child), copy, ("end_date",))


@injector("8940")
def _cp_plan_category_change_as_new_plan(pick):
    """A change of category recorded as a new CP plan three days into the old one (both last year)."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return (_carried(p, pick, 4) and _d(p.end_date) is not None and not e.cin_plans
                and len(e.child_protection_plans) == 1)

    child, (episode, plan) = _choose(pick, lambda c: _cp_plan(c, fits))
    copy = ChildProtectionPlan(start_date=plan.start_date + 3 * D, end_date=plan.end_date,
                               initial_category_of_abuse=plan.latest_category_of_abuse,
                               latest_category_of_abuse=plan.latest_category_of_abuse,
                               number_of_previous_cpp=plan.number_of_previous_cpp)
    episode.child_protection_plans = episode.child_protection_plans + [copy]
    return Injected("8940", _id(child), copy, ("start_date",))


# --- pre-proceedings (2026-27 on) ------------------------------------------------------------------------


@injector("8995Q")
def _no_pre_proceedings(pick):
    """An authority that does not yet collect pre-proceedings: no group in the whole return."""
    _pre_proceedings(pick)
    if any(pick.used(c) and any(e.pre_proceedings is not None for e in c.cin_details) for c in pick.census.children):
        raise NoCandidate
    changed = False
    for child in pick.unused():
        for e in child.cin_details:
            if e.pre_proceedings is not None:
                e.pre_proceedings, changed = None, True
                pick.claim(child)
    if not changed:
        raise NoCandidate
    return Injected("8995Q", "", None, ())


@injector("9000Q")
def _no_pre_proceedings_start_dates(pick):
    """Pre-proceedings recorded, but the start date (not yet collected) left out of every group."""
    _pre_proceedings(pick)
    if any(pick.used(c) and any(e.pre_proceedings is not None for e in c.cin_details) for c in pick.census.children):
        raise NoCandidate
    changed = False
    for child in pick.unused():
        for e in child.cin_details:
            if e.pre_proceedings is not None:
                e.pre_proceedings.pp_start_date, changed = None, True
                pick.claim(child)
    if not changed:
        raise NoCandidate
    return Injected("9000Q", "", None, ())


def _pp_injector(code: str, test: Callable[[PreProceedings, Picker], bool],
                 change: Callable[[PreProceedings, Picker], None], fields: tuple[str, ...]):
    def inject_pp(pick):
        _pre_proceedings(pick)
        child, pp = _choose(pick, lambda c: _pp(c, lambda p: test(p, pick)))
        change(pp, pick)
        return Injected(code, _id(child), pp, fields)

    return inject_pp


def _set(name: str, value: Callable[[PreProceedings, Picker], object]):
    return lambda pp, pick: setattr(pp, name, value(pp, pick))


# The decision to start pre-proceedings dated last year (a case that began before the census year).
injector("9005")(_pp_injector(
    "9005", lambda pp, pick: _d(pp.pp_start_date) is not None,
    _set("pp_start_date", lambda pp, pick: pick.start - 20 * D), ("pp_start_date",)))
# The letter before proceedings dated three days before the decision to start pre-proceedings.
injector("9006")(_pp_injector(
    "9006", lambda pp, pick: _d(pp.lbp_sent_date) is not None and _d(pp.pp_start_date) is not None
    and pp.pp_start_date - 3 * D >= pick.start,
    _set("lbp_sent_date", lambda pp, pick: pp.pp_start_date - 3 * D), ("lbp_sent_date",)))
# A letter before proceedings sent, whether an FGDM meeting was offered not recorded.
injector("9007")(_pp_injector(
    "9007", lambda pp, pick: _d(pp.lbp_sent_date) is not None and pp.fgdm_meeting_offer is not None,
    _set("fgdm_meeting_offer", lambda pp, pick: None), ("fgdm_meeting_offer",)))
# The planned date of the first pre-proceedings meeting, after 31 March, entered.
injector("9008")(_pp_injector(
    "9008", lambda pp, pick: _d(pp.initial_pp_meeting_date) is not None,
    _set("initial_pp_meeting_date", lambda pp, pick: pick.ref + 14 * D), ("initial_pp_meeting_date",)))
# The step up/down decision dated two days before pre-proceedings started.
injector("9009")(_pp_injector(
    "9009", lambda pp, pick: _d(pp.step_decision_date) is not None and _d(pp.pp_start_date) is not None
    and pp.pp_start_date - 2 * D >= pick.start,
    _set("step_decision_date", lambda pp, pick: pp.pp_start_date - 2 * D), ("step_decision_date",)))
# An FGDM meeting offered, whether it was facilitated not recorded.
injector("9010Q")(_pp_injector(
    "9010Q", lambda pp, pick: pp.fgdm_meeting_offer is True,
    _set("fgdm_meeting_fac", lambda pp, pick: None), ("fgdm_meeting_fac",)))
# The outcome given as "D", a code that does not exist.
injector("9011")(_pp_injector(
    "9011", lambda pp, pick: pp.pp_outcome is not None,
    _set("pp_outcome", lambda pp, pick: "D"), ("pp_outcome",)))
# The court application dated three days before the decision to step up.
injector("9012")(_pp_injector(
    "9012", lambda pp, pick: _d(pp.step_decision_date) is not None and pp.step_decision_date - 3 * D >= pick.start,
    _set("court_app_date", lambda pp, pick: pp.step_decision_date - 3 * D), ("court_app_date",)))
# An initial meeting recorded, the number of review meetings since left out.
injector("9015Q")(_pp_injector(
    "9015Q", lambda pp, pick: _d(pp.initial_pp_meeting_date) is not None and pp.review_meetings_count is not None,
    _set("review_meetings_count", lambda pp, pick: None), ("review_meetings_count",)))


@injector("9013")
def _letter_before_court_application(pick):
    """The letter initiating care proceedings dated before the court application."""
    _pre_proceedings(pick)

    def with_court(pp: PreProceedings) -> bool:
        return _d(pp.court_app_date) is not None and pp.court_app_date - 2 * D >= pick.start

    def with_step(pp: PreProceedings) -> bool:
        return (_d(pp.step_decision_date) is not None and pp.court_app_date is None
                and pp.step_decision_date + D <= pick.ref)

    try:
        child, pp = _choose(pick, lambda c: _pp(c, with_court))
        pp.letter_init_cp_date = pp.court_app_date - 2 * D
    except NoCandidate:
        child, pp = _choose(pick, lambda c: _pp(c, with_step))
        pp.court_app_date, pp.letter_init_cp_date = pp.step_decision_date + D, pp.step_decision_date
    return Injected("9013", _id(child), pp, ("letter_init_cp_date",))
