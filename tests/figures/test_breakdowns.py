"""Breakdowns on hand-made returns."""

from __future__ import annotations

from cin_xl.reports.figures import Category
from tests.figures.build import Assessment, child, d, episode, figures, plan, value


def test_referral_source():
    kids = [child(episode(d("2026-05-01"), source="2A"), episode(d("2026-09-01"), source="2A")),
            child(episode(d("2026-06-01"), source="6")),
            child(episode(d("2026-07-01"), source="ZZ")),  # not a code: listed after the code set
            child(episode(d("2026-08-01"), source=None)),  # missing: "Not recorded", last
            child(episode(d("2026-03-01"), source="2A", closure=d("2026-03-02")))]  # before the year
    result = value("referral_source", *kids)
    assert result.count("2A") == 2 and result.count("6") == 1 and result.count("1A") == 0
    assert result.rows[-2] == Category("ZZ", "Not a code of this census year", 1)
    assert result.rows[-1] == Category("", "Not recorded", 1)
    assert result.total == 5  # 2 + 1 + 1 + 1
    assert round(result.share(result.rows[-1]), 1) == 20.0  # 1 of 5
    assert result.rows[0].code == "1A" and result.rows[0].label.startswith("Individual: family member")


def test_primary_need_of_episodes_open_at_31_march():
    kids = [child(episode(d("2026-05-01"), need="N1")), child(episode(d("2026-06-01"), need="N1")),
            child(episode(d("2027-03-20"), need=None)),  # open, no primary need yet
            child(episode(d("2026-05-01"), need="N4", closure=d("2026-06-01")))]  # closed: not counted
    result = value("primary_need", *kids)
    assert result.as_dict()["N1"] == 2 and result.count("N4") == 0 and result.count("") == 1
    assert result.total == 3


def test_factors_identified_at_assessment():
    ep = episode(d("2026-03-01"), assessments=[
        Assessment(start_date=d("2026-04-01"), authorisation_date=d("2026-04-20"), factors=["3B", "4B"]),
        Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-05-20"), factors=["3B", "3B"]),  # once
        Assessment(start_date=d("2026-06-01"), authorisation_date=d("2026-06-20"), factors=["21"]),
        Assessment(start_date=d("2026-02-01"), authorisation_date=d("2026-03-20"), factors=["3B"]),  # before
        Assessment(start_date=d("2027-03-01"), factors=["4B"]),  # not completed
    ])
    result = value("factors", child(ep))
    # 3 assessments completed in the year: 3B on 2, 4B on 1, 21 on 1
    assert result.count("3B") == 2 and result.count("4B") == 1 and result.count("21") == 1
    assert result.rows[0].code == "3B"  # largest first
    assert result.total == 3 and result.base_label == "Assessments completed in the year"
    assert round(result.share(result.rows[0]), 1) == 66.7  # 2 of 3 assessments
    assert [r.code for r in result.top(2, leave_out=["21"])] == ["3B", "4B"]
    assert "18A" not in result.as_dict()  # old codes are listed only when used


def test_category_of_abuse_initial_and_latest_for_plans_open_at_31_march():
    ep = episode(d("2026-01-01"), cp_plans=[
        plan(d("2026-02-01"), initial="NEG", latest="EMO"),
        plan(d("2026-06-01"), initial="NEG"),
        plan(d("2026-05-01"), d("2026-08-01"), initial="PHY"),  # ended: not counted
    ])
    result = figures(child(ep))
    assert result["abuse_initial"].as_dict() == {"NEG": 2, "PHY": 0, "SAB": 0, "EMO": 0, "MUL": 0}
    assert result["abuse_latest"].as_dict() == {"NEG": 1, "PHY": 0, "SAB": 0, "EMO": 1, "MUL": 0}


def test_age_band_at_31_march():
    ep = episode(d("2026-05-01"))
    kids = [
        child(ep, born=d("2026-04-01")),  # 0 at 31 March 2027: under 1
        child(ep, born=d("2026-03-31")),  # first birthday on 31 March 2027: 1, so 1 to 4
        child(ep, born=d("2022-04-01")),  # 4 (fifth birthday tomorrow): 1 to 4
        child(ep, born=d("2022-03-31")),  # 5: 5 to 9
        child(ep, born=d("2011-04-01")),  # 15: 10 to 15
        child(ep, born=d("2011-03-31")),  # 16: 16 and over
        child(ep, born=None, expected=d("2027-05-01"), sex="U"),  # unborn
        child(ep, born="soon"),  # no readable date: not known
    ]
    result = value("age_band", *kids)
    assert result.as_dict() == {"unborn": 1, "under1": 1, "1-4": 2, "5-9": 1, "10-15": 1, "16+": 1, "unknown": 1}
    # "Not known" appears only when there is someone in it
    assert "unknown" not in value("age_band", child(ep)).as_dict()


def test_sex_and_gender_in_earlier_years():
    ep = episode(d("2026-05-01"))
    result = value("sex", child(ep, sex="M"), child(ep, sex="F"), child(ep, sex="F"), child(ep, sex="U"),
                   child(ep, sex=None))
    assert result.as_dict() == {"M": 1, "F": 2, "U": 1, "": 1}
    # 2023-24 returns have GenderCurrent (1 male, 2 female, 0 not recorded, 9 indeterminate) instead of Sex
    old = episode(d("2023-05-01"))
    result = value("sex", child(old, sex=None, gender="1"), child(old, sex=None, gender="2"),
                   child(old, sex=None, gender="2"), year="2023-24")
    assert result.as_dict() == {"1": 1, "2": 2, "0": 0, "9": 0}
