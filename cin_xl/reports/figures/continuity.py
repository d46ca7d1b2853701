"""Key figures, section "Continuity with last year": last year's open cases and the C- continuity
queries (only when last year's return is handed over)."""

from __future__ import annotations

from collections import Counter

from cin_xl.reports.figures.shared import CONTINUITY, Facts, Rate, Table, figure


def _continuity(x: Facts):
    """The two returns matched, once for all the figures that need it (matching 20,000 children is seconds)."""
    from cin_xl.validation.continuity import Continuity

    shared = x.computed.get(_MATCHED)
    if not isinstance(shared, Continuity):
        shared = x.computed[_MATCHED] = Continuity(x.view.census, x.last_year, x.year)
    return shared


#: where the matched returns are kept among the figures worked out (not a figure: no figure has this key)
_MATCHED = "(last year's children matched)"


@figure("open_last_year", "Children with a case open at last year's reference date", CONTINUITY, """
    Children of last year's return with an episode, CIN plan or child protection plan open at its
    reference date (31 March): the census must include each of them again.""", from_previous=True)
def _open_last_year(x: Facts) -> int:
    c = _continuity(x)
    return sum(1 for child in x.last_year.children if c.open_at_last_reference(child))


@figure("open_last_year_present", "Of them, in this return", CONTINUITY, """
    The children with a case open at last year's reference date who are in this return, found by
    LA child ID or, where the ID changed, by UPN.""", numerator="""
    Children open at last year's reference date found in this return.""", denominator="""
    Children with a case open at last year's reference date.""", from_previous=True)
def _open_last_year_present(x: Facts) -> Rate:
    c = _continuity(x)
    found = {id(before) for before, _ in c.matched}
    carried = [child for child in x.last_year.children if c.open_at_last_reference(child)]
    return Rate(sum(1 for child in carried if id(child) in found), len(carried))


@figure("continuity_by_check", "Continuity queries by check", CONTINUITY, """
    How many times each continuity check (codes C-) fired against last year's return: children or
    episodes missing, dates, sex or UPN that changed, closed episodes reopened.""", from_findings=True,
        from_previous=True)
def _continuity_by_check(x: Facts) -> Table:
    from cin_xl.validation.continuity import CONTINUITY_CHECKS

    counts = Counter(f.code for f in x.given_findings if f.code in CONTINUITY_CHECKS)
    return Table(("Check", "Number", "Message"),
                 tuple((code, counts[code], CONTINUITY_CHECKS[code].message) for code in sorted(counts)))
