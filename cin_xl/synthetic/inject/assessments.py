"""Known violations of the Assessments rules."""

from __future__ import annotations

from cin_xl.census.calendar import add_working_days
from cin_xl.census.model import Assessment, Child, CINDetails
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import (
    RC_AFTER_ASSESSMENT,
    D,
    Injected,
    Picker,
    as_date,
    choose,
    completed,
    find_assessment,
    first_of,
    injector,
    is_open,
    la_id,
)


@injector("1103")
def _assessment_before_referral(pick: Picker) -> Injected:
    """The assessment start keyed as the day the concern was first raised, before the referral."""
    open_from = add_working_days(pick.ref, -45)

    def fits(e: CINDetails, a: Assessment) -> bool:
        referral = as_date(e.referral_date)
        return referral is not None and len(e.assessments) == 1 and (
            completed(a) or referral - 3 * D >= max(pick.start, open_from))

    child, (episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.start_date = made(episode.referral_date) - 3 * D
    return Injected("1103", la_id(child), assessment, ("start_date",))


@injector("8608")
def _authorised_before_start(pick: Picker) -> Injected:
    """Authorisation date keyed the day before the assessment started."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return len(e.assessments) == 1 and completed(a) and made(a.start_date) - D >= pick.start and bool(a.factors)

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.authorisation_date = made(assessment.start_date) - D
    return Injected("8608", la_id(child), assessment, ("authorisation_date",))


@injector("8614")
def _factors_before_authorisation(pick: Picker) -> Injected:
    """Factors recorded on an assessment not yet authorised."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return a.authorisation_date is None and not a.factors

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.factors = ["3B", "4B"]
    return Injected("8614", la_id(child), assessment, ("factors",))


@injector("8670Q")
def _assessment_never_authorised(pick: Picker) -> Injected:
    """An assessment completed months ago but never authorised in the system (no date, no factors)."""
    cutoff = add_working_days(pick.ref, -45)

    def fits(e: CINDetails, a: Assessment) -> bool:
        return (e.closure_date is None and len(e.assessments) == 1 and completed(a)
                and pick.start <= made(a.start_date) < cutoff)

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.authorisation_date, assessment.factors = None, []
    return Injected("8670Q", la_id(child), assessment, ("start_date",))


@injector("8696")
def _authorised_after_reference_date(pick: Picker) -> Injected:
    """The planned authorisation date, after 31 March, entered."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return e.closure_date is None and len(e.assessments) == 1 and completed(a) and bool(a.factors)

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.authorisation_date = pick.ref + 7 * D
    return Injected("8696", la_id(child), assessment, ("authorisation_date",))


@injector("8736")
def _open_assessment_starting_next_year(pick: Picker) -> Injected:
    """An open assessment's start date keyed with next year's date."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return e.closure_date is None and len(e.assessments) == 1 and a.authorisation_date is None and not a.factors

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.start_date = pick.ref + 3 * D
    return Injected("8736", la_id(child), assessment, ("start_date",))


@injector("8863Q")
def _overlapping_assessments(pick: Picker) -> Injected:
    """A second assessment recorded three days into the first one, ending the same day."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return len(e.assessments) == 1 and completed(a) and made(a.authorisation_date) - made(a.start_date) >= 4 * D

    child, (episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    second = Assessment(start_date=made(assessment.start_date) + 3 * D,
                        authorisation_date=assessment.authorisation_date, factors=list(assessment.factors))
    episode.assessments.append(second)
    return Injected("8863Q", la_id(child), second, ("start_date",))


@injector("8869")
def _no_factors_and_a_factor(pick: Picker) -> Injected:
    """"21 no factors identified" left ticked beside domestic abuse."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return a.factors == ["21"]

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.factors = ["3A", "21"]
    return Injected("8869", la_id(child), assessment, ("factors",))


@injector("8873Q")
def _no_factors_closed_as_ceased(pick: Picker) -> Injected:
    """An assessment with no factors identified, the case closed as RC7 rather than RC8."""
    def find(c: Child):
        return first_of(c.cin_details, lambda e: len(e.assessments) == 1 and e.assessments[0].factors == ["21"]
                      and e.reason_for_closure in RC_AFTER_ASSESSMENT and as_date(e.closure_date))

    child, episode = choose(pick, find)
    episode.reason_for_closure = "RC7"
    return Injected("8873Q", la_id(child), episode, ("reason_for_closure",))


@injector("8896")
def _two_open_assessments(pick: Picker) -> Injected:
    """A second open assessment started the day after the first (see COMPANIONS)."""
    def fits(e: CINDetails, a: Assessment) -> bool:
        return (is_open(e) and len(e.assessments) == 1 and a.authorisation_date is None and not a.factors
                and made(a.start_date) + D <= pick.ref)

    child, (episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    second = Assessment(start_date=made(assessment.start_date) + D)
    episode.assessments.append(second)
    return Injected("8896", la_id(child), second, ("authorisation_date",))


@injector("8897Q")
def _completed_without_factors(pick: Picker) -> Injected:
    def fits(e: CINDetails, a: Assessment) -> bool:
        return completed(a) and made(a.authorisation_date) >= pick.start and bool(a.factors)

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.factors = []
    return Injected("8897Q", la_id(child), assessment, ("factors",))


@injector("8898")
def _factor_twice(pick: Picker) -> Injected:
    def fits(e: CINDetails, a: Assessment) -> bool:
        return bool(a.factors) and "21" not in a.factors and len(set(a.factors)) == len(a.factors)

    child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
    assessment.factors = assessment.factors + [assessment.factors[0]]
    return Injected("8898", la_id(child), assessment, ("factors",))


def _old_factor(code: str, old: str):
    def inject_old(pick: Picker) -> Injected:
        """An old factor code (split in two since) still used by a worker."""
        def fits(e: CINDetails, a: Assessment) -> bool:
            return bool(a.factors) and "21" not in a.factors and old not in a.factors

        child, (_episode, assessment) = choose(pick, lambda c: find_assessment(c, fits))
        assessment.factors = assessment.factors + [old]
        return Injected(code, la_id(child), assessment, ("factors",))

    return inject_old


injector("8945Q")(_old_factor("8945Q", "18A"))


injector("8950Q")(_old_factor("8950Q", "19A"))
