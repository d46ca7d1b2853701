"""COLLECT's reports that the key figures had only in part: working-day bands, transfer-in conferences, second
or subsequent plans, plans started by category, initial against latest category, and the child-level lists,
each on a hand-made return worked out by hand.

Bank holidays used (England and Wales): Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day substitute), Fri 1 Jan
2027, Good Friday 26 Mar 2027, Easter Monday 29 Mar 2027, Mon 4 May 2026, Mon 25 May 2026; Good Friday 29 Mar
2024. 2024 is a leap year: Thu 29 February 2024 is a working day.
"""

from __future__ import annotations

from collections import Counter

from cin_xl.census.calendar import working_days_between
from cin_xl.reports.figures import COUNTS, FIGURES, Rate, Table, compute_figures
from cin_xl.reports.figures.collect import COLLECT_REPORTS
from cin_xl.reports.figures.lists import LISTS
from tests.figures.build import YEAR, Assessment, Section47, census, child, d, episode, figures, plan, value


def _bands(breakdown) -> dict[str, int]:
    return breakdown.as_dict()


# the assessments of the 2026-27 test, with their working days worked out by hand
ASSESSMENTS = [
    # a: from Fri 1 May: May 5-8 (4; Mon 4 May), 11-15 (9), 18-22 (14), 26-29 (18; Mon 25 May), June 1-5 (23),
    #    8-12 (28), 15-19 (33), 22-26 (38), 29-30 (40), July 1-3 (43), Mon 6 (44), Tue 7 July (45): 41-45, within
    Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-07-07")),
    # b: Wed 8 July: 46, band 46-50
    Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-07-08")),
    # c: same day: 0
    Assessment(start_date=d("2026-06-10"), authorisation_date=d("2026-06-10")),
    # d: Fri 12 June to Sat 13 June: no working day after the start: 0, "same day"
    Assessment(start_date=d("2026-06-12"), authorisation_date=d("2026-06-13")),
    # e: Thu 24 Dec to Tue 29 Dec: 25 Dec and 28 Dec are bank holidays, 26-27 a weekend: 1 (Tue 29), band 1-10
    Assessment(start_date=d("2026-12-24"), authorisation_date=d("2026-12-29")),
    # f: Mon 1 Mar to Wed 31 Mar 2027: 2-5 (4), 8-12 (9), 15-19 (14), 22-25 (18), [Good Friday 26, Easter
    #    Monday 29], 30 (19), 31 (20): band 11-20
    Assessment(start_date=d("2027-03-01"), authorisation_date=d("2027-03-31")),
    # g: Fri 1 May to Fri 24 July: 45 on 7 July, then 8-10 (48), 13-17 (53), 20-24 (58): band 51-60
    Assessment(start_date=d("2026-05-01"), authorisation_date=d("2026-07-24")),
    # h: a typing error in the start year: far more than 60, band 61+ (its working days are not counted)
    Assessment(start_date=d("0206-05-01"), authorisation_date=d("2026-06-01")),
    # left out of every band, the rate and the list:
    Assessment(start_date=d("2026-06-10"), authorisation_date=d("2026-06-09")),  # authorised before it started
    Assessment(start_date="10/06/2026", authorisation_date=d("2026-06-20")),  # start unreadable
    Assessment(start_date=d("2026-02-01"), authorisation_date=d("2026-03-01")),  # completed before the year
    Assessment(start_date=d("2027-03-01")),  # not completed
]


def test_assessment_working_days_in_the_dfe_bands():
    for a, expected in zip(ASSESSMENTS, (45, 46, 0, 0, 1, 20, 58)):
        assert working_days_between(a.start_date, a.authorisation_date) == expected  # the hand counts agree
    result = figures(child(episode(d("2026-04-30"), assessments=ASSESSMENTS)))
    assert _bands(result["assessment_working_days"]) == {
        "0": 2, "1-10": 1, "11-20": 1, "21-30": 0, "31-40": 0, "41-45": 1, "46-50": 1, "51-60": 1, "61+": 1}
    # the bands up to 41-45 are the rate's numerator, all of them its denominator
    assert result["assessments_within_45_days"] == Rate(5, 8)


