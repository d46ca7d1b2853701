"""Subcommands of ``cin-xl``; shared argument helpers."""

from __future__ import annotations

import argparse
from pathlib import Path

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear, default_year, supported


def add_year(parser: argparse.ArgumentParser, *, default: str | None = None) -> None:
    """``--year``; ``default`` says where the year comes from when it is not given (one default only)."""
    default = default or f"the census year containing today's date ({default_year().label})"
    parser.add_argument("--year", metavar="YYYY-YY", default=None,
                        help=f"census year ({', '.join(SUPPORTED_YEARS)}); default: {default}")


def input_file(parser: argparse.ArgumentParser, dest: str) -> None:
    """Mark the positional argument ``dest`` as the file a command reads (checked before it runs)."""
    parser.set_defaults(input_file=dest)


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress on stderr (it is shown only when stderr is a terminal)")


def year_arg(args: argparse.Namespace, *, readable: bool = False) -> CensusYear:
    return supported(args.year, readable=readable) if args.year else default_year()


FORCE_HELP = "replace the output file if it already exists"


def add_force(parser: argparse.ArgumentParser) -> None:
    """``--force``: the one switch, with the one wording, that lets a command replace an existing output."""
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def add_output(parser: argparse.ArgumentParser, kind: str, *, metavar: str, help: str,
               required: bool = True) -> None:
    """``-o/--output`` for a file of ``kind`` (see :data:`cin_xl.safety.outputs.SUFFIXES`), and ``--force``."""
    from cin_xl.safety.outputs import SUFFIXES

    names = " or ".join(f"*{s}" for s in SUFFIXES[kind])
    parser.add_argument("-o", "--output", required=required, metavar=metavar, help=f"{help} ({names})")
    add_force(parser)


def output_arg(args: argparse.Namespace, kind: str, *inputs, path=None) -> Path:
    """The output path of a command, checked (:func:`cin_xl.safety.outputs.check_output`) against its inputs."""
    from cin_xl.safety.outputs import check_output

    return check_output(args.output if path is None else path, kind, inputs=inputs, force=args.force)


def say_unsaved_edits(path: str | Path) -> None:
    """Once, on stderr: a workbook open in Excel is read as last saved."""
    import sys

    from cin_xl.jobs.load import unsaved_edits_note

    note = unsaved_edits_note(path)
    if note:
        print(f"cin-xl: note: {note}", file=sys.stderr)
