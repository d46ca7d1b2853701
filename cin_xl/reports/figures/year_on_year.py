"""Key figures, section "Continuity with last year": each key figure beside last year's, with the change, and
the changes COLLECT would ask about flagged (only when last year's return is handed over).

The DfE's statistics methodology says COLLECT flags key measures that "increased or decreased substantially
between census years", for the authority to confirm. Its thresholds are not published, so the ones here are
stated (:data:`SUBSTANTIAL_COUNT_CHANGE`, :data:`SUBSTANTIAL_RATE_CHANGE`) and written beside the table.
"""

from __future__ import annotations

from cin_xl.census.years import CensusYear
from cin_xl.reports.figures.shared import CONTINUITY, COUNTS, FIGURES, TIMELINESS, Facts, Figure, Rate, Table, figure

#: a count is flagged when it changed by this percentage of last year's or more (either way)
SUBSTANTIAL_COUNT_CHANGE = 10.0
#: a percentage is flagged when it changed by this many percentage points or more (either way)
SUBSTANTIAL_RATE_CHANGE = 5.0
FLAG = "Check"
PERCENT = " (percent)"
COLUMNS = ("Figure", "Last year", "This year", "Change", "Change (%)", "Substantial change")


def key_figures(year: CensusYear) -> list[Figure]:
    """The figures compared year on year: the counts and the timeliness percentages in force in ``year`` and the
    year before."""
    before = CensusYear(year.first - 1)
    return [f for f in FIGURES if f.section in (COUNTS, TIMELINESS) and not f.from_findings and not f.from_previous
            and f.applies(year) and f.applies(before) and (f.section == COUNTS or f.numerator)]


def compare(name: str, last: object, this: object) -> tuple:
    """One row of the table (see :data:`COLUMNS`): counts compared as numbers, rates as percentages; the last
    cell is :data:`FLAG` for a substantial change, else None (never an empty text: a blank cell in the sheet)."""
    if isinstance(this, Rate) and isinstance(last, Rate):
        a, b = last.percent, this.percent
        if a is None or b is None:
            return (f"{name}{PERCENT}", _round(a), _round(b), None, None, None)
        change = round(b - a, 1)
        return (f"{name}{PERCENT}", _round(a), _round(b), change, None,
                FLAG if abs(change) >= SUBSTANTIAL_RATE_CHANGE else None)
    if isinstance(this, int) and isinstance(last, int):
        change_n = this - last
        pct = round(100 * change_n / last, 1) if last else None
        flagged = abs(pct) >= SUBSTANTIAL_COUNT_CHANGE if pct is not None else this != 0
        return (name, last, this, change_n, pct, FLAG if flagged else None)
    return (name, None, None, None, None, None)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@figure("year_on_year", "Key figures year on year", CONTINUITY, f"""
    Each count and timeliness percentage of this return beside the same figure worked out, with the same
    definition, from last year's return for last year. Change: this year's less last year's (for a percentage,
    in percentage points); Change (%): the change as a percentage of last year's number. COLLECT asks the
    authority to confirm key measures that changed substantially between census years; its thresholds are not
    published, so cin-xl flags ("{FLAG}") a count that changed by {SUBSTANTIAL_COUNT_CHANGE:g}% or more of last
    year's (or from none to some) and a percentage that moved by {SUBSTANTIAL_RATE_CHANGE:g} percentage points or
    more.""", from_previous=True)
def _year_on_year(x: Facts) -> Table:
    wanted = key_figures(x.year)
    last = Facts(x.last_year, CensusYear(x.year.first - 1))
    # this year's figures are worked out already (this section comes last)
    rows = [compare(f.name, f.compute(last), x.computed[f.key] if f.key in x.computed else f.compute(x))
            for f in wanted]
    # the counts first, then the percentages (each in report order)
    return Table(COLUMNS, tuple(sorted(rows, key=is_percent)))


def is_percent(row: tuple) -> bool:
    """A row of the table comparing percentages (the others compare counts)."""
    return str(row[0]).endswith(PERCENT)
