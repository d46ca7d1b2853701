"""Where cin-xl may write a file: one policy for every command and Excel button.

An output is refused (exit 2, one line, nothing written) when
- its suffix does not match what is written (the suffix decides the format where there is a choice:
  ``.xlsm`` is the macro-enabled workbook, ``.csv`` the CSV report);
- it is one of the job's input files, by any name (a symlink, a hard link, ``./`` or ``..``);
- it already exists, unless the user said ``--force`` (the Excel buttons ask instead);
- it is read-only: a read-only file is the user's way of saying "do not replace this".

The write itself is atomic and keeps the replaced file's permissions
(:func:`cin_xl.safety.atomic.write_atomic`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from cin_xl.errors import UnusableInput

#: what each kind of output may be called, and what it is, for the messages
SUFFIXES: dict[str, tuple[str, ...]] = {
    "xml": (".xml",),
    "workbook": (".xlsx", ".xlsm"),
    "report": (".json", ".csv"),
    "html": (".html",),
}
WHAT = {"xml": "census XML", "workbook": "a workbook", "report": "a findings report", "html": "an HTML page"}
#: the one wording for an existing output, everywhere
FORCE_HINT = "use --force to replace it"


class OutputRefused(UnusableInput):
    """The output path cannot be written (wrong suffix, an input file, read-only, ...)."""


class OutputExists(OutputRefused):
    """The output exists and replacing it was not allowed (the Excel buttons ask instead)."""


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether ``a`` and ``b`` name the same file (by inode when both exist, else by resolved path)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # ValueError: a NUL in a name, which no file has
        pass
    try:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))
    except ValueError:
        return False


def is_read_only(path: str | os.PathLike) -> bool:
    """An existing file nobody may write (mode bits, or the read-only attribute on Windows), or we may not."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def suffix_problem(path: str | os.PathLike, kind: str) -> str | None:
    """Why ``path`` cannot hold ``kind`` (None when it can)."""
    accepted = SUFFIXES[kind]
    suffix = Path(path).suffix.lower()
    if suffix in accepted:
        return None
    got = f"a {suffix} file" if suffix else "a name without a suffix"
    return (f"{path}: this writes {WHAT[kind]}, not {got}: name it "
            f"{' or '.join(accepted)}; nothing was written")


def refuse_inputs(path: str | os.PathLike, inputs: Iterable[str | os.PathLike | None]) -> None:
    """Raise :class:`OutputRefused` if ``path`` names one of ``inputs`` by any name: the same file
    (a symlink, a hard link, another case of the name on a case-insensitive file system), or a link
    that would write through to it.

    Every file a job reads goes in ``inputs``: the main input, last year's return (``--previous``)
    and the one the workbook's Return sheet names. A job that learns of an input only while reading
    (the Return sheet's) checks its output again before writing (see ``Loaded.inputs``)."""
    path = Path(path)
    for source in inputs:
        if source is not None and same_file(path, source):
            also = "" if str(source) == str(path) else f" ({source})"
            raise OutputRefused(f"{path} is the input file{also}: writing there would replace it; choose another "
                                f"name. Nothing was written")


def check_output(path: str | os.PathLike, kind: str, *, inputs: Iterable[str | os.PathLike] = (),
                 force: bool = False) -> Path:
    """``path`` as a :class:`Path` if cin-xl may write ``kind`` there; raises :class:`OutputRefused`."""
    path = Path(path)
    problem = suffix_problem(path, kind)
    if problem:
        raise OutputRefused(problem)
    refuse_inputs(path, inputs)
    if path.is_dir():
        raise OutputRefused(f"{path} is a folder: give the name of the file to write. Nothing was written")
    if path.exists() or path.is_symlink():
        if not force:
            raise OutputExists(f"{path} already exists; {FORCE_HINT}")
        if is_read_only(path):
            raise OutputRefused(f"{path} is read-only, so it was not replaced; nothing was written")
    return path


__all__ = ["SUFFIXES", "FORCE_HINT", "OutputRefused", "OutputExists", "check_output", "is_read_only",
           "refuse_inputs", "same_file", "suffix_problem"]
