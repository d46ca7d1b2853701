"""Rules of the assessments module."""

from collections.abc import Iterator

from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.validation.helpers import (
    add_working_days,
    before,
    duplicates,
    missing,
    on_or_after,
    outside,
    present,
    within,
)
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView


@rule("1103")
def assessment_starts_before_referral(census: CensusView) -> Iterator[Hit]:
    """Where present, the <AssessmentActualStartDate> (N00159) should be on or after the <CINReferralDate> (N00100)"""
    for child, episode, assessment in census.assessments:
        if before(assessment.start_date, episode.referral_date):
            yield Hit(assessment, ("start_date",), child)


def _open_period_contains(day, other, reference_date) -> bool:
    """``day`` falls on or between ``other``'s start and its authorisation date, or <ReferenceDate> when
    ``other`` has no authorisation date (an authorisation date that could not be read gives no period)."""
    if present(other.authorisation_date):
        return within(day, other.start_date, other.authorisation_date)
    return within(day, other.start_date, reference_date)


@rule("8608")
def assessment_authorised_before_start(census: CensusView) -> Iterator[Hit]:
    """If present <AssessmentAuthorisationDate> (N00160) must be on or after the <AssessmentActualStartDate>
    (N00159)."""
    for child, _episode, assessment in census.assessments:
        if before(assessment.authorisation_date, assessment.start_date):
            yield Hit(assessment, ("authorisation_date",), child)


@rule("8614")
def factors_on_uncompleted_assessment(census: CensusView) -> Iterator[Hit]:
    """If <AssessmentAuthorisationDate> (N00160) is missing, <AssessmentFactors> (N00181) within the same module must
    also be missing"""
    for child, _episode, assessment in census.assessments:
        if missing(assessment.authorisation_date) and present(assessment.factors):
            yield Hit(assessment, ("factors",), child)


@rule("8670Q")
def open_assessment_over_45_working_days(census: CensusView) -> Iterator[Hit]:
    """If <AssessmentAuthorisationDate> (N00160) is not present then <AssessmentActualStartDate> (N00159)
    should not be before the <ReferenceDate> (N00603) minus 45 working days."""
    earliest = add_working_days(census.reference_date, -45)
    for child, _episode, assessment in census.assessments:
        if missing(assessment.authorisation_date) and before(assessment.start_date, earliest):
            yield Hit(assessment, ("start_date",), child)


@rule("8696")
def assessment_authorised_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """<If present <AssessmentAuthorisationDate> (N00160) must be on or between [Start_Of_Census_Year] and
    <ReferenceDate> (N00603)"""
    for child, _episode, assessment in census.assessments:
        if census.outside_year(assessment.authorisation_date):
            yield Hit(assessment, ("authorisation_date",), child)


@rule("8736")
def open_assessment_starts_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """Where present, if an <Assessments> group does not contain the <AssessmentAuthorisationDate> (N00160) then the
    <AssessmentActualStartDate> (N00159) must be on or between [Start_Of_Census_Year] and <ReferenceDate> (N00603)"""
    for child, _episode, assessment in census.assessments:
        if missing(assessment.authorisation_date) and outside(assessment.start_date, census.start,
                                                              census.reference_date):
            yield Hit(assessment, ("start_date",), child)


@rule("8863Q")
def assessment_starts_during_another(census: CensusView) -> Iterator[Hit]:
    """Within one <CINdetails> group, where present each <AssessmentActualStartDate> (N00159) must not fall on or
    between: a) the <AssessmentActualStartDate> (N00159) and <AssessmentAuthorisation Date (N00160) of any other
    <Assessments> group that has an <AssessmentAuthorisationDate> (N00160) OR b) the <AssessmentActualStartDate>
    (N00159) and the <ReferenceDate> (N00603) where the <AssessmentAuthorisationDate> (N00160) is missing"""
    for child, episode in census.episodes:
        assessments = episode.assessments
        if len(assessments) < 2:
            continue
        for assessment in assessments:
            for other in assessments:
                if other is not assessment and _open_period_contains(assessment.start_date, other,
                                                                     census.reference_date):
                    yield Hit(assessment, ("start_date",), child,
                              ((other, ("start_date", "authorisation_date")),))
                    break


