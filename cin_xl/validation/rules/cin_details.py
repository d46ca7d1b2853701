"""Rules of the cin_details module."""

from collections.abc import Iterator
from datetime import date

from cin_xl.census.model import Node
from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.validation.helpers import (
    add_working_days,
    after,
    as_date,
    before,
    days,
    is_false,
    is_true,
    missing,
    on_or_after,
    present,
    within,
)
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView

#: closure reasons meaning "case closed after assessment" (no further action / referred to early help)
_CLOSED_AFTER_ASSESSMENT = ("RC8", "RC9")
#: [ReferralSource] is required for referrals from this date (rule 8866)
_REFERRAL_SOURCE_FROM = date(2013, 4, 1)


def _is_open(episode) -> bool:
    """No <CINclosureDate> and <ReferralNFA> false: an open episode of need (rules 8815, 8816, 8820)."""
    return missing(episode.closure_date) and is_false(episode.referral_nfa)


def _by_child(census):
    """Each child's (child, episode) pairs, in return order, for the children with episodes (made once
    per validation: three rules ask)."""
    return census.derived("episodes by child", lambda: [[(child, episode) for episode in child.cin_details]
                                                        for child in census.children if child.cin_details])


@rule("2990")
def activity_after_closure_following_assessment(census: CensusView) -> Iterator[Hit]:
    """If a <CINDetails> module has <ReasonForClosure> (N00103) = RC8 or RC9, then it cannot have any of the following
    modules: <Section47> module <ChildProtectionPlan> module <DateofInitialCPC> (N00110) within the <CINDetails> module
    <CINPlanDates> module"""
    for child, episode in census.episodes:
        if episode.reason_for_closure not in _CLOSED_AFTER_ASSESSMENT:
            continue
        related = [(n, ("start_date",)) for n in (*episode.section47s, *episode.child_protection_plans,
                                                   *episode.cin_plans)]
        fields: tuple[str, ...] = ("reason_for_closure",)
        if present(episode.date_of_initial_cpc):
            fields += ("date_of_initial_cpc",)
        if related or len(fields) > 1:
            yield Hit(episode, fields, child, tuple(related))


@rule("2991Q")
def section47_without_assessment(census: CensusView) -> Iterator[Hit]:
    """If <Section47> module is present then <Assessment> module should be present.

    Read within one episode: one finding per episode, on its first section 47 enquiry."""
    for child, episode in census.episodes:
        if episode.section47s and not episode.assessments:
            yield Hit(episode.section47s[0], ("start_date",), child)


@rule("8555Q")
def referral_after_death(census: CensusView) -> Iterator[Hit]:
    """<CINreferralDate> (N00100) must be on or before the <PersonDeathDate> (N00108)."""
    for child, episode in census.episodes:
        identifiers = child.identifiers
        if after(episode.referral_date, identifiers.person_death_date):
            yield Hit(episode, ("referral_date",), child, ((identifiers, ("person_death_date",)),))


@rule("8568")
def referral_nfa_missing_or_invalid(census: CensusView) -> Iterator[Hit]:
    """<ReferralNFA> (N00112) must be present and must be 1 or 0, true or false."""
    for child, episode in census.episodes:
        if not isinstance(episode.referral_nfa, bool):
            yield Hit(episode, ("referral_nfa",), child)


@rule("8569Q")
def nfa_referral_before_census_year(census: CensusView) -> Iterator[Hit]:
    """If <CINreferralDate> (N00100) is before [Start_of_Census_Year] minus 1 working day, <ReferralNFA>
    (N00112) must be false."""
    earliest = add_working_days(census.start, -1)
    for child, episode in census.episodes:
        if is_true(episode.referral_nfa) and before(episode.referral_date, earliest):
            yield Hit(episode, ("referral_nfa", "referral_date"), child)


@rule("8585Q")
def closed_as_died_without_death_date(census: CensusView) -> Iterator[Hit]:
    """<ReasonForClosure> (N00103) = RC2 (Died) then a valid <PersonDeathDate> (N00108) must be present."""
    for child, episode in census.episodes:
        if episode.reason_for_closure == "RC2" and as_date(child.identifiers.person_death_date) is None:
            yield Hit(episode, ("reason_for_closure",), child, ((child.identifiers, ("person_death_date",)),))


@rule("8600")
def referral_date_missing_or_after_census(census: CensusView) -> Iterator[Hit]:
    """<CINreferralDate> (N00100) must be present and must be on or before <ReferenceDate> (N00603)."""
    for child, episode in census.episodes:
        if missing(episode.referral_date) or after(episode.referral_date, census.reference_date):
            yield Hit(episode, ("referral_date",), child)


@rule("8606")
def referral_long_before_birth(census: CensusView) -> Iterator[Hit]:
    """<CINreferralDate> (N00100) cannot be more than 280 days before <PersonBirthDate> (N00066) or
    <ExpectedPersonBirthDate>

    Note: the date of birth is used when it is known, the expected date of birth otherwise (an expected
    date kept for a child since born, possibly early, does not count against the referral)."""
    for child, episode in census.episodes:
        identifiers = child.identifiers
        birth = as_date(identifiers.person_birth_date)
        name = "person_birth_date"
        if birth is None:
            birth, name = as_date(identifiers.expected_person_birth_date), "expected_person_birth_date"
        if birth is not None and before(episode.referral_date, birth - days(280)):
            yield Hit(episode, ("referral_date",), child, ((identifiers, (name,)),))


