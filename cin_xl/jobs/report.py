"""The key figures job (``cin-xl report``): a return's key figures, as COLLECT would report them, as a
standalone HTML page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc

if TYPE_CHECKING:
    from cin_xl.reports.figures import Figures


@dataclass
class Reported:
    figures: Figures
    #: the HTML page written
    path: Path


def key_figures(path: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
                options: dict | None = None, previous: str | Path | None = None) -> Figures:
    """Load census XML or a workbook, validate it unless ``check`` is False (the data-quality figures
    are then left out), and work out its figures; with ``previous`` (last year's census XML), the
    continuity figures too. Raises :class:`~cin_xl.errors.UnusableInput` like the loading does."""
    from cin_xl.jobs.load import load, load_previous
    from cin_xl.jobs.validate import validate_loaded
    from cin_xl.reports.figures import compute_figures

    with no_gc():
        loaded = load(path, year)
        findings = validate_loaded(loaded, options=options, previous=previous).findings if check else None
        last = load_previous(previous, loaded.year) if previous else None
        return compute_figures(loaded.census, loaded.year, findings, source=loaded.source, previous=last)


def report(path: str | Path, output: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
           options: dict | None = None, previous: str | Path | None = None) -> Reported:
    """:func:`key_figures` written to ``output`` as HTML (whole or not at all)."""
    from cin_xl.reports.html import write_html

    figures = key_figures(path, year, check=check, options=options, previous=previous)
    write_html(figures, output)
    return Reported(figures, Path(output))


def trends(paths: list[str | Path], output: str | Path) -> list[Figures]:
    """The key figures of each return in ``paths`` (census XML or workbooks, of different years, in any order),
    each by its own year's definitions, written to ``output`` as one trends page (whole or not at all)."""
    from cin_xl.reports.trends import in_year_order, write_trends

    all_figures = in_year_order([key_figures(path, check=False) for path in paths])
    write_trends(all_figures, output)
    return all_figures
