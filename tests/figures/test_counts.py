"""Counts, each on a hand-made return; census year 1 April 2026 to 31 March 2027."""

from __future__ import annotations

from cin_xl.reports.figures import Rate
from tests.figures.build import Assessment, CINPlan, PreProceedings, Section47, child, d, episode, figures, plan, value


def test_children():
    # three Child records, whatever their dates (one referred after the year) -> 3
    assert value("children", child(episode(d("2026-05-01"))), child(episode(d("2027-04-02"))),
                 child(episode(d("2020-01-01"), closure=d("2020-02-01")))) == 3


def test_children_in_need_during_year():
    kids = [
        child(episode(d("2025-01-10"), closure=d("2026-03-31"))),  # closed the day before 1 April: no
        child(episode(d("2025-06-01"), closure=d("2026-04-01"))),  # closed on 1 April: yes
        child(episode(d("2027-03-31"))),  # referred on 31 March, open: yes
        child(episode(d("2027-04-01"))),  # referred after the year: no
        child(episode("soon")),  # unreadable referral date: no
        child(episode(d("2026-05-01"), closure=d("2026-06-01")), episode(d("2026-09-01"))),  # two episodes: once
    ]
    assert value("children_in_need_during_year", *kids) == 3  # 1 + 1 + 1


def test_children_in_need_at_31_march():
    kids = [
        child(episode(d("2026-05-01"), closure=d("2027-03-31"))),  # closed on 31 March: not open
        child(episode(d("2026-05-01"), closure=d("2027-04-02"))),  # closure after 31 March: open
        child(episode(d("2027-03-31"))),  # referred on 31 March, no closure: open
        child(episode(d("2026-06-01")), episode(d("2026-07-01"))),  # two open episodes: one child
        child(episode(d("2026-06-01"), closure="31/13/2026")),  # unreadable closure = no closure: open
    ]
    assert value("children_in_need_at_31_march", *kids) == 4


def test_referrals():
    kids = [child(episode(d("2026-04-01")), episode(d("2027-03-31"))),  # first and last day: 2
            child(episode(d("2026-03-31"), closure=d("2026-03-31"))),  # day before: 0
            child(episode(d("2027-04-01"))),  # day after: 0
            child(episode("31/02/2027"))]  # unreadable: 0
    assert value("referrals", *kids) == 2


def test_re_referrals_within_12_months():
    kids = [
        # exactly 12 months after the previous referral: a re-referral
        child(episode(d("2025-06-15"), closure=d("2025-07-01")), episode(d("2026-06-15"))),
        # 12 months and a day: not
        child(episode(d("2025-06-14"), closure=d("2025-07-01")), episode(d("2026-06-15"))),
        # 4 months apart, both in the year: the second is a re-referral, the first is not
        child(episode(d("2026-05-01"), closure=d("2026-05-02")), episode(d("2026-09-01"))),
        # a single referral: not
        child(episode(d("2026-07-01"))),
        # the earlier referral date cannot be read: ignored, so not
        child(episode("2026-02-30", closure=d("2026-03-01")), episode(d("2026-06-01"))),
    ]
    # referrals in the year: 1 + 1 + 2 + 1 + 1 = 6; re-referrals: 1 + 0 + 1 + 0 + 0 = 2
    assert value("re_referrals", *kids) == Rate(2, 6)
    assert round(Rate(2, 6).percent, 1) == 33.3


def test_re_referral_on_29_february_counts_back_to_28_february():
    from cin_xl.reports.figures import add_months

    # 12 months before 29 February 2028 is 28 February 2027 (2027 has no 29 February)
    assert add_months(d("2028-02-29"), -12) == d("2027-02-28")
    kids = [child(episode(d("2027-02-28"), closure=d("2027-03-01")), episode(d("2028-02-29"))),  # yes
            child(episode(d("2027-02-27"), closure=d("2027-03-01")), episode(d("2028-02-29")))]  # a day more: no
    # census year 2027-28 (1 April 2027 to 31 March 2028): referrals in it 2, re-referrals 1
    assert value("re_referrals", *kids, year="2027-28") == Rate(1, 2)


def test_referrals_nfa():
    kids = [child(episode(d("2026-05-01"), closure=d("2026-05-01"), nfa=True)),
            child(episode(d("2026-06-01"), closure=d("2026-06-01"), nfa=True)),
            child(episode(d("2026-03-01"), closure=d("2026-03-01"), nfa=True)),  # before the year
            child(episode(d("2026-07-01"), nfa=False))]
    assert value("referrals_nfa", *kids) == 2


