"""Key figures, section "Counts": children, referrals, assessments, enquiries, conferences and plans in the year."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

from cin_xl.census.model import Child, ChildProtectionPlan, CINDetails
from cin_xl.reports.figures.shared import COUNTS, Facts, Rate, add_months, figure, readable_date


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
            referral, closure = readable_date(e.referral_date), readable_date(e.closure_date)
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
            earlier[id(c)] = sorted(d for e in c.cin_details if (d := readable_date(e.referral_date)) is not None)
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
    CIN plans whose start date is in the year.""",
        needs=(CINDetails, "cin_plans"))
def _cin_plans_started(x: Facts) -> int:
    return x.count_in_year(p.start_date for _, _, p in x.view.cin_plans)


@figure("cin_plans_ended", "CIN plans ended", COUNTS, """
    CIN plans whose end date is in the year.""",
        needs=(CINDetails, "cin_plans"))
def _cin_plans_ended(x: Facts) -> int:
    return x.count_in_year(p.end_date for _, _, p in x.view.cin_plans)


@figure("cin_plans_open", "CIN plans open at 31 March", COUNTS, """
    CIN plans that started on or before 31 March and have no end date on or before 31 March.""",
        needs=(CINDetails, "cin_plans"))
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


def subsequent_plans(x: Facts) -> list[tuple[Child, ChildProtectionPlan, date | None]]:
    """Plans started in the year that are a second or subsequent plan for the child (see the figure
    ``cp_second_or_subsequent``), each with the start of the child's latest earlier plan in this return."""
    out: list[tuple[Child, ChildProtectionPlan, date | None]] = []
    starts: dict[int, list[date]] = {}
    for child, _, p in x.view.child_protection_plans:
        start = p.start_date
        if not x.in_year(start):
            continue
        if id(child) not in starts:
            starts[id(child)] = sorted(d for e in child.cin_details for q in e.child_protection_plans
                                       if (d := readable_date(q.start_date)) is not None)
        dates = starts[id(child)]
        i = bisect_left(dates, start)  # dates[:i] are strictly earlier
        earlier = dates[i - 1] if i else None
        previous = p.number_of_previous_cpp
        if earlier is not None or (isinstance(previous, int) and not isinstance(previous, bool) and previous > 0):
            out.append((child, p, earlier))
    return out


@figure("cp_second_or_subsequent", "Child protection plans started that were a second or subsequent plan", COUNTS,
        """
    Of the child protection plans started in the year, how many were the child's second or subsequent plan:
    the number of previous child protection plans recorded on the plan (NumberOfPreviousCPP, N00106) is 1 or
    more, or the same child has another plan in this return that started earlier. (The DfE's measure of
    children becoming the subject of a plan for a second or subsequent time; COLLECT's "KI Children - more
    than one CPP" lists them.)""",
        numerator="""plans started in the year with 1 or more previous plans recorded, or an earlier plan of the
    same child in the return.""",
        denominator="plans started in the year.")
def _cp_second_or_subsequent(x: Facts) -> Rate:
    started = x.count_in_year(p.start_date for _, _, p in x.view.child_protection_plans)
    return Rate(len(subsequent_plans(x)), started)


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
