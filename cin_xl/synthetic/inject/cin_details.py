"""Known violations of the CINdetails rules (referrals and their closure)."""

from __future__ import annotations

from itertools import pairwise

from cin_xl.census.calendar import add_working_days
from cin_xl.census.model import Assessment, Child, CINDetails, Section47
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import (
    RC_AFTER_ASSESSMENT,
    D,
    Injected,
    NoCandidate,
    Picker,
    alive,
    as_date,
    birth_date,
    choose,
    completed,
    death_injector,
    find_assessment,
    find_section47,
    first_of,
    injector,
    is_date,
    is_open,
    la_id,
    s47_open,
)


@injector("8555Q")
def _death_before_referral(pick: Picker) -> Injected:
    """A date of death keyed days before the (only) referral."""

    def days(c: Child):
        first = c.cin_details[0].referral_date if c.cin_details else None
        if is_date(first):
            yield first - 5 * D, c.cin_details[0], ("referral_date",)

    return death_injector("8555Q", days)(pick)


@injector("8568")
def _nfa_flag_as_text(pick: Picker) -> Injected:
    """ReferralNFA exported as "Yes"."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.referral_nfa is True)

    child, episode = choose(pick, find)
    episode.referral_nfa = "Yes"
    return Injected("8568", la_id(child), episode, ("referral_nfa",))


@injector("8569Q")
def _nfa_referral_from_last_year(pick: Picker) -> Injected:
    """A no-further-action referral dated before the census year (last year's date typed)."""
    new = add_working_days(pick.start, -1) - 7 * D

    def find(c: Child):
        if not c.cin_details or (born := birth_date(c)) is None or not alive(c):
            return None
        first = c.cin_details[0]
        referral = as_date(first.referral_date)
        if first.referral_nfa is not True or referral is None or referral < pick.start:
            return None
        if any(not is_date(e.referral_date) or e.referral_date <= referral for e in c.cin_details[1:]):
            return None
        if new < born - 280 * D:
            return None
        return first

    child, episode = choose(pick, find)
    episode.referral_date = new
    return Injected("8569Q", la_id(child), episode, ("referral_nfa", "referral_date"))


@injector("8585Q")
def _closed_as_died_without_death(pick: Picker) -> Injected:
    """Reason for closure RC2 (died) picked from the list in error."""
    def find(c: Child):
        if not alive(c):
            return None
        return first_of(c.cin_details, lambda e: is_date(e.closure_date) and e.reason_for_closure in
                      ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7")
                      and not (len(e.assessments) == 1 and "21" in e.assessments[0].factors))

    child, episode = choose(pick, find)
    episode.reason_for_closure = "RC2"
    return Injected("8585Q", la_id(child), episode, ("reason_for_closure",))


@injector("8600")
def _referral_date_missing(pick: Picker) -> Injected:
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.referral_nfa is True and as_date(e.referral_date))

    child, episode = choose(pick, find)
    episode.referral_date = None
    return Injected("8600", la_id(child), episode, ("referral_date",))


@injector("8606")
def _referral_long_before_birth(pick: Picker) -> Injected:
    """A pre-birth referral dated ten months before the due date (or a birth date a year late)."""

    def unborn(c: Child):
        expected = as_date(c.identifiers.expected_person_birth_date)
        if birth_date(c) is not None or expected is None or len(c.cin_details) != 1:
            return None
        episode = c.cin_details[0]
        new = expected - 300 * D
        if not is_date(episode.referral_date) or not (pick.start + D <= new < episode.referral_date):
            return None
        return episode, new

    def born(c: Child):
        if birth_date(c) is None or not alive(c) or not c.cin_details or not is_date(c.cin_details[0].referral_date):
            return None
        new_birth = c.cin_details[0].referral_date + 300 * D
        if new_birth > pick.ref:
            return None
        return c.cin_details[0], new_birth

    try:
        child, (episode, new) = choose(pick, unborn)
        episode.referral_date = new
    except NoCandidate:
        child, (episode, new_birth) = choose(pick, born)
        child.identifiers.person_birth_date = new_birth
    return Injected("8606", la_id(child), episode, ("referral_date",))


@injector("8610")
def _primary_need_missing(pick: Picker) -> Injected:
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.referral_nfa is False and e.primary_need_code)

    child, episode = choose(pick, find)
    episode.primary_need_code = None
    return Injected("8610", la_id(child), episode, ("primary_need_code",))


@injector("8620")
def _closure_date_in_future(pick: Picker) -> Injected:
    """The planned closure date entered, after 31 March."""
    def find(c: Child):
        last = c.cin_details[-1] if c.cin_details else None
        if last is None or not is_date(last.closure_date) or not alive(c):
            return None
        if any(not is_date(e.referral_date) or e.referral_date > made(last.referral_date) for e in c.cin_details):
            return None
        return last

    child, episode = choose(pick, find)
    episode.closure_date = pick.ref + 14 * D
    return Injected("8620", la_id(child), episode, ("closure_date",))


