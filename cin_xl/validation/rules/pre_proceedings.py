"""Rules of the pre_proceedings module (<PreProceedingsandFGDM>, "module 5", new in 2026-27).

The catalogue's conditions for this module were transcribed from a DfE draft and some are garbled; where
a condition and its message disagree, the rule implements the message, using the item meanings of the
2026-27 specification (N00826 PPStartDate ... N00835 LetterInitCPDate), and says so in its docstring.
"""

from collections.abc import Iterator

from cin_xl.census.spec import CODE_SETS
from cin_xl.validation.helpers import before, is_true, missing, present
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView


@rule("8995Q", since="2026-27", whole_return=True)
def no_pre_proceedings_in_return(census: CensusView) -> Iterator[Hit]:
    """Return level: if no <PreProceedingsandFGDM> group is present for any child in the return, raise the
    query once for the whole return."""
    if not census.pre_proceedings:
        yield Hit(None)


@rule("9000Q", since="2026-27", whole_return=True)
def pre_proceedings_start_date_not_collected(census: CensusView) -> Iterator[Hit]:
    """(N00826) has not been provided

    Note: the catalogue gives this query return scope, and its message is about an authority that does not
    yet collect the item, so it is raised once for the whole return when pre-proceedings groups are present
    but none of them has a <PPStartDate>. Raising it per group would repeat the same "provide a reason" for
    every record of such an authority. A return with no pre-proceedings group at all is 8995Q's case, so
    9000Q stays quiet then. An unreadable date counts as provided (the structural checks report it)."""
    modules = census.pre_proceedings
    if modules and not any(present(pp.pp_start_date) for _, _, pp in modules):
        yield Hit(None)


@rule("9005", since="2026-27")
def pre_proceedings_start_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If (N00826) is present, then (N00826) must fall within [Period_of_Census] inclusive.

    Read here as: If <PPStartDate> (N00826) is present, then it must fall within [Period_of_Census] inclusive."""
    for child, _episode, pp in census.pre_proceedings:
        if census.outside_year(pp.pp_start_date):
            yield Hit(pp, ("pp_start_date",), child)


@rule("9006", since="2026-27")
def letter_before_proceedings_date_invalid(census: CensusView) -> Iterator[Hit]:
    """If (N00827) is present, then (N00827) must fall within [Period_of_Census] inclusive and on or after (N00826).

    Read here as: If <LBPSentDate> (N00827) is present, then it must fall within [Period_of_Census] inclusive and on or
    after <PPStartDate> (N00826)."""
    for child, _episode, pp in census.pre_proceedings:
        if (census.outside_year(pp.lbp_sent_date)
                or before(pp.lbp_sent_date, pp.pp_start_date)):
            yield Hit(pp, ("lbp_sent_date",), child)


@rule("9007", since="2026-27")
def fgdm_offer_missing_after_letter_before_proceedings(census: CensusView) -> Iterator[Hit]:
    """If (N00827) is present, then (N00828) should be present.

    Read here as: If <LBPSentDate> (N00827) is present, then <FGDMMeetingOffer> (N00828) should be present.

    A letter date that is present but unreadable still says a letter was sent, so it counts as present."""
    for child, _episode, pp in census.pre_proceedings:
        if present(pp.lbp_sent_date) and missing(pp.fgdm_meeting_offer):
            yield Hit(pp, ("fgdm_meeting_offer",), child)


@rule("9008", since="2026-27")
def initial_pre_proceedings_meeting_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If (N00830) is present, then it must fall within [Period_of_Census] inclusive.

    Read here as: If <InitialPPMeetingDate> (N00830) is present, then it must fall within [Period_of_Census] inclusive.
    """
    for child, _episode, pp in census.pre_proceedings:
        if census.outside_year(pp.initial_pp_meeting_date):
            yield Hit(pp, ("initial_pp_meeting_date",), child)


