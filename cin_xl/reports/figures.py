"""Key figures of a census return for its census year, each defined once, in code and in words.

Every figure is a small function registered with :func:`figure`, which records its ``name``, the
``section`` of the report it belongs to and its ``definition`` in plain English (shown in the HTML
report and in the workbook's Summary sheet). Rates also say in words what their ``numerator`` and
``denominator`` count. ``compute_figures(census, year, findings)`` runs them all on one
:class:`Facts` (a :class:`~cin_xl.validation.view.CensusView` plus the few record selections that
several figures share, each built once), so the whole set is a handful of linear passes over the
return.

Conventions, shared by every figure:

- The census year is 1 April to 31 March (:class:`~cin_xl.census.years.CensusYear`); "in the year" means
  on or between those two dates.
- A date that could not be read (text kept from a bad cell or element) counts as absent. The
  figure ``unreadable_dates`` says how many there were, so nobody is surprised by a count that is
  lower than expected.
- Working days are weekdays that are not bank holidays in England and Wales
  (:mod:`cin_xl.census.calendar`). The working days from A to B are those *after* A up to and including
  B: an assessment authorised on the working day after it started took 1 working day.
- "N months after" a date is the same day N calendar months later, or the last day of that month
  when it has no such day (31 May + 3 months = 31 August; 30 November + 3 months = 28 or 29
  February).
- A plan or episode is *open at 31 March* when it started on or before 31 March and has no end
  (or closure) date on or before 31 March.

These are the toolkit's own calculations from the return, to see the figures before submission.
The Department's published statistics use the returns of several years and may define a measure
differently in detail; each definition here says exactly what is counted.
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property
from pathlib import Path
from textwrap import dedent

from cin_xl.census.calendar import is_working_day
from cin_xl.census.model import CensusReturn, Child, ChildIdentifiers, ChildProtectionPlan, CINDetails, record_fields
from cin_xl.census.spec import CODE_SETS, Group, fields_of
from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc
from cin_xl.progress import phase
from cin_xl.validation.findings import Finding, Severity
from cin_xl.validation.view import CensusView

__all__ = [
    "Figure", "FIGURES", "SECTIONS", "Rate", "Category", "Breakdown", "Monthly", "Table", "Result", "Figures",
    "Facts", "compute_figures", "figures_for_file", "add_months", "figure",
]

COUNTS, TIMELINESS, MONTHLY, BREAKDOWNS, QUALITY, CONTINUITY = (
    "Counts", "Timeliness", "Month by month", "Breakdowns", "Data quality", "Continuity with last year")
#: report sections, in order
SECTIONS = (COUNTS, TIMELINESS, MONTHLY, BREAKDOWNS, QUALITY, CONTINUITY)


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """``numerator`` out of ``denominator``."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return 100 * self.numerator / self.denominator if self.denominator else None

    def as_dict(self) -> dict:
        pct = self.percent
        return {"numerator": self.numerator, "denominator": self.denominator,
                "percent": None if pct is None else round(pct, 1)}


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    """Counts per category, in the order the figure gives them (code-set order unless it says otherwise)."""

    rows: tuple[Category, ...]
    #: what percentages are of, when it is not the sum of the rows (a record can be in several
    #: categories): how many records, and what they are
    base: int | None = None
    base_label: str = "Total"

    @property
    def total(self) -> int:
        """The sum of the rows, or the base when there is one."""
        return self.base if self.base is not None else sum(r.count for r in self.rows)

    def count(self, code: str) -> int:
        return next((r.count for r in self.rows if r.code == code), 0)

    def share(self, row: Category) -> float | None:
        """The row's percentage of :attr:`total`."""
        total = self.total
        return 100 * row.count / total if total else None

    def as_dict(self) -> dict[str, int]:
        return {r.code: r.count for r in self.rows}

    def top(self, n: int, *, leave_out: Iterable[str] = ()) -> list[Category]:
        """The ``n`` largest non-zero categories, largest first (ties in the given order)."""
        skip = set(leave_out)
        ranked = sorted((r for r in self.rows if r.count and r.code not in skip), key=lambda r: -r.count)
        return ranked[:n]


@dataclass(frozen=True)
class Monthly:
    """One count per month of the census year, April first."""

    months: tuple[date, ...]  # first day of each month
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)

    def as_dict(self) -> dict[str, int]:
        return {m.strftime("%Y-%m"): v for m, v in zip(self.months, self.values)}


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def as_dict(self) -> dict:
        return {"columns": list(self.columns), "rows": [list(r) for r in self.rows]}


# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    name: str
    section: str
    definition: str
    compute: Callable[[Facts], object] = field(repr=False, compare=False)
    #: rates: what is counted, and out of what
    numerator: str = ""
    denominator: str = ""
    #: (model class, field name): the figure applies only in years where that field is in force
    needs: tuple[type, str] | None = None
    #: the figure is worked out from validation findings (absent when the return was not checked)
    from_findings: bool = False
    #: the figure compares the return with last year's (absent when none was given)
    from_previous: bool = False

    def applies(self, year: CensusYear) -> bool:
        if self.needs is None:
            return True
        cls, name = self.needs
        return any(f.name == name for f in fields_of(cls, year))

    @property
    def full_definition(self) -> str:
        """The definition, with the numerator and denominator of a rate spelt out."""
        if not self.numerator:
            return self.definition
        return f"{self.definition} Counted: {self.numerator} Out of: {self.denominator}"


#: every figure, in report order
FIGURES: list[Figure] = []


def figure(key: str, name: str, section: str, definition: str, *, numerator: str = "", denominator: str = "",
           needs: tuple[type, str] | None = None, from_findings: bool = False, from_previous: bool = False):
    """Register the decorated function ``(facts) -> value`` as the figure ``key``."""

    def tidy(text: str) -> str:
        return " ".join(dedent(text).split())

    def register(func: Callable[[Facts], object]) -> Callable[[Facts], object]:
        if any(f.key == key for f in FIGURES):
            raise ValueError(f"figure {key!r} declared twice")
        FIGURES.append(Figure(key, name, section, tidy(definition), func, tidy(numerator), tidy(denominator),
                              needs, from_findings, from_previous))
        return func

    return register


# ---------------------------------------------------------------------------------------------
# Shared dates and selections
# ---------------------------------------------------------------------------------------------


def _d(value: object) -> date | None:
    """A readable date, or None (missing, or text that could not be read)."""
    return value if isinstance(value, date) else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier if negative), or that month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, _calendar.monthrange(year, month0 + 1)[1]))


class WorkingDays:
    """Fast working-day counts (same answer as :func:`cin_xl.census.calendar.working_days_between`).

    A running count of working days from a base date makes each question two look-ups; the range
    grows when a date outside it is asked about.
    """

    def __init__(self, first: date, last: date):
        self._build(first, last)

    def _build(self, first: date, last: date) -> None:
        self.base = first
        count, cum, day, one = 0, [0], first, timedelta(days=1)
        for _ in range((last - first).days):
            day += one
            count += is_working_day(day)
            cum.append(count)
        self.cum = cum

    def _index(self, day: date) -> int:
        i = (day - self.base).days
        if i < 0 or i >= len(self.cum):
            last = self.base + timedelta(days=len(self.cum) - 1)
            self._build(min(day, self.base) - timedelta(days=366), max(day, last) + timedelta(days=366))
            i = (day - self.base).days
        return i

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
        if end <= start:
            return 0
        i = self._index(start)
        j = self._index(end)
        i = (start - self.base).days  # the range may have moved while finding ``end``
        return self.cum[j] - self.cum[i]


_ASSESSMENT_DAYS, _ICPC_DAYS = 45, 15
#: more calendar days than this are always more than 45 working days (any 100 days hold at least 70
#: weekdays, and never 25 bank holidays), so longer spans need no count (and typing errors such as
#: 0206-05-01 never make the working-day table reach back centuries)
_CLEARLY_LATE_DAYS = 100


