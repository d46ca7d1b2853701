"""The jobs behind the CLI and the Excel buttons: load a file, validate it, export it.

Both front ends call these, so ``cin-xl validate`` and the Validate button say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear, default_year, supported
from cin_xl.errors import UnusableInput
from cin_xl.reports.findings import ValidationReport
from cin_xl.safety.file_kind import TEXT, WORKBOOK, file_kind, refusal
from cin_xl.validation import validate
from cin_xl.validation.codes import XSD
from cin_xl.validation.findings import Finding, Severity
from cin_xl.xml.reader import read_xml

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
    kind = file_kind(path) if path.is_file() else TEXT
    refused = refusal(path, kind)  # .xls, .xlsb, .ods, CSV, password-protected: say what to do
    if refused:
        raise UnusableInput(refused)
    if kind == WORKBOOK or path.suffix.lower() in WORKBOOK_SUFFIXES:
        from cin_xl.workbook import read_workbook

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
        loaded.problems.append(Finding(XSD, Severity.ERROR, message, path=element_path, line=line))
    return loaded


def validate_file(path: str | Path, year: str | CensusYear | None = None, *,
                  progress: Callable[[int, int], None] | None = None, options: dict | None = None,
                  previous: str | Path | None = None) -> ValidationReport:
    """Validate a file; with ``previous`` (last year's census XML) add the continuity findings (``C-``)."""
    loaded = load(path, year)
    findings = validate(loaded.census, loaded.year, progress=progress, options=options,
                        looked_after=loaded.looked_after)
    if previous:
        findings += continuity_findings(loaded, previous)
    elif loaded.workbook is not None:
        findings += named_continuity(loaded.workbook, Path(path).parent)
    # a value reported by a structural check or rule need not be reported again as a schema break
    located = {f.line for f in findings if f.line is not None}
    problems = [p for p in loaded.problems if p.code != XSD or p.line not in located]
    report = ValidationReport(loaded.year, loaded.source, problems + findings, loaded.schema_failed,
                              len(loaded.census.children))
    report.loaded = loaded
    return report


def load_previous(previous: str | Path, year: CensusYear) -> CensusReturn:
    """Last year's return for the continuity checks: census XML of the year before ``year``."""
    previous = Path(previous)
    if previous.suffix.lower() in WORKBOOK_SUFFIXES:
        raise UnusableInput(f"{previous}: last year's return must be its census XML, not a workbook")
    last = load(previous)
    before = CensusYear(year.first - 1)
    if last.year != before:
        raise UnusableInput(f"{previous} is the census {last.year.label}; the return before {year.label} is "
                            f"{before.label}")
    return last.census


def continuity_findings(loaded: Loaded, previous: str | Path) -> list[Finding]:
    from cin_xl.validation.continuity import check_continuity

    return check_continuity(loaded.census, load_previous(previous, loaded.year), loaded.year)


def named_continuity(read, folder: Path | None) -> list[Finding]:
    """The continuity findings against the return the workbook's Return sheet names ("Last year's return").

    A relative path is taken from the workbook's folder. A file that cannot be used is one finding on
    that cell (the rest of the validation stands), not a failure of the whole job."""
    from cin_xl.validation.continuity import check_continuity
    from cin_xl.workbook.layout import RETURN
    from cin_xl.workbook.reader import READ_PROBLEM

    if not read.previous_return:
        return []
    named = Path(read.previous_return.strip('"'))
    if not named.is_absolute() and folder is not None:
        named = folder / named
    try:
        last = load_previous(named, read.year)
    except UnusableInput as exc:
        return [Finding(READ_PROBLEM, Severity.QUERY, f"Last year's return not checked for continuity: {exc}",
                        sheet=RETURN, cells=(read.previous_return_cell,) if read.previous_return_cell else ())]
    return check_continuity(read.census, last, read.year)


def resolve_year(year: str | None) -> CensusYear:
    return supported(year) if year else default_year()
