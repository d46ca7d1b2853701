from datetime import date, timedelta

from cin_xl.census.calendar import add_working_days
from cin_xl.census.model import Assessment
from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)


def _ref(census) -> date:
    return census.header.collection_details.reference_date


def _start(census) -> date:
    return date(_ref(census).year - 1, 4, 1)


def _first(census) -> Assessment:
    return ep(census).assessments[0]


def _latest(census) -> Assessment:
    return ep(census, 0, 1).assessments[0]


def _start_before_referral(census):
    episode = ep(census)
    episode.assessments[0].start_date = episode.referral_date - timedelta(days=1)


def _start_on_referral(census):
    episode = ep(census)
    episode.assessments[0].start_date = episode.referral_date


# 8608 ----------------------------------------------------------------------------------------------------

def _authorised_vs_start(offset):
    def change(census):
        _first(census).authorisation_date = _first(census).start_date + offset
    return change


# 8614 ----------------------------------------------------------------------------------------------------

def _open_with_factors(census):
    _latest(census).factors = ["21"]


def _completed_with_factors(census):
    _latest(census).authorisation_date = _ref(census)
    _latest(census).factors = ["21"]


# 8670Q ---------------------------------------------------------------------------------------------------

def _open_since(offset):
    def change(census):
        day = add_working_days(_ref(census), -45) + offset
        ep(census, 0, 1).referral_date = day
        _latest(census).start_date = day
    return change


# 8696 ----------------------------------------------------------------------------------------------------

def _authorised_on(where, offset):
    def change(census):
        _first(census).authorisation_date = (_ref(census) if where == "ref" else _start(census)) + offset
    return change


# 8736 ----------------------------------------------------------------------------------------------------

def _open_started_on(where, offset, authorised=False):
    def change(census):
        a = _latest(census)
        a.start_date = (_ref(census) if where == "ref" else _start(census)) + offset
        if authorised:
            a.authorisation_date = _start(census)
    return change


# 8863Q / 8896 --------------------------------------------------------------------------------------------

def _second_assessment_from_auth(offset):
    def change(census):
        auth = _first(census).authorisation_date
        ep(census).assessments.append(Assessment(start_date=auth + offset, authorisation_date=auth + 5 * D,
                                                 factors=["20"]))
    return change


def _second_in_latest_episode(authorised):
    def change(census):
        ref = _ref(census)
        _latest(census).authorisation_date = ref - 11 * D if authorised else None
        ep(census, 0, 1).assessments.append(Assessment(start_date=ref - 10 * D))
    return change


def _latest_second_open(authorised):
    def change(census):
        ref = _ref(census)
        ep(census, 0, 1).assessments.append(
            Assessment(start_date=ref - 10 * D, authorisation_date=ref - 5 * D if authorised else None))
    return change


# factors -------------------------------------------------------------------------------------------------

def _factors(*codes, auth=None):
    def change(census):
        _first(census).factors = list(codes)
        if auth is not None:
            _first(census).authorisation_date = auth(census)
    return change


def _no_factors_closed(reason):
    def change(census):
        _first(census).factors = ["21"]
        ep(census).reason_for_closure = reason
    return change


def _no_factors_two_assessments(census):
    _first(census).factors = ["21"]
    first = _first(census)
    ep(census).assessments.append(Assessment(start_date=first.authorisation_date + D,
                                             authorisation_date=first.authorisation_date + 2 * D, factors=["3B"]))


def _no_factors_open_episode(census):
    _latest(census).authorisation_date = _ref(census)
    _latest(census).factors = ["21"]


CASES = [
    Case("1103", _start_before_referral, _start_on_referral, expect=1),
    Case("8608", _authorised_vs_start(-D), _authorised_vs_start(0 * D), expect=1),
    Case("8614", _open_with_factors, _completed_with_factors, expect=1),
    Case("8670Q", _open_since(-D), _open_since(0 * D), expect=1),
    Case("8696", _authorised_on("ref", D), _authorised_on("ref", 0 * D), expect=1, note="after"),
    Case("8696", _authorised_on("start", -D), _authorised_on("start", 0 * D), expect=1, note="before"),
    Case("8736", _open_started_on("ref", D), _open_started_on("ref", 0 * D), expect=1, note="after"),
    Case("8736", _open_started_on("start", -D), _open_started_on("start", -D, authorised=True), expect=1,
         note="before"),
    Case("8863Q", _second_assessment_from_auth(0 * D), _second_assessment_from_auth(D), expect=1, note="closed"),
    Case("8863Q", _second_in_latest_episode(False), _second_in_latest_episode(True), expect=1, note="open"),
    Case("8869", _factors("21", "3B"), _factors("21"), expect=1),
    Case("8873Q", _no_factors_closed("RC7"), _no_factors_closed("RC8"), expect=1),
    Case("8873Q", _no_factors_closed("RC7"), _no_factors_two_assessments, expect=1, note="two-assessments"),
    Case("8873Q", _no_factors_closed("RC7"), _no_factors_open_episode, expect=1, note="open-episode"),
    Case("8873Q", _no_factors_closed(None), _no_factors_closed("RC9"), expect=1, note="no-reason"),
    Case("8896", _latest_second_open(False), _latest_second_open(True), expect=2),
    Case("8897Q", _factors(), _factors("18A"), expect=1, note="missing"),
    Case("8897Q", _factors("99"), _factors(auth=lambda c: _start(c) - D), expect=1, note="invalid"),
    Case("8898", _factors("3B", "3B"), _factors("3B", "3C"), expect=1),
    Case("8945Q", _factors("18A"), _factors("18B"), expect=1),
    Case("8950Q", _factors("19A"), _factors("19C"), expect=1),
]
