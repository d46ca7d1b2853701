"""Key figures, section "Timeliness": assessments, conferences and reviews in time, plans lasting two years."""

from __future__ import annotations

from datetime import date, timedelta

from cin_xl.census.model import ChildProtectionPlan
from cin_xl.census.years import CensusYear
from cin_xl.reports.figures.shared import (
    TIMELINESS,
    Breakdown,
    Category,
    Facts,
    Rate,
    Timed,
    add_months,
    figure,
    known_date,
    readable_date,
)

_ASSESSMENT_DAYS, _ICPC_DAYS = 45, 15

#: the DfE's bands of assessment duration in working days (the statistics' table "Completed assessments by
#: duration of assessment"): (code, label, fewest, most working days; None: no upper bound)
ASSESSMENT_BANDS = (("0", "Same day", 0, 0), ("1-10", "1 to 10 working days", 1, 10),
                    ("11-20", "11 to 20 working days", 11, 20), ("21-30", "21 to 30 working days", 21, 30),
                    ("31-40", "31 to 40 working days", 31, 40), ("41-45", "41 to 45 working days", 41, 45),
                    ("46-50", "46 to 50 working days", 46, 50), ("51-60", "51 to 60 working days", 51, 60),
                    ("61+", "61 working days or more", 61, None))
#: bands for the conferences (ours: the first four are within the 15 working days)
CONFERENCE_BANDS = (("0", "Same day", 0, 0), ("1-5", "1 to 5 working days", 1, 5),
                    ("6-10", "6 to 10 working days", 6, 10), ("11-15", "11 to 15 working days", 11, 15),
                    ("16-20", "16 to 20 working days", 16, 20), ("21-30", "21 to 30 working days", 21, 30),
                    ("31+", "31 working days or more", 31, None))


def within(timed: Timed, days: int) -> bool:
    """``timed`` took ``days`` working days or fewer (one whose count was not made took far longer)."""
    return timed.days is not None and timed.days <= days


def in_bands(timed: list[Timed], bands: tuple[tuple[str, str, int, int | None], ...]) -> Breakdown:
    """How many of ``timed`` fall in each band of working days (one not counted: the last band)."""
    counts = [0] * len(bands)
    last = len(bands) - 1
    for t in timed:
        days = t.days
        index = last if days is None else next(
            i for i, (_, _, low, high) in enumerate(bands) if days >= low and (high is None or days <= high))
        counts[index] += 1
    return Breakdown(tuple(Category(code, label, n) for (code, label, _, _), n in zip(bands, counts)))


@figure("assessments_within_45_days", "Assessments completed within 45 working days", TIMELINESS, """
    How many of the assessments completed in the year took 45 working days or fewer: the working days
    after the start date up to and including the authorisation date, leaving out weekends and England
    and Wales bank holidays.""",
        numerator="assessments completed in the year within 45 working days of their start date.",
        denominator="""assessments completed in the year with a readable start date on or before the
    authorisation date.""")
def _assessments_within_45(x: Facts) -> Rate:
    timed = x.assessment_durations
    return Rate(sum(1 for t in timed if within(t, _ASSESSMENT_DAYS)), len(timed))


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
    timed = x.conference_durations
    return Rate(sum(1 for t in timed if within(t, _ICPC_DAYS)), len(timed))


def reviewed_on_time(plan: ChildProtectionPlan, year: CensusYear) -> bool:
    """Whether every review of ``plan`` (one with a readable start date) that fell due in ``year`` was held in
    time (see the figure)."""
    return late_review(plan, year) is None


def late_review(plan: ChildProtectionPlan, year: CensusYear) -> tuple[date, date | None] | None:
    """The first review of ``plan`` that was late in ``year`` (see the figure ``cp_reviews_on_time``): the date
    it was due and the date it was held (None: not held by 31 March); None when every review was on time."""
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
            return due, review
        due = add_months(review, 6)
    if not in_year and due < first_day:
        due = carried_over
    return None if due >= ref else (due, None)


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


_BANDS_NOTE = """Working days are those after the first date up to and including the second, leaving out weekends
    and England and Wales bank holidays, so "Same day" (0 working days) also holds one that ended on a weekend
    or bank holiday straight after the day it began."""


@figure("assessment_working_days", "Assessments completed in the year by working days taken", TIMELINESS, """
    The assessments counted in "Assessments completed within 45 working days" (completed in the year, with a
    readable start date on or before the authorisation date), by the working days from the start date to the
    authorisation date, in the DfE's bands: same day, 1-10, 11-20, 21-30, 31-40, 41-45, 46-50, 51-60 and 61
    or more. The bands up to 41-45 add up to those within 45 working days. """ + _BANDS_NOTE)
def _assessment_working_days(x: Facts) -> Breakdown:
    return in_bands(x.assessment_durations, ASSESSMENT_BANDS)


@figure("icpc_working_days", "Initial conferences by working days from the section 47 start", TIMELINESS, """
    The initial child protection conferences counted in "Initial conferences within 15 working days of the
    section 47 start" (held in the year, recorded in a Section 47 group whose start date is readable and on or
    before the conference), by the working days from the enquiry's start date to the conference. The bands are
    cin-xl's; the first four (up to 11-15) add up to those within 15 working days. """ + _BANDS_NOTE)
def _icpc_working_days(x: Facts) -> Breakdown:
    return in_bands(x.conference_durations, CONFERENCE_BANDS)


_TRANSFER_IN = """A transfer-in conference is an initial child protection conference recorded on the episode itself
    (CINdetails' DateOfInitialCPC, N00110), where the census records a conference held with no section 47
    enquiry in that episode, as when a child subject to a plan in another authority moves here. Its working days
    are counted from the episode's referral date (CINreferralDate, N00100) to the conference."""


@figure("transfer_in_icpc_within_15_days", "Transfer-in conferences within 15 working days of the referral",
        TIMELINESS, """
    How many of the transfer-in conferences held in the year were held within 15 working days of the
    referral. """ + _TRANSFER_IN,
        numerator="transfer-in conferences in the year held 15 working days or fewer after the referral date.",
        denominator="""transfer-in conferences in the year whose episode's referral date is readable and on or
    before the conference.""")
def _transfer_in_within_15(x: Facts) -> Rate:
    timed = x.transfer_in_durations
    return Rate(sum(1 for t in timed if within(t, _ICPC_DAYS)), len(timed))


@figure("transfer_in_icpc_working_days", "Transfer-in conferences by working days from the referral", TIMELINESS,
        """
    The transfer-in conferences counted in "Transfer-in conferences within 15 working days of the referral",
    by the working days from the referral date to the conference, in the same bands as the conferences after a
    section 47 enquiry. """ + _TRANSFER_IN + " " + _BANDS_NOTE)
def _transfer_in_working_days(x: Facts) -> Breakdown:
    return in_bands(x.transfer_in_durations, CONFERENCE_BANDS)
