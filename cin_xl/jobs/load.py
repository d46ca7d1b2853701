"""Reading a return for a job: census XML or a workbook, and last year's return for the continuity checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cin_xl.census.model import ROOT_ELEMENT, CensusReturn
from cin_xl.census.years import CensusYear, supported
from cin_xl.errors import UnusableInput
from cin_xl.safety.file_kind import TEXT, WORKBOOK, file_kind, refusal
from cin_xl.validation.codes import XSD
from cin_xl.validation.findings import Finding, Severity
from cin_xl.xml.reader import _children_element, read_xml
from cin_xl.xml.xsd import plain_problem

if TYPE_CHECKING:
    from cin_xl.workbook.reader import WorkbookRead

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class Loaded:
    census: CensusReturn
    year: CensusYear
    source: str
    #: problems met while reading (unknown elements, unreadable cells, schema breaks)
    problems: list[Finding] = field(default_factory=list)
    schema_failed: bool = False
    #: looked-after periods (workbooks only)
    looked_after: list = field(default_factory=list)
    #: how a workbook was read (sheets, columns), for writing marks back; None for XML
    workbook: WorkbookRead | None = None
    #: the folder a relative "Last year's return" on the Return sheet is taken from (None: not a local file)
    folder: Path | None = None
    #: every file read into this result, to protect from the outputs (the file itself, last year's return
    #: given or named on the Return sheet, added when it is read): :func:`cin_xl.safety.outputs.refuse_inputs`
    inputs: list[Path] = field(default_factory=list)

    @classmethod
    def of_workbook(cls, read: WorkbookRead, folder: Path | None = None) -> Loaded:
        """A workbook read by any front end (a file, or the grids Excel handed over)."""
        return cls(read.census, read.year, read.source, list(read.problems), looked_after=list(read.looked_after),
                   workbook=read, folder=folder)


def is_workbook_name(path: str | Path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def load(path: str | Path, year: str | CensusYear | None = None) -> Loaded:
    """Read census XML or a workbook; raises :class:`UnusableInput` when the file cannot be read at all."""
    path = Path(path)
    if not path.exists():
        raise UnusableInput(f"{path}: no such file")
    kind = file_kind(path) if path.is_file() else TEXT
    refused = refusal(path, kind)  # .xls, .xlsb, .ods, CSV, password-protected: say what to do
    if refused:
        raise UnusableInput(refused)
    if kind == WORKBOOK or is_workbook_name(path):
        return load_workbook(path, year)
    result = read_xml(path, year, check_schema=True)
    loaded = Loaded(result.census, result.year, str(path), list(result.problems), folder=path.parent, inputs=[path])
    # The census schema is COLLECT's first gate. Report each break once, at its line.
    lines_known = {p.line for p in result.problems}
    said: set[tuple[int, str]] = set()  # libxml2 may say one thing twice ("is empty": its length, its type)
    for line, element_path, message in result.schema or ():
        loaded.schema_failed = True
        if line in lines_known:
            continue
        plain = plain_problem(element_path, message)  # in the census's terms, not the schema checker's
        if (line, plain) in said:
            continue
        said.add((line, plain))
        loaded.problems.append(Finding(XSD, Severity.ERROR, plain, path=element_path, line=line))
    loaded.problems = _with_child_ids(loaded.problems, result.census)
    return loaded


#: the position of the child a census XML path is in (none given: the only child)
_IN_CHILD = re.compile("^/{}/{}/{}".format(ROOT_ELEMENT, *_children_element()) + r"(?:\[(\d+)\])?(?=/|$)")


def _with_child_ids(problems: list[Finding], census: CensusReturn) -> list[Finding]:
    """The problems met reading the file (unknown elements, schema breaks) named by the child's LA child ID, as the
    rules' findings are ("child C0012" rather than "the 12th child"), where the child was read with one."""
    ids: dict[int, str] = {}
    for child in census.children:
        origin = child.origin
        found = _IN_CHILD.match(origin.path or "") if origin is not None else None
        la_child_id = child.identifiers.la_child_id
        if found and isinstance(la_child_id, str) and la_child_id.strip():
            ids[int(found.group(1) or 1)] = la_child_id.strip()
    if not ids:
        return problems
    out = []
    for f in problems:
        found = _IN_CHILD.match(f.path or "") if f.child is None else None
        position = int(found.group(1) or 1) if found else None
        out.append(replace(f, child=ids[position]) if position in ids else f)
    return out


def unsaved_edits_note(path: str | Path) -> str | None:
    """What to tell someone reading a workbook that is open in Excel or LibreOffice (its lock file is beside
    it): the file holds what was last saved, so edits not yet saved are not included. None otherwise."""
    from cin_xl.workbook.annotate import lock_file

    path = Path(path)
    if not is_workbook_name(path):
        return None
    lock = lock_file(path)
    if lock is None:
        return None
    return (f"{path.name} is open in Excel or LibreOffice (lock file {lock.name}): this reads it as last saved, "
            "so edits not yet saved there are not included.")


def load_workbook(path: str | Path, year: str | CensusYear | None = None) -> Loaded:
    """Read a workbook file (``year`` only for a workbook that does not say its own)."""
    from cin_xl.workbook.reader import read_workbook

    path = Path(path)
    read = read_workbook(path, year=supported(year) if year else None)
    loaded = Loaded.of_workbook(read, path.parent)
    loaded.inputs.append(path)
    return loaded


def load_previous(previous: str | Path, year: CensusYear) -> CensusReturn:
    """Last year's return for the continuity checks: census XML of the year before ``year``."""
    previous = Path(previous)
    if is_workbook_name(previous):
        raise UnusableInput(f"{previous}: last year's return must be its census XML, not a workbook")
    last = load(previous)
    before = CensusYear(year.first - 1)
    if last.year != before:
        raise UnusableInput(f"{previous} is the census {last.year.label}; the return before {year.label} is "
                            f"{before.label}")
    return last.census

