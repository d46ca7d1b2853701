"""Small hand-made returns for the figure tests.

Census year 2026-27: 1 April 2026 to 31 March 2027. Each test builds just the records it needs
with these helpers and works its answer out by hand. Defaults are dull on purpose (a girl born in
2015, referral source 2A, primary need N1) so that only what a test sets matters.
"""

from __future__ import annotations

from datetime import date

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
)
from cin_xl.census.years import CensusYear
from cin_xl.reports.figures import compute_figures

YEAR = CensusYear.parse("2026-27")
d = date.fromisoformat

__all__ = ["YEAR", "d", "child", "episode", "census", "value", "figures", "Assessment", "CINPlan", "Section47",
           "plan", "PreProceedings"]


def episode(referral, *, closure=None, source="2A", need="N1", nfa=False, assessments=(), cin_plans=(),
            section47s=(), cp_plans=(), icpc=None, pre_proceedings=None) -> CINDetails:
    return CINDetails(referral_date=referral, referral_source=source, primary_need_code=need, closure_date=closure,
                      reason_for_closure="RC7" if closure else None, date_of_initial_cpc=icpc,
                      assessments=list(assessments), cin_plans=list(cin_plans), section47s=list(section47s),
                      referral_nfa=nfa, child_protection_plans=list(cp_plans), pre_proceedings=pre_proceedings)


def plan(start, end=None, *, reviews=(), initial="NEG", latest=None) -> ChildProtectionPlan:
    return ChildProtectionPlan(start_date=start, end_date=end, initial_category_of_abuse=initial,
                               latest_category_of_abuse=latest or initial, number_of_previous_cpp=0,
                               review_dates=list(reviews))


_counter = iter(range(1, 10**6))


def child(*episodes: CINDetails, born=date(2015, 6, 1), sex="F", expected=None, gender=None) -> Child:
    return Child(identifiers=ChildIdentifiers(la_child_id=f"T{next(_counter)}", person_birth_date=born,
                                              expected_person_birth_date=expected, sex=sex, gender_current=gender),
                 characteristics=ChildCharacteristics(ethnicity="WBRI", disabilities=["NONE"]),
                 cin_details=list(episodes))


def census(*children: Child, year: CensusYear = YEAR) -> CensusReturn:
    return CensusReturn(header=Header(collection_details=CollectionDetails(year=year.xml_year,
                                                                            reference_date=year.reference_date)),
                        children=list(children))


def figures(*children: Child, year: str = "2026-27", findings=None):
    year = CensusYear.parse(year)
    return compute_figures(census(*children, year=year), year, findings)


def value(key: str, *children: Child, year: str = "2026-27", findings=None):
    """The value of one figure for a return of ``children``."""
    return figures(*children, year=year, findings=findings)[key]
