"""Unique pupil numbers (UPN): 13 characters, check letter first.

Characters 2-4 are the DfE code of the issuing LA, 5-12 digits, 13 a digit or (temporary UPN) a
letter other than I, O and S. The check letter: weight characters 2-13 by 2..13 (a letter at 13
counts by its position in A-Z less I, O, S, from 0), sum, modulo 23, mapped to the alphabet below.
"""

from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: 0..22
_LAST_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # A-Z less I, O, S
SHAPE = re.compile(r"^[A-Z]\d{3}\d{8}[0-9A-HJ-NP-RT-Z]$")


_WEIGHTS = range(2, 13)  # of characters 2-12 (all digits); character 13 weighs 13
_times = int.__mul__


def check_letter(body: str) -> str | None:
    """The check letter for characters 2-13 (``body``, 12 characters), or None if it cannot be computed."""
    if len(body) != 12 or not body[:11].isdigit() or not (body[11].isdigit() or body[11] in _LAST_LETTERS):
        return None
    last = body[11]
    total = sum(map(_times, map(int, body[:11]), _WEIGHTS)) + 13 * (int(last) if last.isdigit()
                                                                     else _LAST_LETTERS.index(last))
    return CHECK_LETTERS[total % 23]


def has_valid_check_letter(upn: str) -> bool:
    return len(upn) == 13 and check_letter(upn[1:]) == upn[0]


def make_upn(la_code: str, serial: int, temporary_letter: str | None = None) -> str:
    """A well-formed UPN for synthetic data: LA code, 8 digits, then a digit or a temporary letter."""
    body = f"{la_code}{serial // 10 % 10**8:08d}{temporary_letter or serial % 10}"
    letter = check_letter(body)
    if letter is None:
        raise ValueError(f"no UPN can be made from LA code {la_code!r} and {temporary_letter!r}")
    return letter + body


def is_well_formed(upn: str) -> bool:
    """The full format: shape and check letter (characters 2-4 are checked against LA codes elsewhere)."""
    return bool(SHAPE.match(upn)) and has_valid_check_letter(upn)
