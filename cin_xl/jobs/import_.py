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
from cin_xl.validation.findings import Finding
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


def import_file(path: str | os.PathLike, year: str | CensusYear | None = None, *, workbook: bool = False,
                macro: bool = False) -> Imported:
    """Read census XML (``year`` only when the file gives none); with ``workbook``, make the new workbook
    (macro-enabled with ``macro``)."""
    from cin_xl.progress import phase
    from cin_xl.workbook.writer import cell_limit_problems, workbook_bytes

    fallback = supported(year, readable=True) if year else None
    read = read_xml(path, fallback, keep_document=False)  # read child by child: the whole document is not held
    result = Imported(read.census, read.year, list(read.problems), cell_limit_problems(read.census, read.year))
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
