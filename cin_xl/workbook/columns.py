"""Spreadsheet column letters and numbers (A is 1, XFD is 16,384): the one place for both.

Kept here rather than taken from ``openpyxl.utils``: importing that loads all of openpyxl, a tenth of
a second that reading a workbook or validating XML does not need.
"""

from __future__ import annotations

from functools import cache


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
