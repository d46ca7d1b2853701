"""Headers people write for the census's columns and sheets, and how close a name is to a known one.

Beside :mod:`.layout` (which gives each column its header, and accepts the census's XML names and
N-codes too): the headers commonly written for a column in case systems' exports and local
spreadsheets (:data:`COMMON_HEADERS`), and :func:`likeness` / :func:`closest` to say which known
name a renamed column or sheet most looks like. The reader reads a common header as its column
(with a query saying so) and names the closest known name when a column or sheet is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from cin_xl.census.spec import Item
from cin_xl.workbook.layout import MODULES, norm_header

#: item XML name -> headers commonly written for it (besides its label, XML name and N-code). Read only on
#: the sheets that have the item, so "Plan start date" is the CIN plan's on 'CIN plans' and the CP plan's on
#: 'Child protection plans'. Kept small: a header here is read without asking, with a query. A header that is
#: another year's column of the sheet is not read as this one ("Gender" is 2023-24's GenderCurrent, not Sex).
COMMON_HEADERS: dict[str, tuple[str, ...]] = {
    "LAchildID": ("Child ID", "LA ID", "Child reference", "Person ID"),
    "UPN": ("Unique pupil number",),
    "FormerUPN": ("Former unique pupil number", "Previous UPN"),
    "PersonBirthDate": ("DOB", "Birth date"),
    "ExpectedPersonBirthDate": ("Expected DOB", "Expected birth date", "Due date"),
    "PersonDeathDate": ("DOD", "Death date"),
    "Ethnicity": ("Ethnic group", "Ethnic origin"),
    "CINreferralDate": ("Date of referral", "CIN referral date"),
    "ReferralSource": ("Source of referral",),
    "PrimaryNeedCode": ("Primary need code", "Category of need"),
    "CINclosureDate": ("CIN closure date", "Case closure date"),
    "ReasonForClosure": ("Closure reason",),
    "ReferralNFA": ("NFA", "No further action"),
    "AssessmentActualStartDate": ("Assessment start",),
    "AssessmentAuthorisationDate": ("Assessment authorised", "Authorisation date"),
    "AssessmentFactors": ("Assessment factors", "Factors"),
    "CINPlanStartDate": ("Plan start date",),
    "CINPlanEndDate": ("Plan end date",),
    "S47ActualStartDate": ("S47 start date",),
    "DateOfInitialCPC": ("ICPC date",),
    "CPPstartDate": ("CPP start date", "Plan start date"),
    "CPPendDate": ("CPP end date", "Plan end date"),
}

#: names likeness ignores between words ("Date of birth" is like "Birth date")
_LITTLE_WORDS = frozenset({"of", "the", "a", "an", "and", "for", "in"})
_WORD = re.compile(r"[a-z0-9]+")
#: below this a name is not said to look like another
LIKENESS_CUTOFF = 0.6


def common_headers(item: Item) -> set[str]:
    """The common headers of ``item``, as compared (:func:`.layout.norm_header`)."""
    return {norm_header(h) for h in COMMON_HEADERS.get(item.xml, ())}


def likeness(a: str, b: str) -> float:
    """How alike two names are, 0 to 1: the better of their letters in order and their words in any order
    ("Birth date (child)" is like "Date of birth"; "CIN Plan" like "CIN plans")."""
    x, y = norm_header(a), norm_header(b)
    if not x or not y:
        return 0.0
    letters = SequenceMatcher(None, x.replace(" ", ""), y.replace(" ", "")).ratio()
    wx = {w for w in _WORD.findall(x) if w not in _LITTLE_WORDS}
    wy = {w for w in _WORD.findall(y) if w not in _LITTLE_WORDS}
    words = 2 * len(wx & wy) / (len(wx) + len(wy)) if wx and wy else 0.0
    return max(letters, words)


def closest(name: str, known: Iterable[str], cutoff: float = LIKENESS_CUTOFF) -> tuple[str, float] | None:
    """(the known name ``name`` looks most like, how alike), or None when none is at least ``cutoff`` alike."""
    best: tuple[str, float] | None = None
    for k in known:
        score = likeness(name, k)
        if score >= cutoff and (best is None or score > best[1]):
            best = (k, score)
    return best


def looks_like_module_sheet(name: str) -> bool:
    """A sheet whose name looks like one of the census's sheets (a renamed "CIN Plan"): worth reading to say so."""
    return closest(name, (m.sheet for m in MODULES)) is not None


__all__ = ["COMMON_HEADERS", "LIKENESS_CUTOFF", "common_headers", "likeness", "closest", "looks_like_module_sheet"]
