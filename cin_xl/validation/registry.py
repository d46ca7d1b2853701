"""One registry for every check a user can meet: DfE rules, local ``LA-`` checks, continuity ``C-`` checks,
the structural and reading ``X-`` codes and ``FILL-IN``.

Each is a :class:`Check`: code, family, severity, message, condition, years in force and, where there
is one, the function that finds it. A DfE rule is a generator over a
:class:`~cin_xl.validation.view.CensusView` that yields a :class:`Hit` for each record breaking it;
its severity, message and condition are the year's catalogue entry (``rules/catalogue.json``), so the
function only says *where* the rule is broken::

    @rule("1103")
    def assessment_starts_before_referral(census: CensusView) -> Iterator[Hit]:
        '''Where present, <AssessmentActualStartDate> (N00159) should be on or after <CINReferralDate> (N00100).'''
        for child, episode, assessment in census.assessments:
            if before(assessment.start_date, episode.referral_date):
                yield Hit(assessment, ("start_date",), child)

A rule whose condition changed between years is registered once per version with ``since`` /
``until``; the engine picks the version in force. Our own checks carry their wording in code:
``@check(code, family, message)`` on a function (its docstring is the condition), or
:func:`declare` for a code raised where a file is read or written (``X-READ``, ``FILL-IN``...), whose
callers take the code from :mod:`cin_xl.validation.codes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from cin_xl.census.years import CensusYear, in_force
from cin_xl.validation.catalogue import catalogue
from cin_xl.validation.findings import Severity

if TYPE_CHECKING:  # pragma: no cover
    from cin_xl.census.model import Child, Node
    from cin_xl.validation.view import CensusView


class Family(StrEnum):
    """Who defines a check, and so where its wording lives."""

    DFE = "DfE rule"  # the Department's validation rules: wording in the catalogue
    STRUCTURAL = "structural"  # X-: an item or file that does not fit the census specification or schema
    LOCAL = "local"  # LA-: against the workbook's Looked-after sheet
    CONTINUITY = "continuity"  # C-: against last year's return
    FILL_IN = "fill-in"  # FILL-IN: cells of a rolled-over workbook to fill in


@dataclass
class Hit:
    """Where a rule is broken: the record (``node``), the fields at fault, and the child."""

    node: Node | None
    fields: tuple[str, ...] = ()
    child: Child | None = None
    #: other records involved (for example the referral a date is compared with)
    related: tuple[tuple[Node, tuple[str, ...]], ...] = field(default=())


RuleFunc = Callable[["CensusView"], Iterable[Hit]]
F = TypeVar("F", bound=Callable[..., Iterable[Any]])


@dataclass(frozen=True)
class Check:
    """One check, whatever its family. A DfE rule's registration carries no wording of its own (its
    message and condition are blank, its severity a placeholder): :func:`checks` gives it the year's
    catalogue entry."""

    code: str
    family: Family
    severity: Severity
    message: str
    condition: str = ""
    since: str | None = None
    until: str | None = None
    #: the function that finds it (DfE, LA-, C-); None for a code raised where a file is read or written
    func: Callable[..., Iterable[Any]] | None = None
    #: a DfE rule that reads more than one child (duplicates, shares of the return) or the header: run on the
    #: whole return, never on a part of its children (:mod:`cin_xl.validation.parallel`)
    whole_return: bool = False

    @property
    def name(self) -> str:
        return self.func.__name__ if self.func is not None else ""

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip() if self.func is not None else ""

    def run(self, subject: Any) -> Iterable[Any]:
        """What the check's function finds in ``subject`` (the CensusView; for a C- check, the Continuity)."""
        if self.func is None:
            raise TypeError(f"{self.code} is raised where a file is read or written, not by a function")
        return self.func(subject)

    def in_force(self, year: CensusYear) -> bool:
        return in_force(year, self.since, self.until)


#: every check by code; a DfE rule registered once per version of its condition
REGISTRY: dict[str, list[Check]] = {}


