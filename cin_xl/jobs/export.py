"""The export job: the census XML of a workbook, after validating it.

Refused while errors remain (rows or columns that could not be read are errors like any other) unless
``allow_errors``; refused always when the XML would break the census schema, each break located to the
workbook cell it came from. The job makes the bytes; the front end decides where they go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear, supported
from cin_xl.errors import UnusableInput
from cin_xl.jobs.load import Loaded, load_workbook
from cin_xl.jobs.validate import Progress, errors_of, validate_loaded
from cin_xl.progress import phase
from cin_xl.validation.findings import Finding

#: why an export was refused
ERRORS_REMAIN = "errors remain"
SCHEMA = "schema"


@dataclass
class Exported:
    """What an export found and made."""

    year: CensusYear
    children: int
    #: every finding of the return (reading, rules, continuity), as the validate job gives them; of an export
    #: with errors allowed that the schema refuses, only how the workbook was read (the rules are not run)
    findings: list[Finding] = field(default_factory=list)
    #: the schema breaks of a refused export, located to their cells
    schema_problems: list[Finding] = field(default_factory=list)
    #: the census XML; None when refused
    xml: bytes | None = None
    #: None, :data:`ERRORS_REMAIN` or :data:`SCHEMA`
    refused: str | None = None
    #: the files read (the workbook, last year's return it names): the XML must not replace them
    inputs: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return errors_of(self.findings)


def now() -> datetime:
    """The export header's date and time when none is given (a function, so a test can fix it)."""
    return datetime.now()


def export_loaded(loaded: Loaded, *, allow_errors: bool = False, at: datetime | None = None,
                  options: dict | None = None, progress: Progress | None = None) -> Exported:
    """Export a workbook already read. ``at`` is the header's date and time where the Return sheet
    leaves it blank (default: now).

    With ``allow_errors`` the XML is made first: errors do not stop that export but a schema break does,
    and then what the rules find is not worked out (neither front end shows it on a refusal: only the
    breaks, and how the workbook was read, which ``findings`` then holds)."""
    from cin_xl.workbook.export import prepare_for_export

    year = supported(loaded.year)  # export: supported years only
    census = prepare_for_export(loaded.census, year, now=at or now())
    result = Exported(year, len(census.children), list(loaded.problems), inputs=loaded.inputs)
    if allow_errors and not _make_xml(result, census, year):
        return result
    result.findings = validate_loaded(loaded, options=options, progress=progress).findings
    if result.errors and not allow_errors:
        result.refused = ERRORS_REMAIN
    elif not allow_errors:
        _make_xml(result, census, year)
    return result


def _make_xml(result: Exported, census: CensusReturn, year: CensusYear) -> bool:
    """The census XML into ``result``; False when refused (the schema breaks located to their cells)."""
    from cin_xl.workbook.export import export_problems
    from cin_xl.xml import ExportRefused, to_xml_bytes

    try:
        with phase(f"Writing the {year.label} census XML"):
            result.xml = to_xml_bytes(census, year)
    except ExportRefused as exc:
        result.schema_problems = export_problems(exc, census, year)
        result.refused = SCHEMA
        return False
    return True


def check_source(path: str | Path) -> None:
    """Export reads a workbook: census XML given to it is refused, saying what to do instead."""
    if Path(path).suffix.lower() == ".xml":
        raise UnusableInput(f"{path} is census XML already: export reads a workbook (to check the XML, "
                            f"use cin-xl validate; to see it as a workbook, cin-xl import)")


def export_file(path: str | Path, year: str | CensusYear | None = None, *, allow_errors: bool = False,
                at: datetime | None = None, options: dict | None = None) -> Exported:
    """Export a workbook file."""
    check_source(path)
    return export_loaded(load_workbook(path, year), allow_errors=allow_errors, at=at, options=options)
