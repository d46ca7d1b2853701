"""The jobs behind the CLI and the Excel buttons: load a file, validate it, export it.

Both front ends call these, so ``cin-xl validate`` and the Validate button say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import UnusableInput
from .findings import Finding, Severity
from .model import CensusReturn
from .report import ValidationReport
from .validation import validate
from .years import CensusYear, default_year, supported
from .xml.reader import read_xml

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
    workbook: object = None


def load(path: str | Path, year: str | CensusYear | None = None) -> Loaded:
    """Read census XML or a workbook; raises :class:`UnusableInput` when the file cannot be read at all."""
    path = Path(path)
    if not path.exists():
        raise UnusableInput(f"{path}: no such file")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook

        result = read_workbook(path, year=supported(year) if year else None)
        return Loaded(result.census, result.year, str(path), list(result.problems),
                      looked_after=list(result.looked_after), workbook=result)
    result = read_xml(path, year, check_schema=True)
    loaded = Loaded(result.census, result.year, str(path), list(result.problems))
    # The census schema is COLLECT's first gate. Report each break once, at its line.
    lines_known = {p.line for p in result.problems}
    for line, element_path, message in result.schema or ():
        loaded.schema_failed = True
        if line in lines_known:
            continue
        loaded.problems.append(Finding("XSD", Severity.ERROR, message, path=element_path, line=line))
    return loaded


def validate_file(path: str | Path, year: str | CensusYear | None = None, *,
                  progress: Callable[[int, int], None] | None = None, options: dict | None = None) -> ValidationReport:
    loaded = load(path, year)
    findings = validate(loaded.census, loaded.year, progress=progress, options=options,
                        looked_after=loaded.looked_after)
    # a value reported by a structural check or rule need not be reported again as a schema break
    located = {f.line for f in findings if f.line is not None}
    problems = [p for p in loaded.problems if p.code != "XSD" or p.line not in located]
    report = ValidationReport(loaded.year, loaded.source, problems + findings, loaded.schema_failed,
                              len(loaded.census.children))
    report.loaded = loaded
    return report


def resolve_year(year: str | None) -> CensusYear:
    return supported(year) if year else default_year()
