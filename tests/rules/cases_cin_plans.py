from datetime import timedelta

from cin_xl.model import CINPlan

from .base import ep
from .harness import Case

D = timedelta(days=1)


def _overlapping_plans(census):
    plan = ep(census).cin_plans[0]
    ep(census).cin_plans.append(CINPlan(start_date=plan.start_date + D, end_date=plan.end_date))


def _consecutive_plans(census):
    plan = ep(census).cin_plans[0]
    end = plan.end_date
    plan.end_date = plan.start_date + 5 * D
    ep(census).cin_plans.append(CINPlan(start_date=plan.start_date + 6 * D, end_date=end))


CASES = [
    Case("4014", _overlapping_plans, _consecutive_plans),
]
