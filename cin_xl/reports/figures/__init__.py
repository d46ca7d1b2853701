"""Key figures of a census return for its census year, each defined once, in code and in words.

Every figure is a small function registered with :func:`figure`, which records its ``name``, the
``section`` of the report it belongs to and its ``definition`` in plain English (shown in the HTML
report and in the workbook's Summary sheet). Rates also say in words what their ``numerator`` and
``denominator`` count. ``compute_figures(census, year, findings)`` runs them all on one
:class:`Facts` (a :class:`~cin_xl.validation.view.CensusView` plus the few record selections that
several figures share, each built once), so the whole set is a handful of linear passes over the
return.

Conventions, shared by every figure:

- The census year is 1 April to 31 March (:class:`~cin_xl.census.years.CensusYear`); "in the year" means
  on or between those two dates.
- A date that could not be read (text kept from a bad cell or element) counts as absent. The
  figure ``unreadable_dates`` says how many there were, so nobody is surprised by a count that is
  lower than expected.
- Working days are weekdays that are not bank holidays in England and Wales
  (:mod:`cin_xl.census.calendar`). The working days from A to B are those *after* A up to and including
  B: an assessment authorised on the working day after it started took 1 working day.
- "N months after" a date is the same day N calendar months later, or the last day of that month
  when it has no such day (31 May + 3 months = 31 August; 30 November + 3 months = 28 or 29
  February).
- A plan or episode is *open at 31 March* when it started on or before 31 March and has no end
  (or closure) date on or before 31 March.

These are the toolkit's own calculations from the return, to see the figures before submission.
The Department's published statistics use the returns of several years and may define a measure
differently in detail; each definition here says exactly what is counted.

The figures are declared section by section, one module per report section (:mod:`.counts`,
:mod:`.timeliness`, :mod:`.monthly`, :mod:`.breakdowns`, :mod:`.quality`, :mod:`.continuity`), on the
machinery of :mod:`.shared`; :mod:`.compute` works them out. The figures load no file: the job that
asks for them hands over the return, its findings and last year's return.
"""

from cin_xl.reports.figures.breakdowns import AGE_BANDS, age_band
from cin_xl.reports.figures.compute import Figures, Result, compute_figures
from cin_xl.reports.figures.quality import WHOLE_RETURN, sheet_of
from cin_xl.reports.figures.shared import (
    BREAKDOWNS,
    CONTINUITY,
    COUNTS,
    FIGURES,
    MONTHLY,
    QUALITY,
    SECTIONS,
    TIMELINESS,
    Breakdown,
    Category,
    Facts,
    Figure,
    Monthly,
    Rate,
    Table,
    WorkingDays,
    add_months,
    figure,
)
from cin_xl.reports.figures.timeliness import reviewed_on_time

__all__ = [
    "Figure", "FIGURES", "SECTIONS", "Rate", "Category", "Breakdown", "Monthly", "Table", "Result", "Figures",
    "Facts", "compute_figures", "add_months", "figure", "WorkingDays", "reviewed_on_time", "age_band", "AGE_BANDS",
    "sheet_of", "WHOLE_RETURN", "COUNTS", "TIMELINESS", "MONTHLY", "BREAKDOWNS", "QUALITY", "CONTINUITY",
]