@injector("8630")
def _closure_before_referral(pick: Picker) -> Injected:
    """A no-further-action referral closed the day before it was received."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.referral_nfa is True and as_date(e.referral_date)
                      and e.closure_date == e.referral_date and e.referral_date - D >= pick.start)

    child, episode = choose(pick, find)
    episode.closure_date = episode.referral_date - D
    return Injected("8630", la_id(child), episode, ("closure_date",))


@injector("8640")
def _reason_for_closure_invalid(pick: Picker) -> Injected:
    def find(c: Child):
        return first_of(c.cin_details, lambda e: is_date(e.closure_date) and e.reason_for_closure in
                      ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7"))

    child, episode = choose(pick, find)
    episode.reason_for_closure = "RC10"
    return Injected("8640", la_id(child), episode, ("reason_for_closure",))


@injector("8650")
def _primary_need_invalid(pick: Picker) -> Injected:
    def find(c: Child):
        return first_of(c.cin_details, lambda e: isinstance(e.primary_need_code, str) and e.primary_need_code)

    child, episode = choose(pick, find)
    episode.primary_need_code = "N10"
    return Injected("8650", la_id(child), episode, ("primary_need_code",))


@injector("8805")
def _closure_without_reason(pick: Picker) -> Injected:
    def find(c: Child):
        return first_of(c.cin_details, lambda e: is_date(e.closure_date) and e.reason_for_closure)

    child, episode = choose(pick, find)
    episode.reason_for_closure = None
    return Injected("8805", la_id(child), episode, ("reason_for_closure",))


@injector("8810")
def _reason_without_closure(pick: Picker) -> Injected:
    """A no-further-action referral given its reason for closure but no closure date."""
    def find(c: Child):
        return first_of(c.cin_details,
                        lambda e: e.referral_nfa is True and is_date(e.closure_date) and e.reason_for_closure)

    child, episode = choose(pick, find)
    episode.closure_date = None
    return Injected("8810", la_id(child), episode, ("closure_date",))


@injector("8815")
def _episode_recorded_twice(pick: Picker) -> Injected:
    """The open referral entered twice: a second open episode with the same referral date."""
    def find(c: Child):
        last = c.cin_details[-1] if c.cin_details else None
        return last if last is not None and is_open(last) and as_date(last.referral_date) else None

    child, episode = choose(pick, find)
    twin = CINDetails(referral_date=episode.referral_date, referral_source=episode.referral_source,
                      primary_need_code=episode.primary_need_code, referral_nfa=False)
    child.cin_details.append(twin)
    return Injected("8815", la_id(child), twin, ("closure_date",))


@injector("8816")
def _earlier_episode_left_open(pick: Picker) -> Injected:
    """An earlier episode's closure never recorded, while a later referral came in."""
    def find(c: Child):
        if len(c.cin_details) < 2 or any(is_open(e) for e in c.cin_details):
            return None
        latest = max((e.referral_date for e in c.cin_details if is_date(e.referral_date)), default=None)
        if latest is None:  # no referral date to be earlier than
            return None
        return first_of(c.cin_details, lambda e: e.referral_nfa is False and as_date(e.closure_date)
                      and is_date(e.referral_date) and e.referral_date < latest)

    child, episode = choose(pick, find)
    episode.closure_date = episode.reason_for_closure = None
    return Injected("8816", la_id(child), episode, ("referral_date", "closure_date"))


@injector("8820")
def _referral_during_previous_episode(pick: Picker) -> Injected:
    """A re-referral dated two days before the previous episode was closed."""
    def find(c: Child):
        episodes = sorted((e for e in c.cin_details if is_date(e.referral_date)), key=lambda e: made(e.referral_date))
        for earlier, later in pairwise(episodes):
            closure = as_date(earlier.closure_date)
            if earlier.referral_nfa is False and closure is not None:
                new = closure - 2 * D
                if made(earlier.referral_date) < new and new >= pick.start + D and new < made(later.referral_date):
                    return later, new
        return None

    child, (episode, new) = choose(pick, find)
    episode.referral_date = new
    return Injected("8820", la_id(child), episode, ("referral_date",))


@injector("8825Q")
def _nfa_closed_after_assessment(pick: Picker) -> Injected:
    """A no-further-action referral closed with RC8 (closed after assessment) though never assessed."""
    def find(c: Child):
        return first_of(c.cin_details,
                        lambda e: e.referral_nfa is True and is_date(e.closure_date) and not e.assessments)

    child, episode = choose(pick, find)
    episode.reason_for_closure = "RC8"
    return Injected("8825Q", la_id(child), episode, ("reason_for_closure",))


