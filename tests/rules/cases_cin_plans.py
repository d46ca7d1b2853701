from datetime import timedelta

from cin_xl.census.model import ChildProtectionPlan, CINPlan
from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)


def _ref(census):
    return census.header.collection_details.reference_date


def _start(census):
    ref = _ref(census)
    return ref.replace(year=ref.year - 1, month=4, day=1)


def _plan(census, child=0, episode=0):
    return ep(census, child, episode).cin_plans[0]


def _cpp(census):
    return ep(census).child_protection_plans[0]


def _set(getter, field, value):
    """A change setting ``field`` of the record ``getter(census)`` to ``value(census)`` (or a constant)."""
    def change(census):
        setattr(getter(census), field, value(census) if callable(value) else value)
    return change


# 4000
def _nfa_with_plan(census):
    ep(census).referral_nfa = True


def _nfa_without_plan(census):
    ep(census, 0, 1).referral_nfa = True


# 4001
def _both_open(census):
    _cpp(census).end_date = None
    _plan(census).end_date = None


def _cpp_open_cin_plan_closed(census):
    _cpp(census).end_date = None


# 4004
def _open_plans_in_two_episodes(census):
    _plan(census).end_date = None
    ep(census, 0, 1).cin_plans.append(CINPlan(start_date=ep(census, 0, 1).referral_date + 2 * D))


def _one_open_plan(census):
    ep(census, 0, 1).cin_plans.append(CINPlan(start_date=ep(census, 0, 1).referral_date + 2 * D))


# 4014
def _overlapping_plans(census):
    plan = _plan(census)
    ep(census).cin_plans.append(CINPlan(start_date=plan.start_date + D, end_date=plan.end_date))


def _consecutive_plans(census):
    plan = _plan(census)
    end = plan.end_date
    plan.end_date = plan.start_date + 5 * D
    ep(census).cin_plans.append(CINPlan(start_date=plan.start_date + 6 * D, end_date=end))


def _plan_starts_on_previous_end(census):
    plan = _plan(census)
    end = plan.end_date
    plan.end_date = plan.start_date + 5 * D
    ep(census).cin_plans.append(CINPlan(start_date=plan.start_date + 5 * D, end_date=end))


def _previous_end_unreadable(census):
    plan = _plan(census)
    end = plan.end_date
    plan.end_date = "soon"
    ep(census).cin_plans.append(CINPlan(start_date=plan.start_date + 5 * D, end_date=end))


# 4016 / 4017
def _cin_plan_around_cpp_start(census):
    _plan(census).start_date = _cpp(census).start_date - D


def _cin_plan_ends_on_cpp_start(census):
    plan = _plan(census)
    plan.start_date = _cpp(census).start_date - 5 * D
    plan.end_date = _cpp(census).start_date


# 4014 / 4016 / 4017 across episodes: the child's first (closed) episode left a plan open, the second
# episode starts another plan inside it
def _second_episode_plan(census, plans="cin_plans"):
    second = ep(census, 0, 1)
    start = second.referral_date + 2 * D
    if plans == "cin_plans":
        second.cin_plans.append(CINPlan(start_date=start))
    else:
        second.child_protection_plans.append(ChildProtectionPlan(
            start_date=start, initial_category_of_abuse="PHY", latest_category_of_abuse="PHY",
            number_of_previous_cpp=1))


def _cin_plan_left_open_then_cin_plan(census):
    _plan(census).end_date = None
    _second_episode_plan(census)


def _cin_plan_closed_then_cin_plan(census):
    _second_episode_plan(census)


def _cp_plan_left_open_then_cin_plan(census):
    ep(census).cin_plans.clear()
    _cpp(census).end_date = None
    _second_episode_plan(census)


def _cp_plan_closed_then_cin_plan(census):
    ep(census).cin_plans.clear()
    _second_episode_plan(census)


def _cin_plan_left_open_then_cp_plan(census):
    _plan(census).end_date = None
    _second_episode_plan(census, "child_protection_plans")


def _cin_plan_closed_then_cp_plan(census):
    _second_episode_plan(census, "child_protection_plans")


CASES = [
    Case("4000", _nfa_with_plan, _nfa_without_plan, expect=1),
    Case("4001", _both_open, _cpp_open_cin_plan_closed, expect=1),
    Case("4004", _open_plans_in_two_episodes, _one_open_plan, expect=2, note="per-child"),
    Case("4010", _set(_plan, "start_date", None), _set(_plan, "start_date", "31/02/2025"), expect=1,
         note="missing"),
    Case("4010", _set(_plan, "start_date", lambda c: _ref(c) + D), _set(_plan, "start_date", _ref), expect=1,
         note="after-reference-date"),
    Case("4011", _set(_plan, "end_date", lambda c: _plan(c).start_date - D),
         _set(_plan, "end_date", lambda c: _plan(c).start_date), expect=1),
    Case("4012Q", _set(_plan, "end_date", lambda c: _plan(c).start_date),
         _set(_plan, "end_date", lambda c: _plan(c).start_date + D), expect=1),
    Case("4013", _set(_plan, "end_date", lambda c: _ref(c) + D), _set(_plan, "end_date", _ref), expect=1,
         note="after-period"),
    Case("4013", _set(_plan, "end_date", lambda c: _start(c) - D), _set(_plan, "end_date", _start), expect=1,
         note="before-period"),
    Case("4014", _overlapping_plans, _consecutive_plans),
    Case("4014", _plan_starts_on_previous_end, _previous_end_unreadable, expect=1, note="same-day"),
    Case("4015", _set(_plan, "start_date", lambda c: ep(c).referral_date - D),
         _set(_plan, "start_date", lambda c: ep(c).referral_date), expect=1),
    Case("4016", _set(_plan, "start_date", lambda c: _cpp(c).end_date - D), None, expect=1, note="within"),
    Case("4016", _cpp_open_cin_plan_closed, None, expect=1, note="cpp-open"),
    Case("4017", _cin_plan_around_cpp_start, _cin_plan_ends_on_cpp_start, expect=1),
    Case("4014", _cin_plan_left_open_then_cin_plan, _cin_plan_closed_then_cin_plan, expect=1, note="episodes"),
    Case("4016", _cp_plan_left_open_then_cin_plan, _cp_plan_closed_then_cin_plan, expect=1, note="episodes"),
    Case("4017", _cin_plan_left_open_then_cp_plan, _cin_plan_closed_then_cp_plan, expect=1, note="episodes"),
]
