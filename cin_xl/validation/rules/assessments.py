"""Rules of the assessments module."""

from ..helpers import *  # noqa: F401,F403
from ..registry import Hit, rule


@rule("1103")
def assessment_starts_before_referral(census):
    """Where present, <AssessmentActualStartDate> (N00159) should be on or after <CINReferralDate> (N00100)."""
    for child, episode, assessment in census.assessments:
        if before(assessment.start_date, episode.referral_date):
            yield Hit(assessment, ("start_date",), child)
