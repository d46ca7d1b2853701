"""Key figures, section "Data quality": unreadable dates and the validation findings, by rule and by
sheet (from the findings handed over; absent when the return was not checked)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache

from cin_xl.census.model import CensusReturn, ChildIdentifiers, record_fields
from cin_xl.census.spec import Group
from cin_xl.reports.figures.shared import QUALITY, Facts, Table, figure
from cin_xl.validation.findings import Finding, Severity

_DATE_FIELDS: dict[type, tuple[str, ...]] = {}


def _unreadable(nodes: Iterable[object], names: tuple[str, ...]) -> int:
    """Values of the fields ``names`` of ``nodes`` (or items of list fields) that are non-blank text."""
    n = 0
    for node in nodes:
        for name in names:
            value = getattr(node, name)
            kind = value.__class__
            if kind is str:
                n += bool(value.strip())
            elif kind is list:
                n += sum(1 for v in value if v.__class__ is str and v.strip())
    return n


def _date_fields(cls: type) -> tuple[str, ...]:
    if cls not in _DATE_FIELDS:
        from cin_xl.census.spec import Item, Kind

        _DATE_FIELDS[cls] = tuple(name for name, info in record_fields(cls).items()
                                  if any(isinstance(m, Item) and m.kind is Kind.DATE for m in info.metadata))
    return _DATE_FIELDS[cls]


@figure("unreadable_dates", "Dates that could not be read", QUALITY, """
    Date values in the children's records that are not real dates (for example "31/02/2026" or
    "soon"). Every figure in this report treats them as absent; fix them and the figures may change.""")
def _unreadable_dates(x: Facts) -> int:
    v = x.view
    n = 0
    n += _unreadable((c.identifiers for c in v.children), _date_fields(ChildIdentifiers))
    for records in (v.episodes, v.assessments, v.cin_plans, v.section47s, v.child_protection_plans,
                    v.pre_proceedings):
        if records:
            n += _unreadable((r[-1] for r in records), _date_fields(type(records[0][-1])))
    return n


@figure("errors", "Errors", QUALITY, """
    Findings of validation (schema, structural checks, DfE rules and local checks) that are errors:
    COLLECT would not accept the return with them.""", from_findings=True)
def _errors(x: Facts) -> int:
    return sum(1 for f in x.given_findings if f.severity is Severity.ERROR)


@figure("queries", "Queries", QUALITY, """
    Findings of validation that are queries: COLLECT asks for the data to be checked, or for a
    reason to be given.""", from_findings=True)
def _queries(x: Facts) -> int:
    return sum(1 for f in x.given_findings if f.severity is not Severity.ERROR)


@figure("findings_by_rule", "Errors and queries by rule", QUALITY, """
    How many times each rule or check fired, errors first, then by number, largest first.""",
        from_findings=True)
def _findings_by_rule(x: Facts) -> Table:
    from cin_xl.reports.findings import grouped

    return Table(("Rule", "Severity", "Number", "Message"),
                 tuple((code, str(severity), len(group), heading)
                       for code, severity, heading, group in grouped(list(x.given_findings))))


@figure("findings_by_sheet", "Errors and queries by sheet", QUALITY, """
    Errors and queries by the workbook sheet holding the value they are about. For census XML the
    sheet is the one the element would be on; findings about the return as a whole are under
    "Whole return".""", from_findings=True)
def _findings_by_sheet(x: Facts) -> Table:
    errors: Counter = Counter()
    queries: Counter = Counter()
    for f in x.given_findings:
        sheet = sheet_of(f)
        (errors if f.severity is Severity.ERROR else queries)[sheet] += 1
    order = _sheet_order()
    sheets = sorted(set(errors) | set(queries), key=lambda s: (order.get(s, len(order)), s))
    return Table(("Sheet", "Errors", "Queries"), tuple((s, errors[s], queries[s]) for s in sheets))


WHOLE_RETURN = "Whole return"


#: used when the workbook layout cannot be imported
_FALLBACK_SHEETS = {"Header": "Return", "Child": "Children", "CINdetails": "Referrals", "Assessments": "Assessments",
                    "CINPlanDates": "CIN plans", "Section47": "Section 47",
                    "ChildProtectionPlans": "Child protection plans", "PreProceedingsandFGDM": "Pre-proceedings"}


def _element_sheets() -> dict[str, str]:
    """Census XML element name -> workbook sheet holding its records (from the workbook layout)."""
    try:
        from cin_xl.workbook.layout import MODULE_BY_SHEET, MODULES, RETURN
    except ImportError:  # pragma: no cover - the layout is part of the package
        return dict(_FALLBACK_SHEETS)

    out = {"Header": RETURN}
    for m in MODULES:
        parent = MODULE_BY_SHEET[m.parent].record if m.parent else CensusReturn
        spec = next(s for s in record_fields(parent)[m.field].metadata if isinstance(s, Group))
        out[spec.xml] = m.sheet
    return out


def _sheet_order() -> dict[str, int]:
    sheets = list(dict.fromkeys(_element_sheet_map().values()))
    return {s: i for i, s in enumerate(sheets + [WHOLE_RETURN])}


@cache
def _element_sheet_map() -> dict[str, str]:
    return _element_sheets()


def sheet_of(finding: Finding) -> str:
    """The workbook sheet a finding is about: its own sheet, or the one its XML element maps to."""
    if finding.sheet:
        return finding.sheet
    if finding.path:
        mapping = _element_sheet_map()
        for part in reversed(finding.path.strip("/").split("/")):
            name = part.split("[", 1)[0]
            if name in mapping:
                return mapping[name]
    return WHOLE_RETURN
