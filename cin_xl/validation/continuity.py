"""Continuity with last year's return (codes ``C-``): what COLLECT's submission continuity report shows.

Each census must carry on from the authority's previous one: a child whose case was open at last
year's reference date is in this year's return, with the same referral and plan start dates, the
same date of birth, sex and UPN; an episode closed last year stays closed on the same day. These
are queries (the DfE defines no error for them), each located on this year's cell or element; a
child missing from this year has no cell, so it is located on the Children sheet (or the
``<Children>`` element) and its message names the child and where it was in last year's file.

Children are matched by LA child ID and, when the ID is not found, by UPN (the changed ID is itself
reported). Episodes are matched by referral date; a continuing episode whose referral date changed
is the child's episode referred before this census year. Each check is one small function
registered with ``@check(code, Family.CONTINUITY, message)``, like the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cin_xl.census.model import CensusReturn, Child, CINDetails, Node
from cin_xl.census.open_cases import is_carried, still_open
from cin_xl.census.spec.codesets import CODE_SETS, SEX_OF_GENDER
from cin_xl.census.values import is_missing
from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc
from cin_xl.safety.text_guard import quoted
from cin_xl.validation.findings import Finding, locate
from cin_xl.validation.helpers import as_date
from cin_xl.validation.registry import Check, Family, check, registered


@dataclass
class Gap:
    """Where this year breaks with last year: the record and fields at fault, and what last year said."""

    node: Node | None
    fields: tuple[str, ...]
    child: str | None
    detail: str


def _shown(value: object) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _where(node: Node | None, field_name: str | None = None) -> str:
    """Where a record of last year's return was: its XML line (or sheet row)."""
    origin = node.origin if node is not None else None
    if origin is None:
        return "last year's return"
    if origin.sheet:
        cell = origin.cells.get(field_name) if field_name else None
        return f"last year's {origin.sheet}!{cell}" if cell else f"last year's {origin.sheet} row {origin.row}"
    line = origin.cells.get(field_name, origin.line) if field_name else origin.line
    return f"line {line} of last year's return"


def _usable_upn(value: object) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


@dataclass
class Continuity:
    """This year's return beside last year's, with the children matched."""

    this: CensusReturn
    last: CensusReturn
    year: CensusYear
    #: last year's child -> this year's child (by LA child ID, else by UPN)
    matched: list[tuple[Child, Child]] = field(default_factory=list)
    #: pairs matched by UPN because the LA child ID changed
    by_upn: list[tuple[Child, Child]] = field(default_factory=list)
    unmatched: list[Child] = field(default_factory=list)
    #: (first record, later record, what they share: "LA child ID" or "UPN"): a child twice in last year's return
    repeated: list[tuple[Child, Child, str]] = field(default_factory=list)
    _open: dict[int, list] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._match()
        self._find_repeated()

    def _find_repeated(self) -> None:
        """Last year's records of one child (the same LA child ID, else the same UPN); one that is not
        matched is not missing when another record of the child is, and a child is missing once."""
        first_by: dict[tuple[str, str], Child] = {}
        partners: dict[int, set[int]] = {}
        for child in self.last.children:
            keys = [("LA child ID", (child.identifiers.la_child_id or "").strip()),
                    ("UPN", _usable_upn(child.identifiers.upn) or "")]
            for what, key in keys:
                if not key:
                    continue
                first = first_by.setdefault((what, key), child)
                if first is not child:
                    self.repeated.append((first, child, what))
                    partners.setdefault(id(child), set()).add(id(first))
                    partners.setdefault(id(first), set()).add(id(child))
                    break  # the same ID: a second look by UPN would name the same pair
        if not partners:
            return
        matched = {id(before) for before, _ in self.matched}
        reported: set[int] = set()
        kept = []
        for child in self.unmatched:
            # each partner looked up, not the sets joined: a union per child was quadratic (6 s at 20,000)
            if any(other in matched or other in reported for other in partners.get(id(child), ())):
                continue
            reported.add(id(child))
            kept.append(child)
        self.unmatched = kept

    def _match(self) -> None:
        by_id: dict[str, Child] = {}
        for child in self.this.children:
            by_id.setdefault(child.identifiers.la_child_id or "", child)
        by_upn: dict[str, Child] = {}
        for child in self.this.children:
            upn = _usable_upn(child.identifiers.upn)
            if upn:
                by_upn.setdefault(upn, child)
        taken: set[int] = set()
        last_ids = {c.identifiers.la_child_id for c in self.last.children}
        for child in self.last.children:
            now = by_id.get(child.identifiers.la_child_id or "") if child.identifiers.la_child_id else None
            if now is not None and id(now) not in taken:
                self.matched.append((child, now))
                taken.add(id(now))
                continue
            upn = _usable_upn(child.identifiers.upn)
            now = by_upn.get(upn) if upn else None
            if now is not None and id(now) not in taken and now.identifiers.la_child_id not in last_ids:
                self.matched.append((child, now))
                self.by_upn.append((child, now))
                taken.add(id(now))
            else:
                self.unmatched.append(child)

    @property
    def last_reference_date(self) -> date:
        return as_date(self.last.header.collection_details.reference_date) or self.year.start.replace(
            day=31, month=3)

    def open_at_last_reference(self, child: Child) -> list[CINDetails]:
        """The child's episodes (of last year) open at last year's reference date, or holding an open plan."""
        found = self._open.get(id(child))
        if found is None:
            found = self._open[id(child)] = self._open_episodes(child)
        return found

    def _open_episodes(self, child: Child) -> list[CINDetails]:
        ref = self.last_reference_date
        return [e for e in child.cin_details if is_carried(e, ref)]

    def continuing(self, episode: CINDetails, now: Child) -> CINDetails | None:
        """This year's record of last year's ``episode``: same referral date, else the one referred before
        this census year."""
        day = as_date(episode.referral_date)
        for e in now.cin_details:
            if day is not None and as_date(e.referral_date) == day:
                return e
        for e in now.cin_details:
            start = as_date(e.referral_date)
            if start is not None and start < self.year.start:
                return e
        return None


