from datetime import timedelta

from cin_xl.census.model import ChildProtectionPlan, Section47
from cin_xl.census.years import CensusYear
from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)


def _year(census) -> CensusYear:
    return CensusYear.from_xml_year(census.header.collection_details.year)


def _cpp(census):
    return ep(census).child_protection_plans[0]


def _new_plan(start, end=None):
    return ChildProtectionPlan(start_date=start, end_date=end, initial_category_of_abuse="PHY",
                               latest_category_of_abuse="PHY", number_of_previous_cpp=1,
                               review_dates=[])


# 1105 -----------------------------------------------------------------------------------------

def _cpp_before_referral(census):
    _cpp(census).start_date = ep(census).referral_date - D


def _cpp_on_referral(census):
    _cpp(census).start_date = ep(census).referral_date


# 2883 -----------------------------------------------------------------------------------------

def _second_plan_without_icpc(census):
    second = ep(census, 0, 1)
    second.child_protection_plans.append(_new_plan(second.referral_date + 5 * D))


def _second_plan_with_episode_icpc(census):
    second = ep(census, 0, 1)
    second.child_protection_plans.append(_new_plan(second.referral_date + 5 * D))
    second.date_of_initial_cpc = second.referral_date + 5 * D


def _second_plan_before_year(census):
    """A plan that started last year (its conference too) is not counted."""
    _cpp(census).start_date = _year(census).start - D


# 2885 -----------------------------------------------------------------------------------------

def _cpp_day_after_icpc(census):
    _cpp(census).start_date = _cpp(census).start_date + D


def _cpp_on_episode_icpc(census):
    """The conference is recorded on the episode, which has no section 47 record."""
    s47 = ep(census).section47s.pop()
    ep(census).date_of_initial_cpc = s47.date_of_initial_cpc


def _cpp_on_episode_icpc_beside_s47(census):
    """The episode has a section 47 record (no conference held from it): its episode-level conference does
    not count."""
    s47 = ep(census).section47s[0]
    ep(census).date_of_initial_cpc = s47.date_of_initial_cpc
    s47.date_of_initial_cpc = None
    s47.icpc_not_required = True


def _second_episode_cpp_on_its_icpc(census, with_s47=False):
    """The child's second episode: a conference at episode level and a plan starting that day."""
    second = ep(census, 0, 1)
    icpc = second.referral_date + 3 * D
    second.date_of_initial_cpc = icpc
    second.child_protection_plans.append(_new_plan(icpc))
    if with_s47:
        second.section47s.append(Section47(start_date=second.referral_date + D, icpc_not_required=True))


def _second_episode_cpp_beside_s47(census):
    _second_episode_cpp_on_its_icpc(census, with_s47=True)


def _cpp_before_year_not_on_icpc(census):
    _cpp(census).start_date = _year(census).start - D


# 8565 -----------------------------------------------------------------------------------------

def _cin_plan_ends_after_closure(census):
    ep(census).cin_plans[0].end_date = ep(census).closure_date + D


def _cin_plan_ends_on_closure(census):
    ep(census).cin_plans[0].end_date = ep(census).closure_date


def _several_records_after_closure(census):
    episode = ep(census)
    episode.closure_date = episode.referral_date + 5 * D  # after the assessment start, before the rest
    episode.reason_for_closure = "RC7"


def _closed_on_last_activity(census):
    episode = ep(census)
    episode.closure_date = max(episode.cin_plans[0].end_date, episode.child_protection_plans[0].end_date)


# 8720 -----------------------------------------------------------------------------------------

def _cpp_after_reference_date(census):
    _cpp(census).start_date = _year(census).reference_date + D


def _cpp_on_reference_date(census):
    _cpp(census).start_date = _year(census).reference_date


def _cpp_start_missing(census):
    _cpp(census).start_date = None


# 8730 -----------------------------------------------------------------------------------------

def _previous_cpp_missing(census):
    _cpp(census).number_of_previous_cpp = None


def _previous_cpp_negative(census):
    _cpp(census).number_of_previous_cpp = -1


def _previous_cpp_five(census):
    _cpp(census).number_of_previous_cpp = 5


# 8832 -----------------------------------------------------------------------------------------

def _cpp_for_nfa(census):
    nfa = ep(census, 1, 0)
    nfa.child_protection_plans.append(_new_plan(nfa.referral_date))


def _cpp_for_referral_not_nfa(census):
    _cpp_for_nfa(census)
    ep(census, 1, 0).referral_nfa = False


# 8840 / 8925 ----------------------------------------------------------------------------------

def _cpp_ends_on_start(census):
    _cpp(census).end_date = _cpp(census).start_date


def _cpp_ends_day_after_start(census):
    _cpp(census).end_date = _cpp(census).start_date + D


def _cpp_ends_before_start(census):
    _cpp(census).end_date = _cpp(census).start_date - D


# 8841 -----------------------------------------------------------------------------------------

def _review_on_start(census):
    _cpp(census).review_dates[0] = _cpp(census).start_date


def _review_day_after_start(census):
    _cpp(census).review_dates[0] = _cpp(census).start_date + D


# 8905 / 8910 ----------------------------------------------------------------------------------

def _set(name, value):
    def change(census):
        setattr(_cpp(census), name, value)
    change.__name__ = f"_{name}_{value}"
    return change


# 8915 / 8920 ----------------------------------------------------------------------------------

def _death(offset_from, days):
    def change(census):
        census.children[0].identifiers.person_death_date = getattr(_cpp(census), offset_from) + days * D
    return change


# 8930 -----------------------------------------------------------------------------------------

def _cpp_ends_after_year(census):
    _cpp(census).end_date = _year(census).reference_date + D


