"""Data-quality figures: unreadable dates, and errors and queries per rule and per sheet."""

from __future__ import annotations

from cin_xl.validation.findings import Finding, Severity
from tests.figures.build import Assessment, CINPlan, child, d, episode, figures, plan, value

E, Q = Severity.ERROR, Severity.QUERY


def test_unreadable_dates_are_counted():
    kids = [
        child(episode("soon", assessments=[Assessment(start_date=d("2026-05-01"), authorisation_date="")]),
              born="31/02/2015"),  # 2: referral, birth date (an empty string is missing, not unreadable)
        child(episode(d("2026-05-01"), cp_plans=[plan(d("2026-06-01"), reviews=[d("2026-09-01"), "x"])],
                      cin_plans=[CINPlan(start_date=d("2026-05-02"), end_date="2026-02-30")])),  # 2: review, end
    ]
    assert value("unreadable_dates", *kids) == 4


FINDINGS = [
    Finding("1103", E, "start before referral", sheet="Assessments", row=5, cells=("C5",)),
    Finding("1103", E, "start before referral",
            path="/Message/Children/Child[1]/CINdetails[1]/Assessments[1]/AssessmentActualStartDate", line=40),
    Finding("8870Q", Q, "target on a weekend",
            path="/Message/Children/Child[2]/CINdetails[1]/Section47[1]/InitialCPCtarget", line=80),
    Finding("100", E, "reference date", path="/Message/Header/CollectionDetails/ReferenceDate", line=5),
    Finding("2887Q", Q, "more plans than conferences"),  # about the return as a whole
]


def test_errors_and_queries():
    result = figures(child(episode(d("2026-05-01"))), findings=FINDINGS)
    assert result["errors"] == 3 and result["queries"] == 2  # 1103 x2 + 100; 8870Q + 2887Q
    assert result.checked


def test_findings_by_rule():
    table = value("findings_by_rule", child(episode(d("2026-05-01"))), findings=FINDINGS)
    assert table.columns == ("Rule", "Severity", "Number", "Message")
    # errors first, then by number (largest first), then by code
    assert table.rows == (("1103", "error", 2, "start before referral"), ("100", "error", 1, "reference date"),
                          ("2887Q", "query", 1, "more plans than conferences"),
                          ("8870Q", "query", 1, "target on a weekend"))


def test_findings_by_sheet():
    table = value("findings_by_sheet", child(episode(d("2026-05-01"))), findings=FINDINGS)
    # the workbook sheet, or for XML the sheet the element's record is on; in workbook order
    assert table.rows == (("Return", 1, 0), ("Assessments", 2, 0), ("Section 47", 0, 1), ("Whole return", 0, 1))


def test_not_checked():
    result = figures(child(episode(d("2026-05-01"))))
    assert not result.checked
    assert result["errors"] is None and result["findings_by_rule"] is None
    assert result["unreadable_dates"] == 0  # does not need validation