class Facts:
    """A return seen for one census year: the view's flat record lists plus shared selections.

    Each selection below is defined in words in its docstring, once, and used by the figures that
    need it.
    """

    def __init__(self, census: CensusReturn, year: CensusYear, findings: list[Finding] | None = None,
                 previous: CensusReturn | None = None):
        self.view = CensusView(census, year)
        self.previous = previous
        self.year = year
        self.start, self.ref = year.start, year.reference_date
        self.findings = findings
        self.working_days = WorkingDays(self.start - timedelta(days=3 * 366), self.ref + timedelta(days=366))

    def in_year(self, value: object) -> bool:
        return isinstance(value, date) and self.start <= value <= self.ref

    def count_in_year(self, values: Iterable[object]) -> int:
        """How many of ``values`` are readable dates in the year."""
        start, ref, n = self.start, self.ref, 0
        for value in values:
            if value.__class__ is date and start <= value <= ref:
                n += 1
        return n

    def open_at_ref(self, start: object, end: object) -> bool:
        """Started (a readable date) on or before 31 March and not ended on or before 31 March."""
        s, e = _d(start), _d(end)
        return s is not None and s <= self.ref and (e is None or e > self.ref)

    # -- selections ------------------------------------------------------------------------------
    @cached_property
    def referrals(self) -> list[tuple[Child, CINDetails, date]]:
        """Episodes whose referral date is in the year, with that date."""
        return [(c, e, e.referral_date) for c, e in self.view.episodes if self.in_year(e.referral_date)]

    @cached_property
    def open_episodes(self) -> list[tuple[Child, CINDetails]]:
        """Episodes open at 31 March: referral on or before 31 March, no closure on or before it."""
        return [(c, e) for c, e in self.view.episodes if self.open_at_ref(e.referral_date, e.closure_date)]

    @cached_property
    def assessments_completed(self) -> list[tuple[date | None, date, list[str]]]:
        """Assessments whose authorisation (completion) date is in the year: (start, completed, factors)."""
        out = []
        for _, _, a in self.view.assessments:
            done = a.authorisation_date
            if self.in_year(done):
                out.append((_d(a.start_date), done, a.factors))
        return out

    @cached_property
    def initial_conferences(self) -> list[tuple[date, date | None, bool]]:
        """Initial child protection conferences held in the year, from both places the date is recorded.

        (conference date, section 47 start date or None, recorded in a Section 47 group)
        """
        out = []
        for _, e in self.view.episodes:
            if self.in_year(e.date_of_initial_cpc):
                out.append((e.date_of_initial_cpc, None, False))
            for s in e.section47s:
                if self.in_year(s.date_of_initial_cpc):
                    out.append((s.date_of_initial_cpc, _d(s.start_date), True))
        return out

    @cached_property
    def cp_plans_open(self) -> list[ChildProtectionPlan]:
        """Child protection plans open at 31 March."""
        return [p for _, _, p in self.view.child_protection_plans if self.open_at_ref(p.start_date, p.end_date)]

    @cached_property
    def cp_plans_ended(self) -> list[ChildProtectionPlan]:
        """Child protection plans whose end date is in the year."""
        return [p for _, _, p in self.view.child_protection_plans if self.in_year(p.end_date)]

    # -- helpers for the figure functions ----------------------------------------------------------
    def months(self) -> tuple[date, ...]:
        return tuple(add_months(self.start, i) for i in range(12))

    def monthly(self, dates: Iterable[object]) -> Monthly:
        """Count the dates in the year per month, April first."""
        counts = [0] * 12
        start, ref = self.start, self.ref
        first = start.year * 12 + start.month - 1
        for day in dates:
            if day.__class__ is date and start <= day <= ref:
                counts[day.year * 12 + day.month - 1 - first] += 1
        return Monthly(self.months(), tuple(counts))

    def breakdown(self, codeset: str, codes: Iterable[object], *, not_recorded: str = "Not recorded") -> Breakdown:
        """Count codes in code-set order, then any codes not in the code set, then missing values."""
        counted: Counter = Counter()
        for code, n in Counter(codes).items():
            counted["" if code is None or (isinstance(code, str) and not code.strip()) else str(code).strip()] += n
        known = CODE_SETS[codeset]
        rows = []
        listed = set()
        for code in known.for_year(self.year):
            if code.deprecated and not counted.get(code.code):
                continue  # an old code still accepted: shown only when used
            rows.append(Category(code.code, code.label, counted.get(code.code, 0)))
            listed.add(code.code)
        for code in sorted(c for c in counted if c and c not in listed):
            label = known.label(code) or "Not a code of this census year"
            rows.append(Category(code, label, counted[code]))
        if counted.get(""):
            rows.append(Category("", not_recorded, counted[""]))
        return Breakdown(tuple(rows))


# ---------------------------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------------------------


@figure("children", "Children in the return", COUNTS, """
    Every child in the return (one per Child record), whatever the dates of their episodes.""")
def _children(x: Facts) -> int:
    return len(x.view.children)


@figure("children_in_need_during_year", "Children in need during the year", COUNTS, """
    Children with at least one episode open at some time in the year: a referral date on or before
    31 March and no closure date before 1 April.""")
def _children_in_need_during_year(x: Facts) -> int:
    total = 0
    for child in x.view.children:
        for e in child.cin_details:
            referral, closure = _d(e.referral_date), _d(e.closure_date)
            if referral is not None and referral <= x.ref and (closure is None or closure >= x.start):
                total += 1
                break
    return total


@figure("children_in_need_at_31_march", "Children in need at 31 March", COUNTS, """
    Children with at least one episode open at 31 March: a referral date on or before 31 March and no
    closure date on or before 31 March.""")
def _children_at_ref(x: Facts) -> int:
    return len({id(c) for c, _ in x.open_episodes})


@figure("referrals", "Referrals", COUNTS, """
    Episodes (CINdetails) whose referral date is in the year. A child referred twice counts twice.""")
def _referrals(x: Facts) -> int:
    return len(x.referrals)


@figure("re_referrals", "Re-referrals within 12 months", COUNTS, """
    Referrals in the year that came within 12 months of a previous referral of the same child. Only
    referrals in this return can be seen: a previous referral whose episode closed before 1 April is
    not in the return, so COLLECT (which also has last year's return) may count more.""",
        numerator="""referrals in the year for which the same child has another episode with an earlier
    referral date on or after the same date 12 months before (so a referral exactly 12 months after the
    previous one is a re-referral, and one 12 months and a day after it is not).""",
        denominator="referrals in the year.")