@injector("8831")
def _assessed_referral_flagged_nfa(pick: Picker) -> Injected:
    """A referral that was assessed, flagged as no further action."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.referral_nfa is False and e.assessments and not e.cin_plans
                      and not e.child_protection_plans and is_date(e.referral_date) and e.referral_date >= pick.start)

    child, episode = choose(pick, find)
    episode.referral_nfa = True
    return Injected("8831", la_id(child), episode, ("referral_nfa",))


@injector("8866")
def _referral_source_invalid(pick: Picker) -> Injected:
    child, episode = choose(pick, lambda c: c.cin_details[0] if c.cin_details else None)
    episode.referral_source = "5E"
    return Injected("8866", la_id(child), episode, ("referral_source",))


@injector("2990")
def _closed_after_assessment_with_plan(pick: Picker) -> Injected:
    """An episode with a CIN plan (or enquiry) closed with RC9, "closed after assessment"."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: is_date(e.closure_date) and e.assessments
                      and (e.cin_plans or e.section47s or e.child_protection_plans)
                      and e.reason_for_closure in ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7"))

    child, episode = choose(pick, find)
    episode.reason_for_closure = "RC9"
    return Injected("2990", la_id(child), episode, ("reason_for_closure",))


@injector("2991Q")
def _section47_without_assessment(pick: Picker) -> Injected:
    """The assessment of an episode with a section 47 enquiry not recorded."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: e.section47s and e.assessments
                      and e.reason_for_closure not in RC_AFTER_ASSESSMENT)

    child, episode = choose(pick, find)
    episode.assessments = []
    return Injected("2991Q", la_id(child), episode.section47s[0], ("start_date",))


@injector("8867")
def _closed_with_assessment_open(pick: Picker) -> Injected:
    """A case closed on 31 March while its assessment was never authorised."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return (is_open(e) and len(e.assessments) == 1 and a.authorisation_date is None and not a.factors
                and not e.section47s and not e.cin_plans and not e.child_protection_plans
                and e.pre_proceedings is None)

    child, (episode, assessment) = choose(pick, lambda c: find_assessment(c, fits) if alive(c) else None)
    episode.closure_date, episode.reason_for_closure = pick.ref, "RC7"
    return Injected("8867", la_id(child), assessment, ("authorisation_date",))


@injector("8868")
def _closed_with_enquiry_unfinished(pick: Picker) -> Injected:
    """A case closed on 31 March with its section 47 outcome (conference or not needed) never recorded."""
    first_day = add_working_days(pick.ref, -10)

    def recent(c: Child):
        for e in c.cin_details:
            if (is_open(e) and len(e.section47s) == 1 and s47_open(e.section47s[0]) and len(e.assessments) == 1
                    and not e.assessments[0].factors and not e.cin_plans and not e.child_protection_plans
                    and e.pre_proceedings is None and as_date(e.assessments[0].start_date)):
                return e
        return None

    def settled(c: Child):
        for e in c.cin_details:
            if not is_open(e) or not e.assessments or not is_date(e.referral_date):
                continue
            if any(not completed(a) for a in e.assessments) or any(q.end_date is None for q in e.cin_plans):
                continue
            if any(p.end_date is None for p in e.child_protection_plans):
                continue
            day = max(e.referral_date, first_day)
            if all(s.icpc_not_required is True or (is_date(s.date_of_initial_cpc) and s.date_of_initial_cpc < day)
                   for s in e.section47s):
                return e
        return None

    try:
        child, episode = choose(pick, lambda c: recent(c) if alive(c) else None)
        assessment = episode.assessments[0]
        assessment.authorisation_date, assessment.factors = pick.ref, ["3B"]
        s47 = episode.section47s[0]
    except NoCandidate:
        child, episode = choose(pick, lambda c: settled(c) if alive(c) else None)
        s47 = Section47(start_date=max(episode.referral_date, first_day), icpc_not_required=False)
        episode.section47s = episode.section47s + [s47]
    episode.closure_date, episode.reason_for_closure = pick.ref, "RC7"
    return Injected("8868", la_id(child), s47, ("date_of_initial_cpc",))


@injector("8890")
def _strategy_discussion_recorded_twice(pick: Picker) -> Injected:
    """A second enquiry recorded the day after the first started (needing no conference of its own)."""
    def fits(e: CINDetails, s: Section47) -> bool:
        conference = as_date(s.date_of_initial_cpc)
        return conference is not None and len(e.section47s) == 1 and conference >= made(s.start_date) + D

    child, (episode, s47) = choose(pick, lambda c: find_section47(c, fits))
    second = Section47(start_date=made(s47.start_date) + D, icpc_not_required=True)
    episode.section47s = episode.section47s + [second]
    return Injected("8890", la_id(child), second, ("start_date",))
