"""The ``cin-xl`` command.

Each subcommand lives in :mod:`cin_xl.cli.commands` as a module with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Exit codes: 0 clean, 1 errors found,
2 unusable input (a one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cin_xl import __version__
from cin_xl.census.years import UnknownYear
from cin_xl.cli.commands import add_quiet
from cin_xl.errors import UnusableInput
from cin_xl.perf import no_gc
from cin_xl.progress import session
from cin_xl.safety.signals import Interrupted, raise_on_signals

COMMANDS = ("demo", "validate", "export", "import_", "template", "rules", "report", "rollover")


def _suggestion(word: str, choices) -> str:
    """`` (did you mean validate?)`` for a word close to one of ``choices``, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for action in parser._actions for o in action.option_strings if o.startswith("--")]


class Parser(argparse.ArgumentParser):
    """argparse with suggestions: a misspelt command or option names the one that was meant."""

    _seen: list[str] = []

    def parse_known_args(self, args=None, namespace=None):
        self._seen = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):
        if message.startswith("the following arguments are required"):
            # a misspelt required option shows up as missing: name the misspelling too
            known = _options(self)
            for word in self._seen:
                option = word.split("=")[0]
                if option.startswith("--") and not any(k.startswith(option) for k in known):
                    message += f"; unknown option {option}{_suggestion(option, known)}"
            split = _spaced_name(self._seen)
            if split:
                message += f"; \"{split}\" is one file name with a space in it: put it in quotes"
        choice = re.search(r"invalid choice: '([^']*)'", message)
        if choice and self._subparsers is not None:
            commands = [c for a in self._subparsers._group_actions for c in getattr(a, "choices", {}) or {}]
            message = f"unknown command '{choice.group(1)}'{_suggestion(choice.group(1), commands)}; " \
                      f"the commands are {', '.join(commands)}"
        unknown = re.match(r"unrecognized arguments: (.*)", message)
        if unknown:
            message = "; ".join(f"unknown option {word}{_suggestion(word.split('=')[0], _options(self))}"
                                if word.startswith("-") else f"unexpected argument {word!r}"
                                for word in unknown.group(1).split())
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cin-xl", description="Prepare, check and submit the DfE children in "
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
        p.set_defaults(run=module.run, parser=p)
    return parser


@contextmanager
def _notes() -> Iterator[None]:
    """What a command must tell the user but is no failure (a replaced file's owner changed, a folder was
    made): one line on stderr each, ``cin-xl: note: ...``."""
    from cin_xl.safety.atomic import Note

    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, Note):
            print(f"cin-xl: note: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", Note)
        warnings.showwarning = show
        yield


def _printable_streams() -> None:
    """Text the terminal cannot take (a lone surrogate from a file name or a cell) is printed escaped, not
    a traceback."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # not a text stream we may change: left as it is
            pass


def main(argv: list[str] | None = None) -> int:
    _printable_streams()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # a bad option of a command: that command's usage, and the option it resembles
        command_parser = getattr(args, "parser", None) or parser
        split = _split_path(args, extra, argv)
        command_parser.error(split or "unrecognized arguments: " + " ".join(extra))
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    missing = _missing_input(args)
    if missing:
        print(f"cin-xl: {missing}", file=sys.stderr)
        return 2
    try:
        # one command in its own process: see cin_xl.perf
        with raise_on_signals(), no_gc(), session(quiet=args.quiet), _notes():
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
    except Interrupted as exc:  # SIGINT, SIGTERM, SIGHUP: the file being written was discarded
        done = f" just after {exc.written} was written whole (it is complete)" if exc.written else ""
        print(f"cin-xl: stopped by {exc.name}{done}; no file was left half-written", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cin-xl: interrupted; no file was left half-written", file=sys.stderr)
        return 128 + 2


def _spaced_name(words: list[str]) -> str | None:
    """Words typed one after another that, joined by spaces, name a file that exists (and the first alone does
    not): a file name with spaces typed without quotes."""
    for start, first in enumerate(words):
        if first.startswith("-") or Path(first).exists():
            continue
        joined = first
        for word in words[start + 1:]:
            if word.startswith("-"):
                break
            joined += " " + word
            if Path(joined).is_file():
                return joined
    return None


def _split_path(args: argparse.Namespace, extra: list[str], argv: list[str] | None) -> str | None:
    """The hint for a file name with spaces typed without quotes (``cin-xl validate Census 2026.xlsx``): the
    input file and the words after it, joined, name a file that exists. None when they do not."""
    name = getattr(args, "input_file", None)
    first = getattr(args, name, None) if name else None
    if first is None:
        return None
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        at = words.index(str(first))
    except ValueError:
        return None
    joined = str(first)
    for n, word in enumerate(words[at + 1:], start=1):
        if word.startswith("-") or word not in extra:
            break
        joined += " " + word
        if Path(joined).is_file():
            typed = [*words[:at], f'"{joined}"', *words[at + 1 + n:]]
            return (f"\"{joined}\" is one file name with a space in it: put it in quotes, as in: "
                    f"cin-xl {' '.join(typed)}")
    if joined != str(first) and not Path(str(first)).exists():  # no such file either way: a hint all the same
        return (f"unexpected argument '{joined.split(' ', 1)[1]}'; if \"{joined}\" is one file name, put it in "
                "quotes")
    return None


def _missing_input(args: argparse.Namespace) -> str | None:
    """The one wording, for every command, of an input file that is not there."""
    name = getattr(args, "input_file", None)
    value = getattr(args, name, None) if name else None
    if value is None:
        return None
    path = Path(value)
    if not path.exists():
        return f"{path}: no such file"
    if path.is_dir():
        return f"{path} is a folder: give a file"
    return None


