"""Text that a spreadsheet would evaluate: the one test for it, used by every writer.

Excel (and LibreOffice, and anything that opens a CSV) takes a cell whose text starts with ``=``,
``+``, ``-`` or ``@`` for a formula; a leading tab, carriage return or line feed can hide one, and
East Asian input turns the full-width forms (＝ ＋ － ＠) into the same. Every text the tool writes
into a cell or a CSV field goes through :func:`looks_like_formula`; the writers then store it as
text (openpyxl: string type and a quote prefix; xlwings: a leading apostrophe or the Text number
format; CSV: :func:`csv_field`, as the OWASP guidance on CSV injection describes).
"""

from __future__ import annotations

import re
from typing import TypeGuard

#: first characters that make a spreadsheet evaluate (or hide) a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(value: object) -> TypeGuard[str]:
    """True for text a spreadsheet could evaluate if it were stored as typed."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_field(value: object) -> object:
    """A CSV field that no spreadsheet evaluates: risky text gets a leading single quote.

    The CSV writer quotes every field as well (``csv.QUOTE_ALL``), so a quote or comma inside
    cannot start a new field.
    """
    return "'" + value if looks_like_formula(value) else value


#: the most characters of a value a message quotes (a 5 MB child ID is not printed whole)
QUOTED = 60


def encodable(text: str) -> str:
    """``text`` with every character UTF-8 cannot hold (a lone surrogate, as a cell's ``_xD800_`` or
    Excel's own UTF-16 may give) shown escaped, ``\\ud800``: printing or writing it then never fails."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")


def quoted(value: object, limit: int = QUOTED) -> str:
    """``value`` as a message quotes it: one line (line breaks and tabs become a space), characters that
    cannot be printed escaped (:func:`encodable`), and at most ``limit`` characters, saying how long
    the whole is. Short plain text is given as it is."""
    text = _LINE_BREAKS.sub(" ", str(value))
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text):,} characters)"
    return encodable(text)


def quoted_repr(value: object, limit: int = QUOTED) -> str:
    """``repr(value)`` for a message (escapes and all), text cut to its first ``limit`` characters."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    return repr(value)


__all__ = ["FORMULA_STARTS", "QUOTED", "looks_like_formula", "csv_field", "encodable", "quoted", "quoted_repr"]
