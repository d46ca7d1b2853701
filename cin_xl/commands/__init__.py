"""Subcommands of ``cin-xl``; shared argument helpers."""

from __future__ import annotations

import argparse

from ..years import CensusYear, SUPPORTED_YEARS, default_year, supported


def add_year(parser: argparse.ArgumentParser, *, default: str | None = None) -> None:
    """``--year``; ``default`` says where the year comes from when it is not given (one default only)."""
    default = default or f"the census year containing today's date ({default_year().label})"
    parser.add_argument("--year", metavar="YYYY-YY", default=None,
                        help=f"census year ({', '.join(SUPPORTED_YEARS)}); default: {default}")


def input_file(parser: argparse.ArgumentParser, dest: str) -> None:
    """Mark the positional argument ``dest`` as the file a command reads (checked before it runs)."""
    parser.set_defaults(input_file=dest)


def year_arg(args: argparse.Namespace, *, readable: bool = False) -> CensusYear:
    return supported(args.year, readable=readable) if args.year else default_year()
