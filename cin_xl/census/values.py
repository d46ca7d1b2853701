"""Reading and writing single values of the census, shared by the XML and workbook adapters.

A value that cannot be read is returned as the text it was, never dropped or "corrected": the
structural checks flag it and the template shows it back in its cell.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from cin_xl.census.spec import Kind

if TYPE_CHECKING:  # pragma: no cover
    from typing_extensions import TypeIs  # in typing from Python 3.13

_INT = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def parse_iso_date(text: str) -> date | str:
    """``YYYY-MM-DD`` (surrounding whitespace ignored) to a date; anything else (or an impossible date)
    stays the text it was, stripped."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return text


_EIGHT_DIGITS = re.compile(r"^\d{8}(?:\.0+)?$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?[/.\s-]+(?:\d{1,2}|[a-z]+\.?)[/.\s-]+\d{2}$", re.I)


def unread_date_hint(value: object, *, in_workbook: bool) -> str:
    """Why a value of a date item was not read as a date, and how to write it: dd/mm/yyyy in a workbook,
    YYYY-MM-DD in census XML. Two-digit years and runs of eight digits are refused, not guessed."""
    how = ("type it as dd/mm/yyyy, for example 06/08/2024" if in_workbook
           else "census XML writes dates as YYYY-MM-DD, for example 2024-08-06")
    text = str(value).strip()
    if _EIGHT_DIGITS.match(text):
        return f"eight digits in a row could be day, month, year or year, month, day; {how}"
    if _TWO_DIGIT_YEAR.match(text):
        return f"a two-digit year could be 19.. or 20..; {how}"
    return how


def parse_xml_text(kind: Kind, raw: str) -> object:
    """A value as found in census XML: surrounding whitespace is layout, not data."""
    text = raw.strip()
    if kind is Kind.DATE:
        return parse_iso_date(text)
    if kind is Kind.BOOL:
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if kind is Kind.INT:
        return int(text) if _INT.match(text) else text
    if kind is Kind.DATETIME:
        try:
            return datetime.fromisoformat(text) if "T" in text else text
        except ValueError:
            return text
    return text


def format_value(kind: Kind, value: object) -> str:
    """The census XML text of a value; text kept from a bad entry is written as it was."""
    if isinstance(value, str):
        return value
    if kind is Kind.BOOL and isinstance(value, bool):
        # 1/0, not true/false: COLLECT takes both, the schemas regional pipelines check returns against only 1/0
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_date(value: object) -> TypeIs[date]:
    """The value was read as a date: not missing, not the text of an entry that could not be read.

    A census date field holds ``date | str | None`` (``model.DateValue``); after ``is_date(x)`` type
    checkers know ``x`` is a date (and, when it is false, that it is text or None).
    """
    return isinstance(value, date)


def as_date(value: object) -> date | None:
    """The date a value holds, or None when it holds none (missing, or text that could not be read)."""
    return value if isinstance(value, date) else None


def is_missing(value: object) -> bool:
    """None, blank text or an empty list (asked of every value of every record: kept cheap)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return value == []
