"""Known violations of the ChildProtectionPlans rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cin_xl.census.model import Assessment, Child, ChildProtectionPlan, CINDetails
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import (
    D,
    Injected,
    NoCandidate,
    Picker,
    alive,
    as_date,
    choose,
    completed,
    copied,
    cp_plans_of,
    death_injector,
    find_assessment,
    first_of,
    injector,
    is_date,
    la_id,
    within,
)


def _conferences(episode: CINDetails) -> set[date]:
    days = {as_date(s.date_of_initial_cpc) for s in episode.section47s} | {as_date(episode.date_of_initial_cpc)}
    return {d for d in days if d is not None}


@injector("8915")
def _death_before_cp_plan(pick: Picker) -> Injected:
    """A date of death a day before the (open) CP plan started."""

    def days(c: Child):
        for p in cp_plans_of(c):
            if is_date(p.start_date) and p.end_date is None:
                yield p.start_date - D, p, ("start_date",)

    return death_injector("8915", days)(pick)


@injector("8920")
def _death_before_cp_plan_end(pick: Picker) -> Injected:
    """A date of death a day before the CP plan's end date."""

    def days(c: Child):
        for p in cp_plans_of(c):
            if is_date(p.end_date):
                yield p.end_date - D, p, ("end_date",)

    return death_injector("8920", days)(pick)


@injector("8832")
def _cp_referral_flagged_nfa(pick: Picker) -> Injected:
    """A referral carried over from last year, with a CP plan, flagged as no further action (see COMPANIONS)."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.referral_nfa is False and e.child_protection_plans
                      and not e.assessments and not e.section47s and not e.cin_plans
                      and e.date_of_initial_cpc is None)

    child, episode = choose(pick, find)
    episode.referral_nfa = True
    return Injected("8832", la_id(child), episode, ("referral_nfa",))


@injector("8565")
def _assessment_authorised_after_closure(pick: Picker) -> Injected:
    """An assessment signed off two days after the case was closed."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return (len(e.assessments) == 1 and completed(a) and is_date(e.closure_date)
                and e.closure_date + 2 * D <= pick.ref)

    child, (episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.authorisation_date = made(episode.closure_date) + 2 * D
    return Injected("8565", la_id(child), assessment, ("authorisation_date",))


@injector("4003")
def _cp_review_after_step_down(pick: Picker) -> Injected:
    """A CP review recorded ten days after the child stepped down to a CIN plan."""
    def find(c: Child):
        for e in c.cin_details:
            for p in e.child_protection_plans:
                end = as_date(p.end_date)
                if end is None:
                    continue
                day = end + 10 * D
                limit = min(as_date(e.closure_date) or pick.ref, pick.ref)
                on_cin_plan = any(within(day, q.start_date, as_date(q.end_date) or pick.ref) for q in e.cin_plans)
                if on_cin_plan and day <= limit:
                    return p, day
        return None

    child, (plan, day) = choose(pick, find)
    plan.review_dates = plan.review_dates + [day]
    return Injected("4003", la_id(child), plan, ("review_dates",))


def _cp_plan(child: Child, test: Callable[[CINDetails, ChildProtectionPlan], object],
             ) -> tuple[CINDetails, ChildProtectionPlan] | None:
    for e in child.cin_details:
        for p in e.child_protection_plans:
            if is_date(p.start_date) and test(e, p):
                return e, p
    return None


def _carried(p: ChildProtectionPlan, pick: Picker, margin: int = 1) -> bool:
    """A plan that started before the census year (outside the reach of 2883 and 2885)."""
    return is_date(p.start_date) and p.start_date <= pick.start - margin * D


@injector("1105")
def _cp_plan_before_referral(pick: Picker) -> Injected:
    """A carried-over CP plan's start keyed two weeks before the referral."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return _carried(p, pick) and is_date(e.referral_date) and len(e.child_protection_plans) == 1

    child, (episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    plan.start_date = made(episode.referral_date) - 14 * D
    return Injected("1105", la_id(child), plan, ("start_date",))


@injector("2883")
def _cp_plan_recorded_twice(pick: Picker) -> Injected:
    """CP plans recorded twice: more plans than conferences in the year (see COMPANIONS)."""
    start, ref = pick.start, pick.ref
    plans = conferences = 0
    for child in pick.census.children:
        for e in child.cin_details:
            plans += sum(1 for p in e.child_protection_plans if within(p.start_date, start, ref))
            days = [e.date_of_initial_cpc, *(s.date_of_initial_cpc for s in e.section47s)]
            conferences += sum(1 for day in days if within(day, start, ref))

    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return (within(p.start_date, start, ref) and is_date(p.end_date) and p.start_date in _conferences(e)
                and len(e.child_protection_plans) == 1)

    need = conferences - plans + 1
    for child in pick.unused():  # one pass, however many plans must be duplicated
        if need <= 0:
            break
        found = _cp_plan(child, fits)
        if found is not None:
            episode, plan = found
            episode.child_protection_plans = episode.child_protection_plans + [copied(plan)]
            pick.claim(child)
            need -= 1
    if need > 0:
        raise NoCandidate
    return Injected("2883", "", None, ())


@injector("2885")
def _cp_plan_day_after_conference(pick: Picker) -> Injected:
    """The CP plan start keyed as the day after the conference."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        day = made(p.start_date) + D
        return (within(p.start_date, pick.start, pick.ref - D) and p.start_date in _conferences(e)
                and day not in _conferences(e)
                and (p.end_date is None or (is_date(p.end_date) and p.end_date > day + D))
                and all(is_date(r) and r > day for r in p.review_dates)
                and not any(within(day, q.start_date, as_date(q.end_date) or pick.ref) for q in e.cin_plans))

    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    plan.start_date = made(plan.start_date) + D
    return Injected("2885", la_id(child), plan, ("start_date",))


@injector("8720")
def _cp_plan_start_missing(pick: Picker) -> Injected:
    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.start_date = None
    return Injected("8720", la_id(child), plan, ("start_date",))


@injector("8730")
def _previous_plans_missing(pick: Picker) -> Injected:
    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.number_of_previous_cpp = None
    return Injected("8730", la_id(child), plan, ("number_of_previous_cpp",))


@injector("8840")
def _cp_plan_ends_on_start_day(pick: Picker) -> Injected:
    """A CP plan given its start date as end date (its reviews dropped with it)."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return is_date(p.end_date) and made(p.start_date) >= pick.start and not any(
            q.start_date == p.start_date for q in e.cin_plans)

    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    plan.end_date, plan.review_dates = plan.start_date, []
    return Injected("8840", la_id(child), plan, ("start_date", "end_date"))


@injector("8841")
def _review_on_conference_day(pick: Picker) -> Injected:
    """The initial conference recorded as the plan's first review."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return not any(within(p.start_date, q.start_date, as_date(q.end_date) or pick.ref) for q in e.cin_plans) \
            and p.start_date != as_date(p.end_date)

    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    plan.review_dates = [plan.start_date] + [r for r in plan.review_dates if r != plan.start_date]
    return Injected("8841", la_id(child), plan, ("review_dates",))


@injector("8842Q")
def _review_date_tbc(pick: Picker) -> Injected:
    """A review "TBC" recorded with no date."""
    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.review_dates = ["TBC"]
    return Injected("8842Q", la_id(child), plan, ("review_dates",))


@injector("8905")
def _initial_category_in_words(pick: Picker) -> Injected:
    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.initial_category_of_abuse = "NEGLECT"
    return Injected("8905", la_id(child), plan, ("initial_category_of_abuse",))


@injector("8910")
def _latest_category_in_words(pick: Picker) -> Injected:
    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, lambda e, p: True))
    plan.latest_category_of_abuse = "PHYSICAL"
    return Injected("8910", la_id(child), plan, ("latest_category_of_abuse",))


