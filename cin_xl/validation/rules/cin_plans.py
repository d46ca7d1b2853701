"""Rules of the cin_plans module (<CINPlanDates>)."""


from collections.abc import Iterator

from cin_xl.validation.helpers import (
    after,
    as_date,
    before,
    falls_within,
    is_true,
    missing,
    pairs,
    per_child,
    present,
    several_open_per_child,
)
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView


def _unreadable(value):
    """Present but not a date: the period's end is unknown, so overlap rules leave it to the structural checks."""
    return present(value) and as_date(value) is None


@rule("4000")
def cin_plan_for_referral_with_no_further_action(census: CensusView) -> Iterator[Hit]:
    """If <ReferralNFA> (N00112) = true or 1 for a <CINdetails> group, no <CINPlanDates> group may be present
    in that group.

    One finding per episode, on its <ReferralNFA> (the item the catalogue names)."""
    for child, episode in census.episodes:
        if episode.cin_plans and is_true(episode.referral_nfa):
            yield Hit(episode, ("referral_nfa",), child)


@rule("4001")
def open_cin_plan_with_open_cp_plan(census: CensusView) -> Iterator[Hit]:
    """If a <CINDetails> module has a <ChildProtectionPlan> module present with no <CPPendDate> (N00115) - then a
    <CINPlanDates> module with no <CINPlanEndDate> (N00690) must not be present

    One finding per open CIN plan of such an episode. An end date that is present but unreadable counts as
    present (the structural checks report it)."""
    for child, episode in census.episodes:
        if not episode.cin_plans or not any(missing(p.end_date) for p in episode.child_protection_plans):
            continue
        for plan in episode.cin_plans:
            if missing(plan.end_date):
                yield Hit(plan, ("end_date",), child)


@rule("4004")
def more_than_one_open_cin_plan(census: CensusView) -> Iterator[Hit]:
    """There must be only one <CINplanDates> group where the <CINPlanEnd Date> (N00690) is missing

    Note: the message says "This child is showing more than one open CIN Plan", so open plans are counted
    per child, across all of the child's episodes (a child cannot be on two CIN plans at once, whichever
    episode they are recorded in). Every open plan of such a child is flagged, since any of them may be the
    one missing its end date."""
    for child, plan in several_open_per_child(census.cin_plans, "end_date"):
        yield Hit(plan, ("end_date",), child)


@rule("4010")
def cin_plan_start_missing_or_after_reference_date(census: CensusView) -> Iterator[Hit]:
    """Where a <CINPlanDates> module is present, <CINPlanStartDate> (N00689) must be present and on or before the
    <ReferenceDate> (N00603)

    Note: the DfE condition goes on to say the start date "must be after the reference_date", a slip that
    contradicts its first sentence; we implement "present and on or before [ReferenceDate]". A plan may
    start before the census year (a plan carried over), so only a start after 31 March is out of period. An
    unreadable start date counts as present (the structural checks report it)."""
    for child, _episode, plan in census.cin_plans:
        if missing(plan.start_date) or after(plan.start_date, census.reference_date):
            yield Hit(plan, ("start_date",), child)


@rule("4011")
def cin_plan_ends_before_it_starts(census: CensusView) -> Iterator[Hit]:
    """<If present <CINPlanEndDate> (N00690) must be on or after the <CINPlanStartDate> (N00689)"""
    for child, _episode, plan in census.cin_plans:
        if before(plan.end_date, plan.start_date):
            yield Hit(plan, ("end_date",), child)


@rule("4012Q")
def cin_plan_starts_and_ends_same_day(census: CensusView) -> Iterator[Hit]:
    """Within a <CINPlanDates> group, <CINPlanStartDate> (N00689) should not be the same as the
    <CINPlanEndDate> (N00690)."""
    for child, _episode, plan in census.cin_plans:
        start = as_date(plan.start_date)
        if start is not None and start == as_date(plan.end_date):
            yield Hit(plan, ("end_date",), child)