def test_assessment_working_days_across_29_february():
    # 2023-24: from Thu 18 Jan 2024: 19 (1), 22-26 (6), 29-31 (9), Feb 1-2 (11), 5-9 (16), 12-16 (21), 19-23 (26),
    # 26-29 Feb (30: Thu 29 February counts), Mar 1 (31), 4-8 (36), 11-15 (41), 18-21 (45): Thu 21 Mar is 45
    leap = [Assessment(start_date=d("2024-01-18"), authorisation_date=d("2024-03-21")),  # 45: within
            Assessment(start_date=d("2024-01-18"), authorisation_date=d("2024-03-22")),  # 46: not
            # Wed 28 Feb to Fri 1 Mar: Thu 29 Feb (1), Fri 1 Mar (2)
            Assessment(start_date=d("2024-02-28"), authorisation_date=d("2024-03-01")),
            # Tue 26 Mar to Sun 31 Mar: 27 (1), 28 (2), Good Friday 29 Mar, then a weekend: 2
            Assessment(start_date=d("2024-03-26"), authorisation_date=d("2024-03-31"))]
    assert working_days_between(d("2024-01-18"), d("2024-03-21")) == 45
    result = figures(child(episode(d("2024-01-02"), assessments=leap)), year="2023-24")
    assert _bands(result["assessment_working_days"]) == {
        "0": 0, "1-10": 2, "11-20": 0, "21-30": 0, "31-40": 0, "41-45": 1, "46-50": 1, "51-60": 0, "61+": 0}
    assert result["assessments_within_45_days"] == Rate(3, 4)


def _conference(start, held):
    return Section47(start_date=start, date_of_initial_cpc=held, icpc_not_required=False)


def test_conferences_and_transfer_in_conferences_by_working_days():
    # Section 47 from Mon 21 Dec 2026: 22-24 (3), [25, 28 bank holidays], 29-31 (6), [1 Jan], 4-8 Jan (11),
    # 11-14 (15): Thu 14 Jan is 15 (band 11-15), Fri 15 Jan 16 (band 16-20)
    s47 = episode(d("2026-12-18"), section47s=[_conference(d("2026-12-21"), d("2027-01-14")),
                                               _conference(d("2026-12-21"), d("2027-01-15")),
                                               _conference(d("2026-09-01"), d("2026-09-01")),  # same day
                                               _conference(d("2026-09-02"), None)])  # no conference: left out
    # transfer-in conferences, recorded on the episode, counted from the referral:
    in_1 = episode(d("2026-12-24"), icpc=d("2026-12-29"))  # Thu 24 Dec to Tue 29 Dec: 1 (band 1-5), within
    in_20 = episode(d("2027-03-01"), icpc=d("2027-03-31"))  # as assessment f above: 20 (band 16-20), late
    in_before = episode(d("2027-03-10"), icpc=d("2027-03-09"))  # held before the referral: left out
    in_last_year = episode(d("2026-03-01"), icpc=d("2026-03-20"))  # held before the year: left out
    result = figures(child(s47), child(in_1), child(in_20), child(in_before), child(in_last_year))
    assert _bands(result["icpc_working_days"]) == {
        "0": 1, "1-5": 0, "6-10": 0, "11-15": 1, "16-20": 1, "21-30": 0, "31+": 0}
    assert result["conferences_within_15_days"] == Rate(2, 3)
    assert _bands(result["transfer_in_icpc_working_days"]) == {
        "0": 0, "1-5": 1, "6-10": 0, "11-15": 0, "16-20": 1, "21-30": 0, "31+": 0}
    assert result["transfer_in_icpc_within_15_days"] == Rate(1, 2)


def _plan(start, end=None, *, previous=0, initial="NEG", latest=None):
    p = plan(start, end, initial=initial, latest=latest)
    p.number_of_previous_cpp = previous
    return p


def test_second_or_subsequent_plans():
    a = child(episode(d("2026-04-10"), cp_plans=[_plan(d("2026-05-01"), d("2026-08-01")),
                                                 _plan(d("2026-10-01"))]))  # second: an earlier plan here
    b = child(episode(d("2026-05-20"), cp_plans=[_plan(d("2026-06-01"), previous=2)]))  # 2 previous recorded
    c = child(episode(d("2025-05-20"), cp_plans=[_plan(d("2025-06-01"), previous=1)]))  # started last year
    e = child(episode(d("2026-06-20"), cp_plans=[_plan(d("2026-07-01"))]))  # a first plan
    f = child(episode(d("2026-07-20"), cp_plans=[_plan(d("2026-08-01"), previous="two")]))  # unreadable: not
    # started in the year: a's two, b, e, f = 5; second or subsequent: a's second and b = 2
    result = figures(a, b, c, e, f)
    assert result["cp_second_or_subsequent"] == Rate(2, 5)


