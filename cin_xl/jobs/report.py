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
    return _figures(path, year, check=check, options=options, previous=previous)[0]


def _figures(path: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
             options: dict | None = None, previous: str | Path | None = None) -> tuple[Figures, list[Path]]:
    """:func:`key_figures`, and the files read for them (no output may replace one)."""
    from cin_xl.jobs.load import load, load_previous
    from cin_xl.jobs.validate import validate_loaded
    from cin_xl.reports.figures import compute_figures

    with no_gc():
        loaded = load(path, year)
        findings = validate_loaded(loaded, options=options, previous=previous).findings if check else None
        last = load_previous(previous, loaded.year) if previous else None
        if previous:
            loaded.inputs.append(Path(previous))
        figures = compute_figures(loaded.census, loaded.year, findings, source=loaded.source, previous=last)
        return figures, loaded.inputs


def report(path: str | Path, output: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
           options: dict | None = None, previous: str | Path | None = None) -> Reported:
    """:func:`key_figures` written to ``output`` as HTML (whole or not at all); refused
    (:class:`~cin_xl.safety.outputs.OutputRefused`) if ``output`` is one of the files read, by any name."""
    from cin_xl.reports.html import write_html
    from cin_xl.safety.outputs import refuse_inputs

    figures, inputs = _figures(path, year, check=check, options=options, previous=previous)
    refuse_inputs(output, inputs)
    write_html(figures, output)
    return Reported(figures, Path(output))
