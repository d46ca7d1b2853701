"""Key figures, section "Month by month": referrals, assessments and plans in each month of the year."""

from __future__ import annotations

from cin_xl.reports.figures.shared import MONTHLY, Facts, Monthly, figure


@figure("monthly_referrals", "Referrals", MONTHLY, """
    Referrals in each month of the year, by referral date.""")
def _monthly_referrals(x: Facts) -> Monthly:
    return x.monthly(d for _, _, d in x.referrals)


@figure("monthly_assessments_started", "Assessments started", MONTHLY, """
    Assessments started in each month, by actual start date.""")
def _monthly_assessments_started(x: Facts) -> Monthly:
    return x.monthly(a.start_date for _, _, a in x.view.assessments)


@figure("monthly_assessments_completed", "Assessments completed", MONTHLY, """
    Assessments completed in each month, by authorisation date.""")
def _monthly_assessments_completed(x: Facts) -> Monthly:
    return x.monthly(done for _, done, _ in x.assessments_completed)


@figure("monthly_cin_plans_started", "CIN plans started", MONTHLY, """
    CIN plans starting in each month, by start date.""")
def _monthly_cin_started(x: Facts) -> Monthly:
    return x.monthly(p.start_date for _, _, p in x.view.cin_plans)


@figure("monthly_cin_plans_ended", "CIN plans ended", MONTHLY, """
    CIN plans ending in each month, by end date.""")
def _monthly_cin_ended(x: Facts) -> Monthly:
    return x.monthly(p.end_date for _, _, p in x.view.cin_plans)


@figure("monthly_cp_plans_started", "Child protection plans started", MONTHLY, """
    Child protection plans starting in each month, by start date.""")
def _monthly_cp_started(x: Facts) -> Monthly:
    return x.monthly(p.start_date for _, _, p in x.view.child_protection_plans)


@figure("monthly_cp_plans_ended", "Child protection plans ended", MONTHLY, """
    Child protection plans ending in each month, by end date.""")
def _monthly_cp_ended(x: Facts) -> Monthly:
    return x.monthly(p.end_date for p in x.cp_plans_ended)