def test_plans_started_in_the_year_by_category_and_initial_against_latest():
    plans = [_plan(d("2026-05-01"), initial="NEG"),  # started, open: NEG -> NEG
             _plan(d("2026-06-01"), initial="NEG", latest="EMO"),  # started, open: NEG -> EMO
             _plan(d("2026-07-01"), d("2026-09-01"), initial="PHY"),  # started, ended: not open
             _plan(d("2025-07-01"), initial="PHY", latest="EMO"),  # started last year, open: PHY -> EMO
             _plan(d("2026-08-01"), initial="EMO"),  # started, open: EMO -> EMO
             _plan(d("2025-01-01"), d("2026-01-01"), initial="SAB")]  # neither
    result = figures(child(episode(d("2024-12-01"), cp_plans=plans)))
    started = result["cp_started_by_category"].as_dict()
    assert started == {"NEG": 2, "PHY": 1, "SAB": 0, "EMO": 1, "MUL": 0}
    table = result["abuse_initial_by_latest"]
    assert isinstance(table, Table)
    assert table.columns[0] == "Initial category" and table.columns[-1] == "Total"
    latest = [c.split()[0] for c in table.columns[1:-1]]
    assert latest == ["NEG", "PHY", "SAB", "EMO", "MUL"]
    by_initial = {row[0].split()[0]: dict(zip(latest + ["Total"], row[1:])) for row in table.rows}
    assert by_initial["NEG"] == {"NEG": 1, "PHY": 0, "SAB": 0, "EMO": 1, "MUL": 0, "Total": 2}
    assert by_initial["PHY"] == {"NEG": 0, "PHY": 0, "SAB": 0, "EMO": 1, "MUL": 0, "Total": 1}
    assert by_initial["EMO"]["EMO"] == 1 and by_initial["SAB"]["Total"] == 0
    assert by_initial["Total"] == {"NEG": 1, "PHY": 0, "SAB": 0, "EMO": 3, "MUL": 0, "Total": 4}
    # the margins are the two breakdowns of plans open at 31 March
    assert result["abuse_initial"].as_dict()["NEG"] == 2 and result["abuse_latest"].as_dict()["EMO"] == 3


def test_every_collect_report_but_notes_is_shown_and_every_key_exists():
    keys = {f.key for f in FIGURES}
    lists = {s.key for s in LISTS}
    assert [r.number for r in COLLECT_REPORTS] == list(range(1, 19))
    for report in COLLECT_REPORTS:
        assert set(report.figures) <= keys and set(report.lists) <= lists, report.name
        assert report.figures or report.lists or report.name == "Notes", report.name
    assert {k for r in COLLECT_REPORTS for k in r.lists} == lists  # every list is one of COLLECT's


# -- child-level lists ------------------------------------------------------------------------------


def _lists(*children, year="2026-27"):
    from cin_xl.census.years import CensusYear

    year_ = CensusYear.parse(year)
    return compute_figures(census(*children, year=year_), year_, lists=True)


def test_assessments_list_agrees_with_the_rate_and_names_the_child():
    kid = child(episode(d("2026-04-30"), assessments=ASSESSMENTS))
    result = _lists(kid)
    rows = result.lists["assessments_working_days"].rows
    rate = result["assessments_within_45_days"]
    assert len(rows) == rate.denominator == 8
    assert sum(1 for r in rows if r[-1] == "Yes") == rate.numerator == 5
    first = rows[0]
    assert first[0] == kid.identifiers.la_child_id
    assert first[4:] == (d("2026-05-01"), d("2026-07-07"), 45, "Yes")
    assert rows[7][4:] == (d("0206-05-01"), d("2026-06-01"), None, "No")  # too long ago to count: not within


