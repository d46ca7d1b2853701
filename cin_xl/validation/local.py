"""Local checks (codes ``LA-``): what COLLECT cannot see, from the workbook's Looked-after sheet.

The census XML has no looked-after module (periods of care go in the SSDA903 return), but a child
looked after by the authority is a child in need: these queries compare the two. Each can be
switched off: ``validate(..., options={"local_checks": False})`` for all of them, or
``options={"skip": {"LA-02"}}`` for one.

A looked-after period is any object with ``child_id``, ``start_date``, ``end_date`` and ``origin``
(the workbook reader's rows); an open period (no end date) runs to the census reference date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from cin_xl.census.model import Child
from cin_xl.validation.helpers import as_date
from cin_xl.validation.registry import Check, Family, Hit, check, registered
from cin_xl.validation.view import CensusView


def _period_in_year(census: CensusView, period: Any) -> tuple[date, date] | None:
    """The part of a looked-after period inside the census year, or None."""
    start = as_date(period.start_date)
    if start is None:
        return None
    end = as_date(period.end_date) or census.reference_date
    first, last = max(start, census.start), min(end, census.reference_date)
    return (first, last) if first <= last else None


def _children_by_id(census: CensusView) -> dict[str, Child]:
    return {c.identifiers.la_child_id: c for c in census.children if c.identifiers.la_child_id}


@check("LA-01", Family.LOCAL, "Child is looked after but has no CIN episode open for part of the period of care")
def looked_after_without_open_episode(census: CensusView) -> Iterator[Hit]:
    """A child on the Looked-after sheet must have a CIN episode open on every day of the period of care
    that falls in the census year (episodes run from referral to closure, or to 31 March if open)."""
    children = _children_by_id(census)
    for period in census.looked_after:
        child = children.get(period.child_id)
        span = _period_in_year(census, period)
        if child is None or span is None:
            continue
        covered = sorted(
            (referred, as_date(e.closure_date) or census.reference_date)
            for e in child.cin_details if (referred := as_date(e.referral_date)) is not None
        )
        day = span[0]
        for start, end in covered:
            if start > day:
                break
            if end >= day:
                day = end + timedelta(days=1)
        if day <= span[1]:
            yield Hit(period, ("start_date", "end_date"), child)


@check("LA-02", Family.LOCAL, "A CIN plan is shown running while the child is looked after")
def cin_plan_while_looked_after(census: CensusView) -> Iterator[Hit]:
    """A CIN plan is for a child in need who is neither looked after nor on a child protection plan:
    no CIN plan may run (start..end, or to 31 March if open) on a day inside a period of care. A plan
    ending on the day care starts, or starting on the day it ends, is allowed."""
    periods: dict[str | None, list[Any]] = {}
    for period in census.looked_after:
        periods.setdefault(period.child_id, []).append(period)
    for child, _episode, plan in census.cin_plans:
        start = as_date(plan.start_date)
        if start is None:
            continue
        end = as_date(plan.end_date) or census.reference_date
        for period in periods.get(child.identifiers.la_child_id, ()):
            care_start = as_date(period.start_date)
            if care_start is None:
                continue
            care_end = as_date(period.end_date) or census.reference_date
            if start < care_end and care_start < end:
                yield Hit(plan, ("start_date", "end_date"), child)
                break


@check("LA-03", Family.LOCAL, "Looked-after period for a child who is not on the Children sheet")
def looked_after_child_not_in_return(census: CensusView) -> Iterator[Hit]:
    """Every LA child ID on the Looked-after sheet should be a child of the return."""
    children = _children_by_id(census)
    for period in census.looked_after:
        if period.child_id and period.child_id not in children:
            yield Hit(period, ("child_id",), None)


#: the local checks by code, in the order they run
LOCAL_CHECKS: dict[str, Check] = registered(Family.LOCAL)


def enabled(options: dict[str, Any]) -> list[Check]:
    if not options.get("local_checks", True):
        return []
    skip = set(options.get("skip", ()))
    return [local for code, local in LOCAL_CHECKS.items() if code not in skip]
