"""Rules of the cin_plans module."""

from ..helpers import *  # noqa: F401,F403
from ..registry import Hit, rule


@rule("4014")
def cin_plans_overlap(census):
    """Where more than one <CINplanDates> group is included, the <CINPlanStartDate> of each group cannot
    fall within a) <CINPlanStartDate> to <CINPlanEndDate>, or b) <CINPlanStartDate> and <ReferenceDate> if
    <CINPlanEndDate> is not present, of any other group."""
    for child, episode in census.episodes:
        for plan, other in pairs(episode.cin_plans):
            if falls_within(plan.start_date, other.start_date, other.end_date, census.reference_date):
                yield Hit(plan, ("start_date",), child)
                break
