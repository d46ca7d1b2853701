"""COLLECT's reports, by the names the DfE's "Children in need census: COLLECT report specifications" gives
them, each with the figures and child-level lists of this report that show the same thing, so that an officer
can hold one against the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CollectReport:
    number: int
    name: str
    #: figure keys (:data:`cin_xl.reports.figures.FIGURES`) showing it
    figures: tuple[str, ...] = ()
    #: child-level list keys (:data:`cin_xl.reports.figures.lists.LISTS`)
    lists: tuple[str, ...] = ()
    #: what to know when comparing
    note: str = ""


_MONTHLY = ("monthly_referrals", "monthly_assessments_started", "monthly_assessments_completed",
            "monthly_cin_plans_started", "monthly_cin_plans_ended", "monthly_cp_plans_started",
            "monthly_cp_plans_ended")

COLLECT_REPORTS = (
    CollectReport(1, "Assessments working days list", (), ("assessments_working_days",)),
    CollectReport(2, "Assessments working days summary", ("assessment_working_days", "assessments_within_45_days")),
    CollectReport(3, "CPP at 31 March by initial and latest category of abuse",
                  ("abuse_initial_by_latest", "abuse_initial", "abuse_latest")),
    CollectReport(4, "Error counts", ("errors", "queries", "findings_by_rule")),
    CollectReport(5, "Error report", ("findings_by_sheet", "findings_by_rule"),
                  note="Every error and query, with its sheet, row and column: cin-xl validate."),
    CollectReport(6, "Factors at assessment", ("factors",)),
    CollectReport(7, "Transfer-in ICPC working days summary",
                  ("transfer_in_icpc_within_15_days", "transfer_in_icpc_working_days"), ("icpc_working_days",)),
    CollectReport(8, "ICPC working days summary", ("conferences_within_15_days", "icpc_working_days"),
                  ("icpc_working_days",)),
    CollectReport(9, "Key indicators", ("re_referrals", "assessments_within_45_days", "conferences_within_15_days",
                                        "cp_second_or_subsequent", "cp_reviews_on_time", "cp_ended_two_years",
                                        "cp_open_two_years")),
    CollectReport(10, "KI Children - CPP - 2 years or more", ("cp_ended_two_years", "cp_open_two_years"),
                  ("cp_two_years",)),
    CollectReport(11, "KI Children - CPPs reviewed within timescales", ("cp_reviews_on_time",),
                  ("cp_reviews_out_of_timescale",)),
    CollectReport(12, "KI Children - more than one CPP", ("cp_second_or_subsequent",), ("more_than_one_cpp",)),
    CollectReport(13, "Notes", note="Written in COLLECT itself: the authority's notes on the return."),
    CollectReport(14, "Referral source", ("referral_source",)),
    CollectReport(15, "Referrals, assessments and plans starting and ending by month", _MONTHLY),
    CollectReport(16, "Started CPP in year - category of abuse", ("cp_started_by_category",)),
    CollectReport(17, "Summary", ("children", "children_in_need_during_year", "children_in_need_at_31_march",
                                  "referrals", "assessments_completed", "section47s", "initial_conferences",
                                  "cin_plans_open", "cp_plans_started", "cp_plans_open", "primary_need", "age_band",
                                  "sex")),
    CollectReport(18, "Submission Continuity Report", ("open_last_year", "open_last_year_present",
                                                       "continuity_by_check", "year_on_year"),
                  note="With last year's return: cin-xl report FILE --previous LAST.xml."),
)



def reports_showing(key: str) -> list[CollectReport]:
    """COLLECT's reports that figure or list ``key`` shows."""
    return [r for r in COLLECT_REPORTS if key in r.figures or key in r.lists]


__all__ = ["CollectReport", "COLLECT_REPORTS", "reports_showing"]