def test_assessments_started_and_completed():
    ep = episode(d("2026-03-10"), assessments=[
        Assessment(start_date=d("2026-03-20"), authorisation_date=d("2026-04-10")),  # completed only
        Assessment(start_date=d("2026-04-01"), authorisation_date=d("2026-05-01")),  # both
        Assessment(start_date=d("2027-03-31")),  # started only
        Assessment(start_date=d("2027-03-01"), authorisation_date="tomorrow"),  # started; completion unreadable
        Assessment(start_date="yesterday", authorisation_date=d("2027-04-01")),  # neither
    ])
    result = figures(child(ep))
    assert result["assessments_started"] == 3  # 2nd, 3rd, 4th
    assert result["assessments_completed"] == 2  # 1st, 2nd


def test_section47s():
    ep = episode(d("2026-03-01"), section47s=[Section47(start_date=s, icpc_not_required=True) for s in
                                              (d("2026-03-31"), d("2026-04-01"), d("2027-03-31"), "x")])
    assert value("section47s", child(ep)) == 2  # 1 April and 31 March


def test_initial_conferences_from_both_places():
    with_s47 = episode(d("2026-04-20"), section47s=[
        Section47(start_date=d("2026-04-21"), date_of_initial_cpc=d("2026-05-01"), icpc_not_required=False),  # yes
        Section47(start_date=d("2026-06-01"), icpc_not_required=True),  # no conference
    ])
    episode_level = episode(d("2026-05-20"), icpc=d("2026-06-01"))  # held with no section 47 here: yes
    before = episode(d("2026-03-01"), section47s=[Section47(start_date=d("2026-03-02"), date_of_initial_cpc=d(
        "2026-03-30"), icpc_not_required=False)])  # before the year: no
    assert value("initial_conferences", child(with_s47), child(episode_level), child(before)) == 2


def test_cin_plans():
    ep = episode(d("2026-02-01"), cin_plans=[
        CINPlan(start_date=d("2026-03-01"), end_date=d("2026-04-15")),  # ended in the year
        CINPlan(start_date=d("2026-06-01")),  # started, open
        CINPlan(start_date=d("2026-07-01"), end_date=d("2027-03-31")),  # started, ended on 31 March: not open
        CINPlan(start_date=d("2027-03-31")),  # started on 31 March, open
        CINPlan(start_date="unknown"),  # unreadable start: nothing
    ])
    result = figures(child(ep))
    assert result["cin_plans_started"] == 3
    assert result["cin_plans_ended"] == 2
    assert result["cin_plans_open"] == 2


def test_child_protection_plans():
    ep = episode(d("2025-12-01"), cp_plans=[
        plan(d("2026-01-10")),  # started before the year, open at 31 March
        plan(d("2026-05-01"), d("2026-11-01")),  # started and ended
        plan(d("2026-09-01"), d("2027-03-31")),  # started, ended on 31 March (not open)
        plan(d("2027-03-31")),  # started on 31 March: open
        plan(d("2026-10-01"), "31/13/2026"),  # started; end unreadable = no end: open
    ])
    result = figures(child(ep))
    assert result["cp_plans_started"] == 4
    assert result["cp_plans_ended"] == 2
    assert result["cp_plans_open"] == 3  # 1st, 4th, 5th


def test_pre_proceedings_in_2026_27_only():
    ep = episode(d("2026-02-01"), pre_proceedings=PreProceedings(pp_start_date=d("2026-05-01"),
                                                                 court_app_date=d("2026-07-01")))
    ep2 = episode(d("2026-01-01"), pre_proceedings=PreProceedings(pp_start_date=d("2026-03-01"),
                                                                  court_app_date=d("2026-04-10")))
    ep3 = episode(d("2026-08-01"), pre_proceedings=PreProceedings(pp_start_date=d("2026-09-01")))
    result = figures(child(ep), child(ep2), child(ep3))
    assert result["pre_proceedings_started"] == 2  # 1 May and 1 September; 1 March is before the year
    assert result["pre_proceedings_court"] == 2  # 1 July and 10 April
    # the 2025-26 specification has no pre-proceedings module: no such figures
    earlier = figures(child(episode(d("2025-05-01"))), year="2025-26")
    assert "pre_proceedings_started" not in earlier and "pre_proceedings_court" not in earlier
    assert "referrals" in earlier
