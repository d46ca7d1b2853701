"""The machinery every section of the key figures uses: the section names, the kinds of value a figure
has (:class:`Rate`, :class:`Breakdown`, ...), the declaration of a figure (:func:`figure`, :data:`FIGURES`)
and the :class:`Facts` they are worked out from (shared dates and record selections)."""

from __future__ import annotations

import calendar as _calendar
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from textwrap import dedent
from typing import NamedTuple, TypeGuard

from cin_xl.census.calendar import is_working_day
from cin_xl.census.model import CensusReturn, Child, ChildProtectionPlan, CINDetails, Node
from cin_xl.census.spec import CODE_SETS, fields_of
from cin_xl.census.years import CensusYear
from cin_xl.validation.findings import Finding
from cin_xl.validation.view import CensusView

COUNTS, TIMELINESS, MONTHLY, BREAKDOWNS, QUALITY, CONTINUITY = (
    "Counts", "Timeliness", "Month by month", "Breakdowns", "Data quality", "Continuity with last year")
#: report sections, in order
SECTIONS = (COUNTS, TIMELINESS, MONTHLY, BREAKDOWNS, QUALITY, CONTINUITY)


# ---------------------------------------------------------------------------------------------
# Values: what a figure gives
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
    #: the categories' codes are the census's own, shown beside their labels; False where they are keys
    #: of ours (age bands: "under1"), which people see only as the labels
    shows_codes: bool = True

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
        # report order: section by section, each section's figures in the order they are declared
        FIGURES.sort(key=lambda f: SECTIONS.index(f.section))
        return func

    return register


# ---------------------------------------------------------------------------------------------
# Shared dates and selections
# ---------------------------------------------------------------------------------------------


def readable_date(value: object) -> date | None:
    """A readable date, or None (missing, or text that could not be read)."""
    return value if isinstance(value, date) else None


def known_date(value: object) -> date:
    """A date the selection that gave its record has already found readable (for the type checker, which
    sees a record's dates as date, text or None); anything else is a mistake in the figure."""
    if not isinstance(value, date):
        raise TypeError(f"a readable date was expected, not {value!r}")
    return value


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


class Timed(NamedTuple):
    """A record measured in working days: the child, the record, from and to which date, and the working
    days after ``start`` up to and including ``end`` (None when ``start`` is more than three years before
    the year: a typing error, far past any timescale)."""

    child: Child
    record: Node
    start: date
    end: date
    days: int | None


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
        #: figure key -> value, for the figures worked out so far (a figure may reuse another's)
        self.computed: dict[str, object] = {}
        self.working_days = WorkingDays(self.start - timedelta(days=3 * 366), self.ref + timedelta(days=366))

    def in_year(self, value: object) -> TypeGuard[date]:
        """A readable date in the year (the checker then knows ``value`` is a date)."""
        return isinstance(value, date) and self.start <= value <= self.ref

    @property
    def given_findings(self) -> list[Finding]:
        """The findings handed over (asked for only by figures ``from_findings``, worked out only with them)."""
        if self.findings is None:
            raise ValueError("no validation findings were handed over for the data-quality figures")
        return self.findings

    @property
    def last_year(self) -> CensusReturn:
        """Last year's return (asked for only by figures ``from_previous``, worked out only with it)."""
        if self.previous is None:
            raise ValueError("last year's return was not handed over for the continuity figures")
        return self.previous

    def count_in_year(self, values: Iterable[object]) -> int:
        """How many of ``values`` are readable dates in the year."""
        start, ref, n = self.start, self.ref, 0
        for value in values:
            if value.__class__ is date and start <= value <= ref:
                n += 1
        return n

    def open_at_ref(self, start: object, end: object) -> bool:
        """Started (a readable date) on or before 31 March and not ended on or before 31 March."""
        s, e = readable_date(start), readable_date(end)
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
        out: list[tuple[date | None, date, list[str]]] = []
        for _, _, a in self.view.assessments:
            done = a.authorisation_date
            if self.in_year(done):
                out.append((readable_date(a.start_date), done, a.factors))
        return out

    @cached_property
    def assessment_durations(self) -> list[Timed]:
        """Assessments completed in the year with a readable start date on or before the authorisation
        date, with the working days they took (start to authorisation)."""
        return self._timed((child, a, a.start_date, a.authorisation_date) for child, _, a in self.view.assessments)

    @cached_property
    def conference_durations(self) -> list[Timed]:
        """Initial conferences in the year recorded in a Section 47 group whose start date is readable and on
        or before the conference, with the working days from the enquiry's start to the conference."""
        return self._timed((child, s, s.start_date, s.date_of_initial_cpc) for child, _, s in self.view.section47s)

    @cached_property
    def transfer_in_durations(self) -> list[Timed]:
        """Transfer-in conferences: initial conferences in the year recorded on the episode itself (no section
        47 enquiry in it), whose referral date is readable and on or before the conference, with the working
        days from the referral to the conference."""
        return self._timed((child, e, e.referral_date, e.date_of_initial_cpc) for child, e in self.view.episodes)

    def _timed(self, measured: Iterable[tuple[Child, Node, object, object]]) -> list[Timed]:
        """The (child, record, start, end) whose end is in the year and whose start is a readable date on or
        before it, with the working days between (the shape each timescale shares)."""
        out: list[Timed] = []
        between, earliest = self.working_days.between, self.working_days.base
        for child, record, start, end in measured:
            if self.in_year(end) and isinstance(start, date) and start <= end:
                out.append(Timed(child, record, start, end, between(start, end) if start >= earliest else None))
        return out

    @cached_property
    def initial_conferences(self) -> list[tuple[date, date | None, bool]]:
        """Initial child protection conferences held in the year, from both places the date is recorded.

        (conference date, section 47 start date or None, recorded in a Section 47 group)
        """
        out: list[tuple[date, date | None, bool]] = []
        for _, e in self.view.episodes:
            if self.in_year(e.date_of_initial_cpc):
                out.append((e.date_of_initial_cpc, None, False))
            for s in e.section47s:
                if self.in_year(s.date_of_initial_cpc):
                    out.append((s.date_of_initial_cpc, readable_date(s.start_date), True))
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
