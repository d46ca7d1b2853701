from datetime import date, timedelta

from cin_xl.census.calendar import add_working_days
from cin_xl.census.model import CINPlan, Section47
from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)


def _ref(census) -> date:
    return census.header.collection_details.reference_date


def _start(census) -> date:
    return date(_ref(census).year - 1, 4, 1)


def _set(child: int, episode: int, **values):
    def change(census):
        e = ep(census, child, episode)
        for name, value in values.items():
            setattr(e, name, value)
    return change


# 2990 ----------------------------------------------------------------------------------------------------

def _b2_rc8_with_icpc(census):
    e = ep(census, 1, 0)
    e.reason_for_closure = "RC8"
    e.date_of_initial_cpc = e.referral_date


# 2991Q ---------------------------------------------------------------------------------------------------

def _no_assessment_no_s47(census):
    ep(census).assessments = []
    ep(census).section47s = []


# 8555Q ---------------------------------------------------------------------------------------------------

def _death_before_latest_referral(census):
    census.children[0].identifiers.person_death_date = ep(census, 0, 1).referral_date - D


def _death_on_latest_referral(census):
    census.children[0].identifiers.person_death_date = ep(census, 0, 1).referral_date


# 8569Q ---------------------------------------------------------------------------------------------------

def _nfa_referral_on(offset):
    def change(census):
        e = ep(census, 1, 0)
        e.referral_date = add_working_days(_start(census), -1) + offset
        e.closure_date = e.referral_date
    return change


# 8585Q ---------------------------------------------------------------------------------------------------

def _died_with_death_date(value):
    def change(census):
        ep(census).reason_for_closure = "RC2"
        census.children[0].identifiers.person_death_date = ep(census).closure_date if value is None else value
    return change


# 8600 ----------------------------------------------------------------------------------------------------

def _latest_referral_on(offset):
    def change(census):
        ep(census, 0, 1).referral_date = _ref(census) + offset
        ep(census, 0, 1).assessments[0].start_date = _ref(census) + offset
    return change


# 8606 ----------------------------------------------------------------------------------------------------

def _born_days_after_referral(n):
    def change(census):
        census.children[0].identifiers.person_birth_date = ep(census).referral_date + n * D
    return change


def _expected_days_after_referral(n):
    def change(census):
        census.children[1].identifiers.expected_person_birth_date = ep(census, 1, 0).referral_date + n * D
    return change


def _born_early_expected_late(census):
    ids = census.children[0].identifiers
    ids.person_birth_date = ep(census).referral_date + 10 * D
    ids.expected_person_birth_date = ep(census).referral_date + 300 * D


# 8620 ----------------------------------------------------------------------------------------------------

def _closure_on(where, offset):
    def change(census):
        e = ep(census, 1, 0)
        e.closure_date = (_ref(census) if where == "ref" else _start(census)) + offset
        if where == "start":
            e.referral_date = e.closure_date
    return change


# 8815 / 8816 / 8820 --------------------------------------------------------------------------------------

_first_open = _set(0, 0, closure_date=None, reason_for_closure=None)
_first_open_nfa = _set(0, 0, closure_date=None, reason_for_closure=None, referral_nfa=True)


def _latest_referral_vs_first_closure(offset):
    def change(census):
        e = ep(census, 0, 1)
        e.referral_date = ep(census, 0, 0).closure_date + offset
        e.assessments[0].start_date = e.referral_date
    return change


# 8831 ----------------------------------------------------------------------------------------------------

def _b2_icpc(census):
    ep(census, 1, 0).date_of_initial_cpc = ep(census, 1, 0).referral_date


def _b2_cin_plan(census):
    ep(census, 1, 0).cin_plans = [CINPlan(start_date=ep(census, 1, 0).referral_date)]


# 8866 ----------------------------------------------------------------------------------------------------

def _old_referral_without_source(census):
    ep(census, 1, 0).referral_date = date(2013, 3, 31)
    ep(census, 1, 0).referral_source = None


# 8867 / 8868 ---------------------------------------------------------------------------------------------

def _first_assessment_open(census):
    ep(census).assessments[0].authorisation_date = None
    ep(census).assessments[0].factors = []


def _s47_without_icpc(not_required):
    def change(census):
        s47 = ep(census).section47s[0]
        s47.date_of_initial_cpc = None
        s47.icpc_not_required = not_required
    return change


# 8890 ----------------------------------------------------------------------------------------------------