def test_conference_list_agrees_with_both_rates():
    s47 = episode(d("2026-12-18"), section47s=[_conference(d("2026-12-21"), d("2027-01-14")),
                                               _conference(d("2026-12-21"), d("2027-01-15"))])
    result = _lists(child(s47), child(episode(d("2026-12-24"), icpc=d("2026-12-29"))))
    rows = result.lists["icpc_working_days"].rows
    for kind, key in (("Section 47", "conferences_within_15_days"),
                      ("Transfer-in", "transfer_in_icpc_within_15_days")):
        mine = [r for r in rows if r[4] == kind]
        assert len(mine) == result[key].denominator and sum(r[-1] == "Yes" for r in mine) == result[key].numerator
    assert [r[7] for r in rows] == [15, 16, 1]


def test_plan_lists_agree_with_their_figures():
    plans = [_plan(d("2026-05-01"), d("2026-08-01")), _plan(d("2026-10-01")),  # second in the return
             _plan(d("2025-03-31")),  # open, two years on 31 March 2027
             _plan(d("2024-06-01"), d("2026-06-01")),  # ended in the year on its second anniversary
             plan(d("2026-10-01"), reviews=[d("2027-01-02")]),  # review due 1 Jan, held 2 Jan: late
             plan(d("2026-10-01"))]  # review due 1 Jan, none by 31 March: late
    kid = child(episode(d("2024-05-01"), cp_plans=plans))
    result = _lists(kid)
    more = result.lists["more_than_one_cpp"].rows
    assert len(more) == result["cp_second_or_subsequent"].numerator
    # the four plans started in the year all follow an earlier plan of the child in the return: 1 May 2026
    # follows 31 March 2025, and each 1 October 2026 follows 1 May 2026 (plans starting the same day do not
    # follow each other)
    assert [(r[4], r[7]) for r in more] == [(d("2026-05-01"), d("2025-03-31"))] + [
        (d("2026-10-01"), d("2026-05-01"))] * 3
    two = result.lists["cp_two_years"].rows
    assert len(two) == result["cp_ended_two_years"].numerator + result["cp_open_two_years"].numerator == 2
    assert {(r[4], r[6], r[7]) for r in two} == {(d("2025-03-31"), "Open at 31 March", d("2027-03-31")),
                                                 (d("2024-06-01"), "Ended in the year", d("2026-06-01"))}
    late = result.lists["cp_reviews_out_of_timescale"].rows
    reviews = result["cp_reviews_on_time"]
    assert len(late) == reviews.denominator - reviews.numerator
    # the three plans started 1 Oct 2026: two with no review by 31 March, one reviewed a day late
    assert Counter((r[5], r[6]) for r in late if r[4] == d("2026-10-01")) == Counter(
        {(d("2027-01-01"), None): 2, (d("2027-01-01"), d("2027-01-02")): 1})


def test_plan_lasting_two_years_from_29_february():
    # 29 Feb 2024 + 2 years is 28 Feb 2026 (no 29 February in 2026): a plan ending then has lasted two years;
    # one started on 1 March 2024 and ending the same day has not
    plans = [_plan(d("2024-02-29"), d("2026-02-28")), _plan(d("2024-03-01"), d("2026-02-28"))]
    result = _lists(child(episode(d("2024-02-01"), cp_plans=plans)), year="2025-26")
    assert result["cp_ended_two_years"] == Rate(1, 2)
    assert [r[4:] for r in result.lists["cp_two_years"].rows] == [
        (d("2024-02-29"), d("2026-02-28"), "Ended in the year", d("2026-02-28"))]


def test_lists_agree_with_the_rates_on_a_generated_return():
    from cin_xl.synthetic.generate import generate

    result = compute_figures(generate(400, YEAR, 11), YEAR, lists=True)
    rows = result.lists["assessments_working_days"].rows
    rate = result["assessments_within_45_days"]
    assert rate.denominator > 50 and len(rows) == rate.denominator
    assert sum(r[-1] == "Yes" for r in rows) == rate.numerator
    bands = result["assessment_working_days"]
    assert sum(bands.count(c) for c in ("0", "1-10", "11-20", "21-30", "31-40", "41-45")) == rate.numerator
    assert bands.total == rate.denominator
    reviews = result["cp_reviews_on_time"]
    assert len(result.lists["cp_reviews_out_of_timescale"].rows) == reviews.denominator - reviews.numerator


def test_the_new_counts_figure_is_in_the_counts_section():
    assert next(f for f in FIGURES if f.key == "cp_second_or_subsequent").section == COUNTS
    assert value("cp_second_or_subsequent", child(episode(d("2026-05-01")))) == Rate(0, 0)
