"""Stopping cleanly: SIGINT, SIGTERM and SIGHUP become an exception, so every write unwinds.

The CLI runs each command inside :func:`raise_on_signals`: a signal raises :class:`Interrupted`
where the program is, ``finally`` blocks and ``except BaseException`` clean-ups run (the atomic
writer deletes its temporary file), and the command exits with 128 + the signal number. The few
steps that must not be cut in half (creating the temporary file and noting its name, renaming it
over the target, deleting it) run inside :func:`signals_deferred`: a signal arriving then is held
and delivered as soon as the step is done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: the signals that stop a command: Ctrl-C, kill, a closed terminal
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """The process was asked to stop by ``signum``; raised where it was, so clean-ups run."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        #: a file finished whole just as the signal arrived (it came while the file was renamed into place)
        self.written: str | None = None

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


#: the stop signal received in this command, if any (see :func:`check`)
_received: int | None = None


def _raise(signum: int, _frame) -> None:
    global _received
    _received = signum
    raise Interrupted(signum)


def check() -> None:
    """Raise :class:`Interrupted` again if a stop signal arrived in this command.

    Python runs a signal handler wherever the program is; if that is inside a finaliser (``__del__``)
    or a callback whose exceptions are ignored, the :class:`Interrupted` it raises is lost and the
    command would go on. The atomic writer asks here before it commits a file.
    """
    if _received is not None:
        raise Interrupted(_received)


@contextmanager
def raise_on_signals() -> Iterator[None]:
    """Within the block, a stop signal raises :class:`Interrupted` (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    global _received
    _received = None
    previous = {s: signal.signal(s, _raise) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        _received = None  # handled by whoever ran the block: later writes in this process go ahead


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold stop signals during a step that must not be cut in half; they arrive when it ends.

    Where signals cannot be blocked (Windows), the step runs as it is.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


__all__ = ["Interrupted", "STOP_SIGNALS", "check", "raise_on_signals", "signals_deferred"]
