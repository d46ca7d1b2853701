"""Key figures, section "Timeliness": assessments, conferences and reviews in time, plans lasting two years."""

from __future__ import annotations

from datetime import date, timedelta

from cin_xl.census.model import ChildProtectionPlan
from cin_xl.census.years import CensusYear
from cin_xl.reports.figures.shared import TIMELINESS, Facts, Rate, add_months, figure, known_date, readable_date

_ASSESSMENT_DAYS, _ICPC_DAYS = 45, 15
#: more calendar days than this are always more than 45 working days (any 100 days hold at least 70
#: weekdays, and never 25 bank holidays), so longer spans need no count (and typing errors such as
#: 0206-05-01 never make the working-day table reach back centuries)
_CLEARLY_LATE_DAYS = 100


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
    """Whether every review of ``plan`` (one with a readable start date) that fell due in ``year`` was held in
    time (see the figure)."""
    start, first_day, ref = known_date(plan.start_date), year.start, year.reference_date
    # as if a review had been held on the last day of the previous year: due 30 September
    carried_over = add_months(first_day - timedelta(days=1), 6)
    due = add_months(start, 3)
    in_year = False
    for review in sorted({d for r in plan.review_dates if (d := readable_date(r)) is not None and start < d <= ref}):
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
        if add_months(known_date(plan.start_date), 3) > x.ref:
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
    plans = [p for p in x.cp_plans_ended if readable_date(p.start_date) is not None]
    lasted = sum(1 for p in plans if _lasted_two_years(known_date(p.start_date), known_date(p.end_date)))
    return Rate(lasted, len(plans))


@figure("cp_open_two_years", "Plans open at 31 March that had lasted two years or more", TIMELINESS, """
    Of the child protection plans open at 31 March, how many had lasted two years or more by then:
    31 March is on or after the second anniversary of the start date.""",
        numerator="plans open at 31 March that started on or before the same date two years earlier.",
        denominator="plans open at 31 March.")
def _cp_open_two_years(x: Facts) -> Rate:
    plans = x.cp_plans_open
    return Rate(sum(1 for p in plans if _lasted_two_years(known_date(p.start_date), x.ref)), len(plans))
