"""Dates of generated records, typed as the dates they are.

A record's date fields are ``DateValue`` (a date, text kept from a cell that could not be read, or
None), but the generator and the injectors only ever read dates they made themselves. :func:`made` says
so to the type checker, and stops at once if that is ever not true.
"""

from __future__ import annotations

from datetime import date


def made(value: object) -> date:
    """``value``, a date of a generated record; a TypeError for anything else (a mistake in the generator)."""
    if not isinstance(value, date):
        raise TypeError(f"a generated date was expected, not {value!r}")
    return value