@rule("9009", since="2026-27")
def step_decision_date_invalid(census: CensusView) -> Iterator[Hit]:
    """If (N00827) is present, then (N00827) must fall within [Period_of_Census] inclusive and on or after (N00826).

    Read here as: If <StepDecisionDate> (N00832) is present, then it must fall within [Period_of_Census] inclusive and
    on or after <PPStartDate> (N00826).

    Note: the DfE draft's condition repeats 9006's (it tests N00827, the letter before proceedings); the
    message is about "the date when the decision was made to step up or down", which is N00832, so that is
    the date checked here."""
    for child, _episode, pp in census.pre_proceedings:
        if (census.outside_year(pp.step_decision_date)
                or before(pp.step_decision_date, pp.pp_start_date)):
            yield Hit(pp, ("step_decision_date",), child)


@rule("9010Q", since="2026-27")
def fgdm_facilitated_missing_after_offer(census: CensusView) -> Iterator[Hit]:
    """If (N00828) is present and equals true, then (N00829) should be present.

    Read here as: If <FGDMMeetingOffer> (N00828) is present and equals true, then <FGDMMeetingFac> (N00829) should be
    present."""
    for child, _episode, pp in census.pre_proceedings:
        if is_true(pp.fgdm_meeting_offer) and missing(pp.fgdm_meeting_fac):
            yield Hit(pp, ("fgdm_meeting_fac",), child)


@rule("9011", since="2026-27")
def pre_proceedings_outcome_invalid(census: CensusView) -> Iterator[Hit]:
    """If (N00833) is present, then it must be a valid value (codeset CS131).

    Read here as: If <PPOutcome> (N00833) is present, then it must be a valid value (code set CS131)."""
    valid = CODE_SETS["PPOutcome"].valid(census.year)
    for child, _episode, pp in census.pre_proceedings:
        if present(pp.pp_outcome) and pp.pp_outcome not in valid:
            yield Hit(pp, ("pp_outcome",), child)


@rule("9012", since="2026-27")
def court_application_date_invalid(census: CensusView) -> Iterator[Hit]:
    """If (N00834) is present, then it must fall on or after (N008342 and must fall within [Period_of_Census] inclusive.

    Note: "N008342" is a typo in the DfE draft. The message says the court application must be "on or after
    the date of the decision to initiate care proceedings": that decision is the decision to step up,
    <StepDecisionDate> (N00832), so the court application date is compared with N00832."""
    for child, _episode, pp in census.pre_proceedings:
        if (census.outside_year(pp.court_app_date)
                or before(pp.court_app_date, pp.step_decision_date)):
            yield Hit(pp, ("court_app_date",), child)


@rule("9013", since="2026-27")
def letter_initiating_care_proceedings_date_invalid(census: CensusView) -> Iterator[Hit]:
    """If (N00834) is present, then it must fall on or after (N008342 and must fall within [Period_of_Census] inclusive.

    Note: the DfE draft's condition is a copy of 9012's (it tests N00834 against "N008342"). The message is
    about the letter initiating care proceedings, so this checks: if <LetterInitCPDate> (N00835) is present,
    it must fall within [Period_of_Census] inclusive and on or after <CourtAppDate> (N00834)."""
    for child, _episode, pp in census.pre_proceedings:
        if (census.outside_year(pp.letter_init_cp_date)
                or before(pp.letter_init_cp_date, pp.court_app_date)):
            yield Hit(pp, ("letter_init_cp_date",), child)


@rule("9015Q", since="2026-27")
def review_meetings_count_missing(census: CensusView) -> Iterator[Hit]:
    """If (N00830) is present, then (N00831) should be reported.

    Read here as: If <InitialPPMeetingDate> (N00830) is present, then <ReviewMeetingsCount> (N00831) should be reported.

    A count of 0 is a reported count; an unreadable meeting date still says a meeting was held."""
    for child, _episode, pp in census.pre_proceedings:
        if present(pp.initial_pp_meeting_date) and missing(pp.review_meetings_count):
            yield Hit(pp, ("review_meetings_count",), child)
