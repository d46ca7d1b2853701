from datetime import timedelta

from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)
Y = ("2026-27",)


def _ref(census):
    return census.header.collection_details.reference_date


def _start(census):
    ref = _ref(census)
    return ref.replace(year=ref.year - 1, month=4, day=1)


def _pp(census):
    return ep(census).pre_proceedings


def _set(field, value):
    """A change setting ``field`` of the pre-proceedings group to ``value(census)`` (or a constant)."""
    def change(census):
        setattr(_pp(census), field, value(census) if callable(value) else value)
    return change


def _day_before(field):
    return lambda c: getattr(_pp(c), field) - D


def _same_as(field):
    return lambda c: getattr(_pp(c), field)


def _no_pre_proceedings(census):
    ep(census).pre_proceedings = None


def _pre_proceedings_on_other_child(census):
    ep(census, 1, 0).pre_proceedings = ep(census).pre_proceedings
    ep(census).pre_proceedings = None


def _all(*changes):
    def change(census):
        for c in changes:
            c(census)
    return change


def _period_cases(code, field, earlier=None):
    """Out of [Period_of_Census] at either end, and the inclusive boundaries as near misses.

    ``earlier``: the date ``field`` must also be on or after, moved to 1 April with it in the near miss."""
    on_start = _all(_set(field, _start), *([_set(earlier, _start)] if earlier else []))
    return [
        Case(code, _set(field, lambda c: _ref(c) + D), _set(field, _ref), years=Y, expect=1, note="after-period"),
        Case(code, _set(field, lambda c: _start(c) - D), on_start, years=Y, expect=1, note="before-period"),
    ]


CASES = [
    Case("8995Q", _no_pre_proceedings, _pre_proceedings_on_other_child, years=Y, expect=1),
    Case("9000Q", _set("pp_start_date", None), _set("pp_start_date", "31/02/2026"), years=Y, expect=1),
    Case("9000Q", _set("pp_start_date", None), _no_pre_proceedings, years=Y, expect=1, note="no-groups"),
    *_period_cases("9005", "pp_start_date"),
    *_period_cases("9006", "lbp_sent_date", "pp_start_date"),
    Case("9006", _set("lbp_sent_date", _day_before("pp_start_date")), _set("lbp_sent_date", _same_as("pp_start_date")),
         years=Y, expect=1, note="before-start"),
    Case("9007", _set("fgdm_meeting_offer", None), _set("fgdm_meeting_offer", False), years=Y, expect=1),
    *_period_cases("9008", "initial_pp_meeting_date"),
    *_period_cases("9009", "step_decision_date", "pp_start_date"),
    Case("9009", _set("step_decision_date", _day_before("pp_start_date")),
         _set("step_decision_date", _same_as("pp_start_date")), years=Y, expect=1, note="before-start"),
    Case("9010Q", _set("fgdm_meeting_fac", None),
         _all(_set("fgdm_meeting_offer", False), _set("fgdm_meeting_fac", None)), years=Y, expect=1),
    Case("9011", _set("pp_outcome", "D"), _set("pp_outcome", "C"), years=Y, expect=1),
    *_period_cases("9012", "court_app_date", "step_decision_date"),
    Case("9012", _set("court_app_date", _day_before("step_decision_date")),
         _set("court_app_date", _same_as("step_decision_date")), years=Y, expect=1, note="before-decision"),
    *_period_cases("9013", "letter_init_cp_date", "court_app_date"),
    Case("9013", _set("letter_init_cp_date", _day_before("court_app_date")),
         _set("letter_init_cp_date", _same_as("court_app_date")), years=Y, expect=1, note="before-application"),
    Case("9015Q", _set("review_meetings_count", None), _set("review_meetings_count", 0), years=Y, expect=1),
]