def _second_s47_at_icpc(offset):
    def change(census):
        icpc = ep(census).section47s[0].date_of_initial_cpc
        ep(census).section47s.append(Section47(start_date=icpc + offset, icpc_not_required=True))
    return change


def _first_s47_unfinished(not_required):
    def change(census):
        first = ep(census).section47s[0]
        icpc = first.date_of_initial_cpc
        first.date_of_initial_cpc = None
        first.icpc_not_required = not_required
        ep(census).section47s.append(Section47(start_date=icpc + 30 * D, icpc_not_required=True))
    return change


CASES = [
    Case("2990", _set(0, 0, reason_for_closure="RC9"), _set(1, 0, reason_for_closure="RC9"), expect=1,
         note="modules"),
    Case("2990", _b2_rc8_with_icpc, _set(1, 0, reason_for_closure="RC8"), expect=1, note="icpc-date"),
    Case("2991Q", lambda c: setattr(ep(c), "assessments", []), _no_assessment_no_s47, expect=1),
    Case("8555Q", _death_before_latest_referral, _death_on_latest_referral, expect=1),
    Case("8568", _set(0, 0, referral_nfa=None), None, expect=1, note="missing"),
    Case("8568", _set(0, 0, referral_nfa="yes"), _set(0, 0, referral_nfa=True), expect=1, note="invalid"),
    Case("8569Q", _nfa_referral_on(-D), _nfa_referral_on(0 * D), expect=1),
    Case("8585Q", _set(0, 0, reason_for_closure="RC2"), _died_with_death_date(None), expect=1),
    Case("8585Q", _died_with_death_date("31/02/2025"), _died_with_death_date(None), expect=1, note="unreadable"),
    Case("8600", _latest_referral_on(D), _latest_referral_on(0 * D), expect=1),
    Case("8600", _set(1, 0, referral_date=None), None, expect=1, note="missing"),
    Case("8606", _born_days_after_referral(281), _born_days_after_referral(280), expect=1),
    Case("8606", _expected_days_after_referral(281), _expected_days_after_referral(280), expect=1,
         note="expected"),
    Case("8606", _born_days_after_referral(281), _born_early_expected_late, expect=1, note="born-early"),
    Case("8610", _set(0, 0, primary_need_code=None), _set(0, 0, primary_need_code="N0"), expect=1),
    Case("8620", _closure_on("ref", D), _closure_on("ref", 0 * D), expect=1, note="after"),
    Case("8620", _closure_on("start", -D), _closure_on("start", 0 * D), expect=1, note="before"),
    Case("8630", lambda c: setattr(ep(c, 1, 0), "closure_date", ep(c, 1, 0).referral_date - D), None, expect=1),
    Case("8640", _set(0, 0, reason_for_closure="RC10"), _set(0, 0, reason_for_closure="RC1"), expect=1),
    Case("8650", _set(0, 0, primary_need_code="N10"), _set(0, 0, primary_need_code="N0"), expect=1),
    Case("8805", _set(1, 0, reason_for_closure=None), _set(1, 0, reason_for_closure=None, closure_date=None),
         expect=1),
    Case("8810", _set(1, 0, closure_date=None), _set(1, 0, closure_date="31/02/2025"), expect=1),
    Case("8815", _first_open, _first_open_nfa, expect=2),
    Case("8816", _first_open, _first_open_nfa, expect=1),
    Case("8820", _latest_referral_vs_first_closure(-D), _latest_referral_vs_first_closure(0 * D), expect=1,
         note="closed"),
    Case("8820", _first_open, _first_open_nfa, expect=1, note="open"),
    Case("8825Q", _set(1, 0, reason_for_closure="RC8"), _set(0, 0, reason_for_closure="RC8"), expect=1),
    Case("8831", _set(0, 0, referral_nfa=True), _b2_cin_plan, expect=1),
    Case("8831", _b2_icpc, None, expect=1, note="icpc-date"),
    Case("8866", _set(0, 0, referral_source="11"), _set(0, 0, referral_source="10"), expect=1),
    Case("8866", _set(1, 0, referral_source=None), _old_referral_without_source, expect=1, note="missing"),
    Case("8867", _first_assessment_open, None, expect=1),
    Case("8868", _s47_without_icpc(False), _s47_without_icpc(True), expect=1),
    Case("8890", _second_s47_at_icpc(0 * D), _second_s47_at_icpc(D), expect=1),
    Case("8890", _first_s47_unfinished(False), _first_s47_unfinished(True), expect=1, note="unfinished"),
]
