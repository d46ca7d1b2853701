"""Rules of the child_protection_plans module, and of its reviews (the catalogue's ``Reviews``)."""


from collections.abc import Iterator

from cin_xl.census.model import Node
from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.validation.helpers import (
    after,
    as_date,
    before,
    falls_within,
    is_true,
    missing,
    on_or_before,
    pairs,
    several_open_per_child,
    within,
)
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.rules.section47 import initial_cpcs
from cin_xl.validation.view import CensusView


@rule("1105")
def cpp_starts_before_referral(census: CensusView) -> Iterator[Hit]:
    """<CPPStartDate> (N00105) must be on or after the <CINReferralDate> (N00100)."""
    for child, episode, plan in census.child_protection_plans:
        if before(plan.start_date, episode.referral_date):
            yield Hit(plan, ("start_date",), child, related=((episode, ("referral_date",)),))


@rule("2883", whole_return=True)
def more_cpps_than_initial_cpcs(census: CensusView) -> Iterator[Hit]:
    """Within a Local Authority, count the number of <CPPStartDate> (N00105) where a date is present and within
    [Period_of_Census]. This value should be less than or equal to the sum of: a) the count of <DateOfInitialCPC>
    (N00110) on CIN Details module where a date is present and within [Period_of_Census], plus b) the count of
    <DateOfInitialCPC> on the S47 module where a date is present and within [Period_of_Census]."""
    start, end = census.start, census.reference_date
    plans = sum(1 for _, _, plan in census.child_protection_plans if within(plan.start_date, start, end))
    conferences = sum(1 for _, _, record in initial_cpcs(census) if within(record.date_of_initial_cpc, start, end))
    if plans > conferences:
        yield Hit(None)


@rule("2885")
def cpp_start_not_on_initial_cpc(census: CensusView) -> Iterator[Hit]:
    """If present and if <CPPStartDate> (N00105) falls within [Period_Of_Census], then the <CPPStartDate> (N00105)
    should equal either: a) a Section47 module <DateOfInitialCPC> (N00110), or b) a CINDetails module <DateOfInitialCPC>
    (N00110) if there is no associated Section 47 record.

    Note: compared with the conferences of the plan's own <CINdetails> group: those of its <Section47>
    records, and the episode-level one only when the episode has no <Section47> record."""
    for child, episode, plan in census.child_protection_plans:
        day = as_date(plan.start_date)
        if day is None or not census.within_year(day):
            continue
        conferences = {as_date(s47.date_of_initial_cpc) for s47 in episode.section47s}
        if not episode.section47s:
            conferences.add(as_date(episode.date_of_initial_cpc))
        if day not in conferences:
            yield Hit(plan, ("start_date",), child)


@rule("8565")
def activity_after_closure(census: CensusView) -> Iterator[Hit]:
    """If <CINclosureDate> (N00102) is present then it must be on or after all of the following dates that are present:
    <AssessmentActualStartDate> (N00159) <AssessmentAuthorisationDate>(N00160) <S47ActualStartDate> (N00148)
    <DateOfInitialCPC> (N00110) <CPPendDate> (N00115) <CINPlanStartDate> (N00689) <CINPlanEndDate> (N00690)

    Each record holding a date after the closure is reported once, with its late fields. <DateOfInitialCPC>
    is checked at both levels (<CINdetails> and <Section47>)."""
    for child, episode in census.episodes:
        closure = as_date(episode.closure_date)
        if closure is None:
            continue
        records: list[tuple[Node, tuple[str, ...]]] = [(episode, ("date_of_initial_cpc",))]
        records += [(a, ("start_date", "authorisation_date")) for a in episode.assessments]
        records += [(s, ("start_date", "date_of_initial_cpc")) for s in episode.section47s]
        records += [(p, ("end_date",)) for p in episode.child_protection_plans]
        records += [(p, ("start_date", "end_date")) for p in episode.cin_plans]
        for record, names in records:
            late = tuple(name for name in names if after(getattr(record, name), closure))
            if late:
                yield Hit(record, late, child, related=((episode, ("closure_date",)),))