def _child_id(child: Child) -> str | None:
    return child.identifiers.la_child_id


@check("C-01", Family.CONTINUITY, "A child with a case open at last year's reference date is missing from this return")
def child_missing(c: Continuity) -> Iterator[Gap]:
    """A child with an episode, CIN plan or child protection plan open at last year's <ReferenceDate> must
    be in this year's return (matched by LA child ID, or by UPN)."""
    for child in c.unmatched:
        episodes = c.open_at_last_reference(child)
        if episodes:
            yield Gap(None, (), _child_id(child),
                      f"child {quoted(_child_id(child))}, referred {_shown(episodes[0].referral_date)}, "
                      f"at {_where(child)}")


@check("C-02", Family.CONTINUITY, "An episode open at last year's reference date is missing from this return")
def episode_missing(c: Continuity) -> Iterator[Gap]:
    """For a child in both returns, each episode open at last year's <ReferenceDate> is in this year's
    return: the same <CINreferralDate>, or an episode referred before this census year."""
    for before, now in c.matched:
        for episode in c.open_at_last_reference(before):
            if c.continuing(episode, now) is None:
                yield Gap(now.identifiers, ("la_child_id",), _child_id(now),
                          f"the episode referred {_shown(episode.referral_date)} "
                          f"({_where(episode, 'referral_date')})")


@check("C-03", Family.CONTINUITY, "A continuing episode's referral date differs from last year's return")
def referral_date_differs(c: Continuity) -> Iterator[Gap]:
    """The <CINreferralDate> of an episode open at last year's <ReferenceDate> is the same this year."""
    for before, now in c.matched:
        for episode in c.open_at_last_reference(before):
            current = c.continuing(episode, now)
            if current is not None and current.referral_date != episode.referral_date:
                yield Gap(current, ("referral_date",), _child_id(now),
                          f"last year {_shown(episode.referral_date)} ({_where(episode, 'referral_date')})")


def _plans(c: Continuity, kind: str) -> Iterator[tuple[Child, Any, CINDetails, list[Any]]]:
    """(child now, last year's open plan, this year's episode, its plans) for each plan of ``kind`` open at
    last year's reference date (plans of one kind: CIN plans or child protection plans)."""
    ref = c.last_reference_date
    for before, now in c.matched:
        for episode in c.open_at_last_reference(before):
            current = c.continuing(episode, now)
            if current is None:
                continue
            for plan in getattr(episode, kind):
                if still_open(plan.end_date, ref):
                    yield now, plan, current, getattr(current, kind)