@injector("8925")
def _cp_plan_end_before_start(pick: Picker) -> Injected:
    """A CP plan's end date keyed a week before its start."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return is_date(p.end_date) and made(p.start_date) >= pick.start + 8 * D

    child, (_episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    plan.end_date = made(plan.start_date) - 7 * D
    return Injected("8925", la_id(child), plan, ("end_date",))


@injector("8930")
def _cp_plan_end_out_of_year(pick: Picker) -> Injected:
    """A CP plan's planned end date (after 31 March) entered, or a carried plan's end typed as last year."""
    def planned(c: Child):
        if not alive(c):
            return None
        cpps = cp_plans_of(c)
        return _cp_plan(c, lambda e, p: e.closure_date is None and is_date(p.end_date) and not e.cin_plans
                        and all(o is p or (is_date(o.start_date) and o.start_date < made(p.start_date)) for o in cpps))

    def last_year(c: Child):
        return _cp_plan(c, lambda e, p: is_date(p.end_date) and _carried(p, pick, 2) and not e.cin_plans)

    try:
        child, (_episode, plan) = choose(pick, planned)
        plan.end_date = pick.ref + 10 * D
    except NoCandidate:
        child, (_episode, plan) = choose(pick, last_year)
        plan.end_date = pick.start - D
        plan.review_dates = [r for r in plan.review_dates if not (is_date(r) and r > plan.end_date)]
    return Injected("8930", la_id(child), plan, ("end_date",))


@injector("8935")
def _cp_plan_duplicated_open(pick: Picker) -> Injected:
    """A carried-over CP plan recorded twice, neither copy ended (see COMPANIONS)."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return _carried(p, pick) and not e.cin_plans and len(e.child_protection_plans) == 1

    child, (episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    plan.end_date = None
    copy = copied(plan)
    episode.child_protection_plans = episode.child_protection_plans + [copy]
    return Injected("8935", la_id(child), copy, ("end_date",))


@injector("8940")
def _cp_plan_category_change_as_new_plan(pick: Picker) -> Injected:
    """A change of category recorded as a new CP plan three days into the old one (both last year)."""
    def fits(e: CINDetails, p: ChildProtectionPlan) -> bool:
        return (_carried(p, pick, 4) and is_date(p.end_date) and not e.cin_plans
                and len(e.child_protection_plans) == 1)

    child, (episode, plan) = choose(pick, lambda c: _cp_plan(c, fits))
    copy = ChildProtectionPlan(start_date=made(plan.start_date) + 3 * D, end_date=plan.end_date,
                               initial_category_of_abuse=plan.latest_category_of_abuse,
                               latest_category_of_abuse=plan.latest_category_of_abuse,
                               number_of_previous_cpp=plan.number_of_previous_cpp)
    episode.child_protection_plans = episode.child_protection_plans + [copy]
    return Injected("8940", la_id(child), copy, ("start_date",))