@rule("8610")
def primary_need_missing(census: CensusView) -> Iterator[Hit]:
    """If <ReferralNFA> (N00112) = false or 0 then <PrimaryNeedCode> (N00101) must be present."""
    for child, episode in census.episodes:
        if is_false(episode.referral_nfa) and missing(episode.primary_need_code):
            yield Hit(episode, ("primary_need_code",), child)


@rule("8620")
def closure_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If <CINclosureDate> (N00102) is present, it must be within [Period_of_Census]."""
    for child, episode in census.episodes:
        if census.outside_year(episode.closure_date):
            yield Hit(episode, ("closure_date",), child)


@rule("8630")
def closure_before_referral(census: CensusView) -> Iterator[Hit]:
    """If present <CINclosureDate> (N00102) must be on or after <CINreferralDate> (N00100) in the same
    <CINdetails> instance."""
    for child, episode in census.episodes:
        if before(episode.closure_date, episode.referral_date):
            yield Hit(episode, ("closure_date",), child)


@rule("8640")
def reason_for_closure_invalid(census: CensusView) -> Iterator[Hit]:
    """If <ReasonForClosure> (N00103) is present it must be a valid Reason for Closure code (RC1-RC9)."""
    valid = CODE_SETS["ReasonForClosure"].valid(census.year)
    for child, episode in census.episodes:
        if present(episode.reason_for_closure) and episode.reason_for_closure not in valid:
            yield Hit(episode, ("reason_for_closure",), child)


@rule("8650")
def primary_need_invalid(census: CensusView) -> Iterator[Hit]:
    """If present <PrimaryNeedCode> (N00101) must be a valid primary need code value."""
    valid = CODE_SETS["PrimaryNeed"].valid(census.year)
    for child, episode in census.episodes:
        if present(episode.primary_need_code) and episode.primary_need_code not in valid:
            yield Hit(episode, ("primary_need_code",), child)


@rule("8805")
def closure_without_reason(census: CensusView) -> Iterator[Hit]:
    """If <CINclosureDate> (N00102) is present then <ReasonForClosure> (N00103) must also be present"""
    for child, episode in census.episodes:
        if present(episode.closure_date) and missing(episode.reason_for_closure):
            yield Hit(episode, ("reason_for_closure",), child)


@rule("8810")
def reason_without_closure(census: CensusView) -> Iterator[Hit]:
    """If <ReasonForClosure> (N00103) is present then <CINclosureDate> (N00102) must also be present"""
    for child, episode in census.episodes:
        if present(episode.reason_for_closure) and missing(episode.closure_date):
            yield Hit(episode, ("closure_date",), child)


@rule("8815")
def more_than_one_open_episode(census: CensusView) -> Iterator[Hit]:
    """If more than one <CINdetails> module is present for the same child, then there must only be one where:
    <CINclosureDate> (N00102) is missing; and <ReferralNFA> (N00112) = false or 0

    Every open episode of such a child is reported."""
    for episodes in _by_child(census):
        open_ = [(child, episode) for child, episode in episodes if _is_open(episode)]
        if len(open_) > 1:
            for child, episode in open_:
                yield Hit(episode, ("closure_date",), child)


@rule("8816")
def open_episode_not_latest(census: CensusView) -> Iterator[Hit]:
    """If there is a <CINdetails> module present for the child where: <CINclosureDate> (N00102) is missing; and
    <ReferralNFA> (N00112) = false or 0 then the <CINreferralDate> (N00100) for this module must be the latest of all
    Referral Dates for that child."""
    for episodes in _by_child(census):
        if len(episodes) < 2:
            continue
        dates = [d for d in (as_date(e.referral_date) for _, e in episodes) if d is not None]
        latest = max(dates, default=None)
        for child, episode in episodes:
            if _is_open(episode) and before(episode.referral_date, latest):
                yield Hit(episode, ("referral_date", "closure_date"), child)


@rule("8820")
def episodes_overlap(census: CensusView) -> Iterator[Hit]:
    """If more than one <CINdetails> module is present for the same child, then for each module the <CINreferralDate>
    (N00100) must not fall; a) between the <CINreferralDate> (N00100) and the <CINclosureDate> (N00102) if present; and
    b) between the <CINreferralDate> (N00100) and the <ReferenceDate> (N00603) if the <CINclosureDate> is not present
    and <ReferralNFA> (N00112) = false or 0 Note: the effect of this rule is that there cannot be overlapping referrals,
    although the end date of one referral may be the same as the start date of the following referral.

    Note: as the DfE note says, one episode may end on the day the next starts, so the other episode's
    period is taken to run from its referral date up to, not including, its closure date. An episode whose
    closure date could not be read, or that is open with <ReferralNFA> not false, gives no period."""
    for episodes in _by_child(census):
        if len(episodes) < 2:
            continue
        periods = []  # (episode, first day, last day) of each episode with a known period
        for _, episode in episodes:
            start = as_date(episode.referral_date)
            if start is None:
                continue
            end = as_date(episode.closure_date)
            if end is not None:
                last = end - days(1)
            elif missing(episode.closure_date) and is_false(episode.referral_nfa):
                last = census.reference_date
            else:
                continue
            if start <= last:
                periods.append((episode, start, last))
        for child, episode in episodes:
            for other, first, last in periods:
                if other is not episode and within(episode.referral_date, first, last):
                    yield Hit(episode, ("referral_date",), child, ((other, ("referral_date", "closure_date")),))
                    break


@rule("8825Q")
def closed_after_assessment_without_assessment(census: CensusView) -> Iterator[Hit]:
    """If <ReasonforClosure> (N00103) = RC8 or RC9 then at least one <Assessments> module must be present"""
    for child, episode in census.episodes:
        if episode.reason_for_closure in _CLOSED_AFTER_ASSESSMENT and not episode.assessments:
            yield Hit(episode, ("reason_for_closure",), child)


@rule("8831")
def activity_on_nfa_referral(census: CensusView) -> Iterator[Hit]:
    """If a <CINdetails> module has <ReferralNFA> (N00112) = true or 1, then it cannot have any of the following:
    <AssessmentActualStartDate> (N00159) <AssessmentAuthorisationDate> (N00160) <S47ActualStartDate> (N00148)
    <DateOfInitialCPC> (N00110)

    A conference date inside a section 47 enquiry counts too."""
    for child, episode in census.episodes:
        if not is_true(episode.referral_nfa):
            continue
        related: list[tuple[Node, tuple[str, ...]]] = []
        for a in episode.assessments:
            names = tuple(n for n in ("start_date", "authorisation_date") if present(getattr(a, n)))
            if names:
                related.append((a, names))
        for s in episode.section47s:
            names = tuple(n for n in ("start_date", "date_of_initial_cpc") if present(getattr(s, n)))
            if names:
                related.append((s, names))
        fields: tuple[str, ...] = ("referral_nfa",)
        if present(episode.date_of_initial_cpc):
            fields += ("date_of_initial_cpc",)
        if related or len(fields) > 1:
            yield Hit(episode, fields, child, tuple(related))


@rule("8866")
def referral_source_missing_or_invalid(census: CensusView) -> Iterator[Hit]:
    """If <CinReferralDate> (N00100) is on or after 1 April 2013 then <ReferralSource> (N00152) must be present and must
    be a valid code"""
    valid = CODE_SETS["ReferralSource"].valid(census.year)
    for child, episode in census.episodes:
        if on_or_after(episode.referral_date, _REFERRAL_SOURCE_FROM) and episode.referral_source not in valid:
            yield Hit(episode, ("referral_source",), child)


@rule("8867")
def closed_with_assessment_not_completed(census: CensusView) -> Iterator[Hit]:
    """If <CINclosureDate> (N00102) is present then all instances of the <Assessments> group must include the
    <AssesssmentAuthorisationDate> (N00160)"""
    for child, episode, assessment in census.assessments:
        if present(episode.closure_date) and missing(assessment.authorisation_date):
            yield Hit(assessment, ("authorisation_date",), child)


@rule("8868")
def closed_with_section47_not_completed(census: CensusView) -> Iterator[Hit]:
    """If <CINclosureDate> (N00102) is present then all instances of the <Section47> group must either i) include the
    <DateOfInitialCPC> (N00110) or ii) include <ICPCnotRequired> (N00111) with a value of true or 1"""
    for child, episode, s47 in census.section47s:
        if present(episode.closure_date) and missing(s47.date_of_initial_cpc) and not is_true(s47.icpc_not_required):
            yield Hit(s47, ("date_of_initial_cpc",), child)


@rule("8890")
def section47_starts_during_another(census: CensusView) -> Iterator[Hit]:
    """Within one <CINdetails> group, each <S47ActualStartDate> (N00148) must not fall on or between a) the
    <S47ActualStartDate> (N00148) and <DateOfInitialCPC> (N00110) of any other <Section47> group that has a
    <DateOfInitialCPC> (N00110) or b) the <S47ActualStartDate> (N00148) and the <ReferenceDate> (N00603) of any other
    <Section47> group that has a missing <DateOfInitialCPC> (N00110) and the <ICPCnotRequired> (N00111) flag is not true

    Note: an enquiry whose conference date could not be read gives no period."""
    for child, episode in census.episodes:
        enquiries = episode.section47s
        if len(enquiries) < 2:
            continue
        for s47 in enquiries:
            for other in enquiries:
                if other is s47:
                    continue
                if present(other.date_of_initial_cpc):
                    hit = within(s47.start_date, other.start_date, other.date_of_initial_cpc)
                else:
                    hit = (not is_true(other.icpc_not_required)
                           and within(s47.start_date, other.start_date, census.reference_date))
                if hit:
                    yield Hit(s47, ("start_date",), child, ((other, ("start_date", "date_of_initial_cpc")),))
                    break
