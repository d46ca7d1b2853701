"""The annotate job (``cin-xl validate --annotate``, the demo): a validated workbook's findings marked into
its file, with the Summary sheet of its key figures and a sheet for each child-level list.

The marks are planned once (:mod:`cin_xl.workbook.marks`) and written into the package by
:mod:`cin_xl.workbook.annotate`; the key figures are worked out here and handed over, so the workbook
layer need not know the reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cin_xl.validation.findings import Finding

if TYPE_CHECKING:
    from cin_xl.reports.figures import Figures
    from cin_xl.workbook.annotate import Annotation, DrawSummary, WriteSheets
    from cin_xl.workbook.list_sheets import ListSheet
    from cin_xl.workbook.package.write import Fingerprint
    from cin_xl.workbook.reader import WorkbookRead


def summary_figures(read: WorkbookRead, findings: list[Finding], source: str, folder: Path | None = None, *,
                    lists: bool = False, previous: str | Path | None = None) -> Figures:
    """The key figures the Summary sheet shows (and the Validate button writes as a grid); each key figure beside
    last year's when last year's return is given (``previous``, as ``--previous`` gives it: it wins, as it does
    for the continuity checks), or else, with the workbook's ``folder``, when the Return sheet names it and it can
    be read (a relative name is taken from the folder; one that cannot be read is a finding of validation); with
    ``lists``, the child-level lists too."""
    from cin_xl.reports.figures import compute_figures
    from cin_xl.safety.text_guard import encodable

    # a file name the system could not decode (a lone surrogate) is written escaped, as it is printed
    return compute_figures(read.census, read.year, findings, source=encodable(source),
                           previous=_previous(read, folder, previous), lists=lists)


def list_sheets(read: WorkbookRead, figures: Figures) -> list[ListSheet]:
    """The child-level lists of ``figures`` as sheets of the workbook ``read``, each row linking to the census
    sheet as the workbook names it."""
    from cin_xl.reports.list_sheets import list_sheets as sheets

    return sheets(figures, {name: info.found_as for name, info in read.sheets.items() if info.found_as})


def summary_and_lists(read: WorkbookRead, findings: list[Finding], source: str, folder: Path | None = None, *,
                      names: Callable[[list[ListSheet]], dict[str, str]] | None = None,
                      ) -> tuple[list[list[object]], list[ListSheet]]:
    """The Summary sheet's grid and the list sheets: what the Validate button writes (annotate writes the same,
    with the Summary's charts and the lists' links); ``names`` tells the sheets the lists will be written on, for
    the Summary sheet to name."""
    from cin_xl.reports.summary_sheet import summary_grid as grid

    figures = summary_figures(read, findings, source, folder, lists=True)
    sheets = list_sheets(read, figures)
    return grid(figures, list_sheets=names(sheets) if names else None), sheets


def _previous(read: WorkbookRead, folder: Path | None, given: str | Path | None):
    from cin_xl.errors import UnusableInput
    from cin_xl.jobs.load import load_previous
    from cin_xl.jobs.validate import named_return

    if given:  # already read by the continuity checks, which said so if it could not be
        try:
            return load_previous(given, read.year)
        except UnusableInput:
            return None
    if folder is None or not read.previous_return:
        return None
    try:  # opened only where validation would open it: a regular .xml file on this computer
        return load_previous(named_return(read.previous_return.strip().strip('"'), folder), read.year)
    except UnusableInput:
        return None


def summary_grid(read: WorkbookRead, findings: list[Finding], source: str,
                 folder: Path | None = None) -> list[list[object]]:
    """The Summary sheet's figures as rows of values (what the Validate button writes in one block)."""
    from cin_xl.reports.summary_sheet import summary_grid as grid

    return grid(summary_figures(read, findings, source, folder))


def summary_drawing(figures: Figures, list_sheets: dict[str, str] | None = None) -> DrawSummary:
    """What draws the Summary sheet, with its charts (and links to the list sheets), into a workbook."""
    from cin_xl.reports.summary_sheet import write_summary_sheet

    return lambda wb: write_summary_sheet(wb, figures, list_sheets=list_sheets)


def lists_writing(sheets: list[ListSheet]) -> WriteSheets:
    """What writes the list sheets into a workbook's package, after the Summary sheet."""
    from cin_xl.workbook.list_sheets import write_list_sheets

    def write(pkg) -> None:
        write_list_sheets(pkg, sheets)

    return write


def prepare(path: str | os.PathLike, read: WorkbookRead, findings: list[Finding], *,
            fingerprint: Fingerprint | None = None, previous: str | Path | None = None,
            trends: list | None = None) -> Annotation:
    """The marks, the Summary sheet and the list sheets of ``findings``, checked against the file and ready to
    write (:meth:`~cin_xl.workbook.annotate.Annotation.write`); they hold nothing of the return read. With
    ``previous`` (last year's census XML, as validated against), the Summary sheet's year on year is against it;
    with ``trends`` (returns of past years), the Trends sheet too."""
    from cin_xl.workbook.annotate import prepare_annotation
    from cin_xl.workbook.list_sheets import planned_names

    figures = summary_figures(read, findings, str(path), Path(path).resolve().parent, lists=True,
                              previous=previous)
    sheets = list_sheets(read, figures)
    writing = lists_writing(sheets)
    if trends:
        from cin_xl.jobs.report import past_figures, trends_sheet_writing

        writing = trends_sheet_writing(past_figures(trends, path), figures, then=writing)
    annotation = prepare_annotation(path, read, findings, fingerprint=fingerprint, lists=writing)
    # the Summary sheet names (and links to) the list sheets as this workbook's sheets leave them to be named
    annotation.summary = summary_drawing(figures, planned_names(annotation.pkg, sheets))
    return annotation


def annotate(path: str | os.PathLike, read: WorkbookRead, findings: list[Finding], *,
             fingerprint: Fingerprint | None = None) -> Path:
    """Mark ``findings`` into the workbook file they were found in (written whole or not at all)."""
    prepare(path, read, findings, fingerprint=fingerprint).write()
    return Path(path)
