"""The import job: census XML (last year's return, an extract) read for a workbook.

A value longer than an Excel cell holds would be cut: the job then makes nothing and says which
values. Problems in the file (unknown elements, values that cannot be read) do not stop it: they are
listed on the workbook's Issues sheet. The CLI writes a new workbook; the Import button fills the
open one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear, supported
from cin_xl.validation.findings import Finding, plural
from cin_xl.xml import read_xml


@dataclass
class Imported:
    census: CensusReturn
    year: CensusYear
    #: problems in the file, for the Issues sheet
    problems: list[Finding] = field(default_factory=list)
    #: values longer than a cell holds: nothing is made while there are any
    too_long: list[Finding] = field(default_factory=list)
    #: the new workbook (:func:`import_file` with ``workbook=True``), None when refused or not asked for
    workbook: bytes | None = None
    #: what the file holds that the workbook does not (or not as written), in plain words: empty for a clean file
    note: list[str] = field(default_factory=list)


#: the kinds of problem a note sorts the reader's problems into: (words in its message, what the note calls them)
_KINDS = (("is part of the census", "elements of another census year, not read"),
          ("unknown element", "unknown elements, not read"),
          ("between its items", "text between items, in no item, not read"),
          ("appears more than once", "items given twice, the first kept"),
          ("out of the census order", "elements out of the census order, read as they are"))
#: how many of each kind a note lists before it counts the rest
NOTE_EACH = 3


def import_note(problems: list[Finding], source: str) -> list[str]:
    """The lines of the note ending an import: what of the file is not in the workbook, a few of each kind with
    their line, child and record (the rest counted), and how to see every break of the census schema. Empty
    when the file was read whole."""
    if not problems:
        return []
    kinds: dict[str, list[Finding]] = {}
    for p in problems:
        kind = next((name for words, name in _KINDS if words in p.message), "other problems")
        kinds.setdefault(kind, []).append(p)
    lines = [f"Parts of {source} not brought into the workbook as written ({plural(len(problems), 'problem')}, all "
             "listed on the Issues sheet):"]
    for kind, found in kinds.items():
        lines.append(f"  {kind}: {len(found):,}")
        for p in found[:NOTE_EACH]:
            lines.append(f"    {p.where}: {p.message}")
        if len(found) > NOTE_EACH:
            lines.append(f"    ... and {len(found) - NOTE_EACH:,} more")
    lines.append(f"Run cin-xl validate {source} to see every break of the census schema.")
    return lines


def import_file(path: str | os.PathLike, year: str | CensusYear | None = None, *, workbook: bool = False,
                macro: bool = False) -> Imported:
    """Read census XML (``year`` only when the file gives none); with ``workbook``, make the new workbook
    (macro-enabled with ``macro``)."""
    from cin_xl.progress import phase
    from cin_xl.workbook.writer import cell_limit_problems, workbook_bytes

    fallback = supported(year, readable=True) if year else None
    read = read_xml(path, fallback, keep_document=False)  # read child by child: the whole document is not held
    from cin_xl.jobs.load import _with_child_ids

    problems = _with_child_ids(list(read.problems), read.census)  # "child C0012", not "the 12th child"
    result = Imported(read.census, read.year, problems, cell_limit_problems(read.census, read.year),
                      note=import_note(problems, str(path)))
    if workbook and not result.too_long:
        with phase(f"Writing the {read.year.label} workbook"):
            conf = None
            if macro:  # the buttons' settings sheet, as the macro-enabled template has it
                from cin_xl.workbook.macros.xlsm import xlwings_conf

                conf = xlwings_conf()
            data = workbook_bytes(result.census, result.year, issues=result.problems, xlwings_conf=conf)
            if macro:
                from cin_xl.workbook.macros.xlsm import macro_workbook

                data = macro_workbook(data)
        result.workbook = data
    return result
