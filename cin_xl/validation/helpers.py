"""Shared shapes of the DfE conditions, so each rule reads like its text.

Every helper treats a value that is not a real date (missing, or text that could not be read) as
absent: the structural checks report unreadable values once, and the rules do not repeat them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TypeVar

from cin_xl.census.calendar import add_working_days, is_weekend, is_working_day, working_days_between
from cin_xl.census.values import as_date, is_missing

__all__ = [
    "as_date", "present", "missing", "before", "after", "on_or_before", "on_or_after", "within",
    "outside", "falls_within", "pairs", "duplicates", "is_true", "is_false", "add_working_days",
    "is_weekend", "is_working_day", "working_days_between", "years_before", "days", "several_open_per_child",
    "per_child",
]

T = TypeVar("T")


def present(value: object) -> bool:
    """Not None, not blank text, not an empty list (``not missing(value)``, in one call: asked ~300,000 times)."""
    if value is None:
        return False
    if value.__class__ is str:
        return not value.isspace() and value != ""
    return value != []


missing = is_missing  # the same test, named as the rules word it (no extra call: asked ~300,000 times)


def before(a: object, b: object) -> bool:
    """Both are dates and ``a`` < ``b``."""
    return isinstance(a, date) and isinstance(b, date) and a < b


def after(a: object, b: object) -> bool:
    return before(b, a)


def on_or_before(a: object, b: object) -> bool:
    return isinstance(a, date) and isinstance(b, date) and a <= b


def on_or_after(a: object, b: object) -> bool:
    return on_or_before(b, a)


def within(day: object, start: object, end: object) -> bool:
    """``start`` <= ``day`` <= ``end`` (all dates)."""
    return isinstance(day, date) and isinstance(start, date) and isinstance(end, date) and start <= day <= end


def outside(day: object, start: date, end: date) -> bool:
    """``day`` is a date and falls before ``start`` or after ``end``."""
    return isinstance(day, date) and not (start <= day <= end)


def falls_within(day: object, start: object, end: object, open_until: date) -> bool:
    """``day`` falls in the period ``start``..``end``; a period with no end runs to ``open_until``."""
    end_or_open = as_date(end) or open_until
    return within(day, start, end_or_open)


def pairs(items: list[T]) -> Iterator[tuple[T, T]]:
    """Every ordered pair of different members (for "any other group" conditions)."""
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if i != j:
                yield a, b


def duplicates(values: Iterable[T]) -> set[T]:
    seen: set[T] = set()
    dup: set[T] = set()
    for v in values:
        (dup if v in seen else seen).add(v)
    return dup


def is_true(value: object) -> bool:
    return value is True


def is_false(value: object) -> bool:
    return value is False


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def several_open_per_child(records, end_field: str):
    """(child, record) for every open record (no ``end_field``) of a child who has more than one open.

    ``records`` are ``(child, episode, record)`` triples from the view ("only one open plan per child")."""
    open_records: dict[int, list] = {}
    for child, _episode, record in records:
        if missing(getattr(record, end_field)):
            open_records.setdefault(id(child), []).append((child, record))
    for found in open_records.values():
        if len(found) > 1:
            yield from found


def per_child(records) -> Iterator[tuple]:
    """(child, [record, ...]) for each child, over all of the child's episodes.

    ``records`` are ``(child, episode, record)`` triples from the view, grouped by child in order; for
    conditions that compare "any other group" of a child, whichever episode holds it."""
    grouped: dict[int, tuple] = {}
    for child, _episode, record in records:
        grouped.setdefault(id(child), (child, []))[1].append(record)
    yield from grouped.values()