@rule("8720")
def cpp_start_missing_or_after_reference_date(census: CensusView) -> Iterator[Hit]:
    """Where a CPP module is present, <CPPstartDate> (N00105) must be present and on or before the
    <ReferenceDate> (N00603)."""
    for child, _, plan in census.child_protection_plans:
        if missing(plan.start_date) or after(plan.start_date, census.reference_date):
            yield Hit(plan, ("start_date",), child)


@rule("8730")
def previous_cpp_count_missing(census: CensusView) -> Iterator[Hit]:
    """Where a CPP module is present, <NumberOfPreviousCPP> (N00106) must be greater than or equal to zero

    Read as the DfE's note to its programmers says: 0 or more, and not null. A value that is not a number is
    left to the structural checks."""
    for child, _, plan in census.child_protection_plans:
        value = plan.number_of_previous_cpp
        if missing(value) or (isinstance(value, int) and value < 0):
            yield Hit(plan, ("number_of_previous_cpp",), child)


@rule("8832")
def cpp_for_referral_nfa(census: CensusView) -> Iterator[Hit]:
    """If a <CINdetails> module has <ReferralNFA> (N00112) = true or 1, then there should be no Child
    Protection module present.

    Reported once per episode, on its <ReferralNFA>, with the plans as related records."""
    for child, episode in census.episodes:
        if is_true(episode.referral_nfa) and episode.child_protection_plans:
            related = tuple((plan, ()) for plan in episode.child_protection_plans)
            yield Hit(episode, ("referral_nfa",), child, related=related)


@rule("8840")
def cpp_starts_and_ends_same_day(census: CensusView) -> Iterator[Hit]:
    """Within a <ChildProtectionPlans> group, <CPPstartDate> (N00105) must not be the same as the
    <CPPendDate> (N00115)."""
    for child, _, plan in census.child_protection_plans:
        start = as_date(plan.start_date)
        if start is not None and start == as_date(plan.end_date):
            yield Hit(plan, ("start_date", "end_date"), child)


@rule("8841")
def cpp_review_not_after_start(census: CensusView) -> Iterator[Hit]:
    """Within a <ChildProtectionPlans> group, there should be no <CPPreviewDate> (N00116) that is the same as
    or before the <CPPstartDate> (N00105)."""
    for child, _, plan in census.child_protection_plans:
        if any(on_or_before(review, plan.start_date) for review in plan.review_dates):
            yield Hit(plan, ("review_dates",), child)


def _invalid_category(census, name):
    valid = CODE_SETS["CategoryOfAbuse"].valid(census.year)
    for child, _, plan in census.child_protection_plans:
        value = getattr(plan, name)
        if missing(value) or value not in valid:
            yield Hit(plan, (name,), child)


@rule("8905")
def initial_category_of_abuse_invalid(census: CensusView) -> Iterator[Hit]:
    """Where a Child Protection Plan module is present, <InitialCategoryOfAbuse> (N00113) must be present and
    be a valid code."""
    yield from _invalid_category(census, "initial_category_of_abuse")


@rule("8910")
def latest_category_of_abuse_invalid(census: CensusView) -> Iterator[Hit]:
    """Where a Child Protection Plan module is present, <LatestCategoryOfAbuse> (N00114) must be present and
    be a valid code."""
    yield from _invalid_category(census, "latest_category_of_abuse")


@rule("8915")
def cpp_starts_after_death(census: CensusView) -> Iterator[Hit]:
    """<CPPstartDate> (N00105) must be on or before <PersonDeathDate>."""
    for child, _, plan in census.child_protection_plans:
        if after(plan.start_date, child.identifiers.person_death_date):
            yield Hit(plan, ("start_date",), child, related=((child.identifiers, ("person_death_date",)),))


