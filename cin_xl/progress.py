"""Progress of a long command on stderr: what is being done, how far it is, and when a file is safe to open.

The command line opens a :func:`session` around each command; the work reports itself in
:func:`phase`\\ s, counted where the count is known::

    with phase("Checking the rules", total=len(rules)) as step:
        for rule in rules:
            ...
            step.advance()

and :func:`wrote` is told of each file written (:func:`cin_xl.safety.atomic.write_atomic` does it),
so that the last line says the file is finished and safe to open. Progress is drawn by rich, on
stderr, only when stderr is a terminal: nothing when it is piped or redirected, nothing with
``--quiet``, and nothing outside a session (the Excel buttons, the library), where a phase costs
next to nothing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class Phase:
    """One step of the work; :meth:`advance` as items are done. This one shows nothing."""

    def advance(self, n: int = 1) -> None:
        pass

    def count(self, text: str) -> None:
        """What the count column shows (by default the total)."""


_SILENT = Phase()


class _Shown(Phase):
    # rich is told at most every 1/200 of the total or every 0.1 s: a phase may advance a million times
    def __init__(self, bar, task, total: int | None):
        self.bar, self.task, self.total = bar, task, total
        self.done = self.told = 0
        self.step = max(1, (total or 0) // 200)
        self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.done - self.told >= self.step:
            now = time.monotonic()
            if now - self.last >= 0.1 or self.done == self.total:
                self.bar.update(self.task, completed=self.done)
                self.told, self.last = self.done, now

    def count(self, text: str) -> None:
        self.bar.update(self.task, count=text)

    def finish(self) -> None:
        total = self.total or max(self.done, 1)
        self.bar.update(self.task, total=total, completed=total)


class _Session:
    def __init__(self, stream: IO[str]):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream, force_terminal=True, highlight=False)
        self.bar = Progress(SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"),
                            BarColumn(), TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
                            console=self.console, redirect_stderr=False,
                            # output on the same terminal goes above the bars; piped output stays as it is
                            redirect_stdout=enabled(sys.stdout))
        self.written: list[Path] = []

    @contextmanager
    def phase(self, label: str, total: int | None, count: str | None = None) -> Iterator[Phase]:
        task = self.bar.add_task(label, total=total, count="")
        shown = _Shown(self.bar, task, total)
        if count is not None or total:
            self.bar.update(task, count=count if count is not None else f"{total:,}")
        try:
            yield shown
        finally:
            shown.finish()


_session: _Session | None = None


def enabled(stream: IO[str] | None = None, *, quiet: bool = False) -> bool:
    """Whether progress is shown on ``stream`` (stderr): a terminal, and not asked to be quiet."""
    stream = stream or sys.stderr
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


@contextmanager
def session(*, quiet: bool = False, stream: IO[str] | None = None) -> Iterator[None]:
    """Show the progress of the work inside, if :func:`enabled`; end with the files written."""
    global _session
    stream = stream or sys.stderr
    if _session is not None or not enabled(stream, quiet=quiet):
        yield
        return
    _session = current = _Session(stream)
    current.bar.start()
    ok = False
    try:
        yield
        ok = True
    finally:
        current.bar.stop()
        _session = None
        if ok:
            for path in current.written:
                current.console.print(f"[green]✓[/] {path} is finished and safe to open.")


@contextmanager
def phase(label: str, total: int | None = None, count: str | None = None) -> Iterator[Phase]:
    """A step of the work, shown while it runs (``total`` items if known; ``count`` says what the total
    is where it is not a number of items, like a file's size)."""
    if _session is None:
        yield _SILENT
        return
    with _session.phase(label, total, count) as shown:
        yield shown


def wrote(path: str | os.PathLike) -> None:
    """``path`` has been written whole: say so at the end."""
    if _session is not None:
        _session.written.append(Path(path))
