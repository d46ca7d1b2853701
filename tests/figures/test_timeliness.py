"""Timeliness figures on hand-made returns. Working days: weekdays that are not bank holidays in
England and Wales. Bank holidays used below: Mon 4 May 2026, Mon 25 May 2026, Fri 25 Dec 2026,
Mon 28 Dec 2026 (Boxing Day substitute), Fri 1 Jan 2027."""

from __future__ import annotations

from datetime import date, timedelta

from cin_xl.census.calendar import working_days_between
from cin_xl.reports.figures import Rate, WorkingDays, add_months, reviewed_on_time
from tests.figures.build import YEAR, Assessment, Section47, child, d, episode, plan, value


def test_assessments_within_45_working_days_across_bank_holidays():
    # Start Fri 1 May 2026. Working days after it:
    #   May: 5-8 (4; Mon 4 May is a bank holiday), 11-15 (5) = 9, 18-22 (5) = 14, 26-29 (4; 25 May) = 18
    #   June: 1-5 = 23, 8-12 = 28, 15-19 = 33, 22-26 = 38, 29-30 = 40
    #   July: 1-3 = 43, Mon 6 = 44, Tue 7 = 45, Wed 8 = 46
    start = d("2026-05-01")
    ep = episode(d("2026-04-30"), assessments=[
        Assessment(start_date=start, authorisation_date=d("2026-07-07")),  # 45: within
        Assessment(start_date=start, authorisation_date=d("2026-07-08")),  # 46: not
        Assessment(start_date=d("2026-06-10"), authorisation_date=d("2026-06-10")),  # same day, 0: within
        Assessment(start_date=d("2026-06-10"), authorisation_date=d("2026-06-09")),  # ends before start: left out
        Assessment(start_date="10/06/2026", authorisation_date=d("2026-06-20")),  # unreadable start: left out
        Assessment(start_date=d("2026-02-01"), authorisation_date=d("2026-03-01")),  # completed before the year
        Assessment(start_date=d("0206-05-01"), authorisation_date=d("2026-06-01")),  # a typo: far too long, counted
    ])
    assert working_days_between(start, d("2026-07-07")) == 45  # the hand count agrees with the calendar
    assert value("assessments_within_45_days", child(ep)) == Rate(2, 4)


def test_initial_conferences_within_15_working_days():
    # Section 47 started Mon 21 Dec 2026. Working days after it: 22-24 Dec (3), [25 Dec, 28 Dec
    # holidays], 29-31 Dec (6), [1 Jan holiday], 4-8 Jan (11), 11-14 Jan (15): Thu 14 Jan = 15, Fri 15 Jan = 16.
    s47_start = d("2026-12-21")
    on_time = episode(d("2026-12-18"), section47s=[Section47(start_date=s47_start, date_of_initial_cpc=d(
        "2027-01-14"), icpc_not_required=False)])
    late = episode(d("2026-12-18"), section47s=[Section47(start_date=s47_start, date_of_initial_cpc=d(
        "2027-01-15"), icpc_not_required=False)])
    no_s47 = episode(d("2026-11-01"), icpc=d("2026-11-05"))  # conference on the episode: no start, left out
    unreadable = episode(d("2026-10-01"), section47s=[Section47(start_date="1st Oct", date_of_initial_cpc=d(
        "2026-10-08"), icpc_not_required=False)])  # left out
    assert value("conferences_within_15_days", child(on_time), child(late), child(no_s47),
                 child(unreadable)) == Rate(1, 2)