def _cpp_ends_on_reference_date(census):
    _cpp(census).end_date = _year(census).reference_date


def _cpp_ends_before_year(census):
    _cpp(census).start_date = _year(census).start - 20 * D
    _cpp(census).end_date = _year(census).start - D


def _cpp_ends_on_year_start(census):
    _cpp(census).start_date = _year(census).start - 20 * D
    _cpp(census).end_date = _year(census).start


# 8935 / 8940 ----------------------------------------------------------------------------------

def _open_plan_in_second_episode(census):
    second = ep(census, 0, 1)
    second.child_protection_plans.append(_new_plan(second.referral_date + D))


def _two_open_plans(census):
    _cpp(census).end_date = None
    _open_plan_in_second_episode(census)


def _open_plan_overlaps_later_plan(census):
    """The first plan never ends, so the plan of the child's second episode starts inside it."""
    _two_open_plans(census)


def _consecutive_plans(census):
    """A second plan in the same episode starting the day after the first ends."""
    plan = _cpp(census)
    ep(census).child_protection_plans.append(_new_plan(plan.end_date + D, plan.end_date + 20 * D))


def _plan_starting_inside_another(census):
    plan = _cpp(census)
    ep(census).child_protection_plans.append(_new_plan(plan.end_date, plan.end_date + 20 * D))


# 4003 -----------------------------------------------------------------------------------------

def _review_during_cin_plan(census):
    """The CIN plan starts before the plan's first review."""
    ep(census).cin_plans[0].start_date = _cpp(census).review_dates[0] - D


def _review_on_cpp_end_as_cin_plan_starts(census):
    """The CP plan's last review is on its end date, the day the CIN plan starts: allowed."""
    _cpp(census).review_dates.append(_cpp(census).end_date)


def _review_after_open_cin_plan_start(census):
    ep(census).cin_plans[0].end_date = None
    _cpp(census).review_dates.append(_cpp(census).end_date + 10 * D)


# 8842Q ----------------------------------------------------------------------------------------

def _reviews_without_date(census):
    _cpp(census).review_dates = [None]


def _reviews_unreadable(census):
    _cpp(census).review_dates = ["soon"]


def _reviews_one_readable(census):
    _cpp(census).review_dates = ["soon", _cpp(census).start_date + 10 * D]


def _no_reviews(census):
    _cpp(census).review_dates = []


CASES = [
    Case("1105", _cpp_before_referral, _cpp_on_referral, expect=1),
    Case("2883", _second_plan_without_icpc, _second_plan_with_episode_icpc, expect=1),
    Case("2883", _second_plan_without_icpc, _second_plan_before_year, note="before-year"),
    Case("2885", _cpp_day_after_icpc, _cpp_on_episode_icpc, expect=1),
    Case("2885", _cpp_day_after_icpc, _cpp_before_year_not_on_icpc, note="before-year"),
    Case("2885", _cpp_on_episode_icpc_beside_s47, _cpp_on_episode_icpc, expect=1, note="episode-level"),
    Case("2885", _second_episode_cpp_beside_s47, _second_episode_cpp_on_its_icpc, expect=1, note="episodes"),
    Case("8565", _cin_plan_ends_after_closure, _cin_plan_ends_on_closure, expect=1),
    # assessment, S47, CP plan and CIN plan all hold dates after the closure: one finding per record
    Case("8565", _several_records_after_closure, _closed_on_last_activity, expect=4, note="records"),
    Case("8720", _cpp_after_reference_date, _cpp_on_reference_date, expect=1),
    Case("8720", _cpp_start_missing, note="missing", expect=1),
    Case("8730", _previous_cpp_missing, _previous_cpp_five, expect=1),
    Case("8730", _previous_cpp_negative, note="negative", expect=1),
    Case("8832", _cpp_for_nfa, _cpp_for_referral_not_nfa, expect=1),
    Case("8840", _cpp_ends_on_start, _cpp_ends_day_after_start, expect=1),
    Case("8841", _review_on_start, _review_day_after_start, expect=1),
    Case("8905", _set("initial_category_of_abuse", None), _set("initial_category_of_abuse", "MUL"), expect=1),
    Case("8905", _set("initial_category_of_abuse", "XYZ"), note="invalid", expect=1),
    Case("8910", _set("latest_category_of_abuse", None), _set("latest_category_of_abuse", "SAB"), expect=1),
    Case("8910", _set("latest_category_of_abuse", "neg"), note="invalid", expect=1),
    Case("8915", _death("start_date", -1), _death("start_date", 0), expect=1),
    Case("8920", _death("end_date", -1), _death("end_date", 0), expect=1),
    Case("8925", _cpp_ends_before_start, _cpp_ends_on_start, expect=1),
    Case("8930", _cpp_ends_after_year, _cpp_ends_on_reference_date, expect=1),
    Case("8930", _cpp_ends_before_year, _cpp_ends_on_year_start, note="before-year", expect=1),
    Case("8935", _two_open_plans, _open_plan_in_second_episode, expect=2),
    Case("8940", _plan_starting_inside_another, _consecutive_plans, expect=1),
    Case("8940", _open_plan_overlaps_later_plan, _open_plan_in_second_episode, note="episodes", expect=1),
    Case("4003", _review_during_cin_plan, _review_on_cpp_end_as_cin_plan_starts, expect=1),
    Case("4003", _review_after_open_cin_plan_start, note="open-cin-plan", expect=1),
    Case("8842Q", _reviews_without_date, _reviews_one_readable, expect=1),
    Case("8842Q", _reviews_unreadable, _no_reviews, note="unreadable", expect=1),
]
