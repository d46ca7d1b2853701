"""Rules of the section47 module."""

from collections.abc import Iterator

from cin_xl.validation.helpers import (
    add_working_days,
    after,
    as_date,
    before,
    is_false,
    is_true,
    is_weekend,
    missing,
    present,
)
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView


def initial_cpcs(census):
    """``(child, episode, record)`` for every record that can hold a <DateOfInitialCPC> (N00110): each
    <CINdetails> (a conference held with no section 47 in the episode) and each <Section47> group.
    Both hold it as ``date_of_initial_cpc``."""
    for child, episode in census.episodes:
        yield child, episode, episode
        for s47 in episode.section47s:
            yield child, episode, s47


def _is_open(s47) -> bool:
    """A section 47 enquiry still waiting for its initial conference: no <DateOfInitialCPC> and
    <ICPCnotRequired> not true."""
    return missing(s47.date_of_initial_cpc) and not is_true(s47.icpc_not_required)


@rule("1104")
def initial_cpc_before_referral(census: CensusView) -> Iterator[Hit]:
    """Where present, the <DateOfInitialCPC> (N00110) should be on or after <CINreferralDate> (N00100).

    Checked wherever the date is held: on the <CINdetails> group and in each of its <Section47> groups."""
    for child, episode, record in initial_cpcs(census):
        if before(record.date_of_initial_cpc, episode.referral_date):
            yield Hit(record, ("date_of_initial_cpc",), child, related=((episode, ("referral_date",)),))


@rule("2884")
def initial_cpc_recorded_twice(census: CensusView) -> Iterator[Hit]:
    """Within one <CINdetails> group, <DateOfInitialCPC> (N00110) must not be recorded both at CINdetails
    level and in a <Section47> group of that same episode; record it in one place only."""
    for child, episode in census.episodes:
        if missing(episode.date_of_initial_cpc):
            continue
        if any(present(s47.date_of_initial_cpc) for s47 in episode.section47s):
            yield Hit(episode, ("date_of_initial_cpc",), child)


@rule("2889")
def s47_starts_before_referral(census: CensusView) -> Iterator[Hit]:
    """Where present, the <S47ActualStartDate> (N00148) should be on or after the <CINReferralDate> (N00100)"""
    for child, episode, s47 in census.section47s:
        if before(s47.start_date, episode.referral_date):
            yield Hit(s47, ("start_date",), child, related=((episode, ("referral_date",)),))


@rule("8615")
def s47_start_missing_or_after_initial_cpc(census: CensusView) -> Iterator[Hit]:
    """Within a <Section47> group, if <DateOfInitialCPC> (N00110) is present then <S47ActualStartDate>
    (N00148) must be present and on or before the <DateOfInitialCPC> (N00110)."""
    for child, _, s47 in census.section47s:
        if present(s47.date_of_initial_cpc) and (missing(s47.start_date)
                                                 or after(s47.start_date, s47.date_of_initial_cpc)):
            yield Hit(s47, ("start_date",), child)


@rule("8675Q")
def s47_without_initial_cpc_started_long_ago(census: CensusView) -> Iterator[Hit]:
    """If <DateOfInitialCPC> (N00110) not present and <ICPCnotReqiured> (N00111) equals false then <S47ActualStartDate>
    (N00148) should not be before the <ReferenceDate> (N00603) minus 15 working days"""
    cutoff = add_working_days(census.reference_date, -15)
    for child, _, s47 in census.section47s:
        if missing(s47.date_of_initial_cpc) and is_false(s47.icpc_not_required) and before(s47.start_date, cutoff):
            yield Hit(s47, ("start_date",), child)


@rule("8715")
def initial_cpc_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If present <DateOfInitialCPC> (N00110) must be on or between [Start_Of_Census_Year] and <ReferenceDate> (N00603)
    A value is out of range if it is before the start or after the end.

    Checked wherever the date is held: on the <CINdetails> group and in each of its <Section47> groups."""
    for child, _, record in initial_cpcs(census):
        if census.outside_year(record.date_of_initial_cpc):
            yield Hit(record, ("date_of_initial_cpc",), child)


@rule("8740")
def open_s47_started_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If a <Section47> group does not contain the <DateOfInitialCPC> (N00110) and <ICPCnotRequired>
    (N00111) is false then the <S47ActualStartDate> (N00148) must be on or between [Start_Of_Census_Year]
    and <ReferenceDate> (N00603)."""
    for child, _, s47 in census.section47s:
        if missing(s47.date_of_initial_cpc) and is_false(s47.icpc_not_required) \
                and census.outside_year(s47.start_date):
            yield Hit(s47, ("start_date",), child)


@rule("8839")
def several_open_s47s_in_episode(census: CensusView) -> Iterator[Hit]:
    """Within one <CINdetails> group, there must be only one <Section47> group that has no <DateOfInitialCPC> (N00110)
    recorded OR <Section47> group that has a missing <DateOfInitialCPC> (N00110) and the <ICPCnotRequired> (N00111) flag
    is not true

    Note: the condition's two clauses are read as one, after the message ("2 or more open S47"): an open
    enquiry has no <DateOfInitialCPC> and <ICPCnotRequired> not true (an enquiry that needed no
    conference is finished). Every open enquiry of such an episode is reported."""
    for child, episode in census.episodes:
        open_s47s = [s47 for s47 in episode.section47s if _is_open(s47)]
        if len(open_s47s) > 1:
            for s47 in open_s47s:
                yield Hit(s47, ("date_of_initial_cpc",), child)


@rule("8870Q")
def initial_cpc_target_on_weekend(census: CensusView) -> Iterator[Hit]:
    """<InitialCPCtarget> (N00109) should not be a Saturday, Sunday."""
    for child, _, s47 in census.section47s:
        target = as_date(s47.initial_cpc_target)
        if target is not None and is_weekend(target):
            yield Hit(s47, ("initial_cpc_target",), child)


@rule("8875")
def initial_cpc_on_weekend(census: CensusView) -> Iterator[Hit]:
    """<DateOfInitialCPC> should not be a Saturday, Sunday

    Checked wherever the date is held: on the <CINdetails> group and in each of its <Section47> groups."""
    for child, _, record in initial_cpcs(census):
        day = as_date(record.date_of_initial_cpc)
        if day is not None and is_weekend(day):
            yield Hit(record, ("date_of_initial_cpc",), child)