def _re_referrals(x: Facts) -> Rate:
    referrals = x.referrals
    earlier: dict[int, list[date]] = {}
    for c, _, _ in referrals:
        if id(c) not in earlier:
            earlier[id(c)] = sorted(d for e in c.cin_details if (d := _d(e.referral_date)) is not None)
    count = 0
    for c, _, day in referrals:
        dates = earlier[id(c)]
        i = bisect_left(dates, day)  # dates[:i] are strictly earlier
        if i and dates[i - 1] >= add_months(day, -12):
            count += 1
    return Rate(count, len(referrals))


@figure("referrals_nfa", "Referrals with no further action", COUNTS, """
    Referrals in the year recorded as a referral with no further action (ReferralNFA true).""")
def _referrals_nfa(x: Facts) -> int:
    return sum(1 for _, e, _ in x.referrals if e.referral_nfa is True)


@figure("assessments_started", "Assessments started", COUNTS, """
    Assessments whose actual start date is in the year.""")
def _assessments_started(x: Facts) -> int:
    return x.count_in_year(a.start_date for _, _, a in x.view.assessments)


@figure("assessments_completed", "Assessments completed", COUNTS, """
    Assessments whose authorisation date (the date the assessment was completed) is in the year.""")
def _assessments_completed(x: Facts) -> int:
    return len(x.assessments_completed)


@figure("section47s", "Section 47 enquiries", COUNTS, """
    Section 47 enquiries whose actual start date is in the year.""")
def _section47s(x: Facts) -> int:
    return x.count_in_year(s.start_date for _, _, s in x.view.section47s)


@figure("initial_conferences", "Initial child protection conferences", COUNTS, """
    Initial child protection conferences held in the year, counting the conference date wherever it is
    recorded: in a Section 47 group, or on the episode itself (a conference held with no section 47
    enquiry in that episode).""")
def _initial_conferences(x: Facts) -> int:
    return len(x.initial_conferences)


@figure("cin_plans_started", "CIN plans started", COUNTS, """
    CIN plans whose start date is in the year.""")
def _cin_plans_started(x: Facts) -> int:
    return x.count_in_year(p.start_date for _, _, p in x.view.cin_plans)


@figure("cin_plans_ended", "CIN plans ended", COUNTS, """
    CIN plans whose end date is in the year.""")
def _cin_plans_ended(x: Facts) -> int:
    return x.count_in_year(p.end_date for _, _, p in x.view.cin_plans)


@figure("cin_plans_open", "CIN plans open at 31 March", COUNTS, """
    CIN plans that started on or before 31 March and have no end date on or before 31 March.""")
def _cin_plans_open(x: Facts) -> int:
    return sum(1 for _, _, p in x.view.cin_plans if x.open_at_ref(p.start_date, p.end_date))


@figure("cp_plans_started", "Child protection plans started", COUNTS, """
    Child protection plans whose start date is in the year.""")
def _cp_plans_started(x: Facts) -> int:
    return x.count_in_year(p.start_date for _, _, p in x.view.child_protection_plans)


@figure("cp_plans_ended", "Child protection plans ended", COUNTS, """
    Child protection plans whose end date is in the year.""")
def _cp_plans_ended(x: Facts) -> int:
    return len(x.cp_plans_ended)


@figure("cp_plans_open", "Child protection plans open at 31 March", COUNTS, """
    Child protection plans that started on or before 31 March and have no end date on or before
    31 March.""")
def _cp_plans_open(x: Facts) -> int:
    return len(x.cp_plans_open)


@figure("pre_proceedings_started", "Pre-proceedings started", COUNTS, """
    Pre-proceedings whose start date (the decision to start pre-proceedings) is in the year. Only in
    census years whose specification has the pre-proceedings module.""",
        needs=(CINDetails, "pre_proceedings"))
def _pre_proceedings_started(x: Facts) -> int:
    return x.count_in_year(p.pp_start_date for _, _, p in x.view.pre_proceedings)


@figure("pre_proceedings_court", "Court applications after pre-proceedings", COUNTS, """
    Pre-proceedings with a court application to start care proceedings dated in the year. Only in
    census years whose specification has the pre-proceedings module.""",
        needs=(CINDetails, "pre_proceedings"))
def _pre_proceedings_court(x: Facts) -> int:
    return x.count_in_year(p.court_app_date for _, _, p in x.view.pre_proceedings)


# ---------------------------------------------------------------------------------------------
# Timeliness
# ---------------------------------------------------------------------------------------------


@figure("assessments_within_45_days", "Assessments completed within 45 working days", TIMELINESS, """
    How many of the assessments completed in the year took 45 working days or fewer: the working days
    after the start date up to and including the authorisation date, leaving out weekends and England
    and Wales bank holidays.""",
        numerator="assessments completed in the year within 45 working days of their start date.",
        denominator="""assessments completed in the year with a readable start date on or before the
    authorisation date.""")