def register(check: Check) -> Check:
    versions = REGISTRY.setdefault(check.code, [])
    if any(c.family is not check.family for c in versions):
        raise ValueError(f"check {check.code} is registered in two families")
    versions.append(check)
    return check


def check(code: str, family: Family, message: str, *, severity: Severity = Severity.QUERY,
          since: str | None = None, until: str | None = None) -> Callable[[F], F]:
    """Register the decorated function as our own check ``code``; its docstring is the condition."""
    def register_func(func: F) -> F:
        register(Check(code, family, severity, message, (func.__doc__ or "").strip(), since, until, func))
        return func

    return register_func


def rule(code: str, *, since: str | None = None, until: str | None = None,
         whole_return: bool = False) -> Callable[[RuleFunc], RuleFunc]:
    """Register the decorated function as DfE rule ``code`` (its wording is the catalogue's). A rule that reads
    more than one child or the header says ``whole_return=True``: the others give, run on two parts of the
    children one after the other, what they give on the whole return (a test holds it)."""
    def register_func(func: RuleFunc) -> RuleFunc:
        register(Check(code, Family.DFE, Severity.ERROR, "", "", since, until, func, whole_return))
        return func

    return register_func


def declare(code: str, family: Family, severity: Severity, message: str, condition: str = "") -> str:
    """Declare a code raised where a file is read or written; returns the code for its callers to use."""
    register(Check(code, family, severity, message, condition))
    return code


def declared(code: str) -> Check:
    """The declaration of one of our own codes (not a DfE rule, whose wording is the year's), from a module
    already imported (:mod:`cin_xl.validation.codes` for the codes no function raises)."""
    found = REGISTRY[code][0]
    if found.family is Family.DFE:
        raise KeyError(f"{code} is a DfE rule: see checks(year)")
    return found


def implementation(code: str, year: CensusYear) -> Check | None:
    """The function of DfE rule ``code`` in force in ``year``."""
    load_rules()
    for r in REGISTRY.get(code, []):
        if r.family is Family.DFE and r.in_force(year):
            return r
    return None


def of_family(family: Family, year: CensusYear | None = None) -> list[Check]:
    """Our own checks of ``family`` (in force in ``year``, if given), in the order they were registered."""
    load_checks()
    return [c for versions in REGISTRY.values() for c in versions
            if c.family is family and (year is None or c.in_force(year))]


def registered(family: Family) -> dict[str, Check]:
    """The checks of ``family`` registered so far, by code (a module's own, at its end)."""
    return {c.code: c for versions in REGISTRY.values() for c in versions if c.family is family}


def checks(year: CensusYear) -> list[Check]:
    """Every check a user can meet in ``year``: the DfE rules in catalogue order (worded as that year's
    catalogue words them, with the function in force), then the structural, local, continuity and
    fill-in codes."""
    out = []
    for entry in catalogue(year).values():
        impl = implementation(entry.code, year)
        out.append(Check(entry.code, Family.DFE, entry.severity, entry.message, entry.condition,
                         entry.in_force_since, entry.until, impl.func if impl else None,
                         impl.whole_return if impl else False))
    for family in (Family.STRUCTURAL, Family.LOCAL, Family.CONTINUITY, Family.FILL_IN):
        out += of_family(family, year)
    return out


def load_rules() -> None:
    """Import every rule module so that the decorators have registered them."""
    from cin_xl.validation import rules  # noqa: F401


def load_checks() -> None:
    """Import every module that registers checks, so that the registry is complete (for listing them:
    validation itself loads only the rules, and continuity only when there is last year's return)."""
    load_rules()
    from cin_xl.validation import codes, continuity, local  # noqa: F401


__all__ = ["Check", "Family", "Hit", "REGISTRY", "RuleFunc", "check", "checks", "declare", "declared",
           "implementation", "load_checks", "load_rules", "of_family", "register", "registered", "rule"]
