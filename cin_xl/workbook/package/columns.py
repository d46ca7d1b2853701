"""Spreadsheet column letters and numbers (A is 1, XFD is 16,384) and cell references: the one place for them.

Kept here rather than taken from ``openpyxl.utils``: importing that loads all of openpyxl, a tenth of
a second that reading a workbook or validating XML does not need.
"""

from __future__ import annotations

import re
from functools import cache

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@cache  # at most 18,278 columns
def column_letters(number: int) -> str:
    """``1`` -> ``"A"``, ``28`` -> ``"AB"``."""
    if not 1 <= number <= 18_278:  # ZZZ, as openpyxl allows
        raise ValueError(f"Invalid column index {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@cache
def column_index(letters: str) -> int:
    """``"A"`` -> ``1``, ``"ab"`` -> ``28``."""
    text = letters.upper()
    if not 1 <= len(text) <= 3 or not text.isascii() or not text.isalpha():
        raise ValueError(f"{letters!r} is not a column reference")
    number = 0
    for ch in text:
        number = number * 26 + ord(ch) - 64
    return number


def is_cell_ref(ref: str) -> bool:
    """True for a single cell's reference, such as ``K12`` or ``$K$12``."""
    return _REF.match(ref) is not None


def split_ref(ref: str) -> tuple[int, int]:
    """``"K12"`` -> (row 12, column 11)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1))


def ref_of(row: int, column: int) -> str:
    """(row 12, column 11) -> ``"K12"``."""
    return f"{column_letters(column)}{row}"