def _assessments_within_45(x: Facts) -> Rate:
    within = total = 0
    between = x.working_days.between
    for start, done, _ in x.assessments_completed:
        if start is None or start > done:
            continue
        total += 1
        if (done - start).days <= _CLEARLY_LATE_DAYS:
            within += between(start, done) <= _ASSESSMENT_DAYS
    return Rate(within, total)


@figure("conferences_within_15_days", "Initial conferences within 15 working days of the section 47 start",
        TIMELINESS, """
    How many of the initial child protection conferences held in the year after a section 47 enquiry
    were held within 15 working days of the enquiry's start (working days after the start up to and
    including the conference date). Conferences recorded on the episode, with no section 47 enquiry
    in it, have no start to count from and are left out.""",
        numerator="""initial conferences in the year, recorded in a Section 47 group, held 15 working days or
    fewer after that enquiry's start date.""",
        denominator="""initial conferences in the year recorded in a Section 47 group whose start date is
    readable and on or before the conference.""")
def _conferences_within_15(x: Facts) -> Rate:
    within = total = 0
    between = x.working_days.between
    for conference, s47_start, in_s47 in x.initial_conferences:
        if not in_s47 or s47_start is None or s47_start > conference:
            continue
        total += 1
        if (conference - s47_start).days <= _CLEARLY_LATE_DAYS:
            within += between(s47_start, conference) <= _ICPC_DAYS
    return Rate(within, total)


def reviewed_on_time(plan: ChildProtectionPlan, year: CensusYear) -> bool:
    """Whether every review of ``plan`` that fell due in ``year`` was held in time (see the figure)."""
    start, first_day, ref = _d(plan.start_date), year.start, year.reference_date
    # as if a review had been held on the last day of the previous year: due 30 September
    carried_over = add_months(first_day - timedelta(days=1), 6)
    due = add_months(start, 3)
    in_year = False
    for review in sorted({d for r in plan.review_dates if (d := _d(r)) is not None and start < d <= ref}):
        if review < first_day:  # last year's review: judged in last year's return
            due = add_months(review, 6)
            continue
        if not in_year:
            in_year = True
            if due < first_day:
                due = carried_over
        if review > due:
            return False
        due = add_months(review, 6)
    if not in_year and due < first_day:
        due = carried_over
    return due >= ref


@figure("cp_reviews_on_time", "Child protection plans reviewed within timescales", TIMELINESS, """
    Of the child protection plans open at 31 March that had lasted at least 3 months (their start
    date plus 3 months is on or before 31 March), how many had every review due in the year held on
    time. The first review is due on or before the start date plus 3 months; each later review on or
    before the previous review date plus 6 months. Review dates are taken in date order (readable,
    after the start, up to 31 March). A review in the year later than the review then due makes the
    plan late, and so does a review due before 31 March that had not been held by 31 March (one due on
    31 March itself is not yet late). Reviews before 1 April are judged in last year's return and
    need not be in this one: if, at 1 April, the review due was before 1 April, the next review is
    taken to be due on 30 September, 6 months after the last day of the previous year.""",
        numerator="plans open at 31 March, lasting at least 3 months, with every review due in the year on time.",
        denominator="plans open at 31 March that had lasted at least 3 months by 31 March.")
def _cp_reviews_on_time(x: Facts) -> Rate:
    on_time = total = 0
    for plan in x.cp_plans_open:
        if add_months(plan.start_date, 3) > x.ref:
            continue
        total += 1
        on_time += reviewed_on_time(plan, x.year)
    return Rate(on_time, total)


def _lasted_two_years(start: date, end: date) -> bool:
    """``end`` is on or after the second anniversary of ``start`` (29 February: 28 February)."""
    return end >= add_months(start, 24)


@figure("cp_ended_two_years", "Plans ended in the year that lasted two years or more", TIMELINESS, """
    Of the child protection plans that ended in the year, how many had lasted two years or more: the
    end date is on or after the second anniversary of the start date.""",
        numerator="plans ended in the year whose end date is on or after the second anniversary of their start.",
        denominator="plans ended in the year with a readable start date.")
def _cp_ended_two_years(x: Facts) -> Rate:
    plans = [p for p in x.cp_plans_ended if _d(p.start_date) is not None]
    return Rate(sum(1 for p in plans if _lasted_two_years(p.start_date, p.end_date)), len(plans))


@figure("cp_open_two_years", "Plans open at 31 March that had lasted two years or more", TIMELINESS, """
    Of the child protection plans open at 31 March, how many had lasted two years or more by then:
    31 March is on or after the second anniversary of the start date.""",
        numerator="plans open at 31 March that started on or before the same date two years earlier.",
        denominator="plans open at 31 March.")
