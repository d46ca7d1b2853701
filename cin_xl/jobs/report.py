"""The key figures job (``cin-xl report``): a return's key figures, as COLLECT would report them, as a
standalone HTML page; or its child-level lists as CSV (one file, or one per list in a folder beside the page)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc

if TYPE_CHECKING:
    from cin_xl.reports.figures import Figures


@dataclass
class Reported:
    figures: Figures
    #: the HTML page (or the lists' CSV) written
    path: Path
    #: list key -> CSV written for it (``lists_folder``)
    list_files: dict[str, Path] = field(default_factory=dict)


def key_figures(path: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
                options: dict | None = None, previous: str | Path | None = None, lists: bool = False) -> Figures:
    """Load census XML or a workbook, validate it unless ``check`` is False (the data-quality figures
    are then left out), and work out its figures; with ``previous`` (last year's census XML), the
    continuity figures and each key figure beside last year's; with ``lists``, the child-level lists.
    Raises :class:`~cin_xl.errors.UnusableInput` like the loading does."""
    return _figures(path, year, check=check, options=options, previous=previous, lists=lists)[0]


def _figures(path: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
             options: dict | None = None, previous: str | Path | None = None,
             lists: bool = False) -> tuple[Figures, list[Path]]:
    """:func:`key_figures`, and the files read for them (no output may replace one)."""
    from cin_xl.jobs.load import load, load_previous
    from cin_xl.jobs.validate import validate_loaded
    from cin_xl.reports.figures import compute_figures

    with no_gc():
        loaded = load(path, year)
        last = load_previous(previous, loaded.year) if previous else None  # read once, for checks and figures
        findings = validate_loaded(loaded, options=options, previous=previous,
                                   previous_return=last).findings if check else None
        if previous:
            loaded.inputs.append(Path(previous))
        figures = compute_figures(loaded.census, loaded.year, findings, source=loaded.source, previous=last,
                                  lists=lists)
        return figures, loaded.inputs


def list_paths(folder: str | Path) -> list[Path]:
    """The CSV files ``report(..., lists_folder=folder)`` writes (for the front ends to check beforehand)."""
    from cin_xl.reports.child_lists import list_file_name
    from cin_xl.reports.figures.lists import LISTS

    return [Path(folder) / list_file_name(spec.key) for spec in LISTS]


def report(path: str | Path, output: str | Path, year: str | CensusYear | None = None, *, check: bool = True,
           options: dict | None = None, previous: str | Path | None = None,
           lists_folder: str | Path | None = None) -> Reported:
    """:func:`key_figures` written to ``output`` (whole or not at all): an HTML page, or, when ``output`` ends
    in ``.csv``, every child-level list in one CSV. With ``lists_folder``, each list also as a CSV of its own
    there, linked from the page. Refused (:class:`~cin_xl.safety.outputs.OutputRefused`) if an output is one
    of the files read, by any name."""
    import os

    from cin_xl.reports.child_lists import lists_csv, write_lists
    from cin_xl.reports.html import write_html
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.safety.outputs import refuse_inputs

    output = Path(output)
    as_csv = output.suffix.lower() == ".csv"
    figures, inputs = _figures(path, year, check=check, options=options, previous=previous,
                               lists=as_csv or lists_folder is not None)
    refuse_inputs(output, inputs)
    if lists_folder is not None:
        for list_path in list_paths(lists_folder):
            refuse_inputs(list_path, inputs)
    files = write_lists(figures, lists_folder) if lists_folder is not None else {}
    if as_csv:
        write_atomic(output, lists_csv(figures))
    else:
        here = output.resolve().parent
        links = {key: Path(os.path.relpath(p.resolve(), here)).as_posix() for key, p in files.items()}
        write_html(figures, output, list_files=links)
    return Reported(figures, output, files)


def trends(paths: list[str | Path], output: str | Path) -> list[Figures]:
    """The key figures of each return in ``paths`` (census XML or workbooks, of different years, in any order),
    each by its own year's definitions, written to ``output`` (whole or not at all): one trends page, or, when
    ``output`` ends in ``.xlsx``, a new workbook with the Trends sheet and its charts."""
    from cin_xl.reports.trends import in_year_order, write_trends

    all_figures = in_year_order([key_figures(path, check=False) for path in paths])
    if Path(output).suffix.lower() == ".xlsx":
        from cin_xl.reports.trends_sheet import write_trends_workbook

        write_trends_workbook(all_figures, output)
    else:
        write_trends(all_figures, output)
    return all_figures


def past_figures(past: list[str | Path], workbook: str | os.PathLike) -> list[Figures]:
    """The key figures of the returns of past years in ``past`` (census XML or workbooks, any order), each by its
    own year's definitions, for the Trends sheet of ``workbook`` (``validate --annotate --trends``): a past return
    that is the workbook itself, by any name, is refused (:class:`~cin_xl.errors.UnusableInput`)."""
    from cin_xl.errors import UnusableInput
    from cin_xl.safety.outputs import same_file

    for path in past:
        if same_file(workbook, path):
            raise UnusableInput(f"{path} is the workbook being marked: after --trends give the returns of past "
                                "years only (the workbook is the latest year). Nothing was changed.")
    return [key_figures(path, check=False) for path in past]


def trends_sheet_writing(past: list[Figures], latest: Figures, then=None):
    """What writes the Trends sheet of ``past`` and ``latest`` (the workbook's own figures) into a workbook's
    package, after ``then`` (the list sheets); the years are checked here (one return a year), before anything
    is written."""
    from cin_xl.reports.trends import in_year_order
    from cin_xl.reports.trends_sheet import write_trends_sheet
    from cin_xl.workbook.trends_sheet import write_trends

    ordered = in_year_order([*past, latest])

    def write(pkg) -> None:
        if then is not None:
            then(pkg)
        write_trends(pkg, lambda wb: write_trends_sheet(wb, ordered))

    return write
