"""Which cases were open at a census reference date: what rollover carries into the new year and what the
continuity checks expect to find again in it (one reading for both)."""

from __future__ import annotations

from datetime import date

from cin_xl.census.model import CINDetails
from cin_xl.census.values import is_missing


def still_open(end: object, reference_date: date) -> bool:
    """No end, a later one, or one that could not be read (carried as typed, for validation to flag)."""
    return is_missing(end) or not isinstance(end, date) or end > reference_date


def is_carried(episode: CINDetails, reference_date: date) -> bool:
    """Open at ``reference_date``: no closure (or a later one), or a plan still open."""
    return (still_open(episode.closure_date, reference_date)
            or any(still_open(p.end_date, reference_date) for p in episode.cin_plans)
            or any(still_open(p.end_date, reference_date) for p in episode.child_protection_plans))
