"""Known violations of the CINPlanDates rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cin_xl.census.calendar import is_working_day
from cin_xl.census.model import Child, ChildProtectionPlan, CINDetails, CINPlan
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import (
    RC_AFTER_ASSESSMENT,
    D,
    Injected,
    NoCandidate,
    Picker,
    alive,
    as_date,
    choose,
    cp_plans_of,
    first_of,
    injector,
    is_date,
    la_id,
    within,
)


def _weekday_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += D
    return day


def _cin_plan(child: Child, test: Callable[[CINDetails, CINPlan], object]) -> tuple[CINDetails, CINPlan] | None:
    for e in child.cin_details:
        for q in e.cin_plans:
            if is_date(q.start_date) and test(e, q):
                return e, q
    return None


def _cpp_period_holds(episode: CINDetails, day: date, ref: date) -> bool:
    for p in episode.child_protection_plans:
        if within(day, p.start_date, as_date(p.end_date) or ref) and day != as_date(p.end_date):
            return True
    return False


@injector("4000")
def _cin_plan_on_nfa_referral(pick: Picker) -> Injected:
    """A CIN plan recorded on a referral marked no further action."""
    def find(c: Child):
        if any(q.end_date is None for e in c.cin_details for q in e.cin_plans):
            return None  # the child would have two open CIN plans (4004)
        return first_of(c.cin_details, lambda e: e.referral_nfa is True and as_date(e.referral_date)
                      and (e.closure_date is None or (is_date(e.closure_date) and e.closure_date >= e.referral_date))
                      and not e.cin_plans)

    child, episode = choose(pick, find)
    episode.cin_plans = [CINPlan(start_date=episode.referral_date)]
    return Injected("4000", la_id(child), episode, ("referral_nfa",))


@injector("4001")
def _cp_plan_end_not_recorded(pick: Picker) -> Injected:
    """Stepped down to a CIN plan, but the CP plan's end date never recorded (see COMPANIONS)."""
    def find(c: Child):
        for e in c.cin_details:
            if e.closure_date is not None:
                continue
            for p in e.child_protection_plans:
                end = as_date(p.end_date)
                q = next((q for q in e.cin_plans if q.end_date is None and end and q.start_date == end), None)
                others = [o for o in cp_plans_of(c) if o is not p]
                if q is not None and all(is_date(o.start_date) and is_date(o.end_date)
                                         and o.end_date < made(p.start_date) for o in others):
                    return p, q
        return None

    child, (plan, cin_plan) = choose(pick, find)
    plan.end_date = None
    return Injected("4001", la_id(child), cin_plan, ("end_date",))


@injector("4004")
def _new_cin_plan_old_one_not_ended(pick: Picker) -> Injected:
    """A new CIN plan started after a review, the old one never ended (see COMPANIONS)."""
    def find(c: Child):
        def fits(e: CINDetails, q: CINPlan) -> bool:
            day = made(q.start_date) + 14 * D
            return (e.closure_date is None and q.end_date is None and len(e.cin_plans) == 1 and day <= pick.ref
                    and not _cpp_period_holds(e, day, pick.ref)
                    and all(is_date(r) and r < day for p in e.child_protection_plans for r in p.review_dates)
                    and all(is_date(p.start_date) and p.start_date < day for p in e.child_protection_plans))

        return _cin_plan(c, fits) if alive(c) else None

    child, (episode, plan) = choose(pick, find)
    second = CINPlan(start_date=plan.start_date + 14 * D)
    episode.cin_plans.append(second)
    return Injected("4004", la_id(child), second, ("end_date",))


@injector("4010")
def _cin_plan_start_next_year(pick: Picker) -> Injected:
    """The planned start of a CIN plan, after 31 March, entered."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return e.closure_date is None and q.end_date is None and len(e.cin_plans) == 1

    child, (_episode, plan) = choose(pick, lambda c: _cin_plan(c, fits) if alive(c) else None)
    plan.start_date = pick.ref + 30 * D
    return Injected("4010", la_id(child), plan, ("start_date",))


@injector("4011")
def _cin_plan_end_before_start(pick: Picker) -> Injected:
    """A CIN plan's end date keyed three days before its start."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return is_date(q.end_date) and made(q.start_date) >= pick.start + 5 * D and len(e.cin_plans) == 1

    child, (_episode, plan) = choose(pick, lambda c: _cin_plan(c, fits))
    plan.end_date = made(plan.start_date) - 3 * D
    return Injected("4011", la_id(child), plan, ("end_date",))


