"""The ``cin-xl`` command.

Each subcommand lives in :mod:`cin_xl.commands` as a module with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Exit codes: 0 clean, 1 errors found,
2 unusable input (a one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .commands import add_quiet
from .errors import UnusableInput
from .perf import no_gc
from .progress import session
from .years import UnknownYear

COMMANDS = ("demo", "validate", "export", "import_", "template", "rules", "report")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cin-xl", description="Prepare, check and submit the DfE children in "
                                     "need census from an Excel workbook.")
    parser.add_argument("--version", action="version", version=f"cin-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"{__package__}.commands"):
                continue  # command not built yet
            raise
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        add_quiet(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        with no_gc(), session(quiet=args.quiet):  # one command in its own process: see cin_xl.perf
            return int(args.run(args) or 0)
    except (UnusableInput, UnknownYear) as exc:
        print(f"cin-xl: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr.close()
        return 0
    except OSError as exc:  # a folder that does not exist, no permission, disk full...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"cin-xl: {where}{exc.strerror or exc}; no file was changed", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cin-xl: interrupted; no file was written", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
