from datetime import timedelta

from cin_xl.census.calendar import add_working_days
from cin_xl.census.model import Section47
from cin_xl.census.years import CensusYear
from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)


def _year(census) -> CensusYear:
    return CensusYear.from_xml_year(census.header.collection_details.year)


def _s47(census):
    return ep(census).section47s[0]


def _move_icpc_to_episode(census, day=None):
    """The conference recorded at CINdetails level instead of on the section 47."""
    s47 = _s47(census)
    ep(census).date_of_initial_cpc = day or s47.date_of_initial_cpc
    s47.date_of_initial_cpc = None
    s47.icpc_not_required = True


def _saturday_after(day):
    return day + (5 - day.weekday()) % 7 * D


def _friday_before(day):
    return day - (day.weekday() - 4) % 7 * D


def _open_s47(census, start):
    """The base enquiry left waiting for its conference, started on ``start``."""
    s47 = _s47(census)
    s47.date_of_initial_cpc = None
    s47.icpc_not_required = False
    s47.start_date = start


# 1104 -----------------------------------------------------------------------------------------

def _s47_icpc_before_referral(census):
    _s47(census).date_of_initial_cpc = ep(census).referral_date - D


def _s47_icpc_on_referral(census):
    _s47(census).date_of_initial_cpc = ep(census).referral_date


def _episode_icpc_before_referral(census):
    _move_icpc_to_episode(census, ep(census).referral_date - D)


def _episode_icpc_on_referral(census):
    _move_icpc_to_episode(census, ep(census).referral_date)


# 2884 -----------------------------------------------------------------------------------------

def _icpc_at_both_levels(census):
    ep(census).date_of_initial_cpc = _s47(census).date_of_initial_cpc


# 2889 -----------------------------------------------------------------------------------------

def _s47_before_referral(census):
    _s47(census).start_date = ep(census).referral_date - D


def _s47_on_referral(census):
    _s47(census).start_date = ep(census).referral_date


# 8615 -----------------------------------------------------------------------------------------

def _s47_after_icpc(census):
    _s47(census).start_date = _s47(census).date_of_initial_cpc + D


def _s47_on_icpc(census):
    _s47(census).start_date = _s47(census).date_of_initial_cpc


def _s47_start_missing(census):
    _s47(census).start_date = None


def _s47_start_missing_without_icpc(census):
    _s47(census).start_date = None
    _s47(census).date_of_initial_cpc = None


# 8675Q ----------------------------------------------------------------------------------------

def _open_s47_16_working_days(census):
    _open_s47(census, add_working_days(_year(census).reference_date, -16))


def _open_s47_15_working_days(census):
    _open_s47(census, add_working_days(_year(census).reference_date, -15))


def _old_s47_icpc_not_required(census):
    _open_s47(census, add_working_days(_year(census).reference_date, -16))
    _s47(census).icpc_not_required = True


# 8715 -----------------------------------------------------------------------------------------

def _s47_icpc_before_year(census):
    _s47(census).date_of_initial_cpc = _year(census).start - D


def _s47_icpc_on_year_start(census):
    _s47(census).date_of_initial_cpc = _year(census).start


def _episode_icpc_after_year(census):
    _move_icpc_to_episode(census, _year(census).reference_date + D)


def _episode_icpc_on_reference_date(census):
    _move_icpc_to_episode(census, _year(census).reference_date)


# 8740 -----------------------------------------------------------------------------------------

def _open_s47_before_year(census):
    _open_s47(census, _year(census).start - D)


def _open_s47_on_year_start(census):
    _open_s47(census, _year(census).start)


# 8839 -----------------------------------------------------------------------------------------

def _two_open_s47s(census):
    s47 = _s47(census)
    _open_s47(census, s47.start_date)
    ep(census).section47s.append(Section47(start_date=s47.start_date + D, icpc_not_required=False))


def _open_s47_and_one_not_needing_icpc(census):
    s47 = _s47(census)
    _open_s47(census, s47.start_date)
    ep(census).section47s.append(Section47(start_date=s47.start_date + D, icpc_not_required=True))


# 8870Q ----------------------------------------------------------------------------------------

def _target_on_saturday(census):
    _s47(census).initial_cpc_target = _saturday_after(_s47(census).initial_cpc_target)


def _target_on_friday(census):
    _s47(census).initial_cpc_target = _friday_before(_s47(census).initial_cpc_target)


# 8875 -----------------------------------------------------------------------------------------

def _s47_icpc_on_sunday(census):
    _s47(census).date_of_initial_cpc = _saturday_after(_s47(census).date_of_initial_cpc) + D


def _s47_icpc_on_friday(census):
    _s47(census).date_of_initial_cpc = _friday_before(_s47(census).date_of_initial_cpc)


def _episode_icpc_on_saturday(census):
    _move_icpc_to_episode(census, _saturday_after(_s47(census).date_of_initial_cpc))


def _episode_icpc_on_monday(census):
    _move_icpc_to_episode(census, _saturday_after(_s47(census).date_of_initial_cpc) + 2 * D)


CASES = [
    Case("1104", _s47_icpc_before_referral, _s47_icpc_on_referral, expect=1),
    Case("1104", _episode_icpc_before_referral, _episode_icpc_on_referral, expect=1, note="cin-details"),
    Case("2884", _icpc_at_both_levels, _move_icpc_to_episode, expect=1),
    Case("2889", _s47_before_referral, _s47_on_referral, expect=1),
    Case("8615", _s47_after_icpc, _s47_on_icpc, expect=1),
    Case("8615", _s47_start_missing, _s47_start_missing_without_icpc, expect=1, note="missing"),
    Case("8675Q", _open_s47_16_working_days, _open_s47_15_working_days, expect=1),
    Case("8675Q", _open_s47_16_working_days, _old_s47_icpc_not_required, expect=1, note="not-required"),
    Case("8715", _s47_icpc_before_year, _s47_icpc_on_year_start, expect=1),
    Case("8715", _episode_icpc_after_year, _episode_icpc_on_reference_date, expect=1, note="cin-details"),
    Case("8740", _open_s47_before_year, _open_s47_on_year_start, expect=1),
    Case("8839", _two_open_s47s, _open_s47_and_one_not_needing_icpc, expect=2),
    Case("8870Q", _target_on_saturday, _target_on_friday, expect=1),
    Case("8875", _s47_icpc_on_sunday, _s47_icpc_on_friday, expect=1),
    Case("8875", _episode_icpc_on_saturday, _episode_icpc_on_monday, expect=1, note="cin-details"),
]
