"""Which cases were open at a census reference date: what rollover carries into the new year and what the
continuity checks expect to find again in it (one reading for both)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cin_xl.census.model import Child, CINDetails
from cin_xl.census.values import is_missing


def still_open(end: object, reference_date: date) -> bool:
    """No end, a later one, or one that could not be read (carried as typed, for validation to flag)."""
    return is_missing(end) or not isinstance(end, date) or end > reference_date


def is_carried(episode: CINDetails, reference_date: date) -> bool:
    """Open at ``reference_date``: no closure (or a later one), or a plan still open."""
    return (still_open(episode.closure_date, reference_date)
            or any(still_open(p.end_date, reference_date) for p in episode.cin_plans)
            or any(still_open(p.end_date, reference_date) for p in episode.child_protection_plans))


def records_by_child(children: Iterable[Child]) -> list[list[Child]]:
    """The records of each child, in the order children first appear: one list per LA child ID (a return
    holding a child twice gives one list of two; a record without an ID is a list of its own)."""
    groups: dict[object, list[Child]] = {}
    for child in children:
        key = child.identifiers.la_child_id
        groups.setdefault(key if isinstance(key, str) and key.strip() else id(child), []).append(child)
    return list(groups.values())


def distinct_episodes(episodes: Iterable[CINDetails]) -> list[CINDetails]:
    """``episodes`` less the repeats of one already listed (the same referral date, as in a child's two
    records of one return)."""
    seen: set[object] = set()
    out = []
    for episode in episodes:
        key = episode.referral_date if not is_missing(episode.referral_date) else id(episode)
        if key not in seen:
            seen.add(key)
            out.append(episode)
    return out