@injector("4012Q")
def _cin_plan_ends_on_start_day(pick: Picker) -> Injected:
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return (is_date(q.end_date) and made(q.start_date) >= pick.start and len(e.cin_plans) == 1
                and not any(q.start_date == r for p in e.child_protection_plans for r in p.review_dates))

    child, (_episode, plan) = choose(pick, lambda c: _cin_plan(c, fits))
    plan.end_date = plan.start_date
    return Injected("4012Q", la_id(child), plan, ("end_date",))


@injector("4013")
def _cin_plan_end_out_of_year(pick: Picker) -> Injected:
    """A CIN plan's planned end date (after 31 March) entered, or last year's end date typed."""
    def planned(e: CINDetails, q: CINPlan) -> bool:
        return (e.closure_date is None and is_date(q.end_date) and len(e.cin_plans) == 1
                and not e.child_protection_plans)

    def last_year(e: CINDetails, q: CINPlan) -> bool:
        return (is_date(q.end_date) and made(q.start_date) <= pick.start - 2 * D and len(e.cin_plans) == 1
                and not e.child_protection_plans)

    try:
        child, (_episode, plan) = choose(pick, lambda c: _cin_plan(c, planned) if alive(c) else None)
        plan.end_date = pick.ref + 10 * D
    except NoCandidate:
        child, (_episode, plan) = choose(pick, lambda c: _cin_plan(c, last_year))
        plan.end_date = pick.start - D
    return Injected("4013", la_id(child), plan, ("end_date",))


@injector("4014")
def _cin_plan_recorded_twice(pick: Picker) -> Injected:
    """The same CIN plan recorded twice, the copy starting a week later."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return (is_date(q.end_date) and q.end_date - made(q.start_date) >= 10 * D and len(e.cin_plans) == 1
                and not e.child_protection_plans)

    child, (episode, plan) = choose(pick, lambda c: _cin_plan(c, fits))
    copy = CINPlan(start_date=made(plan.start_date) + 7 * D, end_date=plan.end_date)
    episode.cin_plans.append(copy)
    return Injected("4014", la_id(child), copy, ("start_date",))


@injector("4015")
def _cin_plan_before_referral(pick: Picker) -> Injected:
    """A CIN plan's start keyed as the date of the strategy discussion, before the referral."""
    def fits(e: CINDetails, q: CINPlan) -> bool:
        return is_date(e.referral_date) and len(e.cin_plans) == 1 and not e.child_protection_plans

    child, (episode, plan) = choose(pick, lambda c: _cin_plan(c, fits))
    plan.start_date = made(episode.referral_date) - 5 * D
    return Injected("4015", la_id(child), plan, ("start_date",))


@injector("4016")
def _cin_plan_before_cp_plan_ended(pick: Picker) -> Injected:
    """The step-down CIN plan dated a week before the CP plan ended."""
    def find(c: Child):
        for e in c.cin_details:
            for p in e.child_protection_plans:
                end = as_date(p.end_date)
                if end is None:
                    continue
                day = end - 7 * D
                q = next((q for q in e.cin_plans if q.start_date == end and q.end_date != day), None)
                if (q is not None and is_date(p.start_date) and day > p.start_date
                        and all(is_date(r) and r < day for r in p.review_dates)):
                    return q, day
        return None

    child, (plan, day) = choose(pick, find)
    plan.start_date = day
    return Injected("4016", la_id(child), plan, ("start_date",))


@injector("4017")
def _cp_plan_while_cin_plan_runs(pick: Picker) -> Injected:
    """A child stepped up to a CP plan (conference recorded on the episode) while the CIN plan still runs."""
    def find(c: Child):
        if not alive(c):
            return None
        for e in c.cin_details:
            if (e.referral_nfa is not False or e.child_protection_plans or e.section47s
                    or e.date_of_initial_cpc is not None or e.reason_for_closure in RC_AFTER_ASSESSMENT
                    or len(e.cin_plans) != 1):
                continue
            q = e.cin_plans[0]
            if not is_date(q.start_date):
                continue
            day = _weekday_on_or_after(max(q.start_date + 3 * D, pick.start))
            last = q.end_date - D if is_date(q.end_date) else pick.ref - D
            bound = min(as_date(e.closure_date) or pick.ref, pick.ref)
            if day > last or day >= bound:
                continue
            end = min(day + 20 * D, bound)
            if any(within(o.start_date, day, end) or within(day, o.start_date, as_date(o.end_date) or pick.ref)
                   for o in cp_plans_of(c)):
                continue
            return e, day, end
        return None

    child, (episode, day, end) = choose(pick, find)
    episode.date_of_initial_cpc = day
    plan = ChildProtectionPlan(start_date=day, end_date=end, initial_category_of_abuse="NEG",
                               latest_category_of_abuse="NEG", number_of_previous_cpp=0)
    episode.child_protection_plans = [plan]
    return Injected("4017", la_id(child), plan, ("start_date",))
