"""A small hand-made return that breaks no DfE rule, for rule tests to bend one way or the other.

Child A1: born, two episodes. The first (closed) runs the whole path: assessment, section 47,
initial conference, child protection plan with reviews, a CIN plan after the CP plan, and (2026-27)
pre-proceedings. The second (open, the latest) has an assessment under way.
Child B2: unborn, one referral with no further action, closed the same day.

Each year's items: GenderCurrent (1, 2, 0) where the year has no Sex, no CIN plan where it has none.
Tests copy it with ``base_return(year)`` and change one thing; ``ep(census, 0, 0)`` etc. reach in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cin_xl.census.model import (
    Assessment,
    CensusReturn,
    Child,
    ChildCharacteristics,
    ChildIdentifiers,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    CollectionDetails,
    Header,
    PreProceedings,
    Section47,
    Source,
)
from cin_xl.census.upn import make_upn
from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import fit_to_year

D = timedelta(days=1)


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += D
    return day


def base_return(label: str = "2026-27") -> CensusReturn:
    year = CensusYear.parse(label)
    start, ref = year.start, year.reference_date
    referral = weekday_on_or_after(start + 10 * D)
    s47_start = referral + 2 * D
    icpc = weekday_on_or_after(s47_start + 8 * D)
    cpp_end = icpc + 90 * D
    closure = cpp_end + 60 * D
    pre = None
    if year >= CensusYear.parse("2026-27"):
        pp = start + 50 * D
        pre = PreProceedings(pp_start_date=pp, lbp_sent_date=pp + 5 * D, fgdm_meeting_offer=True,
                             fgdm_meeting_fac=True, initial_pp_meeting_date=pp + 10 * D, review_meetings_count=1,
                             step_decision_date=pp + 50 * D, pp_outcome="A", court_app_date=pp + 55 * D,
                             letter_init_cp_date=pp + 60 * D)
    first = CINDetails(
        referral_date=referral, referral_source="2A", primary_need_code="N1",
        closure_date=closure, reason_for_closure="RC7",
        assessments=[Assessment(start_date=referral + D, authorisation_date=referral + 20 * D, factors=["3B", "4B"])],
        cin_plans=[CINPlan(start_date=cpp_end, end_date=closure - D)],
        section47s=[Section47(start_date=s47_start, initial_cpc_target=icpc, date_of_initial_cpc=icpc,
                              icpc_not_required=False)],
        referral_nfa=False,
        child_protection_plans=[ChildProtectionPlan(
            start_date=icpc, end_date=cpp_end, initial_category_of_abuse="NEG", latest_category_of_abuse="EMO",
            number_of_previous_cpp=0, review_dates=[icpc + 30 * D, icpc + 80 * D])],
        pre_proceedings=pre,
    )
    second_referral = ref - 20 * D
    second = CINDetails(
        referral_date=second_referral, referral_source="6", primary_need_code="N4", referral_nfa=False,
        assessments=[Assessment(start_date=second_referral + D)],
    )
    a1 = Child(
        identifiers=ChildIdentifiers(la_child_id="A1", upn=make_upn("202", 1234567890),
                                     person_birth_date=date(year.first - 10, 6, 15), sex="F"),
        characteristics=ChildCharacteristics(ethnicity="WBRI", disabilities=["NONE"]),
        cin_details=[first, second],
    )
    b2_referral = ref - 40 * D
    b2 = Child(
        identifiers=ChildIdentifiers(la_child_id="B2", upn_unknown="UN1", expected_person_birth_date=ref + 60 * D,
                                     sex="U"),
        characteristics=ChildCharacteristics(ethnicity="NOBT", disabilities=["NONE"]),
        cin_details=[CINDetails(referral_date=b2_referral, referral_source="3B", closure_date=b2_referral,
                                reason_for_closure="RC7", referral_nfa=True)],
    )
    header = Header(
        collection_details=CollectionDetails(year=year.xml_year, reference_date=ref),
        source=Source(lea="202", software_code="cin-xl", release="test", serial_no="001",
                      date_time=datetime(year.first + 1, 4, 2, 9, 0)),
    )
    census = CensusReturn(header=header, children=[a1, b2])
    fit_to_year(census, year)  # GenderCurrent before Sex (2024-25), no CIN plans before 2021-22
    return census


def ep(census: CensusReturn, child: int = 0, episode: int = 0) -> CINDetails:
    return census.children[child].cin_details[episode]