def test_child_protection_plans_reviewed_within_timescales():
    plans = [
        plan(d("2026-10-01"), reviews=[d("2027-01-01")]),  # a: due 1 Jan, held 1 Jan; next due 1 Jul: on time
        plan(d("2026-10-01"), reviews=[d("2027-01-02")]),  # b: a day late: late
        plan(d("2026-10-01")),  # c: first review due 1 Jan, none by 31 March: late
        plan(d("2026-12-31")),  # d: first review due 31 March itself: not yet late, on time
        plan(d("2027-01-01")),  # e: under 3 months at 31 March (due 1 April): not counted
        plan(d("2026-04-15"), reviews=[d("2026-07-15"), d("2027-01-15")]),  # f: both on the day due: on time
        plan(d("2026-04-15"), reviews=[d("2026-07-15"), d("2027-01-16")]),  # g: second a day late: late
        # h: started last year, its earlier reviews not in the return: next due 30 Sep 2026; held
        #    30 Sep, then 1 Mar 2027 (due 30 Mar): on time
        plan(d("2025-06-01"), reviews=[d("2026-09-30"), d("2027-03-01")]),
        plan(d("2025-06-01"), reviews=[d("2026-10-01")]),  # i: as h but first review 1 Oct: late
        plan(d("2026-05-01"), d("2026-12-01")),  # j: ended in the year, not open: not counted
    ]
    ep = episode(d("2025-05-01"), cp_plans=plans)
    # counted: a b c d f g h i = 8; on time: a d f h = 4
    assert value("cp_reviews_on_time", child(ep)) == Rate(4, 8)


def test_review_chain_uses_last_years_reviews_and_month_ends():
    # started 1 Jun 2025; reviews 1 Sep 2025 and 1 Mar 2026 (last year's), 31 Aug 2026: on time so far;
    # the next is due 31 Aug 2026 + 6 months = 28 Feb 2027 (no 31 February), none held by 31 March: late
    assert add_months(d("2026-08-31"), 6) == d("2027-02-28")
    late = plan(d("2025-06-01"), reviews=[d("2025-09-01"), d("2026-03-01"), d("2026-08-31")])
    assert reviewed_on_time(late, YEAR) is False
    # the same plan with a review on 28 February 2027: due 28 Aug 2027 > 31 March, on time
    on_time = plan(d("2025-06-01"), reviews=[d("2025-09-01"), d("2026-03-01"), d("2026-08-31"), d("2027-02-28")])
    assert reviewed_on_time(on_time, YEAR) is True
    # unreadable review dates are ignored: as if not held
    assert reviewed_on_time(plan(d("2026-10-01"), reviews=["01/01/2027"]), YEAR) is False


def test_plans_ended_lasting_two_years_or_more():
    ep = episode(d("2024-05-01"), cp_plans=[
        plan(d("2024-06-01"), d("2026-06-01")),  # ends on the second anniversary: 2 years, yes
        plan(d("2024-06-02"), d("2026-06-01")),  # a day short: no
        plan(d("2026-01-01"), d("2026-05-01")),  # 4 months: no
        plan("June 2024", d("2026-07-01")),  # start unreadable: left out
        plan(d("2023-01-01"), d("2026-03-31")),  # ended before the year: not counted
    ])
    assert value("cp_ended_two_years", child(ep)) == Rate(1, 3)


def test_plans_open_lasting_two_years_or_more():
    ep = episode(d("2025-03-01"), cp_plans=[
        plan(d("2025-03-31")),  # 31 March 2027 is its second anniversary: yes
        plan(d("2025-04-01")),  # a day short: no
        plan(d("2026-06-01")),  # no
        plan(d("2024-01-01"), d("2026-12-01")),  # ended: not open, not counted
    ])
    assert value("cp_open_two_years", child(ep)) == Rate(1, 3)


def test_fast_working_days_agree_with_the_calendar():
    fast = WorkingDays(date(2026, 1, 1), date(2026, 2, 1))  # a small range, grown on demand
    day = date(2024, 12, 20)
    for i in range(0, 900, 7):
        start = day + timedelta(days=i)
        for span in (0, 1, 3, 10, 45, 70):
            end = start + timedelta(days=span)
            assert fast.between(start, end) == working_days_between(start, end), (start, end)
    assert fast.between(date(2026, 5, 2), date(2026, 5, 1)) == 0