def _cp_open_two_years(x: Facts) -> Rate:
    plans = x.cp_plans_open
    return Rate(sum(1 for p in plans if _lasted_two_years(p.start_date, x.ref)), len(plans))


# ---------------------------------------------------------------------------------------------
# Month by month
# ---------------------------------------------------------------------------------------------


@figure("monthly_referrals", "Referrals", MONTHLY, """
    Referrals in each month of the year, by referral date.""")
def _monthly_referrals(x: Facts) -> Monthly:
    return x.monthly(d for _, _, d in x.referrals)


@figure("monthly_assessments_started", "Assessments started", MONTHLY, """
    Assessments started in each month, by actual start date.""")
def _monthly_assessments_started(x: Facts) -> Monthly:
    return x.monthly(a.start_date for _, _, a in x.view.assessments)


@figure("monthly_assessments_completed", "Assessments completed", MONTHLY, """
    Assessments completed in each month, by authorisation date.""")
def _monthly_assessments_completed(x: Facts) -> Monthly:
    return x.monthly(done for _, done, _ in x.assessments_completed)


@figure("monthly_cin_plans_started", "CIN plans started", MONTHLY, """
    CIN plans starting in each month, by start date.""")
def _monthly_cin_started(x: Facts) -> Monthly:
    return x.monthly(p.start_date for _, _, p in x.view.cin_plans)


@figure("monthly_cin_plans_ended", "CIN plans ended", MONTHLY, """
    CIN plans ending in each month, by end date.""")
def _monthly_cin_ended(x: Facts) -> Monthly:
    return x.monthly(p.end_date for _, _, p in x.view.cin_plans)


@figure("monthly_cp_plans_started", "Child protection plans started", MONTHLY, """
    Child protection plans starting in each month, by start date.""")
def _monthly_cp_started(x: Facts) -> Monthly:
    return x.monthly(p.start_date for _, _, p in x.view.child_protection_plans)


@figure("monthly_cp_plans_ended", "Child protection plans ended", MONTHLY, """
    Child protection plans ending in each month, by end date.""")
def _monthly_cp_ended(x: Facts) -> Monthly:
    return x.monthly(p.end_date for p in x.cp_plans_ended)


# ---------------------------------------------------------------------------------------------
# Breakdowns
# ---------------------------------------------------------------------------------------------


@figure("referral_source", "Referrals by source", BREAKDOWNS, """
    Referrals in the year by referral source.""")
def _referral_source(x: Facts) -> Breakdown:
    return x.breakdown("ReferralSource", (e.referral_source for _, e, _ in x.referrals))


@figure("primary_need", "Children in need at 31 March by primary need", BREAKDOWNS, """
    Episodes open at 31 March by their primary need code; "Not recorded" where the episode has
    none yet.""")
def _primary_need(x: Facts) -> Breakdown:
    return x.breakdown("PrimaryNeed", (e.primary_need_code for _, e in x.open_episodes))


@figure("factors", "Factors identified at the end of assessment", BREAKDOWNS, """
    Assessments completed in the year on which each factor was recorded: an assessment with three
    factors counts once under each; a factor repeated on one assessment counts once. Largest first.
    Percentages are of the assessments completed in the year, so they add up to more than 100.""")
def _factors(x: Facts) -> Breakdown:
    codes: list[str] = []
    for _, _, factors in x.assessments_completed:
        codes.extend({str(f).strip() for f in factors if f is not None and str(f).strip()})
    table = x.breakdown("AssessmentFactors", codes)
    return Breakdown(tuple(sorted(table.rows, key=lambda r: -r.count)), len(x.assessments_completed),
                     "Assessments completed in the year")


@figure("abuse_initial", "Plans open at 31 March by initial category of abuse", BREAKDOWNS, """
    Child protection plans open at 31 March by the initial category of abuse.""")
def _abuse_initial(x: Facts) -> Breakdown:
    return x.breakdown("CategoryOfAbuse", (p.initial_category_of_abuse for p in x.cp_plans_open))


@figure("abuse_latest", "Plans open at 31 March by latest category of abuse", BREAKDOWNS, """
    Child protection plans open at 31 March by the latest category of abuse.""")
def _abuse_latest(x: Facts) -> Breakdown:
    return x.breakdown("CategoryOfAbuse", (p.latest_category_of_abuse for p in x.cp_plans_open))


AGE_BANDS = (("unborn", "Unborn"), ("under1", "Under 1"), ("1-4", "1 to 4"), ("5-9", "5 to 9"),
             ("10-15", "10 to 15"), ("16+", "16 and over"), ("unknown", "Not known"))


def age_band(identifiers: ChildIdentifiers, ref: date) -> str:
    """The age band key of a child at ``ref`` (see the figure ``age_band``)."""
    born = _d(identifiers.person_birth_date)
    if born is None or born > ref:
        return "unborn" if _d(identifiers.expected_person_birth_date) is not None else "unknown"
    age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
    if age < 1:
        return "under1"
    return "1-4" if age <= 4 else "5-9" if age <= 9 else "10-15" if age <= 15 else "16+"


