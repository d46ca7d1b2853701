"""Subcommands of ``cin-xl``; shared argument helpers."""

from __future__ import annotations

import argparse

from ..years import CensusYear, SUPPORTED_YEARS, default_year, supported


def add_year(parser: argparse.ArgumentParser, *, help_extra: str = "") -> None:
    parser.add_argument("--year", metavar="YYYY-YY", default=None,
                        help=f"census year ({', '.join(SUPPORTED_YEARS)}); default: the census year containing "
                             f"today's date ({default_year().label}){help_extra}")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress on stderr (it is shown only when stderr is a terminal)")


def year_arg(args: argparse.Namespace, *, readable: bool = False) -> CensusYear:
    return supported(args.year, readable=readable) if args.year else default_year()
