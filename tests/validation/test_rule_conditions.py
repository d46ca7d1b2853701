"""Each DfE rule's docstring quotes its condition from the catalogue (the DfE text), so the two cannot drift.

The docstring's first paragraph is the quote; notes on how the rule is read follow it. Where the quote
leaves out part of the DfE text on purpose, DELIBERATE says what and why.
"""

from __future__ import annotations

import re

import pytest

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.validation import catalogue, implementation

#: code -> why its docstring does not quote the whole DfE condition
DELIBERATE = {
    "8614": "The DfE text ends with its programmers' restatement ('fails if AssessmentAuthoriationDate is null "
            "and AssessmentFactors is not null'); the docstring quotes the condition before it.",
    "2889": "The DfE text ends with a note to its programmers ('Remove null S47Starts'): a missing start date is "
            "never before the referral date (helpers.before), so nothing is left to remove.",
    "8875": "The DfE text ends with a note on Python's .weekday() (0-6, weekends 5 and 6), not a condition.",
    "8565": "The DfE text begins with the heading 'Rule details:', not part of the condition.",
    "8730": "The DfE text ends with a note to its programmers ('Change the line below to ensure values are >=0 ie "
            "not null'); the docstring's note keeps its reading (0 or more, not null).",
    "8805": "The DfE text ends with a note to its programmers ('return rows where CINClosureDate is present but "
            "ReasonForClosure is not ...'), which restates the condition.",
    "8810": "The DfE text ends with a note to its programmers ('Return rows where there is a Reason for closure "
            "and no CINclosureDate'), which restates the condition.",
    "4010": "The DfE text ends with a note that contradicts its first sentence ('must be after the "
            "reference_date'); the docstring quotes the condition and its note explains the reading.",
    "4011": "The DfE text ends with a note to its programmers ('Remove all rows with no end date'): a missing end "
            "date is never before the start date (helpers.before).",
    "8873Q": "The DfE text says 'must should'; the docstring words the rule plainly ('should'), with the reading "
             "of closed episodes, while the rule's fix for them lands: quote the DfE text with it.",
}


def normalised(text: str) -> str:
    """Whitespace collapsed, every kind of quote mark the same, no final full stop."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"[\u2018\u2019\u201c\u201d\"`]", "'", text).rstrip(". ")


def quoted(doc: str) -> str:
    return re.split(r"\n\s*\n", doc.strip())[0]


def _pairs() -> list[tuple[str, str, str, str]]:
    """(year, code, docstring quote, catalogue condition) of every DfE rule in force in a supported year."""
    out = []
    for label in SUPPORTED_YEARS:
        year = CensusYear.parse(label)
        for code, entry in catalogue(year).items():
            impl = implementation(code, year)
            assert impl is not None, code
            out.append((label, code, quoted(impl.doc), entry.condition))
    return out


def test_every_rule_docstring_quotes_the_catalogue_condition():
    differing = {code for _, code, doc, condition in _pairs() if normalised(doc) != normalised(condition)}
    assert sorted(differing - set(DELIBERATE)) == []


def test_each_deliberate_difference_is_still_a_difference_with_a_reason():
    differing = {code for _, code, doc, condition in _pairs() if normalised(doc) != normalised(condition)}
    assert sorted(set(DELIBERATE) - differing) == []
    assert all(len(reason) > 40 for reason in DELIBERATE.values())


@pytest.mark.parametrize("code", sorted(set(DELIBERATE) - {"8873Q"}))
def test_a_shortened_quote_is_still_the_dfe_text(code):
    (doc, condition), = {(doc, condition) for _, c, doc, condition in _pairs() if c == code}
    assert normalised(doc) in normalised(condition)