@figure("age_band", "Children by age at 31 March", BREAKDOWNS, """
    Every child in the return by age in completed years at 31 March, from the date of birth (a child
    whose birthday is 31 March has had it). "Unborn": no date of birth on or before 31 March, but an
    expected date of birth. "Not known": neither date can be read.""")
def _age_band(x: Facts) -> Breakdown:
    counts = Counter(age_band(c.identifiers, x.ref) for c in x.view.children)
    return Breakdown(tuple(Category(k, label, counts.get(k, 0)) for k, label in AGE_BANDS
                           if k != "unknown" or counts.get(k)))


@figure("sex", "Children by sex", BREAKDOWNS, """
    Every child in the return by the sex recorded (Sex, or GenderCurrent in years before Sex
    replaced it).""")
def _sex(x: Facts) -> Breakdown:
    in_force = {f.name for f in fields_of(ChildIdentifiers, x.year)}
    name, codeset = ("sex", "Sex") if "sex" in in_force else ("gender_current", "GenderCurrent")
    return x.breakdown(codeset, (getattr(c.identifiers, name) for c in x.view.children))


# ---------------------------------------------------------------------------------------------
# Data quality
# ---------------------------------------------------------------------------------------------

_DATE_FIELDS: dict[type, tuple[str, ...]] = {}


def _unreadable(nodes: Iterable[object], names: tuple[str, ...]) -> int:
    """Values of the fields ``names`` of ``nodes`` (or items of list fields) that are non-blank text."""
    n = 0
    for node in nodes:
        for name in names:
            value = getattr(node, name)
            kind = value.__class__
            if kind is str:
                n += bool(value.strip())
            elif kind is list:
                n += sum(1 for v in value if v.__class__ is str and v.strip())
    return n


def _date_fields(cls: type) -> tuple[str, ...]:
    if cls not in _DATE_FIELDS:
        from cin_xl.census.spec import Item, Kind

        _DATE_FIELDS[cls] = tuple(name for name, info in record_fields(cls).items()
                                  if any(isinstance(m, Item) and m.kind is Kind.DATE for m in info.metadata))
    return _DATE_FIELDS[cls]


@figure("unreadable_dates", "Dates that could not be read", QUALITY, """
    Date values in the children's records that are not real dates (for example "31/02/2026" or
    "soon"). Every figure in this report treats them as absent; fix them and the figures may change.""")
def _unreadable_dates(x: Facts) -> int:
    v = x.view
    n = 0
    n += _unreadable((c.identifiers for c in v.children), _date_fields(ChildIdentifiers))
    for records in (v.episodes, v.assessments, v.cin_plans, v.section47s, v.child_protection_plans,
                    v.pre_proceedings):
        if records:
            n += _unreadable((r[-1] for r in records), _date_fields(type(records[0][-1])))
    return n


@figure("errors", "Errors", QUALITY, """
    Findings of validation (schema, structural checks, DfE rules and local checks) that are errors:
    COLLECT would not accept the return with them.""", from_findings=True)
def _errors(x: Facts) -> int:
    return sum(1 for f in x.findings if f.severity is Severity.ERROR)


@figure("queries", "Queries", QUALITY, """
    Findings of validation that are queries: COLLECT asks for the data to be checked, or for a
    reason to be given.""", from_findings=True)
def _queries(x: Facts) -> int:
    return sum(1 for f in x.findings if f.severity is not Severity.ERROR)


@figure("findings_by_rule", "Errors and queries by rule", QUALITY, """
    How many times each rule or check fired, errors first, then by number, largest first.""",
        from_findings=True)
def _findings_by_rule(x: Facts) -> Table:
    from cin_xl.reports.findings import grouped

    return Table(("Rule", "Severity", "Number", "Message"),
                 tuple((code, str(severity), len(group), heading)
                       for code, severity, heading, group in grouped(list(x.findings))))


@figure("findings_by_sheet", "Errors and queries by sheet", QUALITY, """
    Errors and queries by the workbook sheet holding the value they are about. For census XML the
    sheet is the one the element would be on; findings about the return as a whole are under
    "Whole return".""", from_findings=True)
def _findings_by_sheet(x: Facts) -> Table:
    errors: Counter = Counter()
    queries: Counter = Counter()
    for f in x.findings:
        sheet = sheet_of(f)
        (errors if f.severity is Severity.ERROR else queries)[sheet] += 1
    order = _sheet_order()
    sheets = sorted(set(errors) | set(queries), key=lambda s: (order.get(s, len(order)), s))
    return Table(("Sheet", "Errors", "Queries"), tuple((s, errors[s], queries[s]) for s in sheets))


# ---------------------------------------------------------------------------------------------
# Continuity with last year (only when last year's return is given)
# ---------------------------------------------------------------------------------------------