@rule("8869")
def no_factors_code_with_others(census: CensusView) -> Iterator[Hit]:
    """If <AssessmentFactors> (N00181) = “21”, this must be the only <AssessmentFactors> (N00181) present.

    Note: "21" given twice and nothing else is left to rule 8898 (duplicate codes)."""
    for child, _episode, assessment in census.assessments:
        if "21" in assessment.factors and any(f != "21" for f in assessment.factors):
            yield Hit(assessment, ("factors",), child)


@rule("8873Q")
def no_factors_single_assessment_not_closed_after_assessment(census: CensusView) -> Iterator[Hit]:
    """Within a <CINDetails> group, if there is only one <Assessments> group and its <AssessmentFactors>
    (N00181) include "21", <ReasonForClosure> (N00103) should be RC8 or RC9.

    Note: applied to closed episodes (a <CINclosureDate> or a <ReasonForClosure>); a missing reason for
    closure is not RC8 or RC9 either. An open episode has no reason to check yet."""
    for child, episode in census.episodes:
        if (len(episode.assessments) == 1 and "21" in episode.assessments[0].factors
                and (present(episode.closure_date) or present(episode.reason_for_closure))
                and episode.reason_for_closure not in ("RC8", "RC9")):
            yield Hit(episode, ("reason_for_closure",), child, ((episode.assessments[0], ("factors",)),))


@rule("8896")
def more_than_one_open_assessment(census: CensusView) -> Iterator[Hit]:
    """Within one <CINdetails> group, there must not be more than one <Assessments> group that has no
    <AssessmentAuthorisationDate> (N00160) recorded

    Every open assessment of such an episode is reported."""
    for child, episode in census.episodes:
        open_ = [a for a in episode.assessments if missing(a.authorisation_date)]
        if len(open_) > 1:
            for assessment in open_:
                yield Hit(assessment, ("authorisation_date",), child)


@rule("8897Q")
def completed_assessment_without_factors(census: CensusView) -> Iterator[Hit]:
    """Where present, if <AssessmentAuthorisationDate> (N00160) is on or after [Start_Of_Census_Year] then one or more
    <AssessmentFactors> (N00181) must be present within the same assessment module and must be a valid code

    The old codes 18A and 19A count as valid here: rules 8945Q and 8950Q query them."""
    valid = CODE_SETS["AssessmentFactors"].valid(census.year)
    for child, _episode, assessment in census.assessments:
        if on_or_after(assessment.authorisation_date, census.start) and (
                missing(assessment.factors) or any(f not in valid for f in assessment.factors)):
            yield Hit(assessment, ("factors",), child)


@rule("8898")
def duplicate_factors(census: CensusView) -> Iterator[Hit]:
    """If there is more than one <AssessmentFactors> (N00181) for an assessment recorded, then none of the values should
    appear more than once for an assessment."""
    for child, _episode, assessment in census.assessments:
        if duplicates(assessment.factors):
            yield Hit(assessment, ("factors",), child)


@rule("8945Q")
def old_physical_abuse_factor(census: CensusView) -> Iterator[Hit]:
    """<AssessmentFactors> (N00181) should not be '18A'; use '18B' (child on child) or '18C' (adult on
    child)."""
    for child, _episode, assessment in census.assessments:
        if "18A" in assessment.factors:
            yield Hit(assessment, ("factors",), child)


@rule("8950Q")
def old_sexual_abuse_factor(census: CensusView) -> Iterator[Hit]:
    """<AssessmentFactors> (N00181) should not be '19A'; use '19B' (child on child) or '19C' (adult on
    child)."""
    for child, _episode, assessment in census.assessments:
        if "19A" in assessment.factors:
            yield Hit(assessment, ("factors",), child)
