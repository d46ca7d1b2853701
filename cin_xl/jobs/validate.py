"""The validate job: every finding of a return, as the CLI prints it and the Validate button marks it.

Rows and columns the reader could not place, schema breaks, the DfE rules, the local checks and the
continuity checks against last year's return, in that order. Both front ends call this, so
``cin-xl validate``, ``cin-xl export`` and the Validate and Export buttons find the same.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.jobs.load import Loaded, load, load_previous
from cin_xl.reports.findings import ValidationReport
from cin_xl.validation import validate
from cin_xl.validation.codes import XSD
from cin_xl.validation.findings import Finding, Severity

Progress = Callable[[int, int], None]


@dataclass
class Validated(ValidationReport):
    """The findings of a return (summary, text, JSON and CSV: :class:`ValidationReport`), with what was
    read, for the jobs that go on with it (annotate, key figures)."""

    loaded: Loaded = field(kw_only=True, repr=False)


def validate_file(path: str | Path, year: str | CensusYear | None = None, *,
                  progress: Progress | None = None, options: dict | None = None,
                  previous: str | Path | None = None, jobs: int = 1) -> Validated:
    """Validate a file; with ``previous`` (last year's census XML) add the continuity findings (``C-``).
    ``jobs``: the processes that may check a large return (:func:`validate_loaded`)."""
    return validate_loaded(load(path, year), progress=progress, options=options, previous=previous, jobs=jobs)


#: asked before a path on another machine, named in the workbook, is opened: True to open it
ConfirmRemote = Callable[[str], bool]


def validate_loaded(loaded: Loaded, *, progress: Progress | None = None, options: dict | None = None,
                    previous: str | Path | None = None, confirm_remote: ConfirmRemote | None = None,
                    jobs: int = 1, previous_return: CensusReturn | None = None) -> Validated:
    """Validate a return already read (from a file, or from the grids Excel handed over).

    Without ``previous``, a workbook is checked for continuity against the return its Return sheet names
    (one on another machine only if ``confirm_remote`` says yes). Last year's return, once read, is one of
    ``loaded.inputs``, which no output may replace.

    ``jobs``: how many processes may check a large return (0: as many as pay; 1, the default, this one
    only: the Excel buttons never ask for more). The findings and their order are the same whatever it
    is (:mod:`cin_xl.validation.parallel`). ``previous_return``: ``previous`` already read, so that a job
    that needs it again reads it once."""
    findings = rule_findings(loaded, progress=progress, options=options, jobs=jobs)
    if previous:
        loaded.inputs.append(Path(previous))
        findings += continuity_findings(loaded, previous, previous_return)
    elif loaded.workbook is not None:
        findings += named_continuity(loaded.workbook, loaded.folder, inputs=loaded.inputs,
                                     confirm_remote=confirm_remote)
    # a value reported by a structural check or rule need not be reported again as a schema break
    located = {f.line for f in findings if f.line is not None}
    problems = [p for p in loaded.problems if p.code != XSD or p.line not in located]
    return Validated(loaded.year, loaded.source, problems + findings, loaded.schema_failed,
                     len(loaded.census.children), loaded=loaded)


def rule_findings(loaded: Loaded, *, progress: Progress | None = None, options: dict | None = None,
                  jobs: int = 1) -> list[Finding]:
    """The structural checks, the DfE rules and the local checks; on a workbook rollover started, the cells
    still to fill in said as such, with the findings that arise only because they are blank taken into them
    (:func:`cin_xl.validation.fill_in.fill_in`, a step after the rules)."""
    findings = validate(loaded.census, loaded.year, progress=progress, options=options,
                        looked_after=loaded.looked_after, jobs=jobs)
    carried = loaded.workbook.carried if loaded.workbook is not None else []
    if carried:
        from cin_xl.validation.fill_in import fill_in

        def run(census):
            return validate(census, loaded.year, options=options, looked_after=loaded.looked_after)

        findings = fill_in(loaded.census, loaded.year, carried, findings, run)
    return findings


def continuity_findings(loaded: Loaded, previous: str | Path,
                        previous_return: CensusReturn | None = None) -> list[Finding]:
    from cin_xl.validation.continuity import check_continuity

    last = previous_return if previous_return is not None else load_previous(previous, loaded.year)
    return check_continuity(loaded.census, last, loaded.year)


def named_return(text: str, folder: Path | None, confirm_remote: ConfirmRemote | None = None) -> Path:
    """The file the Return sheet's "Last year's return" names, if it may be opened; else
    :class:`UnusableInput` saying why. A workbook may come from anyone, so the path is opened only if it
    is a regular file named ``.xml`` (a pipe, a device or a folder would hang or mislead the reading);
    and a path on another machine (a network share, a URL) only once the person has confirmed it
    (``confirm_remote``; on the command line, by giving it with ``--previous``). A relative path is
    taken from the workbook's folder."""
    from cin_xl.safety.file_kind import on_another_machine
    from cin_xl.safety.text_guard import quoted

    shown = quoted(text)
    if on_another_machine(text):
        if confirm_remote is None or not confirm_remote(text):
            raise UnusableInput(f"{shown} is on another machine, so it was not opened; to use it, give it with "
                                f"--previous (the Validate button asks first)")
        return Path(text)
    named = Path(text)
    if not named.is_absolute():
        if folder is None:  # a workbook opened from the web has no folder here: not whatever folder we run in
            raise UnusableInput(f"{shown} is a file name without its folder, and this workbook has no folder on "
                                "this computer: give the full path")
        named = folder / named
    if named.suffix.lower() != ".xml":
        raise UnusableInput(f"{shown} is not census XML (a file named .xml)")
    try:
        mode = os.stat(named).st_mode
    except FileNotFoundError:
        raise UnusableInput(f"{shown}: no such file") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a file name"
        raise UnusableInput(f"{shown} cannot be opened ({reason})") from None
    if stat.S_ISDIR(mode):
        raise UnusableInput(f"{shown} is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise UnusableInput(f"{shown} is not a file (a device or a pipe), so it was not opened")
    return named


def named_continuity(read, folder: Path | None, *, inputs: list[Path] | None = None,
                     confirm_remote: ConfirmRemote | None = None) -> list[Finding]:
    """The continuity findings against the return the workbook's Return sheet names ("Last year's return",
    see :func:`named_return`); the file, once opened, is added to ``inputs``.

    A file that cannot be used is one finding on that cell (the rest of the validation stands), not a
    failure of the whole job."""
    from cin_xl.validation.continuity import check_continuity
    from cin_xl.workbook.layout import RETURN
    from cin_xl.workbook.reader import READ_PROBLEM

    if not read.previous_return:
        return []
    try:
        named = named_return(read.previous_return.strip().strip('"'), folder, confirm_remote)
        if inputs is not None:
            inputs.append(named)
        last = load_previous(named, read.year)
    except UnusableInput as exc:
        return [Finding(READ_PROBLEM, Severity.QUERY, f"Last year's return not checked for continuity: {exc}",
                        sheet=RETURN, cells=(read.previous_return_cell,) if read.previous_return_cell else ())]
    return check_continuity(read.census, last, read.year)


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


__all__ = ["Validated", "validate_file", "validate_loaded", "rule_findings", "continuity_findings", "named_continuity",
           "named_return", "errors_of", "ConfirmRemote",
           # reading, kept importable from here for the callers written before jobs/load.py
           "Loaded", "load", "load_previous"]