def _continuity(x: Facts):
    from cin_xl.validation.continuity import Continuity

    return Continuity(x.view.census, x.previous, x.year)


@figure("open_last_year", "Children with a case open at last year's reference date", CONTINUITY, """
    Children of last year's return with an episode, CIN plan or child protection plan open at its
    reference date (31 March): the census must include each of them again.""", from_previous=True)
def _open_last_year(x: Facts) -> int:
    c = _continuity(x)
    return sum(1 for child in x.previous.children if c.open_at_last_reference(child))


@figure("open_last_year_present", "Of them, in this return", CONTINUITY, """
    The children with a case open at last year's reference date who are in this return, found by
    LA child ID or, where the ID changed, by UPN.""", numerator="""
    Children open at last year's reference date found in this return.""", denominator="""
    Children with a case open at last year's reference date.""", from_previous=True)
def _open_last_year_present(x: Facts) -> Rate:
    c = _continuity(x)
    found = {id(before) for before, _ in c.matched}
    carried = [child for child in x.previous.children if c.open_at_last_reference(child)]
    return Rate(sum(1 for child in carried if id(child) in found), len(carried))


@figure("continuity_by_check", "Continuity queries by check", CONTINUITY, """
    How many times each continuity check (codes C-) fired against last year's return: children or
    episodes missing, dates, sex or UPN that changed, closed episodes reopened.""", from_findings=True,
        from_previous=True)
def _continuity_by_check(x: Facts) -> Table:
    from cin_xl.validation.continuity import CONTINUITY_CHECKS

    counts = Counter(f.code for f in x.findings if f.code in CONTINUITY_CHECKS)
    return Table(("Check", "Number", "Message"),
                 tuple((code, counts[code], CONTINUITY_CHECKS[code].message) for code in sorted(counts)))


WHOLE_RETURN = "Whole return"


#: used when the workbook layout cannot be imported
_FALLBACK_SHEETS = {"Header": "Return", "Child": "Children", "CINdetails": "Referrals", "Assessments": "Assessments",
                    "CINPlanDates": "CIN plans", "Section47": "Section 47",
                    "ChildProtectionPlans": "Child protection plans", "PreProceedingsandFGDM": "Pre-proceedings"}


def _element_sheets() -> dict[str, str]:
    """Census XML element name -> workbook sheet holding its records (from the workbook layout)."""
    try:
        from cin_xl.workbook.layout import MODULE_BY_SHEET, MODULES, RETURN
    except ImportError:  # pragma: no cover - the layout is part of the package
        return dict(_FALLBACK_SHEETS)

    out = {"Header": RETURN}
    for m in MODULES:
        parent = MODULE_BY_SHEET[m.parent].record if m.parent else CensusReturn
        spec = next(s for s in record_fields(parent)[m.field].metadata if isinstance(s, Group))
        out[spec.xml] = m.sheet
    return out


def _sheet_order() -> dict[str, int]:
    sheets = list(dict.fromkeys(_element_sheet_map().values()))
    return {s: i for i, s in enumerate(sheets + [WHOLE_RETURN])}


@cache
def _element_sheet_map() -> dict[str, str]:
    return _element_sheets()


def sheet_of(finding: Finding) -> str:
    """The workbook sheet a finding is about: its own sheet, or the one its XML element maps to."""
    if finding.sheet:
        return finding.sheet
    if finding.path:
        mapping = _element_sheet_map()
        for part in reversed(finding.path.strip("/").split("/")):
            name = part.split("[", 1)[0]
            if name in mapping:
                return mapping[name]
    return WHOLE_RETURN


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    figure: Figure
    #: int, Rate, Breakdown, Monthly or Table; None when the figure could not be worked out
    #: (a data-quality figure of a return that was not checked)
    value: object


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

    def __getitem__(self, key: str) -> object:
        return self.results[key].value

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
                    previous: CensusReturn | None = None) -> Figures:
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
            results[fig.key] = Result(fig, value)
    return Figures(year, results, source, findings is not None, previous is not None)


def figures_for_file(path: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
                     options: dict | None = None, previous: str | Path | None = None) -> Figures:
    """Load census XML or a workbook (:func:`cin_xl.jobs.validate.load`), validate it unless ``check`` is
    False, and work out its figures; with ``previous`` (last year's census XML), the continuity
    figures too. Raises :class:`~cin_xl.errors.UnusableInput` like ``load``."""
    from cin_xl.jobs.validate import load, load_previous, validate_file

    with no_gc():
        if check:
            report = validate_file(path, year, options=options, previous=previous)
            loaded, findings = report.loaded, report.findings
        else:
            loaded, findings = load(path, year), None
        last = load_previous(previous, loaded.year) if previous else None
        return compute_figures(loaded.census, loaded.year, findings, source=loaded.source, previous=last)