def _plan_gaps(c: Continuity, kind: str, label: str, missing_code: bool) -> Iterator[Gap]:
    for now, plan, current, plans in _plans(c, kind):
        starts = {as_date(p.start_date) for p in plans}
        if as_date(plan.start_date) in starts:
            continue
        earlier = [p for p in plans if (as_date(p.start_date) or c.year.start) < c.year.start]
        if missing_code and not earlier:
            yield Gap(current, ("referral_date",), _child_id(now),
                      f"the {label} starting {_shown(plan.start_date)} ({_where(plan, 'start_date')})")
        elif not missing_code and earlier:
            yield Gap(earlier[0], ("start_date",), _child_id(now),
                      f"last year {_shown(plan.start_date)} ({_where(plan, 'start_date')})")


@check("C-04", Family.CONTINUITY, "A plan open at last year's reference date is missing from its episode")
def plan_missing(c: Continuity) -> Iterator[Gap]:
    """Each CIN plan and child protection plan open at last year's <ReferenceDate> is in the continuing
    episode: the same start date, or a plan of the same kind starting before this census year."""
    yield from _plan_gaps(c, "cin_plans", "CIN plan", True)
    yield from _plan_gaps(c, "child_protection_plans", "child protection plan", True)


@check("C-05", Family.CONTINUITY, "A continuing plan's start date differs from last year's return")
def plan_start_differs(c: Continuity) -> Iterator[Gap]:
    """The <CINPlanStartDate> or <CPPstartDate> of a plan open at last year's <ReferenceDate> is the same
    this year."""
    yield from _plan_gaps(c, "cin_plans", "CIN plan", False)
    yield from _plan_gaps(c, "child_protection_plans", "child protection plan", False)


def _identity_gaps(c: Continuity, name: str, label: str,
                   exempt: Callable[[object], bool] = lambda identifiers: False) -> Iterator[Gap]:
    """The children whose item ``name`` changed, unless last year's identifiers are ``exempt``."""
    for before, now in c.matched:
        was, is_ = getattr(before.identifiers, name), getattr(now.identifiers, name)
        if is_missing(was) or exempt(before.identifiers):  # an unborn child has a date of birth now
            continue
        if was != is_:
            yield Gap(now.identifiers, (name,), _child_id(now),
                      f"{label} last year {_shown(was)} ({_where(before.identifiers, name)})")


@check("C-06", Family.CONTINUITY, "The child's date of birth differs from last year's return")
def birth_date_differs(c: Continuity) -> Iterator[Gap]:
    """<PersonBirthDate> is the same as in last year's return, where last year's return had one."""
    yield from _identity_gaps(c, "person_birth_date", "date of birth")


def _sex(identifiers) -> tuple[str, str, str] | None:
    """(the child's sex by meaning, in <Sex> codes where there is one; the field it came from; as shown), or None
    when neither <Sex> nor <GenderCurrent> is given."""
    if not is_missing(identifiers.sex):
        return str(identifiers.sex), "sex", _shown(identifiers.sex)
    gender = identifiers.gender_current
    if is_missing(gender):
        return None
    label = CODE_SETS["GenderCurrent"].label(str(gender))
    return SEX_OF_GENDER.get(str(gender), str(gender)), "gender_current", \
        f"gender {gender}" + (f" ({label.lower()})" if label else "")


@check("C-07", Family.CONTINUITY, "The child's sex differs from last year's return")
def sex_differs(c: Continuity) -> Iterator[Gap]:
    """<Sex> (<GenderCurrent> up to 2023-24) is the same as in last year's return, compared by meaning across
    the change: gender 1 and M, 2 and F, 0 and U. Gender 9 (indeterminate) has no counterpart in <Sex> and is
    reported so that the child's sex is checked. An unborn child's U (gender 0) may become M or F."""
    for before, now in c.matched:
        was, is_ = _sex(before.identifiers), _sex(now.identifiers)
        if was is None or is_ is None or was[0] == is_[0]:
            continue
        if was[0] == "U" and not is_missing(before.identifiers.expected_person_birth_date):
            continue  # born since
        where = _where(before.identifiers, was[1])
        if was[1] != is_[1] and was[0] not in CODE_SETS["Sex"].valid(c.year):
            detail = f"last year {was[2]} ({where}), which has no counterpart in Sex: check the child's sex"
        else:
            detail = f"last year {was[2]} ({where})"
        yield Gap(now.identifiers, (is_[1],), _child_id(now), detail)


