"""Known violations of the Section47 rules (enquiries and initial conferences)."""

from __future__ import annotations

from datetime import date

from cin_xl.census.calendar import add_working_days, is_working_day
from cin_xl.census.model import Child, CINDetails, Section47
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import (
    RC_AFTER_ASSESSMENT,
    D,
    Injected,
    Picker,
    as_date,
    choose,
    find_section47,
    injector,
    is_date,
    is_open,
    la_id,
    s47_open,
    within,
)


def _weekday_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= D
    return day


@injector("1104")
def _conference_before_referral(pick: Picker) -> Injected:
    """A conference held with no enquiry in the episode, its date keyed before the referral."""
    def find(c: Child):
        for e in c.cin_details:
            referral = as_date(e.referral_date)
            if (referral is None or e.referral_nfa is not False or e.reason_for_closure in RC_AFTER_ASSESSMENT
                    or e.date_of_initial_cpc is not None or e.section47s):
                continue
            day = _weekday_on_or_before(referral - D)
            if day >= pick.start:
                return e, day
        return None

    child, (episode, day) = choose(pick, find)
    episode.date_of_initial_cpc = day
    return Injected("1104", la_id(child), episode, ("date_of_initial_cpc",))


@injector("2884")
def _conference_recorded_twice(pick: Picker) -> Injected:
    """The conference date recorded on the episode as well as on its section 47 enquiry."""
    def fits(e: CINDetails, s: Section47) -> bool:
        return is_date(s.date_of_initial_cpc) and e.date_of_initial_cpc is None

    child, (episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    episode.date_of_initial_cpc = s47.date_of_initial_cpc
    return Injected("2884", la_id(child), episode, ("date_of_initial_cpc",))


@injector("2889")
def _s47_before_referral(pick: Picker) -> Injected:
    """A section 47 start keyed two days before the referral."""
    def fits(e: CINDetails, s: Section47) -> bool:
        referral = as_date(e.referral_date)
        return (referral is not None and referral - 2 * D >= pick.start and len(e.section47s) == 1
                and (is_date(s.date_of_initial_cpc) or s.icpc_not_required is True))

    child, (episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    s47.start_date = made(episode.referral_date) - 2 * D
    return Injected("2889", la_id(child), s47, ("start_date",))


@injector("8615")
def _s47_start_after_conference(pick: Picker) -> Injected:
    """A section 47 start keyed two days after the conference it led to."""
    def fits(e: CINDetails, s: Section47) -> bool:
        conference = as_date(s.date_of_initial_cpc)
        return (conference is not None and len(e.section47s) == 1
                and (e.closure_date is None or (is_date(e.closure_date) and e.closure_date >= conference + 2 * D)))

    child, (_episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    s47.start_date = made(s47.date_of_initial_cpc) + 2 * D
    return Injected("8615", la_id(child), s47, ("start_date",))


@injector("8675Q")
def _icpc_not_required_left_false(pick: Picker) -> Injected:
    """An enquiry that needed no conference, its "ICPC not required" flag left false."""
    cutoff = add_working_days(pick.ref, -15)

    def fits(e: CINDetails, s: Section47) -> bool:
        return (e.closure_date is None and len(e.section47s) == 1 and s.icpc_not_required is True
                and s.date_of_initial_cpc is None and pick.start <= made(s.start_date) < cutoff)

    child, (_episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    s47.icpc_not_required = False
    return Injected("8675Q", la_id(child), s47, ("start_date",))


@injector("8715")
def _last_years_conference(pick: Picker) -> Injected:
    """The conference that started a carried-over plan, held last year, recorded on this year's episode."""
    def find(c: Child):
        for e in c.cin_details:
            referral = as_date(e.referral_date)
            if (referral is None or referral >= pick.start or e.referral_nfa is not False or e.section47s
                    or e.date_of_initial_cpc is not None or e.reason_for_closure in RC_AFTER_ASSESSMENT):
                continue
            if any(within(p.start_date, pick.start, pick.ref) for p in e.child_protection_plans):
                continue
            starts = [p.start_date for p in e.child_protection_plans if is_date(p.start_date)]
            day = _weekday_on_or_before(starts[0] if starts else referral + 14 * D)
            if referral <= day < pick.start:
                return e, day
        return None

    child, (episode, day) = choose(pick, find)
    episode.date_of_initial_cpc = day
    return Injected("8715", la_id(child), episode, ("date_of_initial_cpc",))


@injector("8740")
def _open_s47_starting_next_year(pick: Picker) -> Injected:
    """An open enquiry's start date keyed with next year's date."""
    def fits(e: CINDetails, s: Section47) -> bool:
        return e.closure_date is None and len(e.section47s) == 1 and s47_open(s) and s.icpc_not_required is False

    child, (_episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    s47.start_date = pick.ref + 2 * D
    return Injected("8740", la_id(child), s47, ("start_date",))


@injector("8839")
def _two_open_enquiries(pick: Picker) -> Injected:
    """Two section 47 enquiries open at once in one episode, neither finished (see COMPANIONS)."""
    first_day = add_working_days(pick.ref, -10)

    def find(c: Child):
        for e in c.cin_details:
            if not is_open(e) or not e.assessments or not is_date(e.referral_date):
                continue
            open_ = [s for s in e.section47s if s47_open(s)]
            if len(open_) == 1 and is_date(open_[0].start_date):
                return e, [open_[0].start_date]
            day = max(e.referral_date, first_day)
            if not open_ and day <= pick.ref and all(
                    s.icpc_not_required is True or (is_date(s.date_of_initial_cpc) and s.date_of_initial_cpc < day)
                    for s in e.section47s):
                return e, [day, day]
        return None

    child, (episode, days) = choose(pick, find)
    added = [Section47(start_date=day, icpc_not_required=False) for day in days]
    episode.section47s = episode.section47s + added
    return Injected("8839", la_id(child), added[-1], ("date_of_initial_cpc",))


@injector("8870Q")
def _conference_target_on_saturday(pick: Picker) -> Injected:
    """The initial conference target counted in calendar days, landing on a Saturday."""
    def fits(e: CINDetails, s: Section47) -> bool:
        return is_date(s.initial_cpc_target)

    child, (_episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    day = made(s47.initial_cpc_target)
    while day.weekday() != 5:
        day += D
    s47.initial_cpc_target = day
    return Injected("8870Q", la_id(child), s47, ("initial_cpc_target",))


@injector("8875")
def _conference_at_weekend(pick: Picker) -> Injected:
    """The conference date keyed as the following Saturday (the CP plan start, equal to it, moved with it)."""
    def saturday_after(day: date) -> date:
        while day.weekday() != 5:
            day += D
        return day

    def fits(e: CINDetails, s: Section47) -> bool:
        conference = as_date(s.date_of_initial_cpc)
        if conference is None:
            return False
        day = saturday_after(conference)
        if day > pick.ref or (e.closure_date is not None and not (is_date(e.closure_date) and e.closure_date >= day)):
            return False
        for p in e.child_protection_plans:
            if p.start_date == conference:
                if ((is_date(p.end_date) and p.end_date <= day + D)
                        or any(is_date(r) and r <= day for r in p.review_dates)):
                    return False
                if any(within(day, q.start_date, as_date(q.end_date) or pick.ref) for q in e.cin_plans):
                    return False
        return True

    child, (episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    old = made(s47.date_of_initial_cpc)
    day = saturday_after(old)
    for plan in episode.child_protection_plans:  # the plan starts on the conference day (2885 stays quiet)
        if plan.start_date == old:
            plan.start_date = day
    s47.date_of_initial_cpc = day
    return Injected("8875", la_id(child), s47, ("date_of_initial_cpc",))