@rule("4013")
def cin_plan_end_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If <CINPlanEndDate> (N00690) is present, then<CINPlanEndDate> (N00690) must fall within [Period_of_Census]
    inclusive A value is out of range if it is before the start or after the end."""
    for child, _episode, plan in census.cin_plans:
        if census.outside_year(plan.end_date):
            yield Hit(plan, ("end_date",), child)


@rule("4014")
def cin_plans_overlap(census: CensusView) -> Iterator[Hit]:
    """Where more than one <CINplanDates> group is included, the <CINPlanStartDate> (N00105) of each group cannot fall
    within either: a) <CINPlanStartDate> (N00105) to <CINPlanEndDate> (N00115), or b) <CINPlanStartDate> (N00105) and
    <ReferenceDate> if <CINPlanEndDate> (N00115) is not present of any other group

    Note: the DfE text labels the CIN plan dates with the CP plan item codes (N00105, N00115); the dates
    meant are <CINPlanStartDate> (N00689) and <CINPlanEndDate> (N00690). "Any other group" has no limit to
    one <CINdetails> group (unlike 4003), so all of a child's plans are compared, across episodes. Both
    ends of a period are inclusive, so a plan starting on the day another ends overlaps it. A plan is
    flagged once, however many plans it overlaps. A plan whose end date is unreadable is not compared (its
    period is unknown; the structural checks report the value)."""
    for child, plans in per_child(census.cin_plans):
        if len(plans) < 2:
            continue
        for plan, other in pairs(plans):
            if _unreadable(other.end_date):
                continue
            if falls_within(plan.start_date, other.start_date, other.end_date, census.reference_date):
                yield Hit(plan, ("start_date",), child)
                break


@rule("4015")
def cin_plan_starts_before_referral(census: CensusView) -> Iterator[Hit]:
    """Where present, the <CINPlanStartDate> (N00689) must be on or after the <CINReferralDate> (N00100)."""
    for child, episode, plan in census.cin_plans:
        if before(plan.start_date, episode.referral_date):
            yield Hit(plan, ("start_date",), child)


@rule("4016")
def cin_plan_starts_during_cp_plan(census: CensusView) -> Iterator[Hit]:
    """The <CINPlanStartDate> (N00689) for any CIN Plan group cannot fall within either: <CPPstartDate> (N00105) or
    <CPPendDate> (N00115); or <CPPstartDate> and <ReferenceDate> (N00603) if <CPPendDate> is not present - for any CPP
    group; unless <CINPlanStartDate> is equal to <CPPendDate> for this group

    "Any CPP group" of the child, whichever episode holds it: a CP plan left open in a closed episode
    overlaps a CIN plan of the child's next episode. A CIN plan is flagged once, however many CP plans it
    starts in."""
    cp_plans = dict((id(child), plans) for child, plans in per_child(census.child_protection_plans))
    for child, plans in per_child(census.cin_plans):
        for plan in plans:
            start = as_date(plan.start_date)
            for cpp in cp_plans.get(id(child), ()):
                if _unreadable(cpp.end_date) or (start is not None and start == as_date(cpp.end_date)):
                    continue
                if falls_within(start, cpp.start_date, cpp.end_date, census.reference_date):
                    yield Hit(plan, ("start_date",), child)
                    break


@rule("4017")
def cp_plan_starts_during_cin_plan(census: CensusView) -> Iterator[Hit]:
    """The <CPPstartDate> (N00105) for any CPP group cannot fall within either: <CINPlanStartDate> (N00689) or
    <CINPlanEndDate> (N00690); or <CINPlanStartDate> and <ReferenceDate> (N00603) if <CINPlanEndDate> is not present -
    for any CIN Plan Group; unless <CCPstartDate> is equal to <CINPlanEndDate> for this group.

    The finding lands on the CP plan's start date, the value at fault. "Any CIN plan group" of the child,
    whichever episode holds it; a CP plan is flagged once, however many CIN plans it starts in."""
    cin_plans = dict((id(child), plans) for child, plans in per_child(census.cin_plans))
    for child, cp_plans in per_child(census.child_protection_plans):
        for cpp in cp_plans:
            start = as_date(cpp.start_date)
            for plan in cin_plans.get(id(child), ()):
                if _unreadable(plan.end_date) or (start is not None and start == as_date(plan.end_date)):
                    continue
                if falls_within(start, plan.start_date, plan.end_date, census.reference_date):
                    yield Hit(cpp, ("start_date",), child)
                    break
