"""Child-level lists: the records behind the timeliness figures, one row each, to reconcile COLLECT's figures
against the case system (COLLECT's "Assessments working days list" and its "KI Children" lists).

Each list is declared with :func:`child_list` beside its definition, and drawn from the same selection as
its figure, so the two agree: the rows of "Assessments working days list" marked "Yes" are the numerator of
"Assessments completed within 45 working days", and its rows are the denominator. Every row starts by naming
the child (LA child ID) and where the record was read: the workbook sheet and row, or the census XML line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from textwrap import dedent

from cin_xl.census.model import Child, Node
from cin_xl.reports.figures.counts import subsequent_plans
from cin_xl.reports.figures.shared import Facts, Timed, add_months, known_date, readable_date
from cin_xl.reports.figures.timeliness import late_review, within

#: the columns every list starts with
WHO = ("LA child ID", "Sheet", "Row", "XML line")


@dataclass(frozen=True)
class ChildList:
    key: str
    name: str
    definition: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def as_dict(self) -> dict:
        return {"name": self.name, "definition": self.definition, "columns": list(self.columns),
                "rows": [[v.isoformat() if isinstance(v, date) else v for v in row] for row in self.rows]}


@dataclass(frozen=True)
class ListSpec:
    key: str
    name: str
    definition: str
    columns: tuple[str, ...]
    compute: Callable[[Facts], Iterable[tuple]] = field(repr=False, compare=False)

    def make(self, facts: Facts) -> ChildList:
        return ChildList(self.key, self.name, self.definition, WHO + self.columns, tuple(self.compute(facts)))


#: every list, in report order
LISTS: list[ListSpec] = []


def child_list(key: str, name: str, definition: str, columns: tuple[str, ...]):
    """Register the decorated function ``(facts) -> rows`` (each row: :data:`WHO`'s cells, then ``columns``)."""

    def register(func: Callable[[Facts], Iterable[tuple]]) -> Callable[[Facts], Iterable[tuple]]:
        if any(s.key == key for s in LISTS):
            raise ValueError(f"list {key!r} declared twice")
        LISTS.append(ListSpec(key, name, " ".join(dedent(definition).split()), columns, func))
        return func

    return register


def who(child: Child, record: Node) -> tuple:
    """The child's LA child ID and where ``record`` was read (sheet and row, or XML line; blank when unknown)."""
    origin = record.origin
    return (child.identifiers.la_child_id, origin.sheet if origin else None, origin.row if origin else None,
            origin.line if origin and not origin.sheet else None)


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


@child_list("assessments_working_days", "Assessments working days list", """
    Every assessment counted in "Assessments completed within 45 working days" (completed in the year, with
    a readable start date on or before the authorisation date): its start and authorisation dates, the working
    days taken and whether that is 45 or fewer. Rows marked "Yes" are the figure's numerator, all rows its
    denominator. Working days are blank where the start is more than three years before the year.""",
            ("Start date", "Authorisation date", "Working days", "Within 45 working days"))
def _assessments_list(x: Facts) -> Iterable[tuple]:
    for t in x.assessment_durations:
        yield (*who(t.child, t.record), t.start, t.end, t.days, _yes(within(t, 45)))


def _conference_rows(timed: list[Timed], kind: str) -> Iterable[tuple]:
    for t in timed:
        yield (*who(t.child, t.record), kind, t.start, t.end, t.days, _yes(within(t, 15)))


@child_list("icpc_working_days", "ICPC working days list", """
    Every initial child protection conference counted in "Initial conferences within 15 working days of the
    section 47 start" (kind "Section 47": from the enquiry's start date) and in "Transfer-in conferences within
    15 working days of the referral" (kind "Transfer-in": recorded on the episode, from its referral date), with
    the working days to the conference and whether that is 15 or fewer. The rows of each kind marked "Yes" are
    that figure's numerator.""", ("Kind", "From date", "Conference date", "Working days", "Within 15 working days"))
def _conferences_list(x: Facts) -> Iterable[tuple]:
    yield from _conference_rows(x.conference_durations, "Section 47")
    yield from _conference_rows(x.transfer_in_durations, "Transfer-in")


@child_list("more_than_one_cpp", "KI Children - more than one CPP", """
    Every plan counted as a second or subsequent plan in "Child protection plans started that were a second
    or subsequent plan": started in the year, with 1 or more previous plans recorded or an earlier plan of the
    same child in this return.""", ("Plan start date", "Plan end date", "Number of previous plans recorded",
                                    "Earlier plan in this return started"))
def _more_than_one_list(x: Facts) -> Iterable[tuple]:
    for child, plan, earlier in subsequent_plans(x):
        yield (*who(child, plan), plan.start_date, readable_date(plan.end_date), plan.number_of_previous_cpp, earlier)


@child_list("cp_two_years", "KI Children - CPP - 2 years or more", """
    Every plan counted as lasting two years or more: those in the numerator of "Plans ended in the year that
    lasted two years or more" (ended in the year) and of "Plans open at 31 March that had lasted two years or
    more" (open at 31 March).""", ("Plan start date", "Plan end date", "Counted as", "Second anniversary"))
def _two_years_list(x: Facts) -> Iterable[tuple]:
    for child, _, plan in x.view.child_protection_plans:
        start = readable_date(plan.start_date)
        if start is None:
            continue
        anniversary = add_months(start, 24)
        if x.in_year(plan.end_date) and plan.end_date >= anniversary:
            yield (*who(child, plan), start, plan.end_date, "Ended in the year", anniversary)
        elif x.open_at_ref(start, plan.end_date) and x.ref >= anniversary:
            yield (*who(child, plan), start, readable_date(plan.end_date), "Open at 31 March", anniversary)


@child_list("cp_reviews_out_of_timescale", "KI Children - CPPs not reviewed within timescales", """
    Every plan counted in "Child protection plans reviewed within timescales" that was not: open at 31 March,
    lasting at least 3 months, with a review due in the year held late or not held by 31 March. The first late
    review is shown: the date it was due and the date it was held (blank: not held by 31 March).""",
            ("Plan start date", "Review due", "Review held", "Reviews in the return"))
def _late_reviews_list(x: Facts) -> Iterable[tuple]:
    open_plans = {id(p) for p in x.cp_plans_open}
    for child, _, plan in x.view.child_protection_plans:
        if id(plan) not in open_plans or add_months(known_date(plan.start_date), 3) > x.ref:
            continue
        late = late_review(plan, x.year)
        if late is not None:
            reviews = " ".join(sorted(d.isoformat() for r in plan.review_dates if (d := readable_date(r))))
            yield (*who(child, plan), plan.start_date, late[0], late[1], reviews)
