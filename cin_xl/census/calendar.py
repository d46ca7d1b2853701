"""Working days: weekdays that are not bank holidays in England and Wales.

Bank holidays come from the ``holidays`` package, which computes them offline (no network).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # imported here, not at the top: it loads every country's calendar (a twentieth of a second),
    # which commands that count no working days need not wait for
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def add_working_days(day: date, n: int) -> date:
    """The date ``n`` working days after (``n`` > 0) or before (``n`` < 0) ``day``."""
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