@check("C-08", Family.CONTINUITY, "The child's UPN differs from last year's return")
def upn_differs(c: Continuity) -> Iterator[Gap]:
    """<UPN> is the same as in last year's return, where last year's return had one."""
    yield from _identity_gaps(c, "upn", "UPN")


@check("C-09", Family.CONTINUITY, "The child's LA child ID differs from last year's return (matched by UPN)")
def child_id_changed(c: Continuity) -> Iterator[Gap]:
    """A child of last year's return not found by <LAchildID> but found by <UPN> has changed ID."""
    for before, now in c.by_upn:
        yield Gap(now.identifiers, ("la_child_id",), _child_id(now),
                  f"last year {quoted(_child_id(before))} ({_where(before.identifiers, 'la_child_id')})")


def _closed_last_year(c: Continuity) -> Iterator[tuple[Child, CINDetails, CINDetails]]:
    ref = c.last_reference_date
    for before, now in c.matched:
        by_referral = {as_date(e.referral_date): e for e in now.cin_details if as_date(e.referral_date)}
        for episode in before.cin_details:
            if still_open(episode.closure_date, ref) or as_date(episode.referral_date) is None:
                continue
            current = by_referral.get(as_date(episode.referral_date))
            if current is not None:
                yield now, episode, current


@check("C-10", Family.CONTINUITY, "An episode closed in last year's return is open in this return")
def closed_episode_open(c: Continuity) -> Iterator[Gap]:
    """An episode with a <CINclosureDate> in last year's return has one in this year's return."""
    for now, episode, current in _closed_last_year(c):
        if is_missing(current.closure_date):
            yield Gap(current, ("closure_date",), _child_id(now),
                      f"closed {_shown(episode.closure_date)} ({_where(episode, 'closure_date')})")


@check("C-11", Family.CONTINUITY,
       "An episode closed in last year's return has another closure date in this return")
def closure_date_differs(c: Continuity) -> Iterator[Gap]:
    """An episode closed in last year's return keeps the same <CINclosureDate>."""
    for now, episode, current in _closed_last_year(c):
        if not is_missing(current.closure_date) and current.closure_date != episode.closure_date:
            yield Gap(current, ("closure_date",), _child_id(now),
                      f"last year {_shown(episode.closure_date)} ({_where(episode, 'closure_date')})")


@check("C-12", Family.CONTINUITY, "A child is in last year's return twice")
def child_repeated(c: Continuity) -> Iterator[Gap]:
    """Each child is once in last year's return: no two <Child> records share an <LAchildID>, or a <UPN>.
    The child is matched by its first record; the other is not reported missing from this return."""
    matched = {id(before): now for before, now in c.matched}
    for first, later, what in c.repeated:
        name = "la_child_id" if what == "LA child ID" else "upn"
        value = getattr(first.identifiers, name)
        now = matched.get(id(first)) or matched.get(id(later))
        yield Gap(now.identifiers if now is not None else None, (name,) if now is not None else (),
                  _child_id(now if now is not None else first),
                  f"{what} {quoted(value)} at {_where(first.identifiers, name)} and at "
                  f"{_where(later.identifiers, name)}")


#: the continuity checks by code, in the order they run
CONTINUITY_CHECKS: dict[str, Check] = registered(Family.CONTINUITY)


def check_continuity(this: CensusReturn, last: CensusReturn, year: CensusYear) -> list[Finding]:
    """The continuity findings of ``this`` (census ``year``) against ``last`` (the return of the year before)."""
    with no_gc():
        return _check_continuity(this, last, year)


def _check_continuity(this: CensusReturn, last: CensusReturn, year: CensusYear) -> list[Finding]:
    context = Continuity(this, last, year)
    findings: list[Finding] = []
    for continuity in CONTINUITY_CHECKS.values():
        for gap in continuity.run(context):
            finding = Finding(continuity.code, continuity.severity, f"{continuity.message}: {gap.detail}",
                              child=gap.child)
            if gap.node is None:
                findings.append(_on_children(finding, this))
            else:
                findings.append(locate(finding, gap.node, gap.fields))
    return findings


def _on_children(finding: Finding, this: CensusReturn) -> Finding:
    """A finding with no record this year: on the Children sheet (no row) or the ``<Children>`` element."""
    origin = this.origin
    if origin is not None and origin.sheet:
        finding.sheet = origin.sheet
    else:
        finding.path = "/Message/Children"  # the reader keeps no line for the wrapper element
    return finding