@rule("8920")
def cpp_ends_after_death(census: CensusView) -> Iterator[Hit]:
    """If <PersonDeathDate> (N00108) is present, then <CPPendDate> (N00115) must be on or before
    <PersonDeathDate> (N00108).

    Note: after the message ("cannot end after the child's Date of Death"), only a recorded end date is
    checked; a plan still open is not reported."""
    for child, _, plan in census.child_protection_plans:
        if after(plan.end_date, child.identifiers.person_death_date):
            yield Hit(plan, ("end_date",), child, related=((child.identifiers, ("person_death_date",)),))


@rule("8925")
def cpp_ends_before_start(census: CensusView) -> Iterator[Hit]:
    """If present <CPPendDate> (N00115) must be on or after the <CPPstartDate> (N00105)."""
    for child, _, plan in census.child_protection_plans:
        if before(plan.end_date, plan.start_date):
            yield Hit(plan, ("end_date",), child)


@rule("8930")
def cpp_end_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If <CPPendDate> (N00115) is present, then<CPPendDate> (N00115) must fall within [Period_of_Census] inclusive"""
    for child, _, plan in census.child_protection_plans:
        if census.outside_year(plan.end_date):
            yield Hit(plan, ("end_date",), child)


@rule("8935")
def several_open_cpps(census: CensusView) -> Iterator[Hit]:
    """There must be only one <ChildProtectionPlans> group where the <CPPendDate> (N00115) is missing.

    Counted per child, across all its episodes (the message: "This child is showing more than one open
    Child Protection plan"). Every open plan of such a child is reported."""
    for child, plan in several_open_per_child(census.child_protection_plans, "end_date"):
        yield Hit(plan, ("end_date",), child)


@rule("8940")
def cpps_overlap(census: CensusView) -> Iterator[Hit]:
    """Where more than one <ChildProtectionPlans> group is included, the <CPPstartDate> (N00105) of each group cannot
    fall within either: a) <CPPstartDate> (N00105) to <CPPendDate> (N00115), or b) <CPPstartDate> (N00105) and
    <ReferenceDate> if <CPPendDate> (N00115) is not present of any other group

    Compared across all the child's plans, in any of its episodes: one child cannot be on two plans at
    once."""
    for child in census.children:
        plans = [plan for episode in child.cin_details for plan in episode.child_protection_plans]
        if len(plans) < 2:
            continue
        for plan, other in pairs(plans):
            if falls_within(plan.start_date, other.start_date, other.end_date, census.reference_date):
                yield Hit(plan, ("start_date",), child, related=((other, ("start_date", "end_date")),))
                break


# ---------------------------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------------------------


@rule("4003")
def cpp_review_during_cin_plan(census: CensusView) -> Iterator[Hit]:
    """Within a <CINDetails> module, no <CPPReviewDate> (N00116) can fall between any <CINPlanStartdate>
    (N00689) or <CINPlanEndDate> (N00690) unless <CPPReviewDate> is equal to <CPPendDate> (N00115).

    Inclusive of both ends; a CIN plan with no end date runs to <ReferenceDate>. A plan with such a review
    is reported once."""
    for child, episode in census.episodes:
        if not episode.cin_plans:
            continue
        for plan in episode.child_protection_plans:
            end = as_date(plan.end_date)
            clash = next(((review, cin) for review in plan.review_dates if as_date(review) != end
                          for cin in episode.cin_plans
                          if falls_within(review, cin.start_date, cin.end_date, census.reference_date)), None)
            if clash is not None:
                yield Hit(plan, ("review_dates",), child, related=((clash[1], ("start_date", "end_date")),))


@rule("8842Q")
def cpp_review_without_date(census: CensusView) -> Iterator[Hit]:
    """Where a <Reviews> group is present, a valid <CPPreviewdate> (N00116) should be present within the
    group.

    A plan whose review entries hold no real date (blank or unreadable) is reported."""
    for child, _, plan in census.child_protection_plans:
        if plan.review_dates and not any(as_date(review) for review in plan.review_dates):
            yield Hit(plan, ("review_dates",), child)
