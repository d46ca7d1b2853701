"""Month-by-month series: April first, each figure's dates counted in the month they fall in."""

from __future__ import annotations

from tests.figures.build import Assessment, CINPlan, child, d, episode, figures, plan, value


def test_monthly_referrals():
    kids = [child(episode(d("2026-04-01")), episode(d("2026-04-30"))),  # April: 2
            child(episode(d("2026-05-01"))),  # May: 1
            child(episode(d("2027-03-31"))),  # March: 1
            child(episode(d("2026-03-31"), closure=d("2026-04-01"))),  # before the year: not counted
            child(episode(d("2027-04-01"))),  # after the year: not counted
            child(episode("2026-13-01"))]  # unreadable: not counted
    monthly = value("monthly_referrals", *kids)
    assert monthly.months[0] == d("2026-04-01") and monthly.months[-1] == d("2027-03-01")
    assert monthly.values == (2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
    assert monthly.total == 4


def test_monthly_assessments_plans_and_their_totals():
    ep = episode(d("2026-03-15"), assessments=[
        Assessment(start_date=d("2026-03-20"), authorisation_date=d("2026-04-02")),  # completes April
        Assessment(start_date=d("2026-06-01"), authorisation_date=d("2026-07-31")),  # starts June, completes July
        Assessment(start_date=d("2027-03-30")),  # starts March
    ], cin_plans=[
        CINPlan(start_date=d("2026-08-01"), end_date=d("2026-12-31")),  # starts August, ends December
        CINPlan(start_date=d("2027-01-01")),  # starts January
    ], cp_plans=[
        plan(d("2026-02-01"), d("2026-09-15")),  # ends September (started before the year)
        plan(d("2026-10-01")),  # starts October
    ])
    result = figures(child(ep))
    # index: Apr 0, May 1, Jun 2, Jul 3, Aug 4, Sep 5, Oct 6, Nov 7, Dec 8, Jan 9, Feb 10, Mar 11
    def only(**at):
        out = [0] * 12
        for index, n in at.items():
            out[int(index[1:])] = n
        return tuple(out)

    assert result["monthly_assessments_started"].values == only(m2=1, m11=1)
    assert result["monthly_assessments_completed"].values == only(m0=1, m3=1)
    assert result["monthly_cin_plans_started"].values == only(m4=1, m9=1)
    assert result["monthly_cin_plans_ended"].values == only(m8=1)
    assert result["monthly_cp_plans_started"].values == only(m6=1)
    assert result["monthly_cp_plans_ended"].values == only(m5=1)
    # each series adds up to its count
    for series, count in [("monthly_assessments_started", "assessments_started"),
                          ("monthly_assessments_completed", "assessments_completed"),
                          ("monthly_cin_plans_started", "cin_plans_started"),
                          ("monthly_cin_plans_ended", "cin_plans_ended"),
                          ("monthly_cp_plans_started", "cp_plans_started"),
                          ("monthly_cp_plans_ended", "cp_plans_ended")]:
        assert result[series].total == result[count], series
